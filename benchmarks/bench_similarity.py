"""Benchmark: foreign-policy similarity of every dyad-year, ours vs the NumPy way.

    python benchmarks/bench_similarity.py          # prints the table

Baseline (what an analyst writes with NumPy on OpenBLAS): per year, one-hot
matrices of the portfolios, c^2 ``matmul``s giving every dyad's co-occurrence
table, then the measures vectorized over the tables. The same baseline serves
the tests as a second oracle (``baseline_similarity``).

Inputs are the real files in ``../shared/data`` (read, never copied): the COW
alliance file (all directed dyad-years 1816-2012) and Voeten's UN votes
1946-2015.

Bootstrap rows: no peer tool gives bands, so the baseline is the NumPy loop an
analyst would write (per dyad, all replicates at once), on the 2015 UN votes.
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


def _kappa_tables(T: np.ndarray) -> np.ndarray:
    """Quadratic-weighted kappa of tables T[..., 3, 3] (votes 1..3)."""
    lv = np.arange(3.0)
    w = (lv[:, None] - lv[None, :]) ** 2
    n = T.sum(axis=(-2, -1))
    r, c = T.sum(-1), T.sum(-2)
    obs = (T * w).sum(axis=(-2, -1))
    exp = np.einsum("...a,...b,ab->...", r, c, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(exp > 0, 1 - n * obs / exp, np.nan)


def baseline_boot_kappa(votes: pd.DataFrame, B: int, level: float = 0.9, seed: int = 0):
    """Bootstrap bands of kappa for every dyad of one year, the NumPy way: a loop over
    dyads, each resampling its common roll calls B times at once (``Generator.integers``),
    tables by one-hot sums, kappa vectorized over replicates, ``np.nanquantile``.
    Returns (replicates [pairs, B], bands [pairs, 2])."""
    rng = np.random.default_rng(seed)
    v = votes[votes["vote"].isin([1, 2, 3])]
    wide = v.pivot(index="ccode", columns="rcid", values="vote")
    A = np.where(wide.isna(), -1, wide.fillna(1) - 1).astype(np.int64)
    N = len(A)
    reps = []
    for i in range(N):
        for j in range(i + 1, N):
            both = (A[i] >= 0) & (A[j] >= 0)
            cells = A[i, both] * 3 + A[j, both]
            if len(cells) == 0:
                reps.append(np.full(B, np.nan))
                continue
            draw = cells[rng.integers(0, len(cells), size=(B, len(cells)))]
            T = (draw[:, :, None] == np.arange(9)).sum(1).reshape(B, 3, 3)
            reps.append(_kappa_tables(T))
    reps = np.array(reps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a dyad whose replicates are all undefined
        bands = np.nanquantile(reps, [(1 - level) / 2, (1 + level) / 2], axis=1).T
    return reps, bands


def baseline_boot_blocs(votes: pd.DataFrame, K, B: int, seed: int = 0):
    """``blocs(K, bootstrap=B)`` with the replicates from :func:`baseline_boot_kappa`
    (the partition and label matching are the same code)."""
    from multipolar.structure import _match, _spectral

    reps, _ = baseline_boot_kappa(votes, B, seed=seed)
    b = blocsfn(K)
    keep = np.flatnonzero(K.actors.isin(b.labels.index))
    N = len(K)
    iu, ju = np.triu_indices(N, 1)
    lab = b.labels.to_numpy()
    counts = np.zeros((len(keep), int(lab.max()) + 1))
    for r in range(B):
        M = np.ones((N, N))
        M[iu, ju] = M[ju, iu] = reps[:, r]
        rl, _ = _spectral(M[np.ix_(keep, keep)], 2, (-1.0, 1.0))
        counts[np.arange(len(keep)), _match(rl, lab, int(rl.max()) + 1)[rl]] += 1
    return counts / B


def blocsfn(K, **kw):
    from multipolar.structure import blocs

    return blocs(K, k=2, **kw)


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
    out += boot_rows(votes, quick)
    return out


def boot_rows(votes: pd.DataFrame, quick: bool = False) -> list[dict]:
    """The bootstrap rows: every dyad of the 2015 UN votes, and blocs on its kappa matrix.
    No peer tool gives these bands, so the baseline is a NumPy loop over dyads."""
    from multipolar.similarity import similarity, similarity_matrix

    B = 50 if quick else 200
    v15 = votes[votes["year"] == 2015]
    ours = best_of(lambda: similarity(v15, kind="unvote", measures=("kappa",), bootstrap=B,
                                      seed=1), repeat=3)
    base = best_of(lambda: baseline_boot_kappa(v15, B), repeat=1, warmup=False)
    out = [row(f"similarity bootstrap, every dyad of UN 2015 (kappa, B={B})", ours, base,
               "NumPy loop over the 18,528 dyads: Generator.integers, one-hot tables, "
               "kappa over replicates, nanquantile")]
    K = similarity_matrix(v15, 2015, kind="unvote")
    ours = best_of(lambda: blocsfn(K, bootstrap=B, seed=1), repeat=3)
    base = best_of(lambda: baseline_boot_blocs(v15, K, B), repeat=1, warmup=False)
    out.append(row(f"blocs(bootstrap={B}), UN 2015 kappa matrix (k=2)", ours, base,
                   "the same partition per replicate on NumPy-loop replicates"))
    return out


if __name__ == "__main__":
    main(rows)
