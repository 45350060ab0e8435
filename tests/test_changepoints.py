"""Change points: the PELT kernel against plain optimal partitioning (tests/reference) and
against the ruptures package, on synthetic series with known breaks and on the real UN votes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar import _core

from conftest import LAYOUTS, hammer
from reference.changepoints import optimal_partition, pelt_segments as twin, sigma2
from test_kernels import REJECTED, assert_threads_start, over_threads

MAD = 0.6744897501960817


def _random_case(seed: int, nseries: int = 6, maxlen: int = 60, cost: int = 0):
    """CSR series with random shifts, NaN gaps and lengths 0..maxlen."""
    rng = np.random.default_rng(seed)
    lens = rng.integers(0, maxlen, nseries)
    vals = []
    for n in lens:
        x = np.zeros(n)
        for p in rng.choice(max(n, 1), rng.integers(0, 4)):
            x[p:] += rng.normal(0, 3)
        x += rng.normal(0, 1, n)
        if cost == 1:
            x = rng.poisson(np.exp(np.clip(x, -3, 3))).astype(float)
        x[rng.random(n) < 0.1] = np.nan
        vals.append(x)
    values = np.concatenate(vals) if vals else np.zeros(0)
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    return values, offsets, rng.uniform(0.5, 12, nseries)


# ---------------------------------------------------------------- the kernel and its twin


@pytest.mark.parametrize("seed", range(40))
def test_pelt_equals_optimal_partitioning(seed):
    cost = seed % 2
    values, offsets, pen = _random_case(seed, cost=cost)
    min_size = 1 + seed % 4
    scale = cost == 0 and seed % 4 == 0
    want = twin(values, offsets, cost, pen, min_size, scale)
    got = _core.pelt_segments(values, offsets, cost, pen, min_size, scale)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_allclose(got[2], want[2], rtol=1e-12)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_pelt_layouts_and_threads(name):
    lay = LAYOUTS[name]
    values, offsets, pen = _random_case(99, nseries=40)
    want = twin(values, offsets, 0, pen, 2, True)
    args = (lay(values), lay(offsets), 0, lay(pen), 2, True)
    if name == "byteswapped":
        with pytest.raises(REJECTED):
            _core.pelt_segments(*args)
        return
    got = over_threads(lambda: _core.pelt_segments(*args), "pelt_segments")
    for g, w in zip(got[:2], want[:2]):
        np.testing.assert_array_equal(g, w)


def _objective(x, breaks, pen):
    edges = [0, *breaks, len(x)]
    return sum(((x[a:b] - x[a:b].mean()) ** 2).sum() for a, b in zip(edges[:-1], edges[1:])) \
        + pen * len(breaks)


@pytest.mark.parametrize("seed", range(25))
def test_against_ruptures(seed):
    """ruptures' Pelt(model="l2") has the same cost; with min_size 1 it is exact and must
    agree; with larger min_size its pruning can miss the optimum (seen on these seeds), so
    our objective must be at most its objective, and equal to the plain DP's."""
    rpt = pytest.importorskip("ruptures")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 80))
    x = rng.normal(size=n)
    for p in rng.choice(n, rng.integers(0, 4)):
        x[p:] += rng.normal(0, 3)
    pen = float(rng.uniform(1, 15))
    for min_size in (1, 2, 3):
        theirs = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(x).predict(pen=pen)[:-1]
        _, ours, _ = _core.pelt_segments(x, np.array([0, n]), 0, np.array([pen]), min_size, False)
        ours = ours.tolist()
        assert ours == optimal_partition(x, 0, pen, min_size)
        if min_size == 1:
            assert ours == theirs
        else:
            assert _objective(x, ours, pen) <= _objective(x, theirs, pen) + 1e-9


def test_pelt_starts_threads_and_is_deterministic():
    rng = np.random.default_rng(3)
    ns, L = 4000, 70
    values = rng.normal(size=ns * L)
    values[rng.random(ns * L) < 0.05] = np.nan
    offsets = np.arange(0, ns * L + 1, L, dtype=np.int64)
    pen = np.full(ns, 2 * np.log(L))
    run = lambda: _core.pelt_segments(values, offsets, 0, pen, 2, True)
    assert_threads_start(run)
    over_threads(run, "pelt_segments")


def test_pelt_errors_name_the_row():
    values = np.array([0.0, 1.0, np.nan, 2.0, np.inf, 3.0])
    off = np.array([0, 3, 6], np.int64)
    with pytest.raises(ValueError, match=r"pelt_segments: values must be finite or NaN; got inf "
                                         r"at row 4"):
        _core.pelt_segments(values, off, 0, np.ones(2), 1, False)
    neg = np.array([0.0, 1.0, 2.0, -1.0])
    with pytest.raises(ValueError, match="values must be non-negative; got -1.0 at row 3"):
        _core.pelt_segments(neg, np.array([0, 4], np.int64), 1, np.ones(1), 1, False)
    with pytest.raises(ValueError, match="offsets must rise"):
        _core.pelt_segments(values, np.array([0, 7], np.int64), 0, np.ones(1), 1, False)
    with pytest.raises(ValueError, match="penalty must be finite and non-negative"):
        _core.pelt_segments(values, off, 0, np.array([1.0, -1.0]), 1, False)
    with pytest.raises(ValueError, match="min_size"):
        _core.pelt_segments(values, off, 0, np.ones(2), 0, False)
    with pytest.raises(ValueError, match="scale needs cost"):
        _core.pelt_segments(values, off, 1, np.ones(2), 1, True)


def test_pelt_survives_inputs_changed_under_it():
    """Another thread rewrites the values (finite, NaN, inf) while the kernel runs."""
    rng = np.random.default_rng(4)
    ns, L = 300, 60
    values = rng.normal(size=ns * L)
    offsets = np.arange(0, ns * L + 1, L, dtype=np.int64)
    pen = np.full(ns, 5.0)
    choices = np.array([np.nan, np.inf, 1e308, -3.0, 0.0])

    def mutate():
        i = rng.integers(0, len(values), 50)
        values[i] = rng.choice(choices, 50)

    ok, errors = hammer(lambda: _core.pelt_segments(values, offsets, 0, pen, 2, True), mutate,
                        seconds=1.0, allowed=lambda e: "values" in str(e))
    assert ok + errors > 0


# ---------------------------------------------------------------- the public function


def _steps(levels, lengths, noise, seed):
    rng = np.random.default_rng(seed)
    x = np.concatenate([np.full(n, lv) for lv, n in zip(levels, lengths)])
    return x + rng.normal(0, noise, len(x))


def test_known_breaks_are_found():
    x = _steps([0.0, 1.0, -0.5], [30, 25, 20], 0.2, 1)
    s = pd.Series(x, index=pd.Index(range(1940, 2015), name="year"))
    cp = mp.changepoints(s)
    assert cp.breaks["year"].tolist() == [1970, 1995]
    # means and lengths against plain pandas over the segments found
    seg = np.searchsorted([1970, 1995], s.index, side="right")
    means = s.groupby(seg).mean()
    np.testing.assert_allclose(cp.breaks["mean_before"], means.iloc[:2], rtol=1e-12)
    np.testing.assert_allclose(cp.breaks["mean_after"], means.iloc[1:], rtol=1e-12)
    np.testing.assert_allclose(cp.breaks["shift"], np.diff(means.to_numpy()), rtol=1e-12)
    assert cp.breaks["n_before"].tolist() == [30, 25]
    assert cp.breaks["n_after"].tolist() == [25, 20]
    assert cp.segments[["start", "end", "n"]].to_numpy().tolist() == \
        [[1940, 1969, 30], [1970, 1994, 25], [1995, 2014, 20]]


def test_default_penalty_is_bic_with_estimated_variance():
    """penalty 'bic' = 2 log n sigma^2 with sigma from the MAD of first differences: the
    same breaks as the plain DP run with that penalty computed here."""
    x = _steps([0.0, 0.6, 0.1, 0.9], [15, 12, 18, 10], 0.3, 2)
    sig = (np.median(np.abs(np.diff(x))) / MAD) ** 2 / 2
    want = optimal_partition(x, 0, 2 * np.log(len(x)) * sig, 2)
    cp = mp.changepoints(pd.Series(x))
    assert cp.breaks["time"].tolist() == want
    assert sig == pytest.approx(sigma2(x))
    # a known variance and a numeric penalty
    cp2 = mp.changepoints(pd.Series(x), variance=0.09, penalty=10.0)
    assert cp2.breaks["time"].tolist() == optimal_partition(x, 0, 10.0 * 0.09, 2)
    aic = mp.changepoints(pd.Series(x), penalty="aic")
    assert aic.breaks["time"].tolist() == optimal_partition(x, 0, 4.0 * sig, 2)


def test_poisson_rate_change():
    rng = np.random.default_rng(5)
    counts = np.r_[rng.poisson(3, 40), rng.poisson(12, 30)].astype(np.int64)
    idx = pd.date_range("2015-01-01", periods=70, freq="MS")
    cp = mp.changepoints(pd.Series(counts, index=idx), cost="poisson")
    assert cp.breaks["time"].tolist() == [idx[40]]
    assert cp.breaks["mean_before"].iloc[0] == pytest.approx(counts[:40].mean())
    want = optimal_partition(counts.astype(float), 1, 2 * np.log(70), 2)
    assert want == [40]
    with pytest.raises(mp.InputError, match=r"changepoints: series must be non-negative; got -1.0 at row 2"):
        mp.changepoints(pd.Series([1.0, 2.0, -1.0, 4.0]), cost="poisson")


def _long(seed=0, ndyads=30, years=range(1960, 2000)):
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(ndyads):
        a, b = 2 + d, 200 + d
        jump = rng.integers(1965, 1995)
        for y in years:
            if rng.random() < 0.1:
                continue  # a missing year: a gap
            v = (0.8 if y >= jump else 0.0) + rng.normal(0, 0.15)
            rows.append((a, b, y, v, int(rng.integers(5, 50))))
    return pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "kappa", "n"])


def test_long_frame_matches_per_series_reference():
    df = _long()
    shuffled = df.sample(frac=1.0, random_state=3).set_index(np.arange(len(df))[::-1] * 7)
    cp = mp.changepoints(shuffled, "kappa")
    got = cp.breaks
    for (a, b), g in df.groupby(["ccode1", "ccode2"]):
        g = g.sort_values("year")
        x = g["kappa"].to_numpy()
        pen = 2 * np.log(len(x)) * sigma2(x)
        want = g["year"].to_numpy()[optimal_partition(x, 0, pen, 2)]
        mine = got[(got.ccode1 == a) & (got.ccode2 == b)]
        assert mine["year"].tolist() == want.tolist()
        for _, r in mine.iterrows():
            before = g[(g.year < r.year)]
            prev = mine[mine.year < r.year]["year"]
            if len(prev):
                before = before[before.year >= prev.max()]
            assert r.mean_before == pytest.approx(before["kappa"].mean(), rel=1e-12)
            assert r.evidence_before == before["n"].sum()
            assert r.last_before == before["year"].max()
    # gaps: a NaN row is the same as an absent row
    with_nan = df.copy()
    with_nan.loc[::5, "kappa"] = np.nan
    dropped = with_nan.dropna(subset=["kappa"])
    a = mp.changepoints(with_nan, "kappa").breaks
    b = mp.changepoints(dropped, "kappa").breaks
    pd.testing.assert_frame_equal(a.drop(columns=["evidence_before", "evidence_after"]),
                                  b.drop(columns=["evidence_before", "evidence_after"]))


def test_short_series_are_counted_not_dropped():
    df = pd.DataFrame({"ccode1": [2, 2, 2, 20, 20, 40] + [60] * 8,
                       "ccode2": [200] * 3 + [200] * 2 + [200] + [200] * 8,
                       "year": [2000, 2001, 2002, 2000, 2001, 2000] + list(range(2000, 2008)),
                       "kappa": [0.1, 0.2, 0.3, 0.1, 0.2, 0.5, 0, 0, 0, 0, 1, 1, 1, 1.0]})
    cp = mp.changepoints(df, "kappa", min_size=2)
    assert cp.info["series"] == 4 and cp.info["skipped"] == 3
    assert cp.skipped[["ccode1", "n"]].to_numpy().tolist() == [[2, 3], [20, 2], [40, 1]]
    assert cp.breaks[["ccode1", "year"]].to_numpy().tolist() == [[60, 2004]]
    assert "3 too short" in repr(cp)


def test_bad_input():
    df = _long(ndyads=2)
    with pytest.raises(ValueError, match="cost must be one of"):
        mp.changepoints(df, "kappa", cost="var")
    with pytest.raises(ValueError, match="penalty must be one of"):
        mp.changepoints(df, "kappa", penalty="mbic")
    with pytest.raises(ValueError, match="penalty must be finite"):
        mp.changepoints(df, "kappa", penalty=-1.0)
    with pytest.raises(ValueError, match="min_size must be >= 1"):
        mp.changepoints(df, "kappa", min_size=0)
    with pytest.raises(ValueError, match="missing column"):
        mp.changepoints(df, "tau")
    with pytest.raises(ValueError, match="measure must name"):
        mp.changepoints(df)
    with pytest.raises(TypeError, match="data must be"):
        mp.changepoints([1.0, 2.0])
    with pytest.raises(TypeError, match="series"):
        mp.changepoints(pd.Series(["a", "b", "c", "d"]))
    dup = pd.concat([df, df.iloc[[3]]])
    with pytest.raises(ValueError, match="duplicate"):
        mp.changepoints(dup, "kappa")
    bad = df.copy()
    bad.loc[bad.index[7], "kappa"] = np.inf
    with pytest.raises(mp.InputError, match=r"column 'kappa' must be finite or NaN; got inf at "
                                            r"row 7"):
        mp.changepoints(bad, "kappa")
    with pytest.raises(ValueError, match="variance"):
        mp.changepoints(df, "kappa", cost="poisson", variance=1.0)


def test_event_tensor_input():
    rng = np.random.default_rng(6)
    n = 3000
    day = rng.integers(0, 365, n)
    a1 = rng.choice(["USA", "CHN", "RUS"], n)
    a2 = rng.choice(["USA", "CHN", "RUS"], n)
    w = np.where((a1 == "USA") & (a2 == "CHN") & (day > 200), -8.0, 1.0)
    ev = pd.DataFrame({"actor1": pd.Categorical(a1), "actor2": pd.Categorical(a2),
                       "date": pd.Timestamp("2020-01-01") + pd.to_timedelta(day, unit="D"),
                       "goldstein": w, "quad_class": np.ones(n, np.int8)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        T = mp.event_tensor(ev, freq="W-MON")
    cp = mp.changepoints(T, min_size=3)
    usa_chn = cp.breaks[(cp.breaks.actor1 == "USA") & (cp.breaks.actor2 == "CHN")]
    assert len(usa_chn) >= 1
    first = usa_chn["time"].min()
    assert abs((first - pd.Timestamp("2020-07-20")).days) <= 14
    # every active ordered pair is a series (3 actors: 6 pairs)
    assert cp.info["series"] == 6


# ---------------------------------------------------------------- real UN votes


@pytest.fixture(scope="module")
def unvote_kappa(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        votes = mp.read_unvotes(data_dir / "un_votes" / "voeten_UNVotesPublished.csv.gz")
    return mp.similarity(votes, kind="unvote", measures=("kappa",))


def test_real_unvotes_every_dyad_against_reference(unvote_kappa):
    """All undirected dyads through the kernel; a sample of them through the plain DP and
    (where exact, min_size 1) ruptures, and Russia-China / Russia-USA explicitly."""
    und = unvote_kappa[unvote_kappa.ccode1 < unvote_kappa.ccode2]
    cp = mp.changepoints(und, "kappa")
    assert cp.info["series"] == und.groupby(["ccode1", "ccode2"]).ngroups
    assert cp.info["series"] == cp.info["segmented"] + cp.info["skipped"] + cp.info["constant"]
    groups = dict(list(und.groupby(["ccode1", "ccode2"])))
    rng = np.random.default_rng(0)
    keys = list(groups)
    sample = [keys[i] for i in rng.choice(len(keys), 40, replace=False)] + [(365, 710), (2, 365)]
    for key in sample:
        g = groups[key].sort_values("year")
        x = g["kappa"].to_numpy()
        x, yrs = x[~np.isnan(x)], g["year"].to_numpy()[~np.isnan(x)]
        mine = cp.breaks[(cp.breaks.ccode1 == key[0]) & (cp.breaks.ccode2 == key[1])]
        if len(x) < 4:
            assert mine.empty
            continue
        s2 = sigma2(x)
        want = yrs[optimal_partition(x, 0, 2 * np.log(len(x)) * s2, 2)] if s2 > 0 else []
        assert mine["year"].tolist() == list(want), key


def test_real_unvotes_russia_china_against_ruptures(unvote_kappa):
    rpt = pytest.importorskip("ruptures")
    g = unvote_kappa[(unvote_kappa.ccode1 == 365) & (unvote_kappa.ccode2 == 710)]
    g = g.dropna(subset=["kappa"]).sort_values("year")
    x = g["kappa"].to_numpy()
    pen = 2 * np.log(len(x)) * sigma2(x)
    theirs = rpt.Pelt(model="l2", min_size=1, jump=1).fit(x).predict(pen=pen)[:-1]
    cp = mp.changepoints(g, "kappa", min_size=1)
    assert cp.breaks["year"].tolist() == g["year"].to_numpy()[theirs].tolist()


# ---------------------------------------------------------------- BOCPD


def _segment_loglik(x, mu0, t0, s2):
    """log N(x; mu0 1, s2 I + t0 1 1'): a segment's marginal likelihood, written directly."""
    n = len(x)
    cov = s2 * np.eye(n) + t0 * np.ones((n, n))
    d = x - mu0
    sign, logdet = np.linalg.slogdet(cov)
    return -0.5 * (n * np.log(2 * np.pi) + logdet + d @ np.linalg.solve(cov, d))


def _enumerated_break_probability(x, h, lag, s2):
    """P(the segment holding x[e] began at t | x[:e+1]), e = min(t + lag, n - 1), by summing
    over every set of segment starts (Bernoulli(h) per period: the constant hazard)."""
    import itertools

    n = len(x)
    mu0, t0 = float(np.median(x)), max(float(np.var(x, ddof=1)), s2)
    out = np.full(n, np.nan)
    for t in range(1, n):
        e = min(t + lag, n - 1)
        num = den = 0.0
        for starts in itertools.product([0, 1], repeat=e):
            edges = [0] + [i + 1 for i, s in enumerate(starts) if s] + [e + 1]
            k = sum(starts)
            logp = k * np.log(h) + (e - k) * np.log1p(-h)
            logp += sum(_segment_loglik(x[a:b], mu0, t0, s2) for a, b in zip(edges, edges[1:]))
            p = np.exp(logp)
            den += p
            if edges[-2] == t:
                num += p
        out[t] = num / den
    return out


@pytest.mark.parametrize("seed", range(3))
def test_break_probability_equals_enumeration(seed):
    rng = np.random.default_rng(seed)
    x = np.r_[np.zeros(4), np.full(5, 1.5)] + rng.normal(0, 0.4, 9)
    s2 = 0.16
    for lag in (0, 2):
        got = mp.break_probability(pd.Series(x), hazard=0.1, lag=lag, variance=s2)
        want = _enumerated_break_probability(x, 0.1, lag, s2)
        np.testing.assert_allclose(got.to_numpy(), want, rtol=1e-9, equal_nan=True)


def test_break_probability_gaps_and_errors():
    x = pd.Series([0.0, 0.1, np.nan, -0.1, 1.0, 1.1, 0.9, 1.0], index=range(2000, 2008))
    p = mp.break_probability(x)
    assert np.isnan(p.iloc[0]) and np.isnan(p.iloc[2])
    assert p.idxmax() == 2004
    q = mp.break_probability(x.dropna())
    np.testing.assert_allclose(p.dropna().to_numpy(), q.dropna().to_numpy())
    with pytest.raises(ValueError, match="hazard"):
        mp.break_probability(x, hazard=1.5)
    with pytest.raises(ValueError, match="lag"):
        mp.break_probability(x, lag=-1)
    with pytest.raises(TypeError, match="Series"):
        mp.break_probability(x.to_numpy())


def test_plot_one_series():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = _steps([0.0, 1.0], [20, 20], 0.1, 7)
    cp = mp.changepoints(pd.Series(x, index=pd.Index(range(1970, 2010), name="year")))
    ax = cp.plot()
    # the observed line, two segment means, one break line
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    assert ax.lines[1].get_xdata()[0] == 1990
    with pytest.raises(ValueError, match="one value per key"):
        cp.plot(365)
    plt.close("all")
