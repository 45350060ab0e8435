"""Slow twin of ``_core.ach_sensitivity`` (compete's Monte Carlo over uncertain
likelihoods): Bayes' rule draw by draw, with NumPy's own generator.

The kernel's draws come from its own variate algorithms, so a twin cannot
reproduce them one by one: fixed likelihoods (kind 0) are compared exactly,
random ones (1 uniform on [a, b], 2 Beta(a, b)) by their distribution's mean,
and the first-rank counts are recomputed from the kernel's own posteriors.
"""

from __future__ import annotations

import numpy as np


def posterior(prior, lik) -> np.ndarray:
    """pi_h prod_e L[e, h] / sum_h' (...), one hypothesis at a time; NaN if all zero."""
    nh = len(prior)
    num = [float(prior[h]) for h in range(nh)]
    for row in lik:
        for h in range(nh):
            num[h] *= float(row[h])
    tot = sum(num)
    return np.array([x / tot for x in num]) if tot > 0 else np.full(nh, np.nan)


def ach_sensitivity(draws, prior, kind, a, b, seed=0) -> np.ndarray:
    """``draws`` posteriors (draws, nh) with likelihoods drawn by NumPy."""
    rng = np.random.default_rng(seed)
    kind, a, b = np.asarray(kind), np.asarray(a, float), np.asarray(b, float)
    out = np.empty((draws, len(prior)))
    for d in range(draws):
        lik = np.where(kind == 0, a, np.where(kind == 1, rng.uniform(a, np.maximum(a, b)),
                                              rng.beta(np.maximum(a, 1e-9), np.maximum(b, 1e-9))))
        out[d] = posterior(prior, lik)
    return out


def first_counts(post) -> np.ndarray:
    """How often each hypothesis ranks first (a tie counts for every tied one, a NaN row for
    none)."""
    first = np.zeros(post.shape[1], np.int64)
    for row in post:
        if np.isnan(row).any():
            continue
        first += row == row.max()
    return first
