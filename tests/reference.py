"""Plain, never-optimised references for the public functions, one per function.

Each follows its docstring's formula literally, with Python loops where that is
clearest. Tests compare the C-backed functions against these.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop")


def cinc(df: pd.DataFrame, components=COMPONENTS) -> pd.Series:
    """Mean over present components of the share of the year's total over present values."""
    out = pd.Series(np.nan, index=df.index, name="cinc")
    for _, rows in df.groupby("year").groups.items():
        sub = df.loc[rows]
        shares = {}
        for c in components:
            col = sub[c].astype(float).replace(-9, np.nan)
            total = sum(v for v in col if not math.isnan(v))
            shares[c] = {i: (v / total if not math.isnan(v) and total != 0 else np.nan)
                         for i, v in col.items()}
        for i in sub.index:
            present = [shares[c][i] for c in components if not math.isnan(shares[c][i])]
            out[i] = sum(present) / len(present) if present else np.nan
    return out


def concentration_of(values) -> dict:
    """Every concentration measure of one group's values, straight from the definitions."""
    v = [float(x) for x in values if not math.isnan(float(x))]
    n = len(v)
    res = dict.fromkeys(("hhi", "con", "n_eff", "entropy", "gini", "top1", "top2"), np.nan)
    res["n"] = n
    total = sum(v)
    if n == 0 or total <= 0:
        return res
    s = [x / total for x in v]
    hhi = sum(x * x for x in s)
    res["hhi"] = hhi
    res["con"] = math.sqrt(max((hhi - 1 / n) / (1 - 1 / n), 0.0)) if n >= 2 else np.nan
    res["n_eff"] = 1 / hhi
    res["entropy"] = -sum(x * math.log(x) for x in s if x > 0)
    res["gini"] = sum(abs(a - b) for a in s for b in s) / (2 * n * sum(s))
    ordered = sorted(s, reverse=True)
    res["top1"] = ordered[0]
    res["top2"] = ordered[0] + ordered[1] if n >= 2 else ordered[0]
    return res


def concentration(df: pd.DataFrame, value: str, by: str = "year", keep=None) -> pd.DataFrame:
    """Concentration per group; ``keep`` is an optional boolean row mask (the set analysed)."""
    rows = []
    keys = sorted(df[by].unique())
    for k in keys:
        sel = df[by] == k
        if keep is not None:
            sel &= keep
        rows.append(concentration_of(df.loc[sel, value].to_numpy()))
    out = pd.DataFrame(rows, index=pd.Index(keys, name=by))
    return out[["hhi", "con", "n_eff", "entropy", "gini", "top1", "top2", "n"]]
