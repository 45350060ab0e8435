"""Benchmark of the expected-utility model over all DEU III issues against a plain Python
implementation of the same model (Scholz, Calbert & Smith 2011).

Run ``python benchmarks/bench_bargaining.py [--quick]``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import multipolar as mp
from _timing import best_of, main, row

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _median(x: list[float], w: list[float]) -> float:
    tot = sum(w)
    if tot <= 0:
        return float("nan")
    order = sorted(range(len(x)), key=lambda i: x[i])
    cum = 0.0
    for k, i in enumerate(order):
        cum += w[i]
        if k + 1 < len(order) and x[order[k + 1]] == x[i]:
            continue
        if cum > tot / 2:
            return x[i]
        if cum == tot / 2:
            for j in order[k + 1:]:
                if w[j] > 0:
                    return (x[i] + x[j]) / 2
            return x[i]
    return x[order[-1]]


def _eu(x, s, P, i, j, mu, rng, r):
    d = abs(x[i] - x[j]) / rng
    dm = abs(x[i] - mu) / rng
    us = 2 - 4 * max(0.5 - 0.5 * d, 0.0) ** r
    uf = 2 - 4 * (0.5 + 0.5 * d) ** r
    usq = 2 - 4 * 0.5 ** r
    del dm  # Q = 1: the (1 - Q) term vanishes
    return s[j] * (P[i][j] * us + (1 - P[i][j]) * uf) + (1 - s[j]) * us - usq


def plain_python_eu(x: list[float], c: list[float], s: list[float], rounds: int) -> float:
    """The model in plain Python lists and loops (Q = T = 1, proposer's perspective)."""
    m = len(x)
    w = [ci * si for ci, si in zip(c, s)]
    x = list(x)
    rng = max(x) - min(x)
    mu = _median(x, w)
    for _ in range(rounds):
        if m < 2 or rng <= 0 or math.isnan(mu):
            break
        P = [[0.5] * m for _ in range(m)]
        for i in range(m):
            for j in range(i + 1, m):
                num = den = 0.0
                for k in range(m):
                    v = w[k] * (abs(x[k] - x[j]) - abs(x[k] - x[i]))
                    if v > 0:
                        num += v
                    den += abs(v)
                P[i][j] = num / den if den > 0 else 0.5
                P[j][i] = 1 - P[i][j] if den > 0 else 0.5
        D = [sum(_eu(x, s, P, j, i, mu, rng, 1.0) for j in range(m) if j != i) for i in range(m)]
        hi, lo = max(D), min(D)
        r = [(1 - R / 3) / (1 + R / 3) for R in
             ([(2 * d - hi - lo) / (hi - lo) for d in D] if hi > lo else [0.0] * m)]
        new = list(x)
        for j in range(m):
            best, target = float("inf"), x[j]
            for i in range(m):
                if i == j or x[i] == x[j]:
                    continue
                a = _eu(x, s, P, i, j, mu, rng, r[i])
                b = _eu(x, s, P, j, i, mu, rng, r[i])
                if a > 0 and b > 0 and a > b:
                    prop = x[i]
                elif a > 0 and b < 0 and a > -b:
                    prop = x[j] + (x[i] - x[j]) * (-b / a)
                elif a > 0 and b < 0 and a < -b:
                    prop = x[i]
                else:
                    continue
                if abs(prop - x[j]) < best:
                    best, target = abs(prop - x[j]), prop
            new[j] = target
        x = new
        mu = _median(x, w)
    return mu


def rows(quick: bool = False) -> list[dict]:
    deu = mp.read_deu(DATA / "deu" / "deu3_blksv.tsv")
    d = deu[deu["position"].notna()].copy()
    d["salience"] = d["salience"].fillna(0.5)
    d["capability"] = d["gdp"]
    issues = d["issue"].unique()
    if quick:
        d = d[d["issue"].isin(issues[:60])]
    rounds = 10
    groups = [(g["position"].tolist(), g["capability"].tolist(), g["salience"].tolist())
              for _, g in d.groupby("issue")]
    t_ours = best_of(lambda: mp.bargain_issues(d, rounds=rounds), 5)
    t_py = best_of(lambda: [plain_python_eu(x, c, s, rounds) for x, c, s in groups], 1)
    ours = mp.bargain_issues(d, rounds=rounds)["expected_utility"].to_numpy()
    ref = [plain_python_eu(x, c, s, rounds) for x, c, s in groups]
    assert all(abs(a - b) < 1e-9 or (math.isnan(a) and math.isnan(b)) for a, b in zip(ours, ref))
    return [row(f"bargain_issues EU model ({len(groups)} DEU issues, {rounds} rounds)",
                t_ours, t_py, "plain Python loops, same model and result")]


if __name__ == "__main__":
    main(rows)
