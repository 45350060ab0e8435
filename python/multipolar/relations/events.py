"""Events into decayed dyadic matrices: ``RelationMatrix.from_events``, ``update``, ``decay_to``.

The score of actor i towards actor j at time T sums w·2^(−(T − t)/h) over the
events from i to j at t ≤ T (half-life h). Exponential decay factorizes, so a
matrix built on a chunk of events at its own time merges with others by
rescaling to a common time and adding: :meth:`update` and
:mod:`multipolar.distributed` rely on it. The accumulation is one pass of the
C kernel ``_core.decay_accumulate``.

The one pass over the events (the event description, column checks, the kernel
call and the merge of partial matrices) lives in :mod:`.accumulate`, which the
time-binned tensors (:mod:`.tensor`) and the Dask adapters
(:mod:`multipolar.distributed`) share; none of it is public.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._common import _fmt_at, _normalize_actors
from .accumulate import (
    EventSpec,
    EventState,
    SeenIds,
    _check_event_frame,
    _later,
    accumulate,
    decay_factor,
    event_at,
    event_keys,
)

if TYPE_CHECKING:
    from .matrix import RelationMatrix

__all__: list[str] = []  # nothing public: see the package's __init__


# ---------------------------------------------------------------- key columns


class _Keys:
    """One key column of a long frame, read once.

    Categorical columns keep their integer codes and categories, so a
    50M-row column is matched through its few categories; string and object
    columns are factorized once to the same form. NumPy numeric columns are
    used as they are, nullable numeric columns become float64 with NaN for
    missing.
    """

    __slots__ = ("cat_codes", "categories", "data", "missing")

    def __init__(self, series: pd.Series) -> None:
        self.data: np.ndarray | None = None
        self.categories: pd.Index | None = None
        self.cat_codes: np.ndarray | None = None
        dtype = series.dtype
        if (
            isinstance(dtype, pd.api.extensions.ExtensionDtype)
            and not isinstance(dtype, pd.CategoricalDtype)
            and pd.api.types.is_numeric_dtype(dtype)
            and not pd.api.types.is_bool_dtype(dtype)
        ):
            self.data = series.to_numpy(dtype=np.float64, na_value=np.nan)
            self.missing = np.isnan(self.data)
            return
        if not isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iufb":
            self.data = series.to_numpy()
            self.missing = np.isnan(self.data) if dtype.kind == "f" else np.zeros(len(series), bool)
            return
        # Categoricals keep their codes; strings and other objects are hashed
        # once (cheaper than separate missing, unique and lookup passes).
        self.cat_codes, self.categories = event_keys(series)
        self.missing = self.cat_codes < 0

    def unique(self) -> np.ndarray:
        """Distinct non-missing values, in any order."""
        if self.cat_codes is not None:
            assert self.categories is not None
            counts = np.bincount(self.cat_codes[~self.missing], minlength=len(self.categories))
            used = np.flatnonzero(counts)
            return np.asarray(self.categories.take(used), dtype=object)
        assert self.data is not None
        data = self.data[~self.missing] if self.missing.any() else self.data
        if data.dtype.kind in "iu" and len(data):
            lo, hi = int(data.min()), int(data.max())
            if hi - lo <= 4 * len(data) + 1_000_000:
                # Small code ranges (ccodes): bincount beats hashing.
                present = np.flatnonzero(np.bincount(data - lo if lo else data))
                return (present + lo).astype(np.int64)
        return np.asarray(pd.unique(data))

    def positions(self, actors: pd.Index) -> np.ndarray:
        """Position of every row's key in ``actors``; -1 if missing or absent."""
        if self.cat_codes is not None:
            cat_pos = actors.get_indexer(self.categories)
            pos = cat_pos.take(self.cat_codes)  # code -1 picks the last entry
            pos[self.missing] = -1
            return pos
        return actors.get_indexer(self.data)


# ---------------------------------------------------------------- RelationMatrix's event methods


class EventMethods:
    """The event methods of :class:`~multipolar.relations.RelationMatrix` (a base class of it).

    They need the matrix's ``_values``, ``_actors``, ``_codes``, ``_at`` and
    ``_events`` slots and its ``_from_parts`` constructor.
    """

    __slots__ = ()

    @classmethod
    def from_events(
        cls,
        events: pd.DataFrame,
        *,
        actors: Any = None,
        weight: Any = "goldstein",
        half_life: Any = None,
        directed: bool = True,
        at: Any = None,
        codes: str | None = None,
        actor_cols: tuple[Hashable, Hashable] = ("actor1", "actor2"),
        time_col: Hashable | None = "date",
        dedupe: Hashable | None = None,
    ) -> RelationMatrix:
        """Accumulate dyadic events into a (decayed) matrix that can be updated.

        The score of actor i towards actor j at time T is

        .. math:: A_{ij}(T) = \\sum_{e:\\, i \\to j,\\; t_e \\le T} w_e \\, 2^{-(T - t_e)/h}

        with half-life h (a score halves every h), or the plain sum of the
        weights when ``half_life`` is None. Because the decay is exponential,
        :math:`A(T') = 2^{-(T' - T)/h} A(T)` for events up to T, so matrices
        of separate chunks of events merge by rescaling to a common time and
        adding: :meth:`update` and
        :func:`multipolar.distributed.relation_matrix` rely on it.

        Parameters
        ----------
        events : pandas.DataFrame
            One row per event, e.g. from :func:`multipolar.read_gdelt`. Row
            order does not matter.
        actors : list-like, optional
            Actors of the matrix, in this order, in the events' code system.
            Default: the sorted actors present (both actors of every event
            whose two actors are known). Events with an actor outside a given
            list are left out, counted and reported.
        weight : str, column label or array-like, default "goldstein"
            ``"goldstein"`` (the column of that name: Goldstein 1992 scores),
            ``"count"`` (1 per event), ``"quad1"`` .. ``"quad4"`` (1 per
            event of that QuadClass, from the ``quad_class`` column), another
            column name, or an array of one weight per event. NaN weights
            are left out and counted. A pandas Series is aligned to the
            events by index label (its index must hold the events' index
            labels, each once); other arrays are read by position.
        half_life : str or timedelta-like, optional
            The half-life h, a fixed pandas offset such as ``"90D"`` or
            ``"12h"`` (``pandas.Timedelta`` rules). Default: no decay.
        directed : bool, default True
            If False, the matrix is symmetric: ``A[i, j] = A[j, i]`` is the
            score of the events between i and j in either direction (events
            of an actor with itself stay on the diagonal, counted once).
        at : datetime-like, optional
            The time T of the matrix. Default: the latest event. Events after
            ``at`` are left out and counted.
        codes : str, optional
            Code system of the actors. Default: ``"cow"`` for integer actor
            columns, ``"cameo"`` otherwise (GDELT's actor country codes).
        actor_cols : pair of column labels, default ("actor1", "actor2")
            Sender and receiver columns. Categorical columns are read through
            their integer codes (no copy of a 50M-row column).
        time_col : column label or None, default "date"
            A datetime64 column (tz-aware times are taken in UTC). ``None``
            without ``half_life``: no time, every event counts.
        dedupe : column label, optional
            A column of event ids, e.g. ``"event_id"`` of
            :func:`multipolar.read_gdelt`: an event whose id occurs again (in
            these events or in a later :meth:`update` with the same
            ``dedupe``) is counted once, at its first row. The matrix then
            remembers every id it was offered (see :meth:`update` for the
            memory cost). Default: every row counts.

        Returns
        -------
        RelationMatrix
            ``at`` is T (a ``pandas.Timestamp``). When ``events`` has a
            ``quad_class`` column, :attr:`quad_counts` holds the (decayed)
            event counts per QuadClass.

        Raises
        ------
        TypeError
            If ``events`` is not a DataFrame, a column has the wrong dtype,
            or an argument has the wrong type.
        KeyError
            If a named column is missing.
        ValueError
            If ``half_life`` is not positive, ``quad_class`` holds values
            outside 1-4, a weight array has the wrong length, or a weight
            Series has a duplicate label or an index other than the events'.

        Warns
        -----
        UserWarning
            With the counts of the events left out: a missing actor, an
            actor outside ``actors``, a time after ``at``, a missing weight
            or time.

        See Also
        --------
        RelationMatrix.update : add new events in place.
        multipolar.dyad_series, multipolar.event_tensor : time-binned sums.

        Notes
        -----
        The accumulation is one C pass over the event columns
        (``_core.decay_accumulate``) without the GIL. The events are cut into
        blocks whose number depends on the input sizes only, each with its own
        accumulator, run on threads and added in block order, so the result
        is bitwise the same for any thread count (``multipolar.set_num_threads``).
        With ``at=None`` the same pass finds the latest time. The decay factor is taken from a table of
        :math:`2^{-(\\phi + k\\,\\mathrm{day})/h}` over whole days k (φ the
        offset of T within a day), one ``exp2`` per day instead of per event;
        times off that grid get their own ``exp2``. Events are taken in
        chunks of 512 by a branch-free loop; a chunk holding a time off the
        grid, NaT, a time after T or a bad code goes event by event, and a
        NaN weight makes its block go event by event.

        Examples
        --------
        >>> import pandas as pd
        >>> from multipolar.relations import RelationMatrix
        >>> ev = pd.DataFrame({"actor1": ["RUS", "RUS", "CHN"],
        ...                    "actor2": ["CHN", "CHN", "RUS"],
        ...                    "date": pd.to_datetime(["2024-01-01", "2024-01-31", "2024-01-31"]),
        ...                    "goldstein": [4.0, 2.0, 1.0]})
        >>> R = RelationMatrix.from_events(ev, half_life="30D")
        >>> R["RUS", "CHN"]  # 4 * 2**-1 + 2
        4.0
        >>> R.update(ev.iloc[:1].assign(date=pd.Timestamp("2024-03-01")))["RUS", "CHN"]
        6.0
        """
        func = "RelationMatrix.from_events"
        spec = EventSpec.make(events, weight, half_life, directed, codes, actor_cols, time_col,
                              func)
        fixed = None if actors is None else _normalize_actors(actors, spec.codes, func)
        seen = None
        if dedupe is not None:
            seen = SeenIds(dedupe)
            events, weight, commit = seen.new_events(events, weight, func)
        part = accumulate(events, spec, weight, fixed, event_at(at, func), func, need_quad=None)
        if seen is not None:
            commit()
        obj = cls._from_parts(part.values, part.actors, spec.codes, part.at)
        state = EventState(spec, part.quad, fixed is not None, part.counts)
        state.seen = seen
        object.__setattr__(obj, "_events", state)
        return obj


    def update(
        self, events: pd.DataFrame, *, weight: Any = None, dedupe: Hashable | None = None
    ) -> RelationMatrix:
        """Add events in place and return the matrix.

        The matrix moves to ``T = max(at, newest event)``: its scores are
        decayed by :math:`2^{-(T - at)/h}` and the new events' (decayed to
        T) added, so the result equals :meth:`from_events` over all events
        seen so far, up to rounding (``max|A - B| <= 1e-12 max|B|``), in any
        order of arrival. With a fixed ``actors`` list, events of other
        actors are counted and reported; otherwise new actors are added (the
        actors stay sorted).

        Events older than the matrix's time ``at`` are not dropped: each is
        added with its weight decayed from its own time to ``at``
        (:math:`w\\,2^{-(at - t)/h}`), exactly as if it had arrived in
        order, and ``at`` stays. A late report of an old event therefore
        still counts; with ``dedupe``, a late *repeat* of an event already
        counted does not.

        Without ``dedupe`` every row is counted, so events fed twice count
        twice. A GDELT feed repeats events (the same ``GLOBALEVENTID`` in
        overlapping 15-minute files or a re-read day): pass
        ``dedupe="event_id"``.

        Parameters
        ----------
        events : pandas.DataFrame
            New events, with the columns the matrix was built from
            (including ``quad_class`` if it has :attr:`quad_counts`).
        weight : optional
            Weights of the new events; needed (only) when the matrix was
            built from a weight array. Default: the weight spec of
            :meth:`from_events`.
        dedupe : column label, optional
            A column of event ids. Rows whose id this matrix was already
            offered (by an earlier ``update`` or ``from_events`` with
            ``dedupe``), or that repeat an id earlier in ``events``, are
            skipped; the others are counted and their ids remembered. The
            memory is exact (no probabilistic filter, no expiry): integer
            ids are kept in a sorted int64 array, 8 bytes per distinct id
            (80 MB for ten million events) plus a transient copy while a
            batch is merged; other ids in a Python set (roughly 100 bytes
            per id). Ids are remembered whether or not the event was then
            left out (e.g. a missing weight), since feeding it again would
            not change that. The number skipped so far is
            :attr:`duplicates_skipped`. Ids of events counted without
            ``dedupe`` are not known: pass ``dedupe`` from the first call
            (:meth:`from_events`) on. Once a matrix remembers ids, every
            ``update`` must name the same column.

        Raises
        ------
        TypeError
            If the matrix was not built by :meth:`from_events` (copies and
            derived matrices are snapshots).

        Warns
        -----
        UserWarning
            With the counts of the new events left out.
        """
        func = "RelationMatrix.update"
        state = self._event_state(func)
        spec = state.spec
        if weight is None and spec.weight is None:
            raise ValueError(
                f"{func}: weight must be given, because the matrix was built from a weight "
                "array; got None"
            )
        use = spec.weight if weight is None else weight
        _check_event_frame(events, spec, use, func)
        if dedupe is None and state.seen is not None:
            raise ValueError(
                f"{func}: dedupe must be given ({state.seen.column!r}), because the matrix "
                "remembers the event ids it counted; got None"
            )
        seen = state.seen
        commit = None
        if dedupe is not None:
            if seen is None:
                seen = SeenIds(dedupe)
            elif dedupe != seen.column:
                raise ValueError(
                    f"{func}: dedupe must be {seen.column!r}, the id column this matrix "
                    f"remembers; got {dedupe!r}"
                )
            events, use, commit = seen.new_events(events, use, func)
        part = accumulate(
            events, spec, use, self._actors if state.fixed else None, None, func,
            need_quad=state.quad is not None,
        )
        target = _later(self._at, part.at)
        f_old = decay_factor(spec.half_life, self._at, target)
        f_new = decay_factor(spec.half_life, part.at, target)
        if state.fixed:
            values = self._values * f_old + part.values * f_new
            quad = None if state.quad is None else state.quad * f_old + part.quad * f_new
            idx = self._actors
        else:
            keys = np.concatenate([np.asarray(self._actors, dtype=object),
                                   np.asarray(part.actors, dtype=object)])
            idx = _normalize_actors(pd.unique(keys), self._codes, func).sort_values()
            po = idx.get_indexer(self._actors)
            pn = idx.get_indexer(part.actors)
            n = len(idx)
            values = np.zeros((n, n))
            values[np.ix_(po, po)] = self._values * f_old
            values[np.ix_(pn, pn)] += part.values * f_new
            quad = None
            if state.quad is not None:
                quad = np.zeros((4, n, n))
                quad[:, po[:, None], po[None, :]] = state.quad * f_old
                quad[:, pn[:, None], pn[None, :]] += part.quad * f_new
        values.flags.writeable = False
        if quad is not None:
            quad.flags.writeable = False
        self._values = values
        self._actors = idx
        self._at = target
        state.quad = quad
        state.counts = tuple(a + b for a, b in zip(state.counts, part.counts))
        if commit is not None:
            commit()
            state.seen = seen
        return self


    def decay_to(self, t: Any) -> RelationMatrix:
        """Move the matrix to a later time ``t`` in place and return it.

        Every score (and :attr:`quad_counts`) is multiplied by
        :math:`2^{-(t - \\mathrm{at})/h}` and ``at`` becomes ``t``; without
        a half-life only ``at`` changes.

        Raises
        ------
        ValueError
            If ``t`` is before :attr:`at` (decay cannot be undone without
            the events).
        TypeError
            If the matrix was not built by :meth:`from_events`.
        """
        func = "RelationMatrix.decay_to"
        state = self._event_state(func)
        ts = event_at(t, func)
        if ts is None:
            raise TypeError(f"{func}: t must be a time; got None")
        if self._at is not None and ts < self._at:
            raise ValueError(f"{func}: t must not be before at ({_fmt_at(self._at)}); got {ts}")
        f = decay_factor(state.spec.half_life, self._at, ts)
        if f != 1.0:
            values = self._values * f
            values.flags.writeable = False
            self._values = values
            if state.quad is not None:
                quad = state.quad * f
                quad.flags.writeable = False
                state.quad = quad
        self._at = ts
        return self


    @property
    def duplicates_skipped(self) -> int | None:
        """How many rows ``dedupe`` skipped as repeats of an event id (None without ``dedupe``)."""
        state = getattr(self, "_events", None)
        seen = None if state is None else getattr(state, "seen", None)
        return None if seen is None else seen.skipped

    @property
    def quad_counts(self) -> np.ndarray | None:
        """Decayed event counts per QuadClass, shape (4, N, N), or None.

        ``quad_counts[q - 1, i, j]`` sums :math:`2^{-(T - t)/h}` (1 without
        a half-life) over the events from i to j of QuadClass q (1 verbal
        cooperation, 2 material cooperation, 3 verbal conflict, 4 material
        conflict). Present for matrices built by :meth:`from_events` from
        events with a ``quad_class`` column; read-only.
        """
        state = getattr(self, "_events", None)
        return None if state is None else state.quad

    def _event_state(self, func: str) -> EventState:
        state = getattr(self, "_events", None)
        if state is None:
            raise TypeError(
                f"{func}: the matrix must come from RelationMatrix.from_events (copies and "
                "derived matrices are snapshots); got a matrix without event state"
            )
        return state
