"""Labelled matrices of dyadic relations.

:class:`RelationMatrix` holds one score for every ordered pair of actors
(states, groupings, CAMEO actors): alliance ties, similarity of foreign-policy
portfolios, decayed event scores, trade dependence. It is the result type the
event-, similarity- and trade-built matrices of this package share, so every
method here works on all of them.

A matrix knows the code system of its actors (``.codes``):
an integer names a state by its COW ccode only in a ``"cow"`` matrix, and a
string is read in the matrix's own system. ``"AUS"`` is Austria in COW and
Australia in ISO3 and CAMEO, so actors are never compared across systems
without an explicit :meth:`RelationMatrix.to_codes`.
"""

from __future__ import annotations

import datetime as _dt
import html
import warnings
from collections.abc import Callable, Hashable, Iterator
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

__all__ = ["CODE_SYSTEMS", "EventTensor", "RelationMatrix", "dyad_series", "event_tensor"]

#: Code systems an actor index can be written in.
CODE_SYSTEMS = ("cow", "cowabb", "iso3", "iso2", "cameo", "gw", "name")

# Systems whose codes are integers; all others are strings.
_INTEGER_SYSTEMS = frozenset({"cow", "gw"})
_SYMMETRIZE = ("mean", "max", "min", "sum")
# Aggregates computed with bincount / ufunc.at; others go through pandas.
_FAST_AGGREGATES = ("sum", "mean", "min", "max", "count")
_PANDAS_AGGREGATES = ("median", "first", "last", "prod", "std", "var")
_REPR_ACTORS = 10
_SHOW = 8  # how many offending values an error message lists


# ---------------------------------------------------------------- helpers


def _examples(values: Any) -> str:
    """Format up to ``_SHOW`` values for an error message."""
    items = list(values)
    text = ", ".join(repr(_plain(v)) for v in items[:_SHOW])
    if len(items) > _SHOW:
        text += f", ... ({len(items)} in all)"
    return "[" + text + "]"


def _plain(value: Any) -> Any:
    """Turn NumPy scalars into Python ones so reprs stay short."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_codes(codes: Any, func: str, arg: str = "codes") -> str:
    if not isinstance(codes, str):
        raise TypeError(
            f"{func}: {arg} must be a string naming a code system; got {type(codes).__name__}"
        )
    if codes not in CODE_SYSTEMS:
        known = ", ".join(repr(c) for c in CODE_SYSTEMS)
        raise ValueError(f"{func}: {arg} must be one of {known}; got {codes!r}")
    return codes


def _check_at(at: Any, func: str) -> Any:
    """Normalise ``at``: None, a year (int) or a time (Timestamp or Period)."""
    if at is None:
        return None
    if isinstance(at, (bool, np.bool_)):
        raise TypeError(f"{func}: at must be None, a year (int) or a time; got bool {at!r}")
    if isinstance(at, (int, np.integer)):
        return int(at)
    if isinstance(at, pd.Period):
        return at
    if isinstance(at, (_dt.date, np.datetime64)):
        ts = pd.Timestamp(at)
        if pd.isna(ts):
            raise ValueError(f"{func}: at must not be a missing time; got {at!r}")
        return ts
    raise TypeError(
        f"{func}: at must be None, a year (int) or a time; got {type(at).__name__} {at!r}"
    )


def _year_of(at: Any) -> int | None:
    """The calendar year ``at`` refers to, or None."""
    if isinstance(at, int):
        return at
    if isinstance(at, (pd.Timestamp, pd.Period)):
        return int(at.year)
    return None


def _normalize_actors(actors: Any, codes: str, func: str, arg: str = "actors") -> pd.Index:
    """Return ``actors`` as a unique, non-missing pandas Index of one type.

    Integer systems give an int64 Index (integral floats are accepted); string
    systems need every label to be a ``str``.
    """
    if (
        actors is None
        or isinstance(actors, (str, bytes, dict, set, frozenset))
        or not pd.api.types.is_list_like(actors)
    ):
        raise TypeError(
            f"{func}: {arg} must be a list-like of actor codes; got {type(actors).__name__}"
        )
    try:
        idx = actors if isinstance(actors, pd.Index) else pd.Index(actors)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{func}: {arg} must be a 1-D list-like of actor codes; got {exc}"
        ) from None
    if isinstance(idx, pd.MultiIndex):
        raise TypeError(
            f"{func}: {arg} must be a 1-D list-like of actor codes; "
            f"got a MultiIndex with {idx.nlevels} levels"
        )
    if isinstance(idx.dtype, pd.CategoricalDtype):
        idx = pd.Index(np.asarray(idx))
    if len(idx) and idx.hasnans:
        n_missing = int(np.count_nonzero(idx.isna()))
        raise ValueError(f"{func}: {arg} must not contain missing values; got {n_missing} missing")
    kind = pd.api.types.infer_dtype(idx, skipna=False)
    if codes in _INTEGER_SYSTEMS:
        if kind == "empty":
            idx = pd.Index([], dtype=np.int64)
        elif kind == "integer":
            idx = pd.Index(np.asarray(idx, dtype=np.int64))
        elif kind in ("floating", "mixed-integer-float", "decimal"):
            arr = np.asarray(idx, dtype=np.float64)
            bad = ~np.isfinite(arr) | (arr != np.round(arr))
            if bad.any():
                raise TypeError(
                    f"{func}: {arg} must hold integer codes for codes={codes!r}; "
                    f"got non-integral values {_examples(arr[bad])}"
                )
            idx = pd.Index(arr.astype(np.int64))
        else:
            bad = [
                v
                for v in idx
                if isinstance(v, (bool, np.bool_))
                or not isinstance(v, (int, np.integer, float, np.floating))
            ] or list(idx[:3])
            hint = (
                " (string codes need codes='cowabb', 'iso3', ...)"
                if isinstance(bad[0], str)
                else ""
            )
            raise TypeError(
                f"{func}: {arg} must hold integer codes for codes={codes!r}; "
                f"got {type(bad[0]).__name__} values such as {_examples(bad[:3])}{hint}"
            )
    else:
        if kind == "empty":
            idx = pd.Index([], dtype=object)
        elif kind != "string":
            bad = [v for v in idx if not isinstance(v, str)]
            raise TypeError(
                f"{func}: {arg} must hold string codes for codes={codes!r}; "
                f"got {type(bad[0]).__name__} values such as {_examples(bad[:3])}"
            )
    if not idx.is_unique:
        dups = idx[idx.duplicated()].unique()
        raise ValueError(f"{func}: {arg} must be unique; got duplicates {_examples(dups)}")
    if idx.name is not None:
        idx = idx.rename(None)
    return idx


def _as_matrix(values: Any, func: str) -> np.ndarray:
    """Validate ``values`` and return a float64, C-contiguous, read-only copy."""
    if isinstance(values, (pd.DataFrame, pd.Series)):
        raise TypeError(
            f"{func}: values must be an array, not a labelled pandas object; "
            f"got {type(values).__name__} (use RelationMatrix.from_pandas)"
        )
    if isinstance(values, RelationMatrix):
        raise TypeError(f"{func}: values must be an array; got RelationMatrix (use .copy())")
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{func}: values must be a 2-D numeric array; got {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{func}: values must be numeric (bool, integer or float); got dtype {arr.dtype}"
        )
    if arr.ndim != 2:
        raise ValueError(f"{func}: values must be 2-D; got shape {arr.shape}")
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{func}: values must be square; got shape {arr.shape}")
    out = np.array(arr, dtype=np.float64, order="C", copy=True)
    out.flags.writeable = False
    return out


def _all_slots(cls: type) -> list[str]:
    names: list[str] = []
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        if isinstance(slots, str):
            slots = (slots,)
        for name in slots:
            if name not in ("__dict__", "__weakref__") and name not in names:
                names.append(name)
    return names


def _fmt_value(v: float) -> str:
    if np.isnan(v):
        return "NaN"
    return f"{v:.4g}"


def _fmt_at(at: Any) -> str:
    if at is None:
        return "None"
    if isinstance(at, pd.Timestamp):
        if at == at.normalize() and at.tz is None:
            return at.strftime("%Y-%m-%d")
        return at.isoformat()
    return str(at)


def _display_positions(n: int, max_actors: int) -> tuple[list[int], int | None]:
    """Positions to show and where (if anywhere) an ellipsis goes."""
    if n <= max_actors:
        return list(range(n)), None
    head = max(1, max_actors // 2)
    tail = max(1, max_actors - head)
    return list(range(head)) + list(range(n - tail, n)), head


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
        if isinstance(dtype, pd.CategoricalDtype):
            self.categories = series.cat.categories
            self.cat_codes = series.array.codes  # a view; ``.cat.codes`` copies
            self.missing = self.cat_codes < 0
            return
        if (
            isinstance(dtype, pd.api.extensions.ExtensionDtype)
            and pd.api.types.is_numeric_dtype(dtype)
            and not pd.api.types.is_bool_dtype(dtype)
        ):
            self.data = series.to_numpy(dtype=np.float64, na_value=np.nan)
            self.missing = np.isnan(self.data)
            return
        data = series.to_numpy()
        if data.dtype.kind in "iufb":
            self.data = data
            self.missing = np.isnan(data) if data.dtype.kind == "f" else np.zeros(len(data), bool)
            return
        # Strings and other objects: hashing every row once (factorize) is
        # cheaper than separate missing, unique and lookup passes.
        cat_codes, uniques = pd.factorize(series, use_na_sentinel=True)
        self.cat_codes = np.asarray(cat_codes)
        self.categories = pd.Index(uniques)
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


# ---------------------------------------------------------------- the type


class RelationMatrix:
    """A labelled N×N matrix of dyadic scores.

    ``values[i, j]`` is the score of actor ``actors[i]`` towards actor
    ``actors[j]`` (row: sender / first state of the dyad; column: receiver /
    second state). Missing is NaN.

    Parameters
    ----------
    values : array_like, shape (N, N)
        Scores. Bool and integer input is converted to float64. The matrix
        keeps its own C-contiguous float64 copy, so later changes to
        ``values`` do not reach it.
    actors : list-like of length N
        Unique, non-missing actor labels in the code system ``codes``:
        integers for ``"cow"`` and ``"gw"`` (integral floats are accepted),
        strings for the others.
    codes : {"cow", "cowabb", "iso3", "iso2", "cameo", "gw", "name"}, default "cow"
        Code system of ``actors``.
    at : None, int, or datetime-like, default None
        The year (int) or time (``pandas.Timestamp``; dates and
        ``numpy.datetime64`` are converted; ``pandas.Period`` is kept) the
        matrix refers to.

    Attributes
    ----------
    values : numpy.ndarray
        The N×N float64 scores, C-contiguous and **read-only** (the matrix is
        immutable; methods return new matrices). ``np.array(R.values)`` gives
        a writeable copy.
    actors : pandas.Index
        Actor labels (int64 for integer systems).
    codes : str
        Code system of ``actors``.
    at : None, int, pandas.Timestamp or pandas.Period
        The year or time the matrix refers to.

    Raises
    ------
    TypeError
        If ``values`` is not numeric, ``actors`` is not a list-like of codes
        of the right type, ``codes`` is not a string or ``at`` has an
        unsupported type.
    ValueError
        If ``values`` is not square and 2-D, ``len(actors)`` differs from N,
        ``actors`` has duplicates or missing labels, or ``codes`` is unknown.

    See Also
    --------
    RelationMatrix.from_frame : pivot a long dyad frame into a matrix.
    RelationMatrix.from_pandas : wrap a square DataFrame.

    Notes
    -----
    ``==`` compares identity, as for any Python object; use :meth:`equals`
    to compare contents with a relative tolerance.

    Examples
    --------
    >>> from multipolar.relations import RelationMatrix
    >>> R = RelationMatrix([[0, 1], [3, 0]], actors=[2, 365], at=2015)
    >>> R[2, 365]
    1.0
    >>> R.shape
    (2, 2)
    >>> R.to_frame()
       actor1  actor2  value
    0       2     365    1.0
    1     365       2    3.0
    """

    __slots__ = ("__weakref__", "_actors", "_at", "_codes", "_events", "_values")

    _values: np.ndarray
    _actors: pd.Index
    _codes: str
    _at: Any

    def __init__(self, values: Any, actors: Any, codes: str = "cow", at: Any = None) -> None:
        arr, idx, codes, at = self._validate(values, actors, codes, at, "RelationMatrix")
        self._values = arr
        self._actors = idx
        self._codes = codes
        self._at = at

    # -- construction hooks ---------------------------------------------

    @staticmethod
    def _validate(
        values: Any, actors: Any, codes: Any, at: Any, func: str
    ) -> tuple[np.ndarray, pd.Index, str, Any]:
        codes = _check_codes(codes, func)
        arr = _as_matrix(values, func)
        idx = _normalize_actors(actors, codes, func)
        if len(idx) != arr.shape[0]:
            raise ValueError(
                f"{func}: actors must have one label per row of values; "
                f"got {len(idx)} actors for shape {arr.shape}"
            )
        return arr, idx, codes, _check_at(at, func)

    @classmethod
    def _from_parts(
        cls, values: np.ndarray, actors: pd.Index, codes: str, at: Any
    ) -> RelationMatrix:
        """Build a matrix from parts that are already valid (no copy).

        ``values`` must be a float64 C-contiguous array the new matrix may
        own, ``actors`` a normalised Index. Subclasses with extra state
        override this hook.
        """
        obj = object.__new__(cls)
        values.flags.writeable = False
        obj._values = values
        obj._actors = actors
        obj._codes = codes
        obj._at = at
        return obj

    def _derive(
        self,
        values: np.ndarray,
        actors: pd.Index | None = None,
        codes: str | None = None,
    ) -> RelationMatrix:
        """A new matrix of the same class with new values (and actors).

        All other state, including a subclass's extra slots, is carried
        over; subclasses for which that is wrong override this hook.
        """
        cls = type(self)
        obj = object.__new__(cls)
        for name in _all_slots(cls):
            # Event state (from_events) describes this matrix only: a derived
            # matrix is a plain snapshot that update() does not accept.
            if name != "_events" and hasattr(self, name):
                object.__setattr__(obj, name, getattr(self, name))
        if hasattr(self, "__dict__"):
            obj.__dict__.update(self.__dict__)
        arr = np.ascontiguousarray(values, dtype=np.float64)
        if arr is self._values or np.shares_memory(arr, self._values):
            arr = arr.copy()
        arr.flags.writeable = False
        obj._values = arr
        if actors is not None:
            obj._actors = actors
        if codes is not None:
            obj._codes = codes
        return obj

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        row: Hashable = "ccode1",
        col: Hashable = "ccode2",
        value: Hashable | None = "value",
        *,
        codes: str = "cow",
        at: Any = None,
        actors: Any = None,
        fill: float = np.nan,
        aggregate: str | Callable[..., Any] | None = None,
    ) -> RelationMatrix:
        """Pivot a long dyad frame into a matrix.

        Parameters
        ----------
        df : pandas.DataFrame
            One row per directed pair; other columns are ignored. The index
            and row order do not matter.
        row, col : column labels, default "ccode1", "ccode2"
            Columns holding the first (row) and second (column) actor of each
            pair, in the code system ``codes``. Categorical columns are
            matched through their categories.
        value : column label or None, default "value"
            Numeric column holding the score. NaN values are kept as NaN
            (they are not replaced by ``fill``). ``None`` counts rows per pair
            (duplicates are then expected and summed).
        codes : str, default "cow"
            Code system of the keys; see :class:`RelationMatrix`.
        at : None, int or datetime-like, default None
            The year or time of the result.
        actors : list-like, optional
            Actors of the result, in this order. Default: the sorted union of
            the non-missing ``row`` and ``col`` values. With explicit actors,
            rows whose pair falls outside them are left out, counted and
            reported in a ``UserWarning``.
        fill : float, default NaN
            Score of the pairs that no row provides (the diagonal included,
            unless rows provide it).
        aggregate : str, callable or None, default None
            How to combine several rows of the same pair. ``None``: duplicate
            pairs raise ``ValueError``. ``"sum"``, ``"mean"``, ``"min"``,
            ``"max"``, ``"count"`` (vectorized) skip NaN values; a pair whose
            values are all NaN gets NaN (``"count"``: 0). ``"median"``,
            ``"first"``, ``"last"``, ``"prod"``, ``"std"``, ``"var"`` or a
            callable taking a Series of one pair's values go through pandas
            ``groupby`` (slower).

        Returns
        -------
        RelationMatrix

        Raises
        ------
        TypeError
            If ``df`` is not a DataFrame, ``value`` is not numeric, or the
            keys have the wrong type for ``codes``.
        KeyError
            If ``row``, ``col`` or ``value`` is not a column of ``df``.
        ValueError
            If a pair occurs twice and ``aggregate`` is None, or an argument
            has a bad value.

        Warns
        -----
        UserWarning
            If rows with a missing ``row`` or ``col`` key were left out, or,
            with explicit ``actors``, rows with a key outside ``actors``. The
            message gives the count; nothing is dropped silently.

        Notes
        -----
        Keys are matched with ``pandas.Index.get_indexer`` and scores placed
        with one fancy assignment (or ``numpy.bincount``/``ufunc.at`` for
        aggregates), so a 1M-row frame takes a fraction of a second. The
        aggregate path allocates scratch arrays of N² elements.

        Examples
        --------
        >>> import pandas as pd
        >>> from multipolar.relations import RelationMatrix
        >>> df = pd.DataFrame({"ccode1": [2, 2, 365], "ccode2": [365, 710, 710],
        ...                    "value": [0.5, 0.25, 0.75]})
        >>> R = RelationMatrix.from_frame(df, at=2015, fill=0.0)
        >>> R.actors.tolist()
        [2, 365, 710]
        >>> R.values
        array([[0.  , 0.5 , 0.25],
               [0.  , 0.  , 0.75],
               [0.  , 0.  , 0.  ]])
        """
        func = "RelationMatrix.from_frame"
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"{func}: df must be a pandas DataFrame; got {type(df).__name__}")
        codes = _check_codes(codes, func)
        at = _check_at(at, func)
        try:
            fill = float(fill)
        except (TypeError, ValueError):
            raise TypeError(f"{func}: fill must be a number; got {fill!r}") from None
        if aggregate is not None and not callable(aggregate):
            known = _FAST_AGGREGATES + _PANDAS_AGGREGATES
            if not isinstance(aggregate, str) or aggregate not in known:
                raise ValueError(
                    f"{func}: aggregate must be None, a callable or one of "
                    f"{', '.join(repr(a) for a in known)}; got {aggregate!r}"
                )
        columns = [("row", row), ("col", col)]
        if value is not None:
            columns.append(("value", value))
        for arg, name in columns:
            try:
                found = name in df.columns
            except TypeError:
                found = False
            if not found:
                raise KeyError(f"{func}: {arg} column not found in df; got {name!r}")
            if df[name].ndim != 1:
                raise ValueError(
                    f"{func}: {arg} column must be unique in df; got {name!r} repeated"
                )

        # Scores (checked before any warning about keys).
        if value is None:
            v = np.ones(len(df), dtype=np.float64)
            if aggregate is None:
                aggregate = "sum"
        else:
            vs = df[value]
            if not (
                pd.api.types.is_numeric_dtype(vs.dtype) or pd.api.types.is_bool_dtype(vs.dtype)
            ):
                raise TypeError(
                    f"{func}: value column must be numeric; got dtype {vs.dtype} "
                    f"in column {value!r}"
                )
            if pd.api.types.is_complex_dtype(vs.dtype):
                raise TypeError(
                    f"{func}: value column must be real; got dtype {vs.dtype} in column {value!r}"
                )
            v = vs.to_numpy(dtype=np.float64, na_value=np.nan)

        # Keys.
        rs = df[row]
        cs = df[col]
        rk = _Keys(rs)
        ck = _Keys(cs)
        where = f"{row!r}/{col!r} columns"

        # Actors: explicit, or the sorted union of the keys.
        if actors is None:
            ru, cu = rk.unique(), ck.unique()
            if ru.dtype != cu.dtype and (ru.dtype.kind == "O" or cu.dtype.kind == "O"):
                ru, cu = ru.astype(object), cu.astype(object)
            keys = np.concatenate([ru, cu])
            idx = _normalize_actors(pd.unique(keys), codes, func, arg=f"keys in the {where}")
            idx = idx.sort_values()
        else:
            idx = _normalize_actors(actors, codes, func)
        n = len(idx)

        ri = rk.positions(idx)
        ci = ck.positions(idx)
        r_missing, c_missing = rk.missing, ck.missing
        missing = r_missing | c_missing
        keep = (ri >= 0) & (ci >= 0)
        n_missing = int(np.count_nonzero(missing))
        n_outside = len(df) - n_missing - int(np.count_nonzero(keep))
        if n_missing:
            warnings.warn(
                f"{func}: left out {n_missing} rows with a missing key in the {where}",
                UserWarning,
                stacklevel=2,
            )
        if n_outside:
            first = int(np.flatnonzero(~keep & ~missing)[0])
            example = rs.iloc[first] if ri[first] < 0 else cs.iloc[first]
            warnings.warn(
                f"{func}: left out {n_outside} rows with an actor outside actors; "
                f"e.g. {_plain(example)!r}",
                UserWarning,
                stacklevel=2,
            )

        if n_missing or n_outside:
            ri, ci, v = ri[keep], ci[keep], v[keep]
        k = ri.astype(np.int64, copy=False) * n + ci
        nn = n * n

        if aggregate is None:
            if len(k) > 1:
                if 16 * len(k) >= nn:
                    counts = np.bincount(k, minlength=nn)
                    dup_keys = np.flatnonzero(counts > 1)
                    n_dup = int(counts[dup_keys].sum() - len(dup_keys))
                else:
                    ks = np.sort(k)
                    same = ks[1:] == ks[:-1]
                    n_dup = int(np.count_nonzero(same))
                    dup_keys = ks[1:][same]
                if n_dup:
                    kk = int(dup_keys[0])
                    pair = (_plain(idx[kk // n]), _plain(idx[kk % n]))
                    raise ValueError(
                        f"{func}: ({row!r}, {col!r}) pairs must be unique unless "
                        f"aggregate is given; got {n_dup} duplicate rows, e.g. {pair!r}"
                    )
            flat = np.full(nn, fill, dtype=np.float64)
            flat[k] = v
        elif isinstance(aggregate, str) and aggregate in _FAST_AGGREGATES:
            present = np.bincount(k, minlength=nn) > 0
            if aggregate in ("min", "max"):
                res = np.full(nn, np.nan)
                ufunc = np.fmin if aggregate == "min" else np.fmax
                ufunc.at(res, k, v)  # fmin/fmax skip NaN; all-NaN pairs stay NaN
            else:
                valid = ~np.isnan(v)
                kv = k[valid] if not valid.all() else k
                cnt = np.bincount(kv, minlength=nn)
                if aggregate == "count":
                    res = cnt.astype(np.float64)
                else:
                    total = np.bincount(
                        kv, weights=v[valid] if len(kv) != len(k) else v, minlength=nn
                    )
                    res = np.full(nn, np.nan)
                    has = cnt > 0
                    if aggregate == "sum":
                        res[has] = total[has]
                    else:
                        res[has] = total[has] / cnt[has]
            flat = np.where(present, res, fill)
        else:
            flat = np.full(nn, fill, dtype=np.float64)
            if len(k):
                grouped = pd.Series(v).groupby(k, sort=False).agg(aggregate)
                try:
                    res = np.asarray(grouped, dtype=np.float64)
                except (TypeError, ValueError):
                    raise TypeError(
                        f"{func}: aggregate must return one number per pair; "
                        f"got {grouped.dtype} results"
                    ) from None
                flat[np.asarray(grouped.index, dtype=np.int64)] = res
        return cls._from_parts(flat.reshape(n, n), idx, codes, at)

    @classmethod
    def from_pandas(cls, df: pd.DataFrame, codes: str = "cow", at: Any = None) -> RelationMatrix:
        """Wrap a square DataFrame whose index and columns name the same actors.

        Parameters
        ----------
        df : pandas.DataFrame
            Numeric scores, rows and columns labelled by actors. The columns
            may be in another order than the index; they are aligned to it.
        codes : str, default "cow"
            Code system of the labels.
        at : None, int or datetime-like, default None
            The year or time of the matrix.

        Returns
        -------
        RelationMatrix
            Actors in the order of ``df.index``.

        Raises
        ------
        TypeError
            If ``df`` is not a DataFrame or holds non-numeric columns.
        ValueError
            If index and columns do not hold the same unique actors.

        Examples
        --------
        >>> import pandas as pd
        >>> from multipolar.relations import RelationMatrix
        >>> df = pd.DataFrame([[1.0, 0.2], [0.2, 1.0]], index=["USA", "RUS"],
        ...                   columns=["RUS", "USA"])
        >>> RelationMatrix.from_pandas(df, codes="iso3")["USA", "RUS"]
        1.0
        """
        func = "RelationMatrix.from_pandas"
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"{func}: df must be a pandas DataFrame; got {type(df).__name__}")
        for dtype in df.dtypes:
            if not (
                pd.api.types.is_bool_dtype(dtype)
                or (
                    pd.api.types.is_numeric_dtype(dtype)
                    and not pd.api.types.is_complex_dtype(dtype)
                )
            ):
                raise TypeError(f"{func}: df must hold numeric columns; got dtype {dtype}")
        if df.shape[0] != df.shape[1]:
            raise ValueError(f"{func}: df must be square; got shape {df.shape}")
        if not df.columns.is_unique:
            dups = df.columns[df.columns.duplicated()].unique()
            raise ValueError(f"{func}: df columns must be unique; got duplicates {_examples(dups)}")
        codes = _check_codes(codes, func)
        index = _normalize_actors(df.index, codes, func, arg="df index")
        columns = _normalize_actors(df.columns, codes, func, arg="df columns")
        perm = columns.get_indexer(index)
        if (perm < 0).any():
            raise ValueError(
                f"{func}: df index and columns must hold the same actors; "
                f"got index labels missing from the columns {_examples(index[perm < 0])}"
            )
        values = df.to_numpy(dtype=np.float64, na_value=np.nan)[:, perm]
        arr, idx, codes, at = cls._validate(values, index, codes, at, func)
        return cls._from_parts(arr, idx, codes, at)

    # -- basic properties ------------------------------------------------

    @property
    def values(self) -> np.ndarray:
        """The N×N float64 scores (C-contiguous, read-only)."""
        return self._values

    @property
    def actors(self) -> pd.Index:
        """Actor labels, in the code system :attr:`codes`."""
        return self._actors

    @property
    def codes(self) -> str:
        """Code system of :attr:`actors`."""
        return self._codes

    @property
    def at(self) -> Any:
        """The year (int) or time the matrix refers to, or None."""
        return self._at

    @property
    def shape(self) -> tuple[int, int]:
        """``(N, N)``."""
        n = len(self._actors)
        return (n, n)

    def __len__(self) -> int:
        return len(self._actors)

    def __iter__(self) -> Iterator[Any]:
        """Iterate over the actors (as a dict iterates over its keys)."""
        return iter(self._actors)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        arr = self._values
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            if copy is False:
                raise ValueError(
                    f"RelationMatrix: dtype {np.dtype(dtype)} needs a copy; got copy=False"
                )
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    # -- lookup ----------------------------------------------------------

    def _locate(self, key: Any) -> int:
        """Position of one actor key, read in the matrix's code system."""
        if isinstance(key, (list, tuple, slice, np.ndarray, pd.Index, pd.Series, set, dict)):
            raise TypeError(
                "RelationMatrix: key must be an actor or a pair of actors "
                f"(use .sub() for several); got {type(key).__name__}"
            )
        found: Any = None
        if isinstance(key, (bool, np.bool_)):
            pass
        elif self._codes in _INTEGER_SYSTEMS:
            if isinstance(key, (int, np.integer)):
                found = int(key)
            elif self._codes == "cow" and isinstance(key, str):
                # a string names a state by its COW abbreviation
                # in a COW-based matrix.
                from .codes import lookup_state

                try:
                    found = int(lookup_state(key, codes="cowabb", year=_year_of(self._at)))
                except (KeyError, ValueError, LookupError):
                    found = None
        elif isinstance(key, str):
            found = key
        if found is not None:
            try:
                loc = self._actors.get_loc(found)
            except KeyError:
                loc = None
            if isinstance(loc, (int, np.integer)):
                return int(loc)
        where = ""
        if self._codes == "cow" and isinstance(key, str) and found is not None:
            where = f" (ccode {found})"
        raise KeyError(
            f"RelationMatrix: actor not found in {self._codes!r} actors; got {_plain(key)!r}{where}"
        )

    def __getitem__(self, key: Any) -> Any:
        """``R[a, b]`` → float score; ``R[a]`` → row of ``a`` as a Series.

        Keys are read in the matrix's code system: an int is a COW ccode
        only when ``codes == "cow"`` (where a string is read as a COW
        abbreviation), a GW code when ``codes == "gw"``; otherwise keys are
        strings of :attr:`codes`. An unknown actor raises ``KeyError``.
        """
        if isinstance(key, tuple):
            if len(key) != 2:
                raise TypeError(
                    f"RelationMatrix: key must be an actor or a pair of actors; got {key!r}"
                )
            i = self._locate(key[0])
            j = self._locate(key[1])
            return float(self._values[i, j])
        i = self._locate(key)
        return pd.Series(
            self._values[i].copy(), index=self._actors.copy(), name=_plain(self._actors[i])
        )

    def __contains__(self, key: Any) -> bool:
        try:
            self._locate(key)
        except (KeyError, TypeError):
            return False
        return True

    # -- conversion ------------------------------------------------------

    def to_frame(self, diagonal: bool = False, dropna: bool = False) -> pd.DataFrame:
        """Long frame with one row per ordered pair of actors.

        Parameters
        ----------
        diagonal : bool, default False
            Include the pairs (i, i).
        dropna : bool, default False
            Leave out pairs whose score is NaN.

        Returns
        -------
        pandas.DataFrame
            Columns ``actor1``, ``actor2`` (labels, dtype of :attr:`actors`)
            and ``value`` (float64), rows in row-major order of the matrix,
            with a RangeIndex. :meth:`from_frame` with ``row="actor1",
            col="actor2"`` inverts it.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[9, 1], [2, 9]], actors=["USA", "RUS"], codes="iso3")
        >>> R.to_frame(diagonal=True)
          actor1 actor2  value
        0    USA    USA    9.0
        1    USA    RUS    1.0
        2    RUS    USA    2.0
        3    RUS    RUS    9.0
        """
        n = len(self._actors)
        pos = np.arange(n * n, dtype=np.intp)
        a1, a2 = np.divmod(pos, n) if n else (pos, pos)
        vals = self._values.ravel()
        mask = None
        if not diagonal:
            mask = a1 != a2
        if dropna:
            notna = ~np.isnan(vals)
            mask = notna if mask is None else mask & notna
        if mask is not None:
            a1, a2, vals = a1[mask], a2[mask], vals[mask]
        else:
            vals = vals.copy()
        return pd.DataFrame(
            {
                "actor1": self._actors.take(a1),
                "actor2": self._actors.take(a2),
                "value": vals,
            }
        )

    def to_pandas(self) -> pd.DataFrame:
        """The matrix as a square DataFrame (a copy).

        The index is named ``actor1`` and the columns ``actor2``, so
        ``R.to_pandas().stack()`` is indexed like :meth:`to_frame`.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> df = RelationMatrix([[0, 1], [2, 0]], actors=[2, 365]).to_pandas()
        >>> df.loc[2, 365]
        np.float64(1.0)
        >>> df.stack().index.names
        FrozenList(['actor1', 'actor2'])
        """
        return pd.DataFrame(
            np.array(self._values),
            index=self._actors.rename("actor1"),
            columns=self._actors.rename("actor2"),
        )

    def to_codes(self, codes: str, *, year: int | None = None) -> RelationMatrix:
        """A copy with the actors converted to another code system.

        Parameters
        ----------
        codes : str
            Target system: "cow", "cowabb", "iso3", "iso2", "cameo", "gw" or
            "name".
        year : int, optional
            Year for conversions that depend on it. Default: :attr:`at` if it
            is a year (int), or the year of :attr:`at` if it is a time.

        Returns
        -------
        RelationMatrix
            Same values and actor order, actors in ``codes``.

        Raises
        ------
        ValueError
            If an actor is unknown in the matrix's own system, has no code
            in ``codes``, or two actors map to one code.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[0, 1], [2, 0]], actors=[2, 365], at=2015)
        >>> R.to_codes("iso3").actors.tolist()
        ['USA', 'RUS']
        """
        func = "RelationMatrix.to_codes"
        target = _check_codes(codes, func)
        if year is None:
            year = _year_of(self._at)
        elif isinstance(year, (bool, np.bool_)) or not isinstance(year, (int, np.integer)):
            raise TypeError(f"{func}: year must be an int; got {type(year).__name__} {year!r}")
        if target == self._codes:
            return self.copy()
        from .codes import convert

        labels = self._actors.tolist()
        converted = list(convert(labels, from_=self._codes, to=target, year=year))
        if len(converted) != len(labels):
            raise ValueError(
                f"{func}: conversion returned {len(converted)} codes for {len(labels)} actors"
            )
        unmatched = [
            a
            for a, c in zip(labels, converted)
            if c is None or (not isinstance(c, str) and pd.isna(c))
        ]
        if unmatched:
            raise ValueError(
                f"{func}: actors must have a code in {target!r}"
                + (f" in {year}" if year is not None else "")
                + f"; got none for {_examples(unmatched)}"
            )
        new = pd.Index(converted)
        if not new.is_unique:
            dup = new[new.duplicated()].unique()
            clashes = [
                f"{_examples([a for a, c in zip(labels, converted) if c == d])} -> {_plain(d)!r}"
                for d in dup[:_SHOW]
            ]
            raise ValueError(
                f"{func}: actors must map to distinct codes in {target!r}; got {'; '.join(clashes)}"
            )
        idx = _normalize_actors(new, target, func, arg="converted actors")
        return self._derive(self._values.copy(), actors=idx, codes=target)

    # -- derived matrices ------------------------------------------------

    def copy(self) -> RelationMatrix:
        """A copy with its own values array."""
        return self._derive(self._values.copy())

    @property
    def T(self) -> RelationMatrix:
        """The transposed matrix (scores of column actors towards row actors)."""
        return self._derive(np.ascontiguousarray(self._values.T))

    def symmetrize(self, how: str = "mean", *, skipna: bool = False) -> RelationMatrix:
        """A symmetric matrix combining ``A[i, j]`` and ``A[j, i]``.

        Parameters
        ----------
        how : {"mean", "max", "min", "sum"}, default "mean"
            ``"mean"``: (A + Aᵀ)/2; ``"max"``/``"min"``: elementwise
            maximum/minimum of A and Aᵀ; ``"sum"``: A + Aᵀ (so the diagonal
            doubles).
        skipna : bool, default False
            If False a NaN on either side gives NaN. If True the present side
            is used alone; a pair NaN on both sides stays NaN.

        Returns
        -------
        RelationMatrix

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[0, 1], [3, 0]], actors=[2, 365])
        >>> R.symmetrize().values
        array([[0., 2.],
               [2., 0.]])
        >>> R.symmetrize("max")[365, 2]
        3.0
        """
        func = "RelationMatrix.symmetrize"
        if how not in _SYMMETRIZE:
            raise ValueError(
                f"{func}: how must be one of {', '.join(repr(h) for h in _SYMMETRIZE)}; got {how!r}"
            )
        a = self._values
        b = a.T
        if how == "max":
            out = np.fmax(a, b) if skipna else np.maximum(a, b)
        elif how == "min":
            out = np.fmin(a, b) if skipna else np.minimum(a, b)
        elif not skipna:
            out = a + b
            if how == "mean":
                out *= 0.5
        else:
            a_ok = ~np.isnan(a)
            b_ok = a_ok.T
            total = np.where(a_ok, a, 0.0) + np.where(b_ok, b, 0.0)
            count = a_ok.astype(np.int8) + b_ok
            if how == "mean":
                out = np.full_like(a, np.nan)
                np.divide(total, count, out=out, where=count > 0)
            else:
                out = np.where(count > 0, total, np.nan)
        return self._derive(np.ascontiguousarray(out))

    def sub(self, actors: Any) -> RelationMatrix:
        """The submatrix of the given actors, in the given order.

        Keys are read as in ``R[a]``. Unknown actors raise ``KeyError``,
        repeated ones ``ValueError``.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[0, 1, 2], [3, 0, 4], [5, 6, 0]], actors=[2, 365, 710])
        >>> R.sub([710, 2]).values
        array([[0., 5.],
               [2., 0.]])
        """
        func = "RelationMatrix.sub"
        if isinstance(actors, (str, bytes)) or not pd.api.types.is_list_like(actors):
            raise TypeError(
                f"{func}: actors must be a list-like of actor keys; got {type(actors).__name__}"
            )
        keys = list(actors)
        pos = np.fromiter((self._locate(k) for k in keys), dtype=np.intp, count=len(keys))
        if len(np.unique(pos)) != len(pos):
            repeated = pd.Index(pos).duplicated()
            dups = [k for k, rep in zip(keys, repeated) if rep]
            raise ValueError(f"{func}: actors must be unique; got duplicates {_examples(dups)}")
        values = self._values[np.ix_(pos, pos)]
        return self._derive(values, actors=self._actors.take(pos))

    def fillna(self, value: float) -> RelationMatrix:
        """A copy with NaN scores replaced by ``value``.

        Examples
        --------
        >>> import numpy as np
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[np.nan, 1], [2, np.nan]], actors=[2, 365])
        >>> R.fillna(0).values
        array([[0., 1.],
               [2., 0.]])
        """
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"RelationMatrix.fillna: value must be a number; got {value!r}"
            ) from None
        return self._derive(np.where(np.isnan(self._values), value, self._values))

    def fill_diagonal(self, value: float) -> RelationMatrix:
        """A copy with every diagonal score set to ``value``.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> R = RelationMatrix([[0, 1], [2, 0]], actors=[2, 365])
        >>> R.fill_diagonal(1).values
        array([[1., 1.],
               [2., 1.]])
        """
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"RelationMatrix.fill_diagonal: value must be a number; got {value!r}"
            ) from None
        out = self._values.copy()
        np.fill_diagonal(out, value)
        return self._derive(out)

    # -- comparison ------------------------------------------------------

    def equals(self, other: Any, rtol: float = 1e-12, *, check_at: bool = True) -> bool:
        """Whether ``other`` holds the same matrix, up to rounding.

        Floating sums depend on order, so two matrices are equal
        when they have the same actors and code system and
        ``max|A − B| ≤ rtol · max|B|`` over the finite scores, with ``other``
        as B. NaN must sit at the same pairs, and infinite scores must match
        exactly. Actor order does not matter (``other`` is aligned to
        ``self``).

        Parameters
        ----------
        other : object
            Anything; a non-matrix is never equal.
        rtol : float, default 1e-12
            Relative tolerance, non-negative.
        check_at : bool, default True
            Also require the same :attr:`at`.

        Examples
        --------
        >>> from multipolar.relations import RelationMatrix
        >>> A = RelationMatrix([[0, 1], [2, 0]], actors=[2, 365])
        >>> B = RelationMatrix([[0, 1 + 1e-15], [2, 0]], actors=[2, 365])
        >>> A.equals(B), A == B
        (True, False)
        """
        try:
            rtol = float(rtol)
        except (TypeError, ValueError):
            raise TypeError(f"RelationMatrix.equals: rtol must be a number; got {rtol!r}") from None
        if not rtol >= 0:
            raise ValueError(f"RelationMatrix.equals: rtol must be non-negative; got {rtol!r}")
        if not isinstance(other, RelationMatrix):
            return False
        if self._codes != other._codes or len(self) != len(other):
            return False
        if check_at:
            if (self._at is None) != (other._at is None):
                return False
            if self._at is not None:
                try:
                    if not bool(self._at == other._at) or type(self._at) is not type(other._at):
                        return False
                except (TypeError, ValueError):
                    return False
        a = self._values
        b = other._values
        if not self._actors.equals(other._actors):
            perm = other._actors.get_indexer(self._actors)
            if (perm < 0).any():
                return False
            b = b[np.ix_(perm, perm)]
        a_nan = np.isnan(a)
        if not np.array_equal(a_nan, np.isnan(b)):
            return False
        a_inf = np.isinf(a)
        b_inf = np.isinf(b)
        if not np.array_equal(a_inf, b_inf) or not np.array_equal(a[a_inf], b[b_inf]):
            return False
        finite = ~(a_nan | a_inf)
        if not finite.any():
            return True
        af = a[finite]
        bf = b[finite]
        return bool(np.max(np.abs(af - bf)) <= rtol * np.max(np.abs(bf)))

    # -- pickling --------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = {
            name: getattr(self, name) for name in _all_slots(type(self)) if hasattr(self, name)
        }
        if hasattr(self, "__dict__"):
            state.update(self.__dict__)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, val in state.items():
            object.__setattr__(self, name, val)
        if isinstance(self._values, np.ndarray) and self._values.flags.writeable:
            self._values.flags.writeable = False

    # -- display ---------------------------------------------------------

    def _summary(self) -> str:
        n = len(self._actors)
        return f"{type(self).__name__}: {n} x {n}, codes={self._codes!r}, at={_fmt_at(self._at)}"

    def _display_grid(self, max_actors: int) -> tuple[list[str], list[list[str]], int | None]:
        pos, cut = _display_positions(len(self._actors), max_actors)
        labels = [str(_plain(self._actors[p])) for p in pos]
        block = self._values[np.ix_(pos, pos)] if pos else np.empty((0, 0))
        cells = [[_fmt_value(v) for v in row] for row in block]
        return labels, cells, cut

    def __repr__(self) -> str:
        labels, cells, cut = self._display_grid(_REPR_ACTORS)
        lines = [self._summary()]
        if not labels:
            return lines[0]
        if cut is not None:
            labels = labels[:cut] + ["..."] + labels[cut:]
            cells = [row[:cut] + ["..."] + row[cut:] for row in cells]
            cells = cells[:cut] + [["..."] * len(labels)] + cells[cut:]
        width_label = max(len(s) for s in labels)
        widths = [max(len(labels[j]), *(len(row[j]) for row in cells)) for j in range(len(labels))]
        header = " " * width_label + "  " + "  ".join(s.rjust(w) for s, w in zip(labels, widths))
        lines.append(header.rstrip())
        for lab, row in zip(labels, cells):
            lines.append(
                lab.ljust(width_label) + "  " + "  ".join(s.rjust(w) for s, w in zip(row, widths))
            )
        if cut is not None:
            lines.append(f"[showing {len(labels) - 1} of {len(self)} actors]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        labels, cells, cut = self._display_grid(_REPR_ACTORS)
        esc = [html.escape(s) for s in labels]
        ell = "&hellip;"
        if cut is not None:
            esc = esc[:cut] + [ell] + esc[cut:]
            cells = [row[:cut] + [ell] + row[cut:] for row in cells]
            cells = cells[:cut] + [[ell] * len(esc)] + cells[cut:]
        parts = ['<div class="multipolar-relationmatrix">', '<table class="dataframe">']
        parts.append(
            "<thead><tr><th></th>" + "".join(f"<th>{s}</th>" for s in esc) + "</tr></thead>"
        )
        parts.append("<tbody>")
        for lab, row in zip(esc, cells):
            parts.append(f"<tr><th>{lab}</th>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
        n = len(self)
        note = (
            f"{html.escape(type(self).__name__)}: {n} &times; {n}, "
            f"codes={html.escape(repr(self._codes))}, at={html.escape(_fmt_at(self._at))}"
        )
        if cut is not None:
            note += f" (showing {len(esc) - 1} of {n} actors)"
        parts.append(f"<p>{note}</p></div>")
        return "\n".join(parts)

    # -- event matrices: from_events, update, decay_to ---------------------

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
        (``_core.decay_accumulate``) without the GIL, on threads with one
        accumulator each; with ``at=None`` the same pass finds the latest
        time. The decay factor is taken from a table of
        :math:`2^{-(\\phi + k\\,\\mathrm{day})/h}` over whole days k (φ the
        offset of T within a day), one ``exp2`` per day instead of per event;
        times off that grid get their own ``exp2``. Events are taken in
        chunks of 512 by a branch-free loop; a chunk holding a time off the
        grid, NaT, a time after T or a bad code goes event by event, and a
        NaN weight makes its thread's block go event by event.

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
        spec = _EventSpec.make(events, weight, half_life, directed, codes, actor_cols, time_col,
                               func)
        fixed = None if actors is None else _normalize_actors(actors, spec.codes, func)
        part = _accumulate_events(events, spec, weight, fixed, _event_at(at, func), func,
                                  need_quad=None)
        obj = cls._from_parts(part.values, part.actors, spec.codes, part.at)
        object.__setattr__(
            obj, "_events",
            _EventState(spec, part.quad, fixed is not None, part.counts),
        )
        return obj

    def update(self, events: pd.DataFrame, *, weight: Any = None) -> RelationMatrix:
        """Add events in place and return the matrix.

        The matrix moves to ``T = max(at, newest event)``: its scores are
        decayed by :math:`2^{-(T - at)/h}` and the new events' (decayed to
        T) added, so the result equals :meth:`from_events` over all events
        seen so far, up to rounding (``max|A - B| <= 1e-12 max|B|``), in any
        order of arrival. With a fixed ``actors`` list, events of other
        actors are counted and reported; otherwise new actors are added (the
        actors stay sorted).

        Parameters
        ----------
        events : pandas.DataFrame
            New events, with the columns the matrix was built from
            (including ``quad_class`` if it has :attr:`quad_counts`).
        weight : optional
            Weights of the new events; needed (only) when the matrix was
            built from a weight array. Default: the weight spec of
            :meth:`from_events`.

        Returns
        -------
        RelationMatrix
            ``self``, updated.

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
        part = _accumulate_events(
            events, spec, use, self._actors if state.fixed else None, None, func,
            need_quad=state.quad is not None,
        )
        target = _later(self._at, part.at)
        f_old = _decay_factor(spec.half_life, self._at, target)
        f_new = _decay_factor(spec.half_life, part.at, target)
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
        ts = _event_at(t, func)
        if ts is None:
            raise TypeError(f"{func}: t must be a time; got None")
        if self._at is not None and ts < self._at:
            raise ValueError(f"{func}: t must not be before at ({_fmt_at(self._at)}); got {ts}")
        f = _decay_factor(state.spec.half_life, self._at, ts)
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

    def _event_state(self, func: str) -> _EventState:
        state = getattr(self, "_events", None)
        if state is None:
            raise TypeError(
                f"{func}: the matrix must come from RelationMatrix.from_events (copies and "
                "derived matrices are snapshots); got a matrix without event state"
            )
        return state


# ---------------------------------------------------------------- events


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


class _EventSpec:
    """How events become weights, actors and times (fixed by from_events)."""

    __slots__ = ("actor_cols", "codes", "directed", "half_life", "time_col", "weight")

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)

    @classmethod
    def make(
        cls, events: Any, weight: Any, half_life: Any, directed: Any, codes: Any,
        actor_cols: Any, time_col: Any, func: str,
    ) -> _EventSpec:
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


class _EventState:
    """What update() needs besides the matrix: spec, quad tensor, fixed actors, counts."""

    __slots__ = ("counts", "fixed", "quad", "spec")

    def __init__(self, spec: _EventSpec, quad: np.ndarray | None, fixed: bool,
                 counts: tuple[int, ...]) -> None:
        self.spec = spec
        self.quad = quad
        self.fixed = fixed
        self.counts = counts


class _Part:
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


def _check_event_frame(events: Any, spec: _EventSpec, weight: Any, func: str) -> None:
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


def _event_at(at: Any, func: str) -> pd.Timestamp | None:
    if at is None:
        return None
    if isinstance(at, (bool, np.bool_, int, np.integer, float)):
        raise TypeError(f"{func}: at must be a time (Timestamp, datetime or date string); got {at!r}")
    try:
        ts = pd.Timestamp(at)
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


def _decay_factor(half_life: pd.Timedelta | None, t0: Any, t1: Any) -> float:
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
    return arr.view(np.int64), _NS_PER_UNIT[unit]


def _event_keys(series: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 missing; Categorical codes as they are) and their categories."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        # the Categorical's own codes, a read-only view (``.cat.codes`` builds a copy)
        return series.array.codes, series.cat.categories
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes), pd.Index(uniques)


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
    from ._validation import VALUE_DTYPES, value_array

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
        return s.to_numpy()
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise TypeError(f"{func}: column 'quad_class' must be integer 1-4; got dtype {s.dtype}")
    arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isin(arr, (1.0, 2.0, 3.0, 4.0))
    if bad.any():
        raise ValueError(
            f"{func}: column 'quad_class' must hold 1, 2, 3 or 4; got {arr[bad][0]!r}"
        )
    return arr.astype(np.int8)


def _same_code_dtype(k1: np.ndarray, k2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from ._validation import CODE_DTYPES

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


def _resolve_actors(
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


def _event_columns(events: pd.DataFrame, spec: _EventSpec, weight: Any, func: str) -> dict:
    """The arrays the C kernels take, as views of the frame's columns where possible."""
    n = len(events)
    k1, c1 = _event_keys(events[spec.actor_cols[0]])
    k2, c2 = _event_keys(events[spec.actor_cols[1]])
    k1, k2 = _same_code_dtype(k1, k2)
    w = _event_weight(events, weight, n, func)
    if spec.time_col is None:
        t, ns = np.broadcast_to(np.int64(0), (n,)), _NS_PER_UNIT["ns"]
    else:
        t, ns = _event_time(events, spec.time_col, func)
    return {"k1": k1, "c1": c1, "k2": k2, "c2": c2, "w": w, "t": t, "ns": ns}


def _warn_counts(func: str, counts: tuple[int, ...], stacklevel: int = 4) -> None:
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


def _symmetric(a: np.ndarray) -> np.ndarray:
    """A + A.T with the diagonal counted once (last two axes)."""
    out = a + np.swapaxes(a, -1, -2)
    n = a.shape[-1]
    diag = np.arange(n)
    out[..., diag, diag] = a[..., diag, diag]
    return out


def _accumulate_events(
    events: pd.DataFrame, spec: _EventSpec, weight: Any, fixed: pd.Index | None,
    at: pd.Timestamp | None, func: str, need_quad: bool | None, warn: bool = True,
) -> _Part:
    """One C pass over the events: values (N, N), quad counts, actors, at, counts."""
    from . import _core

    cols = _event_columns(events, spec, weight, func)
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
    idx, map1, map2 = _resolve_actors(cols["k1"], cols["c1"], cols["k2"], cols["c2"], fixed,
                                      spec.codes, func, _DIRECT_UNION)
    n = len(idx)
    out = np.zeros((n, n))
    qout = np.zeros((4, n, n)) if quad is not None else None
    used = np.zeros(n, np.uint8) if fixed is None else None
    half = np.inf if spec.half_life is None else spec.half_life.value / ns
    counts, latest = _core.decay_accumulate(out, qout, cols["k1"], map1, cols["k2"], map2,
                                            cols["w"], t, quad, used, at_ticks,
                                            max(_DAY_NS // ns, 1), half)
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
        out = _symmetric(out)
        if qout is not None:
            qout = _symmetric(qout)
    if qout is not None:
        qout.flags.writeable = False
    if warn:
        _warn_counts(func, counts)
    return _Part(np.ascontiguousarray(out), qout, idx, at_ts, tuple(counts))


# ---------------------------------------------------------------- time bins


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


def _bin_edges(t: np.ndarray, ns: int, freq: Any, func: str) -> pd.DatetimeIndex:
    """Bin edges covering the non-NaT times: the first bin starts at the freq
    boundary at or before the earliest time."""
    from pandas.tseries.frequencies import to_offset
    from pandas.tseries.offsets import Tick

    try:
        off = to_offset(freq)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: freq must be a pandas offset alias such as 'MS'; got {freq!r}") from None
    valid = t[t != np.iinfo(np.int64).min] if len(t) else t
    if len(valid) == 0:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    t0 = pd.Timestamp(int(valid.min()) * ns, unit="ns")
    t1 = pd.Timestamp(int(valid.max()) * ns, unit="ns")
    start = t0.floor(off) if isinstance(off, Tick) else off.rollback(t0.normalize())
    edges = pd.date_range(start, t1 + off, freq=off, unit="ns")
    return edges


def _binned(
    events: pd.DataFrame, freq: Any, actors: Any, weight: Any, codes: Any, actor_cols: Any,
    time_col: Any, func: str, directed: bool = True,
) -> tuple[np.ndarray, pd.DatetimeIndex, pd.Index, str, tuple[int, ...]]:
    from . import _core

    spec = _EventSpec.make(events, weight, None, directed, codes, actor_cols, time_col, func)
    if time_col is None:
        raise ValueError(f"{func}: time_col must name a datetime column; got None")
    fixed = None if actors is None else _normalize_actors(actors, spec.codes, func)
    cols = _event_columns(events, spec, weight, func)
    t, ns = cols["t"], cols["ns"]
    edges = _bin_edges(t, ns, freq, func)
    nb = max(len(edges) - 1, 0)
    limit = _DIRECT_UNION if nb <= 16 else 256
    idx, map1, map2 = _resolve_actors(cols["k1"], cols["c1"], cols["k2"], cols["c2"], fixed,
                                      spec.codes, func, limit)
    n = len(idx)
    out = np.zeros((nb, n, n))
    used = np.zeros(n, np.uint8) if fixed is None else None
    edge_ticks = (edges.asi8 // ns) if len(edges) else np.zeros(1, np.int64)
    counts = _core.bin_accumulate(out, cols["k1"], map1, cols["k2"], map2, cols["w"], t,
                                  np.ascontiguousarray(edge_ticks, dtype=np.int64), used)
    if used is not None and not used.all():
        pos = np.flatnonzero(used)
        out = out[:, pos[:, None], pos[None, :]]
        idx = idx[pos]
    if not spec.directed:
        out = _symmetric(out)
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
        "7D", ...). The first bin starts at the boundary at or before the
        earliest event; bins run to the latest event, empty bins included.
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
    _warn_counts(func, counts, stacklevel=3)
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
        spec = _EventSpec.make(events, weight, None, True, codes_, actor_cols, time_col, func)
        cols = _event_columns(events, spec, weight, func)
        fixed = _normalize_actors(pair, codes_, func)
        _, map1, map2 = _resolve_actors(cols["k1"], cols["c1"], cols["k2"], cols["c2"], fixed,
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
