"""cinc, concentration, polarity, transition against the references and COW's published CINC."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import reference as ref

import multipolar as mp
from multipolar import _core
from multipolar.io import NMC_COMPONENTS
from multipolar.power import CONCENTRATION_COLUMNS

COMP = list(ref.COMPONENTS)


def random_panel(rng, n_states=12, years=(1990, 1995), nan_frac=0.15, dtype=np.float64):
    ys = np.arange(years[0], years[1] + 1)
    df = pd.DataFrame(
        [(c, y) for y in ys for c in rng.choice(np.arange(2, 1000), n_states, replace=False)],
        columns=["ccode", "year"],
    )
    for c in COMP:
        vals = rng.gamma(0.7, 100.0, len(df))
        if np.dtype(dtype).kind == "i":
            vals = np.round(vals)
        col = vals.astype(dtype)
        if np.dtype(dtype).kind == "f":
            col[rng.random(len(df)) < nan_frac] = np.nan
        df[c] = col
    return df.sample(frac=1.0, random_state=int(rng.integers(1 << 30)))


# ---- cinc -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.int16, np.float16])
def test_cinc_matches_reference_all_dtypes(dtype):
    rng = np.random.default_rng(1)
    df = random_panel(rng, dtype=dtype)
    got = mp.cinc(df)
    want = ref.cinc(df)
    assert got.index.equals(df.index) and got.name == "cinc" and got.dtype == np.float64
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("nan_frac", [0.0, 0.3])
def test_cinc_handles_minus9_and_all_missing_rows(nan_frac):
    rng = np.random.default_rng(2)
    df = random_panel(rng, nan_frac=nan_frac)
    df["upop"] = np.nan  # an all-missing component
    df.loc[df.index[:5], "milex"] = -9
    df.loc[df.index[7], COMP] = np.nan
    got = mp.cinc(df)
    want = ref.cinc(df)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert np.isnan(got[df.index[7]])


def test_cinc_extra_columns_and_non_default_index():
    rng = np.random.default_rng(3)
    df = random_panel(rng)
    df["other"] = "x"
    df.index = [f"r{i}" for i in range(len(df))]
    np.testing.assert_allclose(mp.cinc(df), ref.cinc(df), rtol=1e-12)


def test_cinc_empty_and_single_row():
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in ["ccode", "year", *COMP]})
    assert len(mp.cinc(empty)) == 0
    one = pd.DataFrame({"ccode": [2], "year": [2000], **{c: [5.0] for c in COMP}})
    assert mp.cinc(one).tolist() == [1.0]


def test_cinc_zero_total_component_counts_as_missing():
    df = pd.DataFrame({"ccode": [2, 20], "year": [2000, 2000], "milex": [0.0, 0.0],
                       "milper": [1.0, 3.0]})
    got = mp.cinc(df, components=["milex", "milper"])
    np.testing.assert_allclose(got, [0.25, 0.75])


def test_cinc_does_not_modify_input():
    rng = np.random.default_rng(4)
    df = random_panel(rng)
    df.loc[df.index[0], "pec"] = -9
    before = df.copy()
    mp.cinc(df)
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize(
    "mutate, exc, match",
    [
        (lambda d: d.drop(columns="pec"), ValueError, r"cinc: df is missing column\(s\) \['pec'\]"),
        (lambda d: d.assign(milex=d.milex.astype(object).where(d.index != d.index[3], "abc")),
         TypeError, r"cinc: column 'milex' must be numeric; got dtype object with value 'abc'"),
        (lambda d: d.assign(irst=d.irst.where(d.index != d.index[2], -3.0)), ValueError,
         r"cinc: column 'irst' must be non-negative; got -3.0"),
        (lambda d: d.assign(tpop=d.tpop.where(d.index != d.index[2], np.inf)), ValueError,
         r"cinc: column 'tpop' must be finite or NaN; got inf"),
        (lambda d: pd.concat([d, d.iloc[:1]]), ValueError,
         r"cinc: df has duplicate \(ccode, year\) rows"),
        (lambda d: d.assign(year=d.year.astype(float).where(d.index != d.index[1], np.nan)),
         ValueError, r"cinc: column 'year' must not be missing"),
    ],
    ids=["missing-column", "non-numeric", "negative", "inf", "duplicate", "missing-year"],
)
def test_cinc_bad_input(mutate, exc, match):
    df = random_panel(np.random.default_rng(5), nan_frac=0.0)
    with pytest.raises(exc, match=match):
        mp.cinc(mutate(df))


def test_cinc_rejects_non_frame():
    with pytest.raises(TypeError, match="cinc: df must be a pandas DataFrame; got list"):
        mp.cinc([1, 2])


@pytest.mark.parametrize("version", ["NMC-60-abridged.csv", "nmc_v7_abridged_peacesciencer.csv"])
def test_cinc_reproduces_cow_on_every_row(data_dir, version):
    nmc = mp.read_nmc(data_dir / "cow_nmc" / version)
    got = mp.cinc(nmc)
    assert got.notna().all()
    err = np.abs(got - nmc["cinc"]).max()
    assert err < 1e-7, err
    # the raw frame, -9 and all, gives the same numbers
    raw = pd.read_csv(data_dir / "cow_nmc" / version)
    np.testing.assert_allclose(mp.cinc(raw).to_numpy(), got.to_numpy(), rtol=0, atol=0)


# ---- the kernels directly: layouts, code dtypes, bad calls ---------------------------


@pytest.mark.parametrize("code_dtype", [np.int8, np.int16, np.int32, np.int64])
@pytest.mark.parametrize("value_dtype", [np.float64, np.float32, np.int64, np.int32])
def test_group_kernels_all_dtype_pairs_and_layouts(code_dtype, value_dtype, layout):
    rng = np.random.default_rng(6)
    n, ng = 300, 7
    codes = rng.integers(0, ng, n).astype(code_dtype)
    vals = rng.integers(0, 50, n).astype(value_dtype)
    if np.dtype(value_dtype).kind == "f":
        vals[rng.random(n) < 0.2] = np.nan
    v_in, c_in = layout(vals), layout(codes)
    if not v_in.dtype.isnative:  # C rejects byte-swapped input; the wrappers copy it
        with pytest.raises(ValueError, match="native byte order"):
            _core.group_concentration(v_in, c_in, ng)
        return
    conc = _core.group_concentration(v_in, c_in, ng)
    for g in range(ng):
        want = ref.concentration_of(vals[codes == g])
        np.testing.assert_allclose(conc[g], [want[k] for k in CONCENTRATION_COLUMNS], rtol=1e-12)
    shares = _core.group_shares((v_in, v_in), c_in, ng)
    fv = vals.astype(float)
    tot = np.array([np.nansum(fv[codes == g]) for g in range(ng)])
    with np.errstate(invalid="ignore", divide="ignore"):
        want = np.where(tot[codes.astype(int)] > 0, fv / tot[codes.astype(int)], np.nan)
    np.testing.assert_allclose(shares, want, rtol=1e-12)


@pytest.mark.parametrize(
    "args, exc, match",
    [
        ((np.ones(3), np.zeros(3, np.int64), -1), ValueError, "ngroups must be >= 0"),
        ((np.ones(3), np.zeros(2, np.int64), 1), ValueError, "codes must have length 3; got 2"),
        ((np.ones((3, 1)), np.zeros(3, np.int64), 1), ValueError, "values must be 1-D"),
        ((np.ones(3, np.float16), np.zeros(3, np.int64), 1), TypeError, "values dtype"),
        ((np.ones(3), np.zeros(3, np.float64), 1), TypeError, "codes dtype"),
        ((np.ones(3), np.array([0, 5, 0]), 2), ValueError, r"codes must be in \[0, 2\); got 5 at row 1"),
        ((np.ones(3), np.array([0, -1, 0]), 2), ValueError, r"got -1 at row 1"),
        (([1.0], np.zeros(1, np.int64), 1), TypeError, "must be numpy.ndarray"),
        ((np.ones(3), np.zeros(3, np.int64), 2**62), ValueError, "ngroups too large"),
        ((np.ones(3), np.zeros(3, np.int64)), TypeError, "takes exactly 3 arguments"),
    ],
)
def test_group_concentration_bad_direct_calls(args, exc, match):
    with pytest.raises(exc, match=match):
        _core.group_concentration(*args)


@pytest.mark.parametrize(
    "args, exc, match",
    [
        (((), np.zeros(3, np.int64), 1), ValueError, "components must not be empty"),
        (([np.ones(3)], np.zeros(3, np.int64), 1), TypeError, "must be tuple"),
        (((np.ones(3), "x"), np.zeros(3, np.int64), 1), TypeError, r"components\[1\] must be an ndarray"),
        (((np.ones(2),), np.zeros(3, np.int64), 1), ValueError, "components must have length 3"),
        (((np.ones(3, "m8[s]"),), np.zeros(3, np.int64), 1), TypeError, "components dtype"),
        (((np.array([1.0, -2.0]),), np.zeros(2, np.int64), 1), ValueError,
         r"components\[0\] must be non-negative; got -2.0 at row 1"),
        (((np.ones(2),), np.array([0, 3], np.int8), 2), ValueError, "codes must be in"),
    ],
)
def test_group_shares_bad_direct_calls(args, exc, match):
    with pytest.raises(exc, match=match):
        _core.group_shares(*args)


def test_group_shares_in_blocks_matches_numpy_and_reports_the_serial_error(monkeypatch):
    """Above 2^20 rows the totals are summed per block of rows on threads: the same shares
    as NumPy's, for any thread count, and the error the serial order meets first."""
    rng = np.random.default_rng(21)
    n, ng = 2_500_000, 37
    codes = rng.integers(0, ng, n).astype(np.int32)
    comps = [rng.gamma(0.5, 10.0, n) for _ in range(3)]
    comps[1][rng.random(n) < 0.1] = np.nan
    comps[2] = comps[2].astype(np.float32)[::-1]  # another dtype, not contiguous
    runs = []
    for threads in ("1", "2", "3"):
        mp.set_num_threads(int(threads))
        runs.append(_core.group_shares(tuple(comps), codes, ng))
    np.testing.assert_array_equal(runs[0], runs[1])
    np.testing.assert_array_equal(runs[0], runs[2])
    share = []
    for c in comps:
        v = c.astype(np.float64)
        tot = np.bincount(codes, weights=np.nan_to_num(v), minlength=ng)
        share.append(v / tot[codes])
    want = np.nanmean(np.vstack(share), axis=0)
    np.testing.assert_allclose(runs[0], want, rtol=1e-12)
    # errors: component 1 goes wrong early, component 0 only in a late block;
    # the serial order reports component 0 first, at its first bad row
    bad = [c.copy() for c in comps]
    bad[1][10] = -1.0
    bad[0][2_000_001] = np.inf
    bad[0][2_400_000] = -3.0
    with pytest.raises(ValueError, match=r"components\[0\] must be finite or NaN; got inf at row 2000001"):
        _core.group_shares(tuple(bad), codes, ng)
    bad[0] = comps[0]
    with pytest.raises(ValueError, match=r"components\[1\] must be non-negative; got -1.0 at row 10"):
        _core.group_shares(tuple(bad), codes, ng)
    bad_codes = codes.copy()
    bad_codes[1_500_000] = ng
    with pytest.raises(ValueError, match=f"codes must be in .*got {ng} at row 1500000"):
        _core.group_shares(tuple(comps), bad_codes, ng)


def test_kernels_empty_inputs():
    assert _core.group_shares((np.ones(0),), np.zeros(0, np.int64), 0).shape == (0,)
    out = _core.group_concentration(np.ones(0), np.zeros(0, np.int64), 2)
    assert out.shape == (2, 8) and np.isnan(out[:, :7]).all() and (out[:, 7] == 0).all()


def test_concentration_large_groups_sort_path():
    # groups larger than the insertion-sort cut-off, with ties and zeros
    rng = np.random.default_rng(7)
    vals = np.concatenate([rng.integers(0, 5, 500).astype(float), rng.gamma(1, 1, 700)])
    codes = np.concatenate([np.zeros(500, np.int64), np.ones(700, np.int64)])
    perm = rng.permutation(len(vals))
    out = _core.group_concentration(vals[perm], codes[perm], 2)
    for g in range(2):
        want = ref.concentration_of(vals[codes == g])
        np.testing.assert_allclose(out[g], [want[k] for k in CONCENTRATION_COLUMNS], rtol=1e-11)


# ---- concentration ---------------------------------------------------------------


def test_concentration_matches_reference_random():
    rng = np.random.default_rng(8)
    df = random_panel(rng, n_states=30, years=(1900, 1930))
    df["cinc"] = mp.cinc(df)
    df.loc[df.index[:10], "cinc"] = np.nan
    got = mp.concentration(df)
    want = ref.concentration(df, "cinc")
    assert list(got.columns) == list(CONCENTRATION_COLUMNS)
    assert got.index.name == "year" and got["n"].dtype == np.int64
    np.testing.assert_allclose(got.to_numpy(float), want.to_numpy(float), rtol=1e-12)


def test_concentration_empty_groups_and_among_list():
    df = pd.DataFrame({"ccode": [2, 365, 710, 2, 365], "year": [2000, 2000, 2000, 2010, 2010],
                       "x": [1.0, 2.0, 3.0, np.nan, np.nan]})
    got = mp.concentration(df, value="x")
    assert got.loc[2010, "n"] == 0 and got.loc[2010, ["hhi", "gini"]].isna().all()
    sub = mp.concentration(df, value="x", among=["USA", 710])
    np.testing.assert_allclose(sub.loc[2000, "top1"], 0.75)
    assert sub.loc[2000, "n"] == 2


def test_concentration_gap_years_are_not_rows():
    df = pd.DataFrame({"ccode": [2, 2], "year": [1816, 2016], "x": [1.0, 1.0]})
    assert mp.concentration(df, value="x").index.tolist() == [1816, 2016]


def test_concentration_string_groups():
    df = pd.DataFrame({"g": ["b", "a", "b"], "x": [1.0, 2.0, 3.0]})
    got = mp.concentration(df, value="x", by="g")
    assert got.index.tolist() == ["a", "b"]
    np.testing.assert_allclose(got.loc["b", "hhi"], (1 / 16) + (9 / 16))


def test_concentration_majors_on_cow(data_dir):
    nmc = mp.read_nmc(data_dir / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")
    got = mp.concentration(nmc, among="majors")
    keep = pd.Series(mp.codes.is_major(nmc.ccode.to_numpy(), nmc.year.to_numpy()), index=nmc.index)
    years = [1816, 1900, 1946, 1991, 2016, 2022]
    sub = nmc[nmc.year.isin(years)]
    want = ref.concentration(sub, "cinc", keep=keep[sub.index])
    np.testing.assert_allclose(got.loc[years].to_numpy(float), want.to_numpy(float), rtol=1e-12)
    # COW majors 2022 (list continues past 2016/2024): USA, UKG, FRN, GMY, RUS, CHN, JPN
    assert got.loc[2022, "n"] == 7
    assert got.loc[1816, "n"] == 5  # UKG, FRN, GMY (Prussia), AUH, RUS


def test_concentration_bad_input():
    df = pd.DataFrame({"ccode": [2, 20], "year": [2000, 2000], "x": [1.0, -1.0]})
    with pytest.raises(ValueError, match="concentration: column 'x' must be non-negative; got -1.0"):
        mp.concentration(df, value="x")
    with pytest.raises(ValueError, match=r"concentration: df is missing column\(s\) \['y'\]"):
        mp.concentration(df, value="y")
    with pytest.raises(ValueError, match="among must be None, 'majors' or a list"):
        mp.concentration(df.assign(x=1.0), value="x", among="poles")


# ---- polarity and transition -----------------------------------------------------------


def test_polarity_rule():
    df = pd.DataFrame({
        "ccode": [2, 365, 710, 2, 365, 710, 2, 365, 710],
        "year": [1, 1, 1, 2, 2, 2, 3, 3, 3],
        "x": [0.6, 0.2, 0.2, 0.4, 0.4, 0.2, 0.34, 0.33, 0.33],
    })
    got = mp.polarity(df, value="x", among=None, threshold=0.25)
    assert got["label"].tolist() == ["unipolar", "bipolar", "multipolar"]
    assert got["poles"].tolist() == [(2,), (2, 365), (2, 365, 710)]
    assert got["n_poles"].tolist() == [1, 2, 3]
    # the optional majority rule: a leader with >= 0.4 makes year 2 unipolar too
    strict = mp.polarity(df, value="x", among=None, threshold=0.25, unipolar=0.4)
    assert strict["label"].tolist() == ["unipolar", "unipolar", "multipolar"]
    with pytest.raises(ValueError, match=r"polarity: threshold must be in \(0, 1\]; got 0"):
        mp.polarity(df, value="x", threshold=0)


def test_polarity_on_cow_majors(data_dir):
    nmc = mp.read_nmc(data_dir / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")
    pol = mp.polarity(nmc)
    assert set(pol["label"].dropna()) <= {"unipolar", "bipolar", "multipolar"}
    assert pol.loc[2016, "poles"][0] == 710  # China leads the majors in CINC
    assert 2 in pol.loc[2016, "poles"]


def test_transition_china_overtakes_usa(data_dir):
    nmc = mp.read_nmc(data_dir / "cow_nmc" / "NMC-60-abridged.csv")
    tr = mp.transition(nmc, "CHN", 2)
    years_over = tr.index[tr["overtake"]].tolist()
    assert years_over, "China overtakes the US in CINC in COW's data"
    assert tr.loc[2016, "leader"] == 710
    sub = nmc.set_index(["ccode", "year"])["cinc"]
    assert tr.loc[2000, "ratio"] == pytest.approx(sub[(710, 2000)] / sub[(2, 2000)], rel=1e-15)
    assert tr["parity"].dtype == bool
    lo = tr["ratio"].between(0.8, 1.25)
    assert (tr["parity"] == lo).all()


def test_transition_bad_input():
    df = pd.DataFrame({"ccode": [2, 710], "year": [1, 1], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="transition: a and b must be different states"):
        mp.transition(df, 2, "USA", value="x")
    with pytest.raises(ValueError, match="transition: parity must satisfy"):
        mp.transition(df, 2, 710, value="x", parity=(1.2, 0.9))
    with pytest.raises(ValueError, match="transition: state 'RUS' has no rows"):
        mp.transition(df, 2, "RUS", value="x")


def test_states_by_frame_codes_and_unknown_states():
    # ints are taken as the frame's own codes (e.g. the demo world's), strings as COW abbreviations
    df = pd.DataFrame({"ccode": [1001, 1002, 1001, 1002], "year": [1, 1, 2, 2],
                       "x": [2.0, 1.0, 1.0, 3.0]})
    tr = mp.transition(df, 1002, 1001, value="x", min_years=1)
    assert tr["leader"].tolist() == [1001, 1002] and tr["overtake"].tolist() == [False, True]
    assert mp.concentration(df, value="x", among=[1001]).loc[1, "n"] == 1
    with pytest.raises(ValueError, match="transition: a or b has an unknown state; got 99999"):
        mp.transition(df, 99999, 1001, value="x")
    with pytest.raises(ValueError, match="concentration: among has an unknown state; got 'XYZ'"):
        mp.concentration(df, value="x", among=["XYZ"])
    with pytest.raises(TypeError, match="concentration: among must be None, 'majors' or a list"):
        mp.concentration(df, value="x", among=5)
    # polarity's own errors name polarity, also those found by its concentration step
    with pytest.raises(ValueError, match="polarity: among has an unknown state; got 'XYZ'"):
        mp.polarity(df, value="x", among=["XYZ", 1001])
    with pytest.raises(ValueError, match="polarity: .*duplicate"):
        mp.polarity(pd.concat([df, df.iloc[:1]]), value="x", among=[1001, 1002])


def test_codes_override_reads_states_in_other_systems(data_dir):
    nmc = mp.read_nmc(data_dir / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")
    by_abb = mp.transition(nmc, "CHN", "USA")
    pd.testing.assert_frame_equal(mp.transition(nmc, "CHN", "USA", codes="iso3"), by_abb)
    pd.testing.assert_frame_equal(mp.transition(nmc, "CN", "US", codes="iso2"), by_abb)
    # AUS is Austria in COW and Australia in ISO3: never guessed
    cinc = nmc.set_index(["ccode", "year"])["cinc"]
    austria = mp.transition(nmc, "AUS", "USA")
    australia = mp.transition(nmc, "AUS", "USA", codes="iso3")
    assert austria.loc[1930, "ratio"] == cinc[(305, 1930)] / cinc[(2, 1930)]
    assert australia.loc[1930, "ratio"] == cinc[(900, 1930)] / cinc[(2, 1930)]
    with pytest.raises(ValueError, match="transition: codes must be one of"):
        mp.transition(nmc, "CHN", "USA", codes="iso4")
    pol = mp.polarity(nmc, among=["CHN", "USA", "RUS"], codes="iso3")
    assert set(pol.loc[2016, "poles"]) <= {710, 2, 365}


# ---- thread count and memory safety ------------------------------------------------------


def _world(n_states=1500, n_years=200, seed=11):
    rng = np.random.default_rng(seed)
    n = n_states * n_years
    df = pd.DataFrame({"ccode": np.repeat(np.arange(n_states), n_years),
                       "year": np.tile(np.arange(1816, 1816 + n_years), n_states)})
    for comp in NMC_COMPONENTS:
        v = rng.random(n) * 100
        v[rng.random(n) < 0.05] = np.nan
        df[comp] = v
    return df.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def test_cinc_and_concentration_bitwise_identical_for_any_thread_count():
    df = _world()
    got = {}
    for t in (1, 2, 4):
        mp.set_num_threads(t)
        before = _core.threads_started()
        c = mp.cinc(df)
        conc = mp.concentration(df.assign(cinc=c))
        started = _core.threads_started() - before
        if t == 1:
            assert started == 0
        else:
            assert started > 0, f"no worker thread started with {t} threads"
        got[t] = (c.to_numpy(), conc.to_numpy(dtype=np.float64))
    for t in (2, 4):
        for x, y in zip(got[1], got[t]):
            assert np.array_equal(x.view(np.uint64), y.view(np.uint64))


def test_power_kernels_survive_concurrent_mutation():
    from test_validation import hammer

    rng = np.random.default_rng(5)
    n, ngroups = 200_000, 50
    codes = rng.integers(0, ngroups, n).astype(np.int32)
    good = codes.copy()
    values = rng.random(n)
    other = rng.random(n)
    step = [0]

    def mutate():
        step[0] += 1
        k = step[0] % 5
        if k == 0:
            values[::2] = np.nan
        elif k == 1:
            values[::2] = 1.0
        elif k == 2:
            codes[::3] = ngroups + 7
        elif k == 3:
            codes[1::3] = -3
        else:
            codes[:] = good

    hammer(lambda: _core.group_concentration(values, codes, ngroups), mutate)
    hammer(lambda: _core.group_shares((values, other), codes, ngroups), mutate)


@pytest.mark.parametrize("col,values,shown", [
    ("year", [2000.5, 2000.5, 2001.0], "2000.5 at row 0"),
    ("year", [2000.0, np.nan, 2001.0], "nan at row 1"),
    ("ccode", [2.0, np.nan, 20.0], "nan at row 1"),
    ("ccode", [2.0, 1e30, 20.0], "1e+30 at row 1"),
    ("ccode", pd.array([2, None, 20], dtype="Int64"), "<NA> at row 1"),
])
def test_cinc_keys_must_be_whole_numbers(col, values, shown):
    """A year of 2000.5 was once a group of its own; a NaN ccode became -2**63 with only a
    NumPy RuntimeWarning."""
    df = pd.DataFrame({"ccode": [2, 20, 2], "year": [2000, 2000, 2001],
                       "milex": [1.0, 2.0, 3.0], "milper": [1.0, 1.0, 1.0]})
    df[col] = values
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way to the error
        with pytest.raises(mp.InputError) as info:
            mp.cinc(df, components=["milex", "milper"])
    rule = "not be missing" if shown[0] in "n<" else "hold whole numbers"
    assert str(info.value) == f"cinc: column {col!r} must {rule}; got {shown}"
    assert info.value.argument == col
    # whole-number floats are fine and give the integer-keyed result
    ok = df.assign(**{col: [2.0, 20.0, 2.0] if col == "ccode" else [2000.0, 2000.0, 2001.0]})
    want = mp.cinc(ok.astype({col: np.int64}), components=["milex", "milper"])
    pd.testing.assert_series_equal(mp.cinc(ok, components=["milex", "milper"]), want)
