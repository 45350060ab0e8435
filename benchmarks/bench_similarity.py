"""Benchmark: foreign-policy similarity of every dyad-year, ours vs the NumPy way.

    python benchmarks/bench_similarity.py          # prints the table

Baseline (what an analyst writes with NumPy on OpenBLAS): per year, one-hot
matrices of the portfolios, c^2 ``matmul``s giving every dyad's co-occurrence
table, then the measures vectorized over the tables. The same baseline serves
the tests as a second oracle (``baseline_similarity``).

Inputs are the real files in ``../shared/data`` (read, never copied): the COW
alliance file (all directed dyad-years 1816-2012) and Voeten's UN votes
1946-2015.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _timing import best_of, main, row

from multipolar._kernels import SIMILARITY_MEASURES

DATA = HERE.parents[1] / "shared" / "data"
COW_ALLIANCE = DATA / "cow_alliance" / "cow_alliance_v4.1_directed_dyad_year_peacesciencer.csv"
VOETEN = DATA / "un_votes" / "voeten_UNVotesPublished.csv.gz"
#: The unweighted measures, in the kernel's order: the weighted S variants ("s_w...") need
#: capability weights the baseline does not take.
MEASURES = tuple(m for m in SIMILARITY_MEASURES if not m.startswith("s_w"))


# --------------------------------------------------------------------------- baseline


def _measures_from_tables(T: np.ndarray, levels: np.ndarray, measures) -> dict[str, np.ndarray]:
    """Measures of tables T[a, b, i, j] (levels a, b; dyad i, j), vectorized over dyads."""
    c = len(levels)
    d = levels[-1] - levels[0]
    diff = levels[:, None] - levels[None, :]
    dabs, dsq = np.abs(diff), diff * diff
    n = T.sum(axis=(0, 1))
    r = T.sum(axis=1)
    s = T.sum(axis=0)
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        if "s" in measures:
            out["s"] = 1 - 2 * np.einsum("abij,ab->ij", T, dabs) / (n * d)
        if "s_sq" in measures or "kappa" in measures:
            num_sq = np.einsum("abij,ab->ij", T, dsq)
        if "s_sq" in measures:
            out["s_sq"] = 1 - 2 * num_sq / (n * d * d)
        if "kappa" in measures:
            exp = np.einsum("aij,bij,ab->ij", r, s, dsq)
            out["kappa"] = np.where(exp > 0, 1 - n * num_sq / exp, np.nan)
        if "pi" in measures:
            po = np.einsum("aaij->ij", T) / n
            pe = (((r + s) / (2 * n)) ** 2).sum(axis=0)
            out["pi"] = np.where(pe < 1, (po - pe) / (1 - pe), np.nan)
        if "taub" in measures:
            cd = np.zeros(n.shape)
            for a in range(c):
                for b in range(c):
                    for a2 in range(a + 1, c):
                        for b2 in range(c):
                            if b2 == b:
                                continue
                            sign = 1.0 if b2 > b else -1.0
                            cd += sign * T[a, b] * T[a2, b2]
            n0 = n * (n - 1) / 2
            t1 = (r * (r - 1) / 2).sum(axis=0)
            t2 = (s * (s - 1) / 2).sum(axis=0)
            den = (n0 - t1) * (n0 - t2)
            out["taub"] = np.where(den > 0, cd / np.sqrt(np.where(den > 0, den, 1)), np.nan)
        if "constant" in measures:
            one = ((r > 0).sum(axis=0) <= 1) | ((s > 0).sum(axis=0) <= 1)
            out["constant"] = np.where(n > 0, one.astype(float), np.nan)
    return out


def baseline_similarity(
    data: pd.DataFrame, kind: str = "alliance", measures=MEASURES, years=None
) -> pd.DataFrame:
    """All directed dyad-years the NumPy way: one-hot matmuls per year.

    ``data`` as for :func:`multipolar.similarity` (alliances: ccode1, ccode2,
    year, code; votes: rcid, ccode, year, vote).
    """
    from multipolar.codes import members

    parts = []
    if kind == "alliance":
        levels = np.array([0.0, 1.0, 2.0, 3.0])
        d = data[["ccode1", "ccode2", "year", "code"]]
        yrs = range(int(d["year"].min()), int(d["year"].max()) + 1) if years is None else years
        groups = dict(tuple(d.groupby("year")))
        for y in yrs:
            m = members(y)
            N = len(m)
            A = np.zeros((N, N))
            g = groups.get(y)
            if g is not None:
                i = np.searchsorted(m, g["ccode1"].to_numpy())
                j = np.searchsorted(m, g["ccode2"].to_numpy())
                ok = (i < N) & (j < N)
                ok[ok] &= (m[i[ok]] == g["ccode1"].to_numpy()[ok]) & (
                    m[j[ok]] == g["ccode2"].to_numpy()[ok]
                )
                A[i[ok], j[ok]] = g["code"].to_numpy()[ok]
            np.fill_diagonal(A, 3)
            X = [(A == lv).astype(np.float64) for lv in levels]
            T = np.empty((4, 4, N, N))
            for a in range(4):
                for b in range(4):
                    T[a, b] = X[a] @ X[b].T
            vals = _measures_from_tables(T, levels, measures)
            off = ~np.eye(N, dtype=bool)
            ii, jj = np.nonzero(off)
            frame = {
                "ccode1": m[ii],
                "ccode2": m[jj],
                "year": np.full(len(ii), y),
                "n": np.full(len(ii), N),
            }
            frame.update({k: vals[k][off] for k in measures})
            parts.append(pd.DataFrame(frame))
    else:
        levels = np.array([1.0, 2.0, 3.0])
        v = data[data["vote"].isin([1, 2, 3])]
        if years is not None:
            v = v[v["year"].isin(list(years))]
        for y, g in v.groupby("year"):
            states, si = np.unique(g["ccode"].to_numpy(), return_inverse=True)
            rcs, ri = np.unique(g["rcid"].to_numpy(), return_inverse=True)
            V = np.zeros((len(states), len(rcs)))
            V[si, ri] = g["vote"].to_numpy()
            X = [(V == lv).astype(np.float64) for lv in levels]
            N = len(states)
            T = np.empty((3, 3, N, N))
            for a in range(3):
                for b in range(3):
                    T[a, b] = X[a] @ X[b].T
            vals = _measures_from_tables(T, levels, measures)
            n = T.sum(axis=(0, 1))
            keep = ~np.eye(N, dtype=bool) & (n > 0)
            ii, jj = np.nonzero(keep)
            frame = {
                "ccode1": states[ii],
                "ccode2": states[jj],
                "year": np.full(len(ii), y),
                "n": n[keep].astype(np.int64),
            }
            frame.update({k: vals[k][keep] for k in measures})
            parts.append(pd.DataFrame(frame))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- benchmark


def _alliances() -> pd.DataFrame:
    import multipolar.io as mio

    return mio.read_alliances(COW_ALLIANCE)


def _votes() -> pd.DataFrame:
    import multipolar.io as mio

    return mio.read_unvotes(VOETEN)


def rows(quick: bool = False) -> list[dict]:
    """Benchmark rows: kernel, ours_s, baseline_s, ratio, note."""
    from multipolar.similarity import similarity

    out = []
    ally = _alliances()
    votes = _votes()
    if quick:
        ally = ally[ally["year"] >= 1990]
        votes = votes[votes["year"] >= 2000]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the COW file's non-member rows are reported, not timed
        ours = best_of(lambda: similarity(ally, measures=MEASURES), repeat=5)
        base = best_of(lambda: baseline_similarity(ally, "alliance"), repeat=1)
    out.append(row("similarity alliances (COW 1816-2012, 5 measures)", ours, base,
                   "NumPy per year: 16 one-hot matmuls (OpenBLAS) + vectorized measures"))
    ours = best_of(lambda: similarity(votes, kind="unvote", measures=MEASURES), repeat=5)
    base = best_of(lambda: baseline_similarity(votes, "unvote"), repeat=1)
    out.append(row("similarity UN votes (Voeten 1946-2015, 5 measures)", ours, base,
                   "NumPy per year: 9 one-hot matmuls (OpenBLAS) + vectorized measures"))
    return out


if __name__ == "__main__":
    main(rows)
