"""Similarity of two code vectors: S, kappa, Scott's pi and tau-b.

The formulas are in the docstring of :mod:`multipolar.similarity`.

Each public function here checks its two vectors, keeps the items both code,
and computes one measure through the same kernel as the dyad-year functions
(a year of two portfolios).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validation import value_array
from .driver import kernel_call, measure_id
from .inputs import MAX_LEVELS

__all__ = ["kappa", "s_score", "scott_pi", "tau_b"]


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
    if not 2 <= len(arr) <= MAX_LEVELS:
        raise ValueError(f"{func}: levels must have 2 to {MAX_LEVELS} codes; got {levels!r}")
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
    res = kernel_call(
        func,
        year_ptr=np.array([0, 2], dtype=np.int64),
        nitems=np.array([n], dtype=np.int64),
        row_key=np.array([0, 1], dtype=np.int64),
        year_key=np.array([0], dtype=np.int64),
        entry_row=np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64)]),
        entry_item=np.concatenate([items, items]),
        entry_level=np.concatenate([lx, ly]),
        levels=levels,
        implicit=False,
        weights=w,
        measures=np.array([measure_id(measure)], dtype=np.int64),
        drop_empty=False,
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
    if len(lv) > MAX_LEVELS:
        from scipy.stats import kendalltau

        return float(kendalltau(xa, ya, variant="b").statistic)
    return _pairwise(func, xa, ya, lv, "taub")

