"""Datasets: the seeded synthetic demo world.

Everything here is **synthetic**. The states of the demo world are invented
(names, abbreviations and codes alike) and their capabilities come from a
random-number generator, not from any source. Use the demo to try the package,
in examples and in tests; never read anything about real states into it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import one_year
from .io import NMC_COMPONENTS

__all__ = ["DEMO_FIRST_YEAR", "DEMO_LAST_YEAR", "demo_majors", "demo_states", "demo_world"]

#: Earliest and latest year :func:`demo_world` can simulate.
DEMO_FIRST_YEAR = 1900
DEMO_LAST_YEAR = 2100

# Year at which the trajectories are anchored: the random stream runs forward
# from here and, on a separate stream, backward, so every window is a slice of
# one world.
_ANCHOR = 1950
# Growth and structural parameters move linearly from their first to their
# second value between these years and stay constant outside them.
_RAMP = (1950, 2040)

# fmt: off
# One row per invented state. ccodes 1001-1012 lie outside the Correlates of War
# range (2-990) and the abbreviations are neither COW nor ISO codes.
#   econ0: economic size in 1950 (arbitrary units); g: yearly log growth (1950 -> 2040)
#   pop0: population in 1950 (thousands); pg: yearly population growth (1950 -> 2040)
#   urban: urban fraction of the population (1950 -> 2040)
#   burden: military spending per unit of economy (1950 -> 2040)
#   mil: military personnel per head (1950 -> 2040)
#   steel: iron and steel per unit of economy (1950 -> 2040)
#   first: first year as a state (None: before any year simulated)
_STATES = (
    # ccode abb     name          role                  major econ0  g              pop0    pg              urban         burden          mil              steel         first
    (1001, "VLD", "Valdoria",   "declining hegemon",   True,  150.0, (0.028, 0.000), 180000, (0.012, 0.002), (0.62, 0.86), (0.090, 0.030), (0.0140, 0.0045), (1.00, 0.40), None),
    (1002, "KSH", "Karsha",     "rising challenger",   True,    5.0, (0.105, 0.020), 190000, (0.018, 0.000), (0.14, 0.68), (0.060, 0.035), (0.0070, 0.0020), (0.80, 1.30), None),
    (1003, "MRD", "Meridia",    "rising middle power", True,   12.0, (0.046, 0.032), 110000, (0.020, 0.008), (0.25, 0.62), (0.030, 0.030), (0.0040, 0.0030), (0.70, 0.90), None),
    (1004, "NRV", "Norvena",    "middle power",        True,   22.0, (0.035, 0.010),  75000, (0.008, 0.000), (0.55, 0.80), (0.070, 0.035), (0.0120, 0.0060), (1.10, 0.50), None),
    (1005, "CVN", "Calvenia",   "middle power",        True,   20.0, (0.036, 0.012),  52000, (0.007, 0.001), (0.58, 0.82), (0.040, 0.020), (0.0080, 0.0030), (1.00, 0.60), None),
    (1006, "ADL", "Ardellia",   "regional power",      False,   6.0, (0.045, 0.020),  60000, (0.022, 0.010), (0.30, 0.60), (0.050, 0.030), (0.0100, 0.0060), (0.60, 0.70), None),
    (1007, "BRV", "Bravania",   "regional power",      False,   8.0, (0.030, 0.015),  30000, (0.010, 0.003), (0.50, 0.75), (0.030, 0.020), (0.0060, 0.0040), (0.90, 0.60), None),
    (1008, "PLC", "Pellucia",   "small state",         False,   3.0, (0.040, 0.020),  12000, (0.015, 0.005), (0.40, 0.70), (0.020, 0.015), (0.0050, 0.0040), (0.50, 0.50), None),
    (1009, "TVR", "Tavoria",    "small state",         False,   2.0, (0.050, 0.030),  25000, (0.025, 0.010), (0.20, 0.55), (0.030, 0.020), (0.0080, 0.0050), (0.40, 0.60), None),
    (1010, "ELM", "Elmora",     "small state",         False,   4.0, (0.025, 0.012),   8000, (0.005, 0.000), (0.60, 0.80), (0.015, 0.012), (0.0040, 0.0030), (0.60, 0.40), None),
    (1011, "ZNT", "Zenthia",    "small state",         False,   1.5, (0.055, 0.035),  40000, (0.028, 0.015), (0.15, 0.50), (0.040, 0.025), (0.0090, 0.0060), (0.30, 0.50), None),
    (1012, "LRV", "Lorvik",     "new state",           False,   2.5, (0.050, 0.030),  18000, (0.024, 0.010), (0.20, 0.55), (0.035, 0.020), (0.0060, 0.0040), (0.40, 0.60), 1962),
)
# fmt: on

# Components recorded as missing (NaN) early on: (ccode, component, last missing year).
_MISSING = (
    (1008, "irst", 1959),
    (1009, "irst", 1964),
    (1011, "irst", 1969),
    (1011, "upop", 1959),
    (1009, "milex", 1954),
    (1012, "milex", 1966),
    (1012, "upop", 1969),
)

# Scales that put the components in NMC-like units: milex in thousands of
# current dollars (prices rise 3 % a year), irst in thousands of tons, pec in
# thousands of coal-ton equivalents.
_MILEX_SCALE = 2.0e5
_PRICE_GROWTH = 0.03
_IRST_SCALE = 1.0e3
_PEC_SCALE = 1.2e4
_SHOCK_SD = 0.018  # yearly log shock to economic size (a random walk)
_POP_SD = 0.004  # yearly log shock to population
_NOISE_SD = 0.05  # yearly log measurement noise of each component


def demo_states() -> pd.DataFrame:
    """The invented states of the demo world.

    Returns
    -------
    DataFrame
        One row per state: ``ccode`` (1001-1012, outside the Correlates of War
        range so no demo state is mistaken for a real one), ``stateabb``,
        ``name``, ``role`` (its part in the demo's story), ``major`` (bool, a
        major power of the demo world) and ``first_year`` (first year as a state,
        0 for states present from the start).

    See Also
    --------
    demo_world, demo_majors

    Examples
    --------
    >>> from multipolar.datasets import demo_states
    >>> demo_states().loc[:1, ["ccode", "stateabb", "role"]]
       ccode stateabb               role
    0   1001      VLD  declining hegemon
    1   1002      KSH  rising challenger
    """
    return pd.DataFrame(
        {
            "ccode": np.array([s[0] for s in _STATES], dtype=np.int64),
            "stateabb": [s[1] for s in _STATES],
            "name": [s[2] for s in _STATES],
            "role": [s[3] for s in _STATES],
            "major": np.array([s[4] for s in _STATES], dtype=bool),
            "first_year": np.array([s[-1] or 0 for s in _STATES], dtype=np.int64),
        }
    )


def demo_majors() -> list[int]:
    """ccodes of the demo world's major powers.

    The demo codes are not Correlates of War codes; ``among="majors"`` takes
    these states for them (and COW's list for COW codes), so the demo world
    works with the defaults of :func:`multipolar.polarity` and
    :func:`multipolar.project`.

    Returns
    -------
    list of int
        The five demo major powers: the declining hegemon, the rising challenger,
        a rising middle power and two middle powers.

    Examples
    --------
    >>> from multipolar.datasets import demo_world, demo_majors
    >>> from multipolar.power import polarity
    >>> world = demo_world()
    >>> majors = world[world["ccode"].isin(demo_majors())]
    >>> polarity(majors, among=None).loc[1950, "label"]
    'unipolar'
    """
    return [s[0] for s in _STATES if s[4]]


def _ramp(pair: tuple[float, float], years: np.ndarray) -> np.ndarray:
    lo, hi = _RAMP
    frac = np.clip((years - lo) / (hi - lo), 0.0, 1.0)
    return pair[0] + (pair[1] - pair[0]) * frac


def demo_world(start: int = 1950, end: int = 2040, seed: int = 2026) -> pd.DataFrame:
    """A seeded SYNTHETIC world of twelve invented states, as an NMC-like frame.

    The demo world is made up: its states (Valdoria, Karsha, Meridia, ...) do
    not exist, their codes (1001-1012) are outside the Correlates of War range,
    and every number is drawn from ``numpy.random.default_rng(seed)``. It is
    not real data and says nothing about real states. It exists to try the
    package on a story with a known shape: a declining hegemon (Valdoria, VLD),
    a rising challenger (Karsha, KSH) that overtakes it around the middle of
    the default period, a rising middle power (Meridia, MRD), two middle powers,
    regional and small states, a state that appears in 1962, and components
    that are missing (NaN) in early years, as in the real NMC data.

    Each state has an economic size following a random walk with a drift that
    moves linearly between 1950 and 2040. The six components derive from it and
    from a population path, each with its own measurement noise: ``milex`` from
    size, a military burden and a price level rising 3 % a year; ``milper`` from
    population; ``irst`` and ``pec`` from size; ``tpop`` and ``upop`` from the
    population and its urban fraction. Components are rounded to whole numbers,
    as COW's are. ``cinc`` is then computed by :func:`multipolar.power.cinc`.

    The random stream runs forward from 1950 and, on a separate stream,
    backward from 1949, one fixed block of draws per year. So for one seed any
    window is a slice of the same world: ``demo_world(1960, 2000)`` equals the
    1960-2000 rows of ``demo_world(1900, 2100)``.

    Parameters
    ----------
    start, end : int
        First and last year, ``1900 <= start <= end <= 2100``. Default 1950-2040.
    seed : int
        Non-negative seed of ``numpy.random.default_rng``; the same seed gives
        an identical frame.

    Returns
    -------
    DataFrame
        Columns as :func:`multipolar.io.read_nmc` returns them: ``ccode`` and
        ``year`` (int64), ``stateabb`` (str), ``milex``, ``milper``, ``irst``,
        ``pec``, ``tpop``, ``upop`` and ``cinc`` (float64, NaN where missing).
        Rows sorted by ccode, then year; default index.

    Raises
    ------
    TypeError
        ``start``, ``end`` or ``seed`` is not an int.
    ValueError
        ``start`` or ``end`` outside 1900-2100, ``start > end``, or a negative
        ``seed``.

    See Also
    --------
    demo_states : the invented states, their roles and which are major powers.
    demo_majors : ccodes of the demo's major powers, for ``among=None`` analyses.

    Notes
    -----
    The demo codes are not COW codes. ``among="majors"`` (the default of
    :func:`~multipolar.power.polarity` and :func:`~multipolar.project`)
    takes the demo's own majors (:func:`demo_majors`) for them, so
    ``polarity(demo_world())`` works with the defaults; the demo world reaches
    past COW's major-power list without the warning real data gets. Other
    lookups in the COW tables by abbreviation do not know the demo states:
    name them by their ints (``transition(world, 1002, 1001)``).

    Examples
    --------
    >>> from multipolar.datasets import demo_world
    >>> world = demo_world()
    >>> world.shape
    (1080, 10)
    >>> world.head(2)[["ccode", "stateabb", "year"]]
       ccode stateabb  year
    0   1001      VLD  1950
    1   1001      VLD  1951
    """
    start = one_year(start, "demo_world", "start", lo=DEMO_FIRST_YEAR, hi=DEMO_LAST_YEAR)
    end = one_year(end, "demo_world", "end", lo=DEMO_FIRST_YEAR, hi=DEMO_LAST_YEAR)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"demo_world: seed must be an int; got {seed!r}")
    if seed < 0:
        raise ValueError(f"demo_world: seed must be non-negative; got {seed!r}")
    if start > end:
        raise ValueError(f"demo_world: start must not be after end; got start={start}, end={end}")

    from .power import cinc

    n = len(_STATES)
    forward, backward = np.random.default_rng(seed).spawn(2)
    # The simulated grid always contains the anchor year, whose values are fixed.
    years = np.arange(min(start, _ANCHOR), max(end, _ANCHOR) + 1)
    a = _ANCHOR - int(years[0])
    # Per year and state: a shock to economic size, one to population and six
    # component noises, drawn one year at a time (forward from the anchor, then
    # backward from the year before it) so a window never changes the draws.
    draws = np.empty((len(years), n, 8))
    for i in range(a, len(years)):
        draws[i] = forward.standard_normal((n, 8))
    for i in range(a - 1, -1, -1):
        draws[i] = backward.standard_normal((n, 8))

    yrs = years.astype(np.float64)
    econ = np.empty((len(years), n))
    pop = np.empty((len(years), n))
    for j, spec in enumerate(_STATES):
        # step[i] moves year i - 1 to year i.
        for target, level, growth, sd, k in (
            (econ, spec[5], spec[6], _SHOCK_SD, 0),
            (pop, spec[7], spec[8], _POP_SD, 1),
        ):
            step = _ramp(growth, yrs) + sd * draws[:, j, k]
            logv = np.empty(len(years))
            logv[a] = np.log(level)
            logv[a + 1 :] = logv[a] + np.cumsum(step[a + 1 :])
            logv[:a] = (logv[a] - np.cumsum(step[a:0:-1]))[::-1]
            target[:, j] = np.exp(logv)

    price = np.exp(_PRICE_GROWTH * (yrs - _ANCHOR))
    frames = []
    for j, spec in enumerate(_STATES):
        noise = np.exp(_NOISE_SD * draws[:, j, 2:8])
        e, p = econ[:, j], pop[:, j]
        comp = {
            "milex": _MILEX_SCALE * e * _ramp(spec[10], yrs) * price * noise[:, 0],
            "milper": p * _ramp(spec[11], yrs) * noise[:, 1],
            "irst": _IRST_SCALE * e * _ramp(spec[12], yrs) * noise[:, 2],
            "pec": _PEC_SCALE * e**0.9 * noise[:, 3],
            "tpop": p * noise[:, 4] ** 0.2,
            "upop": p * _ramp(spec[9], yrs) * noise[:, 5],
        }
        keep = (years >= start) & (years <= end)
        if spec[-1] is not None:
            keep &= years >= spec[-1]
        frame = pd.DataFrame({"year": years[keep].astype(np.int64)})
        frame.insert(0, "ccode", np.int64(spec[0]))
        frame.insert(1, "stateabb", spec[1])
        for name in NMC_COMPONENTS:
            frame[name] = np.round(comp[name][keep])
        for ccode, name, last in _MISSING:
            if ccode == spec[0]:
                frame.loc[frame["year"] <= last, name] = np.nan
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["stateabb"] = out["stateabb"].astype(object)
    out["cinc"] = cinc(out)
    return out
