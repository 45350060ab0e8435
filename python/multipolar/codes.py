"""State identities, code conversion and COW state-year and dyad-year panels.

The canonical name of a state is its Correlates of War (COW) country code, an
integer ``ccode``. This module carries three small fact tables, loaded lazily
from ``multipolar/data/`` the first time they are needed:

``states.csv``
    One row per COW state (217 rows): ``ccode``, ``cowabb`` (COW abbreviation),
    ``name`` (COW state name), ``iso3`` and ``iso2`` (ISO 3166-1 alpha-3 and
    alpha-2), ``cameo`` (CAMEO country code) and ``gw`` (Gleditsch-Ward
    number). An empty field means the state has no code in that system.
``system_spells.csv``
    The 243 COW system-membership spells (``ccode, start, end``), v2016.
``major_spells.csv``
    The 14 COW major-power spells (``ccode, start, end``), v2024.

Code systems (the ``from_``/``to``/``codes`` arguments)
-------------------------------------------------------
``"cow"`` (int ccode), ``"cowabb"``, ``"iso3"``, ``"iso2"``, ``"cameo"``,
``"gw"`` (int) and ``"name"`` (the COW state name). The systems collide:
"AUS" is Austria in COW but Australia in ISO and CAMEO; likewise SWZ, MNG,
SLV, MAC, KOR, CZE and SAF. Never guess a system.

Choices made in the table
-------------------------
* Historical states carry their historical ISO codes: Czechoslovakia 315
  CSK/CS, German Democratic Republic 265 DDR/DD, Yemen People's Republic 680
  YMD/YD, Yugoslavia 345 YUG/YU, and the Yemen Arab Republic 678 YEM/YE (the
  code it held until unification; Yemen 679 kept it). Germany 255 and the
  German Federal Republic 260 both carry DEU/DE.
* Codes that changed while COW kept the number are period codes: COW 345 is
  SCG/CS (Serbia and Montenegro) in 2003-2006 and SRB/RS (Serbia) from 2006;
  in G-W, COW 255 is 260 from 1990 and COW 345 is 340 (Serbia) up to 1917 and
  from 2006. ``convert(..., year=...)`` uses them; without ``year`` the table
  code is used.
* Former ISO 3166-3 codes of COW states are read as input (never produced):
  SUN/SU (365), ZAR/ZR (490), BUR/BU (775), DHY/DY (434), HVO/HV (439),
  RHO/RH (552), TMP/TP (860), ROM (360, ISO alpha-3 until 2002) and SCG/CS.
* No ISO code: the German and Italian states of the 19th century,
  Austria-Hungary 300, Papal States 327 (Vatican City is a different state),
  Zanzibar 511, Korea 730, Republic of Vietnam 817, and Kosovo 347 (XK/XKX are
  user-assigned, not ISO codes).
* CAMEO country codes follow ISO alpha-3 except ROM (Romania), MTN
  (Montenegro) and TMP (East Timor). Our reading where the CAMEO manual has
  no historical code: Yugoslavia 345 is SRB and the Yemen Arab Republic 678
  is YEM; other historical states and Kosovo have none.
* G-W numbers equal COW ccodes except as noted above and that Yemen 679 is
  G-W 678. COW micro-states (e.g. Monaco, Nauru, Tuvalu) are not in the G-W
  list of independent states and have none. G-W states with no COW state
  (89, 99, 563, 564, 711, 815) are known G-W codes that convert to missing.

Membership rule
---------------
A state is a system member (or a major power) in a year if one of its spells
covers any part of that year. A spell that ends on its list's last date
(2016-12-31 for the system list, 2024-12-31 for the major-power list) marks
the edge of the list, not an exit: the state stays a member in every later
year, projected years included.

Sources
-------
* Correlates of War Project. 2017. "State System Membership List, v2016"
  and its codebook. http://correlatesofwar.org
* Correlates of War Project. State System Membership v2024, major-power list.
* ISO 3166-1 (country codes) and ISO 3166-3 (code elements for formerly used
  names of countries), ISO 3166 Maintenance Agency.
* Schrodt, Philip A. 2012. *CAMEO Conflict and Mediation Event Observations
  Event and Actor Codebook*, v1.1b3, country codes.
* Gleditsch, Kristian S. and Michael D. Ward. 1999. "Interstate System
  Membership: A Revised List of the Independent States since 1816."
  *International Interactions* 25: 393-413.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SYSTEMS",
    "convert",
    "dyad_years",
    "is_major",
    "is_member",
    "lookup_state",
    "lookup_states",
    "major_spells",
    "majors",
    "members",
    "state_years",
    "states",
    "system_spells",
]

#: Code systems understood by :func:`convert` and :func:`lookup_state`.
SYSTEMS: tuple[str, ...] = ("cow", "cowabb", "iso3", "iso2", "cameo", "gw", "name")

_INT_SYSTEMS = frozenset({"cow", "gw"})
_STRING_COLUMNS = ("cowabb", "name", "iso3", "iso2", "cameo")
#: Last date of each spell list: a spell ending there continues.
_SYSTEM_EDGE = pd.Timestamp("2016-12-31")
_MAJOR_EDGE = pd.Timestamp("2024-12-31")
#: ccodes are below this bound; the membership grids have one row per number.
_NCODE = 1000
#: Grid columns run from this year (before any spell) to the edge year + 1.
_GRID_FIRST = 1815
#: Largest year range the panel builders accept.
_YEAR_MIN, _YEAR_MAX = 1, 9999

#: Period codes: (system, code, ccode, first year, last year, also produced).
#: A row with ``also produced`` False is read as input only.
_CODE_PERIODS: tuple[tuple[str, Any, int, int | None, int | None, bool], ...] = (
    # Yugoslavia -> Serbia and Montenegro (2003) -> Serbia (2006), one COW state.
    ("iso3", "SCG", 345, 2003, 2006, True),
    ("iso3", "SRB", 345, 2006, None, True),
    ("iso2", "CS", 345, 2003, 2006, True),
    ("iso2", "RS", 345, 2006, None, True),
    # G-W: unified Germany continues the GFR number; Serbia is 340.
    ("gw", 260, 255, 1990, None, True),
    ("gw", 340, 345, None, 1917, True),
    ("gw", 340, 345, 2006, None, True),
    # Former ISO 3166 codes (ISO 3166-3), read as input only.
    ("iso3", "SUN", 365, None, 1991, False),
    ("iso2", "SU", 365, None, 1991, False),
    ("iso3", "ZAR", 490, None, 1997, False),
    ("iso2", "ZR", 490, None, 1997, False),
    ("iso3", "BUR", 775, None, 1989, False),
    ("iso2", "BU", 775, None, 1989, False),
    ("iso3", "DHY", 434, None, 1977, False),
    ("iso2", "DY", 434, None, 1977, False),
    ("iso3", "HVO", 439, None, 1984, False),
    ("iso2", "HV", 439, None, 1984, False),
    ("iso3", "RHO", 552, None, 1980, False),
    ("iso2", "RH", 552, None, 1980, False),
    ("iso3", "TMP", 860, None, 2002, False),
    ("iso2", "TP", 860, None, 2002, False),
    ("iso3", "ROM", 360, None, 2002, False),
)

#: G-W states without a COW counterpart: known codes that convert to missing.
_GW_WITHOUT_COW = frozenset({89, 99, 563, 564, 711, 815})


# --------------------------------------------------------------------------- loading


def _read_csv(name: str, **kwargs: Any) -> pd.DataFrame:
    path = resources.files(__package__ or "multipolar") / "data" / name
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, **kwargs)


@functools.cache
def _states_table() -> pd.DataFrame:
    # keep_default_na=False: Namibia's ISO2 code is "NA".
    raw = _read_csv("states.csv", dtype=str, keep_default_na=False)
    out = pd.DataFrame({"ccode": raw["ccode"].astype(np.int64)})
    for col in ("cowabb", "name", "iso3", "iso2", "cameo"):
        out[col] = raw[col].where(raw[col] != "", None)
    out["gw"] = pd.array([int(v) if v else None for v in raw["gw"]], dtype="Int64")
    return out


@functools.cache
def _spell_table(kind: str) -> pd.DataFrame:
    name = "system_spells.csv" if kind == "system" else "major_spells.csv"
    raw = _read_csv(name, dtype={"ccode": np.int64, "start": str, "end": str})
    return pd.DataFrame(
        {
            "ccode": raw["ccode"].to_numpy(np.int64),
            "start": pd.to_datetime(raw["start"], format="%Y-%m-%d").astype("datetime64[ns]"),
            "end": pd.to_datetime(raw["end"], format="%Y-%m-%d").astype("datetime64[ns]"),
        }
    )


@functools.cache
def _grid(kind: str) -> np.ndarray:
    """Boolean (ccode, year - _GRID_FIRST) grid; the last column stands for every later year."""
    spells = _spell_table(kind)
    edge = _SYSTEM_EDGE if kind == "system" else _MAJOR_EDGE
    last_col = edge.year + 1 - _GRID_FIRST
    grid = np.zeros((_NCODE, last_col + 1), dtype=bool)
    for c, start, end in zip(spells["ccode"], spells["start"], spells["end"]):
        stop = last_col if end == edge else end.year - _GRID_FIRST
        grid[c, start.year - _GRID_FIRST : stop + 1] = True
    grid.flags.writeable = False
    return grid


@dataclass(frozen=True)
class _Link:
    ccode: int
    first: float  # first year the code names this state (-inf: always)
    last: float  # last year (inf: open)


@dataclass(frozen=True)
class _Codebook:
    # system -> normalised input key -> links to COW states
    inputs: dict[str, dict[Any, tuple[_Link, ...]]]
    # system -> object array (len _NCODE) of the table code of each ccode
    outputs: dict[str, np.ndarray]
    # system -> ccode -> ((code, first, last), ...) period codes that are produced
    periods: dict[str, dict[int, tuple[tuple[Any, float, float], ...]]]
    known: np.ndarray  # bool, len _NCODE
    recency: np.ndarray  # int rank per ccode: larger is more recent
    abb: np.ndarray  # object, len _NCODE


def _bound(v: int | None, default: float) -> float:
    return default if v is None else float(v)


@functools.cache
def _codebook() -> _Codebook:
    table = _states_table()
    ccodes = table["ccode"].to_numpy()
    known = np.zeros(_NCODE, dtype=bool)
    known[ccodes] = True

    inputs: dict[str, dict[Any, list[_Link]]] = {s: {} for s in SYSTEMS}
    outputs: dict[str, np.ndarray] = {}
    for system in SYSTEMS:
        out = np.full(_NCODE, None, dtype=object)
        column = "ccode" if system == "cow" else system
        for c, code in zip(ccodes, table[column].tolist()):
            if pd.isna(code):
                continue
            code = int(code) if system in _INT_SYSTEMS else code
            out[c] = code
            inputs[system].setdefault(_key(system, code), []).append(_Link(int(c), -np.inf, np.inf))
        outputs[system] = out
    periods: dict[str, dict[int, list[tuple[Any, float, float]]]] = {s: {} for s in SYSTEMS}
    for system, code, c, first, last, produced in _CODE_PERIODS:
        lo, hi = _bound(first, -np.inf), _bound(last, np.inf)
        inputs[system].setdefault(_key(system, code), []).append(_Link(c, lo, hi))
        if produced:
            periods[system].setdefault(c, []).append((code, lo, hi))
    for gw in _GW_WITHOUT_COW:
        inputs["gw"].setdefault(gw, [])

    # Recency: states whose membership ends later (continuing = latest) rank higher.
    grid = _grid("system")
    ever = grid.any(axis=1)
    last_col = np.where(ever, grid.shape[1] - 1 - np.argmax(grid[:, ::-1], axis=1), -1)
    first_col = np.where(ever, np.argmax(grid, axis=1), -1)
    order = np.lexsort((first_col, last_col))
    recency = np.empty(_NCODE, dtype=np.int64)
    recency[order] = np.arange(_NCODE)

    abb = np.full(_NCODE, None, dtype=object)
    abb[ccodes] = table["cowabb"].to_numpy(dtype=object)
    return _Codebook(
        inputs={s: {k: tuple(v) for k, v in d.items()} for s, d in inputs.items()},
        outputs=outputs,
        periods={s: {c: tuple(v) for c, v in d.items()} for s, d in periods.items()},
        known=known,
        recency=recency,
        abb=abb,
    )


# --------------------------------------------------------------------------- tables


def states() -> pd.DataFrame:
    """The code table: one row per COW state.

    Returns
    -------
    pandas.DataFrame
        A fresh copy with columns ``ccode`` (int64), ``cowabb``, ``name``,
        ``iso3``, ``iso2``, ``cameo`` (strings, missing where the state has
        no code in that system) and ``gw`` (pandas ``Int64``, ``<NA>`` where
        the Gleditsch-Ward list has no such state), sorted by ``ccode``. The
        codes are the table codes; see the module docstring for period codes.

    Examples
    --------
    >>> from multipolar.codes import states
    >>> t = states()
    >>> len(t)
    217
    >>> t.loc[t["ccode"] == 260, ["cowabb", "iso3", "iso2", "gw"]].to_numpy().tolist()
    [['GFR', 'DEU', 'DE', 260]]
    """
    return _states_table().copy()


def system_spells() -> pd.DataFrame:
    """COW system-membership spells (State System Membership List v2016).

    Returns
    -------
    pandas.DataFrame
        243 rows with columns ``ccode`` (int64), ``start`` and ``end``
        (``datetime64[ns]``, both days included), sorted by ``ccode`` then
        ``start``. A spell ending 2016-12-31 continues past the list's edge.

    Examples
    --------
    >>> from multipolar.codes import system_spells
    >>> s = system_spells()
    >>> s[s["ccode"] == 255]["start"].dt.year.tolist()
    [1816, 1990]
    """
    return _spell_table("system").copy()


def major_spells() -> pd.DataFrame:
    """COW major-power spells (v2024).

    Returns
    -------
    pandas.DataFrame
        14 rows with columns ``ccode`` (int64), ``start`` and ``end``
        (``datetime64[ns]``, both days included), sorted by ``ccode`` then
        ``start``. A spell ending 2024-12-31 continues past the list's edge.

    Examples
    --------
    >>> from multipolar.codes import major_spells
    >>> m = major_spells()
    >>> m[m["ccode"] == 740]["start"].dt.year.tolist()
    [1895, 1991]
    """
    return _spell_table("major").copy()


# --------------------------------------------------------------------------- conversion


def _key(system: str, code: Any) -> Any:
    """Normalised lookup key of one non-missing input value, or None if it cannot be one."""
    if system in _INT_SYSTEMS:
        if isinstance(code, (bool, np.bool_)):
            return None
        if isinstance(code, numbers.Integral):
            return int(code)
        if isinstance(code, numbers.Real) and float(code).is_integer():
            return int(float(code))
        return None
    if not isinstance(code, str):
        return None
    code = code.strip()
    return code.casefold() if system == "name" else code.upper()


def _check_system(system: object, func: str, arg: str) -> str:
    if not isinstance(system, str) or system not in SYSTEMS:
        raise ValueError(f"{func}: {arg} must be one of {list(SYSTEMS)}; got {system!r}")
    return system


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
        state name.
    year : int or array-like of int, optional
        Year of each value (a scalar, or an array that broadcasts to
        ``values``; NaN means no year). It decides between the COW states a
        code names: ISO "DEU"/"DE" and CAMEO "DEU" are the German Federal
        Republic (260) until 1990 and Germany (255) after, G-W 260 likewise,
        ISO "YEM" is 678 before 1990 and 679 after, ISO2 "CS" is
        Czechoslovakia until 1992 and Serbia and Montenegro in 2003-2006.
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
        if isinstance(values.dtype, pd.CategoricalDtype):
            cat = pd.Categorical(values)
            codes = np.asarray(cat.codes, dtype=np.int64)
            uniques = np.asarray(cat.categories, dtype=object)
            return kind, codes, uniques, shape, index, name
        codes, uniques = values.factorize()
        return (
            kind,
            np.asarray(codes, dtype=np.int64),
            np.asarray(uniques, dtype=object),
            shape,
            index,
            name,
        )
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
    codes, uniques = pd.factorize(flat)
    return (
        kind,
        np.asarray(codes, dtype=np.int64),
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
        if _key(system, key) not in book.inputs[system]:
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
    if isinstance(year, (bool, np.bool_)) or not isinstance(year, numbers.Integral):
        raise TypeError(f"{func}: {arg} must be an integer year; got {year!r}")
    year = int(year)
    if not _YEAR_MIN <= year <= _YEAR_MAX:
        raise ValueError(f"{func}: {arg} must lie in {_YEAR_MIN}..{_YEAR_MAX}; got {year}")
    return year


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
