"""Realignments: the breaks of every dyad's relationship, and blocs followed through time.

:func:`realignments` runs :func:`multipolar.changepoints` over every dyad of a
similarity frame and ranks the breaks by the size of the shift, filtered by
state and period. :func:`blocs_over_time` partitions each year with
:func:`multipolar.blocs` and matches bloc labels from year to year, so that a
label means the same bloc throughout, and lists the states that switch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._validation import require_columns, require_frame, resolve_states
from .changepoints import ChangePoints, _changepoints

__all__ = ["BlocsOverTime", "blocs_over_time", "realignments"]


def _state(value: Any, func: str, arg: str) -> int:
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    return int(resolve_states([value], func, arg)[0])


def realignments(
    similarity: pd.DataFrame,
    measure: str = "kappa",
    *,
    state: Any = None,
    partner: Any = None,
    period: tuple[int, int] | None = None,
    penalty: Any = "bic",
    min_size: int = 3,
    directed: bool = False,
) -> ChangePoints:
    """Breaks in every dyad's similarity series, largest shifts first.

    Each dyad's yearly series of ``measure`` is segmented by
    :func:`multipolar.changepoints` (PELT, Gaussian change in mean with the
    variance estimated per dyad from first differences, penalty ``"bic"``
    = 2 sigma^2 log n; see there for the formulas and sources). Years
    without a value for the dyad are gaps. The breaks are ranked by
    ``|shift|``, the change in the dyad's mean similarity.

    Parameters
    ----------
    similarity : DataFrame
        ``ccode1, ccode2, year, <measure>`` and optionally ``n`` (the roll
        calls behind each value), as :func:`multipolar.similarity` returns.
    measure : str, default "kappa"
    state : int or str, optional
        Only dyads of this state ("who realigned with Russia?"), reported
        with ``ccode1`` = the state.
    partner : int or str, optional
        Only dyads with this other state.
    period : (int, int), optional
        Only breaks whose year lies in [first, last].
    penalty, min_size
        As for :func:`multipolar.changepoints`; ``min_size`` defaults to 3
        years here, so that a one- or two-year blip is not a realignment.
    directed : bool, default False
        False: each unordered dyad once (the row with ``ccode1 < ccode2``;
        right for symmetric measures, as all UN-vote measures are). True:
        both directions, each its own series.

    Returns
    -------
    ChangePoints
        ``.breaks`` sorted by ``|shift|`` (largest first) with the evidence
        columns ``evidence_before``/``evidence_after`` (sums of ``n``) when
        the frame has ``n``; ``.skipped`` counts the dyads with too few years.

    Examples
    --------
    >>> import multipolar as mp
    >>> votes = mp.read_unvotes("un_votes/voeten_UNVotesPublished.csv.gz")   # doctest: +SKIP
    >>> sim = mp.similarity(votes, kind="unvote", measures=("kappa",))        # doctest: +SKIP
    >>> mp.realignments(sim, state="RUS", partner="CHN").breaks                # doctest: +SKIP
    """
    func = "realignments"
    require_frame(similarity, func, "similarity")
    require_columns(similarity, ["ccode1", "ccode2", "year", measure], func, "similarity")
    if not isinstance(directed, (bool, np.bool_)):
        raise TypeError(f"{func}: directed must be a bool; got {directed!r}")
    if period is not None:
        lo, hi = _period(period, func)
    c1 = similarity["ccode1"].to_numpy()
    c2 = similarity["ccode2"].to_numpy()
    mask = np.ones(len(similarity), dtype=bool) if directed else c1 < c2
    s = _state(state, func, "state") if state is not None else None
    p = _state(partner, func, "partner") if partner is not None else None
    if s is not None:
        mask &= (c1 == s) | (c2 == s) if not directed else c1 == s
    if p is not None:
        mask &= (c1 == p) | (c2 == p) if not directed else c2 == p
    cols = [c for c in ("ccode1", "ccode2", "year", measure, "n") if c in similarity.columns]
    frame = similarity.loc[mask, cols]
    if s is not None and not directed:
        swap = frame["ccode1"].to_numpy() != s
        a, b = frame["ccode1"].to_numpy().copy(), frame["ccode2"].to_numpy().copy()
        a[swap], b[swap] = b[swap], a[swap]
        frame = frame.assign(ccode1=a, ccode2=b)
    res = _changepoints(frame, measure, "mean", penalty, min_size, None, ("ccode1", "ccode2"),
                        "year", func)
    br = res.breaks
    if period is not None:
        br = br[(br["year"] >= lo) & (br["year"] <= hi)]
    order = np.argsort(-np.abs(br["shift"].to_numpy()), kind="stable")
    res.breaks = br.iloc[order].reset_index(drop=True)
    res.info["measure"] = measure
    return res


def _period(period: Any, func: str) -> tuple[int, int]:
    """A (first, last) pair of whole years with first <= last."""
    if isinstance(period, (str, bytes)) or not hasattr(period, "__len__"):
        raise TypeError(f"{func}: period must be a (first, last) pair of years; got {period!r}")
    if len(period) != 2:
        raise ValueError(f"{func}: period must be (first, last); got {period!r}")
    lo, hi = period
    for v in (lo, hi):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{func}: period must hold whole years; got {period!r}")
    if lo > hi:
        raise ValueError(f"{func}: period must be (first, last) with first <= last; "
                         f"got {period!r}")
    return int(lo), int(hi)


@dataclass
class BlocsOverTime:
    """Blocs per year with labels matched across years (:func:`blocs_over_time`).

    Attributes
    ----------
    labels : DataFrame
        State (rows, COW ccode) by year (columns): the matched bloc label,
        NaN where the state has no data that year.
    margin : DataFrame
        Same shape: the state's margin (0 on the boundary, 1 at its bloc's
        centre; see :func:`multipolar.blocs`).
    switchers : DataFrame
        One row per change of bloc between two consecutive years in which a
        state is present: ``ccode, year`` (the first year in the new bloc),
        ``from, to``, ``margin_before, margin_after``.
    years : list of int
    k : int
    """

    labels: pd.DataFrame
    margin: pd.DataFrame
    switchers: pd.DataFrame
    years: list[int]
    k: int

    def _headline(self) -> list[tuple[str, str]]:
        from .plot import _state_names

        span = f"{self.years[0]}-{self.years[-1]}" if self.years else "none"
        rows = [("years", f"{span} ({len(self.years)})"), ("blocs", str(self.k)),
                ("states", str(len(self.labels))),
                ("switches", str(len(self.switchers)))]
        if len(self.switchers):
            counts = self.switchers["ccode"].value_counts(sort=True)
            rows.append(("states switching most", _state_names(list(counts.index))))
        return rows

    def __repr__(self) -> str:
        return "BlocsOverTime(" + "; ".join(f"{k}: {v}" for k, v in self._headline()) + ")"

    def _repr_html_(self) -> str:
        from .plot import _html_table

        return _html_table("BlocsOverTime", self._headline())

    def to_frame(self) -> pd.DataFrame:
        """Long frame: one row per state and year present, ``ccode, year, bloc, margin``."""
        L = self.labels.to_numpy(dtype=np.float64)
        M = self.margin.reindex(index=self.labels.index, columns=self.labels.columns)
        r, c = np.nonzero(~np.isnan(L))
        return pd.DataFrame({
            "ccode": self.labels.index.to_numpy()[r],
            "year": self.labels.columns.to_numpy()[c],
            "bloc": L[r, c].astype(np.int64),
            "margin": M.to_numpy(dtype=np.float64)[r, c],
        })

    def plot(self, ax: Any = None) -> Any:
        """State-by-year heat map of bloc membership, states ordered by bloc
        (:func:`multipolar.plot.plot_blocs_over_time`)."""
        from .plot import plot_blocs_over_time

        return plot_blocs_over_time(self, ax=ax)


def _year_matrices(data: Any, years: Any, measure: str, func: str) -> dict[int, pd.DataFrame]:
    """{year: square similarity frame} from a long frame or a mapping of matrices."""
    if isinstance(data, Mapping):
        keys = sorted(data) if years is None else [int(y) for y in years]
        missing = [y for y in keys if y not in data]
        if missing:
            raise ValueError(f"{func}: data has no matrix for year(s) {missing}")
        return {int(y): data[y] for y in keys}
    require_frame(data, func, "data")
    require_columns(data, ["ccode1", "ccode2", "year", measure], func, "data")
    yr = data["year"].to_numpy()
    have = np.unique(yr)
    keys = [int(y) for y in have] if years is None else [int(y) for y in years]
    missing = [y for y in keys if y not in set(have.tolist())]
    if missing:
        raise ValueError(f"{func}: data has no rows for year(s) {missing}")
    c1 = data["ccode1"].to_numpy()
    c2 = data["ccode2"].to_numpy()
    val = pd.to_numeric(data[measure], errors="coerce").to_numpy(dtype=np.float64)
    out = {}
    for y in keys:
        rows = np.flatnonzero(yr == y)
        actors = np.unique(np.concatenate([c1[rows], c2[rows]]))
        arr = np.full((len(actors), len(actors)), np.nan)
        arr[np.searchsorted(actors, c1[rows]), np.searchsorted(actors, c2[rows])] = val[rows]
        np.fill_diagonal(arr, 1.0)
        out[y] = pd.DataFrame(arr, index=pd.Index(actors), columns=pd.Index(actors))
    return out


def blocs_over_time(
    data: Any,
    years: Any = None,
    k: int = 2,
    *,
    measure: str = "kappa",
    bounds: tuple[float, float] = (-1.0, 1.0),
    borderline: float = 0.1,
) -> BlocsOverTime:
    """Blocs in every year, with labels that follow the blocs through time.

    Each year's similarity matrix is partitioned by :func:`multipolar.blocs`
    (normalized spectral clustering, Ng, Jordan & Weiss 2002). The labels of
    year t are then matched to those of the year before by an assignment
    problem on bloc overlap: the permutation that maximises the number of
    states present in both years who keep their label (Hungarian method,
    ``scipy.optimize.linear_sum_assignment``; Kuhn 1955). A label therefore
    names the same bloc from year to year, and a state whose label changes
    has switched bloc.

    Parameters
    ----------
    data : DataFrame or mapping
        A long similarity frame (``ccode1, ccode2, year, <measure>``, as
        :func:`multipolar.similarity` returns) or ``{year: matrix}``
        (RelationMatrix or square DataFrame).
    years : iterable of int, optional
        Years to partition (default: every year of ``data``), in order.
    k : int, default 2
    measure : str, default "kappa"
        The value column of a long frame.
    bounds, borderline
        As for :func:`multipolar.blocs`.

    Returns
    -------
    BlocsOverTime
        ``.labels`` and ``.margin`` (state x year), ``.switchers`` (state,
        year, from, to, margin before and after); ``.plot()`` draws the heat
        map.

    References
    ----------
    Kuhn, H. W. (1955). The Hungarian method for the assignment problem.
    *Naval Research Logistics Quarterly*, 2, 83-97. Ng, A. Y., Jordan, M. I., &
    Weiss, Y. (2002). On spectral clustering. *NIPS 14*.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> rows = [(a, b, y, 0.9 if (a < 100) == (b < 100) else -0.5)
    ...         for y in (2000, 2001) for a in (2, 20, 365, 710) for b in (2, 20, 365, 710)
    ...         if a != b]
    >>> sim = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "kappa"])
    >>> bt = mp.blocs_over_time(sim, k=2)
    >>> bt.labels[2001].tolist() == bt.labels[2000].tolist(), len(bt.switchers)
    (True, 0)
    """
    from .structure import blocs

    func = "blocs_over_time"
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"{func}: k must be an integer >= 2; got {k!r}")
    mats = _year_matrices(data, years, measure, func)
    labels: dict[int, pd.Series] = {}
    margins: dict[int, pd.Series] = {}
    prev = None
    for y, mat in mats.items():
        res = blocs(mat, k, bounds=bounds, borderline=borderline, reference=prev)
        labels[y] = res.labels  # type: ignore[union-attr]
        margins[y] = res.margin  # type: ignore[union-attr]
        prev = res
    lab = pd.DataFrame(labels).sort_index()
    mar = pd.DataFrame(margins).reindex(lab.index)
    lab.index.name = mar.index.name = "ccode"
    rows = []
    L, M = lab.to_numpy(dtype=np.float64), mar.to_numpy(dtype=np.float64)
    ys = list(lab.columns)
    for i, c in enumerate(lab.index):
        present = np.flatnonzero(~np.isnan(L[i]))
        for a, b in zip(present[:-1], present[1:]):
            if L[i, a] != L[i, b]:
                rows.append((c, ys[b], int(L[i, a]), int(L[i, b]), M[i, a], M[i, b]))
    sw = pd.DataFrame(rows, columns=["ccode", "year", "from", "to", "margin_before",
                                     "margin_after"])
    return BlocsOverTime(lab, mar, sw, [int(y) for y in ys], int(k))
