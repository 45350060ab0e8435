"""Inputs changed by another Python thread while a kernel runs without the GIL.

One test per kernel family: each kernel is called again and again, for about a second,
on the arguments the public API gave it (recorded as in test_api.py), while a second
thread writes odd values into every input array (codes and pointers beyond their range,
negative sizes, NaN and infinite values, bytes of the GDELT buffer) and puts the original
values back. The kernel must stay memory-safe: a result or a clean exception, never a
crash; under the sanitizer stage of .ci/run, never an out-of-bounds read or write. The
public functions whose wrappers hand the user's own arrays to C (concentration's value
and grouping columns, from_events' codes) get the same treatment through the public call.
"""

from __future__ import annotations

import threading
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from test_api import KERNELS, _record

import multipolar as mp
from multipolar import _core, _kernels

ALLOWED = (ValueError, TypeError, MemoryError, OverflowError)
# Arguments the kernels write (outputs): another thread writing them changes results only.
OUTPUTS = {"out", "quad_out", "used"}


@pytest.fixture(scope="module")
def recorded(data_dir):
    return _record(data_dir)


def _odd_values(a: np.ndarray, rng: np.random.Generator, k: int) -> np.ndarray:
    """k values that break the invariants a kernel could rely on for ``a``'s dtype."""
    if a.dtype.kind == "f":
        return rng.choice(np.array([np.nan, np.inf, -np.inf, -1.0, 1e308, 0.0, 2.0**62]), k)
    if a.dtype.kind in "iu":
        info = np.iinfo(a.dtype)
        picks = [info.min, info.max, -1, 0, max(len(a) - 1, 0), len(a) + 1]
        picks = [p for p in picks if info.min <= p <= info.max]
        return rng.choice(np.array(picks, dtype=a.dtype), k)
    if a.dtype.kind == "b":
        return rng.random(k) < 0.5
    return a.reshape(-1)[rng.integers(0, a.size, k)]


def _mutator(arrays: list[np.ndarray], buffers: list[bytearray], stop: threading.Event,
             seed: int) -> None:
    """Write odd values into the arrays and buffers, and put the originals back, until stop."""
    rng = np.random.default_rng(seed)
    originals = [a.copy() for a in arrays]
    raw = [bytes(b) for b in buffers]
    rounds = 0
    while not stop.is_set():
        rounds += 1
        for a, orig in zip(arrays, originals):
            flat = a.reshape(-1)
            if rounds % 3 == 0:
                flat[:] = orig.reshape(-1)
            else:
                idx = rng.integers(0, flat.size, min(64, flat.size))
                flat[idx] = _odd_values(a, rng, len(idx))
        for b, orig in zip(buffers, raw):
            if rounds % 3 == 0:
                b[:] = orig
            else:
                idx = rng.integers(0, len(b), 256)
                for i, v in zip(idx.tolist(), rng.choice(list(b"\t\n0123456789.-e\r x\x00"), 256).tolist()):
                    b[i] = v
        time.sleep(0)


def _race(fn, args: tuple, kwargs: dict, seconds: float = 1.0) -> dict[str, int]:
    """Call fn(*args, **kwargs) for about ``seconds`` (and at least 3 times) while a
    second thread mutates every input array and buffer among the arguments."""
    arrays, buffers = [], []

    def take(name, value):
        if isinstance(value, np.ndarray) and value.size and name not in OUTPUTS:
            value.flags.writeable = True
            arrays.append(value)
        elif isinstance(value, tuple):
            for v in value:
                take(name, v)

    for name, value in zip(kwargs, kwargs.values()):
        take(name, value)
    for value in args:
        take("", value)
    for key, value in list(kwargs.items()):
        if isinstance(value, bytearray):
            buffers.append(value)
    outcome = {"ok": 0, "error": 0}
    stop = threading.Event()
    t = threading.Thread(target=_mutator, args=(arrays, buffers, stop, 3))
    mp.set_num_threads(2)
    t.start()
    try:
        deadline, give_up = time.monotonic() + seconds, time.monotonic() + 60
        while time.monotonic() < deadline or (sum(outcome.values()) < 3
                                              and time.monotonic() < give_up):
            fresh = {k: (v.copy() if isinstance(v, np.ndarray) and k in OUTPUTS else v)
                     for k, v in kwargs.items()}
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fn(*args, **fresh)
                outcome["ok"] += 1
            except ALLOWED:
                outcome["error"] += 1
    finally:
        stop.set()
        t.join()
    assert sum(outcome.values()) >= 3
    return outcome


def _writable(value):
    """The recorded argument as a private, writable copy (bytes become a bytearray)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, bytes):
        return bytearray(value)
    if isinstance(value, tuple):
        return tuple(_writable(v) for v in value)
    return value


def _by_name(name: str, args: tuple, kwargs: dict) -> dict:
    """The recorded call as keyword arguments (positional ones named by the registry)."""
    schema = [a.name for a in _kernels.by_name(name).args]
    out = dict(zip(schema, args))
    out.update(kwargs)
    return out


FAMILIES = {
    "power": ["group_shares", "group_concentration"],
    "validation": ["first_duplicate"],
    "similarity": ["similarity_years"],
    "gdelt": ["gdelt_parse"],
    "relations": ["decay_accumulate", "bin_accumulate"],
    "projection": ["project_paths", "block_normals"],
    "bargaining": ["bargain_issues"],
    "scenarios": ["ach_sensitivity"],
    "changepoints": ["pelt_segments"],
    "similarity bootstrap": ["similarity_boot"],
}


def test_families_cover_every_kernel():
    assert sorted(k for ks in FAMILIES.values() for k in ks) == KERNELS


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_kernel_inputs_changed_by_another_thread_never_crash(recorded, family):
    for name in FAMILIES[family]:
        args, kwargs = recorded[name]
        kw = {k: _writable(v) for k, v in _by_name(name, args, kwargs).items()}
        if name == "gdelt_parse":
            # the buffer whose bytes change: tabs, newlines and digits come and go
            kw["buf"] = bytearray(kw["buf"])
            kw["actor_vocab"], kw["event_vocab"] = [], []
            kw["base_vocab"], kw["root_vocab"] = [], []
            kw["strict"] = False
        _race(getattr(_core, name), (), kw)


# ---------------------------------------------------------------- through the public functions


def test_concentration_columns_changed_by_another_thread_never_crash():
    """NaNs appearing and vanishing in the value column (a count pass and a copy pass
    once disagreed and read before the scratch buffer) and an int32 grouping column
    (handed to C as it is) rewritten, while concentration runs."""
    rng = np.random.default_rng(11)
    n, ngroups = 300_000, 40
    df = pd.DataFrame({"grp": rng.integers(0, ngroups, n).astype(np.int32),
                       "x": rng.random(n)})
    values = df["x"].to_numpy()
    groups = df["grp"].to_numpy()
    for a in (values, groups):
        a.flags.writeable = True
    values[0] = 0.123
    assert df["x"].iloc[0] == 0.123  # the writes reach the frame
    want = mp.concentration(df, value="x", by="grp")
    orig_v, orig_g = values.copy(), groups.copy()
    stop = threading.Event()

    def mutate():
        k = 0
        while not stop.is_set():
            k += 1
            idx = np.random.default_rng(k).integers(0, n, 4096)
            if k % 4 == 0:
                values[:], groups[:] = orig_v, orig_g
            elif k % 4 == 1:
                values[idx] = np.nan
            elif k % 4 == 2:
                groups[idx] = np.random.default_rng(k).choice([-5, ngroups, 2**31 - 1, 0], 4096)
            else:
                values[::2] = np.nan
            time.sleep(0)

    t = threading.Thread(target=mutate)
    mp.set_num_threads(2)
    t.start()
    ok = 0
    try:
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline or ok + 1 < 3:
            try:
                got = mp.concentration(df, value="x", by="grp")
                assert (got["n"] <= n).all()
                ok += 1
            except ValueError:
                ok += 1
    finally:
        stop.set()
        t.join()
    values[:], groups[:] = orig_v, orig_g
    pd.testing.assert_frame_equal(mp.concentration(df, value="x", by="grp"), want)


def test_read_gdelt_buffer_changed_by_another_thread_never_crashes(data_dir):
    """The tokenizer on a buffer whose bytes another thread rewrites: lines appear, vanish
    and change length under it."""
    raw = (data_dir / "gdelt" / "20191024143000.export.CSV").read_bytes()
    buf = bytearray(raw * 4)
    kw = dict(buf=buf, start=0, stop=len(buf), fmt=0, strict=False, actor_vocab=[],
              event_vocab=[], base_vocab=[], root_vocab=[], allowed=None, line0=1,
              segment=64 << 10)
    out = _race(_core.gdelt_parse, (), kw, seconds=1.5)
    assert out["ok"] + out["error"] >= 3
