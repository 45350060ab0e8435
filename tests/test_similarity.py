"""Foreign-policy similarity: pairwise measures, bulk dyad-years, readers, the C kernel's edges."""

from __future__ import annotations

import gzip
import sys
import types
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference import similarity as ref
from conftest import DATA, core_rejects, hammer
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from multipolar import _core
from multipolar._errors import InputError
from multipolar import io as mio
from multipolar.codes import members
from multipolar.relations import RelationMatrix
from multipolar.similarity import (
    MEASURES,
    ideal_distance,
    kappa,
    s_score,
    scott_pi,
    similarity,
    similarity_matrix,
    tau_b,
)
from multipolar.similarity import inputs as sim_inputs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_similarity import baseline_similarity

ALL5 = ("s", "s_sq", "kappa", "pi", "taub")
COW_FILE = DATA / "cow_alliance" / "cow_alliance_v4.1_directed_dyad_year_peacesciencer.csv"
ATOP_FILE = DATA / "atop_alliance" / "atop5_directed_dyad_year_peacesciencer.csv"
VOETEN = DATA / "un_votes" / "voeten_UNVotesPublished.csv.gz"
UNVOTES = DATA / "un_votes" / "unvotes_un_votes.csv.gz"
ROLLCALLS = DATA / "un_votes" / "unvotes_un_roll_calls.csv.gz"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def cow(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return mio.read_alliances(COW_FILE)


@pytest.fixture(scope="module")
def voeten(data_dir):
    return mio.read_unvotes(VOETEN)


@pytest.fixture(scope="module")
def cow_sim(cow):
    with pytest.warns(UserWarning, match="not a COW system member"):
        return similarity(cow, measures=ALL5)


# --------------------------------------------------------------------------- pairwise


@pytest.fixture(scope="module")
def gmyrus(data_dir):
    return pd.read_csv(data_dir / "fpsim_reference" / "gmyrus14_signorino_ritter_1999_table6.csv")


@pytest.fixture(scope="module")
def usamex(data_dir):
    return pd.read_csv(data_dir / "fpsim_reference" / "usamex46_from_voeten_unvotes.csv")


def test_signorino_ritter_table6(gmyrus):
    x, y, w = gmyrus["gmy"], gmyrus["rus"], gmyrus["syscap"]
    lv = (0, 1, 2, 3)
    assert s_score(x, y, levels=lv) == pytest.approx(ref.s_score(list(x), list(y), lv), abs=1e-14)
    assert s_score(x, y, levels=lv) == pytest.approx(0.4, abs=1e-14)
    assert s_score(x, y, levels=lv, squared=True) == pytest.approx(
        ref.s_score(list(x), list(y), lv, squared=True), abs=1e-14
    )
    sw = s_score(x, y, levels=lv, weights=w)
    assert sw == pytest.approx(ref.s_score(list(x), list(y), lv, weights=list(w)), abs=1e-14)
    assert sw == pytest.approx(-0.46, abs=1e-12)  # weighting by capability flips the sign
    assert kappa(x, y, levels=lv) == pytest.approx(ref.kappa(list(x), list(y), lv), abs=1e-14)
    assert scott_pi(x, y, levels=lv) == pytest.approx(ref.scott_pi(list(x), list(y), lv), abs=1e-14)
    assert tau_b(x, y) == pytest.approx(ref.tau_b(list(x), list(y)), abs=1e-14)


def test_usa_mexico_1946(usamex, voeten):
    from scipy.stats import kendalltau

    x, y = usamex["vote1"], usamex["vote2"]
    lv = (1, 2, 3)
    assert len(x) == 38
    for f, r in (
        (lambda: s_score(x, y, levels=lv), ref.s_score(list(x), list(y), lv)),
        (lambda: kappa(x, y, levels=lv), ref.kappa(list(x), list(y), lv)),
        (lambda: scott_pi(x, y, levels=lv), ref.scott_pi(list(x), list(y), lv)),
        (lambda: tau_b(x, y), ref.tau_b(list(x), list(y))),
    ):
        assert f() == pytest.approx(r, abs=1e-14)
    assert tau_b(x, y) == pytest.approx(kendalltau(x, y).statistic, abs=1e-14)
    # the bulk path on Voeten's file gives the same dyad
    out = similarity(voeten, kind="unvote", years=1946)
    row = out[(out.ccode1 == 2) & (out.ccode2 == 70)].iloc[0]
    assert row["n"] == 38
    assert row["kappa"] == pytest.approx(kappa(x, y, levels=lv), abs=1e-14)
    assert row["s"] == pytest.approx(s_score(x, y, levels=lv), abs=1e-14)
    assert row["taub"] == pytest.approx(tau_b(x, y), abs=1e-14)


def _vec(draw, n, levels, nan):
    vals = draw(
        st.lists(st.sampled_from(list(levels) + ([np.nan] if nan else [])), min_size=n, max_size=n)
    )
    return np.array(vals, dtype=float)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_pairwise_match_reference(data):
    levels = data.draw(st.sampled_from([(0, 1, 2, 3), (1, 2, 3), (0, 1), (-1.5, 0.0, 2.0, 7.0)]))
    n = data.draw(st.integers(0, 25))
    nan = data.draw(st.booleans())
    x = _vec(data.draw, n, levels, nan)
    y = _vec(data.draw, n, levels, nan)
    w = np.array(data.draw(st.lists(st.floats(0, 5), min_size=n, max_size=n)))
    for sq in (False, True):
        assert_allclose(
            s_score(x, y, levels=levels, squared=sq),
            ref.s_score(x, y, levels, squared=sq),
            rtol=0,
            atol=1e-12,
        )
        assert_allclose(
            s_score(x, y, levels=levels, weights=w, squared=sq),
            ref.s_score(x, y, levels, weights=w, squared=sq),
            rtol=0,
            atol=1e-12,
        )
    assert_allclose(kappa(x, y, levels=levels), ref.kappa(x, y, levels), rtol=0, atol=1e-12)
    assert_allclose(scott_pi(x, y, levels=levels), ref.scott_pi(x, y, levels), rtol=0, atol=1e-12)
    assert_allclose(tau_b(x, y), ref.tau_b(x, y), rtol=0, atol=1e-12)


def test_pairwise_undefined_cases():
    lv = (0, 1, 2, 3)
    assert np.isnan(kappa([2, 2, 2], [2, 2, 2], levels=lv))  # both constant, same code
    assert kappa([1, 1], [3, 3], levels=lv) == 0.0  # constant, different codes
    assert np.isnan(scott_pi([3, 3], [3, 3], levels=lv))
    assert np.isnan(tau_b([1, 1, 1], [1, 2, 3]))  # a constant vector
    assert np.isnan(tau_b([1], [2]))
    assert np.isnan(s_score([], [], levels=lv))
    assert np.isnan(s_score([np.nan, 1], [1, np.nan], levels=lv))
    assert np.isnan(s_score([1, 2], [1, 3], levels=lv, weights=[0, 0]))
    assert s_score([0, 3], [3, 0], levels=lv) == -1.0
    # tau-b with many distinct values goes through SciPy
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=40), rng.normal(size=40)
    assert tau_b(x, y) == pytest.approx(ref.tau_b(list(x), list(y)), abs=1e-12)


def test_pairwise_errors():
    with pytest.raises(ValueError, match=r"s_score: x must hold only codes in levels"):
        s_score([0, 4], [0, 1], levels=(0, 1, 2, 3))
    with pytest.raises(ValueError, match="kappa: levels must be finite and strictly increasing"):
        kappa([1], [1], levels=(1, 3, 2))
    with pytest.raises(ValueError, match="levels must have 2 to 16"):
        scott_pi([1], [1], levels=(1,))
    with pytest.raises(TypeError, match="levels must be the ordered sequence"):
        kappa([1], [1], levels=None)
    with pytest.raises(ValueError, match="same length"):
        tau_b([1, 2], [1])
    with pytest.raises(ValueError, match="weights must be finite and non-negative"):
        s_score([1, 2], [1, 2], levels=(1, 2), weights=[1, -1])
    with pytest.raises(TypeError, match="must be numeric"):
        s_score(["a"], ["b"], levels=(0, 1))
    with pytest.raises(ValueError, match="1-D"):
        kappa([[1]], [[1]], levels=(0, 1))
    with pytest.raises(ValueError, match="s_score: x must be 1-D"):
        s_score(1, 1, levels=(0, 1))


# --------------------------------------------------------------------------- bulk, synthetic


def _random_alliances(seed, years, density=0.08):
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        m = members(y)
        n = len(m)
        A = rng.integers(1, 4, (n, n)) * (rng.random((n, n)) < density)
        A = np.triu(A, 1)
        A = A + A.T
        if rng.random() < 0.5:  # an asymmetric obligation
            A[0, n - 1] = 2
        i, j = np.nonzero(A)
        rows.append(pd.DataFrame({"ccode1": m[i], "ccode2": m[j], "year": y, "code": A[i, j]}))
    return pd.concat(rows, ignore_index=True)


def _check_alliance_years(out, data, years, measures, binary=False, weights=None):
    for y in years:
        exp = ref.alliance_year(data, list(members(y)), y, measures, binary=binary, weights=weights)
        got = out[out.year == y].reset_index(drop=True)
        assert (
            got[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
            == exp[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
        )
        for m in measures:
            assert_allclose(got[m], exp[m], rtol=0, atol=1e-12)


def test_alliances_match_reference():
    years = [1816, 1817, 1850]
    data = _random_alliances(1, years)
    out = similarity(data, measures=ALL5, years=years)
    assert list(out.columns) == ["ccode1", "ccode2", "year", "n", *ALL5, "constant"]
    assert [out[c].dtype for c in ("ccode1", "ccode2", "year", "n")] == [np.int64] * 4
    _check_alliance_years(out, data, years, ALL5)
    outb = similarity(data, measures=("s", "kappa", "pi"), binary=True, years=years)
    _check_alliance_years(outb, data, years, ("s", "kappa", "pi"), binary=True)


def test_alliances_weighted_and_order_invariance():
    years = [1900, 1901]
    data = _random_alliances(2, years, density=0.15)
    rng = np.random.default_rng(3)
    sy = pd.concat([pd.DataFrame({"ccode": members(y), "year": y}) for y in years])
    sy["cinc"] = rng.random(len(sy))
    w = {
        1900: dict(zip(sy[sy.year == 1900].ccode, sy[sy.year == 1900].cinc)),
        1901: dict(zip(sy[sy.year == 1901].ccode, sy[sy.year == 1901].cinc)),
    }
    out = similarity(data, measures=("s_w", "s", "s_w_sq"), weights=sy)
    for y in years:
        exp = ref.alliance_year(data, list(members(y)), y, ("s_w", "s_w_sq"), weights=w[y])
        got = out[out.year == y].reset_index(drop=True)
        assert_allclose(got["s_w"], exp["s_w"], rtol=0, atol=1e-12)
        assert_allclose(got["s_w_sq"], exp["s_w_sq"], rtol=0, atol=1e-12)
    # shuffled rows, a non-default index and extra columns give the same result
    shuffled = data.sample(frac=1, random_state=4).set_index(np.arange(len(data)) * 7 + 3)
    shuffled["extra"] = "x"
    out2 = similarity(
        shuffled, measures=("s_w", "s", "s_w_sq"), weights=sy.sample(frac=1, random_state=5)
    )
    pd.testing.assert_frame_equal(out, out2)
    # a member without a weight counts as 0, with a warning
    with pytest.warns(UserWarning, match="have no weight"):
        similarity(data, measures=("s_w",), weights=sy.iloc[1:])


def test_alliances_edges():
    data = pd.DataFrame(
        {
            "ccode1": [2, 200, 2, 2, 999],
            "ccode2": [200, 2, 2, 260, 2],
            "year": [1816, 1816, 1816, 1816, 1816],
            "code": [3, 3, 1, 2, 1],
        }
    )
    with pytest.warns(UserWarning) as rec:
        out = similarity(data, measures=("s",))
    msgs = " ".join(str(r.message) for r in rec)
    assert "2 row(s) naming a state that is not a COW system member" in msgs  # 260, 999 in 1816
    assert "pairing a state with itself" in msgs
    assert len(out) == 23 * 22
    # a year without alliance rows, inside the data's years, still has every dyad
    two = pd.concat([data.iloc[:2], data.iloc[:2].assign(year=1818)])
    out = similarity(two, measures=("s",), years=[1816, 1817])
    assert (out.groupby("year").size() == [23 * 22, 23 * 22]).all()
    # no rows at all: every year is outside the data
    empty = data.iloc[:0]
    with pytest.raises(ValueError, match=r"years outside the data \(no rows\); got \[1816\]"):
        similarity(empty, measures=("s",), years=[1816])
    with pytest.raises(ValueError, match="no rows and no years"):
        similarity(empty)
    with pytest.raises(
        ValueError, match=r"duplicate \(ccode1, ccode2, year\) rows; got \(2, 200, 1816\)"
    ):
        similarity(pd.concat([data.iloc[:1], data.iloc[:1]]))
    with pytest.raises(ValueError, match="alliance codes 0, 1, 2 or 3; got 4"):
        similarity(data.assign(code=4))
    with pytest.raises(ValueError, match="must not be missing"):
        similarity(data.assign(year=np.nan))
    with pytest.raises(ValueError, match="missing column"):
        similarity(data.drop(columns="code"))
    with pytest.raises(TypeError, match="DataFrame"):
        similarity(data.to_numpy())
    with pytest.raises(ValueError, match="kind must be"):
        similarity(data, kind="votes")
    with pytest.raises(ValueError, match="measures must be among"):
        similarity(data, measures=("S",))
    with pytest.raises(ValueError, match="needs weights"):
        similarity(data, measures=("s_w",))
    with pytest.raises(ValueError, match="must not repeat"):
        similarity(data, measures=("s", "s"))
    with pytest.raises(TypeError, match="binary must be a bool"):
        similarity(data, binary=1)


def _random_votes(seed, years, nstates=12, nrc=9):
    rng = np.random.default_rng(seed)
    rows, rc = [], 0
    for y in years:
        for _ in range(nrc):
            rc += 1
            v = rng.choice(
                [1, 2, 3, 8, 9, np.nan], size=nstates, p=[0.4, 0.2, 0.2, 0.1, 0.05, 0.05]
            )
            rows.append(
                pd.DataFrame(
                    {"rcid": rc, "ccode": np.arange(2, 2 + 10 * nstates, 10), "year": y, "vote": v}
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_unvotes_match_reference():
    years = [1950, 1951, 1960]
    data = _random_votes(5, years)
    # a state that never votes in 1960 and a dyad with no common roll call
    data.loc[(data.year == 1960) & (data.ccode == 2), "vote"] = 9
    data.loc[(data.year == 1951) & (data.ccode == 12), "vote"] = np.where(
        data.loc[(data.year == 1951) & (data.ccode == 12), "rcid"] % 2 == 0, 1, 8
    )
    data.loc[(data.year == 1951) & (data.ccode == 22), "vote"] = np.where(
        data.loc[(data.year == 1951) & (data.ccode == 22), "rcid"] % 2 == 1, 3, np.nan
    )
    out = similarity(data, kind="unvote", measures=ALL5)
    exp = pd.concat([ref.unvote_year(data, y, ALL5) for y in years], ignore_index=True)
    assert (
        out[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
        == exp[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
    )
    for m in ALL5:
        assert_allclose(out[m], exp[m], rtol=0, atol=1e-12)
    assert not ((out.ccode1 == 12) & (out.ccode2 == 22) & (out.year == 1951)).any()
    base = baseline_similarity(data, "unvote")
    for m in ALL5:
        assert_allclose(out[m], base[m], rtol=0, atol=1e-12)
    shuffled = data.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(similarity(shuffled, kind="unvote", measures=ALL5), out)


def test_unvotes_errors():
    data = _random_votes(6, [1950])
    with pytest.raises(ValueError, match="column 'vote' must hold 1"):
        similarity(data.assign(vote=4), kind="unvote")
    dup = pd.concat([data[data.vote == 1].iloc[:1]] * 2)
    with pytest.raises(
        ValueError, match=r"duplicate \(rcid, ccode\) votes; got ccode \d+ twice on rcid 1"
    ):
        similarity(pd.concat([data, dup]), kind="unvote")
    with pytest.raises(ValueError, match="needs kind='alliance'"):
        similarity(data, kind="unvote", binary=True)
    with pytest.raises(ValueError, match="needs kind='alliance'"):
        similarity(data, kind="unvote", measures=("s_w",))
    out = similarity(data.assign(vote=9), kind="unvote")
    assert len(out) == 0 and list(out.columns) == ["ccode1", "ccode2", "year", "n", *ALL5, "constant"]


def test_similarity_matrix_and_ideal_distance():
    data = _random_votes(7, [1990, 1991])
    K = similarity_matrix(data, 1990, kind="unvote", measure="s")
    assert isinstance(K, RelationMatrix) and K.at == 1990
    long = similarity(data, kind="unvote", measures=("s",), years=1990)
    r = long.iloc[3]
    assert K[int(r.ccode1), int(r.ccode2)] == r.s
    assert np.all(np.diag(K.values) == 1.0)
    ip = pd.DataFrame(
        {
            "ccode": [2, 20, 365, 2, 20],
            "year": [2000, 2000, 2000, 2001, 2001],
            "idealpoint": [2.0, 1.0, -0.5, 1.5, np.nan],
        }
    )
    with pytest.warns(UserWarning, match="left out 1 rows with a missing ideal point"):
        d = ideal_distance(ip)
    assert d[["ccode1", "ccode2", "year"]].to_numpy().tolist() == [
        [2, 20, 2000],
        [2, 365, 2000],
        [20, 2, 2000],
        [20, 365, 2000],
        [365, 2, 2000],
        [365, 20, 2000],
    ]
    assert d["distance"].tolist() == [1.0, 2.5, 1.0, 1.5, 2.5, 1.5]
    with pytest.raises(ValueError, match="duplicate"):
        ideal_distance(pd.concat([ip, ip]))


def test_ideal_distance_reports_missing_estimates():
    ip = pd.DataFrame(
        {
            "ccode": [2, 20, 365, 2, 20, 365],
            "year": [2000, 2000, 2000, 2001, 2001, 2001],
            "idealpoint": [2.0, np.nan, -0.5, np.nan, np.nan, 1.0],
        }
    )
    with pytest.warns(UserWarning) as rec:
        d = ideal_distance(ip)
    assert len(rec) == 1
    assert str(rec[0].message) == (
        "ideal_distance: left out 3 rows with a missing ideal point, e.g. ccode 20 in 2000"
    )
    # only 2000 has a pair left; 2001 has one state
    assert d[["ccode1", "ccode2", "year"]].to_numpy().tolist() == [[2, 365, 2000], [365, 2, 2000]]
    # rows of years not asked for are not counted
    with pytest.warns(UserWarning, match="left out 2 rows"):
        ideal_distance(ip, years=2001)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(ideal_distance(ip.dropna())) == 2


# --------------------------------------------------------------------------- real files


def test_cow_full_file_sampled_years(cow, cow_sim):
    assert len(cow_sim) == sum(len(members(y)) * (len(members(y)) - 1) for y in range(1816, 2013))
    years = [1816, 1914, 1962, 2012]
    base = baseline_similarity(cow, "alliance", years=years)
    got = cow_sim[cow_sim.year.isin(years)].reset_index(drop=True)
    assert (
        got[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
        == base[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
    )
    for m in ALL5:
        assert_allclose(got[m], base[m], rtol=0, atol=1e-12)
    # the slow item-by-item reference on all of 1914 and a sample of 2012's dyads
    _check_alliance_years(cow_sim, cow, [1914], ALL5)
    m2012 = list(members(2012))
    rng = np.random.default_rng(0)
    d2012 = got[got.year == 2012].reset_index(drop=True)
    A = {}
    sub = cow[cow.year == 2012]
    for c1, c2, code in zip(sub.ccode1, sub.ccode2, sub.code):
        A[(c1, c2)] = code
    for k in rng.choice(len(d2012), 40, replace=False):
        r = d2012.iloc[k]
        x = [3 if c == r.ccode1 else A.get((r.ccode1, c), 0) for c in m2012]
        y = [3 if c == r.ccode2 else A.get((r.ccode2, c), 0) for c in m2012]
        assert r.s == pytest.approx(ref.s_score(x, y, (0, 1, 2, 3)), abs=1e-12)
        assert r.kappa == pytest.approx(ref.kappa(x, y, (0, 1, 2, 3)), abs=1e-12)


def test_cow_non_member_rows_reported(cow):
    from multipolar.codes import is_member

    # 1991-2012: the 394 rows coding Germany as 260, and Czech Republic-Slovakia in 1992
    with pytest.warns(
        UserWarning,
        match=r"left out 396 row\(s\) naming a state that is not a COW "
        r"system member in that year, e.g. ccode 260 in 1991",
    ):
        similarity(cow, measures=("s",), years=range(1991, 2013))
    late = cow[cow.year >= 1991]
    out = ~(is_member(late.ccode1, late.year) & is_member(late.ccode2, late.year))
    assert int(out.sum()) == 396
    assert int((out & ((late.ccode1 == 260) | (late.ccode2 == 260))).sum()) == 394


def test_years_outside_the_data_raise(cow, voeten):
    # alliances: the COW file runs 1816-2012; a later or earlier year is not "no alliances"
    assert (int(cow.year.min()), int(cow.year.max())) == (1816, 2012)
    with pytest.raises(
        ValueError, match=r"^similarity: years outside the data \(1816-2012\); got \[2020\]$"
    ):
        similarity(cow, measures=("s",), years=[2012, 2020])
    with pytest.raises(ValueError, match=r"\(1816-2012\); got \[1700, 1815\]"):
        similarity(cow, measures=("s",), years=[1700, 1815, 1816])
    with pytest.raises(ValueError, match=r"\(1816-2012\); got \[2020\]"):
        similarity(cow, measures=("s",), years=2020)
    with pytest.raises(ValueError, match=r"years outside the data \(1816-2012\); got \[2020\]"):
        similarity_matrix(cow, 2020)
    # a year inside the range without rows stays valid: no alliances
    data = pd.DataFrame(
        {"ccode1": [2, 200, 2], "ccode2": [200, 2, 200], "year": [1816, 1816, 1820], "code": 3}
    )
    out = similarity(data, measures=("s",), years=[1818])
    n = len(members(1818))
    assert len(out) == n * (n - 1) and (out["n"] == n).all()
    # each portfolio codes only the state itself (3): two items differ by 3
    assert np.allclose(out["s"], 1 - 2 * 6 / (n * 3), rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match=r"\(1816-1820\); got \[1821\]"):
        similarity(data, measures=("s",), years=[1818, 1821])
    # votes: the same rule over the years of the vote rows (any vote code)
    lo, hi = int(voeten.year.min()), int(voeten.year.max())
    with pytest.raises(
        ValueError, match=rf"years outside the data \({lo}-{hi}\); got \[{hi + 1}\]"
    ):
        similarity(voeten, kind="unvote", measures=("s",), years=[hi, hi + 1])
    with pytest.raises(ValueError, match=rf"\({lo}-{hi}\); got \[{lo - 1}\]"):
        similarity(voeten, kind="unvote", measures=("s",), years=lo - 1)
    votes = _random_votes(8, [1990, 1992])
    with pytest.raises(ValueError, match=r"\(1990-1992\); got \[1993\]"):
        similarity(votes, kind="unvote", years=[1993])
    with pytest.raises(ValueError, match=r"\(no rows\); got \[1990\]"):
        similarity(votes.iloc[:0], kind="unvote", years=[1990])
    # inside the range: a year without votes gives no dyads, as before
    out = similarity(votes, kind="unvote", measures=("s",), years=[1991])
    assert len(out) == 0 and list(out.columns) == ["ccode1", "ccode2", "year", "n", "s", "constant"]
    # a year whose rows are all non-votes is inside the data too
    out = similarity(
        votes.assign(vote=np.where(votes.year == 1992, 9, votes.vote)),
        kind="unvote",
        measures=("s",),
        years=[1992],
    )
    assert len(out) == 0


def test_atop_sampled_year(data_dir):
    atop = mio.read_alliances(ATOP_FILE, source="atop")
    assert len(atop) == 273296
    assert atop["code"].value_counts()[0] == 170
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = similarity(atop, measures=ALL5, years=[1950])
        base = baseline_similarity(atop, "alliance", years=[1950])
    for m in ALL5:
        assert_allclose(out[m], base[m], rtol=0, atol=1e-12)


def test_voeten_sampled_years(voeten):
    years = [1946, 1985, 2015]
    out = similarity(voeten, kind="unvote", measures=ALL5, years=years)
    base = baseline_similarity(voeten, "unvote", years=years)
    assert (
        out[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
        == base[["ccode1", "ccode2", "year", "n"]].to_numpy().tolist()
    )
    for m in ALL5:
        assert_allclose(out[m], base[m], rtol=0, atol=1e-12)


def test_unvotes_2021_tables_agree_with_voeten(voeten, data_dir):
    uv = mio.read_unvotes(UNVOTES, roll_calls=ROLLCALLS)
    assert uv["year"].max() >= 2019
    assert set(uv["vote"].unique()) <= {1.0, 2.0, 3.0}
    # historical ISO2 codes and the three name-mapped states reach their COW codes
    assert {260, 265, 315, 345, 678, 680, 679, 255}.issubset(set(uv["ccode"].unique()))
    # the two releases date a few roll calls differently; on the same roll calls they agree
    rcids = voeten.loc[(voeten.year == 2000) & voeten.vote.notna(), "rcid"].unique()
    a = similarity(uv[uv.rcid.isin(rcids)].assign(year=2000), kind="unvote", measures=ALL5)
    b = similarity(voeten[voeten.rcid.isin(rcids)], kind="unvote", measures=ALL5)
    m = a.merge(b, on=["ccode1", "ccode2", "year"])
    assert len(m) == len(b) == len(a)
    for k in ("n", *ALL5):
        assert_allclose(m[k + "_x"], m[k + "_y"], rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- readers


def test_read_alliances_cow_official_layout(tmp_path):
    text = (
        "version4id,ccode1,state_name1,ccode2,state_name2,dyad_st_day,dyad_st_month,dyad_st_year,"
        "dyad_end_day,dyad_end_month,dyad_end_year,left_censor,right_censor,defense,neutrality,"
        "nonaggression,entente,year,version\n"
        "1,200,United Kingdom,220,France,1,1,1900,1,1,1901,0,0,0,0,0,1,1900,4.1\n"
        "2,200,United Kingdom,220,France,1,1,1900,1,1,1901,0,0,1,0,0,0,1900,4.1\n"
        "1,200,United Kingdom,220,France,1,1,1900,1,1,1901,0,0,0,0,0,1,1901,4.1\n"
        "3,2,United States,365,Russia,1,1,1902,1,1,1903,0,0,0,0,1,0,0,4.1\n"
        "4,2,United States,710,China,,,,,,,0,0,0,1,0,0,0,4.1\n"
    )
    p = tmp_path / "alliance_v4.1_by_dyad_yearly.csv"
    p.write_text(text)
    with pytest.warns(UserWarning, match="left out 1 row"):
        a = mio.read_alliances(p)
    assert list(a.columns) == [
        "ccode1",
        "ccode2",
        "year",
        "code",
        "defense",
        "neutrality",
        "nonaggression",
        "entente",
    ]
    assert a[["ccode1", "ccode2", "year", "code"]].to_numpy().tolist() == [
        [200, 220, 1900, 3],
        [220, 200, 1900, 3],
        [200, 220, 1901, 1],
        [220, 200, 1901, 1],
        [2, 365, 1902, 2],
        [365, 2, 1902, 2],
        [2, 365, 1903, 2],
        [365, 2, 1903, 2],
    ]
    assert a.loc[0, "entente"] == 1 and a.loc[0, "defense"] == 1


def test_read_alliances_layouts_and_errors(tmp_path, cow):
    assert cow.loc[(cow.ccode1 == 2) & (cow.ccode2 == 200) & (cow.year == 1949), "code"].item() == 3
    assert len(cow) == 120784 and cow["code"].value_counts()[0] == 10
    p = tmp_path / "atop.csv"
    p.write_text(
        "statea,stateb,year,atopally,defense,offense,neutral,nonagg,consul\n"
        "2,20,1950,1,0,0,0,1,0\n20,2,1950,1,0,0,1,1,0\n2,200,1950,1,0,0,0,0,0\n"
    )
    a = mio.read_alliances(p, source="atop")
    assert a["code"].tolist() == [1, 0, 2]
    with pytest.raises(ValueError, match="not a known cow alliance layout"):
        mio.read_alliances(p, source="cow")
    with pytest.raises(ValueError, match="source must be"):
        mio.read_alliances(p, source="eugene")
    p.write_text(
        "ccode1,ccode2,year,cow_defense,cow_neutral,cow_nonagg,cow_entente\n2,20,1950,2,0,0,0\n"
    )
    with pytest.raises(ValueError, match="0/1 flags"):
        mio.read_alliances(p)


def test_read_unvotes_unvotes_layout(tmp_path):
    votes = tmp_path / "un_votes.csv.gz"
    with gzip.open(votes, "wt") as fh:
        fh.write(
            "rcid,country,country_code,vote\n"
            "3,United States,US,yes\n3,Namibia,NA,no\n"
            "3,Federal Republic of Germany,,abstain\n4,Czechoslovakia,CS,yes\n"
            "4,Atlantis,,no\n5,Yemen,YE,yes\n"
        )
    rc = pd.DataFrame({"rcid": [3, 4, 5], "date": ["1985-01-01", "1986-05-01", "1995-01-01"]})
    with pytest.warns(UserWarning, match="left out 1 vote"):
        v = mio.read_unvotes(votes, roll_calls=rc)
    assert v.to_numpy().tolist() == [
        [3, 2, 1985, 1.0],
        [3, 565, 1985, 3.0],
        [3, 260, 1985, 2.0],
        [4, 315, 1986, 1.0],
        [5, 679, 1995, 1.0],
    ]
    with pytest.raises(ValueError, match="roll_calls must be given"):
        mio.read_unvotes(votes)
    with pytest.raises(ValueError, match="no year for rcid 5"):
        mio.read_unvotes(votes, roll_calls=rc.iloc[:2])


def test_read_unvotes_voeten_and_idealpoints(voeten, data_dir):
    assert len(voeten) == 1066613
    assert voeten["vote"].isna().sum() == 73328 + 254521
    assert list(voeten.columns) == ["rcid", "ccode", "year", "vote"]
    ip = mio.read_idealpoints(data_dir / "un_ideal_points" / "IdealpointestimatesAll_Jul2023.csv")
    r = ip[(ip.year == 2015)].set_index("ccode")["idealpoint"]
    assert r[2] == pytest.approx(2.5570370) and r[365] == pytest.approx(0.1668094)
    ip2 = mio.read_idealpoints(data_dir / "un_ideal_points" / "IdealpointsJuly2025_from_dta.csv")
    assert len(ip2) == 11440 and ip2["idealpointfp"].isna().sum() == 19
    d = ideal_distance(ip, years=2015)
    x = d[(d.ccode1 == 2) & (d.ccode2 == 365)]["distance"].item()
    assert x == pytest.approx(2.5570370 - 0.1668094)


# --------------------------------------------------------------------------- the C kernel


KERNEL_ARGS = (
    "year_ptr",
    "nitems",
    "row_key",
    "year_key",
    "entry_row",
    "entry_item",
    "entry_level",
    "levels",
    "implicit",
    "weights",
    "measures",
    "drop_empty",
)


def _kernel_args():
    rows = np.array([0, 0, 1, 1, 2], dtype=np.int32)
    items = np.array([0, 1, 0, 2, 1], dtype=np.int32)
    lev = np.array([1, 2, 1, 3, 0], dtype=np.int32)
    return [
        np.array([0, 3], dtype=np.int64),
        np.array([3], dtype=np.int64),
        np.array([2, 20, 200], dtype=np.int64),
        np.array([1900], dtype=np.int64),
        rows,
        items,
        lev,
        np.array([0.0, 1, 2, 3]),
        False,
        None,
        np.arange(5, dtype=np.int64),
        True,
    ]


@pytest.mark.parametrize(
    "pos, value, exc, match",
    [
        (0, np.array([0, 2], dtype=np.int64), ValueError,
         r"year_ptr must end at len\(row_key\) = 3; got 2"),
        (0, np.array([0, 4], dtype=np.int64), ValueError, "year_ptr must be non-decreasing within"),
        (0, np.array([1, 3], dtype=np.int64), ValueError, "year_ptr must start at 0"),
        (0, np.array([0, 3], dtype=np.int32), TypeError, "year_ptr dtype must be int64"),
        (0, np.zeros(0, dtype=np.int64), ValueError, "year_ptr must have at least one element"),
        (1, np.array([-1], dtype=np.int64), ValueError, "nitems must be in"),
        (1, np.array([3, 3], dtype=np.int64), ValueError, "nitems must have length 1"),
        (3, np.array([[1900]], dtype=np.int64), ValueError, "year_key must be 1-D"),
        (4, np.array([0, 0, 1, 1, 5], dtype=np.int32), ValueError,
         r"entry_row must be in \[0, 3\); got 5 at row 4"),
        (5, np.array([0, 1, 0, 2, 3], dtype=np.int32), ValueError,
         r"entry_item must be in \[0, 3\); got 3 at row 4"),
        (6, np.array([1, 2, 1, 4, 0], dtype=np.int32), ValueError,
         r"entry_level must be in \[0, 4\); got 4 at row 3"),
        (5, np.array([0, 0, 0, 2, 1], dtype=np.int32), ValueError,
         r"entry_item must not repeat a key; got 0 at row 1"),
        (6, np.array([1, 2, 1, 3, 0], dtype=np.int64), TypeError,
         "entry_item and entry_level must have entry_row's dtype"),
        (4, np.array([0, 0, 1, 1, 2], dtype=np.float64), TypeError,
         "entry_row dtype must be one of"),
        (4, np.array([0, 0, 1, 1], dtype=np.int32), ValueError, "entry_item must have length 4"),
        (7, np.array([0.0, 2, 1]), ValueError, "levels must be finite and strictly increasing"),
        (7, np.array([0.0]), ValueError, "levels must have 2 to 16"),
        (7, np.array([0.0, np.nan]), ValueError, "levels must be finite"),
        (9, np.array([1.0, 2.0]), ValueError, "weights must have length 3"),
        (9, np.array([1.0, -2.0, 1.0]), ValueError,
         r"weights must be finite and non-negative; got -2.0 at row 1"),
        (9, [1.0, 2.0, 3.0], TypeError, "weights must be None or an ndarray"),
        (10, np.array([8], dtype=np.int64), ValueError, r"measures must be in \[0, 8\)"),
        (10, np.array([5], dtype=np.int64), ValueError, "weights must be given for measure 5"),
        (2, np.array([2, 20, 200], dtype=np.int64).astype(">i8"), ValueError,
         "row_key must be aligned and in native byte order"),
    ],
)
def test_kernel_rejects_bad_input(pos, value, exc, match):
    core_rejects("similarity_years", _kernel_args(), pos, value, exc,
                 "^similarity_years: " + match)


def test_kernel_errors_are_structured():
    """Loop errors carry status, argument, row, value and limit: no message parsing."""
    args = _kernel_args()
    args[5] = np.array([0, 1, 0, 2, 3], dtype=np.int32)
    with pytest.raises(ValueError) as info:
        _core.similarity_years(*args)
    e = info.value
    assert (e.status, e.argument, e.row, e.value, e.limit, e.field) == (
        "code_range", "entry_item", 4, 3.0, 3, None
    )
    args = _kernel_args()
    args[5] = np.array([0, 0, 0, 2, 1], dtype=np.int32)  # item 0 twice in row 0
    with pytest.raises(ValueError) as info:
        _core.similarity_years(*args)
    e = info.value
    assert (e.status, e.argument, e.row, e.value) == ("duplicate", "entry_item", 1, 0.0)
    args = _kernel_args()
    args[9] = np.array([1.0, np.inf, 1.0])
    with pytest.raises(ValueError) as info:
        _core.similarity_years(*args)
    assert (info.value.status, info.value.argument, info.value.row) == ("invalid", "weights", 1)


def test_public_duplicate_errors_come_from_structured_attributes(monkeypatch):
    data = _random_alliances(9, [1816])
    dup = pd.concat([data, data.iloc[[3]]], ignore_index=True)
    c1, c2 = int(data.ccode1.iloc[3]), int(data.ccode2.iloc[3])
    with pytest.raises(InputError) as info:
        similarity(dup, measures=("s",))
    assert str(info.value) == (
        f"similarity: data has duplicate (ccode1, ccode2, year) rows; got ({c1}, {c2}, 1816)"
    )
    assert info.value.function == "similarity"
    # the message comes from the error's attributes, whatever the C text says
    real = _core.similarity_years

    def reworded(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except ValueError as exc:
            exc.args = ("a kernel message in other words",)
            raise

    driver = sys.modules["multipolar.similarity.driver"]
    monkeypatch.setattr(driver, "_core", types.SimpleNamespace(similarity_years=reworded))
    with pytest.raises(InputError) as again:
        similarity(dup, measures=("s",))
    assert str(again.value) == str(info.value)


def test_kernel_keywords():
    args = _kernel_args()
    pos = _core.similarity_years(*args)
    kw = _core.similarity_years(**dict(zip(KERNEL_ARGS, args)))
    for x, y in zip(pos[:5], kw[:5]):
        assert_array_equal(x, y)
    assert pos[5] == kw[5]
    with pytest.raises(TypeError):
        _core.similarity_years(**dict(zip(KERNEL_ARGS, args)), nthreads=2)
    with pytest.raises(TypeError, match="drop_empty"):
        _core.similarity_years(**dict(zip(KERNEL_ARGS[:-1], args[:-1])))
    with pytest.raises(TypeError):
        _core.similarity_years(*args, 2)  # the thread count is no argument any more


def test_kernel_misc_calls():
    with pytest.raises(TypeError):
        _core.similarity_years()
    with pytest.raises(TypeError):
        _core.similarity_years(*_kernel_args()[:-1])
    args = _kernel_args()
    args[0] = [0, 3]
    with pytest.raises(TypeError):
        _core.similarity_years(*args)
    _c1, _c2, _yr, n, _vals, kept = _core.similarity_years(*_kernel_args())
    assert kept == 4 and n[:kept].tolist() == [1, 1, 1, 1]  # row 2 shares item 1 with row 0 only
    # no years, no rows
    out = _core.similarity_years(
        np.zeros(1, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.int8),
        np.zeros(0, np.int8),
        np.zeros(0, np.int8),
        np.array([0.0, 1.0]),
        True,
        None,
        np.zeros(0, np.int64),
        False,
    )
    assert out[4].shape == (0, 0) and out[5] == 0


def test_kernel_strided_and_small_dtypes():
    a = _kernel_args()
    ref_out = _core.similarity_years(*a)
    for dt in (np.int8, np.int16, np.int64):
        b = list(a)
        b[4], b[5], b[6] = (np.repeat(x.astype(dt), 2)[::2] for x in a[4:7])
        out = _core.similarity_years(*b)
        for x, y in zip(out[:5], ref_out[:5]):
            assert_array_equal(x, y)
    b = list(a)
    b[2] = np.repeat(a[2], 2)[::2]
    b[2] = b[2][::-1].copy()[::-1]
    out = _core.similarity_years(*b)
    assert_array_equal(out[0], ref_out[0])


def _cow_kernel_args(cow, years):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = sim_inputs._alliance_input(cow, False, None, years, False, "t")
    er, ei, el = sim_inputs._narrow(spec["entry_row"], spec["entry_item"], spec["entry_level"])
    return [
        spec["year_ptr"],
        spec["nitems"],
        spec["row_key"],
        spec["year_key"],
        er,
        ei,
        el,
        spec["levels"],
        True,
        None,
        np.arange(5, dtype=np.int64),
        False,
    ]


def test_thread_count_follows_set_num_threads(cow, voeten):
    """The years run on the package's thread runtime: 1, 2 and 4 threads give the same bits."""
    import multipolar as mp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the COW file's non-member rows
        runs = {}
        for n in (1, 2, 4):
            mp.set_num_threads(n)
            before = _core.threads_started()
            ally = similarity(cow, measures=ALL5, years=range(1990, 2013))
            votes = similarity(voeten, kind="unvote", measures=ALL5, years=range(2000, 2016))
            runs[n] = (ally, votes, _core.threads_started() - before)
    assert runs[1][2] == 0  # one thread: nothing started
    assert runs[2][2] > 0 and runs[4][2] > 0
    for n in (2, 4):
        for got, want in zip(runs[n][:2], runs[1][:2]):
            assert list(got.columns) == list(want.columns)
            for col in got.columns:
                assert_array_equal(got[col].to_numpy(), want[col].to_numpy())


def test_kernel_threads_deterministic_and_refcounts(cow):
    import multipolar as mp

    args = _cow_kernel_args(cow, np.arange(1990, 2001))
    mp.set_num_threads(1)
    serial = _core.similarity_years(*args)
    for nt in (2, 3, 64):
        mp.set_num_threads(nt)
        out = _core.similarity_years(*args)
        for x, y in zip(out[:5], serial[:5]):
            assert_array_equal(x, y)
    mp.set_num_threads(2)
    with ThreadPoolExecutor(3) as pool:
        outs = list(pool.map(lambda _: _core.similarity_years(*args), range(4)))
    for out in outs:
        assert_array_equal(out[4], serial[4])
    before = [sys.getrefcount(x) for x in args[:8]]
    for _ in range(5):
        _core.similarity_years(*args)
        bad = list(args)
        bad[10] = np.array([9], dtype=np.int64)
        with pytest.raises(ValueError):
            _core.similarity_years(*bad)
        del bad
    assert [sys.getrefcount(x) for x in args[:8]] == before


def test_kernel_survives_entries_mutated_from_another_thread(cow):
    """Entries changed by another Python thread while the kernel runs without the GIL.

    The kernel reads each entry once, so whatever the values become, no write
    goes out of bounds; a call may raise (a value out of range, a duplicate)
    but never crashes. (Reading the entries twice, a count pass and a scatter
    pass, overflowed the key buffer here: AddressSanitizer reports it.)
    """
    args = _cow_kernel_args(cow, np.arange(1960, 2013))
    er, ei, el = args[4], args[5], args[6]
    nrows, hi_item = len(args[2]), int(args[1].max())
    # flip every entry to the last row and back: a pass that counted the old rows and
    # placed the new ones would write far past the last row
    rng = np.random.default_rng(0)
    orig = (er.copy(), ei.copy(), el.copy())
    flip = [0]

    def mutate():
        flip[0] += 1
        if flip[0] % 2:
            er[:] = nrows - 1
            k = rng.integers(0, len(er), 64)
            ei[k] = rng.integers(-2, hi_item + 2, 64)
            el[k] = rng.integers(-1, 5, 64)
        else:
            er[:], ei[:], el[:] = orig

    hammer(lambda: _core.similarity_years(*args), mutate, seconds=2.0,
           allowed=lambda exc: exc.status in ("code_range", "duplicate"))


def test_measure_names():
    assert MEASURES == ("s", "s_sq", "kappa", "pi", "taub", "s_w", "s_w_sq", "constant")
    # one list: the kernel's
    assert MEASURES == _core.SIMILARITY_MEASURES
    assert sys.modules["multipolar.similarity.driver"]._WEIGHTED <= set(MEASURES)
