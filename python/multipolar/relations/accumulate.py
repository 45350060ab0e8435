"""One pass of events into dyadic sums, shared by :mod:`.events` (decayed matrices),
:mod:`.tensor` (time-binned tensors) and :mod:`multipolar.distributed` (partial
matrices merged across workers): the event description (:class:`EventSpec`), the
column checks, the C kernel call with its argument names restated, and the merge of
partial results. Internal: nothing here is public.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

from .._errors import InputError
from .._errors import call as _call
from .._validation import factorize
from ._common import _check_codes, _examples, _normalize_actors

__all__: list[str] = []  # nothing public: see the package's __init__


# ---------------------------------------------------------------- specs, columns, one pass


_NS_PER_UNIT = {
    "ns": 1,
    "us": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    "D": 86_400_000_000_000,
}
_DAY_NS = 86_400_000_000_000
_QUAD_WEIGHTS = ("quad1", "quad2", "quad3", "quad4")
# Largest union of categories accumulated before cutting to the actors used
# (beyond it, unused categories are removed first with a bincount).
_DIRECT_UNION = 2048


class EventSpec:
    """How events become weights, actors and times (fixed by from_events)."""

    __slots__ = ("actor_cols", "codes", "directed", "half_life", "time_col", "weight")

    actor_cols: tuple[Hashable, Hashable]
    codes: Any  # None until make() has checked the frame
    directed: bool
    half_life: pd.Timedelta | None
    time_col: Hashable | None
    weight: Any  # a name or column label; None for an array

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)

    @classmethod
    def make(
        cls, events: Any, weight: Any, half_life: Any, directed: Any, codes: Any,
        actor_cols: Any, time_col: Any, func: str,
    ) -> EventSpec:
        if not isinstance(events, pd.DataFrame):
            raise TypeError(f"{func}: events must be a pandas DataFrame; got {type(events).__name__}")
        if not isinstance(directed, (bool, np.bool_)):
            raise TypeError(f"{func}: directed must be a bool; got {directed!r}")
        if (
            isinstance(actor_cols, (str, bytes))
            or not isinstance(actor_cols, (tuple, list))
            or len(actor_cols) != 2
        ):
            raise TypeError(f"{func}: actor_cols must be a pair of column labels; got {actor_cols!r}")
        hl = None
        if isinstance(half_life, (bool, np.bool_, int, np.integer, float, np.floating)):
            # pandas reads a bare number as nanoseconds: never what a half-life means here
            raise TypeError(
                f"{func}: half_life must be a duration such as '90D' or a Timedelta; "
                f"got {half_life!r}"
            )
        if half_life is not None:
            try:
                hl = pd.Timedelta(half_life)
            except (TypeError, ValueError):
                raise ValueError(
                    f"{func}: half_life must be a fixed duration such as '90D'; got {half_life!r}"
                ) from None
            if pd.isna(hl) or hl <= pd.Timedelta(0):
                raise ValueError(f"{func}: half_life must be positive; got {half_life!r}")
            if time_col is None:
                raise ValueError(f"{func}: half_life needs a time_col; got time_col=None")
        spec = cls(
            actor_cols=tuple(actor_cols), codes=None, directed=bool(directed), half_life=hl,
            time_col=time_col, weight=_weight_spec(weight, func),
        )
        _check_event_frame(events, spec, weight, func)
        if codes is None:
            codes = "cow" if _integer_keys(events[actor_cols[0]]) else "cameo"
        spec.codes = _check_codes(codes, func)
        return spec


class EventState:
    """What update() needs besides the matrix: spec, quad tensor, fixed actors, counts."""

    __slots__ = ("counts", "fixed", "quad", "seen", "spec")

    def __init__(self, spec: EventSpec, quad: np.ndarray | None, fixed: bool,
                 counts: tuple[int, ...]) -> None:
        self.spec = spec
        self.quad = quad
        self.fixed = fixed
        self.counts = counts
        self.seen: SeenIds | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.seen = None  # pickles written before ids were remembered
        for name, val in state.items():
            setattr(self, name, val)
        # pickle rebuilds arrays writeable; quad_counts is documented read-only
        if isinstance(self.quad, np.ndarray) and self.quad.flags.writeable:
            self.quad.flags.writeable = False


class SeenIds:
    """The event ids a matrix was offered, exactly: a sorted int64 array for integer
    ids (8 bytes each, searched by bisection), a set otherwise."""

    __slots__ = ("column", "ints", "objects", "skipped")

    def __init__(self, column: Hashable) -> None:
        self.column = column
        self.ints: np.ndarray | None = None
        self.objects: set[Any] | None = None
        self.skipped = 0

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, val in state.items():
            setattr(self, name, val)

    def _ids(self, events: pd.DataFrame, func: str) -> pd.Series:
        if not _has_column(events, self.column):
            raise KeyError(f"{func}: dedupe column not found in events; got {self.column!r}")
        ids = events[self.column]
        if isinstance(ids, pd.DataFrame):
            raise ValueError(f"{func}: dedupe column {self.column!r} appears more than once")
        bad = ids.isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{func}: dedupe column {self.column!r} must hold an id for every event; "
                f"{int(bad.sum())} missing, the first at row {row}",
                function=func, argument="dedupe", row=row, value=None,
            )
        return ids

    def new_mask(self, ids: pd.Series) -> tuple[np.ndarray, Callable[[], None]]:
        """True for rows whose id is neither remembered nor earlier in ``ids``, and the
        function that remembers them (called once the rows were counted, so a batch that
        fails half-way can be fed again)."""
        first = ~ids.duplicated(keep="first").to_numpy()
        if pd.api.types.is_signed_integer_dtype(ids.dtype) and self.objects is None:
            arr = ids.to_numpy(dtype=np.int64)
            keep = first
            old = self.ints
            if old is not None and len(old):
                pos = np.searchsorted(old, arr)
                keep = first & ~(old[np.minimum(pos, len(old) - 1)] == arr)
            new = np.sort(arr[keep])
            merged = new if old is None else _merge_sorted(old, new)

            def commit() -> None:
                self.ints = merged
                self.skipped += int(len(keep) - keep.sum())
        else:
            # ids of another kind than before (or not integers): all of them in one set
            seen = self.objects
            if seen is None:
                seen = set() if self.ints is None else set(self.ints.tolist())
            values = ids.tolist()
            keep = np.array([f and v not in seen for f, v in zip(first, values)], dtype=bool)

            def commit() -> None:
                seen.update(v for v, k in zip(values, keep) if k)
                self.objects = seen
                self.ints = None
                self.skipped += int(len(keep) - keep.sum())
        return keep, commit

    def new_events(
        self, events: pd.DataFrame, weight: Any, func: str
    ) -> tuple[pd.DataFrame, Any, Callable[[], None]]:
        """The rows of ``events`` to count, a weight array cut to match, and the commit."""
        keep, commit = self.new_mask(self._ids(events, func))
        if keep.all():
            return events, weight, commit
        if isinstance(weight, pd.Series):
            weight = _align_weight(events, weight, func).to_numpy()
        if isinstance(weight, (np.ndarray, pd.Index, list)):
            arr = np.asarray(weight)
            if arr.ndim == 1 and len(arr) == len(events):
                weight = arr[keep]
        return events.loc[keep], weight, commit


def _merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Union of two sorted int64 arrays without common values, sorted."""
    out = np.empty(len(a) + len(b), dtype=np.int64)
    pos = np.searchsorted(a, b) + np.arange(len(b))
    mask = np.zeros(len(out), dtype=bool)
    mask[pos] = True
    out[mask] = b
    out[~mask] = a
    return out


class Part:
    __slots__ = ("actors", "at", "counts", "quad", "values")

    def __init__(self, values: np.ndarray, quad: np.ndarray | None, actors: pd.Index, at: Any,
                 counts: tuple[int, ...]) -> None:
        self.values = values
        self.quad = quad
        self.actors = actors
        self.at = at
        self.counts = counts


def _weight_spec(weight: Any, func: str) -> Any:
    """The storable part of a weight argument: a name, or None for an array."""
    if isinstance(weight, (np.ndarray, pd.Series, pd.Index, list)):
        return None
    if weight is None:
        raise TypeError(f"{func}: weight must be a name, a column label or an array; got None")
    return weight


def _integer_keys(series: pd.Series) -> bool:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    return pd.api.types.is_integer_dtype(dtype)


def _has_column(events: pd.DataFrame, name: Any) -> bool:
    try:
        return name in events.columns
    except TypeError:
        return False


def _check_event_frame(events: Any, spec: EventSpec, weight: Any, func: str) -> None:
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"{func}: events must be a pandas DataFrame; got {type(events).__name__}")
    for arg, name in (("actor_cols", spec.actor_cols[0]), ("actor_cols", spec.actor_cols[1]),
                      ("time_col", spec.time_col)):
        if name is None and arg == "time_col":
            continue
        if not _has_column(events, name):
            raise KeyError(f"{func}: {arg} column not found in events; got {name!r}")
    if isinstance(weight, str) and weight in _QUAD_WEIGHTS:
        if not _has_column(events, "quad_class"):
            raise KeyError(f"{func}: weight {weight!r} needs a 'quad_class' column in events")
    elif isinstance(weight, str) and weight == "count":
        pass
    elif _weight_spec(weight, func) is not None and not _has_column(events, weight):
        raise KeyError(f"{func}: weight column not found in events; got {weight!r}")


def event_at(at: Any, func: str) -> pd.Timestamp | None:
    if at is None:
        return None
    if isinstance(at, (bool, np.bool_, int, np.integer, float)):
        raise TypeError(f"{func}: at must be a time (Timestamp, datetime or date string); got {at!r}")
    try:
        ts = pd.Timestamp(at)
        if ts.tz is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        ts = ts.as_unit("ns")
    except OutOfBoundsDatetime:
        raise InputError(
            f"{func}: at must be a time in {pd.Timestamp.min.date()}..{pd.Timestamp.max.date()} "
            f"(pandas' nanosecond range); got {at!r}", function=func, argument="at", value=at,
        ) from None
    except (TypeError, ValueError):
        raise TypeError(f"{func}: at must be a time; got {at!r}") from None
    if pd.isna(ts):
        raise ValueError(f"{func}: at must not be a missing time; got {at!r}")
    if ts.tz is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.as_unit("ns")


def _later(a: pd.Timestamp | None, b: pd.Timestamp | None) -> pd.Timestamp | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def decay_factor(half_life: pd.Timedelta | None, t0: Any, t1: Any) -> float:
    """2^(-(t1 - t0)/h), 1 without decay or without a time."""
    if half_life is None or t0 is None or t1 is None:
        return 1.0
    return float(np.exp2(-(t1.value - t0.value) / half_life.value))


def _event_time(events: pd.DataFrame, col: Any, func: str) -> tuple[np.ndarray, int]:
    """A time column as int64 ticks (a view when possible) and nanoseconds per tick."""
    s = events[col]
    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    elif not (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        raise TypeError(f"{func}: time column {col!r} must be datetime64; got dtype {dtype}")
    arr = s.to_numpy()
    unit, count = np.datetime_data(arr.dtype)
    if unit not in _NS_PER_UNIT or count != 1:
        arr = arr.astype("M8[ns]")
        unit = "ns"
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    ticks = arr.view(np.int64)
    _check_ns_range(ticks, arr, _NS_PER_UNIT[unit], col, func)
    return ticks, _NS_PER_UNIT[unit]


def _check_ns_range(ticks: np.ndarray, arr: np.ndarray, ns: int, col: Any, func: str) -> None:
    """Times in a unit coarser than ns must lie in pandas' Timestamp range (1677-2262):
    results carry times as nanosecond Timestamps, so a later time cannot be represented."""
    if ns == 1 or not len(ticks):
        return
    nat = np.iinfo(np.int64).min
    hi = np.iinfo(np.int64).max // ns
    lo = (nat + 1) // ns + 1
    bad = (ticks != nat) & ((ticks > hi) | (ticks < lo))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{func}: column {col!r} must hold times in {pd.Timestamp.min.date()}.."
            f"{pd.Timestamp.max.date()} (pandas' nanosecond range); got {arr[row]} at row {row}",
            function=func, argument=str(col), row=row, value=arr[row],
        )


def event_keys(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 missing) and their categories, in order of first appearance.

    A Categorical keeps its own codes (a read-only view, never a copy) and all
    its categories; the kernels mark the actors actually used.
    """
    categorical = isinstance(series.dtype, pd.CategoricalDtype)
    codes, uniques = factorize(
        series, "events", str(series.name), sort=False, dense=not categorical, missing="code"
    )
    return codes, series.cat.categories if categorical else pd.Index(uniques)


def _align_weight(events: pd.DataFrame, weight: pd.Series, func: str) -> pd.Series:
    """A weight Series matched to the events by index label (each label once)."""
    widx = weight.index
    if not widx.is_unique:
        dups = widx[widx.duplicated()].unique()
        raise ValueError(
            f"{func}: weight Series index must not have duplicates; got "
            f"{_examples(dups)}"
        )
    if not widx.equals(events.index):
        pos = widx.get_indexer(events.index)
        if len(widx) != len(events) or (pos < 0).any():
            extra = widx[~widx.isin(events.index)]
            got = (
                f"labels not in events {_examples(extra)}"
                if len(extra)
                else f"{len(widx)} labels for {len(events)} events"
            )
            raise ValueError(
                f"{func}: weight Series index must match the events' index; got {got}"
            )
        weight = weight.iloc[pos]
    return weight


def _event_weight(events: pd.DataFrame, weight: Any, n: int, func: str) -> np.ndarray:
    from .._validation import VALUE_DTYPES, value_array

    if isinstance(weight, pd.Series):
        weight = _align_weight(events, weight, func)
    if isinstance(weight, (np.ndarray, pd.Series, pd.Index, list)):
        arr = np.asarray(weight)
        if arr.ndim != 1 or len(arr) != n:
            raise ValueError(
                f"{func}: weight array must have one value per event ({n}); got shape {arr.shape}"
            )
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{func}: weight array must be numeric; got dtype {arr.dtype}")
        if arr.dtype in VALUE_DTYPES and arr.dtype.isnative:
            return arr
        return arr.astype(np.int64 if arr.dtype.kind in "biu" else np.float64)
    if isinstance(weight, str) and weight == "count":
        return np.broadcast_to(np.float64(1.0), (n,))
    if isinstance(weight, str) and weight in _QUAD_WEIGHTS:
        quad = _event_quad(events, func)
        assert quad is not None
        return (quad == int(weight[-1])).astype(np.int32)
    return value_array(events[weight], func, str(weight))


def _event_quad(events: pd.DataFrame, func: str) -> np.ndarray | None:
    if not _has_column(events, "quad_class"):
        return None
    s = events["quad_class"]
    if s.dtype == np.int8:
        # read as it is (GDELT's own column); two fast reductions say whether it is valid,
        # so the user hears of a bad class in this function's words, not the kernel's
        q = s.to_numpy()
        if len(q) and (q.min() < 1 or q.max() > 4):
            # read again: another thread may have changed the column meanwhile (the
            # kernel re-checks every class it uses)
            outside = np.flatnonzero((q < 1) | (q > 4))
            if len(outside):
                row = int(outside[0])
                raise InputError(
                    f"{func}: column 'quad_class' must hold 1, 2, 3 or 4; got {int(q[row])} at "
                    f"row {row}", function=func, argument="quad_class", row=row, value=int(q[row]),
                )
        return q
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise TypeError(f"{func}: column 'quad_class' must be integer 1-4; got dtype {s.dtype}")
    arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isin(arr, (1.0, 2.0, 3.0, 4.0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = s.iloc[row]
        value = value.item() if isinstance(value, np.generic) else value
        raise InputError(
            f"{func}: column 'quad_class' must hold 1, 2, 3 or 4; got {value!r} at row {row}",
            function=func, argument="quad_class", row=row, value=value,
        )
    return arr.astype(np.int8)


def _same_code_dtype(k1: np.ndarray, k2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from .._validation import CODE_DTYPES

    dt = np.promote_types(k1.dtype, k2.dtype)
    if dt not in CODE_DTYPES:
        dt = np.dtype(np.int64)
    k1 = k1 if k1.dtype == dt and k1.dtype.isnative else k1.astype(dt)
    k2 = k2 if k2.dtype == dt and k2.dtype.isnative else k2.astype(dt)
    return k1, k2


def _used_categories(codes: np.ndarray, ncat: int) -> np.ndarray:
    if ncat == 0 or len(codes) == 0:
        return np.zeros(ncat, dtype=bool)
    return np.bincount(codes.astype(np.int64) + 1, minlength=ncat + 1)[1:] > 0


def resolve_actors(
    k1: np.ndarray, c1: pd.Index, k2: np.ndarray, c2: pd.Index, fixed: pd.Index | None,
    codes: str, func: str, limit: int,
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Actors of the output and the maps from each column's categories to them."""
    if fixed is not None:
        idx = fixed
    else:
        cats1 = np.asarray(c1, dtype=object)
        cats2 = np.asarray(c2, dtype=object)
        if len(cats1) + len(cats2) > limit:
            cats1 = cats1[_used_categories(k1, len(cats1))]
            cats2 = cats2[_used_categories(k2, len(cats2))]
        keys = pd.unique(np.concatenate([cats1, cats2]))
        idx = _normalize_actors(keys, codes, func, arg="actors in the events").sort_values()
    map1 = np.asarray(idx.get_indexer(c1), dtype=np.int64) if len(c1) else np.empty(0, np.int64)
    map2 = np.asarray(idx.get_indexer(c2), dtype=np.int64) if len(c2) else np.empty(0, np.int64)
    return idx, map1, map2


def event_columns(events: pd.DataFrame, spec: EventSpec, weight: Any, func: str) -> dict:
    """The arrays the C kernels take, as views of the frame's columns where possible."""
    n = len(events)
    k1, c1 = event_keys(events[spec.actor_cols[0]])
    k2, c2 = event_keys(events[spec.actor_cols[1]])
    k1, k2 = _same_code_dtype(k1, k2)
    w = _event_weight(events, weight, n, func)
    if spec.time_col is None:
        t, ns = np.broadcast_to(np.int64(0), (n,)), _NS_PER_UNIT["ns"]
    else:
        t, ns = _event_time(events, spec.time_col, func)
    return {"k1": k1, "c1": c1, "k2": k2, "c2": c2, "w": w, "t": t, "ns": ns}


def warn_counts(func: str, counts: tuple[int, ...], stacklevel: int = 4) -> None:
    _, missing, outside, after, nan = counts
    parts = []
    if missing:
        parts.append(f"{missing} with a missing actor")
    if outside:
        parts.append(f"{outside} with an actor outside actors")
    if after:
        parts.append(f"{after} after at")
    if nan:
        parts.append(f"{nan} with a missing weight or time")
    if parts:
        warnings.warn(
            f"{func}: left out {missing + outside + after + nan} events: " + "; ".join(parts),
            UserWarning,
            stacklevel=stacklevel,
        )


def symmetric(a: np.ndarray) -> np.ndarray:
    """A + A.T with the diagonal counted once (last two axes)."""
    out = a + np.swapaxes(a, -1, -2)
    n = a.shape[-1]
    diag = np.arange(n)
    out[..., diag, diag] = a[..., diag, diag]
    return out


def accumulate(
    events: pd.DataFrame, spec: EventSpec, weight: Any, fixed: pd.Index | None,
    at: pd.Timestamp | None, func: str, need_quad: bool | None, warn: bool = True,
) -> Part:
    """One C pass over the events: values (N, N), quad counts, actors, at, counts."""
    from .. import _core

    cols = event_columns(events, spec, weight, func)
    quad = _event_quad(events, func)
    if need_quad and quad is None:
        raise KeyError(f"{func}: events must have a 'quad_class' column (the matrix has quad_counts)")
    if need_quad is False:
        quad = None
    ns = cols["ns"]
    t = cols["t"]
    if spec.time_col is None:
        at_ticks: int | None = 0
    elif at is None:
        at_ticks = None  # the latest event's time, found by the kernel in its pass
    else:
        at_ticks = at.value // ns
    idx, map1, map2 = resolve_actors(cols["k1"], cols["c1"], cols["k2"], cols["c2"], fixed,
                                      spec.codes, func, _DIRECT_UNION)
    n = len(idx)
    out = np.zeros((n, n))
    qout = np.zeros((4, n, n)) if quad is not None else None
    used = np.zeros(n, np.uint8) if fixed is None else None
    half = np.inf if spec.half_life is None else spec.half_life.value / ns
    counts, latest = kernel_call(
        func, _core.decay_accumulate, out=out, quad_out=qout, code1=cols["k1"], map1=map1,
        code2=cols["k2"], map2=map2, weight=cols["w"], time=t, quad=quad, used=used,
        at=at_ticks, day=max(_DAY_NS // ns, 1), half_life=half,
        names=kernel_names(spec, weight),
    )
    at_ts = at
    if at is None and spec.time_col is not None and latest is not None:
        at_ts = pd.Timestamp(latest * ns, unit="ns")
    if used is not None and not used.all():
        pos = np.flatnonzero(used)
        out = out[np.ix_(pos, pos)]
        if qout is not None:
            qout = qout[:, pos[:, None], pos[None, :]]
        idx = idx[pos]
    if not spec.directed:
        out = symmetric(out)
        if qout is not None:
            qout = symmetric(qout)
    if qout is not None:
        qout.flags.writeable = False
    if warn:
        warn_counts(func, counts)
    return Part(np.ascontiguousarray(out), qout, idx, at_ts, tuple(counts))


# ---------------------------------------------------------------- kernel argument names


def kernel_call(func: str, kernel: Any, names: dict[str, str], **kwargs: Any) -> Any:
    """Call an event kernel through :func:`multipolar._errors.call`.

    The wrappers validate codes, maps and quad classes before the call, so a kernel's
    own argument check can only fail when another thread changed the events while the
    call read them: that is what the user is told, in ``func``'s name, instead of the
    kernel's (internal) name.
    """
    try:
        return _call(func, kernel, names=names, **kwargs)
    except InputError:
        raise
    except ValueError as exc:
        if getattr(exc, "status", None) is not None:
            raise
        detail = str(exc).split(": ", 1)[-1]
        raise InputError(
            f"{func}: events must not change while the call reads them; got a value that "
            f"failed its check meanwhile ({detail})", function=func, argument="events",
        ) from None


def kernel_names(spec: EventSpec, weight: Any) -> dict[str, str]:
    """The user's words for the event kernels' arguments (for ``_errors.call``)."""
    names = {
        "code1": f"column {spec.actor_cols[0]!r}",
        "code2": f"column {spec.actor_cols[1]!r}",
        "quad": "column 'quad_class'",
    }
    if spec.time_col is not None:
        names["time"] = f"column {spec.time_col!r}"
    if isinstance(weight, str) and weight not in ("count", *_QUAD_WEIGHTS):
        names["weight"] = f"column {weight!r}"
    return names


# ---------------------------------------------------------------- partial matrices


def accumulate_partial(
    events: pd.DataFrame, spec: EventSpec, weight: Any, fixed: pd.Index | None,
    at: pd.Timestamp | None, func: str,
) -> Part:
    """One chunk's matrix at its own latest event (or ``at``), without warnings.

    Its counts travel with it, to be reported once where the chunks are merged
    (``warnings.catch_warnings`` is not thread-safe, so chunks accumulated on a
    threaded scheduler do not warn at all).
    """
    return accumulate(events, spec, weight, fixed, at, func, need_quad=None, warn=False)


def merge_partials(
    parts: list[Part], codes: str, fixed: pd.Index | None, at: Any, half_life: Any, func: str,
) -> tuple[np.ndarray, np.ndarray | None, pd.Index, Any, tuple[int, ...]]:
    """Rescale partial matrices to a common time and add them (actors aligned).

    ``at`` None: the latest time of the parts. Returns the values, the quad
    counts (None unless every part has them), the actors, the time and the
    summed counts.
    """
    if at is None:
        times = [p.at for p in parts if p.at is not None]
        at = max(times) if times else None
    if fixed is not None:
        idx = fixed
    else:
        keys = [np.asarray(p.actors, dtype=object) for p in parts]
        allk = pd.unique(np.concatenate(keys)) if keys else np.empty(0, dtype=object)
        idx = _normalize_actors(allk, codes, func).sort_values()
    n = len(idx)
    values = np.zeros((n, n))
    has_quad = bool(parts) and all(p.quad is not None for p in parts)
    quad = np.zeros((4, n, n)) if has_quad else None
    counts = np.zeros(5, dtype=np.int64)
    for p in parts:
        f = decay_factor(half_life, p.at, at)
        pos = idx.get_indexer(p.actors)
        values[np.ix_(pos, pos)] += p.values * f
        if quad is not None:
            quad[:, pos[:, None], pos[None, :]] += p.quad * f
        counts += np.asarray(p.counts, dtype=np.int64)
    return values, quad, idx, at, tuple(int(c) for c in counts)


def event_matrix(
    cls: Any, spec: EventSpec, values: np.ndarray, quad: np.ndarray | None, actors: pd.Index,
    at: Any, fixed: bool, counts: tuple[int, ...],
) -> Any:
    """A matrix of class ``cls`` with the event state :meth:`update` needs."""
    obj = cls._from_parts(np.ascontiguousarray(values), actors, spec.codes, at)
    if quad is not None:
        quad.flags.writeable = False
    object.__setattr__(obj, "_events", EventState(spec, quad, fixed, counts))
    return obj


def fixed_actors(actors: Any, codes: str, func: str) -> pd.Index | None:
    """A given ``actors`` list as an Index in ``codes`` (None stays None)."""
    return None if actors is None else _normalize_actors(actors, codes, func)
