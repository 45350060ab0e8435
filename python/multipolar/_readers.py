"""File-reading helpers shared by the readers of :mod:`multipolar.io` and
:mod:`multipolar.unvotes`: one way to open a table, read COW value and key columns,
and quote a user's value in an error.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ._errors import InputError


def _read_table(
    path: str | os.PathLike[str] | pd.DataFrame, func: str, what: str = "CSV", **kwargs
) -> pd.DataFrame:
    """A file read by ``pandas.read_csv`` (or a copy of a frame given instead), column names stripped and lower-cased.

    A missing file raises FileNotFoundError as it is; a file pandas cannot
    parse raises ValueError naming ``func`` and the path.
    """
    if isinstance(path, pd.DataFrame):
        raw = path.copy()
    elif not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{func}: path must be a str or path-like; got {type(path).__name__}")
    else:
        import zipfile
        import zlib

        try:
            raw = pd.read_csv(path, low_memory=False, **kwargs)
        except FileNotFoundError:
            raise
        except pd.errors.EmptyDataError:
            raise InputError(f"{func}: path must not be an empty file; got {os.fspath(path)!r}",
                             function=func, argument="path", value=os.fspath(path)) from None
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(
                f"{func}: path is not a readable {what} file; got {os.fspath(path)!r}: {exc}",
                function=func, argument="path", value=os.fspath(path),
            ) from None
        except (EOFError, zlib.error, zipfile.BadZipFile, OSError) as exc:
            # a truncated or corrupt .gz/.zip: gzip's EOFError or BadGzipFile (an OSError)
            raise InputError(
                f"{func}: path is a damaged compressed file (cut short or corrupt); got "
                f"{os.fspath(path)!r}: {exc}", function=func, argument="path",
                value=os.fspath(path),
            ) from None
        if len(raw) == 0 and len(raw.columns) and kwargs.get("nrows") != 0:
            raise InputError(
                f"{func}: path must hold data rows below its header; got {os.fspath(path)!r} "
                f"with the header only ({len(raw.columns)} columns)", function=func,
                argument="path", value=os.fspath(path),
            )
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    return raw


def _cow_values(raw: pd.DataFrame, names: tuple[str, ...], func: str, *, inf_apart: bool = False) -> dict[str, np.ndarray]:
    """Non-negative float64 value columns of a COW file; ``-9`` and empty fields become NaN.

    A column the file lacks is all NaN. A negative value (other than -9) or an
    infinite one raises with its data row; with ``inf_apart`` the two get
    separate messages (the NMC reader's wording).
    """
    from ._validation import value_array

    out = {}
    for name in names:
        if name not in raw.columns:
            out[name] = np.full(len(raw), np.nan)
            continue
        arr = value_array(raw[name], func, name).astype(np.float64)
        arr = np.where(arr == -9, np.nan, arr)
        if inf_apart:
            checks = (("non-negative or -9 (missing)", arr < 0), ("finite", np.isinf(arr)))
        else:
            checks = (("finite and non-negative or -9 (missing)", (arr < 0) | np.isinf(arr)),)
        for rule, bad in checks:
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"{func}: column {name!r} must be {rule}; got {float(arr[row])!r} in data row {row + 1}"
                )
        out[name] = arr
    return out


def _int_key(raw: pd.DataFrame, col: str, func: str) -> np.ndarray:
    """An integer key column of a file as int64; an empty field raises with its data row."""
    from ._validation import int_keys

    series = raw[col]
    if series.isna().any():
        row = int(np.flatnonzero(series.isna().to_numpy())[0])
        raise InputError(
            f"{func}: column {col!r} must not be empty; got an empty field in data row {row + 1}",
            function=func, argument=col, row=row,
        )
    if series.dtype == object:
        # pandas keeps integers beyond int64 (99999999999999999999) as Python ints
        big = series.map(lambda v: isinstance(v, int) and not -2**63 < v < 2**63).to_numpy(bool)
        if big.any():
            _key_out_of_range(series, int(np.flatnonzero(big)[0]), col, func)
    if series.dtype.kind == "f":
        arr = series.to_numpy()
        big = np.isfinite(arr) & (np.abs(arr) >= 2.0**63)
        if big.any():
            _key_out_of_range(series, int(np.flatnonzero(big)[0]), col, func)
        frac = np.isfinite(arr) & (arr != np.round(arr))
        if frac.any():
            row = int(np.flatnonzero(frac)[0])
            value = _plain(series.iloc[row])
            raise InputError(
                f"{func}: column {col!r} must hold integers; got {value!r} in data row {row + 1}",
                function=func, argument=col, row=row, value=value,
            )
    return int_keys(series, func, col)


def _plain(value: object) -> object:
    """A NumPy scalar as the Python number it holds, so messages quote ``18``, not ``np.int64(18)``."""
    return value.item() if isinstance(value, np.generic) else value


def _key_out_of_range(series: pd.Series, row: int, col: str, func: str) -> None:
    value = _plain(series.iloc[row])
    raise InputError(
        f"{func}: column {col!r} must hold integers in int64 range; got {value!r} in data "
        f"row {row + 1}", function=func, argument=col, row=row, value=value,
    )
