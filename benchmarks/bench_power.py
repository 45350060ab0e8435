"""Benchmarks of the power family: cinc + concentration against the pandas groupby way.

Run ``python benchmarks/bench_power.py`` (or ``python benchmarks/run.py`` for all
families). Every baseline is timed in the same process, on the same frame.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of, main, row  # noqa: E402

import multipolar as mp  # noqa: E402

COMP = ["milex", "milper", "irst", "pec", "tpop", "upop"]
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def pandas_cinc(df: pd.DataFrame) -> pd.Series:
    """The idiomatic pandas CINC: shares via groupby-transform, row mean skipping NaN."""
    comps = df[COMP].replace(-9, np.nan)
    shares = comps / comps.groupby(df["year"]).transform("sum")
    return shares.mean(axis=1)


def pandas_concentration(df: pd.DataFrame, value: str = "cinc") -> pd.DataFrame:
    """The idiomatic vectorized pandas concentration (no per-group Python)."""
    d = df[["year", value]].dropna()
    s = d[value] / d.groupby("year")[value].transform("sum")
    d = d.assign(s=s, s2=s * s, slns=-s * np.log(s.where(s > 0)))
    d = d.sort_values(["year", "s"])
    g = d.groupby("year")
    n = g["s"].count()
    rank = g.cumcount() + 1
    nn = n.reindex(d["year"]).to_numpy()
    d["gw"] = (2 * rank - nn - 1) * d["s"]
    out = pd.DataFrame({"hhi": g["s2"].sum(), "entropy": g["slns"].sum(), "n": n})
    out["con"] = np.sqrt((out.hhi - 1 / n) / (1 - 1 / n))
    out["n_eff"] = 1 / out.hhi
    out["gini"] = g["gw"].sum() / n
    out["top1"] = g["s"].max()
    out["top2"] = g["s"].nlargest(2).groupby(level=0).sum()
    return out


def synthetic_panel(n_rows: int, n_states: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = n_rows // n_states
    df = pd.DataFrame({
        "ccode": np.tile(np.arange(n_states, dtype=np.int64), years),
        "year": np.repeat(np.arange(years, dtype=np.int64), n_states),
    })
    for c in COMP:
        v = rng.gamma(0.5, 1000.0, len(df))
        v[rng.random(len(df)) < 0.05] = np.nan
        df[c] = v
    return df


def _case(name: str, df: pd.DataFrame, repeat: int, slow_repeat: int) -> list[dict]:
    """Time ours and the baseline; the slow pandas concentration runs ``slow_repeat`` times."""
    out = []
    ours = best_of(lambda: mp.cinc(df), repeat)
    base = best_of(lambda: pandas_cinc(df), repeat)
    got, want = mp.cinc(df), pandas_cinc(df)
    assert np.allclose(got, want, rtol=1e-12, equal_nan=True)
    out.append(row(f"cinc ({name})", ours, base, "pandas groupby-transform shares, row mean"))
    d2 = df.assign(cinc=mp.cinc(df))
    ours = best_of(lambda: mp.concentration(d2), repeat)
    base = best_of(lambda: pandas_concentration(d2), slow_repeat, warmup=slow_repeat > 1)
    out.append(row(f"concentration ({name})", ours, base,
                   "pandas vectorized groupby (sort for gini, nlargest)"))
    ours = best_of(lambda: mp.concentration(df.assign(cinc=mp.cinc(df))), repeat)
    base = best_of(lambda: pandas_concentration(df.assign(cinc=pandas_cinc(df))), slow_repeat,
                   warmup=slow_repeat > 1)
    out.append(row(f"cinc + concentration ({name})", ours, base, "end to end from components"))
    return out


def rows(quick: bool = False) -> list[dict]:
    out = []
    nmc = mp.read_nmc(DATA / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")
    out += _case("NMC v7, 17k rows", nmc, 20, 5)
    big = synthetic_panel(1_000_000 if quick else 10_000_000)
    out += _case(f"synthetic, {len(big) / 1e6:.0f}M rows", big, 3, 1)
    return out


if __name__ == "__main__":
    main(rows)
