"""Slow twin of the change-point kernel: plain optimal partitioning (Jackson et al. 2005),
O(n^2) dynamic programming over every last break, no pruning.

Same contract as ``_core.pelt_segments``: series i is values[offsets[i]:offsets[i+1]],
NaN entries are gaps (dropped), segments hold at least ``min_size`` observations, the
cost is the Gaussian sum of squares (cost 0) or twice the Poisson negative
log-likelihood up to constants (cost 1), and with ``scale`` the penalty is multiplied
by sigma^2 = (median |first differences| / 0.6744897501960817)^2 / 2 (sample variance
when that median is 0; a constant series has no break).
"""

from __future__ import annotations

import numpy as np

MAD_NORMAL = 0.6744897501960817


def sigma2(x: np.ndarray) -> float:
    med = float(np.median(np.abs(np.diff(x))))
    if med > 0:
        return (med / MAD_NORMAL) ** 2 / 2.0
    return float(np.var(x, ddof=1))


def segment_cost(x: np.ndarray, cost: int) -> float:
    """Cost of one segment computed directly (not from prefix sums)."""
    if cost == 0:
        return float(((x - x.mean()) ** 2).sum())
    s, n = float(x.sum()), len(x)
    return 2.0 * (s - s * np.log(s / n)) if s > 0 else 0.0


def optimal_partition(x: np.ndarray, cost: int, pen: float, min_size: int) -> list[int]:
    """Breaks (positions within x) of the segmentation minimising cost + pen per break;
    ties go to the earliest last break."""
    m = len(x)
    shift = x[0] if cost == 0 else 0.0
    d = x - shift
    S = np.concatenate([[0.0], np.cumsum(d)])
    Q = np.concatenate([[0.0], np.cumsum(d * d)])

    def c(a: int, b: int) -> float:
        s = S[b] - S[a]
        if cost == 0:
            return max((Q[b] - Q[a]) - s * s / (b - a), 0.0)
        return 2.0 * (s - s * np.log(s / (b - a))) if s > 0 else 0.0

    F = np.full(m + 1, np.inf)
    F[0] = -pen
    last = np.full(m + 1, -1)
    for t in range(min_size, m + 1):
        for a in range(0, t - min_size + 1):
            if a != 0 and a < min_size:
                continue
            v = F[a] + c(a, t) + pen
            if v < F[t]:
                F[t], last[t] = v, a
    out = []
    t = int(last[m])
    while t > 0:
        out.append(t)
        t = int(last[t])
    return out[::-1]


def pelt_segments(values, offsets, cost: int, penalty, min_size: int, scale: bool):
    """(counts, breaks, pen) as the kernel returns them."""
    values = np.asarray(values, dtype=np.float64)
    offsets = np.asarray(offsets, dtype=np.int64)
    counts, breaks, used = [], [], []
    for i in range(len(offsets) - 1):
        lo, hi = int(offsets[i]), int(offsets[i + 1])
        seg = values[lo:hi]
        keep = np.flatnonzero(~np.isnan(seg))
        x = seg[keep]
        pen = float(penalty[i])
        if len(x) < 2 * min_size:
            counts.append(0), used.append(np.nan)
            continue
        if scale:
            s2 = sigma2(x)
            if not s2 > 0:
                counts.append(0), used.append(np.nan)
                continue
            pen *= s2
        b = optimal_partition(x, cost, pen, min_size)
        counts.append(len(b))
        used.append(pen)
        breaks += [lo + int(keep[j]) for j in b]
    return (np.array(counts, np.int64), np.array(breaks, np.int64), np.array(used))
