"""Readers for public data files, returning tidy pandas frames.

Missing values are NaN in memory: each reader says which source codes it turns
into NaN. Nothing is dropped silently.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd

from ._errors import InputError
from ._readers import _cow_values, _int_key, _plain, _read_table

__all__ = ["read_nmc", "NMC_COMPONENTS"]

#: The six National Material Capabilities components, in COW's order.
NMC_COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop")
_NMC_COLUMNS = ("ccode", "stateabb", "year", *NMC_COMPONENTS, "cinc")
#: Years COW's NMC data cover: the COW state system begins in 1816; NMC v7.0 (2025) ends
#: in 2022 (v6.0 in 2016). :func:`read_nmc` rejects years outside.
NMC_YEARS = (1816, 2022)
#: Years each alliance source covers: COW Formal Alliances v4.1 1816-2012, ATOP v5
#: 1815-2018. :func:`read_alliances` rejects years (and dyad spans) outside.
ALLIANCE_YEARS = {"cow": (1816, 2012), "atop": (1815, 2018)}


def read_nmc(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Correlates of War National Material Capabilities (NMC) file.

    Reads COW's abridged CSV releases v5.0/v6.0 (``stateabb, ccode, year, milex,
    milper, irst, pec, tpop, upop, cinc, version``; CRLF line ends, no final
    newline and scientific notation are all fine) and the v7.0 layout without a
    ``stateabb`` column (as distributed by peacesciencer), whose abbreviations
    are filled from the package's COW code table.

    Parameters
    ----------
    path : str or path-like
        The CSV file (``.csv`` or compressed ``.csv.gz``/``.zip``).

    Returns
    -------
    DataFrame
        Columns ``ccode`` (int64), ``stateabb`` (str), ``year`` (int64), the six
        components ``milex`` (thousands of current GBP before 1914, USD after),
        ``milper`` (thousands), ``irst`` (thousands of tons), ``pec`` (thousands
        of coal-ton equivalents), ``tpop`` and ``upop`` (thousands), all float64,
        and COW's published ``cinc`` (float64). COW's missing code ``-9`` and
        empty fields become NaN. Rows keep the file's order.

    Raises
    ------
    ValueError
        (:class:`multipolar.InputError`) The file is empty, damaged or has no
        data rows, a required column is absent, a component holds a negative
        value other than -9, a year lies outside COW's range
        (:data:`NMC_YEARS`: 1816-2022, NMC v7.0; so a line cut short such as
        ``USA,2,18`` is caught), a (ccode, year) pair occurs twice, or a ccode
        is not a COW state.
    TypeError
        A component or key column holds text that is not a number.

    References
    ----------
    Singer, Bremer & Stuckey (1972), "Capability Distribution, Uncertainty, and
    Major Power War, 1820-1965"; COW NMC codebook v6.0 (2021) and v7.0.

    Examples
    --------
    >>> import multipolar as mp
    >>> nmc = mp.read_nmc("NMC-60-abridged.csv")  # doctest: +SKIP
    >>> nmc.loc[(nmc.ccode == 2) & (nmc.year == 2000), "cinc"]  # doctest: +SKIP
    """
    func = "read_nmc"
    from ._validation import check_unique, require_columns

    raw = _read_table(path, func, keep_default_na=False, na_values=[""])
    require_columns(raw, ("ccode", "year", *NMC_COMPONENTS), func, arg="path")
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for key in ("ccode", "year"):
        out[key] = _int_key(raw, key, func)
    _check_years(out["year"].to_numpy(), raw, "year", NMC_YEARS,
                 "COW NMC's range: v7.0 covers 1816-2022", func)
    for comp, arr in _cow_values(raw, (*NMC_COMPONENTS, "cinc"), func, inf_apart=True).items():
        out[comp] = arr
    check_unique(out, ("ccode", "year"), func)
    from .codes import convert

    ccodes = out["ccode"].to_numpy()
    uniq = np.unique(ccodes)
    try:
        abb = convert(uniq, from_="cow", to="cowabb")
    except ValueError:
        known = np.array([_is_cow(c) for c in uniq.tolist()])
        bad = uniq[~known]
        row = int(np.flatnonzero(np.isin(ccodes, bad))[0])
        raise InputError(
            f"{func}: file has ccode(s) that are not COW states: {bad[:8].tolist()}; first "
            f"{_plain(raw['ccode'].iloc[row])!r} in data row {row + 1}", function=func,
            argument="ccode", row=row, value=_plain(raw["ccode"].iloc[row]),
        ) from None
    table = dict(zip(uniq.tolist(), list(abb)))
    if "stateabb" in raw.columns:
        stateabb = raw["stateabb"].astype(str).str.strip()
    else:
        stateabb = pd.Series(pd.Index(uniq).map(table), index=uniq).reindex(ccodes).to_numpy()
    out.insert(1, "stateabb", np.asarray(stateabb, dtype=object))
    return out[list(_NMC_COLUMNS)]


# ---- COW Trade v4.0 ------------------------------------------------------------

_TRADE_DYADIC = ("ccode1", "ccode2", "year", "flow1", "flow2", "smoothflow1", "smoothflow2")
_TRADE_NATIONAL = ("ccode", "year", "imports", "exports")


def read_trade(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a Correlates of War Trade v4.0 file: dyadic flows or national totals.

    The layout is recognised from the header:

    - **dyadic** (``ccode1, ccode2, year, flow1, flow2`` and, when present,
      ``smoothflow1, smoothflow2``): COW's ``Dyadic_COW_4.0.csv`` (undirected,
      each dyad once; its other columns are not read) or the directed version
      distributed by peacesciencer (each dyad in both orders, flows swapped).
      ``flow1`` = imports of ccode1 from ccode2, ``flow2`` = imports of ccode2
      from ccode1, in millions of current US dollars;
    - **national** (``ccode, year, imports, exports``): COW's
      ``National_COW_4.0.csv`` or peacesciencer's state-year version, in
      millions of current US dollars.

    Parameters
    ----------
    path : str or path-like
        The CSV file (``.csv`` or compressed ``.csv.gz``/``.zip``).

    Returns
    -------
    DataFrame
        Dyadic: ``ccode1, ccode2, year`` (int64), ``flow1, flow2, smoothflow1,
        smoothflow2`` (float64; the smoothed flows are NaN if the file has
        none). National: ``ccode, year`` (int64), ``imports, exports``
        (float64). COW's missing code ``-9`` and empty fields become NaN. Rows
        keep the file's order; other columns are not read.

    Raises
    ------
    ValueError
        The header fits neither layout, a key is empty or fractional, a value is
        negative (other than -9), or a key occurs twice.
    TypeError
        A column holds text that is not a number.

    References
    ----------
    Barbieri, K., Keshk, O. M. G., & Pollins, B. (2009). Trading data:
    Evaluating our assumptions and coding rules. *Conflict Management and Peace
    Science*, 26(5), 471-491. Barbieri, K., & Keshk, O. M. G. (2016).
    Correlates of War Project Trade Data Set Codebook, Version 4.0.

    Examples
    --------
    >>> import multipolar as mp
    >>> trade = mp.read_trade("Dyadic_COW_4.0.csv")  # doctest: +SKIP
    >>> dep = mp.dependence(trade, year=2014)  # doctest: +SKIP
    """
    func = "read_trade"
    from ._validation import check_unique

    wanted = set(_TRADE_DYADIC) | set(_TRADE_NATIONAL)
    raw = _read_table(
        path,
        func,
        keep_default_na=False,
        na_values=[""],
        usecols=lambda c: str(c).strip().lower() in wanted,
    )
    cols = set(raw.columns)
    if {"ccode1", "ccode2", "year", "flow1", "flow2"} <= cols:
        keys, values = ("ccode1", "ccode2", "year"), _TRADE_DYADIC[3:]
    elif set(_TRADE_NATIONAL) <= cols:
        keys, values = ("ccode", "year"), _TRADE_NATIONAL[2:]
    else:
        raise ValueError(
            f"{func}: path has neither the dyadic (ccode1, ccode2, year, flow1, flow2) nor the "
            f"national (ccode, year, imports, exports) columns; got columns {list(raw.columns)}"
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for key in keys:
        out[key] = _int_key(raw, key, func)
    for name, arr in _cow_values(raw, values, func).items():
        out[name] = arr
    if len(keys) == 2:
        check_unique(out, keys, func)
    else:
        from .trade import _dyad_table

        # Validates (ccode1, ccode2, year) uniqueness and self-pairs with the
        # same rules as the trade functions; the table itself is discarded.
        _dyad_table(out, func)
    return out


# --------------------------------------------------------------------------- alliances, UN votes


#: Obligation flags of :func:`read_alliances`, per source.
ALLIANCE_FLAGS = {
    "cow": ("defense", "neutrality", "nonaggression", "entente"),
    "atop": ("defense", "offense", "neutral", "nonagg", "consul"),
}
# Column names of each known layout, mapped to ours.
_ALLY_LAYOUTS = {
    "cow": (
        # peacesciencer's directed dyad-year file
        {"cow_defense": "defense", "cow_neutral": "neutrality", "cow_nonagg": "nonaggression",
         "cow_entente": "entente"},
        # COW's alliance_v4.1_by_dyad_yearly.csv / by_directed_yearly.csv
        {"defense": "defense", "neutrality": "neutrality", "nonaggression": "nonaggression",
         "entente": "entente"},
    ),
    "atop": (
        {"atop_defense": "defense", "atop_offense": "offense", "atop_neutral": "neutral",
         "atop_nonagg": "nonagg", "atop_consul": "consul"},
        # ATOP's own directed dyad-year file (statea, stateb, ...)
        {"defense": "defense", "offense": "offense", "neutral": "neutral", "nonagg": "nonagg",
         "consul": "consul"},
    ),
}


def _is_cow(code: int) -> bool:
    from .codes import convert

    try:
        convert([code], from_="cow", to="cowabb")
    except ValueError:
        return False
    return True


def _check_years(years: np.ndarray, raw: pd.DataFrame, col: str, span: tuple[int, int],
                 what: str, func: str) -> None:
    """Years outside ``span`` (the data's documented range) raise, quoting the file's text."""
    bad = (years < span[0]) | (years > span[1])
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = _plain(raw[col].iloc[row] if col in raw.columns else years[row])
        raise InputError(
            f"{func}: column {col!r} must hold years in {span[0]}..{span[1]} ({what}); got "
            f"{value!r} in data row {row + 1}", function=func, argument=col, row=row, value=value,
        )


def read_alliances(path: str | os.PathLike[str], source: str = "cow") -> pd.DataFrame:
    """Read a directed dyad-year alliance file and code each dyad-year 0-3.

    Layouts read:

    - ``source="cow"``: peacesciencer's directed dyad-year COW file
      (``ccode1, ccode2, year, cow_defense, cow_neutral, cow_nonagg,
      cow_entente``) and COW's own ``alliance_v4.1_by_dyad_yearly.csv`` /
      ``..._by_directed_yearly.csv`` (``version4id, ccode1, state_name1, ccode2,
      state_name2, dyad_st_day, ..., defense, neutrality, nonaggression,
      entente, year, version``). COW's files list a dyad once per treaty; they
      are mirrored (both orders) and collapsed to one row per dyad-year, each
      flag the maximum over the treaties. Rows with ``year`` 0 (two in v4.1) are
      expanded over ``dyad_st_year..dyad_end_year`` when both are given,
      otherwise left out with a warning.
    - ``source="atop"``: peacesciencer's ATOP v5 directed dyad-year file
      (``ccode1, ccode2, year, atop_defense, atop_offense, atop_neutral,
      atop_nonagg, atop_consul``) and ATOP's own ddyr file (``statea, stateb,
      year, defense, offense, neutral, nonagg, consul, ...``). ATOP rows are
      directed (obligations may be one-sided) and are read as they are.

    ``code``: COW 3 defence, 2 neutrality or non-aggression,
    1 entente, 0 none; ATOP 3 defence or offence, 2 neutrality or consultation,
    1 non-aggression only, 0 an alliance in force with none of these
    obligations (the ranking of Chiba, Johnson & Leeds as used by fpsim).
    Dyad-years without an alliance are absent (code 0 by implication). An empty
    flag counts as 0. The package never downloads alliance data.

    Parameters
    ----------
    path : str or path-like
        The CSV file (optionally compressed).
    source : {"cow", "atop"}

    Returns
    -------
    DataFrame
        ``ccode1, ccode2, year, code`` (int64) and the obligation flags (int64,
        0/1): COW ``defense, neutrality, nonaggression, entente``; ATOP
        ``defense, offense, neutral, nonagg, consul``. One row per directed
        dyad-year, sorted by year, ccode1, ccode2.

    Raises
    ------
    ValueError
        Unknown ``source``, a layout that is neither of the above, empty keys,
        flags other than 0/1, or a year (or a year-0 row's dyad start or end)
        outside the source's documented range (:data:`ALLIANCE_YEARS`: COW
        v4.1 1816-2012, ATOP v5 1815-2018), which also bounds the work a
        year-0 row can ask for.

    Warns
    -----
    UserWarning
        COW rows with year 0 that cannot be expanded.

    References
    ----------
    Gibler, D. M. (2009). *International Military Alliances, 1648-2008*. CQ Press
    (COW Formal Alliances v4.1). Leeds, B. A., Ritter, J. M., Mitchell, S. M., &
    Long, A. G. (2002). Alliance Treaty Obligations and Provisions, 1815-1944.
    *International Interactions*, 28, 237-260.

    Examples
    --------
    >>> import multipolar as mp
    >>> ally = mp.read_alliances("cow_alliance.csv")  # doctest: +SKIP
    >>> ally.loc[(ally.ccode1 == 2) & (ally.ccode2 == 200) & (ally.year == 1949), "code"]  # doctest: +SKIP
    """
    func = "read_alliances"
    if source not in ALLIANCE_FLAGS:
        raise ValueError(f"{func}: source must be 'cow' or 'atop'; got {source!r}")
    raw = _read_table(path, func)
    if source == "atop" and "ccode1" not in raw.columns and {"statea", "stateb"} <= set(raw.columns):
        raw = raw.rename(columns={"statea": "ccode1", "stateb": "ccode2"})
    flags = ALLIANCE_FLAGS[source]
    layout = None
    for i, names in enumerate(_ALLY_LAYOUTS[source]):
        if set(names) <= set(raw.columns):
            layout = i
            break
    if layout is None or not {"ccode1", "ccode2", "year"} <= set(raw.columns):
        wanted = [["ccode1", "ccode2", "year", *names] for names in _ALLY_LAYOUTS[source]]
        hint = ""
        for other in _ALLY_LAYOUTS:
            if other != source and any(set(n) <= set(raw.columns) for n in _ALLY_LAYOUTS[other]):
                hint = f"; the columns are {other.upper()}'s: did you mean source={other!r}?"
            elif other == "atop" != source and any(str(c).startswith("atop_") for c in raw.columns):
                hint = hint or "; the columns are ATOP's: did you mean source='atop'?"
        raise ValueError(
            f"{func}: path is not a known {source} alliance layout (columns {wanted[0]} or "
            f"{wanted[1]}); got columns {list(raw.columns)}{hint}"
        )
    names = _ALLY_LAYOUTS[source][layout]
    c1 = _int_key(raw, "ccode1", func)
    c2 = _int_key(raw, "ccode2", func)
    yr = _int_key(raw, "year", func)
    cols = {}
    for src, dst in names.items():
        v = pd.to_numeric(raw[src], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isnan(v) & (v != 0) & (v != 1)
        textual = raw[src].notna().to_numpy() & np.isnan(v)
        if bad.any() or textual.any():
            row = int(np.flatnonzero(bad | textual)[0])
            raise ValueError(
                f"{func}: column {src!r} must hold 0/1 flags; got {_plain(raw[src].iloc[row])!r} in data "
                f"row {row + 1}"
            )
        cols[dst] = np.nan_to_num(v, nan=0.0).astype(np.int64)
    mirror = source == "cow" and layout == 1
    span = ALLIANCE_YEARS[source]
    what = ("COW Formal Alliances v4.1 covers 1816-2012" if source == "cow"
            else "ATOP v5 covers 1815-2018")
    # COW's own files mark two rows with year 0 (spread over their dyad's years below)
    _check_years(np.where(yr == 0, span[0], yr) if mirror else yr, raw, "year", span, what, func)
    if mirror:
        if (yr == 0).any():
            idx, yr = _expand_year_zero(raw, yr, func, span, what)
            c1, c2 = c1[idx], c2[idx]
            cols = {k: v[idx] for k, v in cols.items()}
        c1, c2 = np.concatenate([c1, c2]), np.concatenate([c2, c1])
        yr = np.concatenate([yr, yr])
        cols = {k: np.concatenate([v, v]) for k, v in cols.items()}
    out = pd.DataFrame({"ccode1": c1, "ccode2": c2, "year": yr, **cols})
    out = out[out["ccode1"] != out["ccode2"]] if mirror else out
    if out.duplicated(["ccode1", "ccode2", "year"]).any():
        out = out.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=False)[
            list(flags)
        ].max()
    f = {k: out[k].to_numpy() == 1 for k in flags}
    if source == "cow":
        code = np.select([f["defense"], f["neutrality"] | f["nonaggression"], f["entente"]],
                         [3, 2, 1], 0)
    else:
        code = np.select(
            [f["defense"] | f["offense"], f["neutral"] | f["consul"], f["nonagg"]], [3, 2, 1], 0
        )
    out.insert(3, "code", code.astype(np.int64))
    out = out.sort_values(["year", "ccode1", "ccode2"], kind="stable").reset_index(drop=True)
    return out[["ccode1", "ccode2", "year", "code", *flags]]


def _expand_year_zero(raw: pd.DataFrame, yr: np.ndarray, func: str, span: tuple[int, int],
                      what: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows (indices into ``raw``) and years once COW's year-0 rows are spread over their dyad's years.

    A year-0 row becomes one row per year of ``dyad_st_year..dyad_end_year``
    when both are given; otherwise it is left out and counted in a warning. A
    start or end outside ``span`` (the data's documented years) raises: it would
    otherwise expand one line into as many rows as the numbers say (50,000,000
    years, or 1e12).
    """
    zero = yr == 0
    parts = []
    lost = 0
    if {"dyad_st_year", "dyad_end_year"} <= set(raw.columns):
        st = pd.to_numeric(raw["dyad_st_year"], errors="coerce").to_numpy(np.float64)
        en = pd.to_numeric(raw["dyad_end_year"], errors="coerce").to_numpy(np.float64)
    else:
        st = en = np.full(len(raw), np.nan)
    for i in np.flatnonzero(zero).tolist():
        for name, val in (("dyad_st_year", st[i]), ("dyad_end_year", en[i])):
            if np.isfinite(val) and not span[0] <= val <= span[1]:
                text = _plain(raw[name].iloc[i])
                raise InputError(
                    f"{func}: column {name!r} must hold years in {span[0]}..{span[1]} ({what}); "
                    f"got {text!r} in data row {i + 1}", function=func, argument=name, row=i,
                    value=text,
                )
        if np.isfinite(st[i]) and np.isfinite(en[i]) and 0 < st[i] <= en[i]:
            parts.append((i, np.arange(int(st[i]), int(en[i]) + 1, dtype=np.int64)))
        else:
            lost += 1
    if lost:
        warnings.warn(
            f"{func}: left out {lost} row(s) with year 0 and no usable dyad start/end "
            f"year", UserWarning, stacklevel=3,
        )
    idx = np.concatenate([np.flatnonzero(~zero)] + [np.full(len(s), i) for i, s in parts])
    return idx, np.concatenate([yr[~zero]] + [s for _, s in parts])


# ---- DEU III (EU legislative decision-making) -----------------------------------

#: DEU III actor codes, in the file's column order: Commission, Parliament, then members.
DEU_ACTORS = (
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu",
    "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk",
)
_DEU_META = {
    "prnr": "proposal", "prname": "proposal_name", "isnr": "issue", "type": "type",
    "council": "council", "proc": "procedure", "counvte": "council_vote", "issues": "n_issues",
    "intro": "intro", "finact": "final_act", "rp": "reference", "out": "outcome",
}


def read_deu(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read DEU III ("EU Decides") positions, saliences and outcomes.

    Reads the tab-separated redistribution of DEU III (Arregui & Perarnaud
    2022) whose second line is not an issue but a capability proxy (GDP,
    apparently trillions of USD; the Commission and the Parliament carry
    Germany's value), as published with the ``predictioneers_game`` project.
    The first line is the header: 13 metadata columns, then ``p<actor>``
    positions and ``s<actor>`` saliences for 30 actors (:data:`DEU_ACTORS`),
    then ``rp`` (reference point) and ``out`` (outcome). A file without the
    GDP line is accepted too (``gdp`` is then NaN).

    Parameters
    ----------
    path : str or path-like
        The ``.tsv`` file.

    Returns
    -------
    DataFrame
        Long: one row per (issue, actor), issues in file order, actors in
        :data:`DEU_ACTORS` order (364 x 30 rows for the full file). Columns
        ``issue`` (issue id, str), ``proposal``, ``proposal_name``, ``type``,
        ``council``, ``procedure``, ``council_vote``, ``intro`` (raw
        "dd-mm-yy" text), ``final_act`` (raw text; partly mangled in this
        redistribution, do not rely on it), ``n_issues``, ``reference`` and
        ``outcome`` (0-100 issue scale), ``actor`` (code), ``position`` (0-100
        issue scale), ``salience`` (rescaled from 0-100 to [0, 1]) and ``gdp``
        (the capability proxy). Empty fields are NaN: ``position`` is NaN where
        an actor took no position (or was not a member), ``outcome`` where the
        redistributor removed an invalid value (11 issues). No row is dropped.

    Raises
    ------
    ValueError
        Missing columns, a salience outside 0-100, or a non-numeric value.

    References
    ----------
    Arregui, J., & Perarnaud, C. (2022). A new dataset on legislative
    decision-making in the European Union: the DEU III dataset. *Journal of
    European Public Policy*, 29(1), 12-22. doi:10.34810/data53.

    Examples
    --------
    >>> import multipolar as mp
    >>> deu = mp.read_deu("deu3_blksv.tsv")  # doctest: +SKIP
    >>> deu.dropna(subset=["position"]).groupby("issue").size().describe()  # doctest: +SKIP
    """
    func = "read_deu"
    from ._validation import require_columns

    raw = _read_table(path, func, "DEU", sep="\t", dtype=str, keep_default_na=False)
    pcols = [f"p{a}" for a in DEU_ACTORS]
    scols = [f"s{a}" for a in DEU_ACTORS]
    require_columns(raw, ["isnr", "out", *pcols, *scols], func, arg="path")
    raw = raw.apply(lambda col: col.str.strip())

    def num(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
        vals = frame[cols].replace("", np.nan)
        try:
            return vals.astype(np.float64).to_numpy()
        except ValueError:
            pass
        # find the first text that is not a number, cell by cell, to quote it as written
        for c in cols:
            text = vals[c]
            parsed = pd.to_numeric(text, errors="coerce")
            bad = (parsed.isna() & text.notna()).to_numpy()
            if bad.any():
                r = int(np.flatnonzero(bad)[0])
                row = int(frame.index[r]) + 1
                raise InputError(
                    f"{func}: column {c!r} must be numeric; got {text.iloc[r]!r} in data row {row}",
                    function=func, argument=c, row=row - 1, value=text.iloc[r],
                ) from None
        raise InputError(f"{func}: columns {cols[0]}..{cols[-1]} must be numeric",
                         function=func, argument=cols[0])

    gdp = np.full(len(DEU_ACTORS), np.nan)
    if len(raw) and raw["isnr"].iloc[0] == "":
        gdp = num(raw.iloc[:1], pcols)[0]
        raw = raw.iloc[1:].reset_index(drop=True)
    pos = num(raw, pcols)
    sal = num(raw, scols)
    bad = (sal < 0) | (sal > 100)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        text = raw[scols[c]].iloc[r]
        raise InputError(
            f"{func}: salience must be in 0-100; got {text!r} for actor "
            f"{DEU_ACTORS[c]!r} in data row {r + 1}", function=func, argument=scols[c],
            row=int(r), value=text,
        )
    n_issue, n_actor = pos.shape
    out = pd.DataFrame(index=pd.RangeIndex(n_issue * n_actor))
    for src, dst in _DEU_META.items():
        if src not in raw.columns:
            continue
        col = raw[src]
        if src in ("rp", "out", "issues"):
            vals = num(raw, [src])[:, 0]
        else:
            vals = col.replace("", np.nan).to_numpy(dtype=object)
        out[dst] = np.repeat(vals, n_actor)
    out["actor"] = np.tile(np.asarray(DEU_ACTORS, dtype=object), n_issue)
    out["position"] = pos.reshape(-1)
    out["salience"] = sal.reshape(-1) / 100.0
    out["gdp"] = np.tile(gdp, n_issue)
    return out


# World Bank and Our World in Data readers live in worldbank.py; re-exported here so that
# every reader is found in one place (mp.io.read_worldbank, mp.io.read_owid).
from .worldbank import read_owid as read_owid  # noqa: E402
from .worldbank import read_worldbank as read_worldbank  # noqa: E402
from .unvotes import read_idealpoints as read_idealpoints  # noqa: E402
from .unvotes import read_unvotes as read_unvotes  # noqa: E402
