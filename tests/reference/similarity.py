"""Slow twin of ``_core.similarity_years``: the foreign-policy similarity measures.

Every function works on two code vectors item by item, straight from the
textbook definitions, with no tables, bit sets or vectorisation: it is the
oracle the fast kernel is compared against. :func:`similarity_years` is the twin at
the level of ``multipolar.similarity``: every directed dyad of every year, measure by
measure.

Definitions (levels v_1 < ... < v_c are the *possible* codes):

* S (Signorino & Ritter 1999): 1 - 2 sum_k w_k d(x_k, y_k) / (sum_k w_k d_max),
  d = |x - y| (or its square, with d_max squared), d_max = v_c - v_1.
* Cohen's kappa with quadratic disagreement weights (Cohen 1968; Hage 2011):
  1 - sum_ab w_ab p_ab / sum_ab w_ab p_a. p_.b, w_ab = (v_a - v_b)^2.
* Scott's pi (Scott 1955), nominal, pooled marginals: (p_o - p_e) / (1 - p_e),
  p_e = sum_a ((p_a. + p_.a) / 2)^2.
* Kendall's tau-b (Kendall 1938), counted over all pairs of items.
* constant: 1 when either code vector takes one value on the common items.

:func:`similarity_boot` is the twin of ``_core.similarity_boot``: the bootstrap of
every pair's measures, the draws repeated from the same BitGenerators with NumPy.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

NAN = float("nan")


def _pairs(x, y, w=None):
    """Complete cases of (x, y[, w]) as Python lists."""
    out = []
    for i in range(len(x)):
        xi, yi = x[i], y[i]
        wi = 1.0 if w is None else w[i]
        if any(isinstance(v, float) and math.isnan(v) for v in (xi, yi, wi)):
            continue
        out.append((float(xi), float(yi), float(wi)))
    return out


def s_score(x, y, levels, weights=None, squared=False):
    pairs = _pairs(x, y, weights)
    dmax = float(max(levels) - min(levels))
    num = den = 0.0
    for a, b, w in pairs:
        d = abs(a - b)
        num += w * (d * d if squared else d)
        den += w * (dmax * dmax if squared else dmax)
    return 1.0 - 2.0 * num / den if den > 0 else NAN


def kappa(x, y, levels):
    pairs = _pairs(x, y)
    n = len(pairs)
    if n == 0:
        return NAN
    obs = 0.0
    for a, b, _ in pairs:
        obs += (a - b) ** 2
    obs /= n
    exp = 0.0
    for la in levels:
        pa = sum(1 for a, _, _ in pairs if a == la) / n
        for lb in levels:
            pb = sum(1 for _, b, _ in pairs if b == lb) / n
            exp += (la - lb) ** 2 * pa * pb
    return 1.0 - obs / exp if exp > 0 else NAN


def scott_pi(x, y, levels):
    pairs = _pairs(x, y)
    n = len(pairs)
    if n == 0:
        return NAN
    po = sum(1 for a, b, _ in pairs if a == b) / n
    pe = 0.0
    for lv in levels:
        m = sum(1 for a, _, _ in pairs if a == lv) + sum(1 for _, b, _ in pairs if b == lv)
        pe += (m / (2 * n)) ** 2
    return (po - pe) / (1 - pe) if pe < 1 else NAN


def tau_b(x, y):
    pairs = _pairs(x, y)
    n = len(pairs)
    con = dis = tx = ty = 0
    for i in range(n):
        for j in range(i + 1, n):
            dx = pairs[i][0] - pairs[j][0]
            dy = pairs[i][1] - pairs[j][1]
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif dx * dy > 0:
                con += 1
            else:
                dis += 1
    den = (con + dis + tx) * (con + dis + ty)
    return (con - dis) / math.sqrt(den) if den > 0 else NAN


def constant(x, y):
    """1.0 when x or y takes a single value on the common items (kappa 0 by construction)."""
    pairs = _pairs(x, y)
    if not pairs:
        return NAN
    return 1.0 if len({a for a, _, _ in pairs}) == 1 or len({b for _, b, _ in pairs}) == 1 else 0.0


MEASURES = {
    "s": lambda x, y, lv, w: s_score(x, y, lv),
    "s_sq": lambda x, y, lv, w: s_score(x, y, lv, squared=True),
    "kappa": lambda x, y, lv, w: kappa(x, y, lv),
    "pi": lambda x, y, lv, w: scott_pi(x, y, lv),
    "taub": lambda x, y, lv, w: tau_b(x, y),
    "s_w": lambda x, y, lv, w: s_score(x, y, lv, weights=w),
    "s_w_sq": lambda x, y, lv, w: s_score(x, y, lv, weights=w, squared=True),
    "constant": lambda x, y, lv, w: constant(x, y),
}


def alliance_year(dyads, members, year, measures, binary=False, weights=None):
    """All directed dyads of one year from a dyad frame, the obvious way.

    ``dyads``: frame with ccode1, ccode2, year, code; ``members``: the year's
    sorted ccodes; ``weights``: dict ccode -> weight (missing -> 0).
    """
    idx = {c: i for i, c in enumerate(members)}
    n = len(members)
    A = np.zeros((n, n))
    sub = dyads[dyads["year"] == year]
    for c1, c2, code in zip(sub["ccode1"], sub["ccode2"], sub["code"]):
        if c1 in idx and c2 in idx and c1 != c2:
            A[idx[c1], idx[c2]] = code
    np.fill_diagonal(A, 3)
    if binary:
        A = (A >= 1).astype(float)
    levels = (0, 1) if binary else (0, 1, 2, 3)
    w = None
    if weights is not None:
        w = [float(weights.get(c, 0.0)) for c in members]
    rows = []
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            x, y = list(A[i]), list(A[j])
            row = {"ccode1": members[i], "ccode2": members[j], "year": year, "n": n}
            for m in measures:
                row[m] = MEASURES[m](x, y, levels, w)
            rows.append(row)
    return pd.DataFrame(rows)


def unvote_year(votes, year, measures):
    """All directed dyads of one year of UN votes (1-3; others missing), the obvious way."""
    sub = votes[(votes["year"] == year) & votes["vote"].isin([1, 2, 3])]
    wide = sub.pivot(index="ccode", columns="rcid", values="vote")
    states = list(wide.index)
    M = wide.to_numpy(dtype=float)
    rows = []
    for i in range(len(states)):
        for j in range(len(states)):
            if i == j:
                continue
            x, y = list(M[i]), list(M[j])
            n = len(_pairs(x, y))
            if n == 0:
                continue
            row = {"ccode1": states[i], "ccode2": states[j], "year": year, "n": n}
            for m in measures:
                row[m] = MEASURES[m](x, y, (1, 2, 3), None)
            rows.append(row)
    return pd.DataFrame(rows)


def similarity_years(data: pd.DataFrame, kind: str, measures, years=None,
                     members=None) -> pd.DataFrame:
    """All directed dyads of the given years (default: every year of ``data``).

    ``kind="unvote"``: ``data`` has rcid, ccode, year, vote. ``kind="alliance"``:
    ``data`` has ccode1, ccode2, year, code and ``members(year)`` gives the
    year's sorted members. Rows are ordered by year, then ccode1, then ccode2.
    """
    years = sorted(data["year"].unique()) if years is None else list(years)
    parts = []
    for y in years:
        if kind == "unvote":
            parts.append(unvote_year(data, y, tuple(measures)))
        else:
            parts.append(alliance_year(data, list(members(y)), y, tuple(measures)))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["ccode1", "ccode2", "year", "n", *measures])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["year", "ccode1", "ccode2"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- bootstrap


def draw_indices(bitgen, n: int, replicates: int) -> np.ndarray:
    """(replicates, n) item indices in [0, n), drawn as the kernel draws them (Lemire 2019,
    multiply-shift with rejection): 16-bit chunks (32-bit when n > 2^16), highest first,
    from 64-bit words; a chunk x gives m = x n, rejected when m mod 2^b < 2^b mod n, else
    the index m >> b. Each replicate starts on a fresh word."""
    bits = 16 if n <= 65536 else 32
    mask = (1 << bits) - 1
    reject = (mask + 1 - n) % n
    out = np.empty((replicates, n), dtype=np.int64)
    for r in range(replicates):
        got = 0
        while got < n:
            u = int(bitgen.random_raw())
            for q in range(1, 64 // bits + 1):
                if got == n:
                    break
                m = ((u >> (64 - bits * q)) & mask) * n
                if (m & mask) < reject:
                    continue
                out[r, got] = m >> bits
                got += 1
    return out


def similarity_boot(codes_by_year, levels, measures, bitgens, replicates, block_pairs, probs,
                    weights_by_year=None):
    """Every unordered pair (i < j) of every year: n, the probs-quantiles of each measure's
    finite replicate values (NumPy's "linear" rule) and the replicates, measure by measure
    with the textbook functions above.

    ``codes_by_year``: one (N, K) array per year of level positions, -1 missing.
    Returns (n [pairs], bands [M, P, pairs], reps [M, pairs, B]).
    """
    gens = iter(bitgens)
    lv = np.asarray(levels, dtype=float)
    ns, reps = [], []
    for y, A in enumerate(codes_by_year):
        N = A.shape[0]
        w_year = None if weights_by_year is None else weights_by_year[y]
        pairs = [(i, j) for i in range(N) for j in range(i + 1, N)]
        for p, (i, j) in enumerate(pairs):
            if p % block_pairs == 0:
                gen = next(gens)
            common = np.flatnonzero((A[i] >= 0) & (A[j] >= 0))
            n = len(common)
            ns.append(n)
            vals = np.full((len(measures), replicates), NAN)
            if n:
                idx = draw_indices(gen, n, replicates)
                for r in range(replicates):
                    items = common[idx[r]]
                    x = list(lv[A[i, items]])
                    z = list(lv[A[j, items]])
                    w = None if w_year is None else list(w_year[items])
                    for m, name in enumerate(measures):
                        vals[m, r] = MEASURES[name](x, z, tuple(lv), w)
            reps.append(vals)
    npairs = len(ns)
    rep = np.stack(reps, axis=1) if reps else np.zeros((len(measures), 0, replicates))
    bands = np.full((len(measures), len(probs), npairs), NAN)
    for m in range(len(measures)):
        for q in range(npairs):
            v = rep[m, q][~np.isnan(rep[m, q])]
            if len(v):
                bands[m, :, q] = np.quantile(v, probs)
    return np.array(ns, dtype=np.int64), bands, rep
