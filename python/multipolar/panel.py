"""The panel pipe: add measures to a state-year or dyad-year frame, the pandas way.

Each function takes the frame first and returns a new frame with columns added,
so calls chain with :meth:`pandas.DataFrame.pipe`::

    panel = (mp.dyad_years(1946, 2012)
             .pipe(mp.add_similarity, alliances, measures=["s", "kappa"])
             .pipe(mp.add_similarity, votes, kind="unvote", measures=["kappa"])
             .pipe(mp.add_capabilities, nmc)
             .pipe(mp.add_dependence, trade))

The rules every function keeps:

* **Keys.** A dyad-year frame has ``ccode1, ccode2, year``; a state-year frame
  ``ccode, year`` (integer COW ccodes; other columns are carried along). The
  frame's index, row order and columns are kept.
* **Left join.** Every row of the frame stays, in its order, and the row count
  never changes; a row with no match in the source gets NaN. A source that
  holds a key twice raises ValueError (a join would multiply rows).
* **Names.** Every added column carries a prefix naming its source
  (``alliance_kappa``, ``unvote_kappa``, ``trade_share1``, ...), never a bare
  ``n``; a column that already exists raises ValueError naming it and the
  ``prefix=`` that avoids it, so nothing is overwritten silently. Dyad columns
  for each side end in ``1`` (ccode1) and ``2`` (ccode2).
* **Coverage.** ``result.attrs["coverage"]`` maps each added column to the
  number of rows that got a value (not NaN), next to ``attrs["rows"]``; the
  same summary is logged at INFO level on the ``multipolar.panel`` logger.
  Entries from earlier calls in a chain are kept.

The measures themselves come from the package's functions
(:func:`multipolar.cinc`, :func:`multipolar.similarity`,
:func:`multipolar.dependence`, :func:`multipolar.ideal_distance`,
:data:`multipolar.GROUPS`, :func:`multipolar.is_major`); see their docstrings
for formulas and sources.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import int_keys, require_columns, require_frame

__all__ = [
    "add_capabilities",
    "add_dependence",
    "add_groups",
    "add_ideal_distance",
    "add_majors",
    "add_similarity",
]

_log = logging.getLogger("multipolar.panel")

_DYAD = ("ccode1", "ccode2", "year")
_STATE = ("ccode", "year")


# ---- keys and joins ------------------------------------------------------------------


def _frame_keys(df: Any, func: str) -> tuple[str, dict[str, np.ndarray]]:
    """("dyad" | "state", key arrays) of the frame, validated."""
    require_frame(df, func)
    cols: tuple[str, ...]
    if all(c in df.columns for c in _DYAD):
        kind, cols = "dyad", _DYAD
    elif all(c in df.columns for c in _STATE):
        kind, cols = "state", _STATE
    else:
        raise ValueError(
            f"{func}: df must be a dyad-year frame (ccode1, ccode2, year) or a state-year "
            f"frame (ccode, year); got columns {list(df.columns)}"
        )
    return kind, {c: int_keys(df[c], func, c) for c in cols}


def _source_keys(src: pd.DataFrame, cols: Sequence[str], func: str, arg: str) -> pd.MultiIndex:
    """The key index of a source frame; a repeated key raises (a join would add rows)."""
    require_columns(src, cols, func, arg)
    idx = pd.MultiIndex.from_arrays([int_keys(src[c], func, c) for c in cols])
    if not idx.is_unique:
        dup = idx[idx.duplicated()][0]
        raise ValueError(
            f"{func}: {arg} has duplicate ({', '.join(cols)}) rows, so a join would add rows; "
            f"got e.g. {tuple(int(v) for v in dup)!r}"
        )
    return idx


def _positions(index: pd.MultiIndex, keys: Sequence[np.ndarray]) -> np.ndarray:
    """Row of ``index`` holding each key (-1: none)."""
    if not len(keys[0]):
        return np.empty(0, dtype=np.intp)
    return np.asarray(index.get_indexer(pd.MultiIndex.from_arrays(list(keys))), dtype=np.intp)


def _take(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``values[pos]`` as float64 with NaN where ``pos`` is -1."""
    vals = np.asarray(values, dtype=np.float64)
    out = np.full(len(pos), np.nan)
    hit = pos >= 0
    out[hit] = vals[pos[hit]]
    return out


def _prefix(prefix: object, default: str, func: str) -> str:
    if prefix is None:
        return default
    if not isinstance(prefix, str):
        raise TypeError(f"{func}: prefix must be a str; got {type(prefix).__name__} {prefix!r}")
    return prefix


def _attach(df: pd.DataFrame, new: dict[str, Any], func: str) -> pd.DataFrame:
    """A copy of ``df`` with the columns ``new`` added and their coverage recorded."""
    clash = [c for c in new if c in df.columns]
    if clash:
        raise ValueError(
            f"{func}: df already has column(s) {clash}; pass prefix= to name the new columns "
            f"apart (nothing is overwritten)"
        )
    out = df.copy()
    for name, values in new.items():
        out[name] = values
    coverage = dict(df.attrs.get("coverage", {}))
    for name, values in new.items():
        arr = np.asarray(values)
        got = int(len(arr) - pd.isna(arr).sum()) if arr.dtype.kind in "fO" else len(arr)
        coverage[name] = got
    out.attrs = {**df.attrs, "coverage": coverage, "rows": len(df)}
    _log.info(
        "%s: %s of %d rows",
        func,
        ", ".join(f"{name} {coverage[name]}" for name in new),
        len(df),
    )
    return out


def _call(inner: Any, func: str, *args: Any, **kwargs: Any) -> Any:
    """``inner(*args, **kwargs)``, its argument errors restated under the pipe's name."""
    try:
        return inner(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        msg = str(exc)
        name = inner.__name__
        if not msg.startswith(f"{name}:"):
            raise
        kind = TypeError if isinstance(exc, TypeError) else ValueError
        raise kind(f"{func} (via {name}){msg[len(name):]}") from None


def _dyad_only(kind: str, func: str) -> None:
    if kind != "dyad":
        raise ValueError(
            f"{func}: df must be a dyad-year frame (ccode1, ccode2, year); got a state-year "
            f"frame (ccode, year)"
        )


# ---- the pipe ------------------------------------------------------------------------


def add_capabilities(
    df: pd.DataFrame,
    nmc: pd.DataFrame,
    *,
    columns: Sequence[str] = ("cinc",),
    prefix: str | None = None,
) -> pd.DataFrame:
    """Add national capabilities (CINC, or any NMC column) for each state or both sides.

    ``"cinc"`` is recomputed from the six NMC components with
    :func:`multipolar.cinc` (Singer, Bremer & Stuckey 1972: the mean of the
    state's shares of the world total over its present components) when
    ``nmc`` has them, else read from ``nmc``'s own ``cinc`` column. Other
    names are NMC columns taken as they are (COW's -9 becomes NaN).

    Parameters
    ----------
    df : DataFrame
        State-year (``ccode, year``) or dyad-year (``ccode1, ccode2, year``) frame.
    nmc : DataFrame
        COW National Material Capabilities, as :func:`multipolar.read_nmc`
        returns (one row per ``ccode, year``).
    columns : sequence of str, default ("cinc",)
        Measures to add.
    prefix : str, optional
        Put before each new column name (default none: ``cinc``, or ``cinc1``
        and ``cinc2`` on a dyad frame).

    Returns
    -------
    DataFrame
        ``df`` with the columns added (see the module docstring for the join,
        naming and coverage rules).

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> nmc = pd.DataFrame({"ccode": [2, 365], "year": [1950, 1950], "cinc": [0.28, 0.17]})
    >>> dy = pd.DataFrame({"ccode1": [2, 365, 2], "ccode2": [365, 2, 20], "year": 1950})
    >>> mp.add_capabilities(dy, nmc)[["cinc1", "cinc2"]].to_numpy().tolist()
    [[0.28, 0.17], [0.17, 0.28], [0.28, nan]]
    """
    func = "add_capabilities"
    kind, keys = _frame_keys(df, func)
    require_frame(nmc, func, "nmc")
    pre = _prefix(prefix, "", func)
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        raise TypeError(f"{func}: columns must be a list of column names; got {columns!r}")
    columns = list(columns)
    index = _source_keys(nmc, _STATE, func, "nmc")
    values: dict[str, np.ndarray] = {}
    for col in columns:
        if col == "cinc":
            from .power import NMC_COMPONENTS, cinc

            if all(c in nmc.columns for c in NMC_COMPONENTS):
                values[col] = _call(cinc, func, nmc).to_numpy(dtype=np.float64)
                continue
        require_columns(nmc, [col], func, "nmc")
        from ._validation import value_array

        v = value_array(nmc[col], func, col).astype(np.float64)
        values[col] = np.where(v == -9, np.nan, v)
    new: dict[str, np.ndarray] = {}
    if kind == "state":
        pos = _positions(index, [keys["ccode"], keys["year"]])
        for col in columns:
            new[f"{pre}{col}"] = _take(values[col], pos)
    else:
        for side in ("1", "2"):
            pos = _positions(index, [keys[f"ccode{side}"], keys["year"]])
            for col in columns:
                new[f"{pre}{col}{side}"] = _take(values[col], pos)
    return _attach(df, new, func)


def add_similarity(
    df: pd.DataFrame,
    data: pd.DataFrame,
    *,
    kind: str = "alliance",
    measures: Sequence[str] = ("s", "kappa"),
    prefix: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Add foreign-policy similarity of each dyad-year (S, kappa, pi, tau-b).

    The scores come from :func:`multipolar.similarity` (Signorino & Ritter
    1999 S, Cohen's kappa after Häge 2011, Scott's pi, Kendall's tau-b), run
    on the years of ``df`` that ``data`` covers. Added columns: each measure,
    its evidence count ``n``, the ``constant`` flag (and ``_lo``/``_hi`` bands
    with ``bootstrap=``), all prefixed, e.g. ``alliance_kappa``,
    ``alliance_n``, ``unvote_kappa``.

    Parameters
    ----------
    df : DataFrame
        Dyad-year frame (``ccode1, ccode2, year``).
    data : DataFrame
        Alliance dyad-years (``kind="alliance"``) or UN votes (``kind="unvote"``),
        as :func:`multipolar.similarity` takes them.
    kind : {"alliance", "unvote"}
    measures : sequence of str, default ("s", "kappa")
    prefix : str, optional
        Default ``"<kind>_"``.
    **options
        Passed to :func:`multipolar.similarity` (``binary``, ``weights``,
        ``min_n``, ``bootstrap``, ``level``, ``seed``).

    Returns
    -------
    DataFrame
        ``df`` with the columns added; dyads with no score (outside the
        system, no common roll call, years the data lack) get NaN.
    """
    from .similarity import similarity

    func = "add_similarity"
    frame_kind, keys = _frame_keys(df, func)
    _dyad_only(frame_kind, func)
    require_frame(data, func, "data")
    if "years" in options:
        raise TypeError(f"{func}: years is taken from df; drop the years= argument")
    pre = _prefix(prefix, f"{kind}_" if isinstance(kind, str) else "", func)
    require_columns(data, ["year"], func, "data")
    have = np.unique(int_keys(data["year"], func, "year"))
    want = np.intersect1d(np.unique(keys["year"]), have)
    if len(want):
        sim = _call(similarity, func, data, kind=kind, measures=measures, years=want.tolist(),
                    **options)
    else:  # no common year: still validate the arguments, on no rows
        sim = _call(similarity, func, data.iloc[:0], kind=kind, measures=measures, **options)
    index = _source_keys(sim, _DYAD, func, "the similarity result")
    pos = _positions(index, [keys["ccode1"], keys["ccode2"], keys["year"]])
    new: dict[str, Any] = {}
    for col in sim.columns:
        if col in _DYAD:
            continue
        vals = sim[col].to_numpy()
        if vals.dtype.kind == "b":
            out = np.full(len(pos), None, dtype=object)
            out[pos >= 0] = vals[pos[pos >= 0]]
            new[f"{pre}{col}"] = pd.array(out, dtype="boolean")
        else:
            new[f"{pre}{col}"] = _take(vals, pos)
    return _attach(df, new, func)


def add_dependence(
    df: pd.DataFrame,
    trade: pd.DataFrame,
    *,
    smoothed: bool = False,
    prefix: str | None = None,
) -> pd.DataFrame:
    """Add trade dependence of both sides of each dyad-year.

    From :func:`multipolar.dependence` (Barbieri 1996): ``trade`` = flow1 +
    flow2; ``share1`` = the dyad's trade over ccode1's total dyadic trade that
    year (ccode1's dependence on ccode2); ``share2`` the same for ccode2;
    ``asymmetry`` = share1 - share2.

    Parameters
    ----------
    df : DataFrame
        Dyad-year frame.
    trade : DataFrame
        COW dyadic trade, as :func:`multipolar.read_trade` returns.
    smoothed : bool, default False
        Use COW's smoothed flows.
    prefix : str, optional
        Default ``"trade_"``: columns ``trade_total``, ``trade_share1``,
        ``trade_share2``, ``trade_asymmetry``.

    Returns
    -------
    DataFrame
    """
    from .trade import dependence

    func = "add_dependence"
    frame_kind, keys = _frame_keys(df, func)
    _dyad_only(frame_kind, func)
    require_frame(trade, func, "trade")
    pre = _prefix(prefix, "trade_", func)
    require_columns(trade, ["year"], func, "trade")
    have = np.unique(int_keys(trade["year"], func, "year"))
    want = np.intersect1d(np.unique(keys["year"]), have)
    dep = _call(dependence, func, trade, year=want.tolist(), smoothed=smoothed)
    index = _source_keys(dep, _DYAD, func, "the dependence result")
    pos12 = _positions(index, [keys["ccode1"], keys["ccode2"], keys["year"]])
    pos21 = _positions(index, [keys["ccode2"], keys["ccode1"], keys["year"]])
    share = dep["share"].to_numpy()
    new = {
        f"{pre}total": _take(dep["trade"].to_numpy(), pos12),
        f"{pre}share1": _take(share, pos12),
        f"{pre}share2": _take(share, pos21),
        f"{pre}asymmetry": _take(dep["asymmetry"].to_numpy(), pos12),
    }
    return _attach(df, new, func)


def add_ideal_distance(
    df: pd.DataFrame,
    points: pd.DataFrame,
    *,
    column: str = "idealpoint",
    prefix: str | None = None,
) -> pd.DataFrame:
    """Add UN ideal points: the point of each state, or the distance within each dyad.

    Ideal points of Bailey, Strezhnev & Voeten (2017); the dyad distance is
    ``|x_1 - x_2|`` (:func:`multipolar.ideal_distance`).

    Parameters
    ----------
    df : DataFrame
        State-year or dyad-year frame.
    points : DataFrame
        ``ccode, year`` and ``column``, as :func:`multipolar.read_idealpoints` returns.
    column : str, default "idealpoint"
    prefix : str, optional
        Default ``"ideal_"``: ``ideal_point`` on a state-year frame,
        ``ideal_point1``, ``ideal_point2`` and ``ideal_distance`` on a dyad frame.

    Returns
    -------
    DataFrame
    """
    from ._validation import value_array

    func = "add_ideal_distance"
    kind, keys = _frame_keys(df, func)
    require_frame(points, func, "points")
    pre = _prefix(prefix, "ideal_", func)
    if not isinstance(column, str):
        raise TypeError(f"{func}: column must be a str; got {column!r}")
    require_columns(points, [column], func, "points")
    index = _source_keys(points, _STATE, func, "points")
    x = value_array(points[column], func, column).astype(np.float64)
    if kind == "state":
        pos = _positions(index, [keys["ccode"], keys["year"]])
        return _attach(df, {f"{pre}point": _take(x, pos)}, func)
    x1 = _take(x, _positions(index, [keys["ccode1"], keys["year"]]))
    x2 = _take(x, _positions(index, [keys["ccode2"], keys["year"]]))
    new = {f"{pre}point1": x1, f"{pre}point2": x2, f"{pre}distance": np.abs(x1 - x2)}
    return _attach(df, new, func)


def add_groups(
    df: pd.DataFrame,
    groups: Any,
    *,
    prefix: str | None = None,
) -> pd.DataFrame:
    """Add membership in groups (NATO, EU, BRICS, ... or a :class:`multipolar.Group`).

    Membership follows each group's spells (see :data:`multipolar.GROUPS` for
    the sources); False in years the group does not exist.

    Parameters
    ----------
    df : DataFrame
        State-year or dyad-year frame.
    groups : str, Group or list of them
        Names from :data:`multipolar.GROUPS` or Group objects.
    prefix : str, optional
        Default none. Columns are the lower-case group name (``nato``) on a
        state-year frame, and ``nato1``, ``nato2`` and ``nato_both`` (both sides
        members) on a dyad frame.

    Returns
    -------
    DataFrame
        Boolean columns; every row gets a value.
    """
    from .groups import _as_groups

    func = "add_groups"
    kind, keys = _frame_keys(df, func)
    pre = _prefix(prefix, "", func)
    glist = _as_groups(groups, func)
    new: dict[str, np.ndarray] = {}
    for g in glist:
        name = pre + g.name.lower().replace(" ", "_")
        if kind == "state":
            new[name] = g.is_member(keys["ccode"], keys["year"])
        else:
            m1 = g.is_member(keys["ccode1"], keys["year"])
            m2 = g.is_member(keys["ccode2"], keys["year"])
            new[f"{name}1"], new[f"{name}2"], new[f"{name}_both"] = m1, m2, m1 & m2
    return _attach(df, new, func)


def add_majors(df: pd.DataFrame, *, prefix: str | None = None) -> pd.DataFrame:
    """Add COW major-power status (v2024 list, :func:`multipolar.is_major`).

    Parameters
    ----------
    df : DataFrame
        State-year or dyad-year frame.
    prefix : str, optional
        Default none: ``major`` on a state-year frame; ``major1``, ``major2``
        and ``major_both`` on a dyad frame.

    Returns
    -------
    DataFrame
        Boolean columns; every row gets a value.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> sy = pd.DataFrame({"ccode": [2, 20], "year": [2000, 2000]})
    >>> mp.add_majors(sy)["major"].tolist()
    [True, False]
    """
    from .codes import is_major

    func = "add_majors"
    kind, keys = _frame_keys(df, func)
    pre = _prefix(prefix, "", func)
    if kind == "state":
        new = {f"{pre}major": is_major(keys["ccode"], keys["year"])}
    else:
        m1 = is_major(keys["ccode1"], keys["year"])
        m2 = is_major(keys["ccode2"], keys["year"])
        new = {f"{pre}major1": m1, f"{pre}major2": m2, f"{pre}major_both": m1 & m2}
    return _attach(df, new, func)
