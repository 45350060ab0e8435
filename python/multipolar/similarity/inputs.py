"""Frames into the similarity kernel's input: portfolios, entries, levels and weights.

An alliance frame (directed dyad-years with a code) or a UN-vote frame (roll
call, state, year, vote) becomes the sparse input of
``_core.similarity_years``: rows (a state in a year) grouped by year, the
items of each year, and one entry (row, item, level) per coded item. The
public functions are in :mod:`multipolar.similarity.driver`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._validation import factorize, int_keys, require_columns, require_frame, value_array

#: Possible levels of each kind of portfolio.
ALLIANCE_LEVELS = (0.0, 1.0, 2.0, 3.0)
BINARY_LEVELS = (0.0, 1.0)
VOTE_LEVELS = (1.0, 2.0, 3.0)
#: Most levels a portfolio may use (MULTIPOLAR_SIM_MAX_LEVELS in csrc/similarity_measures.h).
MAX_LEVELS = 16
#: COW ccodes are below this bound.
NCODE = 1000


def _check_years_in_data(years: np.ndarray, yr: np.ndarray, func: str) -> None:
    """Raise unless every requested year lies within the first..last year of the data."""
    if len(yr) == 0:
        raise ValueError(f"{func}: years outside the data (no rows); got {years.tolist()}")
    lo, hi = int(yr.min()), int(yr.max())
    bad = years[(years < lo) | (years > hi)]
    if len(bad):
        raise ValueError(f"{func}: years outside the data ({lo}-{hi}); got {bad.tolist()}")


def _warn_rows(func: str, count: int, what: str, example: str) -> None:
    warnings.warn(
        f"{func}: left out {count} row(s) {what}, e.g. {example}", UserWarning, stacklevel=4
    )


def _weights_by_row(weights: Any, sy_key: np.ndarray, ymin: int, func: str) -> np.ndarray:
    """Weight of every state-year row (0 where the frame has none, with a warning)."""
    require_frame(weights, func, "weights")
    if "weight" in weights.columns:
        col = "weight"
    elif "cinc" in weights.columns:
        col = "cinc"
    else:
        raise ValueError(
            f"{func}: weights must have a 'weight' or 'cinc' column; got columns "
            f"{list(weights.columns)}"
        )
    require_columns(weights, ["ccode", "year"], func, "weights")
    wc = int_keys(weights["ccode"], func, "ccode")
    wy = int_keys(weights["year"], func, "year")
    wv = value_array(weights[col], func, col).astype(np.float64)
    bad = (wv < 0) | np.isinf(wv)
    if bad.any():
        raise ValueError(
            f"{func}: weights column {col!r} must be finite and non-negative; got {wv[bad][0].item()!r}"
        )
    ok = (wc >= 0) & (wc < NCODE) & (wy >= ymin)
    key = (wy[ok] - ymin) * NCODE + wc[ok]
    order = np.argsort(key, kind="stable")
    skey = key[order]
    dup = skey[1:] == skey[:-1]
    if dup.any():
        k = int(skey[1:][dup][0])
        raise ValueError(
            f"{func}: weights has duplicate (ccode, year) rows; got e.g. "
            f"({k % NCODE}, {k // NCODE + ymin})"
        )
    pos = np.searchsorted(skey, sy_key)
    pos_c = np.minimum(pos, max(len(skey) - 1, 0))
    found = (
        (pos < len(skey)) & (skey[pos_c] == sy_key) if len(skey) else np.zeros(len(sy_key), bool)
    )
    out = np.zeros(len(sy_key), dtype=np.float64)
    vals = wv[ok][order]
    out[found] = vals[pos_c[found]]
    missing = ~found | np.isnan(out)
    if missing.any():
        k = int(sy_key[np.flatnonzero(missing)[0]])
        warnings.warn(
            f"{func}: {int(missing.sum())} state-year(s) have no weight and count with weight 0 "
            f"in s_w, e.g. ({k % NCODE}, {k // NCODE + ymin})",
            UserWarning,
            stacklevel=4,
        )
        out[missing] = 0.0
    return out


def _alliance_input(
    data: pd.DataFrame,
    binary: bool,
    weights: Any,
    years: np.ndarray | None,
    weighted: bool,
    func: str,
) -> dict[str, Any]:
    from ..codes import state_years

    if {"rcid", "vote"} <= set(data.columns) and not {"ccode1", "ccode2"} <= set(data.columns):
        raise ValueError(
            f"{func}: data holds UN votes (rcid, ccode, year, vote), not alliance dyads "
            f"(ccode1, ccode2, year, code): did you mean kind='unvote'?"
        )
    require_columns(data, ["ccode1", "ccode2", "year", "code"], func, "data")
    c1 = int_keys(data["ccode1"], func, "ccode1")
    c2 = int_keys(data["ccode2"], func, "ccode2")
    yr = int_keys(data["year"], func, "year")
    code = value_array(data["code"], func, "code")
    if code.dtype.kind == "f":
        bad = ~np.isin(code, ALLIANCE_LEVELS)
    else:
        bad = (code < 0) | (code > 3)
    if bad.any():
        raise ValueError(
            f"{func}: column 'code' must hold alliance codes 0, 1, 2 or 3; got {code[bad][0].item()!r}"
        )
    code = code.astype(np.int64)
    if years is None:
        if len(yr) == 0:
            raise ValueError(f"{func}: data has no rows and no years were given")
        years = np.arange(int(yr.min()), int(yr.max()) + 1, dtype=np.int64)
    else:
        _check_years_in_data(years, yr, func)
    ymin, ymax = int(years[0]), int(years[-1])
    if ymin < 1 or ymax > 9999:
        raise ValueError(f"{func}: years must lie in 1..9999; got {ymin}..{ymax}")
    sy = state_years(ymin, ymax)
    sy_c = sy["ccode"].to_numpy(np.int64)
    sy_y = sy["year"].to_numpy(np.int64)
    if len(years) != ymax - ymin + 1:
        keep = np.isin(sy_y, years)
        sy_c, sy_y = sy_c[keep], sy_y[keep]
    sy_key = (sy_y - ymin) * NCODE + sy_c
    year_pos = np.searchsorted(years, sy_y)
    counts = np.bincount(year_pos, minlength=len(years))
    year_ptr = np.zeros(len(years) + 1, dtype=np.int64)
    np.cumsum(counts, out=year_ptr[1:])
    nrows = len(sy_c)

    in_years = np.isin(yr, years) if len(years) != ymax - ymin + 1 else (yr >= ymin) & (yr <= ymax)
    ok1 = (c1 >= 0) & (c1 < NCODE)
    ok2 = (c2 >= 0) & (c2 < NCODE)
    k1 = np.where(ok1, (yr - ymin) * NCODE + c1, -1)
    k2 = np.where(ok2, (yr - ymin) * NCODE + c2, -1)
    p1 = np.minimum(np.searchsorted(sy_key, k1), max(nrows - 1, 0))
    p2 = np.minimum(np.searchsorted(sy_key, k2), max(nrows - 1, 0))
    if nrows:
        f1 = sy_key[p1] == k1
        f2 = sy_key[p2] == k2
    else:
        f1 = f2 = np.zeros(len(yr), dtype=bool)
    outside = in_years & ~(f1 & f2)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        who = c1[i] if not f1[i] else c2[i]
        _warn_rows(
            func,
            int(outside.sum()),
            "naming a state that is not a COW system member in that year",
            f"ccode {who} in {yr[i]}",
        )
    selfrow = in_years & f1 & f2 & (c1 == c2)
    if selfrow.any():
        i = int(np.flatnonzero(selfrow)[0])
        _warn_rows(
            func,
            int(selfrow.sum()),
            "pairing a state with itself (each state is maximally allied with itself)",
            f"ccode {c1[i]} in {yr[i]}",
        )
    lev = (code >= 1).astype(np.int64) if binary else code
    use = in_years & f1 & f2 & (c1 != c2) & (lev > 0)
    row_first = np.repeat(year_ptr[:-1], counts)
    r1 = p1[use]
    r2 = p2[use]
    top = 1 if binary else 3
    rows_all = np.arange(nrows, dtype=np.int64)
    entry_row = np.concatenate([r1, rows_all])
    entry_item = np.concatenate([r2 - row_first[r2], rows_all - row_first])
    entry_level = np.concatenate([lev[use], np.full(nrows, top, dtype=np.int64)])
    # weights given are checked even when no weighted measure uses them: a wrong frame
    # is an error, never silently ignored
    w = _weights_by_row(weights, sy_key, ymin, func) if weights is not None else None
    w = w if weighted else None
    return {
        "year_ptr": year_ptr,
        "nitems": counts.astype(np.int64),
        "row_key": sy_c,
        "year_key": years,
        "entry_row": entry_row,
        "entry_item": entry_item,
        "entry_level": entry_level,
        "levels": np.array(BINARY_LEVELS if binary else ALLIANCE_LEVELS),
        "implicit": True,
        "weights": w,
        "drop_empty": False,
        "items": None,
        "row_year": sy_y,
    }


def _unvote_input(data: pd.DataFrame, years: np.ndarray | None, func: str) -> dict[str, Any]:
    if {"ccode1", "ccode2", "code"} <= set(data.columns) and "rcid" not in data.columns:
        raise ValueError(
            f"{func}: data holds alliance dyads (ccode1, ccode2, year, code), not UN votes "
            f"(rcid, ccode, year, vote): did you mean kind='alliance'?"
        )
    require_columns(data, ["rcid", "ccode", "year", "vote"], func, "data")
    vote = value_array(data["vote"], func, "vote").astype(np.float64)
    valid = (vote == 1) | (vote == 2) | (vote == 3)
    bad = ~valid & ~np.isnan(vote) & (vote != 8) & (vote != 9)
    if bad.any():
        raise ValueError(
            f"{func}: column 'vote' must hold 1 (yes), 2 (abstain), 3 (no), 8, 9 or NaN; "
            f"got {vote[bad][0].item()!r}"
        )
    rcid = int_keys(data["rcid"], func, "rcid")
    cc = int_keys(data["ccode"], func, "ccode")
    yr = int_keys(data["year"], func, "year")
    if years is not None:
        _check_years_in_data(years, yr, func)
        valid &= np.isin(yr, years)
    sel = np.flatnonzero(valid)
    rcid, cc, yr, vote = rcid[sel], cc[sel], yr[sel], vote[sel]
    if len(sel) == 0:
        ys = years if years is not None else np.zeros(0, np.int64)
        return {
            "year_ptr": np.zeros(1, np.int64),
            "nitems": np.zeros(0, np.int64),
            "row_key": np.zeros(0, np.int64),
            "year_key": np.zeros(0, np.int64),
            "entry_row": np.zeros(0, np.int64),
            "entry_item": np.zeros(0, np.int64),
            "entry_level": np.zeros(0, np.int64),
            "levels": np.array(VOTE_LEVELS),
            "implicit": False,
            "weights": None,
            "drop_empty": True,
            "items": None,
            "row_year": np.zeros(0, np.int64),
            "empty_years": ys,
        }
    if cc.min() < 0 or cc.max() >= NCODE:
        bad_c = cc[(cc < 0) | (cc >= NCODE)][0]
        raise ValueError(f"{func}: column 'ccode' must hold COW ccodes 0..999; got {int(bad_c)!r}")
    ymin = int(yr.min())
    ydense = yr - ymin
    rinv, rkeys = factorize(ydense * NCODE + cc, func, "ccode", dtype=np.int64)
    rc_inv, rc_u = factorize(rcid - int(rcid.min()), func, "rcid", dtype=np.int64)
    nrc = len(rc_u)
    iinv, ikeys = factorize(ydense * nrc + rc_inv, func, "rcid", dtype=np.int64)
    row_year_off = rkeys // NCODE
    item_year_off = ikeys // nrc
    yk = np.unique(row_year_off)
    row_ypos = np.searchsorted(yk, row_year_off)
    item_ypos = np.searchsorted(yk, item_year_off)
    counts = np.bincount(row_ypos, minlength=len(yk))
    icounts = np.bincount(item_ypos, minlength=len(yk))
    year_ptr = np.zeros(len(yk) + 1, dtype=np.int64)
    np.cumsum(counts, out=year_ptr[1:])
    item_ptr = np.zeros(len(yk) + 1, dtype=np.int64)
    np.cumsum(icounts, out=item_ptr[1:])
    local = iinv - item_ptr[item_ypos[iinv]]
    items = rc_u[ikeys % nrc] + int(rcid.min())
    return {
        "year_ptr": year_ptr,
        "nitems": icounts.astype(np.int64),
        "row_key": rkeys % NCODE,
        "year_key": (yk + ymin).astype(np.int64),
        "entry_row": rinv,
        "entry_item": local,
        "entry_level": (vote - 1).astype(np.int64),
        "levels": np.array(VOTE_LEVELS),
        "implicit": False,
        "weights": None,
        "drop_empty": True,
        "items": items,
        "item_ptr": item_ptr,
        "row_year": (row_year_off + ymin).astype(np.int64),
    }


def _narrow(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The entry arrays in the smallest common code dtype the kernel accepts."""
    hi = max((int(a.max()) for a in arrays if len(a)), default=0)
    dtype = np.int32 if hi < 2**31 - 1 else np.int64
    return tuple(np.ascontiguousarray(a, dtype=dtype) for a in arrays)

