"""Shared argument normalisation for the public wrappers.

Everything here turns user input (pandas objects, lists, scalars) into the
contiguous-or-strided NumPy arrays the C kernels take, and raises the
documented TypeError/ValueError, worded ``<function>: <argument> <problem>;
got <value>``, before anything reaches C.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

#: Value dtypes the C kernels accept as they are.
VALUE_DTYPES = (np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.int32))
#: Code dtypes the C kernels accept as they are (Categorical codes, factorized keys).
CODE_DTYPES = (np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.int32), np.dtype(np.int64))


def require_frame(df: object, func: str, arg: str = "df") -> pd.DataFrame:
    """Raise TypeError unless ``df`` is a DataFrame."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{func}: {arg} must be a pandas DataFrame; got {type(df).__name__}")
    return df


def require_columns(df: pd.DataFrame, cols: Iterable[str], func: str, arg: str = "df") -> None:
    """Raise ValueError naming every column of ``cols`` that ``df`` lacks."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(
            f"{func}: {arg} is missing column(s) {missing}; got columns {list(df.columns)}"
        )


def value_array(series: pd.Series, func: str, name: str) -> np.ndarray:
    """A numeric column as an array the kernels accept, without copying when possible.

    float64, float32, int64 and int32 pass as they are (a view of the column);
    bool and 8/16-bit integers are upcast to int64, float16 to float32, pandas
    nullable numbers to float64 with NaN for missing. Anything else raises a
    TypeError naming the column and a value that is not a number.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            return series.to_numpy(dtype=np.float64, na_value=np.nan)
        _raise_not_numeric(series, func, name)
    arr = series.to_numpy()
    if arr.dtype in VALUE_DTYPES:
        return arr if arr.dtype.isnative else arr.astype(arr.dtype.newbyteorder("="))
    if arr.dtype.kind in "biu" and arr.dtype.itemsize <= 2 or arr.dtype.kind == "b":
        return arr.astype(np.int64)
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 4:
        return arr.astype(np.int64)
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    if arr.dtype.kind in "fiu":
        return arr.astype(np.float64)
    _raise_not_numeric(series, func, name)
    raise AssertionError("unreachable")


def _raise_not_numeric(series: pd.Series, func: str, name: str) -> None:
    bad = pd.to_numeric(series, errors="coerce").isna() & series.notna()
    example = series[bad].iloc[0] if bad.any() else series.iloc[0] if len(series) else None
    raise TypeError(
        f"{func}: column {name!r} must be numeric; got dtype {series.dtype} "
        f"with value {example!r}"
    )


def group_codes(keys: pd.Series | np.ndarray, func: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Factorize group keys into (codes, sorted unique keys).

    Integer keys with a small range (years) take the fast path codes = key - min,
    which keeps empty groups in the range (the caller drops them); other keys go
    through ``pandas.factorize(sort=True)``. Missing keys raise ValueError.
    """
    arr = keys.to_numpy() if isinstance(keys, pd.Series) else np.asarray(keys)
    n = len(arr)
    if arr.dtype.kind in "iu" and n:
        lo, hi = int(arr.min()), int(arr.max())
        span = hi - lo + 1
        if span <= 4 * n + 1024:
            codes = arr - lo if lo != 0 else arr
            dtype = np.int32 if span < 2**31 else np.int64
            codes = codes.astype(dtype, copy=False)
            return codes, np.arange(lo, hi + 1, dtype=np.int64)
    if arr.dtype.kind == "f" and n and np.isnan(arr).any():
        raise ValueError(f"{func}: column {name!r} must not be missing; got NaN")
    codes, uniques = pd.factorize(arr, sort=True)
    if n and (codes < 0).any():
        raise ValueError(f"{func}: column {name!r} must not be missing; got a missing key")
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


def check_unique_pairs(a: np.ndarray, b: np.ndarray, func: str, names: tuple[str, str]) -> None:
    """Raise ValueError naming a duplicate (a, b) pair and how many pairs repeat.

    One pass over a bitmap of the pairs' value range in C; a sort when the range
    is too large for a bitmap.
    """
    from . import _core

    if len(a) < 2:
        return
    a64 = np.ascontiguousarray(a, dtype=np.int64)
    b64 = np.ascontiguousarray(b, dtype=np.int64)
    first = _core.first_duplicate(a64, b64)
    if first == -1:
        return
    frame = pd.DataFrame({"a": a64, "b": b64})
    dup = frame.duplicated(keep=False)
    if not dup.any():
        return
    pairs = frame[dup].drop_duplicates()
    pair = (int(pairs["a"].iloc[0]), int(pairs["b"].iloc[0]))
    raise ValueError(
        f"{func}: df has duplicate ({names[0]}, {names[1]}) rows; got {len(pairs)} duplicated "
        f"pair(s), e.g. {pair}"
    )
