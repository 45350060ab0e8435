"""Similarity of every dyad in every year: the kernel call and the public functions.

:func:`similarity` and :func:`similarity_matrix` turn a frame into the
kernel's input (:mod:`multipolar.similarity.inputs`), call
``_core.similarity_years`` once and build the result frame;
:func:`ideal_distance` compares UN ideal points. The formulas are in the
docstring of :mod:`multipolar.similarity`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _core
from .._errors import InputError, call
from ..relations import RelationMatrix
from .._validation import int_keys, require_columns, require_frame, value_array, years as _years
from .inputs import _alliance_input, _narrow, _unvote_input

__all__ = ["MEASURES", "SimilarityMatrix", "ideal_distance", "similarity", "similarity_matrix"]

#: Measure names accepted by :func:`similarity`, in the kernel's numbering
#: (the kernel's own list, ``MULTIPOLAR_SIM_MEASURES`` in csrc/similarity_measures.h).
MEASURES: tuple[str, ...] = tuple(_core.SIMILARITY_MEASURES)
_MEASURE_ID = {m: i for i, m in enumerate(MEASURES)}
#: The measures computed from item weights instead of the co-occurrence table.
_WEIGHTED = frozenset({"s_w", "s_w_sq"})
#: Not a measure but the flag column every result carries: one side (or both) used a
#: single code on the dyad's common items, so kappa is 0 (or NaN) by construction.
_FLAG = "constant"


def _year_list(years: Any, func: str) -> np.ndarray | None:
    """The distinct years asked for, sorted (None: all years of the data)."""
    if years is None:
        return None
    arr = _years(years, func, "years")
    if len(arr) == 0:
        raise ValueError(f"{func}: years must name at least one year; got {years!r}")
    return np.unique(arr)


def measure_id(name: str) -> int:
    """The kernel's id of a measure name."""
    return _MEASURE_ID[name]


#: The user's words for the kernel arguments a status error can name.
_KERNEL_WORDS = {"weights": "weights"}


def kernel_call(
    func: str,
    duplicate: Callable[[int, int], str] | None = None,
    **kw: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Call ``_core.similarity_years(**kw)`` on behalf of ``func``.

    A status error is restated in ``func``'s words (:func:`multipolar._errors.call`).
    An item given twice in a portfolio is a duplicate row of the user's data:
    ``duplicate(entry, item)`` words it from the kernel's structured error (the
    entry position of the second occurrence and its item).
    """

    def kernel(**kwargs: Any) -> Any:
        try:
            return _core.similarity_years(**kwargs)
        except ValueError as exc:
            if duplicate is None or getattr(exc, "status", None) != "duplicate":
                raise
            entry, item = int(exc.row), int(exc.value)  # type: ignore[attr-defined]
            raise InputError(duplicate(entry, item), function=func, argument="data") from None

    return call(func, kernel, names=_KERNEL_WORDS, **kw)


def _measure_ids(measures: Any, func: str, kind: str, weighted: bool) -> list[str]:
    if isinstance(measures, str):
        measures = (measures,)
    try:
        names = list(measures)
    except TypeError:
        raise TypeError(f"{func}: measures must be a sequence of names; got {measures!r}") from None
    if not names:
        raise ValueError(f"{func}: measures must name at least one measure; got {measures!r}")
    for m in names:
        if m not in _MEASURE_ID:
            raise ValueError(f"{func}: measures must be among {list(MEASURES)}; got {m!r}")
        if m in _WEIGHTED:
            if kind != "alliance":
                raise ValueError(f"{func}: measure {m!r} needs kind='alliance'; got kind={kind!r}")
            if not weighted:
                raise ValueError(f"{func}: measure {m!r} needs weights; got weights=None")
    if len(set(names)) != len(names):
        raise ValueError(f"{func}: measures must not repeat a name; got {names!r}")
    return names



def _duplicate_words(spec: dict[str, Any], func: str, kind: str) -> Callable[[int, int], str]:
    """How a repeated (row, item) entry of ``spec`` reads in the user's data."""

    def words(entry: int, item: int) -> str:
        row = int(spec["entry_row"][entry])
        state, year = int(spec["row_key"][row]), int(spec["row_year"][row])
        ypos = int(np.searchsorted(spec["year_key"], year))
        if kind == "unvote":
            rc = int(spec["items"][spec["item_ptr"][ypos] + item])
            return (
                f"{func}: data has duplicate (rcid, ccode) votes; got ccode {state} twice on "
                f"rcid {rc} ({year})"
            )
        other = int(spec["row_key"][spec["year_ptr"][ypos] + item])
        return (
            f"{func}: data has duplicate (ccode1, ccode2, year) rows; got ({state}, {other}, "
            f"{year})"
        )

    return words


def _run(spec: dict[str, Any], names: list[str], func: str, kind: str) -> pd.DataFrame:
    """The kernel's result as a frame: the measures ``names`` and the ``constant`` flag."""
    names = [m for m in names if m != _FLAG]
    asked = [*names, _FLAG]
    er, ei, el = _narrow(spec["entry_row"], spec["entry_item"], spec["entry_level"])
    c1, c2, yr, n, vals, kept = kernel_call(
        func,
        _duplicate_words(spec, func, kind),
        year_ptr=spec["year_ptr"],
        nitems=spec["nitems"],
        row_key=spec["row_key"],
        year_key=spec["year_key"],
        entry_row=er,
        entry_item=ei,
        entry_level=el,
        levels=spec["levels"],
        implicit=spec["implicit"],
        weights=spec["weights"],
        measures=np.array([_MEASURE_ID[m] for m in asked], dtype=np.int64),
        drop_empty=spec["drop_empty"],
    )
    if kept < len(c1):
        c1, c2, yr, n, vals = c1[:kept], c2[:kept], yr[:kept], n[:kept], vals[:, :kept]
    cols: dict[str, np.ndarray] = {"ccode1": c1, "ccode2": c2, "year": yr, "n": n}
    for i, m in enumerate(names):
        cols[m] = vals[i]
    cols[_FLAG] = vals[len(names)] == 1.0
    return pd.DataFrame(cols, copy=False)


def _min_n_arg(min_n: object, func: str) -> int | None:
    if min_n is None:
        return None
    if isinstance(min_n, (bool, np.bool_)) or not isinstance(min_n, (int, np.integer)):
        raise TypeError(f"{func}: min_n must be None or an int; got {min_n!r}")
    if int(min_n) < 1:
        raise ValueError(f"{func}: min_n must be >= 1; got {min_n!r}")
    return int(min_n)


def _add_bands(
    out: pd.DataFrame, spec: dict[str, Any], names: list[str], bootstrap: int, level: float,
    seed: object, func: str,
) -> pd.DataFrame:
    """``<measure>_lo`` / ``<measure>_hi`` columns from the bootstrap of every dyad-year."""
    from .bootstrap import boot_pairs, directed

    measures = [m for m in names if m != _FLAG]
    probs = np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    n, bands, _, year_ptr, _ = boot_pairs(
        spec, [_MEASURE_ID[m] for m in measures], bootstrap, probs, seed, func
    )
    pos = directed(year_ptr)
    if spec["drop_empty"]:
        pos = pos[n[pos] > 0]
    if len(pos) != len(out) or not np.array_equal(n[pos], out["n"].to_numpy()):
        raise SystemError(f"{func}: bootstrap pairs do not match the dyad-years")  # pragma: no cover
    cols = {}
    for i, m in enumerate(measures):
        cols[f"{m}_lo"] = bands[i, 0, pos]
        cols[f"{m}_hi"] = bands[i, 1, pos]
    return pd.concat([out, pd.DataFrame(cols, index=out.index)], axis=1)


def _apply_min_n(out: pd.DataFrame, min_n: int | None, func: str) -> pd.DataFrame:
    """Measures (and bands) NaN on the rows with fewer than ``min_n`` items; rows kept,
    counted in ``attrs["below_min_n"]`` and a warning."""
    if min_n is None:
        return out
    below = out["n"].to_numpy() < min_n
    count = int(below.sum())
    if count:
        value_cols = [c for c in out.columns if c not in ("ccode1", "ccode2", "year", "n", _FLAG)]
        for c in value_cols:
            col = out[c].to_numpy(dtype=np.float64, copy=True)
            col[below] = np.nan
            out[c] = col
        warnings.warn(
            f"{func}: {count} of {len(out)} dyad-years rest on fewer than min_n = {min_n} "
            f"common items; their measures are NaN (rows kept, n reported)",
            UserWarning,
            stacklevel=3,
        )
    out.attrs["min_n"] = min_n
    out.attrs["below_min_n"] = count
    return out


def similarity(
    data: pd.DataFrame,
    *,
    kind: str = "alliance",
    measures: Sequence[str] = ("s", "s_sq", "kappa", "pi", "taub"),
    binary: bool = False,
    weights: pd.DataFrame | None = None,
    years: Iterable[int] | int | None = None,
    min_n: int | None = None,
    bootstrap: int | None = None,
    level: float = 0.9,
    seed: int | np.random.SeedSequence | None = None,
) -> pd.DataFrame:
    """Foreign-policy similarity of every directed dyad in every year.

    For each year, every pair of portfolios is compared on the items both
    code, and each requested measure (see :mod:`multipolar.similarity` for
    the formulas: S, squared S, weighted S, Cohen's kappa with quadratic weights,
    Scott's pi, Kendall's tau-b) is computed from their co-occurrence table.

    ``kind="alliance"``
        The states of a year and the reference items of their portfolios are
        the COW system members of that year (a membership spell covers part of
        the year). State i's portfolio codes its tie to every member k:
        ``code`` of the row (i, k, year), 0 (no alliance) when there is none,
        and 3 for i itself (each state is maximally allied with itself; 1 with
        ``binary=True``). The levels are (0, 1, 2, 3), or (0, 1) with
        ``binary=True`` (any alliance: code >= 1). Directed rows are read as
        they are, so an asymmetric obligation stays asymmetric.
    ``kind="unvote"``
        The states of a year are those that cast a yes (1), abstain (2) or no
        (3) vote that year; a dyad is compared on the roll calls where both
        cast one (absent 8, non-member 9 and NaN are missing), and dyads with
        no common roll call are omitted. The levels are (1, 2, 3).

    Parameters
    ----------
    data : DataFrame
        ``kind="alliance"``: a directed dyad-year frame with ``ccode1, ccode2,
        year, code`` (as :func:`multipolar.read_alliances` returns; rows with
        code 0 may be absent). ``kind="unvote"``: ``rcid, ccode, year, vote``
        (as :func:`multipolar.read_unvotes` returns). Any row order; extra
        columns are ignored.
    kind : {"alliance", "unvote"}
    measures : sequence of str
        Among ``"s"``, ``"s_sq"``, ``"kappa"``, ``"pi"``, ``"taub"``, and for
        alliances with ``weights`` also ``"s_w"`` and ``"s_w_sq"``. Output
        columns are named and ordered as given.
    binary : bool, default False
        Alliances only: compare any-alliance codes 0/1 instead of 0-3.
    weights : DataFrame, optional
        Alliances: state-year weights of the reference states for ``s_w``,
        with ``ccode``, ``year`` and a ``weight`` (else ``cinc``) column, e.g.
        a CINC frame. A member without a weight counts with weight 0 (warned).
    years : int or iterable of int, optional
        Years to compute. By default: alliances, every year from the first to
        the last year of ``data`` (a year without rows has no alliances); votes,
        every year with a vote. Given years must lie within the first and last
        year of ``data`` (any row counts); a year inside that range without
        rows stays valid (no alliances; no common roll call, so no dyads).
    min_n : int, optional
        Least evidence a measure needs: on a dyad-year with fewer than
        ``min_n`` compared items (``n``) every measure (and band) is NaN. The
        rows are kept with their ``n``; how many were set aside is warned and
        stored in ``attrs["below_min_n"]``. In the Voeten UN-vote file 21,578
        dyad-years rest on a single common roll call and 41,094 on fewer than
        ten, where a measure says little.
    bootstrap : int, optional
        Replicates B of a nonparametric bootstrap (Efron 1979): each replicate
        draws, with replacement, as many of the dyad-year's compared items as
        it has (the common roll calls for UN votes; the reference states of
        the portfolio for alliances) and recomputes every measure. Adds
        ``<measure>_lo`` and ``<measure>_hi``: the ``(1 - level) / 2`` and
        ``(1 + level) / 2`` quantiles of the finite replicate values (the
        percentile interval, Efron & Tibshirani 1993, ch. 13; NumPy's
        "linear" quantile rule). Runs in C on the package's threads; the
        bands are bitwise the same for any thread count.
    level : float, default 0.9
        Coverage of the bootstrap bands, in (0, 1).
    seed : int, SeedSequence or None
        Root of the bootstrap's random streams: the dyads of each year, in
        order, are cut into blocks of
        :data:`multipolar.similarity.bootstrap.BOOT_BLOCK` pairs and block b
        draws from ``PCG64(SeedSequence(seed).spawn(nblocks)[b])``, as in
        :func:`multipolar.project`. None: fresh entropy.

    Returns
    -------
    DataFrame
        One row per directed dyad (both orders) and year, sorted by year,
        ccode1, ccode2: ``ccode1, ccode2, year`` (int64), ``n`` (int64, the
        items compared: the year's member count for alliances, the common roll
        calls for votes), and one float64 column per measure. NaN where a
        measure is undefined: kappa, pi and tau-b of two portfolios constant
        at one code, tau-b of a constant portfolio, weighted S with zero total
        weight. Then ``constant`` (bool): one state of the dyad (or both) used
        a single code on every compared item -- e.g. voted yes on every common
        roll call -- so its kappa is 0 (or NaN) by construction whatever the
        other state did, and says nothing about alignment (114,548 UN-vote
        dyad-years). With ``bootstrap``, ``<measure>_lo`` and
        ``<measure>_hi`` for every measure, in the order of ``measures``.

    Raises
    ------
    ValueError
        Missing columns, codes or votes outside their sets, missing keys,
        duplicate (ccode1, ccode2, year) or (rcid, ccode) rows, unknown
        measures, weighted measures without weights, ``years`` outside the
        first..last year of ``data`` (or any ``years`` when ``data`` has no
        rows), ``min_n`` or ``bootstrap`` below 1 or 2, ``level`` outside (0, 1).
    TypeError
        ``data`` is not a DataFrame or a column is not numeric.

    Warns
    -----
    UserWarning
        Alliance rows naming a state that is not a system member that year
        (e.g. COW's rows coding Germany as 260 in 1991-2012), or pairing a
        state with itself, are left out and counted; members without a weight;
        dyad-years below ``min_n`` (counted).

    References
    ----------
    Efron, B. (1979). Bootstrap methods: Another look at the jackknife. *The
    Annals of Statistics*, 7(1), 1-26. Efron, B., & Tibshirani, R. J. (1993).
    *An Introduction to the Bootstrap*. Chapman & Hall.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> ally = pd.DataFrame({"ccode1": [2, 200], "ccode2": [200, 2],
    ...                      "year": 1816, "code": 3})
    >>> out = mp.similarity(ally, measures=("s", "kappa"))
    >>> out.loc[(out.ccode1 == 2) & (out.ccode2 == 200), ["n", "s"]].to_numpy().tolist()
    [[23.0, 1.0]]
    >>> votes = pd.DataFrame({"rcid": [1, 1, 2, 2, 3, 3], "ccode": [2, 365] * 3,
    ...                       "year": 2015, "vote": [1, 1, 1, 3, 1, 2]})
    >>> b = mp.similarity(votes, kind="unvote", measures=("s",), bootstrap=200, seed=1)
    >>> list(b.columns)
    ['ccode1', 'ccode2', 'year', 'n', 's', 'constant', 's_lo', 's_hi']
    >>> bool(b["constant"].iloc[0]), bool(b.s_lo.iloc[0] <= b.s.iloc[0] <= b.s_hi.iloc[0])
    (True, True)
    """
    func = "similarity"
    require_frame(data, func, "data")
    if kind not in ("alliance", "unvote"):
        raise ValueError(f"{func}: kind must be 'alliance' or 'unvote'; got {kind!r}")
    if not isinstance(binary, (bool, np.bool_)):
        raise TypeError(f"{func}: binary must be a bool; got {binary!r}")
    if binary and kind != "alliance":
        raise ValueError(f"{func}: binary=True needs kind='alliance'; got kind={kind!r}")
    names = _measure_ids(measures, func, kind, weights is not None)
    min_n = _min_n_arg(min_n, func)
    if bootstrap is not None:
        from .bootstrap import level_arg, replicates_arg, seed_sequence

        bootstrap = replicates_arg(bootstrap, func)
        level = level_arg(level, func)
        seed = seed_sequence(seed, func)
    yrs = _year_list(years, func)
    weighted = any(m in _WEIGHTED for m in names)
    if kind == "alliance":
        spec = _alliance_input(data, bool(binary), weights, yrs, weighted, func)
    else:
        if weights is not None:
            raise ValueError(f"{func}: weights need kind='alliance'; got kind={kind!r}")
        spec = _unvote_input(data, yrs, func)
    out = _run(spec, names, func, kind)
    if bootstrap is not None and any(m != _FLAG for m in names):
        out = _add_bands(out, spec, names, bootstrap, level, seed, func)
    return _apply_min_n(out, min_n, func)


class SimilarityMatrix(RelationMatrix):
    """A :func:`similarity_matrix` result: a RelationMatrix that keeps the
    portfolios behind it, so it can be resampled (:meth:`replicates`).

    Everything of :class:`multipolar.RelationMatrix` applies; :attr:`n` holds
    the compared items of every pair (the diagonal: the items the state codes).
    """

    __slots__ = ("_source",)

    def replicates(
        self, bootstrap: int, seed: int | np.random.SeedSequence | None = None, *,
        actors: Any = None, func: str = "SimilarityMatrix.replicates",
    ) -> np.ndarray:
        """Bootstrap replicates of the matrix, shape (B, N, N), in the order of :attr:`actors`.

        Replicate b of pair (i, j) draws the pair's compared items with
        replacement (as many as it has) and recomputes the measure (Efron
        1979), with the streams of :func:`multipolar.similarity` (``seed``;
        the pairs are those of the actors resampled, in their order). The
        diagonal is 1; pairs with nothing compared, or below the ``min_n``
        the matrix was built with, are NaN. Needs the matrix's own COW actors
        (any subset and order, e.g. after :meth:`sub`); ``actors``: only
        these (a subset of :attr:`actors`, in this order).
        """
        from .bootstrap import boot_pairs, replicates_arg, seed_sequence

        src = getattr(self, "_source", None)
        B = replicates_arg(bootstrap, func)
        ss = seed_sequence(seed, func)
        if src is None or self.codes != "cow":
            raise ValueError(
                f"{func}: the matrix must keep its COW actors to be resampled; got "
                f"codes={self.codes!r}"
            )
        want = self.actors if actors is None else pd.Index(actors)
        rows = src["rows"]
        where = np.minimum(np.searchsorted(rows, want.to_numpy()), max(len(rows) - 1, 0))
        if len(rows) == 0 or not np.array_equal(rows[where], want.to_numpy()) \
                or not want.isin(self.actors).all():
            raise ValueError(f"{func}: the actors must be those the matrix was computed for")
        n, _, reps, _, _ = boot_pairs(
            src["spec"], [src["measure"]], B, np.array([0.5]), ss, func, keep=True, rows=where
        )
        N = len(want)
        out = np.empty((B, N, N))
        iu, ju = np.triu_indices(N, 1)
        vals = reps[0].T  # (B, pairs)
        if src["min_n"] is not None:
            vals = np.where(n[None, :] < src["min_n"], np.nan, vals)
        out[:, iu, ju] = vals
        out[:, ju, iu] = vals
        out[:, np.arange(N), np.arange(N)] = 1.0
        return out


def similarity_matrix(
    data: pd.DataFrame,
    year: int,
    *,
    kind: str = "alliance",
    measure: str = "kappa",
    binary: bool = False,
    weights: pd.DataFrame | None = None,
    min_n: int | None = None,
) -> SimilarityMatrix:
    """One year's similarity of every pair of states, as a RelationMatrix.

    The states and the measure are those of :func:`similarity` for that year
    (system members for alliances, voting states for UN votes). The diagonal
    is 1 (a portfolio agrees perfectly with itself); a pair of states with no
    common roll call is NaN.

    Parameters
    ----------
    data : DataFrame
        As for :func:`similarity`.
    year : int
    kind, binary, weights, min_n
        As for :func:`similarity` (``min_n``: a pair compared on fewer items
        is NaN, counted and warned).
    measure : str, default "kappa"
        One measure name (see :data:`MEASURES`).

    Returns
    -------
    SimilarityMatrix
        A :class:`multipolar.RelationMatrix`, N x N, actors the sorted COW
        ccodes (``codes="cow"``), ``at=year``, with the evidence ``R.n``: the
        items compared for every pair (common roll calls; 0 without one),
        and on the diagonal the items the state codes. It keeps the year's
        portfolios, so :func:`multipolar.blocs` can resample it
        (``bootstrap=``). The input of :func:`multipolar.blocs`.

    Raises
    ------
    ValueError
        As for :func:`similarity`, e.g. a ``year`` outside the first..last
        year of ``data``.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> votes = pd.DataFrame({"rcid": [1, 1, 2, 2, 3], "ccode": [2, 365, 2, 365, 2],
    ...                       "year": 2015, "vote": [1, 3, 1, 1, 2]})
    >>> K = mp.similarity_matrix(votes, 2015, kind="unvote", measure="s")
    >>> K[2, 365], K.n.tolist()
    (0.0, [[3.0, 2.0], [2.0, 2.0]])
    """
    func = "similarity_matrix"
    if isinstance(year, (bool, np.bool_)) or not isinstance(year, (int, np.integer)):
        raise TypeError(f"{func}: year must be an integer; got {year!r}")
    if not isinstance(measure, str):
        raise TypeError(f"{func}: measure must be a measure name; got {measure!r}")
    require_frame(data, func, "data")
    if kind not in ("alliance", "unvote"):
        raise ValueError(f"{func}: kind must be 'alliance' or 'unvote'; got {kind!r}")
    if not isinstance(binary, (bool, np.bool_)):
        raise TypeError(f"{func}: binary must be a bool; got {binary!r}")
    if binary and kind != "alliance":
        raise ValueError(f"{func}: binary=True needs kind='alliance'; got kind={kind!r}")
    names = _measure_ids((measure,), func, kind, weights is not None)
    if measure == _FLAG:
        raise ValueError(f"{func}: measure must be a similarity measure; got {measure!r}")
    min_n = _min_n_arg(min_n, func)
    yrs = np.array([int(year)], dtype=np.int64)
    if kind == "alliance":
        spec = _alliance_input(data, bool(binary), weights, yrs, measure in _WEIGHTED, func)
    else:
        if weights is not None:
            raise ValueError(f"{func}: weights need kind='alliance'; got kind={kind!r}")
        spec = _unvote_input(data, yrs, func)
    long = _apply_min_n(_run(spec, names, func, kind), min_n, func)
    rows = np.asarray(spec["row_key"], dtype=np.int64)
    if kind == "alliance":
        from ..codes import members

        actors = members(int(year))
    else:
        actors = np.unique(long["ccode1"].to_numpy())
    n = len(actors)
    values = np.full((n, n), np.nan)
    counts = np.zeros((n, n))
    if len(long):
        i = np.searchsorted(actors, long["ccode1"].to_numpy())
        j = np.searchsorted(actors, long["ccode2"].to_numpy())
        values[i, j] = long[measure].to_numpy()
        counts[i, j] = long["n"].to_numpy()
    np.fill_diagonal(values, 1.0)
    own = np.bincount(np.asarray(spec["entry_row"], dtype=np.int64), minlength=len(rows))
    if spec["implicit"]:
        own = np.full(len(rows), float(spec["nitems"][0]) if len(spec["nitems"]) else 0.0)
    if n:
        counts[np.arange(n), np.arange(n)] = own[np.searchsorted(rows, actors)]
    R = SimilarityMatrix(values, actors, codes="cow", at=int(year), n=counts)
    R._source = {"spec": spec, "rows": rows, "measure": _MEASURE_ID[measure], "min_n": min_n}
    return R


def ideal_distance(
    idealpoints: pd.DataFrame,
    *,
    column: str = "idealpoint",
    years: Iterable[int] | int | None = None,
) -> pd.DataFrame:
    """Absolute distance of UN ideal points for every directed dyad-year.

    ``distance = |x_i - x_j|`` for the states with an estimate in the year
    (Bailey, Strezhnev & Voeten 2017). States with a missing estimate are left
    out of that year, counted and reported.

    Parameters
    ----------
    idealpoints : DataFrame
        ``ccode, year`` and ``column``, as :func:`multipolar.read_idealpoints`
        returns.
    column : str, default "idealpoint"
        The estimate to compare (e.g. ``"idealpointfp"`` in the 2025 file).
    years : int or iterable of int, optional
        Years to compute; by default all.

    Returns
    -------
    DataFrame
        ``ccode1, ccode2, year`` (int64) and ``distance`` (float64), both
        orders of every pair, sorted by year, ccode1, ccode2.

    Raises
    ------
    ValueError
        Missing columns or duplicate (ccode, year) rows.

    Warns
    -----
    UserWarning
        Rows (of the requested years) with a missing estimate in ``column``
        are left out, counted and reported.

    References
    ----------
    Bailey, M. A., Strezhnev, A., & Voeten, E. (2017). Estimating dynamic state
    preferences from United Nations voting data. *Journal of Conflict
    Resolution*, 61(2), 430-456.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> ip = pd.DataFrame({"ccode": [2, 365], "year": 2015, "idealpoint": [2.5, 0.2]})
    >>> mp.ideal_distance(ip)["distance"].tolist()
    [2.3, 2.3]
    """
    func = "ideal_distance"
    require_frame(idealpoints, func, "idealpoints")
    require_columns(idealpoints, ["ccode", "year", column], func, "idealpoints")
    cc = int_keys(idealpoints["ccode"], func, "ccode")
    yr = int_keys(idealpoints["year"], func, "year")
    x = value_array(idealpoints[column], func, column).astype(np.float64)
    keep = np.ones(len(x), dtype=bool)
    yrs = _year_list(years, func)
    if yrs is not None:
        keep &= np.isin(yr, yrs)
    missing = keep & np.isnan(x)
    first_missing = (int(cc[missing][0]), int(yr[missing][0])) if missing.any() else None
    keep &= ~missing
    cc, yr, x = cc[keep], yr[keep], x[keep]
    order = np.lexsort((cc, yr))
    cc, yr, x = cc[order], yr[order], x[order]
    if len(cc) > 1:
        dup = (cc[1:] == cc[:-1]) & (yr[1:] == yr[:-1])
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise ValueError(
                f"{func}: idealpoints has duplicate (ccode, year) rows; got ({cc[i]}, {yr[i]})"
            )
    if first_missing is not None:
        warnings.warn(
            f"{func}: left out {int(missing.sum())} rows with a missing ideal point, "
            f"e.g. ccode {first_missing[0]} in {first_missing[1]}",
            UserWarning,
            stacklevel=2,
        )
    bounds = np.flatnonzero(np.diff(yr)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(yr)]])
    p1, p2, py, pd_ = [], [], [], []
    for s, e in zip(starts.tolist(), ends.tolist()):
        m = e - s
        if m < 2:
            continue
        i, j = np.nonzero(~np.eye(m, dtype=bool))
        p1.append(cc[s + i])
        p2.append(cc[s + j])
        py.append(np.full(len(i), yr[s], dtype=np.int64))
        pd_.append(np.abs(x[s + i] - x[s + j]))
    if not p1:
        return pd.DataFrame(
            {
                "ccode1": np.zeros(0, np.int64),
                "ccode2": np.zeros(0, np.int64),
                "year": np.zeros(0, np.int64),
                "distance": np.zeros(0),
            }
        )
    return pd.DataFrame(
        {
            "ccode1": np.concatenate(p1),
            "ccode2": np.concatenate(p2),
            "year": np.concatenate(py),
            "distance": np.concatenate(pd_),
        },
        copy=False,
    )

