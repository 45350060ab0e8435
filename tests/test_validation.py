"""The duplicate-pair check: the C bitmap kernel against pandas.duplicated, and its bad calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from multipolar import _core
from multipolar._validation import check_unique


@pytest.mark.parametrize("seed", range(5))
def test_first_duplicate_matches_pandas(seed, layout):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    a = rng.integers(-5, 30, n).astype(np.int64)
    b = rng.integers(1800, 1830, n).astype(np.int64)
    dup = pd.DataFrame({"a": a, "b": b}).duplicated().to_numpy()
    want = int(np.flatnonzero(dup)[0]) if dup.any() else -1
    a_in, b_in = layout(a), layout(b)
    if not a_in.dtype.isnative:
        with pytest.raises(ValueError, match="native byte order"):
            _core.first_duplicate(a_in, b_in)
        return
    assert _core.first_duplicate(a_in, b_in) == want
    assert _core.first_duplicate(a_in[:1], b_in[:1]) == -1


def test_first_duplicate_extreme_ranges_fall_back():
    big = np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, np.iinfo(np.int64).min])
    assert _core.first_duplicate(big, np.zeros(3, np.int64)) == -2
    with pytest.raises(ValueError, match=r"f: df has duplicate \(x, y\) rows; got 1 duplicated key"):
        check_unique([big, np.zeros(3, np.int64)], ("x", "y"), "f")
    check_unique([big[:2], np.zeros(2, np.int64)], ("x", "y"), "f")


@pytest.mark.parametrize(
    "args, exc, match",
    [
        ((np.zeros(3, np.int32), np.zeros(3, np.int64)), TypeError, "a dtype must be int64"),
        ((np.zeros(3, np.int64), np.zeros(2, np.int64)), ValueError, "b must have length 3; got 2"),
        ((np.zeros((3, 1), np.int64), np.zeros(3, np.int64)), ValueError, "a must be 1-D"),
        ((np.zeros(3, np.int64),), TypeError, "takes exactly 2 arguments"),
        (([1, 2], np.zeros(2, np.int64)), TypeError, "must be numpy.ndarray"),
    ],
)
def test_first_duplicate_bad_calls(args, exc, match):
    with pytest.raises(exc, match=match):
        _core.first_duplicate(*args)
