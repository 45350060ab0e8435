"""Slow twin of ``_core.bargain_issues``: the plain, pair-at-a-time expected-utility
model of Scholz, Calbert & Smith (2011) that ``tests/test_bargaining.py`` writes out
(``ref_bdm``, imported, not copied), run issue by issue."""

from __future__ import annotations

import numpy as np


def _ref_bdm():
    from test_bargaining import ref_bdm  # the family test's plain model

    return ref_bdm


def bargain_issues(position, capability, salience, issue_ptr, rounds, q, t, receiver,
                   normalization):
    """(positions (rounds + 1, n), median (issues, rounds + 1), mean (issues, rounds + 1)),
    as the kernel returns them; ``normalization`` 0 = "pair", 1 = "all"."""
    ref_bdm = _ref_bdm()
    position, capability, salience = (np.asarray(a, float)
                                      for a in (position, capability, salience))
    ptr = [int(p) for p in issue_ptr]
    k = len(ptr) - 1
    pos = np.empty((rounds + 1, len(position)))
    med = np.empty((k, rounds + 1))
    mean = np.empty((k, rounds + 1))
    for i in range(k):
        lo, hi = ptr[i], ptr[i + 1]
        rp, rm = ref_bdm(position[lo:hi], capability[lo:hi], salience[lo:hi], rounds, q, t,
                         receiver, normalization=("pair", "all")[normalization])
        pos[:, lo:hi] = rp
        med[i] = rm
        w = capability[lo:hi] * salience[lo:hi]
        mean[i] = (rp * w).sum(axis=1) / w.sum() if w.sum() > 0 else np.nan
    return pos, med, mean
