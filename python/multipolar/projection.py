"""Monte Carlo projection of capabilities, concentration and polarity.

A log-growth model is calibrated on a historical window of a state-year
frame (COW NMC by default) and run forward from the last year of the data.
Paths are simulated in C (``csrc/projection.c``) with the GIL released; the
kernel keeps per-year histograms and counts instead of the paths themselves,
so 10^5-10^6 paths take little memory. This module calibrates, spawns the
random streams, calls the kernel and wraps its counts in a :class:`Projection`.

Reproducibility. Paths are cut into fixed blocks of :data:`BLOCK` paths.
Block ``b`` draws from ``PCG64(SeedSequence(seed).spawn(nblocks)[b])``
(built directly from the seed's entropy and spawn key ``(b,)``), so a run is
bitwise the same whether its blocks are computed in one call, in several
calls merged with :meth:`Projection.merge`, on any number of threads, or on
Dask workers (:func:`project_distributed`). The kernel holds each generator's
``lock`` while it draws, as NumPy's own methods do; the generators spawned here
are private to one call, so it never waits.
"""

from __future__ import annotations

import itertools
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._errors import call
from ._validation import int_keys, require_columns, require_frame, resolve_states, value_array
from .projection_result import LABELS, QUANTILES, Projection, _state

__all__ = [
    "BLOCK", "LABELS", "QUANTILES", "WINDOW", "Projection", "project", "project_distributed",
]

#: Paths per block: each block has its own random stream. Part of the
#: reproducibility contract -- changing it changes every result.
BLOCK = 1024
#: Years of the default calibration window: the last WINDOW years of the data.
WINDOW = 25

_FUNC = "project"
#: Most paths one projection may ask for (10^8: the result keeps one sum per block of
#: BLOCK paths, about 200 MB at this cap with 30 years and 8 states).
MAX_PATHS = 100_000_000
# Blocks per kernel call of project(): generators are spawned for one batch at a time (so
# memory does not grow with paths), and Ctrl-C is seen between batches, at most about a
# second apart. Batches are merged exactly (Projection.merge), so results do not change.
_BATCH_BLOCKS = 128


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True, eq=False)
class _Config:
    """Everything the kernel needs; identical for all chunks of one run."""

    states: tuple[int, ...]
    n_among: int
    pairs: tuple[tuple[int, int], ...]
    start_year: int
    years: tuple[int, ...]
    log0: np.ndarray
    drift: np.ndarray  # (H, N)
    factor: np.ndarray  # (N, N)
    drift_factor: np.ndarray | None  # (N, N) factor of Sigma / T, None: drift taken as known
    mean_growth: np.ndarray  # (N,) calibrated, before assumptions
    cov: np.ndarray  # (N, N) after assumptions
    threshold: float
    unipolar: float | None
    bins: int
    paths: int
    entropy: int | Sequence[int]
    spawn_key: tuple[int, ...]
    pool_size: int
    value: str
    window: tuple[int, int]
    n_obs: int
    assumptions: Mapping[Any, Any] = field(default_factory=dict)

    @property
    def nblocks(self) -> int:
        return -(-self.paths // BLOCK)

    def block_paths(self, b0: int, b1: int) -> np.ndarray:
        sizes = np.full(b1 - b0, BLOCK, dtype=np.int64)
        if b1 == self.nblocks and self.paths % BLOCK:
            sizes[-1] = self.paths % BLOCK
        return sizes

    def generators(self, b0: int, b1: int) -> tuple[np.random.PCG64, ...]:
        return tuple(
            np.random.PCG64(
                np.random.SeedSequence(
                    self.entropy, spawn_key=self.spawn_key + (b,), pool_size=self.pool_size
                )
            )
            for b in range(b0, b1)
        )

    def same_run(self, other: _Config) -> bool:
        return (
            self.states == other.states
            and self.n_among == other.n_among
            and self.pairs == other.pairs
            and self.years == other.years
            and self.paths == other.paths
            and self.bins == other.bins
            and self.threshold == other.threshold
            and self.unipolar == other.unipolar
            and self.entropy == other.entropy
            and self.spawn_key == other.spawn_key
            and np.array_equal(self.log0, other.log0)
            and np.array_equal(self.drift, other.drift)
            and np.array_equal(self.factor, other.factor)
            and (self.drift_factor is None) == (other.drift_factor is None)
            and (self.drift_factor is None or np.array_equal(self.drift_factor, other.drift_factor))
        )




def _pairs(pairs: object, labels: Any = None) -> tuple[tuple[int, int], ...]:
    """The pairs' states: ccodes, the frame's own abbreviations (``labels``), or
    any code system or name :func:`resolve_states` reads."""
    if pairs is None:
        return ()
    if isinstance(pairs, tuple) and len(pairs) == 2 and not isinstance(pairs[0], (tuple, list)):
        pairs = [pairs]
    if not isinstance(pairs, Sequence) or isinstance(pairs, str):
        raise TypeError(f"{_FUNC}: pairs must be a list of (a, b) states; got {pairs!r}")
    out = []
    for p in pairs:
        if not isinstance(p, (tuple, list)) or len(p) != 2:
            raise ValueError(f"{_FUNC}: pairs must hold (a, b) tuples; got {p!r}")
        a, b = (int(c) for c in resolve_states(list(p), _FUNC, "pairs", labels=labels))
        if a == b:
            raise ValueError(f"{_FUNC}: a pair must name two different states; got {p!r}")
        out.append((a, b))
    return tuple(out)


def _among(among: object, frame_last: pd.DataFrame, last: int) -> list[int]:
    if isinstance(among, str):
        if among != "majors":
            raise ValueError(f"{_FUNC}: among must be 'majors' or a list of states; got {among!r}")
        from .codes import majors
        from .codes.tables import _MAJOR_EDGE
        from .datasets import demo_majors

        here = set(int(c) for c in frame_last["ccode"])
        cow = sorted(int(c) for c in majors(min(last, 9999)))
        # the demo world's codes are no COW codes: its own majors stand in
        demo = sorted(c for c in demo_majors() if c in here)
        if not here & set(cow) and not demo:
            raise ValueError(
                f"{_FUNC}: among='majors' selects no state: the frame has no COW major power of "
                f"{last} with a value in {last}; pass among=[...] to name the states to project"
            )
        if not here & set(cow):
            return demo
        if last > _MAJOR_EDGE.year:
            warnings.warn(
                f"{_FUNC}: the data reach {last}, past the end of COW's major-power list "
                f"({_MAJOR_EDGE.year}); among='majors' are the majors of {_MAJOR_EDGE.year}",
                UserWarning,
                stacklevel=4,
            )
        return sorted(cow + demo)
    if among is None:
        return sorted(int(c) for c in frame_last["ccode"])
    if isinstance(among, (np.ndarray, pd.Index, pd.Series)):
        if np.ndim(among) != 1:
            raise ValueError(f"{_FUNC}: among must be one-dimensional; got shape {np.shape(among)}")
        among = list(among)
    if not isinstance(among, (Sequence, set, frozenset)) or isinstance(among, (str, bytes)):
        raise TypeError(f"{_FUNC}: among must be 'majors' or a list of states; got {among!r}")
    codes = sorted(set(resolve_states(list(among), _FUNC, "among").tolist()))
    if not codes:
        raise ValueError(f"{_FUNC}: among must name at least one state; got {among!r}")
    return codes


def _year_vector(v: object, years: int, what: str) -> np.ndarray:
    arr = np.asarray(v, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(years, float(arr))
    if arr.shape != (years,):
        raise ValueError(
            f"{_FUNC}: assumption {what!r} must be a number or one value per projected year "
            f"({years}); got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{_FUNC}: assumption {what!r} must be finite; got {v!r}")
    return arr


def _check_settings(
    years: int, paths: int, bins: int, threshold: float, unipolar: float | None, window: object
) -> tuple[int, int]:
    """Validate the scalar settings of a projection; the window as (first, last) ints."""
    for name, v, lo in (("years", years, 1), ("paths", paths, 1), ("bins", bins, 1)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral) or v < lo:
            raise ValueError(f"{_FUNC}: {name} must be an integer >= {lo}; got {v!r}")
    if bins > 1_000_000:
        raise ValueError(f"{_FUNC}: bins must be <= 1000000; got {bins}")
    if paths > MAX_PATHS:
        raise ValueError(f"{_FUNC}: paths must be <= {MAX_PATHS}; got {paths}")
    if years > 100_000:
        raise ValueError(f"{_FUNC}: years must be <= 100000; got {years}")
    if not (isinstance(threshold, numbers.Real) and 0 < threshold <= 1):
        raise ValueError(f"{_FUNC}: threshold must be in (0, 1]; got {threshold!r}")
    if unipolar is not None and not (isinstance(unipolar, numbers.Real) and 0 < unipolar <= 1):
        raise ValueError(f"{_FUNC}: unipolar must be None or in (0, 1]; got {unipolar!r}")
    try:
        w0, w1 = window  # type: ignore[misc]
    except (TypeError, ValueError):
        raise TypeError(f"{_FUNC}: window must be a (first, last) pair of years; got {window!r}")
    if not all(isinstance(w, numbers.Integral) and not isinstance(w, (bool, np.bool_))
               for w in (w0, w1)):
        raise TypeError(f"{_FUNC}: window must be a (first, last) pair of int years; got {window!r}")
    w0, w1 = int(w0), int(w1)
    if w1 <= w0:
        raise ValueError(f"{_FUNC}: window must span at least two years; got {window!r}")
    return w0, w1


def _resolve_window(window: object, df: pd.DataFrame, values: np.ndarray) -> object:
    """An explicit (first, last) window as given; None or an int N as the last N years
    of the data (None: :data:`WINDOW`), so the calibration follows the frame."""
    if window is not None and (
        isinstance(window, (bool, np.bool_)) or not isinstance(window, numbers.Integral)
    ):
        return window
    n = WINDOW if window is None else int(window)  # type: ignore[arg-type]
    if n < 2:
        raise ValueError(f"{_FUNC}: window must span at least two years; got {window!r}")
    years = int_keys(df["year"], _FUNC, "year")
    if len(years) == 0:
        return (0, 1)  # the empty frame is reported below
    last = _last_year(years, values)
    return (last - n + 1, last)


def _last_year(years: np.ndarray, values: np.ndarray) -> int:
    """The latest year with a value: a joined frame (World Bank population to 2024,
    GDP to 2023) has rows past the end of the measure projected."""
    have = np.isfinite(values)
    return int(years[have].max()) if have.any() else int(years.max())


def _window_growth(
    wide: pd.DataFrame, w0: int, w1: int, window: object, value: str
) -> np.ndarray:
    """Yearly log growth of the projected states (columns of ``wide``) in the window,
    on the years where every state has a positive value (at least 3 of them)."""
    win = wide.loc[(wide.index >= w0) & (wide.index <= w1)]
    win = win.reindex(range(w0, w1 + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(win.where(win > 0).to_numpy(np.float64))
    growth = np.diff(logs, axis=0)
    complete = np.all(np.isfinite(growth), axis=1)
    growth = growth[complete]
    if len(growth) < 3:
        raise ValueError(
            f"{_FUNC}: window {window!r} has {len(growth)} year(s) of growth where every projected "
            f"state has a positive {value!r}; need at least 3"
        )
    return growth


def _assumed_drift(
    assumptions: dict[Any, Any], states: tuple[int, ...], mean_growth: np.ndarray, years: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drift per projected year and state, the scale of each state's shocks, and which
    states have a drift set by the user, after the assumptions
    (``{state: {"drift"|"shift"|"scale": ...}}``)."""
    drift = np.tile(mean_growth, (years, 1))
    scale = np.ones(len(states))
    fixed = np.zeros(len(states), dtype=bool)
    for key, spec in assumptions.items():
        code = _state(key, "assumptions")
        if code not in states:
            raise ValueError(
                f"{_FUNC}: assumptions name state {key!r}, which is not projected; got states "
                f"{list(states)}"
            )
        if not isinstance(spec, Mapping):
            raise TypeError(
                f"{_FUNC}: assumptions[{key!r}] must be a dict with 'drift', 'shift' and/or "
                f"'scale'; got {spec!r}"
            )
        unknown = set(spec) - {"drift", "shift", "scale"}
        if unknown:
            raise ValueError(
                f"{_FUNC}: assumptions[{key!r}] has unknown key(s) {sorted(unknown)}; "
                f"allowed: drift, shift, scale"
            )
        i = states.index(code)
        if "drift" in spec:
            drift[:, i] = _year_vector(spec["drift"], years, "drift")
            fixed[i] = True
        if "shift" in spec:
            drift[:, i] += _year_vector(spec["shift"], years, "shift")
        if "scale" in spec:
            f = spec["scale"]
            if not (isinstance(f, numbers.Real) and np.isfinite(f) and f >= 0):
                raise ValueError(f"{_FUNC}: assumption 'scale' must be a number >= 0; got {f!r}")
            scale[i] = float(f)
    return drift, scale, fixed


def _seed_sequence(seed: object) -> np.random.SeedSequence:
    """The root of the run's streams: the user's SeedSequence, or one made from an int."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"{_FUNC}: seed must be >= 0; got {seed!r}")
        return np.random.SeedSequence(None if seed is None else int(seed))
    raise TypeError(f"{_FUNC}: seed must be None, an int or a SeedSequence; got {seed!r}")


def _sqrt_factor(cov: np.ndarray) -> np.ndarray:
    """Symmetric square root F = V diag(sqrt(max(l, 0))) V': F F' = cov, also when cov is
    singular."""
    lam, vec = np.linalg.eigh(cov)
    return np.ascontiguousarray((vec * np.sqrt(np.clip(lam, 0.0, None))) @ vec.T)


def _calibrate(
    df: pd.DataFrame,
    value: str,
    years: int,
    paths: int,
    window: tuple[int, int] | int | None,
    among: object,
    pairs: object,
    seed: object,
    assumptions: Mapping[Any, Any] | None,
    threshold: float,
    unipolar: float | None,
    bins: int,
    parameter_error: bool = True,
) -> _Config:
    require_frame(df, _FUNC, "nmc")
    from .power import _derive

    df = _derive(df, value, _FUNC)  # cinc from NMC components, net_power from gdp and population
    require_columns(df, ["ccode", "year", value], _FUNC, "nmc")
    vals = value_array(df[value], _FUNC, value).astype(np.float64)
    resolved = _resolve_window(window, df, vals)
    w0, w1 = _check_settings(years, paths, bins, threshold, unipolar, resolved)

    frame = pd.DataFrame(
        {
            "ccode": int_keys(df["ccode"], _FUNC, "ccode"),
            "year": int_keys(df["year"], _FUNC, "year"),
            "v": vals,
        }
    )
    if frame.duplicated(["ccode", "year"]).any():
        dup = frame[frame.duplicated(["ccode", "year"], keep=False)].iloc[0]
        raise ValueError(
            f"{_FUNC}: nmc has duplicate (ccode, year) rows; got e.g. "
            f"({int(dup.ccode)}, {int(dup.year)})"
        )
    if len(frame) == 0:
        raise ValueError(f"{_FUNC}: nmc must not be empty; got 0 rows")
    last = _last_year(frame["year"].to_numpy(), frame["v"].to_numpy())
    at_last = frame[(frame["year"] == last) & (frame["v"] > 0)]
    among_codes = _among(among, at_last, last)
    own = (df["stateabb"].to_numpy(), df["ccode"].to_numpy()) if "stateabb" in df.columns else None
    pair_codes = _pairs(pairs, own)
    extra = sorted({c for p in pair_codes for c in p} - set(among_codes))
    states = tuple(among_codes + extra)

    wide = frame.pivot(index="year", columns="ccode", values="v")
    missing = [c for c in states if c not in wide.columns]
    if missing:
        raise ValueError(f"{_FUNC}: state(s) {missing} have no rows in nmc")
    wide = wide.reindex(columns=list(states))
    start = wide.loc[last].to_numpy(np.float64)
    bad = [s for s, v in zip(states, start) if not (np.isfinite(v) and v > 0)]
    if bad:
        raise ValueError(
            f"{_FUNC}: every projected state needs a positive {value!r} in the last year of the "
            f"data ({last}); got none for {bad}"
        )
    growth = _window_growth(wide, w0, w1, resolved, value)
    mean_growth = growth.mean(axis=0)
    cov = np.atleast_2d(np.cov(growth, rowvar=False, ddof=1))

    assumptions = dict(assumptions or {})
    drift, scale, fixed = _assumed_drift(assumptions, states, mean_growth, years)
    cov = cov * np.outer(scale, scale)
    factor = _sqrt_factor(cov)
    drift_factor = None
    if parameter_error:
        # sampling covariance of the mean of T growth years, Sigma / T; a drift the user
        # set is an assumption, not an estimate, and carries no sampling error
        keep = (~fixed).astype(np.float64)
        drift_factor = _sqrt_factor(cov / len(growth) * np.outer(keep, keep))

    ss = _seed_sequence(seed)
    return _Config(
        states=states,
        n_among=len(among_codes),
        pairs=pair_codes,
        start_year=last,
        years=tuple(range(last + 1, last + years + 1)),
        log0=np.log(start),
        drift=np.ascontiguousarray(drift),
        factor=factor,
        drift_factor=drift_factor,
        mean_growth=mean_growth,
        cov=cov,
        threshold=float(threshold),
        unipolar=None if unipolar is None else float(unipolar),
        bins=int(bins),
        paths=int(paths),
        entropy=ss.entropy,  # type: ignore[arg-type]
        spawn_key=tuple(ss.spawn_key),
        pool_size=ss.pool_size,
        value=value,
        window=(w0, w1),
        n_obs=len(growth),
        assumptions=assumptions,
    )


def _run(config: _Config, b0: int, b1: int, keep_paths: bool) -> Projection:
    pair_idx = np.array(
        [[config.states.index(a), config.states.index(b)] for a, b in config.pairs], dtype=np.int64
    ).reshape(-1, 2)
    # the generators are fresh and private to this call (spawned here), so the kernel's
    # locking of them never waits
    out = call(
        _FUNC,
        _core.project_paths,
        bitgens=config.generators(b0, b1),
        block_paths=config.block_paths(b0, b1),
        # arrays may arrive unaligned after (de)serialization on a worker: native aligned copies
        log0=np.require(config.log0, np.float64, ["C", "A"]),
        drift=np.require(config.drift, np.float64, ["C", "A"]),
        factor=np.require(config.factor, np.float64, ["C", "A"]),
        n_among=config.n_among,
        pairs=pair_idx,
        threshold=config.threshold,
        unipolar=np.nan if config.unipolar is None else config.unipolar,
        bins=config.bins,
        keep=bool(keep_paths),
        drift_factor=(None if config.drift_factor is None
                      else np.require(config.drift_factor, np.float64, ["C", "A"])),
        names={"block_paths": "paths", "pairs": "pairs"},
    )
    return Projection(config, (b0, b1), *out)


def _block_range(blocks: object, nblocks: int) -> tuple[int, int]:
    if blocks is None:
        return 0, nblocks
    try:
        b0, b1 = (int(b) for b in blocks)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise TypeError(f"{_FUNC}: blocks must be None or a (start, stop) pair; got {blocks!r}")
    if not 0 <= b0 < b1 <= nblocks:
        raise ValueError(
            f"{_FUNC}: blocks must satisfy 0 <= start < stop <= {nblocks}; got {blocks!r}"
        )
    return b0, b1


# --------------------------------------------------------------------------- public API


def project(
    nmc: pd.DataFrame,
    *,
    value: str = "cinc",
    years: int = 30,
    paths: int = 100_000,
    window: tuple[int, int] | int | None = None,
    among: object = "majors",
    pairs: object = None,
    seed: int | np.random.SeedSequence | None = None,
    assumptions: Mapping[Any, Mapping[str, Any]] | None = None,
    threshold: float = 0.15,
    unipolar: float | None = None,
    bins: int = 2000,
    keep_paths: bool = False,
    blocks: tuple[int, int] | None = None,
    parameter_error: bool = True,
) -> Projection:
    """Monte Carlo projection of capability shares, concentration and polarity.

    **Model.** For each projected state i, the annual log growth
    ``g_it = ln v_it - ln v_i,t-1`` is observed over the calibration
    ``window`` (the years t with t-1 and t in the window where every projected
    state has a positive value). Its mean vector ``mu`` and covariance
    ``Sigma`` across states (``ddof=1``) define a random walk with drift::

        ln v_i,T+h = ln v_i,T+h-1 + mu_i + (F z_h)_i,   z_h ~ N(0, I),  F F' = Sigma

    started from the values of the last year T of the data (the window only
    calibrates). ``F`` is the symmetric square root of ``Sigma`` (eigenvalues
    clipped at 0), so a singular covariance is fine.

    **Parameter error** (``parameter_error=True``, the default). ``mu`` is an
    estimate from ``n`` growth years, not the true drift. Each path draws its
    own drift once, from the estimate's sampling distribution::

        mu_p = mu + D u_p,   u_p ~ N(0, I),   D D' = Sigma / n

    and keeps it for the whole horizon, so a path of a fast-growing state
    stays fast: the bands widen with the horizon like ``h sqrt(Sigma / n)``
    on top of the ``sqrt(h Sigma)`` of the yearly shocks (for military
    spending 2000-2022 this moves P(CHN > USA in 2040) from about 0.24 to
    about 0.30). What is random: the drift of each path (this term) and
    every year's shock ``F z_h``. What is not: the covariance ``Sigma`` (taken
    as estimated; with few window years the bands are still too narrow), the
    model (a random walk with drift: no mean reversion, no breaks), the start
    values, and a drift set by ``assumptions={"X": {"drift": ...}}`` (an
    assumption, with no sampling error; a ``"shift"`` keeps it).
    ``parameter_error=False`` treats ``mu`` as known (the plain model). The
    drift draws come first in each block's stream (one per path), then the
    yearly shocks. Normals come from the
    ziggurat method (Marsaglia & Tsang 2000) on NumPy's PCG64 through its C
    interface; see the module docstring for the block streams.

    Per projected year the result holds, over paths: the distribution of each
    state's share ``s_i = v_i / sum_{j in among} v_j``, of CON
    ``sqrt((HHI - 1/N) / (1 - 1/N))`` (Ray & Singer 1973) and of
    ``n_eff = 1 / HHI`` (Laakso & Taagepera 1979) among ``among``; the
    probability of each polarity label by the rule of
    :func:`multipolar.polarity` (poles hold a share >= ``threshold``, the
    leader always is one; unipolar with one pole -- or a leader share >=
    ``unipolar`` -- bipolar with two, multipolar with more); and for each pair
    ``(a, b)`` how often ``v_a > v_b`` and in which year that first happens.

    Distributions are kept as histograms of ``bins`` bins over [0, 1]
    (shares, CON) and [1, N] (``n_eff``); quantiles interpolate linearly
    within a bin, so they are exact to one bin width (1/2000 by default).
    Means, label and overtaking probabilities are exact.

    Parameters
    ----------
    nmc : DataFrame
        State-year frame with ``ccode``, ``year`` and ``value`` (e.g. from
        :func:`multipolar.read_nmc`, or a :func:`multipolar.power_frame` of
        World Bank data). NaN or non-positive values count as missing.
    value : str
        ``"cinc"`` (recomputed from the components if the column is absent)
        or any single column, e.g. ``"milex"``, ``"gdp"`` or ``"net_power"``
        (computed from ``gdp`` and ``population`` if absent).
    years : int
        Number of projected years after the last year of the data: the run
        starts from the latest year in the frame (2023 for World Bank GDP),
        so ``years=12`` reaches 2035.
    paths : int
        Number of Monte Carlo paths, at most :data:`MAX_PATHS` (10^8). They
        run in batches of 131,072 paths (generators are spawned per batch, so
        memory does not grow with ``paths``; Ctrl-C stops a long run between
        batches); the batches merge exactly, so the result is the same.
    window : (int, int), int or None
        The calibration window: first and last year (inclusive); an int N for
        the last N years of the data; None (default) for the last
        :data:`WINDOW` (25) years of the data, so the calibration follows the
        frame (1999-2023 on World Bank GDP to 2023, 1998-2022 on NMC v7).
    among : "majors" or list-like of states
        The set whose shares, concentration and polarity are projected:
        ``"majors"`` are the COW major powers of the last data year (spells
        ending on the list's last date, 2024-12-31, continue: for data past
        2024 they are the majors of 2024, with a UserWarning); a list, tuple, set, 1-D
        array, Index or Series names states by ccode or COW abbreviation.
    pairs : list of (a, b), optional
        Dyads for overtaking: P(v_a > v_b) per year and the year ``a`` first
        exceeds ``b``. Any two states of the frame, majors or not: ccodes,
        the frame's own ``stateabb``, or COW abbreviations, ISO3/ISO2 codes
        or English names (``("China", "United States")``).
    seed : int, SeedSequence or None
        Seed of the run. None draws fresh entropy, recorded in
        :attr:`Projection.seed` so the run can be repeated.
    assumptions : dict, optional
        Scenario changes per state (ccode or COW abbreviation): ``{"drift": x}``
        replaces the mean log growth, ``{"shift": d}`` adds to it (each a
        number or one value per projected year), ``{"scale": f}`` multiplies
        its growth standard deviation (covariances scale alike). E.g.
        ``{"CHN": {"shift": -0.02}}`` lowers China's drift by 2 points a year.
    threshold, unipolar : float
        Polarity rule, as in :func:`multipolar.polarity`.
    bins : int
        Histogram bins (resolution of the quantile bands).
    keep_paths : bool
        Also keep every path's values, ``(paths, years, states)`` float64, in
        :attr:`Projection.path_values` (memory grows with paths).
    blocks : (int, int), optional
        Compute only blocks ``start..stop-1`` of the run (for chunked or
        distributed runs; merge the parts with :meth:`Projection.merge`).
    parameter_error : bool
        Draw each path's drift from the sampling distribution of the
        estimated mean growth, ``N(mu, Sigma / n)`` (default True; see above).

    Returns
    -------
    Projection

    Raises
    ------
    ValueError
        Missing columns, duplicate (ccode, year) rows, a projected state with
        no positive value in the last year, fewer than 3 complete growth years
        in the window, bad parameters.
    TypeError
        Non-numeric values or wrongly typed arguments.

    References
    ----------
    Ray, J. L., & Singer, J. D. (1973). Measuring the concentration of power
    in the international system. *Sociological Methods & Research*, 1(4).
    Marsaglia, G., & Tsang, W. W. (2000). The ziggurat method for generating
    random variables. *Journal of Statistical Software*, 5(8).
    O'Neill, M. E. (2014). PCG: A family of simple fast space-efficient
    statistically good algorithms for random number generation. HMC-CS-2014-0905.

    Examples
    --------
    >>> import multipolar as mp
    >>> df = mp.demo_world(seed=1)["nmc"]                       # doctest: +SKIP
    >>> p = mp.project(df, years=20, paths=20_000, seed=7,
    ...                pairs=[("CHN", "USA")])                  # doctest: +SKIP
    >>> p.polarity().loc[2030]                                  # doctest: +SKIP

    P(China's GDP passes the USA's by 2035), on World Bank GDP to 2023:

    >>> f = mp.power_frame(gdp=mp.read_worldbank("wb_gdp_current_usd.csv"))  # doctest: +SKIP
    >>> mp.project(f, value="gdp", years=12, pairs=[("CHN", "USA")], seed=1
    ...            ).overtaking().loc[("CHN>USA", 2035), "p_by"]             # doctest: +SKIP
    """
    config = _calibrate(
        nmc, value, years, paths, window, among, pairs, seed, assumptions, threshold, unipolar,
        bins, bool(parameter_error),
    )
    b0, b1 = _block_range(blocks, config.nblocks)
    if keep_paths:
        kept = (b1 - b0) * BLOCK * len(config.years) * len(config.states)
        if kept > _MAX_KEPT:
            raise ValueError(
                f"{_FUNC}: keep_paths must keep at most {_MAX_KEPT} values (paths x years x "
                f"states); got about {kept} for paths={paths}"
            )
    return _run_batches(config, b0, b1, keep_paths)


# Most values keep_paths may hold (16 GiB of float64).
_MAX_KEPT = 1 << 31


def _run_batches(config: _Config, b0: int, b1: int, keep_paths: bool) -> Projection:
    """Blocks b0..b1-1 in batches of _BATCH_BLOCKS, combined as Projection.merge does.

    Each batch spawns its own generators and returns to Python, where a pending
    KeyboardInterrupt (Ctrl-C) is raised: a long run stops within one batch. Counts
    are added into the first batch's arrays as they come (in block order, as merge
    adds them), so memory holds one batch's histograms, not one per batch.
    """
    first: Projection | None = None
    sums: list[np.ndarray] = []
    values: list[np.ndarray | None] = []
    for a in range(b0, b1, _BATCH_BLOCKS):
        part = _run(config, a, min(a + _BATCH_BLOCKS, b1), keep_paths)
        sums.append(part._share_sum)
        values.append(part.path_values)
        if first is None:
            first = part
            continue
        for name in _COUNTS:
            total = getattr(first, name)
            total += getattr(part, name)
    assert first is not None
    if len(sums) == 1:
        return first
    return Projection(
        config, (b0, b1), *(getattr(first, name) for name in _COUNTS),
        np.concatenate(sums, axis=0),
        np.concatenate(values, axis=0) if keep_paths else None,  # type: ignore[arg-type]
    )


# The count arrays of a Projection, in its constructor's order (after config and blocks).
_COUNTS = ("_share_hist", "_con_hist", "_neff_hist", "_labels", "_poles", "_first_over", "_over")


def project_distributed(
    nmc: pd.DataFrame,
    *,
    chunks: int | None = None,
    keep_paths: bool = False,
    **kwargs: Any,
) -> Projection:
    """:func:`project` with its blocks computed as Dask tasks.

    Calibrates locally, then submits ``chunks`` tasks (default: one per 8
    blocks) that each run a contiguous range of blocks, and merges the parts
    with :meth:`Projection.merge`. The result is bitwise identical to
    ``project(nmc, **kwargs)`` with the same seed. Uses the active Dask
    scheduler (e.g. a ``distributed.Client``); ``seed=None`` is resolved
    before submitting, so all tasks share it.

    Parameters
    ----------
    nmc : DataFrame
        As in :func:`project`.
    chunks : int, optional
        Number of tasks (at most the number of blocks).
    keep_paths : bool
        As in :func:`project`.
    **kwargs
        Any other keyword of :func:`project` (not ``blocks``).

    Returns
    -------
    Projection

    Examples
    --------
    >>> from distributed import Client, LocalCluster                 # doctest: +SKIP
    >>> with LocalCluster(n_workers=2) as cl, Client(cl):             # doctest: +SKIP
    ...     p = mp.distributed.project(nmc, paths=1_000_000, seed=1)  # doctest: +SKIP
    """
    import dask

    if "blocks" in kwargs:
        raise TypeError("project_distributed: blocks is chosen by the chunking; got blocks")
    params = {
        "value": "cinc", "years": 30, "paths": 100_000, "window": None,
        "among": "majors", "pairs": None, "seed": None, "assumptions": None,
        "threshold": 0.15, "unipolar": None, "bins": 2000, "parameter_error": True,
    }
    unknown = set(kwargs) - set(params)
    if unknown:
        raise TypeError(f"project_distributed: unexpected keyword(s) {sorted(unknown)}")
    params.update(kwargs)
    config = _calibrate(nmc, **params)  # type: ignore[arg-type]
    nb = config.nblocks
    if chunks is None:
        chunks = -(-nb // 8)
    if isinstance(chunks, bool) or not isinstance(chunks, numbers.Integral) or chunks < 1:
        raise ValueError(f"project_distributed: chunks must be an integer >= 1; got {chunks!r}")
    chunks = min(int(chunks), nb)
    edges = np.linspace(0, nb, chunks + 1).round().astype(int)
    tasks = [
        dask.delayed(_run)(config, int(a), int(b), keep_paths)
        for a, b in itertools.pairwise(edges)
        if b > a
    ]
    parts = dask.compute(*tasks)
    return Projection.merge(list(parts))
