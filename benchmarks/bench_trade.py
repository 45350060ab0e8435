"""Benchmarks of the trade family against the idiomatic pandas way, on the COW dyadic file.

Run ``python benchmarks/bench_trade.py`` (or ``python benchmarks/run.py`` for all
families). The heavy path is dependence over all years of the 1.35M-row COW Trade
v4.0 directed file; every baseline is timed in the same process, on the same frame.
Without the shared data folder a synthetic directed frame of the same shape is used.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of, main, row
from multipolar import groups as G
from multipolar import trade as T
from multipolar.io import read_trade

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DYADIC = DATA / "cow_trade" / "cow_trade_v4_directed_dyad_year_peacesciencer.csv.gz"


def pandas_dependence(df: pd.DataFrame) -> pd.DataFrame:
    """The idiomatic pandas dependence: row sums, groupby-transform shares, self-merge for asymmetry."""
    d = df[["ccode1", "ccode2", "year", "flow1", "flow2"]]
    d = d.assign(trade=d[["flow1", "flow2"]].sum(axis=1, min_count=1)).dropna(subset=["trade"])
    d["share"] = d["trade"] / d.groupby(["ccode1", "year"])["trade"].transform("sum")
    back = d[["ccode1", "ccode2", "year", "share"]].rename(
        columns={"ccode1": "ccode2", "ccode2": "ccode1", "share": "back"}
    )
    d = d.merge(back, on=["ccode1", "ccode2", "year"], how="left")
    d["asymmetry"] = d["share"] - d["back"]
    return d[["ccode1", "ccode2", "year", "trade", "share", "asymmetry"]]


def pandas_partner_concentration(df: pd.DataFrame) -> pd.DataFrame:
    """HHI of partner shares per state-year with groupby."""
    d = df[["ccode1", "year"]].assign(trade=df[["flow1", "flow2"]].sum(axis=1, min_count=1))
    d["share"] = d["trade"] / d.groupby(["ccode1", "year"])["trade"].transform("sum")
    d["s2"] = d["share"] ** 2
    g = d.groupby(["ccode1", "year"])
    return pd.DataFrame({"hhi": g["s2"].sum(), "n": g["trade"].apply(lambda s: (s > 0).sum())})


def pandas_group_trade(df: pd.DataFrame, groups: list) -> pd.DataFrame:
    """Intra/extra trade shares per group-year with isin masks and groupby."""
    out = []
    d = df.assign(trade=df[["flow1", "flow2"]].sum(axis=1, min_count=1).fillna(0.0))
    for g in groups:
        m1 = g.is_member(d["ccode1"].to_numpy(), d["year"].to_numpy())
        m2 = g.is_member(d["ccode2"].to_numpy(), d["year"].to_numpy())
        tot = d["trade"].where(m1, 0.0).groupby(d["year"]).sum()
        intra = d["trade"].where(m1 & m2, 0.0).groupby(d["year"]).sum()
        out.append(pd.DataFrame({"group": g.name, "intra_share": intra / tot}))
    return pd.concat(out)


def synthetic_trade(n_states: int = 190, years: int = 37, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = np.arange(2, 2 + n_states)
    i, j = np.meshgrid(c, c, indexing="ij")
    off = i != j
    i, j = i[off], j[off]
    n = len(i)
    df = pd.DataFrame({
        "ccode1": np.tile(i, years),
        "ccode2": np.tile(j, years),
        "year": np.repeat(np.arange(1978, 1978 + years), n),
    })
    f = rng.gamma(0.3, 100.0, (len(df), 2))
    f[rng.random(f.shape) < 0.04] = np.nan
    df["flow1"], df["flow2"] = f[:, 0], f[:, 1]
    df["smoothflow1"], df["smoothflow2"] = f[:, 0], f[:, 1]
    return df.sort_values(["ccode1", "ccode2", "year"], ignore_index=True)


def _frame(quick: bool) -> tuple[pd.DataFrame, str]:
    if DYADIC.is_file():
        df = read_trade(DYADIC)
        label = "COW trade, 1.35M rows"
        if quick:
            df = df[df.year >= 2000].reset_index(drop=True)
            label = "COW trade 2000-2014"
        return df, label
    return synthetic_trade(years=8 if quick else 37), "synthetic"


def rows(quick: bool = False) -> list[dict]:
    df, label = _frame(quick)
    shuffled = df.sample(frac=1.0, random_state=0)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", T.TradeDataWarning)
        cases = [
            ("trade.dependence (all years)", lambda: T.dependence(df), lambda: pandas_dependence(df),
             f"{label}; pandas sum/groupby-transform/self-merge"),
            ("trade.dependence (shuffled rows)", lambda: T.dependence(shuffled),
             lambda: pandas_dependence(shuffled), f"{label}, row order shuffled"),
            ("trade.partner_concentration", lambda: T.partner_concentration(df),
             lambda: pandas_partner_concentration(df), f"{label}; pandas groupby"),
            ("groups.group_trade (6 groups)",
             lambda: G.group_trade(df, list(G.GROUPS.values())[:6]),
             lambda: pandas_group_trade(df, list(G.GROUPS.values())[:6]),
             f"{label}; pandas masks + groupby"),
        ]
        for name, ours, base, note in cases:
            t_ours = best_of(ours, repeat=2 if quick else 3)
            t_base = best_of(base, repeat=2 if quick else 3)
            out.append(row(name, t_ours, t_base, note))
    return out


if __name__ == "__main__":
    main(rows)
