"""The fact tables behind :mod:`multipolar.codes`: the COW states and their codes in
every system, the system-membership and major-power spells, and the codebook that
resolves input codes. The data files live in ``multipolar/data/`` and are read
lazily, once. Sources and the choices made are in the package docstring.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .._validation import CODE_SYSTEMS

#: Code systems understood by :func:`convert` and :func:`lookup_state` (the
#: package's one tuple, :data:`multipolar._validation.CODE_SYSTEMS`).
SYSTEMS: tuple[str, ...] = CODE_SYSTEMS

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

#: CAMEO's regional actor codes (CAMEO manual, Schrodt 2012, "country codes":
#: regions), and sub-state places with their own CAMEO code. They name no
#: state: :func:`convert` turns them into missing values, never into a state
#: (SAF is Southern Africa here, while COW's SAF is South Africa 560).
CAMEO_REGIONS: dict[str, str] = {
    "AFR": "Africa", "ASA": "Asia", "BLK": "Balkans", "CRB": "Caribbean",
    "CAU": "Caucasus", "CFR": "Central Africa", "CAS": "Central Asia",
    "CEU": "Central Europe", "EIN": "East Indies", "EAF": "Eastern Africa",
    "EEU": "Eastern Europe", "EUR": "Europe", "LAM": "Latin America",
    "MEA": "Middle East", "MDT": "Mediterranean", "NAF": "North Africa",
    "NMR": "North America", "PGS": "Persian Gulf", "SCN": "Scandinavia",
    "SAM": "South America", "SAS": "South Asia", "SEA": "Southeast Asia",
    "SAF": "Southern Africa", "WAF": "West Africa", "WST": "The West",
    # places, not COW states
    "WSB": "West Bank", "GZS": "Gaza Strip", "BAG": "Baghdad",
    "PSE": "Occupied Palestinian Territory",
}

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
    # CAMEO coders use today's codes for the Czech and Slovak lands also before
    # 1993, when the state was Czechoslovakia (as SRB reads as Yugoslavia 345).
    ("cameo", "CZE", 315, None, 1992, False),
    ("cameo", "SVK", 315, None, 1992, False),
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
    # Kosovo has no ISO 3166 code; XKX/XK are the user-assigned codes the World Bank,
    # the European Commission and others use for it. Read as input only.
    ("iso3", "XKX", 347, None, None, False),
    ("iso2", "XK", 347, None, None, False),
)

#: G-W states without a COW counterpart: known codes that convert to missing.
_GW_WITHOUT_COW = frozenset({89, 99, 563, 564, 711, 815})


# --------------------------------------------------------------------------- loading


def _read_csv(name: str, **kwargs: Any) -> pd.DataFrame:
    path = resources.files("multipolar") / "data" / name
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
    for region in CAMEO_REGIONS:
        inputs["cameo"].setdefault(_key("cameo", region), [])

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
