"""Events summed by time bin: :func:`event_tensor` (T × N × N) and :func:`dyad_series`.

One pass of the C kernel ``_core.bin_accumulate`` puts each event's weight
in the cell of its bin and dyad; the bins span all events, so tensors and
series built from the same events align.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

from ._common import _normalize_actors, _plain
from .accumulate import (
    kernel_call,
    _DIRECT_UNION,
    EventSpec,
    event_columns,
    kernel_names,
    resolve_actors,
    symmetric,
    warn_counts,
)
from .matrix import RelationMatrix

__all__ = ["EventTensor", "dyad_series", "event_tensor"]


class EventTensor(NamedTuple):
    """Events summed by time bin and dyad (:func:`event_tensor`).

    Attributes
    ----------
    values : numpy.ndarray, shape (T, N, N)
        ``values[k, i, j]``: sum of the weights of the events from actor i
        to actor j in bin k.
    times : pandas.DatetimeIndex
        Start of each bin (length T).
    actors : pandas.Index
        Actor labels (length N).
    codes : str
        Code system of ``actors``.
    """

    values: np.ndarray
    times: pd.DatetimeIndex
    actors: pd.Index
    codes: str

    def matrix(self, k: int) -> RelationMatrix:
        """Bin ``k`` as a :class:`RelationMatrix` (``at`` = the bin start)."""
        return RelationMatrix._from_parts(
            np.array(self.values[k]), self.actors, self.codes, self.times[k]
        )


#: Most bins event_tensor and dyad_series make: a guard against a freq far finer than the
#: events' span (one nanosecond over years), which would ask for petabytes.
_MAX_BINS = 10_000_000


def _bin_edges(t: np.ndarray, ns: int, freq: Any, func: str) -> pd.DatetimeIndex:
    """Bin edges covering the non-NaT times: the first bin starts at the freq
    boundary at or before the earliest time."""
    from pandas.tseries.frequencies import to_offset
    from pandas.tseries.offsets import Tick

    try:
        off = to_offset(freq)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: freq must be a pandas offset alias such as 'MS'; got {freq!r}") from None
    if off is None:
        raise ValueError(f"{func}: freq must be a pandas offset alias such as 'MS'; got None")
    if off.n <= 0:
        # a zero step never advances, a negative one runs backwards from the first event
        raise ValueError(f"{func}: freq must be a positive step such as 'MS' or '7D'; got {freq!r}")
    valid = t[t != np.iinfo(np.int64).min] if len(t) else t
    if len(valid) == 0:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    t0 = pd.Timestamp(int(valid.min()) * ns, unit="ns")
    t1 = pd.Timestamp(int(valid.max()) * ns, unit="ns")
    if isinstance(off, Tick):
        start = t0.floor(off)
        nbins = (t1.value - start.value) // off.nanos + 1
    else:
        start = off.rollback(t0.normalize())
        # calendar offsets: at least 28 days a month-based step; bound the count from below
        nbins = (t1.value - start.value) // (86_400 * 10**9) + 1
        nbins = min(nbins, (t1.year - start.year + 1) * 366 * 24)
    if nbins > _MAX_BINS:
        raise ValueError(
            f"{func}: freq must give at most {_MAX_BINS:,} bins over the events' span "
            f"{t0} .. {t1}; got {freq!r}, about {nbins:,} bins"
        )
    try:
        edges = pd.date_range(start, t1 + off, freq=off, unit="ns")
    except OutOfBoundsDatetime:
        raise ValueError(
            f"{func}: freq must leave the last bin inside pandas' time range (up to "
            f"{pd.Timestamp.max}); got {freq!r} after {t1}"
        ) from None
    if len(edges) - 1 > _MAX_BINS:
        raise ValueError(
            f"{func}: freq must give at most {_MAX_BINS:,} bins over the events' span "
            f"{t0} .. {t1}; got {freq!r}, {len(edges) - 1:,} bins"
        )
    return edges


def _binned(
    events: pd.DataFrame, freq: Any, actors: Any, weight: Any, codes: Any, actor_cols: Any,
    time_col: Any, func: str, directed: bool = True,
) -> tuple[np.ndarray, pd.DatetimeIndex, pd.Index, str, tuple[int, ...]]:
    from .. import _core

    spec = EventSpec.make(events, weight, None, directed, codes, actor_cols, time_col, func)
    if time_col is None:
        raise ValueError(f"{func}: time_col must name a datetime column; got None")
    fixed = None if actors is None else _normalize_actors(actors, spec.codes, func)
    cols = event_columns(events, spec, weight, func)
    t, ns = cols["t"], cols["ns"]
    edges = _bin_edges(t, ns, freq, func)
    nb = max(len(edges) - 1, 0)
    limit = _DIRECT_UNION if nb <= 16 else 256
    idx, map1, map2 = resolve_actors(cols["k1"], cols["c1"], cols["k2"], cols["c2"], fixed,
                                      spec.codes, func, limit)
    n = len(idx)
    out = np.zeros((nb, n, n))
    used = np.zeros(n, np.uint8) if fixed is None else None
    edge_ticks = (edges.asi8 // ns) if len(edges) else np.zeros(1, np.int64)
    counts = kernel_call(
        func, _core.bin_accumulate, out=out, code1=cols["k1"], map1=map1, code2=cols["k2"],
        map2=map2, weight=cols["w"], time=t,
        edges=np.ascontiguousarray(edge_ticks, dtype=np.int64), used=used,
        names=kernel_names(spec, weight),
    )
    if used is not None and not used.all():
        pos = np.flatnonzero(used)
        out = out[:, pos[:, None], pos[None, :]]
        idx = idx[pos]
    if not spec.directed:
        out = symmetric(out)
    return out, edges[:-1] if len(edges) else edges, idx, spec.codes, tuple(counts)


def event_tensor(
    events: pd.DataFrame,
    freq: Any = "MS",
    actors: Any = None,
    *,
    weight: Any = "goldstein",
    directed: bool = True,
    codes: str | None = None,
    actor_cols: tuple[Hashable, Hashable] = ("actor1", "actor2"),
    time_col: Hashable = "date",
) -> EventTensor:
    """Sum event weights by time bin and dyad: a T × N × N tensor.

    .. math:: X_{kij} = \\sum_{e:\\, i \\to j,\\; b_k \\le t_e < b_{k+1}} w_e

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event (e.g. :func:`multipolar.read_gdelt`).
    freq : str or pandas offset, default "MS"
        Bin width, a pandas offset alias ("D", "W", "MS", "QS", "YS",
        "7D", ...), a positive step. The first bin starts at the boundary at
        or before the earliest event; bins run to the latest event, empty bins
        included; at most 10,000,000 bins (a finer step raises ValueError).
    actors : list-like, optional
        Actors (in the events' code system), in this order. Default: the
        sorted actors present. Events of other actors are counted and
        reported.
    weight : default "goldstein"
        As in :meth:`RelationMatrix.from_events`: "goldstein", "count",
        "quad1".."quad4", a column name or an array.
    directed : bool, default True
        If False, each bin is symmetric (both directions summed, the diagonal
        once).
    codes, actor_cols, time_col
        As in :meth:`RelationMatrix.from_events`.

    Returns
    -------
    EventTensor
        ``(values, times, actors, codes)``; ``times`` are bin starts.

    Warns
    -----
    UserWarning
        With the counts of the events left out.

    Notes
    -----
    One C pass (``_core.bin_accumulate``): each event's bin is found by a
    binary search over the edges (the previous event's bin is tried first),
    so events may come in any order.

    Examples
    --------
    >>> import pandas as pd
    >>> from multipolar.relations import event_tensor
    >>> ev = pd.DataFrame({"actor1": ["RUS", "RUS", "CHN"], "actor2": ["CHN", "CHN", "RUS"],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-01-09"]),
    ...                    "goldstein": [4.0, 2.0, 1.0]})
    >>> X = event_tensor(ev, "MS")
    >>> X.values.shape, list(X.actors), X.values[:, 1, 0].tolist()
    ((3, 2, 2), ['CHN', 'RUS'], [4.0, 0.0, 2.0])
    """
    func = "event_tensor"
    out, times, idx, codes_, counts = _binned(
        events, freq, actors, weight, codes, actor_cols, time_col, func, directed
    )
    warn_counts(func, counts, stacklevel=3)
    return EventTensor(out, pd.DatetimeIndex(times), idx, codes_)


def dyad_series(
    events: pd.DataFrame,
    a: Any,
    b: Any,
    freq: Any = "MS",
    weight: Any = "goldstein",
    both: bool = False,
    *,
    codes: str | None = None,
    actor_cols: tuple[Hashable, Hashable] = ("actor1", "actor2"),
    time_col: Hashable = "date",
) -> pd.Series:
    """Time series of one dyad: the summed weights of a's events towards b per bin.

    .. math:: s_k = \\sum_{e:\\, a \\to b,\\; b_k \\le t_e < b_{k+1}} w_e
              \\;(+ \\sum_{e:\\, b \\to a} w_e \\text{ if both})

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event.
    a, b : actor codes
        In the events' code system (CAMEO strings for GDELT).
    freq : str or pandas offset, default "MS"
        Bin width; bins as in :func:`event_tensor` (spanning all events, so
        series of different dyads from the same events align).
    weight : default "goldstein"
        As in :meth:`RelationMatrix.from_events`; "count" counts events,
        "quad1" counts verbal cooperation, and so on.
    both : bool, default False
        Add the events from b to a.
    codes, actor_cols, time_col
        As in :meth:`RelationMatrix.from_events`.

    Returns
    -------
    pandas.Series
        float64, indexed by bin start, named "a->b" (or "a<->b"). Events of
        other dyads are left out without a warning.

    Warns
    -----
    UserWarning
        With the count of the dyad's own events (a to b, and b to a if
        ``both``) left out for a missing weight or time.

    Examples
    --------
    >>> import pandas as pd
    >>> from multipolar.relations import dyad_series
    >>> ev = pd.DataFrame({"actor1": ["RUS", "RUS", "CHN", "RUS"],
    ...                    "actor2": ["CHN", "CHN", "RUS", "USA"],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-01-09",
    ...                                            "2024-02-01"]),
    ...                    "goldstein": [4.0, 2.0, 1.0, -5.0]})
    >>> dyad_series(ev, "RUS", "CHN", both=True).tolist()
    [5.0, 0.0, 2.0]
    """
    func = "dyad_series"
    if not isinstance(both, (bool, np.bool_)):
        raise TypeError(f"{func}: both must be a bool; got {both!r}")
    pair = [a] if _same_key(a, b) else [a, b]
    # events of other dyads are left out on purpose and not reported
    out, times, _, codes_, counts = _binned(
        events, freq, pair, weight, codes, actor_cols, time_col, func
    )
    if len(pair) == 1:
        vals = out[:, 0, 0].copy()
    else:
        vals = out[:, 0, 1] + (out[:, 1, 0] if both else 0.0)
    name = f"{_plain(a)}<->{_plain(b)}" if both else f"{_plain(a)}->{_plain(b)}"
    if counts[4]:
        # some events among a and b lack a weight or time: count the dyad's own
        spec = EventSpec.make(events, weight, None, True, codes_, actor_cols, time_col, func)
        cols = event_columns(events, spec, weight, func)
        fixed = _normalize_actors(pair, codes_, func)
        _, map1, map2 = resolve_actors(cols["k1"], cols["c1"], cols["k2"], cols["c2"], fixed,
                                        codes_, func, _DIRECT_UNION)
        k1 = cols["k1"].astype(np.int64)
        k2 = cols["k2"].astype(np.int64)
        p1 = np.where(k1 >= 0, map1[np.maximum(k1, 0)], -1) if len(map1) else np.full(len(k1), -1)
        p2 = np.where(k2 >= 0, map2[np.maximum(k2, 0)], -1) if len(map2) else np.full(len(k2), -1)
        if len(pair) == 1:
            own = (p1 == 0) & (p2 == 0)
        else:
            own = (p1 == 0) & (p2 == 1)
            if both:
                own |= (p1 == 1) & (p2 == 0)
        lost = own & (
            (cols["t"] == np.iinfo(np.int64).min) | np.isnan(cols["w"].astype(np.float64))
        )
        nlost = int(np.count_nonzero(lost))
        if nlost:
            warnings.warn(
                f"{func}: left out {nlost} events of {name} with a missing weight or time",
                UserWarning,
                stacklevel=2,
            )
    return pd.Series(vals, index=pd.DatetimeIndex(times, name=time_col), name=name)


def _same_key(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
