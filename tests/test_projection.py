"""Projection: the C path kernel against a plain NumPy reference, reproducibility of the
block streams (one call, chunks, threads, Dask), the public API on COW NMC, and bad input."""

from __future__ import annotations

import gc
import os
import sys

import multipolar as mp
import numpy as np
import pandas as pd
import pytest
from conftest import core_rejects
from reference import projection as twin
from multipolar import _core
from multipolar.projection import BLOCK, Projection, project, project_distributed

SANITIZED = os.environ.get("MULTIPOLAR_SANITIZED", "") not in ("", "0")


def _gens(seed: int, n: int) -> tuple[np.random.PCG64, ...]:
    ss = np.random.SeedSequence(seed)
    return tuple(np.random.PCG64(c) for c in ss.spawn(n))


# --------------------------------------------------------------------------- normals


def test_block_normals_are_standard_normal():
    from scipy import stats

    z = _core.block_normals((np.random.PCG64(11),), 200_000)
    assert abs(z.mean()) < 0.01 and abs(z.var() - 1) < 0.01
    assert stats.kstest(z, "norm").pvalue > 1e-3
    # the tail beyond the ziggurat's R is sampled at its normal rate
    tail = np.mean(np.abs(z) > 3.0)
    assert abs(tail - 2 * stats.norm.sf(3.0)) < 4e-4


def test_block_normals_continue_the_stream():
    a = np.random.PCG64(5)
    b = np.random.PCG64(5)
    whole = _core.block_normals((a,), 1000)
    parts = np.concatenate([_core.block_normals((b,), 400), _core.block_normals((b,), 600)])
    assert np.array_equal(whole, parts)


# --------------------------------------------------------------------------- normals vs the twin


@pytest.mark.parametrize("seed", [0, 5, 2024])
def test_block_normals_equal_the_python_ziggurat_twin(seed):
    """The C normals, bit for bit, against the ziggurat written out in Python."""
    child = np.random.SeedSequence(seed).spawn(3)[2]
    got = _core.block_normals((np.random.PCG64(child),), 20_000)
    want = twin.block_normals(child, 20_000)
    assert got.tobytes() == want.tobytes()


def test_twin_covers_the_tail_and_the_wedges():
    """Enough draws that every branch of the twin (core, wedge, tail) is taken and agrees."""
    ss = np.random.SeedSequence(77)
    z = twin.ZigguratNormals(np.random.PCG64(ss))
    want = z.normals(60_000)
    assert z.words_used > 60_000  # some candidates were rejected in a wedge or the tail
    assert (np.abs(want) > twin.R).any()  # the tail
    got = _core.block_normals((np.random.PCG64(ss),), 60_000)
    assert got.tobytes() == want.tobytes()


def test_ziggurat_tables_are_marsaglia_tsang():
    x, f = twin.ziggurat_tables()
    # every layer (and the base strip with the tail) has area V
    areas = [x[i] * (f[i + 1] - f[i]) for i in range(1, 256)]
    np.testing.assert_allclose(areas, twin.V, rtol=1e-9)
    assert 0 < x[255] < 0.3 and x[256] == 0.0


# --------------------------------------------------------------------------- kernel vs reference


@pytest.mark.parametrize("na,unipolar,param", [(3, None, False), (4, 0.5, False),
                                               (1, None, False), (3, None, True)])
def test_kernel_matches_numpy_reference(na, unipolar, param):
    rng = np.random.default_rng(na)
    n, H, bins = 5, 6, 50
    log0 = np.log(rng.uniform(0.5, 2.0, n))
    drift = rng.normal(0, 0.02, (H, n))
    a = rng.normal(0, 0.05, (n, n))
    factor = a @ a.T
    dfactor = factor / 4 if param else None
    pairs = np.array([[0, 1], [4, 2]], dtype=np.int64)
    sizes = np.array([BLOCK, 37], dtype=np.int64)
    seed = 99
    got = _core.project_paths(
        _gens(seed, 2), sizes, log0, drift, factor, na, pairs, 0.3,
        np.nan if unipolar is None else unipolar, bins, True, dfactor,
    )
    share_hist, con_hist, neff_hist, labels, poles, first, over, ssum, values = got
    ref = twin.project_paths(np.random.SeedSequence(seed).spawn(2), sizes, log0, drift, factor,
                             na, pairs.tolist(), 0.3, unipolar, bins, dfactor)
    np.testing.assert_allclose(values, ref["values"], rtol=1e-12)
    assert np.array_equal(labels, ref["labels"])
    assert np.array_equal(poles, ref["poles"])
    assert np.array_equal(over, ref["over"])
    assert np.array_equal(first, ref["first"])
    # a share exactly on a bin edge may land either side by one rounding step
    assert np.abs(share_hist - ref["share_hist"]).sum() <= 4
    np.testing.assert_allclose(ssum.sum(axis=0) / sizes.sum(), ref["mean_share"], rtol=1e-12)
    total = sizes.sum()
    assert (share_hist.sum(axis=2) == total).all()
    assert (con_hist.sum(axis=1) == (total if na >= 2 else 0)).all()
    assert (neff_hist.sum(axis=1) == total).all()
    if na >= 2:
        ref_con = np.stack([np.bincount(np.minimum((c * bins).astype(int), bins - 1),
                                        minlength=bins) for c in ref["con"]])
        assert np.abs(con_hist - ref_con).sum() <= 4


def test_labels_follow_polarity_rule():
    """The kernel's labels equal multipolar.polarity() on the same simulated shares."""
    rng = np.random.default_rng(3)
    n, H = 4, 3
    a = rng.normal(0, 0.2, (n, n))
    log0 = np.log([1.0, 0.9, 0.5, 0.3])
    sizes = np.array([64], dtype=np.int64)
    out = _core.project_paths(
        _gens(4, 1), sizes, log0, np.zeros((H, n)), a @ a.T, n,
        np.zeros((0, 2), np.int64), 0.2, np.nan, 10, True,
    )
    values = out[-1]  # (paths, H, n)
    codes = [2, 365, 710, 750]
    rows = [
        {"ccode": codes[i], "year": p * 10 + t, "v": values[p, t, i]}
        for p in range(values.shape[0]) for t in range(H) for i in range(n)
    ]
    pol = mp.polarity(pd.DataFrame(rows), value="v", among=codes, threshold=0.2)
    counts = np.zeros((H, 3), int)
    for key, lab in pol["label"].items():
        counts[key % 10, ["unipolar", "bipolar", "multipolar"].index(lab)] += 1
    assert np.array_equal(counts, out[3])


# --------------------------------------------------------------------------- reproducibility


@pytest.fixture(scope="module")
def nmc(data_dir):
    return mp.read_nmc(data_dir / "cow_nmc" / "nmc_v7_abridged_peacesciencer.csv")


def _arrays(p: Projection) -> list[np.ndarray]:
    return [p._share_hist, p._con_hist, p._neff_hist, p._labels, p._poles, p._first_over,
            p._over, p._share_sum]


def _same(p: Projection, q: Projection) -> None:
    for a, b in zip(_arrays(p), _arrays(q)):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()


KW = {"paths": 3 * BLOCK + 100, "years": 12, "seed": 2024, "pairs": [("CHN", "USA"), ("IND", "RUS")]}


def test_same_seed_bitwise_in_one_call_chunks_and_threads(nmc, monkeypatch):
    whole = project(nmc, **KW)
    again = project(nmc, **KW)
    _same(whole, again)
    parts = [project(nmc, blocks=(0, 1), **KW), project(nmc, blocks=(1, 3), **KW),
             project(nmc, blocks=(3, 4), **KW)]
    merged = Projection.merge(parts[::-1])
    _same(whole, merged)
    assert merged.complete and merged.paths == KW["paths"]
    for nthreads in ("1", "3"):
        mp.set_num_threads(int(nthreads))
        _same(whole, project(nmc, **KW))
    other = project(nmc, **{**KW, "seed": 2025})
    assert not np.array_equal(other._share_sum, whole._share_sum)


def test_streams_are_the_spawned_children(nmc):
    p = project(nmc, paths=BLOCK, years=2, seed=7, keep_paths=True)
    child = np.random.SeedSequence(7).spawn(1)[0]
    n = len(p.states)
    # one drift draw per path first (the parameter error), then the yearly shocks
    allz = twin.block_normals(child, 3 * BLOCK * n)
    u = allz[: BLOCK * n].reshape(BLOCK, n)
    z = allz[BLOCK * n:].reshape(2, BLOCK, n)
    cfg = p._config
    step0 = cfg.drift[0] + u @ cfg.drift_factor.T + z[0] @ cfg.factor.T
    np.testing.assert_allclose(p.path_values[:, 0, :], np.exp(cfg.log0 + step0), rtol=1e-12)
    fixed = project(nmc, paths=BLOCK, years=2, seed=7, keep_paths=True, parameter_error=False)
    assert fixed._config.drift_factor is None
    step0 = cfg.drift[0] + allz[: BLOCK * n].reshape(BLOCK, n) @ cfg.factor.T
    np.testing.assert_allclose(fixed.path_values[:, 0, :], np.exp(cfg.log0 + step0),
                               rtol=1e-12)


def test_threads_concurrent_calls_match_serial(nmc):
    from concurrent.futures import ThreadPoolExecutor

    kw = {"paths": 2 * BLOCK, "years": 5, "seed": 1}
    serial = project(nmc, **kw)
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda _: project(nmc, **kw), range(4)))
    for r in results:
        _same(serial, r)


def test_merge_rejects_gaps_and_other_runs(nmc):
    a = project(nmc, blocks=(0, 1), **KW)
    c = project(nmc, blocks=(2, 4), **KW)
    with pytest.raises(ValueError, match="consecutive"):
        Projection.merge([a, c])
    d = project(nmc, blocks=(1, 4), **{**KW, "seed": 1})
    with pytest.raises(ValueError, match="different runs"):
        Projection.merge([a, d])


@pytest.mark.skipif(SANITIZED, reason="no Dask workers under AddressSanitizer")
def test_dask_localcluster_bitwise_equal(nmc):
    import distributed

    kw = {"paths": 4 * BLOCK + 5, "years": 8, "seed": 31, "pairs": [("CHN", "USA")],
          "value": "milex"}
    local = project(nmc, **kw)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster, distributed.Client(cluster):
        remote = project_distributed(nmc, chunks=3, **kw)
        public = mp.distributed.project(nmc, chunks=2, **kw)
    _same(local, remote)
    _same(local, public)
    assert remote.paths == local.paths


# --------------------------------------------------------------------------- public API


def test_project_nmc_majors(nmc):
    p = project(nmc, paths=4 * BLOCK, seed=5, pairs=[("CHN", "USA")])
    assert p.start_year == int(nmc.year.max())
    assert p.years[0] == p.start_year + 1 and len(p.years) == 30
    assert set(p.among) == set(mp.majors(p.start_year).tolist())
    pol = p.polarity()
    np.testing.assert_allclose(pol.sum(axis=1), 1.0)
    sh = p.shares()
    assert list(sh.columns) == ["mean", "q5", "q25", "q50", "q75", "q95"]
    assert (sh["q5"] <= sh["q50"] + 1e-12).all() and (sh["q50"] <= sh["q95"] + 1e-12).all()
    mean_total = sh["mean"].groupby(level="year").sum()
    np.testing.assert_allclose(mean_total, 1.0, rtol=1e-12)
    conc = p.concentration()
    assert ((conc["n_eff_q50"] >= 1) & (conc["n_eff_q50"] <= len(p.among))).all()
    ov = p.overtaking()
    by = ov.loc["CHN>USA", "p_by"]
    assert (np.diff(by.to_numpy()) >= 0).all()
    s = p.summary()
    assert {"p_bipolar", "con_q50", "share_CHN_q50", "p_CHN>USA_by"} <= set(s.columns)
    cal = p.calibration
    assert list(cal.index) == list(p.states)
    assert repr(p).startswith("Projection(")


def test_quantiles_match_exact_quantiles_of_kept_paths(nmc):
    p = project(nmc, paths=2 * BLOCK, years=3, seed=8, keep_paths=True, bins=4000)
    v = p.path_values[:, :, : len(p.among)]
    shares = v / v.sum(axis=2, keepdims=True)
    exact = np.quantile(shares[:, 2, :], [0.1, 0.5, 0.9], axis=0)  # last year
    got = p.shares([0.1, 0.5, 0.9]).xs(p.years[2], level="year")
    np.testing.assert_allclose(got.to_numpy()[:, 1:].T, exact, atol=2.0 / 4000)


def test_assumptions_shift_drift(nmc):
    base = project(nmc, paths=BLOCK, years=10, seed=3)
    low = project(nmc, paths=BLOCK, years=10, seed=3, assumptions={"CHN": {"shift": -0.05}})
    cal_b, cal_l = base.calibration, low.calibration
    assert cal_l.loc[710, "drift"] == pytest.approx(cal_b.loc[710, "drift"] - 0.05)
    chn_b = base.shares([0.5]).xs(710, level="ccode")["q50"].iloc[-1]
    chn_l = low.shares([0.5]).xs(710, level="ccode")["q50"].iloc[-1]
    assert chn_l < chn_b
    fixed = project(nmc, paths=BLOCK, years=10, seed=3,
                    assumptions={710: {"drift": 0.0, "scale": 0.0}})
    assert fixed.calibration.loc[710, "sd_growth"] == 0.0


def test_among_list_and_value(nmc):
    p = project(nmc, value="milex", among=["USA", "CHN", "RUS"], paths=BLOCK, years=5, seed=1,
                pairs=[("IND", "RUS")])
    assert p.among == (2, 365, 710) and p.states == (2, 365, 710, 750)
    for among in (np.array([710, 2, 365]), pd.Index(["RUS", "USA", "CHN"]), {2, "RUS", 710},
                  pd.Series([365, 710, 2])):
        q = project(nmc, value="milex", among=among, paths=BLOCK, years=5, seed=1)
        assert q.among == (2, 365, 710)


def test_plot_fan_chart(nmc):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = project(nmc, paths=BLOCK, years=5, seed=1)
    ax = p.plot(states=["USA", "CHN"])
    assert len(ax.lines) == 2
    plt.close("all")


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"among": "poles"}, ValueError, "among must be"),
        ({"among": np.array([[2, 365]])}, ValueError, "among must be one-dimensional"),
        ({"among": 2}, TypeError, "among must be 'majors' or a list"),
        ({"among": ["USA", "XYZ"]}, ValueError, "project: among has an unknown state; got 'XYZ'"),
        ({"pairs": [("XYZ", "USA")]}, ValueError, "project: pairs has an unknown state; got 'XYZ'"),
        ({"pairs": [("CHN", "CHN")]}, ValueError, "two different states"),
        ({"window": (2015, 2016)}, ValueError, "need at least 3"),
        ({"window": "x"}, TypeError, "window must be"),
        ({"years": 0}, ValueError, "years must be"),
        ({"years": 10**6}, ValueError, "project: years must be <= 100000"),
        ({"window": (1992.7, 2016)}, TypeError, "int years"),
        ({"paths": 1.5}, ValueError, "paths must be"),
        ({"threshold": 0}, ValueError, "threshold must be"),
        ({"seed": "a"}, TypeError, "seed must be"),
        ({"assumptions": {"BRA": {"shift": 0.1}}}, ValueError, "not projected"),
        ({"assumptions": {"CHN": {"speed": 0.1}}}, ValueError, "unknown key"),
        ({"assumptions": {"CHN": {"shift": [0.1, 0.2]}}}, ValueError, "one value per"),
        ({"blocks": (1, 0)}, ValueError, "blocks must satisfy"),
        ({"value": "gdp"}, ValueError, "missing column"),
    ],
)
def test_project_bad_arguments(nmc, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        project(nmc, **{"paths": BLOCK, "years": 3, **kwargs})


def test_project_bad_frames(nmc):
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        project(nmc.to_numpy())
    dup = pd.concat([nmc, nmc.iloc[:1]])
    with pytest.raises(ValueError, match="duplicate"):
        project(dup, paths=BLOCK)
    gone = nmc[~((nmc.ccode == 710) & (nmc.year == nmc.year.max()))]
    with pytest.raises(ValueError, match="positive"):
        project(gone, paths=BLOCK)


def test_project_missing_or_fractional_keys_raise(nmc):
    """Keys are not cast blindly: a NaN ccode or a fractional year raises, a text ccode too."""
    nan_code = nmc.assign(ccode=nmc["ccode"].astype(float))
    nan_code.loc[nan_code.index[0], "ccode"] = np.nan
    with pytest.raises(ValueError, match="project: column 'ccode' must not be missing"):
        project(nan_code, paths=BLOCK)
    with pytest.raises(ValueError, match="project: column 'year' must hold integers"):
        project(nmc.assign(year=nmc["year"] + 0.5), paths=BLOCK)
    with pytest.raises(TypeError, match="project: column 'ccode' must be numeric"):
        project(nmc.assign(ccode=nmc["ccode"].astype(str)), paths=BLOCK)


# --------------------------------------------------------------------------- direct _core calls


def _good_args():
    n, H = 3, 4
    return [
        _gens(1, 2), np.array([10, 5], np.int64), np.zeros(n), np.zeros((H, n)),
        np.eye(n) * 0.1, 2, np.array([[0, 1]], np.int64), 0.2, np.nan, 8, False,
    ]


@pytest.mark.parametrize(
    "pos,value,exc",
    [
        (0, (np.random.PCG64(1), "x"), TypeError),
        (0, [np.random.PCG64(1)], TypeError),
        (1, np.array([10, 5], np.int32), TypeError),
        (1, np.array([10, -5], np.int64), ValueError),
        (1, np.array([10], np.int64), ValueError),
        (2, np.zeros(3, np.float32), TypeError),
        (2, np.array([0.0, np.nan, 0.0]), ValueError),
        (2, np.zeros(0), ValueError),
        (3, np.zeros((4, 2)), ValueError),
        (3, np.full((4, 3), np.inf), ValueError),
        (4, np.zeros((3, 2)), ValueError),
        (5, 0, ValueError),
        (5, 4, ValueError),
        (6, np.array([[0, 3]], np.int64), ValueError),
        (6, np.array([0, 1], np.int64), ValueError),
        (7, 1.5, ValueError),
        (8, 0.0, ValueError),
        (9, 0, ValueError),
        (9, 10**9, ValueError),
    ],
)
def test_core_project_paths_rejects_bad_input(pos, value, exc):
    core_rejects("project_paths", _good_args(), pos, value, exc)


def test_core_rejects_a_generator_twice():
    g = np.random.PCG64(1)
    args = _good_args()
    args[0] = (g, g)
    with pytest.raises(ValueError, match="distinct"):
        _core.project_paths(*args)
    with pytest.raises(TypeError):
        _core.project_paths(*args[:-1])
    with pytest.raises(ValueError, match="block_normals"):
        _core.block_normals((g, np.random.PCG64(2)), 3)
    with pytest.raises(ValueError, match="block_normals"):
        _core.block_normals((g,), -1)


def test_core_refcounts_and_empty_blocks():
    args = _good_args()
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    before = [sys.getrefcount(a) for a in arrays]
    for _ in range(50):
        _core.project_paths(*args)
        bad = list(args)
        bad[7] = 2.0
        with pytest.raises(ValueError):
            _core.project_paths(*bad)
        del bad
    gc.collect()
    assert [sys.getrefcount(a) for a in arrays] == before
    empty = list(args)
    empty[0], empty[1] = (), np.zeros(0, np.int64)
    out = _core.project_paths(*empty)
    assert out[3].sum() == 0 and out[7].shape == (0, 4, 2)


def test_core_keywords_and_positions_agree():
    args = _good_args()
    names = ["bitgens", "block_paths", "log0", "drift", "factor", "n_among", "pairs",
             "threshold", "unipolar", "bins", "keep"]
    args[10] = True
    pos = _core.project_paths(*args)
    args[0] = _gens(1, 2)
    kw = _core.project_paths(**dict(zip(names, args)))
    args[0] = _gens(1, 2)
    mixed = _core.project_paths(*args[:3], **dict(zip(names[3:], args[3:])))
    for a, b, c in zip(pos, kw, mixed):
        assert a.tobytes() == b.tobytes() == c.tobytes()
    with pytest.raises(TypeError, match="project_paths"):
        _core.project_paths(*args, bins=3)


# --------------------------------------------------------------------------- generator locks


def _race(bg, kernel_calls, chunk=20_000):
    """Run kernel_calls on this thread while another thread draws chunks of raw words from
    bg (NumPy holds bg.lock while it draws). Returns the chunks and the call results."""
    import threading

    chunks, done, ready = [], threading.Event(), threading.Barrier(2)

    def drawer():
        ready.wait()
        while not done.is_set():
            chunks.append(bg.random_raw(chunk))

    t = threading.Thread(target=drawer)
    t.start()
    ready.wait()
    try:
        results = [call() for call in kernel_calls]
    finally:
        done.set()
        t.join()
    return chunks, results


def _replay(seed, chunks, calls):
    """Walk the stream of `seed` and check it is a serial interleaving of the drawer's chunks
    (in order) and the kernel calls (in order), each call taking its words as one piece.
    calls: (number of normals the call drew, check(words of the stream from its start,
    generator advanced to its start)). Returns the words used in all."""
    k = len(chunks[0]) if chunks else 0
    total = len(chunks) * k + sum(int(1.05 * n) + 4096 for n, _ in calls)
    words = np.random.PCG64(seed).random_raw(total)
    p = ci = ki = 0
    while ci < len(chunks) or ki < len(calls):
        if ci < len(chunks) and np.array_equal(words[p:p + k], chunks[ci]):
            p, ci = p + k, ci + 1
            continue
        assert ki < len(calls), f"word {p}: neither the drawer's next chunk nor a kernel call"
        n, check = calls[ki]
        _, used = twin.normals_from_words(words[p:], n)
        start = np.random.PCG64(seed)
        start.advance(p)
        check(words[p:], start)
        p, ki = p + used, ki + 1
    return p


def test_block_normals_with_a_generator_another_thread_draws_from():
    seed = np.random.SeedSequence(31)
    bg = np.random.PCG64(seed)
    n = 100_000
    chunks, got = _race(bg, [lambda: _core.block_normals((bg,), n) for _ in range(4)])

    def check(z):
        def f(words, _start):
            want, _ = twin.normals_from_words(words, n)
            assert z.tobytes() == want.tobytes(), "a kernel call's normals were interleaved"
        return f

    used = _replay(seed, chunks, [(n, check(z)) for z in got])
    after = np.random.PCG64(seed)
    after.advance(used)
    assert bg.state == after.state


def test_project_paths_with_a_generator_another_thread_draws_from():
    seed = np.random.SeedSequence(32)
    bg = np.random.PCG64(seed)
    n, H, B = 4, 10, 1000
    args = [None, np.array([B, 3], np.int64), np.zeros(n), np.full((H, n), 0.01),
            np.eye(n) * 0.1, n, np.array([[0, 1]], np.int64), 0.2, np.nan, 16, True]

    def run():
        a = list(args)
        a[0] = (bg, np.random.PCG64(5))
        return _core.project_paths(*a)

    chunks, got = _race(bg, [run, run])

    def check(out):
        def f(_words, start):
            a = list(args)
            a[0] = (start, np.random.PCG64(5))
            want = _core.project_paths(*a)
            for x, y in zip(out, want):
                assert x.tobytes() == y.tobytes(), "a kernel call's normals were interleaved"
        return f

    _replay(seed, chunks, [(H * B * n, check(out)) for out in got])


def test_kernel_waits_for_a_held_generator_lock():
    import threading

    bg = np.random.PCG64(8)
    out = {}
    with bg.lock:
        t = threading.Thread(target=lambda: out.setdefault("z", _core.block_normals((bg,), 1000)))
        t.start()
        t.join(0.3)
        assert t.is_alive() and "z" not in out  # waiting for the lock, not drawing
    t.join(30)
    assert not t.is_alive()
    assert out["z"].tobytes() == twin.block_normals(np.random.SeedSequence(8), 1000).tobytes()


def test_generators_sharing_one_lock_do_not_deadlock():
    import threading

    shared = threading.Lock()

    class SharedLock(np.random.PCG64):
        # NumPy's lock attribute is read-only; a subclass can still hand out one lock twice
        @property
        def lock(self):
            return shared

    g1, g2 = SharedLock(1), SharedLock(2)
    args = _good_args()
    args[0] = (g1, g2)
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("r", _core.project_paths(*args)))
    t.start()
    t.join(30)
    assert not t.is_alive() and "r" in out
    assert shared.acquire(blocking=False)  # released again
    shared.release()


def test_a_look_alike_of_a_bitgenerator_is_rejected():
    src = np.random.PCG64(1)

    class Fake:
        # a capsule does not keep its generator alive: only real BitGenerators are taken
        capsule = src.capsule

    with pytest.raises(TypeError, match=r"block_normals: bitgens\[0\] must be a numpy.random"):
        _core.block_normals((Fake(),), 3)
    del src


# ---------------------------------------------------------------- bounded work, Ctrl-C


@pytest.mark.parametrize("paths", [100_000_001, 10**12])
def test_paths_are_capped_before_any_work(nmc, monkeypatch, paths):
    """paths=10**12 once spawned one generator per 1,024 paths before any work."""
    from multipolar import projection

    assert projection.MAX_PATHS == 100_000_000
    monkeypatch.setattr(projection, "_run", lambda *a, **k: pytest.fail("ran"))
    with pytest.raises(ValueError, match=f"^project: paths must be <= 100000000; got {paths}$"):
        project(nmc, paths=paths, years=3, seed=1)


def test_batches_give_the_one_call_result(nmc, monkeypatch):
    from multipolar import projection

    kw = {**KW, "keep_paths": True}
    monkeypatch.setattr(projection, "_BATCH_BLOCKS", 10**6)
    whole = project(nmc, **kw)
    calls = []
    real = projection._run
    monkeypatch.setattr(projection, "_run", lambda c, a, b, k: calls.append((a, b)) or real(c, a, b, k))
    monkeypatch.setattr(projection, "_BATCH_BLOCKS", 1)
    batched = project(nmc, **kw)
    assert calls == [(0, 1), (1, 2), (2, 3), (3, 4)]
    _same(whole, batched)
    np.testing.assert_array_equal(whole.path_values, batched.path_values)
    assert batched.paths == KW["paths"] and batched.complete
    pd.testing.assert_frame_equal(whole.polarity(), batched.polarity())


def test_ctrl_c_stops_a_long_projection(nmc, monkeypatch):
    """A timer thread sends Ctrl-C (interrupt_main) once the run is under way: the run
    stops at the next batch instead of computing every path first."""
    import _thread
    import threading

    from multipolar import projection

    monkeypatch.setattr(projection, "_BATCH_BLOCKS", 2)
    done = []
    real = projection._run
    monkeypatch.setattr(projection, "_run",
                        lambda c, a, b, k: (r := real(c, a, b, k), done.append(b - a))[0])
    started = threading.Event()

    def ctrl_c():
        while not done:  # wait until the first batch has run, then press Ctrl-C
            if started.wait(0.01) and not done:
                continue
        _thread.interrupt_main()

    nblocks = 400  # 400 blocks of 1,024 paths over 60 years: many batches
    timer = threading.Thread(target=ctrl_c)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            started.set()
            project(nmc, paths=nblocks * BLOCK, years=60, seed=3)
    finally:
        timer.join()
    assert 0 < sum(done) < nblocks
