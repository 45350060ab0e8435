"""Benchmark of the ACH sensitivity kernel (multipolar.compete with uncertainty) against
the NumPy way: draw all likelihoods, multiply, normalize, argmax, quantiles.

Run ``python benchmarks/bench_scenarios.py [--quick]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import multipolar as mp
from _timing import best_of, main, row

Q = (0.05, 0.5, 0.95)


def numpy_sensitivity(L: np.ndarray, delta: float, draws: int, seed: int, chunk: int = 65536):
    rng = np.random.default_rng(seed)
    lo, hi = np.clip(L - delta, 0, 1), np.clip(L + delta, 0, 1)
    E, H = L.shape
    posts = []
    first = np.zeros(H, np.int64)
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        lik = rng.uniform(lo, hi, (n, E, H))
        p = np.exp(np.log(lik).sum(axis=1))
        p /= p.sum(axis=1, keepdims=True)
        first += np.bincount(p.argmax(axis=1), minlength=H)
        posts.append(p)
    post = np.concatenate(posts)
    return first / draws, post.mean(axis=0), np.quantile(post, Q, axis=0)


def rows(quick: bool = False) -> list[dict]:
    E, H = 20, 5
    draws = 200_000 if quick else 1_000_000
    L = np.random.default_rng(0).uniform(0.2, 0.8, (E, H))
    hyps = [f"h{i}" for i in range(H)]
    evs = [f"e{i}" for i in range(E)]
    t_ours = best_of(lambda: mp.compete(hyps, evs, L, uncertainty=0.1, draws=draws, seed=1), 3)
    t_np = best_of(lambda: numpy_sensitivity(L, 0.1, draws, 1), 2)
    return [row(f"compete sensitivity ({draws:,} draws, {E}x{H})", t_ours, t_np,
                "NumPy uniform draws, log-sum, normalize, argmax, quantiles (chunks of 65536)")]


if __name__ == "__main__":
    main(rows)
