"""Building a :class:`~multipolar.relations.RelationMatrix` from pandas frames.

``RelationMatrix.from_frame`` pivots a long dyad frame (one row per directed
pair) into a matrix, optionally aggregating repeated pairs;
``RelationMatrix.from_pandas`` wraps a square labelled frame. The methods'
docstrings are the reference; the bodies live here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd

from .._validation import as_number
from ._common import _check_at, _check_codes, _examples, _normalize_actors, _plain
from .events import _Keys

# Aggregates computed with bincount / ufunc.at; others go through pandas.
_FAST_AGGREGATES = ("sum", "mean", "min", "max", "count")
_PANDAS_AGGREGATES = ("median", "first", "last", "prod", "std", "var")


def from_frame(
    cls: Any, df: pd.DataFrame, row: Hashable, col: Hashable, value: Hashable | None, *,
    codes: str, at: Any, actors: Any, fill: float, aggregate: str | Callable[..., Any] | None,
    n: Hashable | None = None,
) -> Any:
    """``cls.from_frame``: see :meth:`RelationMatrix.from_frame`."""
    func = "RelationMatrix.from_frame"
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{func}: df must be a pandas DataFrame; got {type(df).__name__}")
    codes = _check_codes(codes, func)
    at = _check_at(at, func)
    fill = as_number(fill, func, "fill")
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
    if n is not None:
        columns.append(("n", n))
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
    v, aggregate = _frame_scores(df, value, aggregate, func)
    if n is None:
        idx, ri, ci, v = _frame_keys(df, row, col, v, codes, actors, func)
        values = _place(ri, ci, v, idx, fill, aggregate, row, col, func)
        return cls._from_parts(values, idx, codes, at)
    # the counts travel with the scores, so the rows left out are the same
    nv, _ = _frame_scores(df, n, None, func)
    if (nv < 0).any() or np.isinf(nv).any():
        raise ValueError(f"{func}: n column must hold non-negative finite counts; got {n!r}")
    idx, ri, ci, both = _frame_keys(df, row, col, np.column_stack([v, nv]), codes, actors, func)
    values = _place(ri, ci, both[:, 0], idx, fill, aggregate, row, col, func)
    counts = _place(ri, ci, both[:, 1], idx, np.nan, None if aggregate is None else "sum", row,
                    col, func)
    obj = cls._from_parts(values, idx, codes, at)
    counts.flags.writeable = False
    obj._n = counts
    return obj


def _frame_scores(
    df: pd.DataFrame, value: Hashable | None, aggregate: Any, func: str
) -> tuple[np.ndarray, Any]:
    """The score of every row (float64) and the aggregate (``"sum"`` when counting rows)."""
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
    return v, aggregate


def _frame_keys(
    df: pd.DataFrame, row: Hashable, col: Hashable, v: np.ndarray, codes: str, actors: Any,
    func: str,
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """Actors and the positions of the rows kept (warning about the rows left out)."""
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
            stacklevel=4,
        )
    if n_outside:
        first = int(np.flatnonzero(~keep & ~missing)[0])
        example = rs.iloc[first] if ri[first] < 0 else cs.iloc[first]
        warnings.warn(
            f"{func}: left out {n_outside} rows with an actor outside actors; "
            f"e.g. {_plain(example)!r}",
            UserWarning,
            stacklevel=4,
        )

    if n_missing or n_outside:
        ri, ci, v = ri[keep], ci[keep], v[keep]
    return idx, ri, ci, v


def _place(
    ri: np.ndarray, ci: np.ndarray, v: np.ndarray, idx: pd.Index, fill: float, aggregate: Any,
    row: Hashable, col: Hashable, func: str,
) -> np.ndarray:
    """The N×N values: scores placed at their pairs, aggregated if asked."""
    n = len(idx)
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
    return flat.reshape(n, n)


def from_pandas(cls: Any, df: pd.DataFrame, codes: str, at: Any) -> Any:
    """``cls.from_pandas``: see :meth:`RelationMatrix.from_pandas`."""
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
