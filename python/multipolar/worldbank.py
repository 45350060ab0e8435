"""Readers of World Bank and Our World in Data indicator files, keyed by COW ccode.

Three layouts are read into one tidy state-year frame:

* the World Bank long layout ``Country Name, Country Code, Year, Value`` (the
  ``datasets`` data packages, e.g. ``gdp.csv`` and ``population.csv``);
* the WDI bulk wide layout ``Country Name, Country Code, Indicator Name,
  Indicator Code, 1960, 1961, ...`` (``WDICSV.csv``, or an ``API_*.csv``
  download with its four preamble lines);
* Our World in Data grapher CSVs ``Entity, Code, Year, <value column>``.

Country codes are ISO 3166-1 alpha-3, read year-aware with
:func:`multipolar.convert`: DEU is the German Federal Republic 260 before 1990
and Germany 255 from 1990, RUS is 365 (COW's one code for Russia and the
USSR), SRB/SCG/YUG are 345, the user-assigned XKX is Kosovo 347. Codes that
name no COW state are set aside, never mapped or dropped silently; see
:func:`read_worldbank` for the report.

An ISO3 code names the state it was assigned to, never its predecessor: the
World Bank's CZE rows for 1990-1992 are the Czech lands only, so they stay
Czechia 316 (outside the COW system in those years, and reported so) rather
than being passed off as Czechoslovakia 315; the same holds for SVK, the
post-Soviet and post-Yugoslav states before independence and for colonies.
Where a code is the continuing state's (RUS for the USSR's 365, SRB for
Yugoslavia's 345, DEU and YEM before unification) the rows are kept and
reported as ``territory``, because the series covers a different territory
than the COW state of that year.

Sources
-------
* World Bank, World Development Indicators (CC BY 4.0); the list of its
  aggregate codes from the WDI country and lending groups
  (datahelpdesk.worldbank.org, "World Bank Country and Lending Groups") and
  the aggregate rows of the WDI country table.
* Our World in Data grapher exports (ourworldindata.org), whose
  ``OWID_*`` codes name regions and historical states.
"""

from __future__ import annotations

import io as _io
import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "read_worldbank", "read_owid", "present_day", "present_day_text", "WB_AGGREGATES", "OWID_CODES",
]

#: World Bank aggregate codes (regions, income and lending groups, demographic
#: groups, small-state groups, the euro area, the EU, OECD and the world). They
#: share the country-code column with ISO3 codes in every WDI file.
WB_AGGREGATES: frozenset[str] = frozenset({
    "AFE", "AFW", "ARB", "CEB", "CSS", "EAP", "EAR", "EAS", "ECA", "ECS", "EMU", "EUU",
    "FCS", "HIC", "HPC", "IBD", "IBT", "IDA", "IDB", "IDX", "INX", "LAC", "LCN", "LDC",
    "LIC", "LMC", "LMY", "LTE", "MEA", "MIC", "MNA", "NAC", "OED", "OSS", "PRE", "PSS",
    "PST", "SAS", "SSA", "SSF", "SST", "TEA", "TEC", "TLA", "TMN", "TSA", "TSS", "UMC",
    "WLD",
})

#: Our World in Data codes of states without an ISO code, as COW ccodes. Every
#: other ``OWID_*`` code (``OWID_WRL`` and the regions) and every empty code is
#: an aggregate.
OWID_CODES: dict[str, int] = {
    "OWID_KOS": 347,  # Kosovo
    "OWID_USS": 365,  # USSR (COW continues Russia's number)
    "OWID_CZS": 315,  # Czechoslovakia
    "OWID_YGS": 345,  # Yugoslavia
    "OWID_SRM": 345,  # Serbia and Montenegro
    "OWID_GFR": 260,  # West Germany
    "OWID_GDR": 265,  # East Germany
}

#: ISO3 series whose territory differs from the COW state they map to, up to a
#: last year: the World Bank reports today's country back in time. Kept (they
#: are the best figures there are) and reported as ``territory``.
_TERRITORY = {
    "RUS": 1991,  # the Russian SFSR, a part of the USSR (COW 365)
    "DEU": 1989,  # today's Germany, more than the German Federal Republic (260)
    "YEM": 1989,  # today's Yemen, more than the Yemen Arab Republic (678)
    "SRB": 2005,  # Serbia, a part of Yugoslavia / Serbia and Montenegro (345)
}

#: Output columns, in order.
COLUMNS = ("ccode", "year", "value", "code", "name", "member")


# --------------------------------------------------------------------------- reading


def _read_text(path: Any, func: str) -> tuple[str, str]:
    """The file's text and the name used in messages; a frame given instead is written out."""
    if isinstance(path, pd.DataFrame):
        return path.to_csv(index=False), "<DataFrame>"
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return fh.read(), os.fspath(path)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{func}: path is not a UTF-8 CSV file; got {os.fspath(path)!r}: {exc}") from None


def _csv(text: str, skip: int, func: str, name: str) -> pd.DataFrame:
    try:
        raw = pd.read_csv(_io.StringIO(text), skiprows=skip, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{func}: path is not a readable CSV file; got {name!r}: {exc}") from None
    if raw.empty:
        raise ValueError(f"{func}: path holds a header but no data rows; got {name!r}")
    raw.columns = [str(c).strip() for c in raw.columns]
    # API downloads end every line with a comma: an unnamed, empty last column
    empty = [c for c in raw.columns if c.startswith("Unnamed:") and (raw[c] == "").all()]
    return raw.drop(columns=empty)


def _numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """float64 values of a text column (empty = NaN) and the rows that are not numbers."""
    s = text.str.strip()
    num = pd.to_numeric(s.where(s != "", None), errors="coerce").to_numpy(np.float64)
    bad = np.isnan(num) & (s != "").to_numpy()
    return num, bad


class _Rows:
    """Malformed rows: raised at once (strict) or counted (lenient)."""

    def __init__(self, func: str, name: str, strict: bool) -> None:
        self.func, self.name, self.strict = func, name, strict
        self.skipped = 0

    def check(self, bad: np.ndarray, lines: np.ndarray, what: str, shown: pd.Series) -> np.ndarray:
        if not bad.any():
            return bad
        if self.strict:
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{self.func}: {what}; got {shown.iloc[i]!r} in {self.name!r}, line {int(lines[i])} "
                f"(errors='skip' sets such rows aside and counts them)"
            )
        self.skipped += int(bad.sum())
        return bad


def _check_errors(errors: object, func: str) -> bool:
    if errors not in ("raise", "skip"):
        raise ValueError(f"{func}: errors must be 'raise' or 'skip'; got {errors!r}")
    return errors == "raise"


# --------------------------------------------------------------------------- codes


def _map_codes(
    codes: np.ndarray, years: np.ndarray, owid: bool
) -> tuple[np.ndarray, np.ndarray]:
    """COW ccodes (-1 = none) and the kind of each row: 0 state, 1 aggregate, 2 no COW code."""
    from .codes import convert
    from .codes.tables import _codebook

    known = _codebook().inputs["iso3"]
    upper = np.array([c.strip().upper() for c in codes], dtype=object)
    ccode = np.full(len(codes), -1, dtype=np.int64)
    kind = np.full(len(codes), 2, dtype=np.int8)
    uniq = pd.unique(upper)
    aggregate = {c for c in uniq if c == "" or c in WB_AGGREGATES
                 or (owid and c.startswith("OWID_") and c not in OWID_CODES)}
    fixed = {c: OWID_CODES[c] for c in uniq if owid and c in OWID_CODES}
    iso = [c for c in uniq if c not in aggregate and c not in fixed and c in known]
    kind[np.isin(upper, list(aggregate))] = 1
    for c, cc in fixed.items():
        rows = upper == c
        ccode[rows], kind[rows] = cc, 0
    rows = np.isin(upper, iso)
    if rows.any():
        ccode[rows] = convert(upper[rows], "iso3", "cow", year=years[rows]).astype(np.int64)
        kind[rows] = 0
    return ccode, kind


def _counts(codes: np.ndarray) -> dict[str, int]:
    vals, n = np.unique(codes.astype(str), return_counts=True)
    return {str(v): int(k) for v, k in zip(vals, n)}


def _tidy(
    codes: np.ndarray, names: np.ndarray, years: np.ndarray, values: np.ndarray,
    func: str, source: str, owid: bool, members_only: bool, skipped: int, stacklevel: int = 4,
) -> pd.DataFrame:
    """The tidy frame of mapped rows, with the report in ``attrs["set_aside"]``."""
    from .codes import is_member

    ccode, kind = _map_codes(codes, years, owid)
    key = np.where(codes == "", names, codes)  # OWID regions have no code: name them
    report: dict[str, Any] = {
        "source": source,
        "aggregates": _counts(key[kind == 1]),
        "no_cow_code": _counts(key[kind == 2]),
        "skipped_rows": skipped,
    }
    keep = kind == 0
    member = np.zeros(len(codes), dtype=bool)
    member[keep] = is_member(ccode[keep], years[keep])
    report["outside_system"] = _counts(codes[keep & ~member])
    if members_only:
        keep &= member
    upper = np.array([c.upper() for c in codes], dtype=object)
    last = np.array([_TERRITORY.get(c, -10**9) for c in upper], dtype=np.int64)
    report["territory"] = _counts(codes[keep & (years <= last)])
    out = pd.DataFrame({
        "ccode": ccode[keep], "year": years[keep], "value": values[keep],
        "code": codes[keep], "name": names[keep], "member": member[keep],
    })
    dup = out.duplicated(["ccode", "year"], keep=False).to_numpy()
    if dup.any():
        d = out[dup].sort_values(["ccode", "year"]).head(2)
        raise ValueError(
            f"{func}: two rows map to the same COW state-year; got codes {d['code'].tolist()!r} "
            f"as ccode {int(d['ccode'].iloc[0])} in {int(d['year'].iloc[0])} (keep one of them)"
        )
    out = out.sort_values(["ccode", "year"], kind="stable").reset_index(drop=True)
    report["missing_values"] = int(np.isnan(out["value"].to_numpy()).sum())
    _warn(report, func, members_only, stacklevel + 1)
    out.attrs["set_aside"] = report
    return out


def _show(d: dict[str, int]) -> str:
    keys = list(d)
    more = f", ... ({len(keys) - 8} more)" if len(keys) > 8 else ""
    return ", ".join(keys[:8]) + more


def _warn(report: dict[str, Any], func: str, members_only: bool, stacklevel: int) -> None:
    parts = []
    for key, what in (("aggregates", "aggregate"), ("no_cow_code", "no-COW-code")):
        d = report[key]
        if d:
            parts.append(f"{sum(d.values())} rows of {len(d)} {what} codes ({_show(d)})")
    if members_only and report["outside_system"]:
        d = report["outside_system"]
        parts.append(f"{sum(d.values())} rows of states outside the COW system that year "
                     f"({_show(d)})")
    if report["skipped_rows"]:
        parts.append(f"{report['skipped_rows']} malformed rows")
    if parts:
        warnings.warn(
            f"{func}: set aside {'; '.join(parts)}; see frame.attrs['set_aside']",
            UserWarning, stacklevel=stacklevel,
        )


# --------------------------------------------------------------------------- public


def read_worldbank(
    path: str | os.PathLike[str] | pd.DataFrame,
    *,
    indicator: str | None = None,
    errors: str = "raise",
    members_only: bool = False,
) -> pd.DataFrame:
    """Read a World Bank indicator file (long or WDI wide layout) into COW state-years.

    Layouts, told apart by their header:

    * long: ``Country Name, Country Code, Year, Value``;
    * WDI wide: ``Country Name, Country Code, Indicator Name, Indicator Code``
      then one column per year (the bulk ``WDICSV.csv``, or an ``API_*.csv``
      download: its four preamble lines and trailing comma are skipped).

    Country codes are read as ISO3, year-aware (:func:`multipolar.convert`
    with ``year``): DEU is 260 before 1990 and 255 from 1990, RUS 365,
    SRB/SCG/YUG 345, XKX (Kosovo) 347.

    Parameters
    ----------
    path : path or DataFrame
        The CSV file (or a frame of its text columns).
    indicator : str, optional
        Wide layout only: the ``Indicator Code`` or ``Indicator Name`` to read;
        needed when the file holds several indicators.
    errors : {"raise", "skip"}
        A row whose year or value is not a number: ``"raise"`` (default) stops
        with the file and line; ``"skip"`` sets it aside and counts it.
    members_only : bool
        Also set aside rows of states that were not COW system members that
        year (e.g. CZE before 1993, colonies before independence).

    Returns
    -------
    DataFrame
        ``ccode`` (int64), ``year`` (int64), ``value`` (float64, NaN where the
        source is empty), ``code`` (the file's code), ``name`` (the file's
        country name), ``member`` (bool: a COW system member that year),
        sorted by ccode and year. ``attrs["set_aside"]`` is the report, a dict:
        ``aggregates`` and ``no_cow_code`` ({code: rows} set aside: World Bank
        regions, income and lending groups, :data:`WB_AGGREGATES`; territories
        such as HKG, PRI or PSE that are not COW states), ``outside_system``
        ({code: rows} of non-member state-years: kept unless ``members_only``),
        ``territory`` ({code: rows} kept whose territory differs from the COW
        state's: RUS before 1992 is the Russian SFSR inside the USSR, DEU before
        1990 today's Germany, YEM before 1990 today's Yemen, SRB before 2006
        Serbia alone), ``missing_values`` (rows with NaN), ``skipped_rows``
        (malformed rows, ``errors="skip"``) and ``source``.

    Warns
    -----
    UserWarning
        With the counts and codes of the rows set aside.

    Raises
    ------
    ValueError
        An unknown layout, a malformed row (strict), an unknown or ambiguous
        ``indicator``, two codes that map to one COW state-year.
    FileNotFoundError
        The file does not exist.

    Examples
    --------
    >>> import multipolar as mp
    >>> gdp = mp.read_worldbank("world_bank/wb_gdp_current_usd.csv")  # doctest: +SKIP
    >>> gdp.attrs["set_aside"]["aggregates"]["WLD"]                    # doctest: +SKIP
    64
    """
    func = "read_worldbank"
    strict = _check_errors(errors, func)
    text, name = _read_text(path, func)
    skip = 4 if text.lstrip().startswith(('"Data Source"', "Data Source")) else 0
    raw = _csv(text, skip, func, name)
    cols = set(raw.columns)
    rows = _Rows(func, name, strict)
    lines = np.arange(len(raw), dtype=np.int64) + 2 + skip
    if {"Country Code", "Year", "Value"} <= cols:
        codes = raw["Country Code"].to_numpy(dtype=object)
        names = raw.get("Country Name", raw["Country Code"]).to_numpy(dtype=object)
        yr, ybad = _numbers(raw["Year"])
        ybad |= np.isnan(yr) | (np.mod(np.nan_to_num(yr), 1) != 0)
        bad = rows.check(ybad, lines, "column 'Year' must hold whole years", raw["Year"])
        val, vbad = _numbers(raw["Value"])
        bad |= rows.check(vbad & ~bad, lines, "column 'Value' must hold numbers", raw["Value"])
        keep = ~bad
        return _tidy(codes[keep].astype(str), names[keep], yr[keep].astype(np.int64), val[keep],
                     func, name, False, members_only, rows.skipped)
    if {"Country Code", "Indicator Code"} <= cols:
        return _read_wide(raw, indicator, rows, lines, name, members_only)
    raise ValueError(
        f"{func}: path has neither the long layout (Country Name, Country Code, Year, Value) nor "
        f"the WDI wide one (Country Name, Country Code, Indicator Name, Indicator Code, years); "
        f"got columns {list(raw.columns)[:8]!r}"
    )


def _read_wide(raw: pd.DataFrame, indicator: str | None, rows: _Rows, lines: np.ndarray,
               name: str, members_only: bool) -> pd.DataFrame:
    func = rows.func
    ind = raw["Indicator Code"].str.strip()
    known = list(pd.unique(ind))
    if indicator is None:
        if len(known) > 1:
            raise ValueError(
                f"{func}: the file holds {len(known)} indicators; name one with indicator= "
                f"(e.g. {known[:5]!r})"
            )
        pick = np.ones(len(raw), dtype=bool)
    else:
        pick = (ind == indicator).to_numpy()
        if not pick.any() and "Indicator Name" in raw.columns:
            pick = (raw["Indicator Name"].str.strip() == indicator).to_numpy()
        if not pick.any():
            raise ValueError(f"{func}: indicator not in the file; got {indicator!r} "
                             f"(the file has e.g. {known[:5]!r})")
    raw, lines = raw[pick].reset_index(drop=True), lines[pick]
    year_cols = [c for c in raw.columns if c.strip().isdigit()]
    if not year_cols:
        raise ValueError(f"{func}: the wide layout needs year columns (1960, 1961, ...); got none")
    values = np.empty((len(raw), len(year_cols)))
    bad = np.zeros(len(raw), dtype=bool)
    for j, c in enumerate(year_cols):
        values[:, j], b = _numbers(raw[c])
        bad |= rows.check(b & ~bad, lines, f"column {c!r} must hold numbers", raw[c])
    keep = ~bad
    n = len(year_cols)
    codes = np.repeat(raw["Country Code"].to_numpy(dtype=object)[keep].astype(str), n)
    names_col = raw["Country Name"] if "Country Name" in raw.columns else raw["Country Code"]
    names = np.repeat(names_col.to_numpy(dtype=object)[keep], n)
    years = np.tile(np.array([int(c) for c in year_cols], dtype=np.int64), int(keep.sum()))
    return _tidy(codes, names, years, values[keep].ravel(), func, name, False, members_only,
                 rows.skipped, stacklevel=5)


def read_owid(
    path: str | os.PathLike[str] | pd.DataFrame,
    value: str | None = None,
    *,
    errors: str = "raise",
    members_only: bool = False,
) -> pd.DataFrame:
    """Read an Our World in Data grapher CSV (``Entity, Code, Year, <value>``) into COW state-years.

    Our World in Data republishes SIPRI military spending, Maddison GDP and
    many other series in this layout. ``Code`` is ISO3 for countries, read
    year-aware as in :func:`read_worldbank`; the ``OWID_*`` codes of historical
    states are mapped by :data:`OWID_CODES` (``OWID_USS`` 365, ``OWID_CZS``
    315, ``OWID_YGS`` 345, ``OWID_KOS`` 347, ...); ``OWID_WRL``, the other
    ``OWID_*`` codes and rows with an empty code (continents, income groups)
    are aggregates, set aside and reported under their name.

    Parameters
    ----------
    path : path or DataFrame
        The CSV file.
    value : str, optional
        The value column, any name; needed when the file has several beside
        ``Entity, Code, Year`` (grapher exports may add annotation columns).
    errors, members_only
        As in :func:`read_worldbank`.

    Returns
    -------
    DataFrame
        As :func:`read_worldbank` (``name`` is the ``Entity``), with the same
        ``attrs["set_aside"]`` report.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp, warnings
    >>> raw = pd.DataFrame({"Entity": ["Russia", "World", "USSR"], "Code": ["RUS", "OWID_WRL",
    ...                     "OWID_USS"], "Year": [2000, 2000, 1980], "milex": [1.0, 9.0, 2.0]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     df = mp.read_owid(raw)
    >>> df[["ccode", "year", "value"]].to_numpy().tolist()
    [[365.0, 1980.0, 2.0], [365.0, 2000.0, 1.0]]
    >>> df.attrs["set_aside"]["aggregates"]
    {'OWID_WRL': 1}
    """
    func = "read_owid"
    strict = _check_errors(errors, func)
    text, name = _read_text(path, func)
    raw = _csv(text, 0, func, name)
    missing = [c for c in ("Entity", "Code", "Year") if c not in raw.columns]
    if missing:
        raise ValueError(f"{func}: path must have the columns Entity, Code, Year; got "
                         f"{list(raw.columns)[:8]!r}")
    others = [c for c in raw.columns if c not in ("Entity", "Code", "Year")]
    if value is None:
        if len(others) != 1:
            raise ValueError(f"{func}: name the value column with value=; got columns {others!r}")
        value = others[0]
    elif value not in others:
        raise ValueError(f"{func}: value must name a column of the file; got {value!r} "
                         f"(columns {others!r})")
    rows = _Rows(func, name, strict)
    lines = np.arange(len(raw), dtype=np.int64) + 2
    yr, ybad = _numbers(raw["Year"])
    ybad |= np.isnan(yr) | (np.mod(np.nan_to_num(yr), 1) != 0)
    bad = rows.check(ybad, lines, "column 'Year' must hold whole years", raw["Year"])
    val, vbad = _numbers(raw[value])
    bad |= rows.check(vbad & ~bad, lines, f"column {value!r} must hold numbers", raw[value])
    keep = ~bad
    return _tidy(raw["Code"].to_numpy(dtype=object)[keep].astype(str),
                 raw["Entity"].to_numpy(dtype=object)[keep], yr[keep].astype(np.int64),
                 val[keep], func, name, True, members_only, rows.skipped)


# --------------------------------------------------------------------------- the present, shown

#: Years of the README's concentration and ratio tables.
PRESENT_YEARS = (2000, 2010, 2022, 2023)


def present_day(data_dir: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """The README's present-day tables, computed on the shared World Bank and COW files.

    ``data_dir`` is the folder holding ``world_bank/wb_gdp_current_usd.csv``,
    ``world_bank/wb_population.csv`` and
    ``cow_nmc/nmc_v7_abridged_peacesciencer.csv`` (``../shared/data`` from the
    repository root). The readers' set-aside warnings are silenced here; their
    counts are in the ``set_aside`` table.

    Returns
    -------
    dict of DataFrame
        ``concentration``: CON and N_eff among COW's major powers in
        :data:`PRESENT_YEARS`, by GDP, net power and CINC (NMC v7 ends in 2022);
        ``ratio``: China/USA by each measure in those years; ``groups``: shares
        of the world's GDP (the sum over the states of the file) held by the G7,
        BRICS as constituted each year, the first five BRICS members and the
        nine members of 2024, each counted back to 1990; ``outlook``: P(China's
        GDP, or net power, exceeds the USA's in some year up to 2030 and 2035), by
        :func:`multipolar.project` from 2023 (100,000 paths, seed 2026, majors,
        calibrated on the last 25 years, and for GDP also on the last 10); ``set_aside``: rows and codes the readers set
        aside.
    """
    from .groups import BRICS, G7, Group, group_power
    from .io import read_nmc
    from .power import concentration, power_frame
    from .projection import project

    root = os.fspath(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        gdp = read_worldbank(os.path.join(root, "world_bank", "wb_gdp_current_usd.csv"))
        pop = read_worldbank(os.path.join(root, "world_bank", "wb_population.csv"))
        nmc = read_nmc(os.path.join(root, "cow_nmc", "nmc_v7_abridged_peacesciencer.csv"))
    frame = power_frame(gdp=gdp, population=pop, nmc=nmc)
    frame = frame[frame["year"] <= 2023]
    years = list(PRESENT_YEARS)
    conc = {}
    ratio = {}
    for m in ("gdp", "net_power", "cinc"):
        c = concentration(frame, value=m, among="majors").reindex(years)
        conc[(m, "con")] = c["con"]
        conc[(m, "n_eff")] = c["n_eff"]
        wide = frame.pivot(index="year", columns="ccode", values=m)
        ratio[m] = (wide[710] / wide[2]).reindex(years)
    five = Group("BRICS-5", {140: 1990, 365: 1990, 750: 1990, 710: 1990, 560: 1990})
    nine = Group("BRICS-2024", {c: 1990 for c in (140, 365, 750, 710, 560, 651, 530, 630, 696)})
    gp = group_power(frame[frame["year"].between(1990, 2023) & frame["gdp"].notna()],
                     [G7, BRICS, five, nine], value="gdp")
    groups = gp.pivot(index="year", columns="group", values="share")[
        ["G7", "BRICS", "BRICS-5", "BRICS-2024"]]
    outlook = {}
    for m, window in (("gdp", None), ("gdp", 10), ("net_power", None)):
        proj = project(frame[frame[m].notna()], value=m, years=12, paths=100_000, seed=2026,
                       pairs=[("CHN", "USA")], window=window)
        w0, w1 = proj._config.window
        outlook[f"{m} ({w0}-{w1})"] = proj.overtaking().loc["CHN>USA", "p_by"].loc[[2030, 2035]]
    aside = pd.DataFrame({
        name: {"aggregate rows": sum(r["aggregates"].values()),
               "aggregate codes": len(r["aggregates"]),
               "no-COW rows": sum(r["no_cow_code"].values()),
               "no-COW codes": len(r["no_cow_code"])}
        for name, r in (("gdp", gdp.attrs["set_aside"]), ("population", pop.attrs["set_aside"]))
    })
    return {
        "concentration": pd.DataFrame(conc, index=pd.Index(years, name="year")),
        "ratio": pd.DataFrame(ratio, index=pd.Index(years, name="year")),
        "groups": groups,
        "outlook": pd.DataFrame(outlook),
        "set_aside": aside,
    }


def present_day_text(data_dir: str | os.PathLike[str]) -> str:
    """The tables of :func:`present_day` as text, as the README shows them.

    The README command, from the repository root::

        python -c "import multipolar.worldbank as wb; print(wb.present_day_text('../shared/data'))"
    """
    tables = present_day(data_dir)
    groups = tables["groups"]
    shown = groups.loc[[y for y in groups.index if y % 5 == 0 or y in (2009, 2011, 2023)]]
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        return "\n\n".join([
            "CON and N_eff among COW's major powers (CINC: NMC v7, to 2022)",
            tables["concentration"].round(3).to_string(),
            "China / USA",
            tables["ratio"].round(3).to_string(),
            "Share of world GDP (sum over the states of the World Bank file)",
            shown.round(3).to_string(),
            "P(China ahead of the USA in some year up to ...), projected from 2023",
            tables["outlook"].round(3).to_string(),
            "Set aside by the readers",
            tables["set_aside"].to_string(),
        ])
