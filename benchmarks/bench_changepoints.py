"""Benchmark of change points over every UN-vote dyad (Voeten 1946-2015, Cohen's kappa per
dyad-year from ``mp.similarity``) against a per-dyad loop over ruptures' PELT.

The ruptures loop (``Pelt(model="l2", min_size=2, jump=1)``, the same penalty 2 log n
sigma^2 per dyad) is timed on a random sample of dyads and extrapolated to all of them,
as the full loop takes minutes; the output says so. Both sides get the same per-dyad
series; ours also builds the result tables.

Run ``python benchmarks/bench_changepoints.py [--quick]``.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import multipolar as mp
from _timing import best_of, main, row

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MAD = 0.6744897501960817


def _kappa():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        votes = mp.read_unvotes(DATA / "un_votes" / "voeten_UNVotesPublished.csv.gz")
    sim = mp.similarity(votes, kind="unvote", measures=("kappa",))
    return sim[sim.ccode1 < sim.ccode2]


def _ruptures_loop(series: list[np.ndarray]) -> int:
    import ruptures as rpt

    found = 0
    for x in series:
        if len(x) < 4:
            continue
        med = np.median(np.abs(np.diff(x)))
        s2 = (med / MAD) ** 2 / 2 if med > 0 else np.var(x, ddof=1)
        if not s2 > 0:
            continue
        found += len(rpt.Pelt(model="l2", min_size=2, jump=1).fit(x).predict(
            pen=2 * np.log(len(x)) * s2)) - 1
    return found


def rows(quick: bool = False) -> list[dict]:
    und = _kappa()
    ours = best_of(lambda: mp.changepoints(und, "kappa"), repeat=3)
    res = mp.changepoints(und, "kappa")
    ndyads = res.info["series"]
    groups = [g["kappa"].to_numpy() for _, g in und.sort_values("year").groupby(
        ["ccode1", "ccode2"])]
    groups = [x[~np.isnan(x)] for x in groups]
    rng = np.random.default_rng(0)
    sample = [groups[i] for i in rng.choice(len(groups), 100 if quick else 400, replace=False)]
    t0 = time.perf_counter()
    _ruptures_loop(sample)
    per = (time.perf_counter() - t0) / len(sample)
    theirs = per * len(groups)
    note = (f"ruptures Pelt(l2) per dyad, same penalty; timed on {len(sample)} dyads and "
            f"extrapolated to {len(groups)} ({per * 1e3:.1f} ms/dyad)")
    return [row(f"changepoints, all {ndyads} UN-vote dyads 1946-2015 (kappa)", ours, theirs,
                note)]


if __name__ == "__main__":
    main(rows)
