"""Scenarios: indicator scoring against a hand computation, ACH as Bayes, and the C
Monte Carlo sensitivity kernel against a NumPy reference drawing from the same streams."""

from __future__ import annotations

import gc
import math
import sys

import multipolar as mp
import numpy as np
import pandas as pd
import pytest
from multipolar import _core
from multipolar.scenarios import DRAW_BLOCK, RATINGS

#: The plain Bayes product (no forgetting, no autocorrelation discount).
BAYES = {"forgetting": 1.0, "discount": None}

# --------------------------------------------------------------------------- score_scenarios


def test_score_scenarios_by_hand():
    con = pd.Series([0.30, 0.33, np.nan, 0.37], index=[2019, 2020, 2021, 2022])
    sim = pd.Series([0.2, 0.6, 0.7], index=[2020, 2021, 2022])
    a = mp.Scenario("blocs", prior=1.0, expects={"con": mp.Direction("up", p=0.8),
                                                 "sim": mp.Threshold(0.5, above=True, p=0.9)},
                    weights={"sim": 0.5})
    b = mp.Scenario("multipolar", prior=3.0, expects={"con": mp.Direction("down", p=0.7)})
    c = mp.Scenario("drift", prior=1.0)
    sim_ind = mp.Indicator("sim", sim, expects={"drift": mp.Distribution(0.5, 0.2)})
    res = mp.score_scenarios([a, b, c], [mp.Indicator("con", con), sim_ind], **BAYES)
    periods = [2019, 2020, 2021, 2022]
    assert res.posterior.index.tolist() == periods
    # by hand: log-likelihoods per period, scenario (a, b, c)
    up, down = math.log(0.8), math.log(0.3)
    con_ll = {2019: None, 2020: (up, math.log(0.3)), 2021: None, 2022: None}
    # 2020: con rises: a gets ln .8, b ln .3, c neutral (mean of a and b)
    norm = lambda x, m, s: -0.5 * ((x - m) / s) ** 2 - math.log(s) - 0.5 * math.log(2 * math.pi)
    ll = {t: np.zeros(3) for t in periods}
    ll[2020][:2] = con_ll[2020]
    ll[2020][2] = (up + down) / 2
    for t, x in sim.items():
        la = 0.5 * (math.log(0.9) if x > 0.5 else math.log(0.1))
        lc = norm(x, 0.5, 0.2)
        ll[t] += np.array([la, (la + lc) / 2, lc])
    # 2021, 2022: con change needs the previous value; 2021 is missing, so no evidence
    score = np.log(np.array([1, 3, 1]) / 5.0) + np.cumsum([ll[t] for t in periods], axis=0)
    post = np.exp(score - score.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(res.score.to_numpy(), score, rtol=1e-12)
    np.testing.assert_allclose(res.posterior.to_numpy(), post, rtol=1e-12)
    ctb = res.contributions.loc[(2020, "con")].to_numpy()
    np.testing.assert_allclose(ctb, ll_con := np.array([up, down, (up + down) / 2]) - (up + down) / 2)
    assert ll_con.sum() == pytest.approx(0.0)
    single = mp.score_scenarios([a, b, c], [mp.Indicator("con", con), sim_ind], cumulative=False)
    np.testing.assert_allclose(single.score.loc[2022].to_numpy(),
                               np.log(np.array([1, 3, 1]) / 5.0) + ll[2022], rtol=1e-12)


def test_distribution_with_scipy_object():
    from scipy import stats

    x = pd.Series([1.0, 2.0], index=[1, 2])
    s1 = mp.Scenario("a", expects={"x": mp.Distribution(dist=stats.t(df=3))})
    s2 = mp.Scenario("b", expects={"x": mp.Distribution(2.0, 0.5)})
    res = mp.score_scenarios([s1, s2], [mp.Indicator("x", x)], **BAYES)
    want = stats.t(df=3).logpdf([1, 2]).sum() - stats.norm(2, 0.5).logpdf([1, 2]).sum()
    s = res.score.loc[2]
    assert s["a"] - s["b"] == pytest.approx(want)


@pytest.mark.parametrize(
    "make,exc,match",
    [
        (lambda: mp.Direction("sideways"), ValueError, "direction must be"),
        (lambda: mp.Direction("up", p=1.0), ValueError, "p must be"),
        (lambda: mp.Threshold(float("nan")), ValueError, "finite"),
        (lambda: mp.Distribution(0, -1), ValueError, "sd must be"),
        (lambda: mp.Distribution(dist=object()), TypeError, "logpdf"),
    ],
)
def test_expectation_validation(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_score_scenarios_errors():
    x = pd.Series([1.0, 2.0])
    ind = mp.Indicator("x", x)
    up = mp.Scenario("up", expects={"x": mp.Direction("up")})
    with pytest.raises(TypeError, match="Scenario"):
        mp.score_scenarios(["up"], [ind])
    with pytest.raises(ValueError, match="unique"):
        mp.score_scenarios([up, up], [ind])
    with pytest.raises(ValueError, match="priors"):
        mp.score_scenarios([mp.Scenario("a", prior=0, expects={"x": mp.Direction("up")})], [ind])
    with pytest.raises(ValueError, match="unknown indicator"):
        mp.score_scenarios([mp.Scenario("a", expects={"y": mp.Direction("up")})], [ind])
    with pytest.raises(ValueError, match="no scenario"):
        mp.score_scenarios([mp.Scenario("a")], [ind])
    with pytest.raises(TypeError, match="Direction, Threshold"):
        mp.score_scenarios([mp.Scenario("a", expects={"x": "up"})], [ind])
    with pytest.raises(ValueError, match="weights"):
        mp.score_scenarios([mp.Scenario("a", expects={"x": mp.Direction("up")},
                                        weights={"x": -1})], [ind])


# --------------------------------------------------------------------------- compete


def test_compete_ratings_by_hand():
    hyps = ["alliance", "partnership", "drift"]
    evs = ["exercise", "no treaty", "arms deal"]
    m = pd.DataFrame([["CC", "C", "N"], ["II", "C", "C"], ["C", "C", "I"]], index=evs, columns=hyps)
    r = mp.compete(hyps, evs, m, prior=[1, 2, 1])
    L = np.array([[0.9, 0.7, 0.5], [0.1, 0.7, 0.7], [0.7, 0.7, 0.3]])
    pri = np.array([0.25, 0.5, 0.25])
    for k in range(4):
        want = pri * L[:k].prod(axis=0)
        np.testing.assert_allclose(r.posterior.iloc[k], want / want.sum(), rtol=1e-12)
    assert r.inconsistency.tolist() == [2.0, 0.0, 1.0]
    np.testing.assert_allclose(r.diagnosticity, np.log(L.max(1) / L.min(1)))
    assert r.sensitivity is None and r.draws is None
    num = mp.compete(hyps, evs, L)  # numeric likelihoods: ratings by nearest scale point
    np.testing.assert_allclose(num.posterior.iloc[-1], mp.compete(hyps, evs, m).posterior.iloc[-1])
    assert num.inconsistency.tolist() == [2.0, 0.0, 1.0]


def _ref_uniform(seed, draws, prior, lo, hi):
    """NumPy: the same uniforms (order draw, evidence, hypothesis) from the same block streams."""
    E, H = lo.shape
    nb = -(-draws // DRAW_BLOCK)
    out = []
    for b, child in enumerate(np.random.SeedSequence(seed).spawn(nb)):
        n = min(DRAW_BLOCK, draws - b * DRAW_BLOCK)
        u = np.random.Generator(np.random.PCG64(child)).random(n * E * H).reshape(n, E, H)
        L = lo + (hi - lo) * u
        p = prior * L.prod(axis=1)
        out.append(p / p.sum(axis=1, keepdims=True))
    return np.concatenate(out)


def test_sensitivity_matches_numpy_reference_and_is_reproducible(monkeypatch):
    hyps, evs = ["a", "b", "c"], ["e1", "e2", "e3", "e4"]
    rng = np.random.default_rng(0)
    L = rng.uniform(0.2, 0.8, (4, 3))
    draws = 2 * DRAW_BLOCK + 77
    r = mp.compete(hyps, evs, L, uncertainty=0.15, draws=draws, seed=42)
    ref = _ref_uniform(42, draws, np.ones(3) / 3, np.clip(L - 0.15, 0, 1), np.clip(L + 0.15, 0, 1))
    np.testing.assert_allclose(r.draws, ref, rtol=1e-12)
    first = np.bincount(ref.argmax(axis=1), minlength=3) / draws
    np.testing.assert_allclose(r.sensitivity["p_first"], first)
    np.testing.assert_allclose(r.sensitivity["mean"], ref.mean(axis=0), rtol=1e-12)
    for n in ("1", "3"):
        mp.set_num_threads(int(n))
        again = mp.compete(hyps, evs, L, uncertainty=0.15, draws=draws, seed=42)
        assert again.draws.tobytes() == r.draws.tobytes()
    ss = np.random.SeedSequence(42)
    a1 = mp.compete(hyps, evs, L, uncertainty=0.15, draws=100, seed=ss)
    a2 = mp.compete(hyps, evs, L, uncertainty=0.15, draws=100, seed=ss)
    assert a1.draws.tobytes() == a2.draws.tobytes()


def test_sensitivity_ranges_and_beta():
    from scipy import stats

    # one evidence item, hypothesis 0 uncertain, hypothesis 1 fixed at 1: p0 = L / (1 + L)
    lo, hi = np.array([[0.2, 1.0]]), np.array([[0.6, 1.0]])
    r = mp.compete(["h0", "h1"], ["e"], [[0.4, 1.0]], uncertainty=(lo, hi), draws=20_000, seed=1)
    L = r.draws[:, 0] / (1 - r.draws[:, 0])
    assert L.min() >= 0.2 - 1e-12 and L.max() <= 0.6 + 1e-12
    assert abs(L.mean() - 0.4) < 0.005
    r = mp.compete(["h0", "h1"], ["e"], [[0.3, 0.999]], uncertainty={"beta": 20.0},
                   draws=40_000, seed=2)
    p0 = r.draws[:, 0]
    L0 = p0 * 0.999 / (1 - p0)  # invert p0 = L0 / (L0 + L1) with L1 ~ Beta(19.98, 0.02)
    assert np.isfinite(L0).all()
    # the marginal of h0's likelihood alone: rerun with h1 fixed
    r2 = mp.compete(["h0", "h1"], ["e"], [[0.3, 1.0]],
                    uncertainty=(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]])), draws=10, seed=3)
    assert np.allclose(r2.draws[:, 0], 0.0)
    kind = np.array([[2, 0]], np.int8)
    post, _ = _core.ach_sensitivity(
        tuple(np.random.PCG64(c) for c in np.random.SeedSequence(5).spawn(40)),
        np.full(40, DRAW_BLOCK, np.int64), np.array([1.0, 1.0]), kind,
        np.array([[6.0, 1.0]]), np.array([[14.0, 1.0]]),
    )
    beta = post[:, 0] / (1 - post[:, 0])
    assert abs(beta.mean() - 0.3) < 0.003 and abs(beta.var() - stats.beta(6, 14).var()) < 0.001
    assert stats.kstest(beta[:5000], stats.beta(6, 14).cdf).pvalue > 1e-3
    small = _core.ach_sensitivity(
        tuple(np.random.PCG64(c) for c in np.random.SeedSequence(6).spawn(4)),
        np.full(4, DRAW_BLOCK, np.int64), np.array([1.0, 1.0]), kind,
        np.array([[0.3, 1.0]]), np.array([[0.7, 1.0]]),
    )[0]
    assert abs((small[:, 0] / (1 - small[:, 0])).mean() - 0.3) < 0.02


def test_sensitivity_long_evidence_does_not_underflow():
    E = 400
    L = np.full((E, 2), 0.05)
    L[:, 1] = 0.04
    r = mp.compete(["a", "b"], [f"e{i}" for i in range(E)], L, uncertainty=0.001, draws=50,
                   seed=1)
    assert np.isfinite(r.draws).all() and (r.sensitivity["p_first"]["a"] == 1.0)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"ratings_or_likelihoods": [["C", "X"]]}, ValueError, "rating must be"),
        ({"ratings_or_likelihoods": [[1.5, 0.2]]}, ValueError, "in \\[0, 1\\]"),
        ({"ratings_or_likelihoods": [["C"]]}, ValueError, "shape"),
        ({"ratings_or_likelihoods": [[0.0, 0.0]]}, ValueError, "every hypothesis"),
        ({"prior": [1, -1]}, ValueError, "prior"),
        ({"uncertainty": 2.0}, ValueError, "uncertainty"),
        ({"uncertainty": "wide"}, TypeError, "uncertainty must be"),
        ({"uncertainty": {"beta": -1}}, ValueError, "beta"),
        ({"uncertainty": 0.1, "draws": 0}, ValueError, "draws"),
        ({"uncertainty": 0.1, "seed": "s"}, TypeError, "seed"),
        ({"uncertainty": 0.1, "q": [0.5, 1.5]}, ValueError, "compete: q must be .* in \\[0, 1\\]"),
        ({"uncertainty": 0.1, "q": [[0.1, 0.9]]}, ValueError, "compete: q must be"),
        ({"uncertainty": 0.1, "q": [0.5, float("nan")]}, ValueError, "compete: q must be"),
        ({"uncertainty": 0.1, "q": "0.5"}, TypeError, "compete: q must be"),
        ({"uncertainty": 0.1, "q": [0.5, 0.5]}, ValueError, "compete: q levels must be distinct"),
    ],
)
def test_compete_errors(kwargs, exc, match):
    args = {"hypotheses": ["a", "b"], "evidence": ["e"], "ratings_or_likelihoods": [["C", "I"]]}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        mp.compete(**args)


def test_compete_quantile_levels():
    L = [[0.8, 0.3], [0.6, 0.5]]
    r = mp.compete(["a", "b"], ["e1", "e2"], L, uncertainty=0.1, draws=4000, seed=3,
                   q=np.array([0.0, 0.25, 1.0]))
    assert list(r.sensitivity.columns) == ["p_first", "mean", "q0", "q25", "q100"]
    np.testing.assert_allclose(r.sensitivity["q0"], r.draws.min(axis=0))
    np.testing.assert_allclose(r.sensitivity["q25"], np.quantile(r.draws, 0.25, axis=0))
    np.testing.assert_allclose(r.sensitivity["q100"], r.draws.max(axis=0))


def test_ratings_scale_is_symmetric():
    assert RATINGS["N"] == 0.5 and RATINGS["C"] + RATINGS["I"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- direct _core calls


def _args():
    return [tuple(np.random.PCG64(i) for i in range(2)), np.array([5, 3], np.int64),
            np.array([0.5, 0.5]), np.array([[1, 0]], np.int8), np.array([[0.2, 0.5]]),
            np.array([[0.4, 0.5]])]


@pytest.mark.parametrize(
    "pos,value,exc",
    [
        (0, (1, 2), TypeError),
        (1, np.array([5], np.int64), ValueError),
        (1, np.array([5, -3], np.int64), ValueError),
        (2, np.array([0.5, -0.5]), ValueError),
        (2, np.array([0.5, 0.5], np.float32), TypeError),
        (3, np.array([[3, 0]], np.int8), ValueError),
        (3, np.array([[1, 0]], np.int64), TypeError),
        (4, np.array([[0.5, 0.5]]), ValueError),
        (4, np.array([0.2, 0.5]), ValueError),
        (5, np.array([[1.4, 0.5]]), ValueError),
        (5, np.array([[0.4, 0.5, 0.1]]), ValueError),
    ],
)
def test_core_ach_rejects_bad_input(pos, value, exc):
    from conftest import core_rejects

    core_rejects("ach_sensitivity", _args(), pos, value, exc)


def test_core_ach_bad_beta_and_refcounts():
    args = _args()
    args[3] = np.array([[2, 0]], np.int8)
    args[4] = np.array([[0.0, 0.5]])
    with pytest.raises(ValueError, match="beta"):
        _core.ach_sensitivity(*args)
    good = _args()
    arrays = good[1:]
    before = [sys.getrefcount(a) for a in arrays]
    for _ in range(100):
        _core.ach_sensitivity(*good)
        with pytest.raises(ValueError):
            _core.ach_sensitivity(good[0], good[1], good[2], good[3], good[5], good[4] * 0)
    gc.collect()
    assert [sys.getrefcount(a) for a in arrays] == before
    post, first = _core.ach_sensitivity((), np.zeros(0, np.int64), np.array([1.0]),
                                        np.zeros((0, 1), np.int8), np.zeros((0, 1)),
                                        np.zeros((0, 1)))
    assert post.shape == (0, 1) and first.tolist() == [0]


def test_direction_lag_counts_periods_not_rows():
    """A gap in a year, period or regular date index leaves the change unobserved."""
    d = mp.Direction("up", p=0.8, lag=1)
    up, down = np.log(0.8), np.log(0.2)
    years = pd.Series([1.0, 2.0, 5.0, 4.0], index=[2000, 2001, 2003, 2004])
    np.testing.assert_allclose(d.loglik(years), [np.nan, up, np.nan, down])
    per = pd.Series([1.0, 2.0, 5.0, 4.0],
                    index=pd.PeriodIndex(["2000", "2001", "2003", "2004"], freq="Y"))
    np.testing.assert_allclose(d.loglik(per), [np.nan, up, np.nan, down])
    monthly = pd.Series([1.0, 2.0, np.nan, 0.0, 3.0],
                        index=pd.date_range("2020-01-01", periods=5, freq="MS"))
    np.testing.assert_allclose(d.loglik(monthly), [np.nan, up, np.nan, np.nan, up])
    np.testing.assert_allclose(mp.Direction("down", lag=2).loglik(years),  # 2003 - 2001 > 0
                               [np.nan, np.nan, np.log(0.2), np.nan])
    # no frequency: rows, as documented
    irregular = pd.Series([1.0, 2.0, 0.5], index=pd.to_datetime(["2020-01-01", "2020-03-01",
                                                                 "2020-04-15"]))
    np.testing.assert_allclose(d.loglik(irregular), [np.nan, up, down])
    # and through score_scenarios: the gap year adds no evidence
    ind = mp.Indicator("x", years)
    r = mp.score_scenarios([mp.Scenario("up", expects={"x": mp.Direction("up")}),
                            mp.Scenario("down", expects={"x": mp.Direction("down")})], [ind],
                           **BAYES)
    assert np.isclose(r.posterior.loc[2003, "up"], r.posterior.loc[2001, "up"])


def test_compete_bitwise_for_any_thread_count():
    """Workers keep their scratch and counts in their own padded slots: same bits for 1, 2, 4."""
    rng = np.random.default_rng(4)
    L = rng.uniform(0.2, 0.8, (6, 4))
    hyps, evs = [f"h{i}" for i in range(4)], [f"e{i}" for i in range(6)]
    results = {}
    for nthreads in (1, 2, 4):
        mp.set_num_threads(nthreads)
        started = _core.threads_started()
        results[nthreads] = [
            mp.compete(hyps, evs, L, uncertainty=u, draws=6 * DRAW_BLOCK + 11, seed=9)
            for u in (0.1, {"beta": 12.0})
        ]
        if nthreads > 1:
            assert _core.threads_started() > started
    for nthreads in (2, 4):
        for a, b in zip(results[1], results[nthreads]):
            assert a.draws.tobytes() == b.draws.tobytes()
            pd.testing.assert_frame_equal(a.sensitivity, b.sensitivity, check_exact=True)


def test_core_ach_keywords_and_positions_agree():
    names = ["bitgens", "block_draws", "prior", "kind", "a", "b"]
    args = _args()
    pos = _core.ach_sensitivity(*args)
    args = _args()
    kw = _core.ach_sensitivity(**dict(zip(names, args)))
    args = _args()
    mixed = _core.ach_sensitivity(args[0], args[1], **dict(zip(names[2:], args[2:])))
    for a, b, c in zip(pos, kw, mixed):
        assert a.tobytes() == b.tobytes() == c.tobytes()


def test_core_ach_status_errors():
    args = _args()
    args[2] = np.array([0.5, np.inf])
    with pytest.raises(ValueError, match="ach_sensitivity: prior must be finite and "
                                         "non-negative; got inf at row 1") as info:
        _core.ach_sensitivity(*args)
    assert info.value.status == "invalid"
    args = _args()
    args[3] = np.array([[0, 5]], np.int8)
    with pytest.raises(ValueError, match=r"ach_sensitivity: kind\[1\] must be in \[0, 3\)") as info:
        _core.ach_sensitivity(*args)
    assert info.value.status == "code_range" and info.value.row == 0
