"""Slow twins of the power family: ``cinc`` and ``concentration`` (frame level) and
the kernels ``group_shares`` and ``group_concentration`` (array level).

Each follows the formula of DESIGN section 4 literally, with Python loops where
that is clearest, and shares no code with ``multipolar.power`` or ``_core``.
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


def group_shares(components, codes, ngroups) -> np.ndarray:
    """Twin of ``_core.group_shares``: per row, the mean over its present (non-NaN)
    components of the row's share of its group's total of that component.

    A share is missing where the group's total is not positive. Raises
    ValueError for a code outside [0, ngroups) or a negative value (as the kernel).
    """
    codes = [int(c) for c in codes]
    n = len(codes)
    for i, c in enumerate(codes):
        if not 0 <= c < ngroups:
            raise ValueError(f"codes must be in [0, {ngroups}); got {c} at row {i}")
    columns = [[float(v) for v in comp] for comp in components]
    for col in columns:
        if len(col) != n:
            raise ValueError("components must have one value per code")
        if any(v < 0 for v in col):
            raise ValueError("components must not be negative")
    totals = []
    for col in columns:
        tot = [0.0] * ngroups
        for c, v in zip(codes, col):
            if not math.isnan(v):
                tot[c] += v
        totals.append(tot)
    out = np.full(n, np.nan)
    for i, c in enumerate(codes):
        shares = [col[i] / tot[c] for col, tot in zip(columns, totals)
                  if not math.isnan(col[i]) and tot[c] > 0]
        if shares:
            out[i] = sum(shares) / len(shares)
    return out


#: Columns of ``_core.group_concentration``'s result, in order.
CONCENTRATION_COLUMNS = ("hhi", "con", "n_eff", "entropy", "gini", "top1", "top2", "n")


def group_concentration(values, codes, ngroups) -> np.ndarray:
    """Twin of ``_core.group_concentration``: one row per group, the columns of
    :data:`CONCENTRATION_COLUMNS` from the group's present values."""
    codes = [int(c) for c in codes]
    for i, c in enumerate(codes):
        if not 0 <= c < ngroups:
            raise ValueError(f"codes must be in [0, {ngroups}); got {c} at row {i}")
    groups: list[list[float]] = [[] for _ in range(ngroups)]
    for c, v in zip(codes, values):
        groups[c].append(float(v))
    out = np.empty((ngroups, len(CONCENTRATION_COLUMNS)))
    for g, vals in enumerate(groups):
        res = concentration_of(vals)
        out[g] = [res[k] for k in CONCENTRATION_COLUMNS]
    return out
