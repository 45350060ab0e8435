"""Power and polarity: national capability (CINC), concentration, poles, transitions.

The heavy work -- grouped shares and grouped concentration over millions of
state-years -- runs in C (``csrc/power.c``) with the GIL released; this module
validates frames, factorizes the grouping column and rewraps results.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import _core
from ._errors import InputError, call, restate
from ._validation import (
    check_unique,
    factorize,
    int_keys,
    require_columns,
    require_frame,
    resolve_states,
    value_array,
)
from .io import NMC_COMPONENTS

__all__ = [
    "cinc", "concentration", "polarity", "transition", "power_frame", "power_index",
    "CONCENTRATION_COLUMNS", "POWER_KINDS",
]

#: Output columns of :func:`concentration`, in order.
CONCENTRATION_COLUMNS = ("hhi", "con", "n_eff", "entropy", "gini", "top1", "top2", "n")


def _component_arrays(df: pd.DataFrame, cols: Sequence[str], func: str) -> tuple[np.ndarray, ...]:
    return tuple(value_array(df[col], func, col) for col in cols)


def _without_minus9(arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, ...] | None:
    """The arrays with COW's missing-value code -9 as NaN, or None if no array holds -9."""
    if not any(np.any(a == -9) for a in arrays):
        return None
    return tuple(np.where(a == -9, np.nan, a.astype(np.float64)) if np.any(a == -9) else a
                 for a in arrays)


def _whole_numbers(series: pd.Series, func: str, name: str) -> None:
    """A key column (ccode, year) must hold whole numbers: a year of 2000.5 is not a year of
    its own, and a missing ccode has no integer to become."""
    numeric = pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype)
    if not numeric or (pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans):
        return
    arr = series.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(arr) | (arr != np.round(arr)) | (np.abs(arr) >= 2.0**63)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = series.iloc[row]
        value = value.item() if isinstance(value, np.generic) else value
        rule = "not be missing" if pd.isna(value) else "hold whole numbers"
        raise InputError(
            f"{func}: column {name!r} must {rule}; got {value!r} at row {row}",
            function=func, argument=name, row=row, value=value,
        )


def cinc(df: pd.DataFrame, components: Sequence[str] = NMC_COMPONENTS) -> pd.Series:
    """Composite Index of National Capability, recomputed from its components.

    For each year t and component c (milex, milper, irst, pec, tpop, upop), a
    state's share is ``x_ic / sum_j x_jc`` where the sum runs over the states of
    year t whose component c is present. CINC is the mean of the state's shares
    over its present components::

        CINC_i = (1 / |C_i|) * sum_{c in C_i} x_ic / sum_{j: x_jc present} x_jc

    so a missing component leaves both the world total and the divisor. This is
    COW's rule and reproduces the ``cinc`` column of NMC v6.0 and v7.0 on every
    row (COW rounds to about 1e-8). Yearly sums are therefore not exactly 1.

    Parameters
    ----------
    df : DataFrame
        State-year frame with ``ccode``, ``year`` and the component columns, in
        any row order. NaN and COW's ``-9`` mean missing. Components may be
        float64/float32/int64/int32 (read as they are) or bool/8- and 16-bit
        integers/float16 (upcast).
    components : sequence of str
        Columns to combine; COW's six by default.

    Returns
    -------
    Series
        float64, named ``cinc``, aligned with ``df.index``. NaN where a row has
        no present component. A component whose year total is zero has no
        defined shares and counts as missing for that year.

    Raises
    ------
    ValueError
        Missing columns, a negative or infinite component (other than -9), a
        missing or fractional year or ccode (a float column must hold whole
        numbers), or duplicate (ccode, year) rows.
    TypeError
        ``df`` is not a DataFrame or a component is not numeric.

    References
    ----------
    Singer, J. D., Bremer, S., & Stuckey, J. (1972). Capability distribution,
    uncertainty, and major power war, 1820-1965. In B. Russett (Ed.), *Peace,
    War, and Numbers* (pp. 19-48). Sage.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode": [2, 365], "year": [2000, 2000],
    ...                    "milex": [3.0, 1.0], "milper": [1.0, 1.0]})
    >>> mp.cinc(df, components=["milex", "milper"]).round(3).tolist()
    [0.625, 0.375]
    """
    func = "cinc"
    require_frame(df, func)
    components = list(components)
    if not components:
        raise ValueError(f"{func}: components must name at least one column; got []")
    require_columns(df, ["ccode", "year", *components], func)
    for key in ("ccode", "year"):
        _whole_numbers(df[key], func, key)
    codes, keys = factorize(df["year"], func, "year", dense=False)
    check_unique(df, ("ccode", "year"), func)
    arrays = _component_arrays(df, components, func)
    ngroups = len(keys)
    names = {"components": list(components)}
    try:
        values = _core.group_shares(arrays, codes, ngroups)
    except ValueError as exc:
        # a negative value: COW's -9 (missing) is read as NaN and the pass run again,
        # so frames without -9 pay no extra pass over their columns
        fixed = _without_minus9(arrays)
        if fixed is None:
            raise restate(exc, func, names) from None
        values = call(func, _core.group_shares, fixed, codes, ngroups, names=names)
    return pd.Series(values, index=df.index, name="cinc")


def _derive(df: pd.DataFrame, value: str, func: str = "power_frame") -> pd.DataFrame:
    """``df`` with a derived measure added when it is asked for and absent: ``cinc`` from
    the six NMC components, ``gdp_per_capita`` and ``net_power`` from ``gdp`` and
    ``population`` (see :func:`power_frame`)."""
    if value in df.columns:
        return df
    if value == "cinc" and set(NMC_COMPONENTS) <= set(df.columns):
        return df.assign(cinc=cinc(df))
    if value in ("net_power", "gdp_per_capita") and {"gdp", "population"} <= set(df.columns):
        gdp = value_array(df["gdp"], func, "gdp").astype(np.float64)
        pop = value_array(df["population"], func, "population").astype(np.float64)
        per = _per_capita(gdp, pop)
        return df.assign(**{value: per if value == "gdp_per_capita" else gdp * per})
    return df


def _per_capita(gdp: np.ndarray, pop: np.ndarray) -> np.ndarray:
    """gdp / pop, NaN where the population is missing or not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pop > 0, gdp / np.where(pop > 0, pop, 1.0), np.nan)


def _warn_past_majors(years: np.ndarray, func: str, stacklevel: int) -> None:
    """Warn when a frame analysed with among='majors' reaches past COW's major-power list."""
    from .codes.tables import _MAJOR_EDGE

    finite = years[np.isfinite(years)] if years.dtype.kind == "f" else years
    if len(finite) and finite.max() > _MAJOR_EDGE.year:
        warnings.warn(
            f"{func}: the frame reaches {int(finite.max())}, past the end of COW's major-power "
            f"list ({_MAJOR_EDGE.year}); the majors of {_MAJOR_EDGE.year} count in every later year",
            UserWarning,
            stacklevel=stacklevel,
        )


def _among_mask(
    df: pd.DataFrame, among: object, by: str, func: str, codes: str = "cowabb",
    stacklevel: int = 5,
) -> np.ndarray | None:
    """Rows of ``df`` inside the set analysed, or None for all rows."""
    if among is None:
        return None
    require_columns(df, ["ccode"], func)
    ccode = df["ccode"].to_numpy()
    if isinstance(among, str):
        if among != "majors":
            raise ValueError(
                f"{func}: among must be None, 'majors' or a list of states; got {among!r}"
            )
        if by != "year":
            raise ValueError(f"{func}: among='majors' needs by='year'; got by={by!r}")
        from .codes import is_major
        from .datasets import demo_majors

        from .datasets import _STATES

        year = df["year"].to_numpy()
        # the list's end concerns COW states, not the demo world's
        _warn_past_majors(year[~np.isin(ccode, [st[0] for st in _STATES])], func, stacklevel)
        # the demo world's codes (1001-1012) are no COW codes: its own majors stand in
        return is_major(ccode, year) | np.isin(ccode, demo_majors())
    if not isinstance(among, (list, tuple, set, np.ndarray, pd.Index, pd.Series)):
        raise TypeError(
            f"{func}: among must be None, 'majors' or a list of states; got {among!r}"
        )
    wanted = resolve_states(list(among), func, "among", codes=codes, present=ccode)
    return np.isin(ccode, np.asarray(wanted, dtype=np.int64))


def _check_majors_found(
    df: pd.DataFrame, mask: np.ndarray, values: np.ndarray, gcodes: np.ndarray,
    keys: np.ndarray, func: str,
) -> None:
    """among='majors' that selects nothing is an error naming what to pass; years with
    values but none of a major are reported in a warning (their rows are empty)."""
    have = mask & ~np.isnan(np.asarray(values, dtype=np.float64))
    if len(df) and not have.any():
        codes = np.unique(df["ccode"].to_numpy())
        shown = ", ".join(str(c) for c in codes[:8]) + (", ..." if len(codes) > 8 else "")
        raise ValueError(
            f"{func}: among='majors' selects no state: the frame holds no COW major power "
            f"with a value (ccodes {shown}); pass among=None to analyse every state of the "
            f"frame, or among=[...] to name the set"
        )
    hit = np.bincount(gcodes[have], minlength=len(keys)) > 0
    # years with values but none of a major: empty because of among, not of the data
    valued = ~np.isnan(np.asarray(values, dtype=np.float64))
    seen = np.bincount(gcodes[valued], minlength=len(keys)) > 0
    empty = seen & ~hit
    if empty.any():
        yrs = np.asarray(keys)[empty]
        warnings.warn(
            f"{func}: among='majors' selects no state with a value in {int(empty.sum())} "
            f"year(s) ({yrs[0]}-{yrs[-1]}); those years are empty (NaN, n = 0); pass "
            f"among=None or among=[...] to analyse them",
            UserWarning,
            stacklevel=4,
        )


def concentration(
    df: pd.DataFrame,
    value: str = "cinc",
    by: str = "year",
    among: object = None,
    codes: str = "cowabb",
) -> pd.DataFrame:
    """Concentration of capability (or any non-negative value) per year.

    Within each group (year) the present values of the states analysed are
    renormalized to shares ``s_i = v_i / sum_j v_j`` over those N states, and:

    - ``hhi`` = sum s_i^2 (Herfindahl-Hirschman index)
    - ``con`` = sqrt((HHI - 1/N) / (1 - 1/N)), NaN for N < 2 (Ray & Singer 1973)
    - ``n_eff`` = 1 / HHI (Laakso & Taagepera 1979)
    - ``entropy`` = -sum s_i ln s_i, in nats (exp(entropy) is Hill's number of order 1)
    - ``gini`` = sum_i sum_j |s_i - s_j| / (2 N sum s), the population form
    - ``top1`` = largest share, ``top2`` = sum of the two largest (top1 when N = 1)
    - ``n`` = N, the number of states with a value

    Parameters
    ----------
    df : DataFrame
        Long frame with ``value``, ``by`` and (for ``among`` or the duplicate
        check) ``ccode`` columns, any row order.
    value : str
        Column to analyse, e.g. ``"gdp"``, ``"net_power"`` or ``"milex"`` of a
        :func:`power_frame`. ``"cinc"`` is recomputed from the six components
        when the frame has no ``cinc`` column; ``"net_power"`` and
        ``"gdp_per_capita"`` from ``gdp`` and ``population`` likewise.
    by : str
        Grouping column, ``"year"`` by default.
    among : None, "majors" or list of states
        None: every row with a value. ``"majors"``: COW major powers of that year
        (a state counts in any year a major-power spell covers), and the demo
        world's majors (:func:`multipolar.datasets.demo_majors`) for its codes.
        COW's list (v2024) ends on 2024-12-31; the states on it then (USA, UK,
        France, Germany, Russia, China, Japan) stay majors in every later year
        and no state joins or leaves after 2024: a frame reaching past 2024
        gets a UserWarning saying so. A frame in which ``"majors"`` selects no
        state with a value raises a ValueError (pass ``among=None`` or a
        list); years that have values but none of a major are reported in a
        UserWarning.
        A list: these states (ints are COW ccodes, or any code the frame
        uses; strings COW abbreviations).
    codes : str
        Code system of the strings in ``among``: ``"cowabb"`` (default),
        ``"iso3"``, ``"iso2"``, ``"cameo"``, ``"name"``, or ``"gw"`` (then ints
        are Gleditsch-Ward numbers). The frame itself is keyed by COW ccode.

    Returns
    -------
    DataFrame
        Indexed by the sorted distinct values of ``by`` in ``df``, columns
        ``hhi, con, n_eff, entropy, gini, top1, top2`` (float64) and ``n``
        (int64). A group with no present value, or a zero total, has NaN in
        every column but ``n``. NaN values are left out of N.

    Raises
    ------
    ValueError
        Missing columns, negative or infinite values, missing group keys,
        duplicate (ccode, year) rows, unknown states in ``among``, or
        ``among="majors"`` on a frame with no major power.

    References
    ----------
    Ray, J. L., & Singer, J. D. (1973). Measuring the concentration of power in
    the international system. *Sociological Methods & Research*, 1(4), 403-437.
    Laakso, M., & Taagepera, R. (1979). "Effective" number of parties.
    *Comparative Political Studies*, 12(1), 3-27.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"year": [1, 1, 2], "x": [1.0, 1.0, 5.0]})
    >>> mp.concentration(df, value="x")[["hhi", "con", "n"]]
          hhi  con  n
    year
    1     0.5  0.0  2
    2     1.0  NaN  1
    """
    return _concentration(df, value, by, among, codes, "concentration")


def _concentration(
    df: pd.DataFrame, value: str, by: str, among: object, codes: str, func: str
) -> pd.DataFrame:
    """:func:`concentration`, with errors naming ``func``."""
    require_frame(df, func)
    df = _derive(df, value, func)
    require_columns(df, [value, by], func)
    if "ccode" in df.columns and by == "year":
        check_unique(df, ("ccode", "year"), func)
    gcodes, keys = factorize(df[by], func, by, dense=False)
    values = value_array(df[value], func, value)
    mask = _among_mask(df, among, by, func, codes)
    if isinstance(among, str) and mask is not None:
        _check_majors_found(df, mask, values, gcodes, keys, func)
    ngroups = len(keys)
    present = np.bincount(gcodes, minlength=ngroups) > 0 if len(keys) > len(gcodes) // 4 else None
    if mask is not None:
        values, sub_codes = values[mask], gcodes[mask]
    else:
        sub_codes = gcodes
    res = call(func, _core.group_concentration, values, sub_codes, ngroups,
               names={"values": f"column {value!r}"},
               rows=np.flatnonzero(mask) if mask is not None else None)
    out = pd.DataFrame(res, index=pd.Index(keys, name=by), columns=list(CONCENTRATION_COLUMNS))
    out["n"] = out["n"].astype(np.int64)
    if present is None:
        present = np.bincount(gcodes, minlength=ngroups) > 0
    if not present.all():
        out = out[present]
    return out


def polarity(
    df: pd.DataFrame,
    value: str = "cinc",
    among: object = "majors",
    threshold: float = 0.15,
    unipolar: float | None = None,
    codes: str = "cowabb",
) -> pd.DataFrame:
    """Poles and a polarity label per year, by a documented share rule.

    The literature fixes no threshold, so both are parameters. Shares are
    renormalized within the set analysed (by default the COW major powers of the
    year). A state is a *pole* if its share is at least ``threshold``; the
    leading state always is one. The label is ``"unipolar"`` with one pole (or,
    when ``unipolar`` is given, whenever the leader's share is at least that),
    ``"bipolar"`` with two poles and ``"multipolar"`` with three or more.

    **The label depends on the measure.** With the defaults (majors,
    threshold 0.15) the labels of the same years differ by power measure
    (counts of years, from the data in ``../shared/data``):

    ==========================================  ==============================  ==============================
    measure                                     1946-1989                       1990-2022
    ==========================================  ==============================  ==============================
    CINC (COW NMC v7)                           multipolar 38, bipolar 6        bipolar 31 (USA, China), multipolar 2
    military spending (NMC ``milex``)           bipolar 43, multipolar 1        unipolar 24, bipolar 9
    GDP (World Bank, from 1960; no USSR row)    unipolar 27, bipolar 3          bipolar 28, unipolar 3, multipolar 2
    net power, GDP x GDP per capita (Beckley)   unipolar 28, bipolar 2          bipolar 19, unipolar 14
    ==========================================  ==============================  ==============================

    CINC counts China's population and heavy industry, which make China a
    pole through the Cold War and the USA's peer after 1995; military
    spending gives the Cold War bipolarity and a unipolar 1990s-2000s; the
    World Bank has no Soviet GDP, so its Cold War labels are the USA against
    the other majors only. Report the measure with the label, and compare
    measures (``value="milex"``, ``"gdp"``, ``"net_power"``) before reading
    a polarity off one of them.

    Parameters
    ----------
    df : DataFrame
        State-year frame with ``ccode``, ``year`` and ``value``.
    value : str
        Capability column (``cinc`` by default, recomputed if absent), or any
        measure of a :func:`power_frame` (``"gdp"``, ``"net_power"``, ...).
    among : "majors", None or list of states
        As in :func:`concentration` (including what happens past 2024).
    codes : str
        Code system of the strings in ``among``, as in :func:`concentration`.
    threshold : float
        Minimum share of a pole, in (0, 1]; default 0.15 (our choice: with COW's
        CINC it separates the US and China from the other majors after 2000).
    unipolar : float or None
        Optional leader share in (0, 1] at or above which the system counts as
        unipolar whatever the other poles hold (e.g. 0.5, a majority of the
        set's capability). None (default): the label follows the pole count.

    Returns
    -------
    DataFrame
        Indexed by year: ``n_poles`` (int64), ``poles`` (tuple of ccodes, largest
        share first), ``top_share`` (float64) and ``label``. Years with no state
        analysed have 0 poles, an empty tuple and label ``None``.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode": [2, 365, 710], "year": 2000,
    ...                    "x": [0.4, 0.1, 0.5]})
    >>> mp.polarity(df, value="x", among=None)[["n_poles", "poles", "label"]]
          n_poles       poles    label
    year
    2000        2  (710, 2)  bipolar
    """
    func = "polarity"
    require_frame(df, func)
    for name, v in (("threshold", threshold), ("unipolar", unipolar)):
        if name == "unipolar" and v is None:
            continue
        if not (isinstance(v, (int, float)) and 0 < v <= 1):
            raise ValueError(f"{func}: {name} must be in (0, 1]; got {v!r}")
    df = _derive(df, value, func)
    require_columns(df, ["ccode", "year", value], func)
    conc = _concentration(df, value, "year", among, codes, func)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the past-the-list warning was given once above
        mask = _among_mask(df, among, "year", func, codes)
    sub = df.loc[mask if mask is not None else slice(None), ["ccode", "year", value]]
    sub = sub[sub[value].notna()]
    total = sub.groupby("year")[value].transform("sum")
    sub = sub.assign(share=np.where(total > 0, sub[value] / total.where(total > 0, 1.0), np.nan))
    sub = sub.sort_values(["year", "share", "ccode"], ascending=[True, False, True])
    rank = sub.groupby("year").cumcount()
    is_pole = (sub["share"] >= threshold) | ((rank == 0) & sub["share"].notna())
    poles = sub[is_pole.to_numpy()].groupby("year")["ccode"].agg(lambda s: tuple(int(c) for c in s))
    out = pd.DataFrame(index=conc.index)
    out["poles"] = poles.reindex(out.index)
    out["poles"] = [p if isinstance(p, tuple) else () for p in out["poles"]]
    out["n_poles"] = np.array([len(p) for p in out["poles"]], dtype=np.int64)
    out["top_share"] = conc["top1"]
    labels = np.where(
        out["n_poles"] == 0,
        None,
        np.where(
            (out["n_poles"] == 1)
            | ((out["top_share"] >= unipolar) if unipolar is not None else False),
            "unipolar",
            np.where(out["n_poles"] == 2, "bipolar", "multipolar"),
        ),
    )
    out["label"] = pd.Series(labels, index=out.index, dtype=object)
    return out[["n_poles", "poles", "top_share", "label"]]


def transition(
    df: pd.DataFrame,
    a: int | str,
    b: int | str,
    value: str = "cinc",
    parity: tuple[float, float] = (0.8, 1.25),
    codes: str = "cowabb",
    min_years: int = 2,
) -> pd.DataFrame:
    """Power-transition view of one dyad: capability ratio, parity, overtaking.

    After Organski & Kugler (1980), a dyad is at *parity* when the challenger's
    capability is within a band of the dominant state's; the band is a
    parameter (default 0.8-1.25, a common operationalization, e.g. Lemke &
    Kugler 1996). ``ratio = value_a / value_b``; ``ahead`` is the state with
    the larger value that year (ties keep the previous one, or ``a``).

    **Persistence.** A one-year dip is not an overtaking: China's CINC fell
    to 0.999 of the USA's in 2002 and was back ahead in 2003. The ``leader``
    changes only when the other state is ahead in ``min_years`` consecutive
    observed years; ``overtake`` is True in the first year of such a run.
    Default 2 (our choice: it sets aside single-year reversals, which in
    annual capability data are as likely a revision or a one-off swing of one
    component as a change of rank, while a change lasting two years is
    counted from its first year, and only the last year of the data stays
    unconfirmed). ``min_years=1`` is the plain rule (every change of
    ``ahead``). A run still shorter than ``min_years`` at the end of the data
    shows in ``ahead`` but not (yet) in ``leader``. The first ``leader`` is
    the state ahead in the first year.

    ``growth_diff`` is the difference of the two states' log growth rates
    from the previous observed year (a minus b).

    Parameters
    ----------
    df : DataFrame
        State-year frame with ``ccode``, ``year`` and ``value``.
    a, b : int or str
        The two states: an int is a COW ccode (or any code the frame uses); a
        string is the frame's own ``stateabb`` if it has that column (a demo
        world's "KSH"), else a COW abbreviation, ISO3 or ISO2 code or English
        name, tried in that order ("UKG", "GBR", "GB", "United Kingdom").
    value : str
        Capability column (``cinc`` by default, recomputed if absent), or any
        measure of a :func:`power_frame` (``"gdp"``, ``"net_power"``, ...).
    parity : (float, float)
        Lower and upper ratio bounds of the parity band, 0 < lo <= 1 <= hi.
    codes : str
        Code system of a string ``a`` or ``b`` (default COW abbreviations,
        then the fall-backs above; any other system reads strings in it
        only: ``codes="iso3"`` makes "AUS" Australia), as in :func:`concentration`.
    min_years : int
        Consecutive observed years (>= 1) a state must be ahead for the
        leadership to change (see above).

    Returns
    -------
    DataFrame
        Indexed by the years in which both states have a value: ``ratio``,
        ``parity`` (bool), ``ahead`` (ccode), ``leader`` (ccode), ``overtake``
        (bool), ``growth_diff``.

    References
    ----------
    Organski, A. F. K., & Kugler, J. (1980). *The War Ledger*. University of
    Chicago Press.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode": [2, 710] * 4, "year": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                    "x": [2.0, 1.0, 2.0, 3.0, 2.0, 1.5, 2.0, 2.5]})
    >>> mp.transition(df, 710, 2, value="x")[["ratio", "ahead", "leader", "overtake"]]
          ratio  ahead  leader  overtake
    year
    1      0.50      2       2     False
    2      1.50    710       2     False
    3      0.75      2       2     False
    4      1.25    710       2     False
    >>> mp.transition(df, 710, 2, value="x", min_years=1)["overtake"].tolist()
    [False, True, True, True]
    """
    func = "transition"
    require_frame(df, func)
    if (isinstance(parity, (str, bytes)) or not hasattr(parity, "__len__") or len(parity) != 2
            or not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in parity)):
        raise TypeError(f"{func}: parity must be a (lo, hi) pair of numbers; got {parity!r}")
    lo, hi = parity
    if isinstance(min_years, bool) or not isinstance(min_years, numbers.Integral) or min_years < 1:
        raise ValueError(f"{func}: min_years must be an integer >= 1; got {min_years!r}")
    if not (0 < lo <= 1 <= hi):
        raise ValueError(f"{func}: parity must satisfy 0 < lo <= 1 <= hi; got {parity!r}")
    df = _derive(df, value, func)
    require_columns(df, ["ccode", "year", value], func)
    # the frame's own abbreviations (a synthetic world's "KSH") come first
    own = (df["stateabb"].to_numpy(), df["ccode"].to_numpy()) if "stateabb" in df.columns else None
    ca, cb = resolve_states(
        [a, b], func, "a or b", codes=codes, present=df["ccode"].to_numpy(), labels=own
    ).tolist()
    if ca == cb:
        raise ValueError(f"{func}: a and b must be different states; got {a!r} and {b!r}")
    check_unique(df, ("ccode", "year"), func)
    vals = value_array(df[value], func, value)
    series = {}
    for code, arg in ((ca, a), (cb, b)):
        rows = df["ccode"].to_numpy() == code
        if not rows.any():
            raise ValueError(f"{func}: state {arg!r} has no rows in df")
        series[code] = pd.Series(vals[rows].astype(np.float64), index=df["year"].to_numpy()[rows])
    both = pd.DataFrame({"a": series[ca], "b": series[cb]}).dropna().sort_index()
    both.index.name = "year"
    ratio = both["a"] / both["b"]
    ahead = []
    prev = ca
    for va, vb in zip(both["a"].to_numpy(), both["b"].to_numpy()):
        if va > vb:
            prev = ca
        elif vb > va:
            prev = cb
        ahead.append(prev)
    ahead_arr = np.asarray(ahead, dtype=np.int64)
    leader_arr = ahead_arr.copy()
    overtake = np.zeros(len(ahead_arr), dtype=bool)
    for i in range(1, len(ahead_arr)):
        cur = leader_arr[i - 1]
        run = ahead_arr[i:i + int(min_years)]
        # the other state takes the lead only if it stays ahead min_years years
        if ahead_arr[i] != cur and len(run) == min_years and (run == ahead_arr[i]).all():
            leader_arr[i] = ahead_arr[i]
            overtake[i] = True
        else:
            leader_arr[i] = cur
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.log(both).diff()
    return pd.DataFrame(
        {
            "ratio": ratio,
            "parity": ((ratio >= lo) & (ratio <= hi)).to_numpy(),
            "ahead": ahead_arr,
            "leader": leader_arr,
            "overtake": overtake,
            "growth_diff": (growth["a"] - growth["b"]).to_numpy(),
        },
        index=both.index,
    )


# --------------------------------------------------------------------------- other measures

#: The measures of :func:`power_index`: kind -> the column of a :func:`power_frame` it reads.
POWER_KINDS = {"gdp": "gdp", "net_power": "net_power", "milex": "milex", "cinc": "cinc"}

def _source_frame(obj: object, name: str, func: str) -> pd.DataFrame:
    """One source as a (ccode, year, <name>) frame: its ``value`` column, or its ``name`` one."""
    src = require_frame(obj, func, name)
    col = "value" if "value" in src.columns else name
    require_columns(src, ["ccode", "year", col], func, name)
    c = int_keys(src["ccode"], func, "ccode")
    y = int_keys(src["year"], func, "year")
    check_unique([c, y], ("ccode", "year"), func, name)
    v = value_array(src[col], func, col).astype(np.float64)
    bad = (v < 0) | np.isinf(v)
    if bad.any():
        raise ValueError(
            f"{func}: {name} must be finite and non-negative; got {v[bad][0]!r} for ccode "
            f"{int(c[bad][0])} in {int(y[bad][0])}"
        )
    return pd.DataFrame({"ccode": c, "year": y, name: v})


def power_frame(
    gdp: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    milex: pd.DataFrame | None = None,
    nmc: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Join power sources into one state-year frame, one column per measure.

    Each source is a state-year frame with ``ccode``, ``year`` and a ``value``
    column (as :func:`multipolar.read_worldbank` and
    :func:`multipolar.read_owid` return them) or a column named after the
    source. The result has the union of their state-years (a measure is NaN
    where its source has no row) and the columns:

    - ``gdp``, ``population``, ``milex``: the sources as given (units as in
      the files: current US dollars, persons, the military-spending source's);
    - ``gdp_per_capita`` = gdp / population (NaN where the population is
      missing or 0), with both ``gdp`` and ``population``;
    - ``net_power`` = gdp x gdp_per_capita = gdp^2 / population, Beckley's
      (2018) net power, with both ``gdp`` and ``population``;
    - ``cinc``: from ``nmc`` (its ``cinc`` column, or recomputed from the six
      components by :func:`cinc`), only the years NMC covers.

    These frames work wherever a capability column is asked for:
    :func:`concentration`, :func:`polarity`, :func:`transition`,
    :func:`multipolar.group_power` and :func:`multipolar.project` take
    ``value="gdp"`` or ``value="net_power"`` as they take ``value="cinc"``.

    Parameters
    ----------
    gdp, population, milex : DataFrame, optional
        Sources keyed by COW ccode and year.
    nmc : DataFrame, optional
        A COW NMC frame (:func:`multipolar.read_nmc`).

    Returns
    -------
    DataFrame
        ``ccode, year`` (int64) and the measures (float64), sorted by ccode and
        year. ``attrs["set_aside"]`` maps each source name to its reader's
        report, where the source carried one.

    Raises
    ------
    ValueError
        No source, missing columns, duplicate (ccode, year) rows, a negative or
        infinite value.
    TypeError
        A source that is not a DataFrame, non-numeric values.

    References
    ----------
    Beckley, M. (2018). The power of nations: Measuring what matters.
    *International Security*, 43(2), 7-44.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> gdp = pd.DataFrame({"ccode": [2, 710], "year": 2023, "value": [27.0, 18.0]})
    >>> pop = pd.DataFrame({"ccode": [2, 710], "year": 2023, "value": [0.3, 1.4]})
    >>> mp.power_frame(gdp=gdp, population=pop)[["ccode", "gdp", "net_power"]].round(1)
       ccode   gdp  net_power
    0      2  27.0     2430.0
    1    710  18.0      231.4
    """
    func = "power_frame"
    given = {k: v for k, v in (("gdp", gdp), ("population", population), ("milex", milex))
             if v is not None}
    if not given and nmc is None:
        raise ValueError(f"{func}: give at least one of gdp, population, milex, nmc; got none")
    parts = [_source_frame(src, name, func) for name, src in given.items()]
    if nmc is not None:
        require_frame(nmc, func, "nmc")
        frame = _derive(nmc, "cinc", func)
        require_columns(frame, ["ccode", "year", "cinc"], func, "nmc")
        parts.append(_source_frame(frame[["ccode", "year", "cinc"]], "cinc", func))
    out = parts[0]
    for part in parts[1:]:
        out = out.merge(part, on=["ccode", "year"], how="outer")
    if "gdp" in given and "population" in given:
        gdp_v = out["gdp"].to_numpy(np.float64)
        per = _per_capita(gdp_v, out["population"].to_numpy(np.float64))
        out["gdp_per_capita"] = per
        out["net_power"] = gdp_v * per
    out = out.sort_values(["ccode", "year"], kind="stable").reset_index(drop=True)
    out.attrs["set_aside"] = {name: src.attrs["set_aside"] for name, src in given.items()
                              if "set_aside" in src.attrs}
    return out


def power_index(
    df: pd.DataFrame,
    kind: str = "gdp",
    *,
    among: object = None,
    codes: str = "cowabb",
) -> pd.Series:
    """A state's share of a power measure among the states of its year.

    For year t and the states i of the set analysed with a value x_it::

        index_it = x_it / sum_j x_jt

    with x, by ``kind``:

    - ``"gdp"``: GDP (share of world GDP when every state is in the frame);
    - ``"net_power"``: Beckley's (2018) net power, GDP x GDP per capita, which
      discounts GDP produced by large, poor populations (computed from ``gdp``
      and ``population`` when the column is absent);
    - ``"milex"``: military spending (e.g. SIPRI's, via :func:`multipolar.read_owid`);
    - ``"cinc"``: the Composite Index of National Capability (Singer, Bremer &
      Stuckey 1972), already a share of six component shares: returned as COW
      computes it (the ``cinc`` column, or :func:`cinc` of the components),
      renormalized only when ``among`` narrows the set.

    Parameters
    ----------
    df : DataFrame
        State-year frame with ``ccode``, ``year`` and the measure's column
        (a :func:`power_frame`).
    kind : {"gdp", "net_power", "milex", "cinc"}
        The measure.
    among : None, "majors" or list of states
        The set the shares are taken in, as in :func:`concentration`; rows
        outside it get NaN.
    codes : str
        Code system of the strings in ``among``.

    Returns
    -------
    Series
        float64, aligned with ``df.index``, named ``"<kind>_share"`` (``"cinc"``
        for CINC over all states). NaN where the row has no value, is outside
        ``among``, or its year's total is 0.

    Raises
    ------
    ValueError
        Unknown ``kind``, missing columns, duplicate (ccode, year) rows,
        negative or infinite values.

    References
    ----------
    Beckley, M. (2018). The power of nations: Measuring what matters.
    *International Security*, 43(2), 7-44.
    Singer, J. D., Bremer, S., & Stuckey, J. (1972). Capability distribution,
    uncertainty, and major power war, 1820-1965. In B. Russett (Ed.), *Peace,
    War, and Numbers* (pp. 19-48). Sage.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode": [2, 710, 365], "year": 2023,
    ...                    "gdp": [27.0, 18.0, 2.0], "population": [0.3, 1.4, 0.1]})
    >>> mp.power_index(df, "gdp").round(3).tolist()
    [0.574, 0.383, 0.043]
    >>> mp.power_index(df, "net_power").round(3).tolist()
    [0.9, 0.086, 0.015]
    """
    func = "power_index"
    require_frame(df, func)
    if kind not in POWER_KINDS:
        raise ValueError(f"{func}: kind must be one of {list(POWER_KINDS)}; got {kind!r}")
    col = POWER_KINDS[kind]
    df = _derive(df, col, func)
    require_columns(df, ["ccode", "year", col], func)
    check_unique(df, ("ccode", "year"), func)
    if kind == "cinc" and among is None:
        return pd.Series(value_array(df[col], func, col).astype(np.float64), index=df.index,
                         name="cinc")
    mask = _among_mask(df, among, "year", func, codes, stacklevel=4)
    gcodes, keys = factorize(df["year"], func, "year", dense=False)
    values = value_array(df[col], func, col)
    rows = None
    if mask is not None:
        rows = np.flatnonzero(mask)
        values, gcodes = values[mask], gcodes[mask]
    shares = call(func, _core.group_shares, (values,), gcodes, len(keys),
                  names={"components": [col]}, rows=rows)
    out = np.full(len(df), np.nan)
    out[rows if rows is not None else slice(None)] = shares
    return pd.Series(out, index=df.index, name=f"{kind}_share")
