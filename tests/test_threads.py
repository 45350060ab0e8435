"""Concurrent calls from Python threads give the serial result (the kernels release the GIL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

import multipolar as mp
from multipolar import _core


def test_concurrent_kernel_calls_match_serial():
    rng = np.random.default_rng(11)
    n = 200_000  # above the size at which the kernels release the GIL and use worker threads
    vals = rng.gamma(1.0, 1.0, n)
    vals[rng.random(n) < 0.1] = np.nan
    codes = rng.integers(0, 300, n).astype(np.int32)
    serial_conc = _core.group_concentration(vals, codes, 300)
    serial_shares = _core.group_shares((vals, vals[::-1]), codes, 300)
    with ThreadPoolExecutor(4) as pool:
        concs = list(pool.map(lambda _: _core.group_concentration(vals, codes, 300), range(8)))
        shares = list(pool.map(lambda _: _core.group_shares((vals, vals[::-1]), codes, 300), range(8)))
    for c in concs:
        np.testing.assert_array_equal(c, serial_conc)
    for s in shares:
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


def test_worker_thread_count_does_not_change_results(monkeypatch):
    rng = np.random.default_rng(13)
    n = 100_000
    comps = tuple(rng.gamma(1.0, 1.0, n) for _ in range(3))
    codes = rng.integers(0, 50, n).astype(np.int16)
    base = _core.group_shares(comps, codes, 50)
    # the thread count is read per call from the environment
    mp.set_num_threads(int("1"))
    one = _core.group_shares(comps, codes, 50)
    mp.set_num_threads(int("3"))
    three = _core.group_shares(comps, codes, 50)
    np.testing.assert_array_equal(one, base)
    np.testing.assert_array_equal(three, base)
