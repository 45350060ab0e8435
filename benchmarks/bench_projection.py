"""Benchmark of the projection kernel: Monte Carlo paths of the NMC majors (+ India)
against a vectorized NumPy version that draws the same number of normals.

Run ``python benchmarks/bench_projection.py [--quick]``. Both sides compute the same
outputs: per projected year the share, CON and n_eff distributions (quantiles), the
polarity-label probabilities and the overtaking counts of two pairs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import multipolar as mp
from _timing import best_of, main, row
from multipolar.projection import _calibrate, _run

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
Q = np.array([0.05, 0.25, 0.5, 0.75, 0.95])


def numpy_projection(cfg, seed: int, chunk: int = 8192) -> dict:
    """The analyst's vectorized NumPy: normals for all paths, cumsum, shares, np.quantile."""
    rng = np.random.default_rng(seed)
    H, n = cfg.drift.shape
    na = cfg.n_among
    idx = [(cfg.states.index(a), cfg.states.index(b)) for a, b in cfg.pairs]
    shares, con, neff = [], [], []
    labels = np.zeros((H, 3), np.int64)
    over = np.zeros((len(idx), H), np.int64)
    for start in range(0, cfg.paths, chunk):
        B = min(chunk, cfg.paths - start)
        steps = cfg.drift[:, None, :]
        if cfg.drift_factor is not None:  # each path's own drift (parameter error)
            steps = steps + (rng.standard_normal((B, n)) @ cfg.drift_factor.T)[None]
        z = rng.standard_normal((H, B, n))
        logv = cfg.log0 + np.cumsum(steps + z @ cfg.factor.T, axis=0)
        la = logv[:, :, :na]
        e = np.exp(la - la.max(axis=2, keepdims=True))
        s = e / e.sum(axis=2, keepdims=True)
        hhi = (s * s).sum(axis=2)
        shares.append(s)
        con.append(np.sqrt(np.clip((hhi - 1 / na) / (1 - 1 / na), 0, None)))
        neff.append(1 / hhi)
        top = s.max(axis=2)
        npoles = np.maximum((s >= cfg.threshold).sum(axis=2), 1)
        lab = np.where(npoles == 1, 0, np.where(npoles == 2, 1, 2))
        for k in range(3):
            labels[:, k] += (lab == k).sum(axis=1)
        for p, (a, b) in enumerate(idx):
            over[p] += (logv[:, :, a] > logv[:, :, b]).sum(axis=1)
        del top
    sh = np.concatenate(shares, axis=1)
    return {
        "shares": np.quantile(sh, Q, axis=1),
        "con": np.quantile(np.concatenate(con, axis=1), Q, axis=1),
        "n_eff": np.quantile(np.concatenate(neff, axis=1), Q, axis=1),
        "labels": labels,
        "over": over,
    }


def ours(cfg) -> object:
    p = _run(cfg, 0, cfg.nblocks, False)
    return p.shares(Q), p.concentration(Q), p.polarity(), p.overtaking()


def rows(quick: bool = False) -> list[dict]:
    nmc = mp.read_nmc(DATA / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")
    paths = 20_000 if quick else 100_000
    cfg = _calibrate(nmc, "cinc", 30, paths, (1992, 2016), "majors",
                     [("CHN", "USA"), ("IND", "RUS")], 1, None, 0.15, None, 2000)
    t_ours = best_of(lambda: ours(cfg), 3)
    t_np = best_of(lambda: numpy_projection(cfg, 1), 1 if not quick else 2)
    n = len(cfg.states)
    return [row(f"project ({paths:,} paths x 30 years, {n} states)", t_ours, t_np,
                f"vectorized NumPy, same number of normals (Generator.standard_normal), "
                f"np.quantile; ours {paths / t_ours:,.0f} paths/s vs {paths / t_np:,.0f}")]


if __name__ == "__main__":
    main(rows)
