"""Code conversion: :func:`convert` between code systems, :func:`lookup_state` and
:func:`lookup_states` for states named by the user, and the year-aware resolution of
codes that name several COW states (see the package docstring).
"""

from __future__ import annotations

import functools
import numbers
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_system as _check_system
from .._validation import factorize
from .names import name_matches
from .tables import (
    _GRID_FIRST,
    _INT_SYSTEMS,
    _NCODE,
    _codebook,
    _grid,
    _key,
    _Link,
)


def _unknown_message(func: str, system: str, bad: list[Any]) -> str:
    shown = bad[:10]
    more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
    return f"{func}: values not known as {system} codes: {shown!r}{more}"


def _year_vector(year: object, n: int, shape: tuple[int, ...], func: str) -> np.ndarray | None:
    """``year`` as a float64 vector of length n (NaN = no year), or None."""
    if year is None:
        return None
    arr = year.to_numpy() if isinstance(year, pd.Series | pd.Index) else np.asarray(year)
    if arr.dtype.kind == "O":
        try:
            num = pd.to_numeric(pd.Series(arr.ravel()), errors="raise")
            arr = num.to_numpy(dtype=np.float64, na_value=np.nan).reshape(arr.shape)
        except (TypeError, ValueError):
            pass
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{func}: year must be an integer or an array of integers; got {year!r}")
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not (np.mod(arr[finite], 1) == 0).all():
            raise ValueError(f"{func}: year must hold whole years; got {year!r}")
    arr = arr.astype(np.float64)
    try:
        arr = np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(
            f"{func}: year must be a scalar or align with values; got shape {np.shape(arr)} "
            f"for values of shape {shape}"
        ) from None
    return arr.reshape(n)


@functools.cache
def _member_distance() -> np.ndarray:
    """Years from each grid column to the state's nearest system-member year (int64)."""
    grid = _grid("system")
    idx = np.arange(grid.shape[1])
    far = 10**6
    before = np.maximum.accumulate(np.where(grid, idx, -far), axis=1)
    after = np.minimum.accumulate(np.where(grid, idx, far)[:, ::-1], axis=1)[:, ::-1]
    dist = np.minimum(idx - before, after - idx)
    dist.flags.writeable = False
    return dist


def _years_from_member(ccode: int, years: np.ndarray) -> np.ndarray:
    """Distance in years from each (float) year to ``ccode``'s nearest member year; NaN -> inf."""
    grid = _grid("system")
    ok = np.isfinite(years)
    y = np.where(ok, years, _GRID_FIRST)
    col = np.clip(y, _GRID_FIRST, _GRID_FIRST + grid.shape[1] - 1).astype(np.int64) - _GRID_FIRST
    row = grid[ccode, col]
    d = _member_distance()[ccode, col] + np.where(row, 0.0, np.abs(y - (col + _GRID_FIRST)))
    return np.where(ok, d, np.inf)


def _name_links(value: Any) -> tuple[_Link, ...] | None:
    """Links of a name that is not a COW state name but matches the name patterns."""
    if not isinstance(value, str):
        return None
    found = name_matches(value)
    return tuple(_Link(c, -np.inf, np.inf) for c in found) if found else None


def _to_cow(
    codes: np.ndarray,
    uniques: np.ndarray,
    system: str,
    years: np.ndarray | None,
    func: str,
) -> np.ndarray:
    """Resolve factorized input values to ccodes (int64, -1 = missing / no COW state)."""
    book = _codebook()
    table = book.inputs[system]
    resolved = np.full(len(uniques), -1, dtype=np.int64)
    ambiguous: dict[int, tuple[_Link, ...]] = {}
    bad: list[Any] = []
    for i, value in enumerate(uniques.tolist()):
        links = table.get(_key(system, value))
        if system == "name":
            # a COW name may also match a pattern naming other states over time
            # ("Germany" is 260 in 1955-1990): both sets of links go to the year rule
            extra = _name_links(value)
            if extra is not None:
                links = tuple(links or ()) + extra
        if links is None:
            bad.append(value)
            continue
        states_ = {link.ccode for link in links}
        if len(states_) == 1:
            resolved[i] = links[0].ccode
        elif len(states_) > 1:
            # Without a year: the most recent state.
            resolved[i] = max(states_, key=lambda c: book.recency[c])
            if years is not None:
                ambiguous[i] = links
    if bad:
        raise ValueError(_unknown_message(func, system, bad))
    # codes == -1 (missing) picks the appended -1.
    out = np.append(resolved, -1)[codes]
    if years is None or not ambiguous:
        return out
    for i, links in ambiguous.items():
        rows = np.flatnonzero(codes == i)
        y = years[rows]
        cands = sorted({link.ccode for link in links}, key=lambda c: book.recency[c])
        best = np.full(len(rows), -1, dtype=np.int64)
        best_cov = np.full(len(rows), -1, dtype=np.int64)
        best_dist = np.full(len(rows), np.inf)
        # Candidates in increasing recency: on a tie the later (more recent) one wins.
        for c in cands:
            covers = np.zeros(len(rows), dtype=bool)
            for link in links:
                if link.ccode == c:
                    covers |= (y >= link.first) & (y <= link.last)
            cov = covers.astype(np.int64)
            dist = _years_from_member(c, y)
            better = (cov > best_cov) | ((cov == best_cov) & (dist <= best_dist))
            best[better] = c
            best_cov[better] = cov[better]
            best_dist[better] = dist[better]
        out[rows] = best
    return out


def _from_cow(ccodes: np.ndarray, system: str, years: np.ndarray | None) -> np.ndarray:
    """Codes of int ccodes (-1 = missing): int64 (-1 = missing) for "cow" and "gw",
    else an object array (None = missing)."""
    book = _codebook()
    if system == "cow":
        return ccodes
    base = book.outputs[system]
    if system in _INT_SYSTEMS:
        base = np.array([-1 if v is None else v for v in base] + [-1], dtype=np.int64)
    else:
        base = np.append(base, np.array([None], dtype=object))
    # ccodes == -1 (missing) picks the appended missing value.
    out = base[ccodes]
    if years is None:
        return out
    for c, spans in book.periods[system].items():
        rows = np.flatnonzero(ccodes == c)
        if not len(rows):
            continue
        y = years[rows]
        start = np.full(len(rows), -np.inf)
        for code, first, last in spans:
            hit = (y >= first) & (y <= last) & (first >= start)
            out[rows[hit]] = code
            start[hit] = first
    return out


def convert(
    values: Any,
    from_: str = "cow",
    to: str = "iso3",
    *,
    year: Any = None,
) -> Any:
    """Convert state codes between code systems.

    Parameters
    ----------
    values : scalar, list, tuple, numpy.ndarray, pandas.Series or pandas.Index
        Codes in system ``from_``. Missing values (None, NaN, ``pd.NA``) pass
        through as missing. Strings are read case-insensitively, with
        surrounding whitespace ignored; integer systems also accept whole
        floats (``2.0``).
    from_, to : {"cow", "cowabb", "iso3", "iso2", "cameo", "gw", "name"}
        Code systems: COW ccode (int), COW abbreviation, ISO 3166-1 alpha-3
        and alpha-2, CAMEO country code, Gleditsch-Ward number (int), COW
        state name. ``from_="name"`` also reads the English names analysts
        meet in World Bank, UN and news sources ("Russian Federation",
        "Korea, Rep.", "Türkiye", "Viet Nam"), by the patterns of
        :mod:`multipolar.codes.names`, year-aware ("Germany" in 1970 is 260).
    year : int or array-like of int, optional
        Year of each value (a scalar, or an array that broadcasts to
        ``values``; NaN means no year). It decides between the COW states a
        code names: ISO "DEU"/"DE" and CAMEO "DEU" are the German Federal
        Republic (260) until 1990 and Germany (255) after, G-W 260 likewise,
        ISO "YEM" is 678 before 1990 and 679 after, ISO2 "CS" is
        Czechoslovakia until 1992 and Serbia and Montenegro in 2003-2006,
        CAMEO "CZE" and "SVK" are Czechoslovakia (315) until 1992 and Czechia
        (316) and Slovakia (317) after (ISO CZE/SVK name Czechia and
        Slovakia in every year). CAMEO regions (AFR, EUR, SAF, ...; see
        :data:`multipolar.codes.CAMEO_REGIONS`) convert to missing.
        Among the states a code names, one whose code was in use that year
        wins, then the one that was a COW system member that year (or, if
        none was, the one nearest in time to being one), then the most
        recent (in 1990, when both German states were members, Germany 255).
        Without ``year`` (or where it is NaN) the most recent state wins:
        the one whose membership lasts longest. ``year`` also selects
        period codes on output (COW 345 is "YUG", "SCG" or "SRB" in ISO, G-W
        340 or 345); without it the table code of :func:`states` is used.

    Returns
    -------
    scalar, list, numpy.ndarray, pandas.Series or pandas.Index
        The same shape of container as ``values`` (a Series keeps its index
        and name). A known state without a code in ``to`` gives a missing
        value: None in object output, NaN in numeric output. Integer targets
        ("cow", "gw") are Python ints in scalars and lists, and int64 arrays
        when nothing is missing, float64 with NaN otherwise. String targets
        are object arrays (a Series gets pandas' default string dtype).

    Raises
    ------
    ValueError
        If ``from_`` or ``to`` is not a known system, if ``year`` does not
        align, or if a value is not a code of ``from_``; the message names
        the unknown values.

    Examples
    --------
    >>> from multipolar.codes import convert
    >>> convert(2, "cow", "iso3")
    'USA'
    >>> convert(["AUS", "aul"], "cowabb", "iso3")
    ['AUT', 'AUS']
    >>> convert("DEU", "iso3", "cow", year=1985), convert("DEU", "iso3", "cow", year=1995)
    (260, 255)
    >>> convert([345, 345, 345], "cow", "iso3", year=[1990, 2004, 2010])
    ['YUG', 'SCG', 'SRB']
    >>> convert([240, None], "cow", "iso3")
    [None, None]
    """
    func = "convert"
    from_ = _check_system(from_, func, "from_")
    to = _check_system(to, func, "to")

    kind, codes, uniques, shape, index, name = _factorize_values(values)
    n = len(codes)
    years = _year_vector(year, n, shape, func)

    out = _from_cow(_to_cow(codes, uniques, from_, years, func), to, years)
    if to in _INT_SYSTEMS:
        missing = out < 0
        if kind in ("scalar", "list"):
            obj = out.astype(object)
            obj[missing] = None
            return obj[0] if kind == "scalar" else obj.tolist()
        arr = np.where(missing, np.nan, out) if missing.any() else out
    else:
        if kind == "scalar":
            return out[0]
        if kind == "list":
            return out.tolist()
        arr = out
    arr = arr.reshape(shape)
    if kind == "series":
        return pd.Series(arr, index=index, name=name, copy=False)
    if kind == "index":
        return pd.Index(arr, name=name)
    return arr


def _factorize_values(
    values: Any,
) -> tuple[str, np.ndarray, np.ndarray, tuple[int, ...], Any, Any]:
    """(kind, codes, uniques, shape, index, name) of convert's input; codes -1 = missing."""
    index = name = None
    if isinstance(values, pd.Series | pd.Index):
        kind = "series" if isinstance(values, pd.Series) else "index"
        index = values.index if kind == "series" else None
        name = values.name
        shape: tuple[int, ...] = (len(values),)
        # Categoricals keep every category (used or not); other keys are hashed once
        keep = isinstance(values.dtype, pd.CategoricalDtype)
        codes, uniques = factorize(
            values, "convert", "values", sort=False, dense=not keep, missing="code", dtype=np.int64
        )
        return kind, codes, np.asarray(uniques, dtype=object), shape, index, name
    elif isinstance(values, np.ndarray):
        kind = "array"
        shape = values.shape
        flat = values.ravel()
        if flat.dtype.kind not in "iufO":
            flat = flat.astype(object)
    elif isinstance(values, list | tuple):
        kind = "list"
        shape = (len(values),)
        flat = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            flat[i] = v
    else:
        kind = "scalar"
        shape = ()
        flat = np.empty(1, dtype=object)
        flat[0] = values
    codes, uniques = factorize(
        flat, "convert", "values", sort=False, missing="code", dtype=np.int64
    )
    return (
        kind,
        codes,
        np.asarray(uniques, dtype=object),
        shape,
        index,
        name,
    )


# --------------------------------------------------------------------------- state lookup


def lookup_state(x: Any, codes: str = "cowabb", *, year: int | None = None) -> int:
    """The COW ccode of one state given by the user.

    Parameters
    ----------
    x : int or str
        An int is a COW ccode (checked against the code table). A string is
        read in the code system ``codes``, case-insensitively. With
        ``codes="gw"`` ints and digit strings are G-W numbers; with
        ``codes="cow"`` digit strings are ccodes.
    codes : {"cowabb", "cow", "iso3", "iso2", "cameo", "gw", "name"}, default "cowabb"
        Code system of string input.
    year : int, optional
        Decides codes that name several COW states, as in :func:`convert`.

    Returns
    -------
    int
        The COW ccode.

    Raises
    ------
    TypeError
        If ``x`` is neither an int nor a string.
    ValueError
        If ``x`` is missing, not a known code, or names no COW state (e.g.
        G-W 711, Tibet), or ``codes`` is not a code system.

    Examples
    --------
    >>> from multipolar.codes import lookup_state
    >>> lookup_state("UKG"), lookup_state(710), lookup_state("aus", codes="iso3")
    (200, 710, 900)
    >>> lookup_state("DE", codes="iso2", year=1985)
    260
    """
    return int(_lookup([x], codes, year, "lookup_state", "x")[0])


def lookup_states(xs: Any, codes: str = "cowabb", *, year: Any = None) -> np.ndarray:
    """The COW ccodes of several states given by the user.

    Parameters
    ----------
    xs : iterable of int or str
        Each element as in :func:`lookup_state`; ints and strings may mix.
    codes : {"cowabb", "cow", "iso3", "iso2", "cameo", "gw", "name"}, default "cowabb"
        Code system of string elements.
    year : int or array-like of int, optional
        Year of each element (scalar or aligned), as in :func:`convert`.

    Returns
    -------
    numpy.ndarray
        int64 ccodes in the order of ``xs``.

    Raises
    ------
    TypeError
        If ``xs`` is not a list-like, or an element is neither an int nor a string.
    ValueError
        If elements are missing, unknown or name no COW state; the message
        names all of them.

    Examples
    --------
    >>> from multipolar.codes import lookup_states
    >>> lookup_states(["USA", 365, "chn"]).tolist()
    [2, 365, 710]
    """
    if isinstance(xs, str | bytes) or not np.iterable(xs):
        raise TypeError(f"lookup_states: xs must be a list-like of states; got {xs!r}")
    items = xs.tolist() if isinstance(xs, np.ndarray | pd.Series | pd.Index) else list(xs)
    return _lookup(items, codes, year, "lookup_states", "xs")


def _lookup(items: list[Any], codes: str, year: Any, func: str, arg: str) -> np.ndarray:
    system = _check_system(codes, func, "codes")
    n = len(items)
    years = _year_vector(year, n, (n,), func)
    book = _codebook()
    out = np.full(n, -1, dtype=np.int64)
    show = (lambda v: v[0]) if arg == "x" else (lambda v: v)
    # Pass 1: types, missing values and COW ccodes.
    missing: list[Any] = []
    unknown: list[Any] = []
    text_rows: list[int] = []
    keys: list[Any] = []
    for i, v in enumerate(items):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            missing.append(v)
            continue
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral | str):
            raise TypeError(
                f"{func}: {arg} must be an int ccode or a string code; got {type(v).__name__} {v!r}"
            )
        if isinstance(v, numbers.Integral) and system != "gw":
            c = int(v)
            if 0 <= c < _NCODE and book.known[c]:
                out[i] = c
            else:
                unknown.append(v)
            continue
        key: Any = v
        if isinstance(v, str) and system in _INT_SYSTEMS:
            key = int(v) if v.strip().isdigit() else None
        if _key(system, key) not in book.inputs[system] and (
            system != "name" or _name_links(key) is None
        ):
            unknown.append(v)
            continue
        text_rows.append(i)
        keys.append(key)
    if missing:
        raise ValueError(
            f"{func}: {arg} must name a state, not a missing value; got {show(missing)!r}"
        )
    if unknown:
        if system in _INT_SYSTEMS:
            what = f"{'COW ccodes' if system == 'cow' else 'gw codes'}"
        elif all(isinstance(v, str) for v in unknown):
            what = f"{system} codes"
        elif any(isinstance(v, str) for v in unknown):
            what = f"COW ccodes or {system} codes"
        else:
            what = "COW ccodes"
        raise ValueError(f"{func}: {arg} not known as {what}; got {show(unknown)!r}")
    if text_rows:
        rows = np.array(text_rows, dtype=np.int64)
        vals = np.empty(len(rows), dtype=object)
        for j, k in enumerate(keys):
            vals[j] = k
        codes_, uniques = pd.factorize(vals)
        res = _to_cow(
            np.asarray(codes_, dtype=np.int64),
            np.asarray(uniques, dtype=object),
            system,
            None if years is None else years[rows],
            func,
        )
        if (res < 0).any():
            bad = [items[i] for i, r in zip(text_rows, res) if r < 0]
            raise ValueError(f"{func}: {arg} names no COW state; got {show(bad)!r}")
        out[rows] = res
    return out
