"""Foreign-policy similarity: S, kappa, pi and tau-b, pairwise and for every dyad-year.

Two states' foreign-policy *portfolios* -- their alliance ties to every state
of the system, or their votes on the year's UN General Assembly roll calls --
are compared item by item. Every measure here is a function of the c x c
co-occurrence table of the two code vectors (c <= 4 for the usual data), so
the C kernel (``csrc/similarity.c``) builds these tables for all pairs of a
year from bit sets, computes every measure in the same pass, and runs the
years on threads with the GIL released. Each unordered pair is computed once
and written to both directed rows.

Measures, for codes drawn from the ordered *possible* levels v_1 < ... < v_c
(never the observed ones), over the n items both portfolios code:

``s``
    Signorino & Ritter (1999): ``S = 1 - 2 * sum_k d(x_k, y_k) / (n * d_max)``
    with ``d = |x - y|`` and ``d_max = v_c - v_1``.
``s_sq``
    The same with squared distances: ``1 - 2 * sum (x - y)^2 / (n * d_max^2)``.
``s_w`` / ``s_w_sq``
    Weighted S: ``1 - 2 * sum_k w_k d(x_k, y_k) / (d_max * sum_k w_k)``,
    e.g. with capability (CINC) shares as the weights of the reference states
    (Signorino & Ritter 1999). The weights need not sum to 1.
``kappa``
    Cohen's (1968) weighted kappa with quadratic disagreement weights
    ``w_ab = (v_a - v_b)^2``, as recommended by Hage (2011):
    ``1 - sum_ab w_ab p_ab / sum_ab w_ab p_a. p_.b``. NaN when the expected
    disagreement is zero (both portfolios constant at the same level).
``pi``
    Scott's (1955) pi, nominal, with pooled marginals (as in the fpsim R
    package): ``(p_o - p_e) / (1 - p_e)``, ``p_o`` = share of items coded
    alike, ``p_e = sum_a ((p_a. + p_.a) / 2)^2``. NaN when ``p_e = 1``.
``taub``
    Kendall's (1938) tau-b, the measure of Bueno de Mesquita (1975):
    ``(C - D) / sqrt((n0 - n1)(n0 - n2))`` over the pairs of items. NaN when
    either portfolio is constant (or n < 2).

Every measure is NaN when no item is compared.

References
----------
Signorino, C. S., & Ritter, J. M. (1999). Tau-b or not tau-b: Measuring the
similarity of foreign policy positions. *International Studies Quarterly*,
43(1), 115-144.
Hage, F. M. (2011). Choice or circumstance? Adjusting measures of foreign
policy similarity for chance agreement. *Political Analysis*, 19(3), 287-305.
Cohen, J. (1968). Weighted kappa. *Psychological Bulletin*, 70(4), 213-220.
Scott, W. A. (1955). Reliability of content analysis. *Public Opinion
Quarterly*, 19(3), 321-325.
Bueno de Mesquita, B. (1975). Measuring systemic polarity. *Journal of
Conflict Resolution*, 19(2), 187-216.
Miller, S. V. fpsim: Measure Foreign Policy Similarity (R package).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._validation import require_columns, require_frame, value_array

__all__ = [
    "MEASURES",
    "ideal_distance",
    "kappa",
    "s_score",
    "scott_pi",
    "similarity",
    "similarity_matrix",
    "tau_b",
]

#: Measure names accepted by :func:`similarity`, in the kernel's numbering.
MEASURES = ("s", "s_sq", "kappa", "pi", "taub", "s_w", "s_w_sq")
_MEASURE_ID = {m: i for i, m in enumerate(MEASURES)}
_WEIGHTED = frozenset({"s_w", "s_w_sq"})
#: Possible levels of each kind of portfolio.
ALLIANCE_LEVELS = (0.0, 1.0, 2.0, 3.0)
BINARY_LEVELS = (0.0, 1.0)
VOTE_LEVELS = (1.0, 2.0, 3.0)
_MAX_LEVELS = 16
#: COW ccodes are below this bound.
_NCODE = 1000


def _nthreads() -> int:
    return max(1, min(os.cpu_count() or 1, 16))


# --------------------------------------------------------------------------- pairwise


def _vector(v: Any, func: str, arg: str) -> np.ndarray:
    if isinstance(v, pd.Series):
        arr = value_array(v, func, arg)
    else:
        arr = np.asarray(v)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{func}: {arg} must be numeric; got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{func}: {arg} must be 1-D; got shape {arr.shape}")
    return arr.astype(np.float64)


def _levels(levels: Any, func: str) -> np.ndarray:
    if levels is None or isinstance(levels, str) or not np.iterable(levels):
        raise TypeError(
            f"{func}: levels must be the ordered sequence of possible codes; got {levels!r}"
        )
    arr = np.asarray(list(levels))
    if arr.dtype.kind not in "iuf" or arr.ndim != 1:
        raise TypeError(f"{func}: levels must be a sequence of numbers; got {levels!r}")
    arr = arr.astype(np.float64)
    if not 2 <= len(arr) <= _MAX_LEVELS:
        raise ValueError(f"{func}: levels must have 2 to {_MAX_LEVELS} codes; got {levels!r}")
    if not np.all(np.isfinite(arr)) or not np.all(np.diff(arr) > 0):
        raise ValueError(f"{func}: levels must be finite and strictly increasing; got {levels!r}")
    return arr


def _level_index(x: np.ndarray, levels: np.ndarray, func: str, arg: str) -> np.ndarray:
    pos = np.minimum(np.searchsorted(levels, x), len(levels) - 1)
    bad = levels[pos] != x
    if bad.any():
        raise ValueError(
            f"{func}: {arg} must hold only codes in levels {tuple(levels.tolist())}; "
            f"got {x[bad][0].item()!r}"
        )
    return pos.astype(np.int64)


def _pairwise(
    func: str,
    x: Any,
    y: Any,
    levels: np.ndarray,
    measure: str,
    weights: Any = None,
) -> float:
    xa = _vector(x, func, "x")
    ya = _vector(y, func, "y")
    if len(xa) != len(ya):
        raise ValueError(f"{func}: x and y must have the same length; got {len(xa)} and {len(ya)}")
    keep = ~(np.isnan(xa) | np.isnan(ya))
    w = None
    if weights is not None:
        w = _vector(weights, func, "weights")
        if len(w) != len(xa):
            raise ValueError(
                f"{func}: weights must have the length of x; got {len(w)} and {len(xa)}"
            )
        keep &= ~np.isnan(w)
        w = w[keep]
        if np.any(w < 0) or np.any(np.isinf(w)):
            bad = w[(w < 0) | np.isinf(w)][0]
            raise ValueError(f"{func}: weights must be finite and non-negative; got {float(bad)!r}")
    xa, ya = xa[keep], ya[keep]
    n = len(xa)
    lx = _level_index(xa, levels, func, "x")
    ly = _level_index(ya, levels, func, "y")
    items = np.arange(n, dtype=np.int64)
    res = _core.similarity_years(
        np.array([0, 2], dtype=np.int64),
        np.array([n], dtype=np.int64),
        np.array([0, 1], dtype=np.int64),
        np.array([0], dtype=np.int64),
        np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64)]),
        np.concatenate([items, items]),
        np.concatenate([lx, ly]),
        levels,
        False,
        w,
        np.array([_MEASURE_ID[measure]], dtype=np.int64),
        1,
        False,
    )
    return float(res[4][0, 0])


def s_score(
    x: Any,
    y: Any,
    *,
    levels: Sequence[float],
    weights: Any = None,
    squared: bool = False,
) -> float:
    """Signorino & Ritter's S of two code vectors.

    ``S = 1 - 2 * sum_k w_k d(x_k, y_k) / (d_max * sum_k w_k)`` with
    ``d = |x - y|`` (``squared=False``) or ``(x - y)^2`` and ``d_max`` the range
    of the *possible* levels (squared for squared distances), never of the
    observed codes. Unweighted S takes ``w_k = 1``. S runs from -1 (as
    dissimilar as the levels allow) to 1 (identical).

    Parameters
    ----------
    x, y : array_like of float
        Codes of the two portfolios, item by item. NaN marks a missing code;
        items missing in either vector (or in ``weights``) are left out, as in
        fpsim's ``srs()``.
    levels : sequence of numbers
        Every possible code, in increasing order, e.g. ``(0, 1, 2, 3)`` for
        valued alliances or ``(1, 2, 3)`` for UN votes (yes, abstain, no).
    weights : array_like of float, optional
        Non-negative item weights, e.g. the capability shares of the reference
        states. They need not sum to 1.
    squared : bool, default False
        Squared instead of absolute distances.

    Returns
    -------
    float
        S, or NaN when no item (or no weight) is left.

    Raises
    ------
    ValueError
        Vectors of different lengths, a code outside ``levels``, bad levels,
        negative or infinite weights.
    TypeError
        Non-numeric input.

    References
    ----------
    Signorino, C. S., & Ritter, J. M. (1999). Tau-b or not tau-b. *International
    Studies Quarterly*, 43(1), 115-144.

    Examples
    --------
    >>> import multipolar as mp
    >>> mp.s_score([3, 0, 1], [3, 0, 3], levels=(0, 1, 2, 3))  # doctest: +ELLIPSIS
    0.555...
    >>> mp.s_score([1, 1], [1, 3], levels=(1, 2, 3), squared=True)
    0.0
    """
    func = "s_score"
    lv = _levels(levels, func)
    return _pairwise(
        func,
        x,
        y,
        lv,
        "s_w_sq" if squared else "s_w",
        np.ones(np.size(x)) if weights is None else weights,
    )


def kappa(x: Any, y: Any, *, levels: Sequence[float]) -> float:
    """Cohen's weighted kappa of two code vectors, quadratic disagreement weights.

    ``kappa = 1 - sum_ab w_ab p_ab / sum_ab w_ab p_a. p_.b`` with
    ``w_ab = (v_a - v_b)^2``, ``p_ab`` the share of items coded ``v_a`` by x
    and ``v_b`` by y, and ``p_a.``, ``p_.b`` the two marginal distributions
    (Cohen 1968; Hage 2011's chance-corrected measure of foreign-policy
    similarity). Kappa is 1 for identical portfolios and 0 for agreement at
    chance level.

    Parameters
    ----------
    x, y : array_like of float
        Codes, item by item; items missing (NaN) in either are left out.
    levels : sequence of numbers
        Every possible code, in increasing order. The weights are scale-free,
        so unobserved levels do not change kappa, but codes outside ``levels``
        raise.

    Returns
    -------
    float
        Kappa; NaN when no item is left or the expected disagreement is zero
        (both vectors constant at the same code).

    References
    ----------
    Cohen, J. (1968). Weighted kappa. *Psychological Bulletin*, 70(4), 213-220.
    Hage, F. M. (2011). Choice or circumstance? *Political Analysis*, 19(3), 287-305.

    Examples
    --------
    >>> import multipolar as mp
    >>> round(mp.kappa([1, 1, 3, 2], [1, 1, 3, 3], levels=(1, 2, 3)), 4)
    0.8571
    """
    func = "kappa"
    return _pairwise(func, x, y, _levels(levels, func), "kappa")


def scott_pi(x: Any, y: Any, *, levels: Sequence[float]) -> float:
    """Scott's pi (nominal) of two code vectors, with pooled marginals.

    ``pi = (p_o - p_e) / (1 - p_e)``: ``p_o`` is the share of items coded
    alike and ``p_e = sum_a q_a^2`` with ``q_a`` the share of level a among
    all 2n codes of both vectors (Scott 1955; as in the fpsim R package).

    Parameters
    ----------
    x, y : array_like of float
        Codes, item by item; items missing (NaN) in either are left out.
    levels : sequence of numbers
        Every possible code, in increasing order (codes outside raise).

    Returns
    -------
    float
        Pi; NaN when no item is left or ``p_e = 1`` (both constant at one code).

    References
    ----------
    Scott, W. A. (1955). Reliability of content analysis: The case of nominal
    scale coding. *Public Opinion Quarterly*, 19(3), 321-325.

    Examples
    --------
    >>> import multipolar as mp
    >>> round(mp.scott_pi([1, 1, 3, 2], [1, 1, 3, 3], levels=(1, 2, 3)), 4)
    0.5789
    """
    func = "scott_pi"
    return _pairwise(func, x, y, _levels(levels, func), "pi")


def tau_b(x: Any, y: Any) -> float:
    """Kendall's tau-b of two code vectors.

    ``tau_b = (C - D) / sqrt((n0 - n1) (n0 - n2))`` over the ``n0 = n(n-1)/2``
    pairs of items: C concordant, D discordant, n1 and n2 the pairs tied in x
    and in y (Kendall 1938; Bueno de Mesquita 1975 for alliance portfolios).
    Only the order of the codes matters, so no levels are needed.

    Parameters
    ----------
    x, y : array_like of float
        Codes, item by item; items missing (NaN) in either are left out.
        With more than 16 distinct codes the computation goes through
        ``scipy.stats.kendalltau`` (same definition).

    Returns
    -------
    float
        Tau-b; NaN when fewer than two items are left or either vector is
        constant.

    References
    ----------
    Kendall, M. G. (1938). A new measure of rank correlation. *Biometrika*,
    30(1/2), 81-93.

    Examples
    --------
    >>> import multipolar as mp
    >>> round(mp.tau_b([1, 2, 3, 3], [1, 3, 2, 3]), 4)
    0.4
    """
    func = "tau_b"
    xa = _vector(x, func, "x")
    ya = _vector(y, func, "y")
    if len(xa) != len(ya):
        raise ValueError(f"{func}: x and y must have the same length; got {len(xa)} and {len(ya)}")
    keep = ~(np.isnan(xa) | np.isnan(ya))
    xa, ya = xa[keep], ya[keep]
    if np.isinf(xa).any() or np.isinf(ya).any():
        raise ValueError(f"{func}: x and y must be finite or NaN; got inf")
    lv = np.unique(np.concatenate([xa, ya]))
    if len(lv) < 2 or len(np.unique(xa)) < 2 or len(np.unique(ya)) < 2:
        return float("nan")
    if len(lv) > _MAX_LEVELS:
        from scipy.stats import kendalltau

        return float(kendalltau(xa, ya, variant="b").statistic)
    return _pairwise(func, xa, ya, lv, "taub")


# --------------------------------------------------------------------------- bulk


def _int_column(df: pd.DataFrame, col: str, func: str) -> np.ndarray:
    arr = value_array(df[col], func, col)
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            raise ValueError(
                f"{func}: column {col!r} must not be missing; got {arr[bad][0].item()!r}"
            )
        frac = arr != np.round(arr)
        if frac.any():
            raise ValueError(
                f"{func}: column {col!r} must hold integers; got {arr[frac][0].item()!r}"
            )
    return arr.astype(np.int64, copy=False)


def _measure_ids(measures: Any, func: str, kind: str, weighted: bool) -> list[str]:
    if isinstance(measures, str):
        measures = (measures,)
    try:
        names = list(measures)
    except TypeError:
        raise TypeError(f"{func}: measures must be a sequence of names; got {measures!r}") from None
    if not names:
        raise ValueError(f"{func}: measures must name at least one measure; got {measures!r}")
    for m in names:
        if m not in _MEASURE_ID:
            raise ValueError(f"{func}: measures must be among {list(MEASURES)}; got {m!r}")
        if m in _WEIGHTED:
            if kind != "alliance":
                raise ValueError(f"{func}: measure {m!r} needs kind='alliance'; got kind={kind!r}")
            if not weighted:
                raise ValueError(f"{func}: measure {m!r} needs weights; got weights=None")
    if len(set(names)) != len(names):
        raise ValueError(f"{func}: measures must not repeat a name; got {names!r}")
    return names


def _years_arg(years: Any, func: str) -> np.ndarray | None:
    if years is None:
        return None
    if isinstance(years, (int, np.integer)) and not isinstance(years, bool):
        years = [years]
    try:
        arr = np.asarray(list(years))
    except TypeError:
        raise TypeError(
            f"{func}: years must be None, a year or a list of years; got {years!r}"
        ) from None
    if arr.size == 0:
        raise ValueError(f"{func}: years must name at least one year; got {years!r}")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{func}: years must be integers; got {years!r}")
    return np.unique(arr.astype(np.int64))


def _check_years_in_data(years: np.ndarray, yr: np.ndarray, func: str) -> None:
    """Raise unless every requested year lies within the first..last year of the data."""
    if len(yr) == 0:
        raise ValueError(f"{func}: years outside the data (no rows); got {years.tolist()}")
    lo, hi = int(yr.min()), int(yr.max())
    bad = years[(years < lo) | (years > hi)]
    if len(bad):
        raise ValueError(f"{func}: years outside the data ({lo}-{hi}); got {bad.tolist()}")


def _factorize(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted uniques and inverse of non-negative int64 keys (bincount when the range is small)."""
    if len(key) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    hi = int(key.max())
    if hi < 4 * len(key) + (1 << 20):
        present = np.bincount(key, minlength=hi + 1) > 0
        mapping = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(np.int64), mapping[key].astype(np.int64)
    uniq, inv = np.unique(key, return_inverse=True)
    return uniq.astype(np.int64), inv.astype(np.int64)


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
    wc = _int_column(weights, "ccode", func)
    wy = _int_column(weights, "year", func)
    wv = value_array(weights[col], func, col).astype(np.float64)
    bad = (wv < 0) | np.isinf(wv)
    if bad.any():
        raise ValueError(
            f"{func}: weights column {col!r} must be finite and non-negative; got {wv[bad][0].item()!r}"
        )
    ok = (wc >= 0) & (wc < _NCODE) & (wy >= ymin)
    key = (wy[ok] - ymin) * _NCODE + wc[ok]
    order = np.argsort(key, kind="stable")
    skey = key[order]
    dup = skey[1:] == skey[:-1]
    if dup.any():
        k = int(skey[1:][dup][0])
        raise ValueError(
            f"{func}: weights has duplicate (ccode, year) rows; got e.g. "
            f"({k % _NCODE}, {k // _NCODE + ymin})"
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
            f"in s_w, e.g. ({k % _NCODE}, {k // _NCODE + ymin})",
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
    from .codes import state_years

    require_columns(data, ["ccode1", "ccode2", "year", "code"], func, "data")
    c1 = _int_column(data, "ccode1", func)
    c2 = _int_column(data, "ccode2", func)
    yr = _int_column(data, "year", func)
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
    sy_key = (sy_y - ymin) * _NCODE + sy_c
    year_pos = np.searchsorted(years, sy_y)
    counts = np.bincount(year_pos, minlength=len(years))
    year_ptr = np.zeros(len(years) + 1, dtype=np.int64)
    np.cumsum(counts, out=year_ptr[1:])
    nrows = len(sy_c)

    in_years = np.isin(yr, years) if len(years) != ymax - ymin + 1 else (yr >= ymin) & (yr <= ymax)
    ok1 = (c1 >= 0) & (c1 < _NCODE)
    ok2 = (c2 >= 0) & (c2 < _NCODE)
    k1 = np.where(ok1, (yr - ymin) * _NCODE + c1, -1)
    k2 = np.where(ok2, (yr - ymin) * _NCODE + c2, -1)
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
    w = _weights_by_row(weights, sy_key, ymin, func) if weighted else None
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
    require_columns(data, ["rcid", "ccode", "year", "vote"], func, "data")
    vote = value_array(data["vote"], func, "vote").astype(np.float64)
    valid = (vote == 1) | (vote == 2) | (vote == 3)
    bad = ~valid & ~np.isnan(vote) & (vote != 8) & (vote != 9)
    if bad.any():
        raise ValueError(
            f"{func}: column 'vote' must hold 1 (yes), 2 (abstain), 3 (no), 8, 9 or NaN; "
            f"got {vote[bad][0].item()!r}"
        )
    rcid = _int_column(data, "rcid", func)
    cc = _int_column(data, "ccode", func)
    yr = _int_column(data, "year", func)
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
    if cc.min() < 0 or cc.max() >= _NCODE:
        bad_c = cc[(cc < 0) | (cc >= _NCODE)][0]
        raise ValueError(f"{func}: column 'ccode' must hold COW ccodes 0..999; got {int(bad_c)!r}")
    ymin = int(yr.min())
    ydense = yr - ymin
    rkeys, rinv = _factorize(ydense * _NCODE + cc)
    rc_u, rc_inv = _factorize(rcid - int(rcid.min()))
    nrc = len(rc_u)
    ikeys, iinv = _factorize(ydense * nrc + rc_inv)
    row_year_off = rkeys // _NCODE
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
        "row_key": rkeys % _NCODE,
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


def _run(spec: dict[str, Any], names: list[str], func: str, kind: str) -> pd.DataFrame:
    er, ei, el = _narrow(spec["entry_row"], spec["entry_item"], spec["entry_level"])
    try:
        c1, c2, yr, n, vals, kept = _core.similarity_years(
            spec["year_ptr"],
            spec["nitems"],
            spec["row_key"],
            spec["year_key"],
            er,
            ei,
            el,
            spec["levels"],
            spec["implicit"],
            spec["weights"],
            np.array([_MEASURE_ID[m] for m in names], dtype=np.int64),
            _nthreads(),
            spec["drop_empty"],
        )
    except ValueError as exc:
        m = re.search(r"got item (\d+) twice in row (\d+)", str(exc))
        if m is None:
            raise
        item, row = int(m.group(1)), int(m.group(2))
        state, year = int(spec["row_key"][row]), int(spec["row_year"][row])
        if kind == "unvote":
            ypos = int(np.searchsorted(spec["year_key"], year))
            rc = int(spec["items"][spec["item_ptr"][ypos] + item])
            raise ValueError(
                f"{func}: data has duplicate (rcid, ccode) votes; got ccode {state} twice on "
                f"rcid {rc} ({year})"
            ) from None
        ypos = int(np.searchsorted(spec["year_key"], year))
        other = int(spec["row_key"][spec["year_ptr"][ypos] + item])
        raise ValueError(
            f"{func}: data has duplicate (ccode1, ccode2, year) rows; got ({state}, {other}, "
            f"{year})"
        ) from None
    if kept < len(c1):
        c1, c2, yr, n, vals = c1[:kept], c2[:kept], yr[:kept], n[:kept], vals[:, :kept]
    cols: dict[str, np.ndarray] = {"ccode1": c1, "ccode2": c2, "year": yr, "n": n}
    for i, m in enumerate(names):
        cols[m] = vals[i]
    return pd.DataFrame(cols, copy=False)


def similarity(
    data: pd.DataFrame,
    *,
    kind: str = "alliance",
    measures: Sequence[str] = ("s", "s_sq", "kappa", "pi", "taub"),
    binary: bool = False,
    weights: pd.DataFrame | None = None,
    years: Iterable[int] | int | None = None,
) -> pd.DataFrame:
    """Foreign-policy similarity of every directed dyad in every year.

    For each year, every pair of portfolios is compared on the items both
    code, and each requested measure (see the module docstring for the
    formulas: S, squared S, weighted S, Cohen's kappa with quadratic weights,
    Scott's pi, Kendall's tau-b) is computed from their co-occurrence table.

    ``kind="alliance"``
        The states of a year and the reference items of their portfolios are
        the COW system members of that year (a membership spell covers part of
        the year). State i's portfolio codes its tie to every member k:
        ``code`` of the row (i, k, year), 0 (no alliance) when there is none,
        and 3 for i itself (each state is maximally allied with itself; 1 with
        ``binary=True``). The levels are (0, 1, 2, 3), or (0, 1) with
        ``binary=True`` (any alliance: code >= 1). Directed rows are read as
        they are, so an asymmetric obligation stays asymmetric.
    ``kind="unvote"``
        The states of a year are those that cast a yes (1), abstain (2) or no
        (3) vote that year; a dyad is compared on the roll calls where both
        cast one (absent 8, non-member 9 and NaN are missing), and dyads with
        no common roll call are omitted. The levels are (1, 2, 3).

    Parameters
    ----------
    data : DataFrame
        ``kind="alliance"``: a directed dyad-year frame with ``ccode1, ccode2,
        year, code`` (as :func:`multipolar.read_alliances` returns; rows with
        code 0 may be absent). ``kind="unvote"``: ``rcid, ccode, year, vote``
        (as :func:`multipolar.read_unvotes` returns). Any row order; extra
        columns are ignored.
    kind : {"alliance", "unvote"}
    measures : sequence of str
        Among ``"s"``, ``"s_sq"``, ``"kappa"``, ``"pi"``, ``"taub"``, and for
        alliances with ``weights`` also ``"s_w"`` and ``"s_w_sq"``. Output
        columns are named and ordered as given.
    binary : bool, default False
        Alliances only: compare any-alliance codes 0/1 instead of 0-3.
    weights : DataFrame, optional
        Alliances: state-year weights of the reference states for ``s_w``,
        with ``ccode``, ``year`` and a ``weight`` (else ``cinc``) column, e.g.
        a CINC frame. A member without a weight counts with weight 0 (warned).
    years : int or iterable of int, optional
        Years to compute. By default: alliances, every year from the first to
        the last year of ``data`` (a year without rows has no alliances); votes,
        every year with a vote. Given years must lie within the first and last
        year of ``data`` (any row counts); a year inside that range without
        rows stays valid (no alliances; no common roll call, so no dyads).

    Returns
    -------
    DataFrame
        One row per directed dyad (both orders) and year, sorted by year,
        ccode1, ccode2: ``ccode1, ccode2, year`` (int64), ``n`` (int64, the
        items compared: the year's member count for alliances, the common roll
        calls for votes), and one float64 column per measure. NaN where a
        measure is undefined: kappa, pi and tau-b of two portfolios constant
        at one code, tau-b of a constant portfolio, weighted S with zero total
        weight.

    Raises
    ------
    ValueError
        Missing columns, codes or votes outside their sets, missing keys,
        duplicate (ccode1, ccode2, year) or (rcid, ccode) rows, unknown
        measures, weighted measures without weights, ``years`` outside the
        first..last year of ``data`` (or any ``years`` when ``data`` has no
        rows).
    TypeError
        ``data`` is not a DataFrame or a column is not numeric.

    Warns
    -----
    UserWarning
        Alliance rows naming a state that is not a system member that year
        (e.g. COW's rows coding Germany as 260 in 1991-2012), or pairing a
        state with itself, are left out and counted; members without a weight.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> ally = pd.DataFrame({"ccode1": [2, 200], "ccode2": [200, 2],
    ...                      "year": 1816, "code": 3})
    >>> out = mp.similarity(ally, measures=("s", "kappa"))
    >>> out.loc[(out.ccode1 == 2) & (out.ccode2 == 200), ["n", "s"]].to_numpy().tolist()
    [[23.0, 1.0]]
    """
    func = "similarity"
    require_frame(data, func, "data")
    if kind not in ("alliance", "unvote"):
        raise ValueError(f"{func}: kind must be 'alliance' or 'unvote'; got {kind!r}")
    if not isinstance(binary, (bool, np.bool_)):
        raise TypeError(f"{func}: binary must be a bool; got {binary!r}")
    if binary and kind != "alliance":
        raise ValueError(f"{func}: binary=True needs kind='alliance'; got kind={kind!r}")
    names = _measure_ids(measures, func, kind, weights is not None)
    yrs = _years_arg(years, func)
    weighted = any(m in _WEIGHTED for m in names)
    if kind == "alliance":
        spec = _alliance_input(data, bool(binary), weights, yrs, weighted, func)
    else:
        if weights is not None:
            raise ValueError(f"{func}: weights need kind='alliance'; got kind={kind!r}")
        spec = _unvote_input(data, yrs, func)
    return _run(spec, names, func, kind)


def similarity_matrix(
    data: pd.DataFrame,
    year: int,
    *,
    kind: str = "alliance",
    measure: str = "kappa",
    binary: bool = False,
    weights: pd.DataFrame | None = None,
) -> Any:
    """One year's similarity of every pair of states, as a RelationMatrix.

    The states and the measure are those of :func:`similarity` for that year
    (system members for alliances, voting states for UN votes). The diagonal
    is 1 (a portfolio agrees perfectly with itself); a pair of states with no
    common roll call is NaN.

    Parameters
    ----------
    data : DataFrame
        As for :func:`similarity`.
    year : int
    kind, binary, weights
        As for :func:`similarity`.
    measure : str, default "kappa"
        One measure name (see :data:`MEASURES`).

    Returns
    -------
    RelationMatrix
        N x N, actors the sorted COW ccodes (``codes="cow"``), ``at=year``; the
        input of :func:`multipolar.blocs`.

    Raises
    ------
    ValueError
        As for :func:`similarity`, e.g. a ``year`` outside the first..last
        year of ``data``.

    Examples
    --------
    >>> import multipolar as mp
    >>> votes = mp.read_unvotes("voeten_UNVotesPublished.csv.gz")  # doctest: +SKIP
    >>> K = mp.similarity_matrix(votes, 2015, kind="unvote")        # doctest: +SKIP
    >>> K[365, 710]                                                 # doctest: +SKIP
    """
    func = "similarity_matrix"
    from .relations import RelationMatrix

    if isinstance(year, (bool, np.bool_)) or not isinstance(year, (int, np.integer)):
        raise TypeError(f"{func}: year must be an integer; got {year!r}")
    if not isinstance(measure, str):
        raise TypeError(f"{func}: measure must be a measure name; got {measure!r}")
    require_frame(data, func, "data")
    long = similarity(
        data, kind=kind, measures=(measure,), binary=binary, weights=weights, years=[int(year)]
    )
    if kind == "alliance":
        from .codes import members

        actors = members(int(year))
    else:
        actors = np.unique(long["ccode1"].to_numpy())
    n = len(actors)
    values = np.full((n, n), np.nan)
    if len(long):
        i = np.searchsorted(actors, long["ccode1"].to_numpy())
        j = np.searchsorted(actors, long["ccode2"].to_numpy())
        values[i, j] = long[measure].to_numpy()
    np.fill_diagonal(values, 1.0)
    return RelationMatrix(values, actors, codes="cow", at=int(year))


def ideal_distance(
    idealpoints: pd.DataFrame,
    *,
    column: str = "idealpoint",
    years: Iterable[int] | int | None = None,
) -> pd.DataFrame:
    """Absolute distance of UN ideal points for every directed dyad-year.

    ``distance = |x_i - x_j|`` for the states with an estimate in the year
    (Bailey, Strezhnev & Voeten 2017). States with a missing estimate are left
    out of that year, counted and reported.

    Parameters
    ----------
    idealpoints : DataFrame
        ``ccode, year`` and ``column``, as :func:`multipolar.read_idealpoints`
        returns.
    column : str, default "idealpoint"
        The estimate to compare (e.g. ``"idealpointfp"`` in the 2025 file).
    years : int or iterable of int, optional
        Years to compute; by default all.

    Returns
    -------
    DataFrame
        ``ccode1, ccode2, year`` (int64) and ``distance`` (float64), both
        orders of every pair, sorted by year, ccode1, ccode2.

    Raises
    ------
    ValueError
        Missing columns or duplicate (ccode, year) rows.

    Warns
    -----
    UserWarning
        Rows (of the requested years) with a missing estimate in ``column``
        are left out, counted and reported.

    References
    ----------
    Bailey, M. A., Strezhnev, A., & Voeten, E. (2017). Estimating dynamic state
    preferences from United Nations voting data. *Journal of Conflict
    Resolution*, 61(2), 430-456.

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> ip = pd.DataFrame({"ccode": [2, 365], "year": 2015, "idealpoint": [2.5, 0.2]})
    >>> mp.ideal_distance(ip)["distance"].tolist()
    [2.3, 2.3]
    """
    func = "ideal_distance"
    require_frame(idealpoints, func, "idealpoints")
    require_columns(idealpoints, ["ccode", "year", column], func, "idealpoints")
    cc = _int_column(idealpoints, "ccode", func)
    yr = _int_column(idealpoints, "year", func)
    x = value_array(idealpoints[column], func, column).astype(np.float64)
    keep = np.ones(len(x), dtype=bool)
    yrs = _years_arg(years, func)
    if yrs is not None:
        keep &= np.isin(yr, yrs)
    missing = keep & np.isnan(x)
    first_missing = (int(cc[missing][0]), int(yr[missing][0])) if missing.any() else None
    keep &= ~missing
    cc, yr, x = cc[keep], yr[keep], x[keep]
    order = np.lexsort((cc, yr))
    cc, yr, x = cc[order], yr[order], x[order]
    if len(cc) > 1:
        dup = (cc[1:] == cc[:-1]) & (yr[1:] == yr[:-1])
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            raise ValueError(
                f"{func}: idealpoints has duplicate (ccode, year) rows; got ({cc[i]}, {yr[i]})"
            )
    if first_missing is not None:
        warnings.warn(
            f"{func}: left out {int(missing.sum())} rows with a missing ideal point, "
            f"e.g. ccode {first_missing[0]} in {first_missing[1]}",
            UserWarning,
            stacklevel=2,
        )
    bounds = np.flatnonzero(np.diff(yr)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(yr)]])
    p1, p2, py, pd_ = [], [], [], []
    for s, e in zip(starts.tolist(), ends.tolist()):
        m = e - s
        if m < 2:
            continue
        i, j = np.nonzero(~np.eye(m, dtype=bool))
        p1.append(cc[s + i])
        p2.append(cc[s + j])
        py.append(np.full(len(i), yr[s], dtype=np.int64))
        pd_.append(np.abs(x[s + i] - x[s + j]))
    if not p1:
        return pd.DataFrame(
            {
                "ccode1": np.zeros(0, np.int64),
                "ccode2": np.zeros(0, np.int64),
                "year": np.zeros(0, np.int64),
                "distance": np.zeros(0),
            }
        )
    return pd.DataFrame(
        {
            "ccode1": np.concatenate(p1),
            "ccode2": np.concatenate(p2),
            "year": np.concatenate(py),
            "distance": np.concatenate(pd_),
        },
        copy=False,
    )
