"""dependence, dependence_matrix, partners, partner_concentration and read_trade against
plain pandas references and the COW Trade v4.0 files."""

from __future__ import annotations

import functools
import warnings

import multipolar.io as mio
import numpy as np
import pandas as pd
import pytest
from conftest import DATA
from multipolar import trade as T
from multipolar.relations import RelationMatrix

DYADIC = "cow_trade/cow_trade_v4_directed_dyad_year_peacesciencer.csv.gz"
NATIONAL = "cow_trade/cow_trade_v4_state_year_peacesciencer.csv"


@functools.lru_cache(maxsize=1)
def real_trade() -> pd.DataFrame:
    """The COW dyadic file, read once per session (shared with test_groups)."""
    path = DATA / DYADIC
    if not path.is_file():
        pytest.fail(f"the shared trade data are missing: expected {path}")
    return mio.read_trade(path)


def quiet(fn, *args, **kwargs):
    """Call a trade function on data known to miss directions, checking that it says so."""
    with pytest.warns(T.TradeDataWarning, match="miss one direction"):
        return fn(*args, **kwargs)


# ---- references -------------------------------------------------------------------


def ref_dependence(df: pd.DataFrame, smoothed: bool = False) -> pd.DataFrame:
    """Plain pandas: mirror missing rows, trade = sum of present flows, groupby shares, merge."""
    f1, f2 = ("smoothflow1", "smoothflow2") if smoothed else ("flow1", "flow2")
    d = df[["ccode1", "ccode2", "year", f1, f2]].copy()
    d[[f1, f2]] = d[[f1, f2]].astype(float).replace(-9, np.nan)
    d = d[d[f1].notna() | d[f2].notna()]
    d["trade"] = d[f1].fillna(0) + d[f2].fillna(0)
    d = d[["ccode1", "ccode2", "year", "trade"]]
    rev = d.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    have = d.set_index(["ccode1", "ccode2", "year"]).index
    add = rev[~rev.set_index(["ccode1", "ccode2", "year"]).index.isin(have)]
    d = pd.concat([d, add[["ccode1", "ccode2", "year", "trade"]]], ignore_index=True)
    tot = d.groupby(["ccode1", "year"])["trade"].transform("sum")
    d["share"] = np.where(tot > 0, d["trade"] / tot.where(tot > 0, 1), np.nan)
    back = d.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1", "share": "back"})
    d = d.merge(back[["ccode1", "ccode2", "year", "back"]], on=["ccode1", "ccode2", "year"])
    d["asymmetry"] = d["share"] - d["back"]
    d = d.sort_values(["ccode1", "ccode2", "year"]).reset_index(drop=True)
    return d[list(T.DEPENDENCE_COLUMNS)].astype({"ccode1": "int64", "ccode2": "int64", "year": "int64"})


def ref_partners(df: pd.DataFrame, state: int, top: int | None) -> pd.DataFrame:
    d = ref_dependence(df)
    d = d[(d.ccode1 == state) & (d.trade > 0) & d.share.notna()]
    d = d.sort_values(["year", "share", "ccode2"], ascending=[True, False, True])
    d["rank"] = d.groupby("year").cumcount() + 1
    if top is not None:
        d = d[d["rank"] <= top]
    d = d.rename(columns={"ccode2": "partner"})
    return d[["year", "rank", "partner", "trade", "share"]].reset_index(drop=True)


def ref_concentration(df: pd.DataFrame) -> pd.DataFrame:
    d = ref_dependence(df)
    g = d.groupby(["year", "ccode1"])
    out = pd.DataFrame({
        "hhi": g["share"].apply(lambda s: (s ** 2).sum() if s.notna().all() else np.nan),
        "n": g["trade"].apply(lambda s: int((s > 0).sum())),
    }).reset_index().rename(columns={"ccode1": "ccode"})
    out["n_eff"] = 1 / out["hhi"]
    return out[["ccode", "year", "hhi", "n_eff", "n"]].astype({"n": "int64"})


# ---- random frames ------------------------------------------------------------------


def random_trade(rng, n_states=8, years=(1990, 1993), layout="directed", nan_frac=0.1,
                 zero_frac=0.1, big_codes=False):
    """A random COW-like trade frame: shuffled, non-default index, an extra column."""
    pool = np.arange(2, 1000) if not big_codes else np.arange(10**7, 10**7 + 5000, 7)
    states = rng.choice(pool, n_states, replace=False)
    rows = []
    for y in range(years[0], years[1] + 1):
        present = states[rng.random(n_states) < 0.9]
        for i in present:
            for j in present:
                if i < j and rng.random() < 0.85:
                    x1, x2, s1, s2 = rng.gamma(0.5, 100.0, 4)
                    if rng.random() < zero_frac:
                        x1 = x2 = s1 = s2 = 0.0
                    rows.append((i, j, y, x1, x2, s1, s2))
    d = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "flow1", "flow2",
                                    "smoothflow1", "smoothflow2"])
    for col in ("flow1", "flow2"):
        miss = rng.random(len(d)) < nan_frac
        d.loc[miss, col] = np.nan
        d.loc[miss, "smooth" + col] = np.nan
    if layout != "undirected":
        mirror = d.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1", "flow1": "flow2",
                                   "flow2": "flow1", "smoothflow1": "smoothflow2",
                                   "smoothflow2": "smoothflow1"})
        if layout == "mixed":
            mirror = mirror[rng.random(len(mirror)) < 0.5]
        d = pd.concat([d, mirror[d.columns]], ignore_index=True)
    d["extra"] = "x"
    d = d.sample(frac=1.0, random_state=int(rng.integers(1 << 30)))
    d.index = d.index * 3 + 7
    return d


def compare(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert isinstance(got.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=True, rtol=1e-12, atol=1e-15)


def missing_one(df: pd.DataFrame, smoothed=False) -> bool:
    f1, f2 = ("smoothflow1", "smoothflow2") if smoothed else ("flow1", "flow2")
    return bool((df[f1].isna() ^ df[f2].isna()).any())


@pytest.mark.parametrize("layout", ["directed", "undirected", "mixed"])
@pytest.mark.parametrize("seed", range(4))
def test_dependence_matches_reference(layout, seed):
    rng = np.random.default_rng(seed)
    df = random_trade(rng, layout=layout, big_codes=seed == 3)
    before = df.copy()
    got = quiet(T.dependence, df)
    compare(got, ref_dependence(df))
    pd.testing.assert_frame_equal(df, before)  # input untouched
    # antisymmetry of the asymmetry
    back = got.set_index(["ccode2", "ccode1", "year"])["asymmetry"]
    fwd = got.set_index(["ccode1", "ccode2", "year"])["asymmetry"]
    np.testing.assert_allclose(fwd.to_numpy(), -back.reindex(fwd.index).to_numpy(), atol=1e-15)


def test_dependence_sort_path_equals_dense_path():
    # Codes spread over a wide range force the sort-based matching.
    rng = np.random.default_rng(11)
    df = random_trade(rng, n_states=30, years=(2000, 2000), layout="mixed", nan_frac=0.0)
    wide = df.assign(ccode1=df.ccode1 * 10**6, ccode2=df.ccode2 * 10**6)
    a = T.dependence(df)
    b = T.dependence(wide)
    np.testing.assert_array_equal(a["share"].to_numpy(), b["share"].to_numpy())
    np.testing.assert_array_equal(a["ccode1"].to_numpy() * 10**6, b["ccode1"].to_numpy())


def test_dependence_smoothed_and_years():
    rng = np.random.default_rng(5)
    df = random_trade(rng, nan_frac=0.0)
    compare(T.dependence(df, smoothed=True), ref_dependence(df, smoothed=True))
    got = T.dependence(df, year=[1991, 1993])
    compare(got, ref_dependence(df[df.year.isin([1991, 1993])]))
    assert set(T.dependence(df, year=np.int64(1992))["year"]) == {1992}
    assert T.dependence(df, year=1800).empty


def test_dependence_sorted_input_fast_path():
    rng = np.random.default_rng(9)
    df = random_trade(rng, nan_frac=0.0).sort_values(["ccode1", "ccode2", "year"])
    compare(T.dependence(df), ref_dependence(df))


def test_dependence_missing_counts_and_minus9():
    df = pd.DataFrame({"ccode1": [2, 20, 2, 710], "ccode2": [20, 2, 710, 2], "year": 2000,
                       "flow1": [1.0, -9, np.nan, np.nan], "flow2": [2.0, 1.0, np.nan, np.nan]})
    with pytest.warns(UserWarning, match=r"1 row\(s\) miss one direction.*2 row\(s\) miss both"):
        got = T.dependence(df)
    assert got[["ccode1", "ccode2"]].values.tolist() == [[2, 20], [20, 2]]
    assert got["trade"].tolist() == [3.0, 1.0]  # each row's own flows
    assert got["share"].tolist() == [1.0, 1.0]


def test_dependence_zero_total_gives_nan():
    df = pd.DataFrame({"ccode1": [2, 20], "ccode2": [20, 2], "year": 2000,
                       "flow1": [0.0, 0.0], "flow2": [0.0, 0.0]})
    got = T.dependence(df)
    assert got["share"].isna().all() and got["asymmetry"].isna().all()


def test_dependence_empty_and_one_dyad():
    df = random_trade(np.random.default_rng(1)).iloc[:0]
    got = T.dependence(df)
    assert list(got.columns) == list(T.DEPENDENCE_COLUMNS) and len(got) == 0
    assert got.dtypes.tolist() == [np.int64] * 3 + [np.float64] * 3
    one = pd.DataFrame({"ccode1": [365], "ccode2": [710], "year": [2014],
                        "flow1": [3.0], "flow2": [5.0]})
    got = T.dependence(one)
    assert got.values.tolist() == [[365, 710, 2014, 8.0, 1.0, 0.0], [710, 365, 2014, 8.0, 1.0, 0.0]]


@pytest.mark.parametrize(
    "mutate, exc, match",
    [
        (lambda d: d.drop(columns="flow2"), ValueError, r"dependence: trade is missing column\(s\) \['flow2'\]"),
        (lambda d: pd.concat([d, d.iloc[:1]]), ValueError, "duplicate \\(ccode1, ccode2, year\\)"),
        (lambda d: d.assign(ccode2=d.ccode1), ValueError, "ccode1 equals ccode2"),
        (lambda d: d.assign(flow1=-d.flow1 - 1), ValueError, "column 'flow1' must be finite and non-negative"),
        (lambda d: d.assign(flow2=np.inf), ValueError, "column 'flow2' must be finite"),
        (lambda d: d.assign(year=d.year + 0.5), ValueError, "column 'year' must hold integers"),
        (lambda d: d.assign(ccode1=np.where(d.index == d.index[0], np.nan, d.ccode1)), ValueError,
         "column 'ccode1' must not be missing"),
        (lambda d: d.assign(flow1="a"), TypeError, "column 'flow1' must be numeric"),
    ],
)
def test_dependence_bad_input(mutate, exc, match):
    df = random_trade(np.random.default_rng(2), nan_frac=0.0)
    with pytest.raises(exc, match=match):
        T.dependence(mutate(df))


def test_dependence_bad_arguments():
    df = random_trade(np.random.default_rng(2), nan_frac=0.0)
    with pytest.raises(TypeError, match="dependence: trade must be a pandas DataFrame; got list"):
        T.dependence([1, 2])
    with pytest.raises(TypeError, match="year must be an int or a list of ints; got '1990'"):
        T.dependence(df, year="1990")
    with pytest.raises(TypeError, match="smoothed must be True or False"):
        T.dependence(df, smoothed="yes")
    with pytest.raises(TypeError, match="positional argument"):
        T.dependence(df, 1990)  # year is keyword-only
    with pytest.raises(TypeError, match="dependence_matrix: year must be an int; got 1990.0"):
        T.dependence_matrix(df, 1990.0)


def test_warning_class_is_user_warning():
    assert issubclass(T.TradeDataWarning, UserWarning)


# ---- dependence_matrix ------------------------------------------------------------------


def test_dependence_matrix_matches_long_frame():
    df = random_trade(np.random.default_rng(3), n_states=10)
    R = quiet(T.dependence_matrix, df, 1991)
    assert isinstance(R, RelationMatrix) and R.at == 1991 and R.codes == "cow"
    long = ref_dependence(df[df.year == 1991])
    assert R.actors.tolist() == sorted(set(long.ccode1))
    for row in long.itertuples():
        assert R[row.ccode1, row.ccode2] == pytest.approx(row.share, rel=1e-12, nan_ok=True)
    assert np.isnan(np.diag(R.values)).all()
    sums = np.nansum(R.values, axis=1)
    ok = ~np.isnan(R.values).all(axis=1) & (np.nansum(R.values, axis=1) > 0)
    np.testing.assert_allclose(sums[ok], 1.0, rtol=1e-12)


# ---- partners, partner_concentration -------------------------------------------------


@pytest.mark.parametrize("top", [1, 3, None])
def test_partners_matches_reference(top):
    rng = np.random.default_rng(4)
    df = random_trade(rng, n_states=9, years=(2000, 2004), layout="mixed")
    state = int(df.ccode1.iloc[0])
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        got = T.partners(df, state, top=top)
    compare(got, ref_partners(df, state, top))


def test_partners_ties_and_abbreviation():
    df = pd.DataFrame({"ccode1": [365, 365, 365], "ccode2": [710, 2, 200], "year": 2010,
                       "flow1": [1.0, 1.0, 3.0], "flow2": [1.0, 1.0, 0.0]})
    got = T.partners(df, "RUS", top=None)
    assert got["partner"].tolist() == [200, 2, 710]
    assert got["rank"].tolist() == [1, 2, 3]
    with pytest.raises(TypeError, match="partners: top must be a positive int or None; got 2.0"):
        T.partners(df, 365, top=2.0)
    with pytest.raises(ValueError, match="partners: top must be a positive int or None; got 0"):
        T.partners(df, 365, top=0)
    with pytest.raises(TypeError, match="partners: state must be a ccode"):
        T.partners(df, 365.0)
    assert T.partners(df, 999).empty


def test_partner_concentration_matches_reference():
    rng = np.random.default_rng(6)
    df = random_trade(rng, n_states=9)
    got = quiet(T.partner_concentration, df)
    want = ref_concentration(df)
    compare(got, want)


# ---- read_trade ------------------------------------------------------------------------


def test_read_trade_raw_cow_layout(tmp_path):
    # COW's own undirected layout: extra columns, -9 for missing, each dyad once.
    p = tmp_path / "Dyadic_COW_4.0.csv"
    p.write_text(
        "ccode1,ccode2,year,importer1,importer2,flow1,flow2,smoothflow1,smoothflow2,version\n"
        "2,20,2000,United States,Canada,230.5,-9,230.5,-9,4\n"
        "2,710,2000,United States,China,100,16.2,100,16.2,4\n"
    )
    d = mio.read_trade(p)
    assert list(d.columns) == ["ccode1", "ccode2", "year", "flow1", "flow2", "smoothflow1", "smoothflow2"]
    assert np.isnan(d.loc[0, "flow2"]) and np.isnan(d.loc[0, "smoothflow2"])
    dep = quiet(T.dependence, d)
    assert len(dep) == 4  # mirrored


@pytest.mark.parametrize(
    "text, match",
    [
        ("a,b\n1,2\n", "read_trade: path has neither the dyadic"),
        (
            "ccode,year,imports,exports\n2,2000,-5,1\n",
            "column 'imports' must be finite and non-negative.*data row 1",
        ),
        ("ccode,year,imports,exports\n2,2000,1,1\n2,2000,3,4\n", "duplicate"),
        ("ccode1,ccode2,year,flow1,flow2\n2,20,2000,1,1\n2,20,2000,1,1\n", "read_trade: trade has duplicate"),
    ],
    ids=["layout", "negative", "national-duplicate", "dyadic-duplicate"],
)
def test_read_trade_errors(tmp_path, text, match):
    p = tmp_path / "x.csv"
    p.write_text(text)
    with pytest.raises(ValueError, match=match):
        mio.read_trade(p)


# ---- the real COW files ----------------------------------------------------------------


def test_real_file_counts_and_missing_directions(data_dir):
    d = real_trade()
    assert len(d) == 1_347_308
    assert int(d.flow1.isna().sum()) == 50_833 and int(d.flow2.isna().sum()) == 50_833
    with pytest.warns(T.TradeDataWarning, match=r"101666 row\(s\) miss one direction.*0 row\(s\) miss both"):
        dep = T.dependence(d)
    assert len(dep) == len(d)  # directed file: no row added, none left out
    usa = dep.set_index(["ccode1", "ccode2", "year"])
    assert usa.loc[(2, 710, 2014), "trade"] == 472_525 + 183_283
    # Shares sum to 1 for every state-year with trade; asymmetry is antisymmetric.
    sums = dep.groupby(["ccode1", "year"])["share"].sum(min_count=1).dropna()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-9)
    a = usa["asymmetry"]
    b = dep.set_index(["ccode2", "ccode1", "year"])["asymmetry"].reindex(a.index)
    np.testing.assert_allclose(a.to_numpy(), -b.to_numpy(), atol=1e-15)


def test_real_file_sample_years_match_reference(data_dir):
    d = real_trade()
    sub = d[d.year.isin([1913, 1990, 2014])]
    compare(quiet(T.dependence, sub), ref_dependence(sub))
    compare(quiet(T.dependence, sub, smoothed=True), ref_dependence(sub, smoothed=True))


def test_real_russia_china(data_dir):
    d = real_trade()
    p = T.partners(d, "RUS", top=1, year=[2014])
    assert p["partner"].tolist() == [710]  # China, Russia's leading partner in 2014
    R = quiet(T.dependence_matrix, d, 2014)
    assert R[365, 710] > R[710, 365]  # Russia depends more on China than China on Russia


def test_real_national_totals_consistent(data_dir):
    # The dyadic imports of a state add up to its national imports within a few percent
    # since 1990 (COW builds both from IMF DOTS; the totals include partners outside the
    # dyadic file).
    n = mio.read_trade(data_dir / NATIONAL)
    assert len(n) == 14_410
    assert int(n.imports.isna().sum()) == 1_548 and int(n.exports.isna().sum()) == 821
    d = real_trade()
    d = d[d.year >= 1990]
    imp = d.groupby(["ccode1", "year"])["flow1"].sum(min_count=1).rename("dyadic")
    m = n.set_index(["ccode", "year"]).join(imp.rename_axis(["ccode", "year"]), how="inner")
    ratio = (m["dyadic"] / m["imports"]).dropna()
    assert 0.95 < ratio.median() < 1.02
    assert abs(m.loc[(2, 2014), "dyadic"] / m.loc[(2, 2014), "imports"] - 1) < 0.01
