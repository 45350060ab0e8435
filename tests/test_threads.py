"""The thread runtime and concurrency: concurrent calls from Python threads give the serial
result; the kernels really start worker threads at these sizes (``_core.threads_started``);
the thread count gives bitwise identical results; set_num_threads / get_num_threads /
num_threads and MULTIPOLAR_NUM_THREADS behave as documented."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar import _core

PYTHON_DIR = str(Path(mp.__file__).resolve().parents[1])

# The power kernels cut the totals pass into blocks of 2^20 rows and the
# concentration pass into tasks of 64 groups (csrc/power.c): these sizes give
# several blocks and tasks, so worker threads really run.
N = (1 << 21) + 3
NGROUPS = 512


@pytest.fixture(scope="module")
def big():
    rng = np.random.default_rng(11)
    vals = rng.gamma(1.0, 1.0, N)
    vals[rng.random(N) < 0.1] = np.nan
    codes = rng.integers(0, NGROUPS, N).astype(np.int32)
    return vals, codes


def _started(fn, n):
    before = _core.threads_started()
    with mp.num_threads(n):
        out = fn()
    return out, _core.threads_started() - before


def test_concurrent_kernel_calls_match_serial(big):
    vals, codes = big
    rev = vals[::-1]
    conc = lambda: _core.group_concentration(vals, codes, NGROUPS)
    shares = lambda: _core.group_shares((vals, rev), codes, NGROUPS)
    mp.set_num_threads(2)
    serial_conc, serial_shares = conc(), shares()
    before = _core.threads_started()
    with ThreadPoolExecutor(3) as pool:
        concs = list(pool.map(lambda _: conc(), range(4)))
        sh = list(pool.map(lambda _: shares(), range(4)))
    assert _core.threads_started() > before, "the concurrent calls started no worker thread"
    for c in concs:
        np.testing.assert_array_equal(c, serial_conc)
    for s in sh:
        np.testing.assert_array_equal(s, serial_shares)


def test_concurrent_public_calls_match_serial():
    rng = np.random.default_rng(12)
    years = np.repeat(np.arange(1900, 2000), 50)
    df = pd.DataFrame({"ccode": np.tile(np.arange(2, 52), 100), "year": years})
    for c in ("milex", "milper", "irst", "pec", "tpop", "upop"):
        df[c] = rng.gamma(1.0, 10.0, len(df))
    serial = mp.concentration(df)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: mp.concentration(df), range(6)))
    for r in results:
        pd.testing.assert_frame_equal(r, serial)


@pytest.mark.parametrize("kernel", ["group_shares", "group_concentration"])
def test_thread_count_does_not_change_results_and_threads_start(big, kernel):
    vals, codes = big
    if kernel == "group_shares":
        fn = lambda: _core.group_shares((vals, vals[::-1], vals * 2), codes, NGROUPS)
    else:
        fn = lambda: _core.group_concentration(vals, codes, NGROUPS)
    one, started1 = _started(fn, 1)
    assert started1 == 0, "one thread must run on the calling thread only"
    for n in (2, 3, 4):
        out, started = _started(fn, n)
        assert started >= 1, f"no worker thread started at {n} threads"
        np.testing.assert_array_equal(out, one)


# ---------------------------------------------------------------- the runtime


def test_set_get_and_context_manager():
    default = mp.get_num_threads()
    assert 1 <= default <= 64
    assert mp.set_num_threads(3) == default
    assert mp.get_num_threads() == 3
    with mp.num_threads(1) as n:
        assert n == 1 and mp.get_num_threads() == 1
        with mp.num_threads(5):
            assert mp.get_num_threads() == 5
        assert mp.get_num_threads() == 1
    assert mp.get_num_threads() == 3
    with pytest.raises(KeyError):  # the previous setting comes back after an exception too
        with mp.num_threads(2):
            raise KeyError("x")
    assert mp.get_num_threads() == 3
    assert mp.set_num_threads(None) == 3
    assert mp.get_num_threads() == default  # None restores the default found at import


@pytest.mark.parametrize("bad", ["2", 2.0, True, [2], object()])
def test_set_num_threads_rejects_bad_types(bad):
    before = mp.get_num_threads()
    with pytest.raises(TypeError, match="set_num_threads"):
        mp.set_num_threads(bad)
    with pytest.raises(TypeError):
        with mp.num_threads(bad):
            pass
    assert mp.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -1, 65, 2**63, -(2**70)])
def test_set_num_threads_rejects_bad_values(bad):
    before = mp.get_num_threads()
    with pytest.raises(ValueError, match="set_num_threads"):
        mp.set_num_threads(bad)
    assert mp.get_num_threads() == before


def test_core_runtime_rejects_bad_values():
    before = _core.get_num_threads()
    for bad in (0, -3, 65, "2", 1.5):
        with pytest.raises((TypeError, ValueError, OverflowError)):
            _core.set_num_threads(bad)
    assert _core.get_num_threads() == before


def _fresh(env_extra: dict[str, str], prefix: list[str] | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "MULTIPOLAR_NUM_THREADS"}
    env.update(env_extra)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (PYTHON_DIR, env.get("PYTHONPATH")) if p)
    cmd = [*(prefix or []), sys.executable, "-c",
           "import multipolar as mp; print(mp.get_num_threads())"]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


@pytest.mark.parametrize("value,want", [("3", "3"), ("1", "1"), ("64", "64")])
def test_environment_variable_is_read_at_import(value, want):
    assert _fresh({"MULTIPOLAR_NUM_THREADS": value}) == want


def test_default_follows_the_affinity_mask():
    if shutil.which("taskset") is None:
        pytest.skip("taskset is not installed")
    assert _fresh({}, ["taskset", "-c", "0"]) == "1"


def test_concurrent_event_and_bargaining_calls_match_serial():
    rng = np.random.default_rng(14)
    n = (1 << 20) + 7  # two blocks of the event loop: worker threads inside each call
    code = rng.integers(-1, 30, n).astype(np.int16)
    amap = np.arange(30, dtype=np.int64)
    w = rng.uniform(-10, 10, n)
    t = rng.integers(0, 1000, n).astype(np.int64) * 86_400

    def events():
        out = np.zeros((30, 30))
        counts = _core.decay_accumulate(out, None, code, amap, code[::-1], amap, w, t, None, None,
                                        None, 86_400, 7 * 86_400.0)
        return out, counts

    mp.set_num_threads(2)
    serial = events()
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: events(), range(4)))
    for out, counts in results:
        np.testing.assert_array_equal(out, serial[0])
        assert counts == serial[1]
