"""COW membership and panels: :func:`is_member`, :func:`is_major`, :func:`members`,
:func:`majors`, :func:`state_years` and :func:`dyad_years` (the membership rule is in
the package docstring).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._validation import one_year
from .tables import _GRID_FIRST, _NCODE, _YEAR_MAX, _YEAR_MIN, _codebook, _grid


# --------------------------------------------------------------------------- membership


def _int_array(x: Any, func: str, arg: str) -> np.ndarray:
    """x as an int64 array; float NaN/inf become a sentinel that matches nothing."""
    arr = x.to_numpy() if isinstance(x, pd.Series | pd.Index) else np.asarray(x)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        vals = arr[finite]
        if not np.array_equal(vals, np.round(vals)):
            bad = float(vals[vals != np.round(vals)][0])
            raise ValueError(f"{func}: {arg} must hold whole numbers; got {bad!r}")
        return np.where(finite, arr, -1).astype(np.int64)
    if arr.dtype.kind == "O":
        try:
            num = pd.to_numeric(pd.Series(arr.ravel()), errors="raise")
            flt = num.to_numpy(dtype=np.float64, na_value=np.nan).reshape(arr.shape)
        except (TypeError, ValueError):
            flt = None
        if flt is not None and not pd.api.types.is_bool_dtype(num):
            return _int_array(flt, func, arg)
    raise TypeError(f"{func}: {arg} must be integers; got dtype {arr.dtype}")


def _lookup_grid(kind: str, ccodes: Any, years: Any, func: str) -> np.ndarray:
    c = _int_array(ccodes, func, "ccodes")
    y = _int_array(years, func, "years")
    try:
        c, y = np.broadcast_arrays(c, y)
    except ValueError:
        raise ValueError(
            f"{func}: ccodes and years must align; got shapes {np.shape(c)} and {np.shape(y)}"
        ) from None
    grid = _grid(kind)
    ncol = grid.shape[1]
    # One flat take: row ccode, column year (clipped: column 0 is 1815, before any
    # spell; the last column stands for every year past the list's edge).
    shape = c.shape
    c, y = c.ravel(), y.ravel()
    flat = c * ncol + np.clip(y - _GRID_FIRST, 0, ncol - 1)
    flat[(c < 0) | (c >= _NCODE)] = 0
    return grid.ravel().take(flat).reshape(shape)


def is_member(ccodes: Any, years: Any) -> np.ndarray:
    """Whether each (ccode, year) is a COW system member.

    A state is a member in a year if one of its spells covers any part of
    that year; spells ending 2016-12-31 continue into every later year.

    Parameters
    ----------
    ccodes, years : int or array-like of int
        Aligned (broadcastable) COW ccodes and years. Whole floats are
        accepted; NaN gives False. Unknown ccodes give False.

    Returns
    -------
    numpy.ndarray
        bool, of the broadcast shape.

    Examples
    --------
    >>> from multipolar.codes import is_member
    >>> is_member([255, 255, 260], [1950, 1990, 1990]).tolist()
    [False, True, True]
    >>> bool(is_member(2, 2050))
    True
    """
    return _lookup_grid("system", ccodes, years, "is_member")


def is_major(ccodes: Any, years: Any) -> np.ndarray:
    """Whether each (ccode, year) is a COW major power (v2024).

    A state is a major power in a year if one of its spells covers any part
    of that year; spells ending 2024-12-31 continue into every later year.

    Parameters
    ----------
    ccodes, years : int or array-like of int
        Aligned (broadcastable) COW ccodes and years, as in :func:`is_member`.

    Returns
    -------
    numpy.ndarray
        bool, of the broadcast shape.

    Examples
    --------
    >>> from multipolar.codes import is_major
    >>> is_major([710, 740, 255], [2030, 1950, 1991]).tolist()
    [True, False, True]
    """
    return _lookup_grid("major", ccodes, years, "is_major")


def _check_year(year: Any, func: str, arg: str) -> int:
    return one_year(year, func, arg, lo=_YEAR_MIN, hi=_YEAR_MAX)


def _grid_columns(kind: str, years: np.ndarray) -> np.ndarray:
    grid = _grid(kind)
    return grid[:, np.clip(years, _GRID_FIRST, _GRID_FIRST + grid.shape[1] - 1) - _GRID_FIRST]


def members(year: int) -> np.ndarray:
    """COW system members in ``year``, as a sorted int64 array of ccodes.

    Examples
    --------
    >>> from multipolar.codes import members
    >>> members(1816).tolist()[:5]
    [2, 200, 210, 220, 225]
    """
    y = _check_year(year, "members", "year")
    return np.flatnonzero(_grid_columns("system", np.array([y]))[:, 0]).astype(np.int64)


def majors(year: int) -> np.ndarray:
    """COW major powers in ``year``, as a sorted int64 array of ccodes.

    Examples
    --------
    >>> from multipolar.codes import majors
    >>> majors(2030).tolist()
    [2, 200, 220, 255, 365, 710, 740]
    """
    y = _check_year(year, "majors", "year")
    return np.flatnonzero(_grid_columns("major", np.array([y]))[:, 0]).astype(np.int64)


def _year_range(start: Any, end: Any, func: str) -> np.ndarray:
    lo = _check_year(start, func, "start")
    hi = _check_year(end, func, "end")
    if lo > hi:
        raise ValueError(f"{func}: start must not exceed end; got start={lo}, end={hi}")
    return np.arange(lo, hi + 1, dtype=np.int64)


def state_years(start: int, end: int) -> pd.DataFrame:
    """A COW state-year panel: one row per system member per year.

    Like peacesciencer's ``create_stateyears()``: a state is in year ``y`` if
    a membership spell covers any part of ``y``; spells ending 2016-12-31
    continue through later (and projected) years.

    Parameters
    ----------
    start, end : int
        First and last year, both included (1..9999, ``start <= end``).

    Returns
    -------
    pandas.DataFrame
        Columns ``ccode`` (int64), ``stateabb`` (COW abbreviation, string)
        and ``year`` (int64), sorted by ``year`` then ``ccode``, with a
        default RangeIndex.

    Raises
    ------
    TypeError
        If ``start`` or ``end`` is not an integer.
    ValueError
        If ``start > end`` or a year lies outside 1..9999.

    Examples
    --------
    >>> from multipolar.codes import state_years
    >>> sy = state_years(1816, 1816)
    >>> len(sy), sy["stateabb"].tolist()[:3]
    (23, ['USA', 'UKG', 'NTH'])
    """
    years = _year_range(start, end, "state_years")
    yi, cc = np.nonzero(_grid_columns("system", years).T)
    return pd.DataFrame(
        {
            "ccode": cc.astype(np.int64),
            "stateabb": _codebook().abb[cc],
            "year": years[yi],
        }
    )


def dyad_years(start: int, end: int, directed: bool = True) -> pd.DataFrame:
    """A COW dyad-year panel: every pair of system members in each year.

    Like peacesciencer's ``create_dyadyears()``. Both states must be members
    in the year (see :func:`state_years`); a state is never paired with
    itself.

    Parameters
    ----------
    start, end : int
        First and last year, both included (1..9999, ``start <= end``).
    directed : bool, default True
        True gives both (a, b) and (b, a), N * (N - 1) rows for N members;
        False gives each pair once with ``ccode1 < ccode2``.

    Returns
    -------
    pandas.DataFrame
        Columns ``ccode1``, ``ccode2`` and ``year`` (all int64), sorted by
        ``year``, ``ccode1``, ``ccode2``, with a default RangeIndex.

    Raises
    ------
    TypeError
        If ``start`` or ``end`` is not an integer, or ``directed`` is not a bool.
    ValueError
        If ``start > end`` or a year lies outside 1..9999.

    Examples
    --------
    >>> from multipolar.codes import dyad_years
    >>> d = dyad_years(1816, 1816)
    >>> len(d), len(dyad_years(1816, 1816, directed=False))
    (506, 253)
    """
    func = "dyad_years"
    years = _year_range(start, end, func)
    if not isinstance(directed, (bool, np.bool_)):
        raise TypeError(f"{func}: directed must be a bool; got {directed!r}")
    cols = _grid_columns("system", years)
    parts1, parts2, parts_y = [], [], []
    for j, y in enumerate(years):
        m = np.flatnonzero(cols[:, j]).astype(np.int64)
        n = len(m)
        if directed:
            i1, i2 = np.nonzero(~np.eye(n, dtype=bool))
        else:
            i1, i2 = np.triu_indices(n, k=1)
        parts1.append(m[i1])
        parts2.append(m[i2])
        parts_y.append(np.full(len(i1), y, dtype=np.int64))
    return pd.DataFrame(
        {
            "ccode1": np.concatenate(parts1),
            "ccode2": np.concatenate(parts2),
            "year": np.concatenate(parts_y),
        }
    )
