"""The keys-and-validation layer: the factoriser, years, state lookup, code systems, the
uniqueness check and its C bitmap kernel (against pandas.duplicated, bad calls, and another
thread changing the input)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import hammer  # noqa: F401  (test_power imports it from here too)

import multipolar as mp
from multipolar import _core
from multipolar import codes as mp_codes
from multipolar._validation import (
    CODE_DTYPES,
    CODE_SYSTEMS,
    check_unique,
    factorize,
    one_year,
    resolve_states,
    years,
)


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


# ---- the factoriser --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                                   np.uint32, np.uint64])
@pytest.mark.parametrize("dense", [True, False])
def test_factorize_integer_keys_at_their_extremes(dtype, dense):
    info = np.iinfo(dtype)
    for lo, hi in ((info.min, info.min + 3), (info.max - 3, info.max), (info.min, info.max)):
        keys = np.array([hi, lo, hi, lo + (hi > lo)], dtype=dtype)
        codes, uniq = factorize(keys, "f", "k", dense=dense)
        assert codes.dtype in CODE_DTYPES
        assert [int(u) for u in uniq[codes]] == [int(k) for k in keys]
        assert np.all(np.diff(uniq.astype(object)) > 0)
        if dense:
            assert len(uniq) == len(set(keys.tolist()))


def test_factorize_dense_and_kept_empty_groups():
    keys = pd.Series([2003, 2000, 2003], dtype=np.int64)
    codes, uniq = factorize(keys, "f", "year")
    assert codes.tolist() == [1, 0, 1] and uniq.tolist() == [2000, 2003]
    codes, uniq = factorize(keys, "f", "year", dense=False)
    assert codes.tolist() == [3, 0, 3] and uniq.tolist() == [2000, 2001, 2002, 2003]
    codes, uniq = factorize(keys, "f", "year", dtype=np.int64)
    assert codes.dtype == np.int64


def test_factorize_categorical_codes_without_a_copy():
    ser = pd.Series(pd.Categorical(["b", "a", "b"], categories=["a", "b"]))
    codes, uniq = factorize(ser, "f", "k")
    assert np.shares_memory(codes, ser.array.codes)
    assert uniq.tolist() == ["a", "b"]
    # unsorted or unused categories are remapped once
    ser = pd.Series(pd.Categorical(["b", "a", "b"], categories=["c", "b", "a"]))
    codes, uniq = factorize(ser, "f", "k")
    assert uniq.tolist() == ["a", "b"] and codes.tolist() == [1, 0, 1]
    codes, uniq = factorize(ser, "f", "k", sort=False, dense=False)
    assert uniq.tolist() == ["c", "b", "a"] and codes.tolist() == [1, 2, 1]


def test_factorize_missing_keys_raise_or_get_minus_one():
    with pytest.raises(ValueError, match="f: column 'year' must not be missing; got NaN"):
        factorize(pd.Series([2000.0, np.nan]), "f", "year")
    with pytest.raises(ValueError, match="f: column 'actor' must not be missing"):
        factorize(pd.Series(["USA", None]), "f", "actor")
    with pytest.raises(ValueError, match="f: column 'actor' must not be missing"):
        factorize(pd.Series(pd.Categorical(["USA", None])), "f", "actor")
    with pytest.raises(ValueError, match="f: column 'year' must not be missing"):
        factorize(pd.Series([2000, None], dtype="Int64"), "f", "year")
    codes, uniq = factorize(pd.Series(["x", None, "a"]), "f", "k", missing="code", sort=False)
    assert codes.tolist() == [0, -1, 1] and uniq.tolist() == ["x", "a"]
    codes, uniq = factorize(pd.Series(pd.Categorical(["x", None])), "f", "k", missing="code")
    assert codes.tolist() == [0, -1] and uniq.tolist() == ["x"]


@pytest.mark.parametrize("dtype, ys", [
    (np.int8, [-100, 100]),
    (np.int16, [-32768, 32767]),
    (np.uint8, [0, 255]),
    (np.uint64, [2**64 - 2, 2**64 - 1]),
])
def test_concentration_and_cinc_with_small_or_wide_year_dtypes(dtype, ys):
    df = pd.DataFrame({"ccode": [2, 2, 365, 365], "year": np.array(ys * 2, dtype=dtype),
                       "x": [1.0, 2.0, 3.0, 2.0], "milex": [1.0, 2.0, 3.0, 2.0]})
    got = mp.concentration(df, value="x")
    assert [int(v) for v in got.index] == ys
    assert got["n"].tolist() == [2, 2]
    np.testing.assert_allclose(got["hhi"], [(1 / 4) ** 2 + (3 / 4) ** 2, 0.5])
    c = mp.cinc(df, components=["milex"])
    np.testing.assert_allclose(c, [0.25, 0.5, 0.75, 0.5])


# ---- years, one year, code systems, state lookup -----------------------------------------


def test_years_argument():
    assert years(2000, "f").tolist() == [2000]
    assert years(np.int16(1990), "f").tolist() == [1990]
    assert years([1990, 2000], "f").tolist() == [1990, 2000]
    assert years(range(2000, 2003), "f").tolist() == [2000, 2001, 2002]
    assert years(np.array([5], np.uint8), "f").dtype == np.int64
    assert years(pd.Series([1, 2]), "f").tolist() == [1, 2]
    for bad in (2000.0, "2000", True, [2000.5], [2000, "x"], None, np.zeros((2, 2), int)):
        with pytest.raises(TypeError, match="f: years must be an int or a list of ints"):
            years(bad, "f", "years")
    assert one_year(1816, "f") == 1816
    with pytest.raises(TypeError, match="f: start must be an integer year; got 1.5"):
        one_year(1.5, "f", "start")
    with pytest.raises(ValueError, match=r"f: end must lie in 1..9999; got 0"):
        one_year(0, "f", "end")


def test_one_tuple_of_code_systems():
    assert mp_codes.SYSTEMS is CODE_SYSTEMS
    assert CODE_SYSTEMS == ("cow", "cowabb", "iso3", "iso2", "cameo", "gw", "name")


def test_resolve_states():
    assert resolve_states(["USA", 710, "rus"], "f", "a").tolist() == [2, 710, 365]
    assert resolve_states("USA", "f", "a").tolist() == [2]
    # without present, any int is taken as it is (the frame's own codes)
    assert resolve_states([99999], "f", "a").tolist() == [99999]
    assert resolve_states([99999, 2], "f", "a", present=[99999]).tolist() == [99999, 2]
    with pytest.raises(ValueError, match="f: a has an unknown state; got 99998"):
        resolve_states([99998], "f", "a", present=[99999])
    assert resolve_states(["AUS"], "f", "a", codes="iso3").tolist() == [900]
    assert resolve_states([260], "f", "a", codes="gw", year=1995).tolist() == [255]
    assert resolve_states(["DEU"], "f", "a", codes="iso3", year=1985).tolist() == [260]
    with pytest.raises(ValueError, match="f: a has an unknown state; got 'XYZ'"):
        resolve_states(["XYZ"], "f", "a")
    with pytest.raises(TypeError, match=r"f: a must hold ccodes \(int\) or COW abbreviations"):
        resolve_states([2.0], "f", "a")
    with pytest.raises(TypeError, match=r"f: a must hold ccodes \(int\) or iso3 codes"):
        resolve_states([True], "f", "a", codes="iso3")
    with pytest.raises(ValueError, match="f: codes must be one of"):
        resolve_states([2], "f", "a", codes="iso4")


# ---- uniqueness -------------------------------------------------------------------------


def test_check_unique_any_number_of_columns():
    df = pd.DataFrame({"ccode1": [2, 2, 20], "ccode2": [20, 20, 2], "year": [2000, 2001, 2000]})
    check_unique(df, ["ccode1", "ccode2", "year"], "f", "trade")
    dup = pd.concat([df, df.iloc[[1]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"f: trade has duplicate \(ccode1, ccode2, year\) rows; "
                                         r"got 1 duplicated key\(s\), e.g. \(2, 20, 2001\)"):
        check_unique(dup, ["ccode1", "ccode2", "year"], "f", "trade")
    with pytest.raises(ValueError, match=r"duplicate \(ccode1\) rows; got 1 duplicated key\(s\), e.g. 2"):
        check_unique(df, ["ccode1"], "f")
    names = pd.DataFrame({"a": ["x", "y", "x"], "b": [1.5, 1.5, 1.5]})
    with pytest.raises(ValueError, match=r"got 1 duplicated key\(s\), e.g. \('x', 1.5\)"):
        check_unique(names, ["a", "b"], "f")
    big = np.array([2**64 - 1, 2**64 - 1], dtype=np.uint64)
    with pytest.raises(ValueError, match="duplicate"):
        check_unique([big, np.zeros(2, np.int64)], ["a", "b"], "f")
    wide = [np.array([0, 2**62, 0]), np.array([0, 2**61, 0]), np.array([1, 1, 1])]
    with pytest.raises(ValueError, match="duplicate"):
        check_unique(wide, ["a", "b", "c"], "f")


# ---- memory safety while another thread changes the input ---------------------------------


def test_first_duplicate_survives_concurrent_mutation():
    rng = np.random.default_rng(0)
    n = 200_000
    a = rng.integers(0, 1000, n).astype(np.int64)
    b = rng.integers(1800, 2000, n).astype(np.int64)
    good_a = a.copy()
    step = [0]

    def mutate():
        step[0] += 1
        if step[0] % 2:
            a[::7] = 10**12 if step[0] % 4 == 1 else -(10**12)
        else:
            a[:] = good_a

    hammer(lambda: _core.first_duplicate(a, b), mutate)
