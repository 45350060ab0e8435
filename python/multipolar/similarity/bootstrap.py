"""Bootstrap bands of foreign-policy similarity: the streams and the kernel call.

Each dyad-year is compared on its common items (roll calls both states voted
on; for alliances, every reference state of the year). A replicate draws as
many items as the dyad has, with replacement, and recomputes every measure
from the drawn items (Efron 1979); the band is the pair of ``(1 - level) / 2``
and ``(1 + level) / 2`` quantiles of the replicate values (the percentile
interval, Efron & Tibshirani 1993, ch. 13). The kernel is
``_core.similarity_boot`` (``csrc/similarity_boot.c``).

Reproducibility. The unordered pairs of each year (i < j, row-major, years in
order) are cut into blocks of :data:`BOOT_BLOCK` pairs; block ``b`` draws from
``PCG64(SeedSequence(seed).spawn(nblocks)[b])`` (built directly from the
seed's entropy and spawn key ``(b,)``, as :func:`multipolar.project` does), so
a result is bitwise the same on any number of threads.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _core
from .._errors import call

__all__ = ["BOOT_BLOCK", "boot_pairs", "dense_codes", "directed", "seed_sequence"]

#: Unordered pairs per random stream. Part of the reproducibility contract:
#: changing it changes every band.
BOOT_BLOCK = 256


def seed_sequence(seed: object, func: str) -> np.random.SeedSequence:
    """The root of a run's streams: the user's SeedSequence, or one made from an int or None."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and int(seed) < 0:
            raise ValueError(f"{func}: seed must be >= 0; got {seed!r}")
        return np.random.SeedSequence(None if seed is None else int(seed))
    raise TypeError(f"{func}: seed must be None, an int or a SeedSequence; got {seed!r}")


def replicates_arg(bootstrap: object, func: str) -> int:
    """The number of replicates, an int >= 2."""
    if isinstance(bootstrap, (bool, np.bool_)) or not isinstance(bootstrap, numbers.Integral):
        raise TypeError(f"{func}: bootstrap must be an int (replicates); got {bootstrap!r}")
    if int(bootstrap) < 2:
        raise ValueError(f"{func}: bootstrap must be >= 2 replicates; got {bootstrap!r}")
    return int(bootstrap)


def level_arg(level: object, func: str) -> float:
    """The coverage of a band, in (0, 1)."""
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, numbers.Real):
        raise TypeError(f"{func}: level must be a number in (0, 1); got {level!r}")
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"{func}: level must lie in (0, 1); got {level!r}")
    return float(level)


def dense_codes(spec: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year_ptr, nitems, codes): every portfolio as a dense row of level positions.

    ``codes`` concatenates, year by year, the N x K matrix of the year's rows
    and items (int8; -1 where the row codes nothing, or level 0 for alliance
    portfolios, whose absent entries mean "no alliance").
    """
    year_ptr = np.asarray(spec["year_ptr"], dtype=np.int64)
    nitems = np.asarray(spec["nitems"], dtype=np.int64)
    rows = np.diff(year_ptr)
    cell_ptr = np.zeros(len(nitems) + 1, dtype=np.int64)
    np.cumsum(rows * nitems, out=cell_ptr[1:])
    fill = 0 if spec["implicit"] else -1
    codes = np.full(int(cell_ptr[-1]), fill, dtype=np.int8)
    er = np.asarray(spec["entry_row"], dtype=np.int64)
    if len(er):
        ypos = np.searchsorted(year_ptr, er, side="right") - 1
        cell = cell_ptr[ypos] + (er - year_ptr[ypos]) * nitems[ypos] + spec["entry_item"]
        codes[cell] = np.asarray(spec["entry_level"], dtype=np.int8)
    return year_ptr, nitems, codes


def _generators(ss: np.random.SeedSequence, nblocks: int) -> tuple[np.random.PCG64, ...]:
    return tuple(
        np.random.PCG64(
            np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (b,),
                                   pool_size=ss.pool_size)
        )
        for b in range(nblocks)
    )


def nblocks_of(year_ptr: np.ndarray) -> int:
    """Blocks of :data:`BOOT_BLOCK` unordered pairs, year by year."""
    rows = np.diff(year_ptr)
    pairs = rows * (rows - 1) // 2
    return int(((pairs + BOOT_BLOCK - 1) // BOOT_BLOCK).sum())


def boot_pairs(
    spec: dict[str, Any],
    measure_ids: list[int],
    replicates: int,
    probs: np.ndarray,
    seed: object,
    func: str,
    keep: bool = False,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Call ``_core.similarity_boot`` on the portfolios of ``spec``.

    Returns (n, bands, replicates or None, year_ptr, nitems) per unordered
    pair, see the kernel. ``rows``: for a one-year spec, the rows to compare,
    in this order (default: all).
    """
    year_ptr, nitems, codes = dense_codes(spec)
    if rows is not None:
        K = int(nitems[0]) if len(nitems) else 0
        codes = np.ascontiguousarray(codes.reshape(-1, K)[rows]).ravel() if K else codes[:0]
        year_ptr = np.array([0, len(rows)], dtype=np.int64)
    ss = seed_sequence(seed, func)
    gens = _generators(ss, nblocks_of(year_ptr))
    # the generators are fresh and private to this call, so the kernel never waits for them
    n, bands, reps = call(
        func,
        _core.similarity_boot,
        bitgens=gens,
        year_ptr=year_ptr,
        nitems=nitems,
        codes=codes,
        levels=np.asarray(spec["levels"], dtype=np.float64),
        weights=spec["weights"],
        measures=np.asarray(measure_ids, dtype=np.int64),
        replicates=int(replicates),
        block_pairs=BOOT_BLOCK,
        probs=np.ascontiguousarray(probs, dtype=np.float64),
        keep=bool(keep),
        names={"weights": "weights"},
    )
    return n, bands, reps, year_ptr, nitems


def directed(year_ptr: np.ndarray) -> np.ndarray:
    """For every directed row (year, i, j != i) in the order of ``similarity_years``'
    output, the position of its unordered pair in the kernel's pair order."""
    out = []
    base = 0
    for N in np.diff(year_ptr).tolist():
        if N < 2:
            continue
        i, j = np.nonzero(~np.eye(N, dtype=bool))
        a, b = np.minimum(i, j), np.maximum(i, j)
        out.append(base + a * (2 * N - a - 1) // 2 + (b - a - 1))
        base += N * (N - 1) // 2
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
