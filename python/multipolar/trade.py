"""Economic interdependence: dyadic trade dependence, asymmetry, partners.

All functions take a dyad-year trade frame as :func:`multipolar.read_trade`
returns it for the Correlates of War Trade v4.0 dyadic file: one row per
directed dyad-year (``ccode1, ccode2, year``) with ``flow1`` = imports of
``ccode1`` from ``ccode2`` and ``flow2`` = imports of ``ccode2`` from
``ccode1`` (and COW's smoothed ``smoothflow1, smoothflow2``).

The work is a handful of vectorized NumPy passes: states and years are mapped
to small dense codes, each directed dyad-year gets an integer key, mirror rows
are found through a dense position table (or a sort when the key space is
large), and per state-year totals come from ``numpy.bincount``. On the full
1.35M-row COW file this is several times faster than the idiomatic pandas
``groupby``/``merge`` way (``benchmarks/bench_trade.py``), so there is no C
kernel for this family.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validation import (
    _is_int,
    duplicate_error,
    factorize,
    int_keys,
    require_columns,
    require_frame,
    resolve_states,
    value_array,
    years,
)

__all__ = [
    "DEPENDENCE_COLUMNS",
    "TradeDataWarning",
    "dependence",
    "dependence_matrix",
    "partner_concentration",
    "partners",
]

#: Output columns of :func:`dependence`, in order.
DEPENDENCE_COLUMNS = ("ccode1", "ccode2", "year", "trade", "share", "asymmetry")

# Dense position tables are used while they stay within this many slots per
# input row (plus a constant); beyond that, keys are matched by sorting.
_DENSE_SLOTS_PER_ROW = 8
_DENSE_SLOTS_MIN = 1 << 20
#: Key columns of a dyad-year trade frame.
_KEYS = ("ccode1", "ccode2", "year")


class TradeDataWarning(UserWarning):
    """Rows of a trade frame were counted as zero or left out.

    A subclass of ``UserWarning``, so ``warnings.simplefilter("ignore",
    multipolar.trade.TradeDataWarning)`` silences it without hiding other
    warnings.
    """


# ---- input normalisation ----------------------------------------------------


def _flow(series: pd.Series, func: str, name: str) -> np.ndarray:
    """A flow column as float64 with COW's -9 turned into NaN; negative or infinite values raise."""
    arr = value_array(series, func, name).astype(np.float64)
    arr = np.where(arr == -9, np.nan, arr)
    bad = (arr < 0) | np.isinf(arr)
    if bad.any():
        raise ValueError(
            f"{func}: column {name!r} must be finite and non-negative (or -9/NaN for missing); "
            f"got {arr[bad][0]!r}"
        )
    return arr


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den > 0``, NaN elsewhere (no trade, no share), without warnings."""
    pos = den > 0
    with np.errstate(invalid="ignore", divide="ignore"):  # inf / inf in a user's values
        return np.where(pos, num / np.where(pos, den, 1.0), np.nan)


# ---- the dyad table -----------------------------------------------------------


@dataclass
class _DyadTable:
    """Directed dyad-years with trade, shares and mirror positions, sorted by (ccode1, ccode2, year).

    ``a``, ``b`` index ``states``; ``yc`` indexes ``years``; ``mirror[k]`` is the
    row of the reversed dyad. ``n_one`` counts input rows missing one
    direction, ``n_both`` rows missing both (left out), ``n_mirrored`` rows
    added because the reversed dyad was absent.
    """

    states: np.ndarray
    years: np.ndarray
    a: np.ndarray
    b: np.ndarray
    yc: np.ndarray
    trade: np.ndarray
    share: np.ndarray
    mirror: np.ndarray
    total: np.ndarray  # per (year code * S + state code): the state's dyadic trade that year
    n_one: int
    n_both: int
    n_mirrored: int

    @property
    def ccode1(self) -> np.ndarray:
        return self.states[self.a]

    @property
    def ccode2(self) -> np.ndarray:
        return self.states[self.b]

    @property
    def year(self) -> np.ndarray:
        return self.years[self.yc]

    def warn(self, func: str, stacklevel: int = 3) -> None:
        """Report rows counted as zero or left out, if any."""
        if self.n_one or self.n_both:
            warnings.warn(
                f"{func}: {self.n_one} row(s) miss one direction of trade (counted as 0); "
                f"{self.n_both} row(s) miss both directions (left out)",
                TradeDataWarning,
                stacklevel=stacklevel,
            )


def _dyad_table(
    trade: pd.DataFrame,
    func: str,
    *,
    year: object = None,
    smoothed: bool = False,
    state: int | None = None,
) -> _DyadTable:
    """Validate a trade frame and compute trade, shares and mirrors of every directed dyad-year.

    With ``state``, only the dyads that involve that ccode are kept (its own
    shares are exact, since they need only its own dyads).
    """
    require_frame(trade, func, "trade")
    if not isinstance(smoothed, (bool, np.bool_)):
        raise TypeError(f"{func}: smoothed must be True or False; got {smoothed!r}")
    cols = ("smoothflow1", "smoothflow2") if smoothed else ("flow1", "flow2")
    require_columns(trade, ["ccode1", "ccode2", "year", *cols], func, "trade")
    c1 = int_keys(trade["ccode1"], func, "ccode1")
    c2 = int_keys(trade["ccode2"], func, "ccode2")
    y = int_keys(trade["year"], func, "year")
    f1 = _flow(trade[cols[0]], func, cols[0])
    f2 = _flow(trade[cols[1]], func, cols[1])

    keep = None
    if year is not None:
        keep = np.isin(y, years(year, func))
    if state is not None:
        involved = (c1 == state) | (c2 == state)
        keep = involved if keep is None else keep & involved
    if keep is not None:
        c1, c2, y, f1, f2 = c1[keep], c2[keep], y[keep], f1[keep], f2[keep]

    same = c1 == c2
    if same.any():
        k = int(np.flatnonzero(same)[0])
        raise ValueError(
            f"{func}: trade has rows whose ccode1 equals ccode2; got {int(same.sum())} such "
            f"row(s), e.g. ({int(c1[k])}, {int(c2[k])}, {int(y[k])})"
        )
    m1 = np.isnan(f1)
    m2 = np.isnan(f2)
    both = m1 & m2
    n_one = int(np.count_nonzero(m1 ^ m2))
    n_both = int(np.count_nonzero(both))
    t = np.where(m1, 0.0, f1) + np.where(m2, 0.0, f2)

    # Dense codes for states (both columns) and years; a directed dyad-year's
    # key orders rows by (ccode1, ccode2, year), the order of COW's files.
    n = len(c1)
    codes, states = factorize(np.concatenate([c1, c2]), func, "ccode", dtype=np.int64)
    a, b = codes[:n], codes[n:]
    yc, yrs = factorize(y, func, "year", dtype=np.int64)
    S, Y = len(states), len(yrs)
    K = Y * S * S
    if K >= 2**62:
        raise ValueError(f"{func}: trade has too many distinct states and years; got {S} and {Y}")
    key = (a * S + b) * Y + yc
    mkey = (b * S + a) * Y + yc
    is_sorted = n < 2 or bool(np.all(key[1:] > key[:-1]))

    # Duplicates are checked before rows missing both directions leave, so the
    # rule does not depend on missingness; mirrors are then found among the
    # rows that stay.
    dense = K <= _DENSE_SLOTS_PER_ROW * n + _DENSE_SLOTS_MIN
    idx = np.arange(n, dtype=np.int64)
    if dense:
        pos = np.full(K, -1, dtype=np.int64)
        pos[key] = idx
        # A repeated key leaves only its last row in the table.
        repeated = not is_sorted and bool((pos[key] != idx).any())
    else:
        order = idx if is_sorted else np.argsort(key, kind="stable")
        sk = key[order]
        repeated = bool((sk[1:] == sk[:-1]).any())
    if repeated:
        duplicate_error([c1, c2, y], _KEYS, func, "trade")
    if dense:
        if n_both:
            pos[key[both]] = -1
        mirror = pos[mkey]
    else:
        live = ~both[order]
        order, sk = order[live], sk[live]
        j = np.searchsorted(sk, mkey)
        jc = np.minimum(j, max(len(sk) - 1, 0))
        found = (j < len(sk)) & (sk[jc] == mkey) if len(sk) else np.zeros(n, dtype=bool)
        mirror = np.where(found, order[jc] if len(sk) else 0, -1)

    if n_both:
        live = ~both
        remap = np.cumsum(live) - 1
        a, b, yc, t, key, mkey = a[live], b[live], yc[live], t[live], key[live], mkey[live]
        mirror = mirror[live]
        mirror = np.where(mirror >= 0, remap[np.maximum(mirror, 0)], -1)
        n = len(a)

    # Rows whose reversed dyad is absent get a mirror row with the flows swapped
    # (so an undirected frame, each dyad once, works too).
    lone = np.flatnonzero(mirror < 0)
    n_add = len(lone)
    if n_add:
        is_sorted = False
        new = n + np.arange(n_add, dtype=np.int64)
        mirror = mirror.copy()
        mirror[lone] = new
        a, b = np.concatenate([a, b[lone]]), np.concatenate([b, a[lone]])
        yc = np.concatenate([yc, yc[lone]])
        t = np.concatenate([t, t[lone]])
        key = np.concatenate([key, mkey[lone]])
        mirror = np.concatenate([mirror, lone])
    n_all = len(a)

    # Sort by (ccode1, ccode2, year): the key order.
    if not is_sorted:
        if dense:
            pos[:] = -1  # reuse the table
            pos[key] = np.arange(n_all, dtype=np.int64)
            order = pos[pos >= 0]
        else:
            order = np.argsort(key, kind="stable")
        inv = np.empty(n_all, dtype=np.int64)
        inv[order] = np.arange(n_all, dtype=np.int64)
        a, b, yc, t = a[order], b[order], yc[order], t[order]
        mirror = inv[mirror[order]]

    grp = yc * S + a
    total = np.bincount(grp, weights=t, minlength=Y * S)
    denom = total[grp]
    share = _ratio(t, denom)
    return _DyadTable(
        states=states, years=yrs, a=a, b=b, yc=yc, trade=t, share=share, mirror=mirror,
        total=total, n_one=n_one, n_both=n_both, n_mirrored=n_add,
    )


# ---- public functions ------------------------------------------------------------


def dependence(
    trade: pd.DataFrame,
    *,
    year: int | Iterable[int] | None = None,
    smoothed: bool = False,
) -> pd.DataFrame:
    """Trade dependence of every directed dyad-year: trade, share and asymmetry.

    For states i, j in year t, with ``flow1`` = imports of i from j and
    ``flow2`` = imports of j from i (the row of (i, j))::

        trade_ij = flow1 + flow2
        share_ij = trade_ij / sum_k trade_ik          (k over i's dyads that year)
        asymmetry_ij = share_ij - share_ji

    ``share_ij`` is the weight of j in i's dyadic trade (Barbieri 1996's
    "salience" components; the trade-share measure of dependence in Oneal &
    Russett 1997 divides by GDP instead). ``asymmetry_ij > 0`` means i depends
    more on j than j on i; it is antisymmetric: ``asymmetry_ji = -asymmetry_ij``.

    Parameters
    ----------
    trade : DataFrame
        Directed dyad-year frame (see :func:`multipolar.read_trade`) with
        ``ccode1, ccode2, year, flow1, flow2`` (``smoothflow1, smoothflow2`` with
        ``smoothed=True``), any row order, extra columns ignored. NaN and COW's
        ``-9`` are missing. Each row's trade is its own ``flow1 + flow2``; a dyad
        present only in one order (COW's undirected layout) gets the reversed
        row with the flows swapped.
    year : int or list of int, optional
        Only these years (default: all).
    smoothed : bool, default False
        Use COW's smoothed flows ``smoothflow1 + smoothflow2``.

    Returns
    -------
    DataFrame
        Columns ``ccode1, ccode2, year`` (int64), ``trade, share, asymmetry``
        (float64), one row per directed dyad-year, sorted by ``ccode1, ccode2,
        year`` (the order of COW's files), with a RangeIndex. ``share`` is NaN when i's total dyadic
        trade that year is 0 (and ``asymmetry`` then too).

    Raises
    ------
    TypeError
        ``trade`` is not a DataFrame, a column is not numeric, or ``year`` /
        ``smoothed`` have the wrong type.
    ValueError
        A column is missing, a key is missing or fractional, a flow is negative
        or infinite, ccode1 equals ccode2, or a (ccode1, ccode2, year) row
        occurs twice.

    Warns
    -----
    TradeDataWarning
        (a ``UserWarning``) with the number of rows missing one direction,
        counted as 0 (the COW v4.0 file has 101,666 such rows), and of rows
        missing both, left out.

    References
    ----------
    Barbieri, K. (1996). Economic interdependence: A path to peace or a source
    of interstate conflict? *Journal of Peace Research*, 33(1), 29-49.
    Barbieri, K., Keshk, O. M. G., & Pollins, B. (2009). Trading data:
    Evaluating our assumptions and coding rules. *Conflict Management and Peace
    Science*, 26(5), 471-491.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode1": [2, 2, 20], "ccode2": [20, 710, 710],
    ...                    "year": 2000, "flow1": [3.0, 1.0, 1.0],
    ...                    "flow2": [1.0, 0.0, 1.0]})
    >>> mp.dependence(df).round(3)
       ccode1  ccode2  year  trade  share  asymmetry
    0       2      20  2000    4.0  0.800      0.133
    1       2     710  2000    1.0  0.200     -0.133
    2      20       2  2000    4.0  0.667     -0.133
    3      20     710  2000    2.0  0.333     -0.333
    4     710       2  2000    1.0  0.333      0.133
    5     710      20  2000    2.0  0.667      0.333
    """
    func = "dependence"
    tab = _dyad_table(trade, func, year=year, smoothed=smoothed)
    with np.errstate(invalid="ignore"):
        asym = tab.share - tab.share[tab.mirror]
    out = pd.DataFrame(
        {
            "ccode1": tab.ccode1,
            "ccode2": tab.ccode2,
            "year": tab.year,
            "trade": tab.trade,
            "share": tab.share,
            "asymmetry": asym,
        }
    )
    tab.warn(func)
    return out


def dependence_matrix(trade: pd.DataFrame, year: int, *, smoothed: bool = False):
    """The matrix of trade shares of one year, as a :class:`~multipolar.relations.RelationMatrix`.

    ``values[i, j] = share_ij = trade_ij / sum_k trade_ik``: row i is the
    dependent state, column j the partner; each row with trade sums to 1 (see
    :func:`dependence`). ``R.values - R.values.T`` is the asymmetry.

    Parameters
    ----------
    trade : DataFrame
        Dyad-year trade frame, as for :func:`dependence`.
    year : int
        The year.
    smoothed : bool, default False
        Use COW's smoothed flows.

    Returns
    -------
    RelationMatrix
        Actors: the sorted ccodes with a trade row that year (``codes="cow"``,
        ``at=year``). Pairs without a row, and the diagonal, are NaN; a state
        whose total trade is 0 has a NaN row.

    Raises
    ------
    TypeError, ValueError
        As :func:`dependence`; ``year`` not an int raises TypeError.

    Warns
    -----
    TradeDataWarning
        Rows missing one or both directions that year, as in :func:`dependence`.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode1": [2, 2, 20], "ccode2": [20, 710, 710],
    ...                    "year": 2000, "flow1": [3.0, 1.0, 1.0],
    ...                    "flow2": [1.0, 0.0, 1.0]})
    >>> R = mp.dependence_matrix(df, 2000)
    >>> R.values.round(3)
    array([[  nan, 0.8  , 0.2  ],
           [0.667,   nan, 0.333],
           [0.333, 0.667,   nan]])
    """
    func = "dependence_matrix"
    if not _is_int(year):
        raise TypeError(f"{func}: year must be an int; got {year!r}")
    from .relations import RelationMatrix

    tab = _dyad_table(trade, func, year=int(year), smoothed=smoothed)
    S = len(tab.states)
    values = np.full((S, S), np.nan)
    values[tab.a, tab.b] = tab.share
    tab.warn(func)
    return RelationMatrix(values, tab.states, codes="cow", at=int(year))


def partners(
    trade: pd.DataFrame,
    state: int | str,
    top: int | None = 5,
    *,
    year: int | Iterable[int] | None = None,
    smoothed: bool = False,
) -> pd.DataFrame:
    """A state's leading trade partners and their shares, per year.

    Partners j of state i in year t are ranked by ``share_ij = trade_ij /
    sum_k trade_ik`` (see :func:`dependence`), largest first; ties go to the
    smaller ccode. Only partners with positive trade are listed.

    Parameters
    ----------
    trade : DataFrame
        Dyad-year trade frame, as for :func:`dependence`.
    state : int or str
        The state: an int is a COW ccode; a string a COW abbreviation, ISO3 or
        ISO2 code or English name, tried in that order ("USA", "US",
        "United States").
    top : int or None, default 5
        How many partners per year (at least 1); None lists them all.
    year : int or list of int, optional
        Only these years.
    smoothed : bool, default False
        Use COW's smoothed flows.

    Returns
    -------
    DataFrame
        Columns ``year, rank`` (1 = largest), ``partner`` (ccode), all int64,
        ``trade, share`` (float64); sorted by year and rank. Years in which the
        state has no positive trade have no rows.

    Raises
    ------
    TypeError, ValueError
        As :func:`dependence`; a bad ``state`` or ``top``.

    Warns
    -----
    TradeDataWarning
        Rows of the state's dyads missing one or both directions.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode1": [2, 2, 20], "ccode2": [20, 710, 710],
    ...                    "year": 2000, "flow1": [3.0, 1.0, 1.0],
    ...                    "flow2": [1.0, 0.0, 1.0]})
    >>> mp.partners(df, "USA", top=1)
       year  rank  partner  trade  share
    0  2000     1       20    4.0    0.8
    """
    func = "partners"
    if not isinstance(state, (str, int, np.integer)) or isinstance(state, (bool, np.bool_)):
        raise TypeError(
            f"{func}: state must be a ccode (int) or a state code or name (str); got {state!r}"
        )
    ccode = int(resolve_states(state, func, "state")[0])
    if top is not None and not _is_int(top):
        raise TypeError(f"{func}: top must be a positive int or None; got {top!r}")
    if top is not None and top < 1:
        raise ValueError(f"{func}: top must be a positive int or None; got {top!r}")
    tab = _dyad_table(trade, func, year=year, smoothed=smoothed, state=ccode)
    c1 = tab.ccode1
    sel = (c1 == ccode) & (tab.trade > 0) & ~np.isnan(tab.share)
    yrs = tab.year[sel]
    partner = tab.ccode2[sel]
    tr = tab.trade[sel]
    sh = tab.share[sel]
    order = np.lexsort((partner, -sh, yrs))
    yrs, partner, tr, sh = yrs[order], partner[order], tr[order], sh[order]
    # Rank within year: position minus the position of the year's first row.
    start = np.flatnonzero(np.r_[True, yrs[1:] != yrs[:-1]]) if len(yrs) else np.zeros(0, np.int64)
    first = np.repeat(start, np.diff(np.r_[start, len(yrs)]))
    rank = np.arange(len(yrs), dtype=np.int64) - first + 1
    keep = rank <= top if top is not None else slice(None)
    out = pd.DataFrame(
        {
            "year": yrs[keep].astype(np.int64),
            "rank": rank[keep],
            "partner": partner[keep].astype(np.int64),
            "trade": tr[keep],
            "share": sh[keep],
        }
    )
    tab.warn(func)
    return out


def partner_concentration(
    trade: pd.DataFrame,
    *,
    year: int | Iterable[int] | None = None,
    smoothed: bool = False,
) -> pd.DataFrame:
    """Concentration of each state's trade over its partners, per state-year.

    With ``share_ij`` the weight of partner j in state i's dyadic trade (see
    :func:`dependence`)::

        hhi_i   = sum_j share_ij ** 2      (Herfindahl-Hirschman index)
        n_eff_i = 1 / hhi_i                (effective number of partners,
                                            Laakso & Taagepera 1979)

    Parameters
    ----------
    trade : DataFrame
        Dyad-year trade frame, as for :func:`dependence`.
    year : int or list of int, optional
        Only these years.
    smoothed : bool, default False
        Use COW's smoothed flows.

    Returns
    -------
    DataFrame
        Columns ``ccode, year`` (int64), ``hhi, n_eff`` (float64) and ``n``
        (int64, partners with positive trade), one row per state-year with at
        least one dyad, sorted by year then ccode. ``hhi`` and ``n_eff`` are NaN
        when the state's total trade is 0.

    Warns
    -----
    TradeDataWarning
        Rows missing one or both directions, as in :func:`dependence`.

    References
    ----------
    Hirschman, A. O. (1945). *National Power and the Structure of Foreign
    Trade*. University of California Press.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> df = pd.DataFrame({"ccode1": [2, 2, 20], "ccode2": [20, 710, 710],
    ...                    "year": 2000, "flow1": [3.0, 1.0, 1.0],
    ...                    "flow2": [1.0, 0.0, 1.0]})
    >>> mp.partner_concentration(df).round(3)
       ccode  year    hhi  n_eff  n
    0      2  2000  0.680  1.471  2
    1     20  2000  0.556  1.800  2
    2    710  2000  0.556  1.800  2
    """
    func = "partner_concentration"
    tab = _dyad_table(trade, func, year=year, smoothed=smoothed)
    S, Y = len(tab.states), len(tab.years)
    grp = tab.yc * S + tab.a
    rows = np.bincount(grp, minlength=Y * S)
    with np.errstate(invalid="ignore"):
        hhi = np.bincount(grp, weights=np.square(tab.share), minlength=Y * S)
    npos = np.bincount(grp, weights=(tab.trade > 0).astype(np.float64), minlength=Y * S)
    hhi = np.where(tab.total > 0, hhi, np.nan)
    cells = np.flatnonzero(rows > 0)
    with np.errstate(divide="ignore"):
        n_eff = 1.0 / hhi[cells]
    out = pd.DataFrame(
        {
            "ccode": tab.states[cells % S] if S else np.zeros(0, np.int64),
            "year": tab.years[cells // S] if S else np.zeros(0, np.int64),
            "hhi": hhi[cells],
            "n_eff": n_eff,
            "n": npos[cells].astype(np.int64),
        }
    )
    tab.warn(func)
    return out
