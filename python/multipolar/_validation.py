"""The one keys-and-validation layer of the public wrappers.

Everything here turns user input (pandas objects, lists, scalars) into the
contiguous-or-strided NumPy arrays the C kernels take, and raises the
documented TypeError/ValueError, worded ``<function>: <argument> <problem>;
got <value>``, before anything reaches C: frames and columns
(:func:`require_frame`, :func:`require_columns`, :func:`value_array`,
:func:`int_keys`), the one factoriser (:func:`factorize`), years
(:func:`years`, :func:`one_year`), states named by the user
(:func:`resolve_states`), key uniqueness over any number of columns
(:func:`check_unique`) and the code systems (:data:`CODE_SYSTEMS`).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

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


# ---- code systems -------------------------------------------------------------------

#: Code systems understood by :func:`multipolar.codes.convert`, the ``codes=``
#: arguments and :func:`resolve_states`: COW ccode (int), COW abbreviation, ISO
#: 3166-1 alpha-3 and alpha-2, CAMEO country code, Gleditsch-Ward number (int)
#: and the state name (COW's, or an English name by the patterns of
#: ``codes.names``). ``multipolar.codes.SYSTEMS`` is this tuple.
CODE_SYSTEMS: tuple[str, ...] = ("cow", "cowabb", "iso3", "iso2", "cameo", "gw", "name")


def check_system(system: object, func: str, arg: str = "codes") -> str:
    """``system`` if it is one of :data:`CODE_SYSTEMS`, else ValueError naming ``arg``."""
    if not isinstance(system, str) or system not in CODE_SYSTEMS:
        raise ValueError(f"{func}: {arg} must be one of {list(CODE_SYSTEMS)}; got {system!r}")
    return system


# ---- the factoriser ------------------------------------------------------------------

#: Integer keys whose range is at most this many slots per row (plus a constant) are
#: coded as ``key - min`` (and made dense with a bincount) instead of hashed. Codes
#: that keep empty groups in range get a small constant: every slot becomes a group.
_SPAN_PER_ROW = 4
_SPAN_MIN_DENSE = 1 << 20
_SPAN_MIN_KEEP = 1024


def _smallest_code_dtype(ngroups: int) -> np.dtype:
    for dt in CODE_DTYPES:
        if ngroups - 1 <= np.iinfo(dt).max:
            return dt
    raise ValueError(f"too many groups; got {ngroups}")  # pragma: no cover - > 2**63 groups


def _finish_codes(
    codes: np.ndarray, ngroups: int, dtype: object, borrowed: bool = False
) -> np.ndarray:
    """Codes in ``dtype`` (None: the smallest code dtype holding ``ngroups`` codes, or the
    array as it is when it is the caller's own memory in a code dtype: no copy)."""
    if dtype is None:
        if borrowed and codes.dtype in CODE_DTYPES and codes.dtype.isnative:
            return codes
        return codes.astype(_smallest_code_dtype(ngroups), copy=False)
    return codes.astype(np.dtype(dtype), copy=False)


def _missing_error(func: str, name: str, what: str) -> ValueError:
    return ValueError(f"{func}: column {name!r} must not be missing; got {what}")


def _int_codes(
    arr: np.ndarray, lo: int, hi: int, dense: bool, dtype: object
) -> tuple[np.ndarray, np.ndarray]:
    """Codes ``key - lo`` of integer keys of a small range, made dense if asked."""
    span = hi - lo + 1
    target = _smallest_code_dtype(span) if dtype is None else np.dtype(dtype)
    if lo == 0 and arr.dtype in CODE_DTYPES and arr.dtype.isnative and (
        dtype is None or arr.dtype == target
    ):
        off = arr  # the keys are already codes: no copy
    else:
        # key - lo lies in [0, span) and the target dtype holds span values, so the
        # difference taken modulo 2**bits of the target (NumPy's wrapping cast and
        # subtraction) is exact whatever the key dtype, in one pass: int8 keys
        # [-100, 100] or uint64 keys near 2**64 cannot overflow, as they did when
        # the difference was taken in the key's own dtype.
        lo_t = np.array(lo, dtype=arr.dtype).astype(target)
        off = np.subtract(arr, lo_t, dtype=target, casting="unsafe")
    wide = np.uint64 if arr.dtype.kind == "u" else np.int64
    keys = np.arange(span, dtype=wide) + wide(lo)
    if keys.dtype == np.uint64 and hi <= np.iinfo(np.int64).max:
        keys = keys.astype(np.int64)
    if not dense:
        return off, keys
    present = np.bincount(off, minlength=span) > 0
    if present.all():
        return off, keys
    remap = np.cumsum(present) - 1
    return remap[off], keys[present]


def factorize(
    keys: Any,
    func: str,
    name: str,
    *,
    sort: bool = True,
    dense: bool = True,
    missing: str = "raise",
    dtype: object = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a key column and its distinct keys: ``(codes, uniques)``.

    ``uniques[codes[i]] == keys[i]``. The one factoriser of the package: group
    keys of the power kernels, states and years of dyad tables, code-system
    input of :func:`multipolar.codes.convert`, actors of relation frames.

    Parameters
    ----------
    keys : Series, Index, Categorical, ndarray or list
        The key column (1-D).
    func, name : str
        Public function and column named in errors.
    sort : bool
        Uniques in ascending order (True) or in order of first appearance
        (False; integer keys of a small range come sorted either way).
    dense : bool
        True: codes ``0..k-1`` over the keys present. False: integer keys of a
        small range keep empty groups in range (``codes = key - min``, uniques
        ``min..max``; the caller drops the empty ones), which saves a pass; other
        keys are dense anyway. Categoricals keep their categories (used or not).
    missing : {"raise", "code"}
        A missing key (NaN, None, NA, Categorical code -1) raises ValueError
        naming the column, or gets code -1.
    dtype : None or an integer dtype
        None: the smallest of int8/16/32/64 the C kernels accept that holds the
        codes, or the keys' own array when they already are such codes.
        ``np.int64`` for callers that do arithmetic with codes.

    Returns
    -------
    (ndarray, ndarray)
        Codes (signed integers) and uniques (int64 for integer keys of int64
        range, uint64 above it, else the keys' dtype or object).

    Notes
    -----
    Integer keys with a range of at most ``4 n + 2**20`` (``4 n + 1024`` with
    ``dense=False``, where every slot of the range becomes a group) take the fast path
    ``key - min`` (exact whatever the key dtype, see ``_int_codes``) with a
    bincount and cumsum to make them dense. A Categorical's codes are returned as they are,
    without a copy, when its categories are sorted (or ``sort=False``) and
    ``dense=False`` or every category is used. Integer keys of a code dtype
    with minimum 0 (and no gap, or ``dense=False``) are returned as the caller's
    own array: the kernels stay memory-safe whatever happens to it, and callers
    must not write into codes.
    """
    if missing not in ("raise", "code"):
        raise ValueError(f"{func}: missing must be 'raise' or 'code'; got {missing!r}")
    if isinstance(keys, pd.Series | pd.Index) and isinstance(keys.dtype, pd.CategoricalDtype):
        return _factorize_categorical(keys.array, func, name, sort, dense, missing, dtype)
    if isinstance(keys, pd.Categorical):
        return _factorize_categorical(keys, func, name, sort, dense, missing, dtype)
    if isinstance(keys, pd.Series | pd.Index):
        if isinstance(keys.dtype, pd.api.extensions.ExtensionDtype):
            return _factorize_hashed(keys, func, name, sort, missing, dtype)
        arr = keys.to_numpy()
    else:
        arr = np.asarray(keys)
    if arr.ndim != 1:
        raise ValueError(f"{func}: column {name!r} must be 1-D; got shape {arr.shape}")
    n = len(arr)
    if arr.dtype.kind in "iu" and n:
        lo, hi = int(arr.min()), int(arr.max())
        slack = _SPAN_MIN_DENSE if dense else _SPAN_MIN_KEEP
        if hi - lo + 1 <= _SPAN_PER_ROW * n + slack:
            codes, uniques = _int_codes(arr, lo, hi, dense, dtype)
            return _finish_codes(codes, len(uniques), dtype, codes is arr), uniques
    return _factorize_hashed(arr, func, name, sort, missing, dtype)


def _factorize_hashed(
    arr: Any, func: str, name: str, sort: bool, missing: str, dtype: object
) -> tuple[np.ndarray, np.ndarray]:
    """pandas.factorize, with missing keys raised or coded -1."""
    codes, uniques = pd.factorize(arr, sort=sort, use_na_sentinel=True)
    codes = np.asarray(codes)
    if missing == "raise" and len(codes) and (codes < 0).any():
        what = "NaN" if np.asarray(arr).dtype.kind == "f" else "a missing key"
        raise _missing_error(func, name, what)
    uniques = np.asarray(uniques)
    return _finish_codes(codes, len(uniques), dtype), uniques


def _factorize_categorical(
    cat: pd.Categorical, func: str, name: str, sort: bool, dense: bool, missing: str, dtype: object
) -> tuple[np.ndarray, np.ndarray]:
    """A Categorical's own codes (a view) where its categories allow, else remapped once."""
    codes = np.asarray(cat.codes)  # a view of the Categorical's codes
    cats = cat.categories
    if len(codes) and missing == "raise" and (codes < 0).any():
        raise _missing_error(func, name, "a missing key")
    remap = None
    if sort and not cats.is_monotonic_increasing:
        order = np.argsort(np.asarray(cats), kind="stable")
        remap = np.empty(len(cats), dtype=np.int64)
        remap[order] = np.arange(len(cats))
        cats = cats.take(order)
    if dense and len(cats):
        used = np.bincount(codes[codes >= 0], minlength=len(cat.categories)) > 0
        if remap is not None:
            used = used[np.argsort(remap)]
        if not used.all():
            step = np.cumsum(used) - 1
            remap = step if remap is None else step[remap]
            cats = cats[used]
    uniques = np.asarray(cats)
    if remap is None:
        return _finish_codes(codes, len(uniques), dtype, True), uniques
    codes = np.append(remap, -1)[codes]  # code -1 (missing) picks the appended -1
    return _finish_codes(codes, len(uniques), dtype), uniques


def int_keys(series: pd.Series, func: str, name: str) -> np.ndarray:
    """An integer key column (ccode, year) as int64; missing or fractional keys raise.

    A ccode column holding state codes of another system ("USA", "GBR") raises a
    TypeError that names the system and the conversion to run.
    """
    try:
        arr = value_array(series, func, name)
    except TypeError as exc:
        hint = _code_hint(series, name) if str(name).startswith("ccode") else ""
        if not hint:
            raise
        raise TypeError(f"{exc}{hint}") from None
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            raise ValueError(
                f"{func}: column {name!r} must not be missing; got {arr[bad][0]!r} "
                f"in {int(bad.sum())} row(s)"
            )
        frac = arr != np.round(arr)
        if frac.any():
            raise ValueError(f"{func}: column {name!r} must hold integers; got {arr[frac][0]!r}")
    return arr.astype(np.int64, copy=False)


def _code_hint(series: pd.Series, name: str) -> str:
    """How to turn a column of state codes into ccodes, or "" if its first string is none."""
    first = next((v for v in series.tolist() if isinstance(v, str)), None)
    if first is None:
        return ""
    from .codes import lookup_state

    found = []
    for system in ("iso3", "cowabb", "iso2", "name"):
        try:
            lookup_state(first, codes=system)
        except (TypeError, ValueError, LookupError):
            continue
        found.append(system)
    if not found:
        return ""
    systems = ", ".join(found)
    return (
        f", a state code ({systems}) rather than an integer COW ccode: convert the column first, "
        f"e.g. df[{name!r}] = multipolar.convert(df[{name!r}], from_={found[0]!r}, to='cow')"
    )


# ---- years ---------------------------------------------------------------------------


def _is_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def as_number(value: object, func: str, arg: str) -> float:
    """``value`` as a float; anything ``float()`` refuses raises TypeError naming ``arg``."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{func}: {arg} must be a number; got {value!r}") from None


def years(year: object, func: str, arg: str = "year") -> np.ndarray:
    """A years argument as a 1-D int64 array: an int, a list/tuple of ints, a range or an
    integer array (or Series/Index). TypeError naming ``arg`` otherwise."""
    if _is_int(year):
        return np.array([int(year)], dtype=np.int64)
    bad = TypeError(f"{func}: {arg} must be an int or a list of ints; got {year!r}")
    if isinstance(year, (str, bytes, bool, np.bool_)) or not isinstance(year, Iterable):
        raise bad
    if isinstance(year, np.ndarray | pd.Series | pd.Index):
        arr = np.asarray(year)
    else:
        items = list(year)
        if not all(_is_int(v) for v in items):
            raise bad
        arr = np.array([int(v) for v in items], dtype=np.int64)
    if arr.ndim != 1 or (len(arr) and arr.dtype.kind not in "iu"):
        raise bad
    if arr.dtype == np.uint64 and len(arr) and int(arr.max()) > np.iinfo(np.int64).max:
        raise ValueError(f"{func}: {arg} must hold years in int64 range; got {int(arr.max())}")
    return arr.astype(np.int64)


def one_year(year: object, func: str, arg: str = "year", *, lo: int = 1, hi: int = 9999) -> int:
    """One integer year in ``lo..hi``: TypeError for a non-int, ValueError out of range."""
    if not _is_int(year):
        raise TypeError(f"{func}: {arg} must be an integer year; got {year!r}")
    y = int(year)  # type: ignore[call-overload]
    if not lo <= y <= hi:
        raise ValueError(f"{func}: {arg} must lie in {lo}..{hi}; got {y}")
    return y


# ---- state lookup --------------------------------------------------------------------


def resolve_states(
    xs: Any,
    func: str,
    arg: str,
    *,
    codes: str = "cowabb",
    present: Any = None,
    year: int | None = None,
    labels: Any = None,
) -> np.ndarray:
    """States named by the user, as int64 COW ccodes, in the order of ``xs``.

    An int is a ccode: with ``present`` (the ccodes of the frame at hand) an int
    found there is taken as it is (a COW state, or any code the frame uses, such
    as the demo world's) and other ints must be COW ccodes; without ``present``
    every int is taken as it is. A string is read in the code system ``codes``
    (COW abbreviations by default), through
    :func:`multipolar.codes.lookup_state` with ``year`` deciding codes that
    name several states; with ``codes="gw"`` ints are Gleditsch-Ward numbers.

    With the default ``codes="cowabb"`` a string that is not a COW abbreviation
    is read, in this order, as an ISO 3166-1 alpha-3 code, an alpha-2 code and
    an English name (:mod:`multipolar.codes.names`), so "GBR", "GB", "UKG" and
    "United Kingdom" all name 200. The order settles the codes that collide
    between systems without guessing: "AUS" is Austria (COW) here; pass
    ``codes="iso3"`` to read ISO codes first (then "AUS" is Australia). Any
    other ``codes`` reads strings in that system only.

    ``labels`` is an optional pair ``(names, ccodes)`` of aligned arrays, the
    frame's own abbreviations (e.g. a ``stateabb`` column): with
    ``codes="cowabb"`` a string found there is taken first, so a synthetic world's "KSH" names its own state.

    ``xs`` is one state or a list-like of them. Raises TypeError for an element
    that is neither int nor str, ValueError naming ``func`` and ``arg`` for an
    unknown state or an unknown code system.
    """
    check_system(codes, func, "codes")
    if isinstance(xs, str) or _is_int(xs):
        items = [xs]
    elif isinstance(xs, np.ndarray | pd.Series | pd.Index):
        items = np.asarray(xs).ravel().tolist()
    elif isinstance(xs, Iterable) and not isinstance(xs, bytes):
        items = list(xs)
    else:
        items = [xs]
    known = None
    own: dict[str, int] | None = None
    out = np.empty(len(items), dtype=np.int64)
    for i, x in enumerate(items):
        if not (_is_int(x) or isinstance(x, str)):
            what = "COW abbreviations" if codes == "cowabb" else f"{codes} codes"
            raise TypeError(f"{func}: {arg} must hold ccodes (int) or {what} (str); got {x!r}")
        if _is_int(x) and codes != "gw":
            if present is None:
                out[i] = int(x)
                continue
            if known is None:
                known = set(np.unique(np.asarray(present)).tolist())
            if int(x) in known:
                out[i] = int(x)
                continue
        if isinstance(x, str) and own is None and labels is not None and codes == "cowabb":
            own = _own_labels(labels)
        if isinstance(x, str) and own and x.strip().upper() in own:
            out[i] = own[x.strip().upper()]
            continue
        found = _lookup_any(x, codes, year)
        if found is None:
            tried = "COW abbreviation, ISO3, ISO2 or name" if codes == "cowabb" else codes
            raise ValueError(
                f"{func}: {arg} has an unknown state; got {x!r} (not a known {tried})"
            )
        out[i] = found
    return out


def _own_labels(labels: Any) -> dict[str, int]:
    """The frame's own abbreviation -> ccode (the first ccode where one repeats)."""
    names, ccodes = labels
    out: dict[str, int] = {}
    for name, c in zip(np.asarray(names, dtype=object).tolist(), np.asarray(ccodes).tolist()):
        if isinstance(name, str) and name.strip():
            out.setdefault(name.strip().upper(), int(c))
    return out


def _lookup_any(x: Any, codes: str, year: int | None) -> int | None:
    """ccode of one state in ``codes``, falling back to ISO3, ISO2 and names from
    ``"cowabb"`` (see :func:`resolve_states`); None if unknown."""
    from .codes import lookup_state

    systems = [codes]
    if codes == "cowabb" and isinstance(x, str):
        systems += ["iso3", "iso2", "name"]
    for system in systems:
        try:
            return int(lookup_state(x, codes=system, year=year))
        except (TypeError, ValueError, LookupError):
            continue
    return None


# ---- uniqueness ----------------------------------------------------------------------


def check_unique(data: Any, cols: Sequence[str], func: str, arg: str = "df") -> None:
    """Raise ValueError if a key (the values of ``cols`` in one row) occurs in two rows.

    ``data`` is a DataFrame holding ``cols`` or a sequence of aligned arrays, one
    per name in ``cols``. Two integer columns go to the C bitmap kernel
    ``_core.first_duplicate``; more integer columns are first folded into two (the
    dense codes of all but the last, combined); other keys, and ranges too large
    for a bitmap, use pandas ``duplicated``. The message names ``arg``, the
    columns, how many keys repeat and one of them.
    """
    from . import _core

    cols = list(cols)
    if isinstance(data, pd.DataFrame):
        arrays = [data[c].to_numpy() for c in cols]
    else:
        arrays = [np.asarray(a) for a in data]
    if len(arrays) != len(cols) or not cols:
        raise ValueError(
            f"{func}: check_unique needs one array per column; got {len(arrays)} for {cols}"
        )
    n = len(arrays[0])
    if n < 2:
        return
    if all(a.dtype.kind in "iu" for a in arrays) and all(
        a.dtype != np.uint64 or int(a.max()) <= np.iinfo(np.int64).max for a in arrays
    ):
        if len(arrays) == 2:
            a, b = arrays
        else:
            a = np.zeros(n, dtype=np.int64)
            for col in arrays[:-1]:
                codes, uniq = factorize(col, func, "key", dtype=np.int64)
                if len(uniq) and int(a.max()) >= (2**62) // len(uniq):
                    a = None
                    break
                a = a * len(uniq) + codes
            b = arrays[-1]
        if a is not None:
            first = _core.first_duplicate(
                np.ascontiguousarray(a, dtype=np.int64), np.ascontiguousarray(b, dtype=np.int64)
            )
            if first == -1:
                return
    duplicate_error(arrays, cols, func, arg)


def duplicate_error(data: Sequence[Any], cols: Sequence[str], func: str, arg: str = "df") -> None:
    """Raise the ValueError of :func:`check_unique` if the aligned arrays ``data`` repeat a key.

    The one builder of the duplicate-key message: callers that find duplicates
    their own faster way (a position table) call it to report them.
    """
    cols = list(cols)
    frame = pd.DataFrame(dict(zip(range(len(cols)), data)))
    dup = frame.duplicated(keep=False)
    if not dup.any():
        return
    keys = frame[dup.to_numpy()].drop_duplicates()
    example = tuple(v.item() if hasattr(v, "item") else v for v in keys.iloc[0].tolist())
    raise ValueError(
        f"{func}: {arg} has duplicate ({', '.join(cols)}) rows; got {len(keys)} duplicated "
        f"key(s), e.g. {example if len(example) > 1 else example[0]!r}"
    )
