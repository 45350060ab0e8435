"""Wrong direct calls into multipolar._core raise TypeError/ValueError (or MemoryError,
OverflowError), never crash and never raise SystemError.

One valid call per kernel (its positional and keyword arguments) is recorded by running
the public API on small real inputs; then every argument, positional or keyword, is
replaced, one at a time, by odd values and by near-valid variants of the recorded array
(shorter, other dtype, strided, reversed, byte-swapped, read-only, 2-D, empty). Under the
AddressSanitizer build this also checks that no such call reads or writes out of bounds.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import multipolar as mp
from multipolar import _core, _kernels

ALLOWED = (TypeError, ValueError, MemoryError, OverflowError)
#: _core functions of the thread runtime, not kernels (tested in test_threads.py).
RUNTIME = set(_kernels.RUNTIME)
KERNELS = sorted(n for n in dir(_core)
                 if not n.startswith("_") and callable(getattr(_core, n)) and n not in RUNTIME)


def _keep(a):
    return bytes(a) if isinstance(a, (memoryview, bytearray)) or type(a).__name__ == "mmap" else a


def _recorder(recorded: dict, name: str, fn):
    """fn, recording the first call's positional and keyword arguments under name."""
    def call(*args, **kwargs):
        # buffers (a memory-mapped file) may be closed after the call: keep bytes
        recorded.setdefault(name, (tuple(_keep(a) for a in args),
                                   {k: _keep(v) for k, v in kwargs.items()}))
        return fn(*args, **kwargs)
    return call


def test_recorder_keeps_positional_and_keyword_arguments():
    rec: dict = {}
    f = _recorder(rec, "f", lambda a, b, *, c=0: (a, b, c))
    assert f(1, b=memoryview(b"xy"), c=3) == (1, memoryview(b"xy"), 3)
    f(9, 9)  # only the first call is kept
    assert rec == {"f": ((1,), {"b": b"xy", "c": 3})}


def _record(data_dir) -> dict[str, tuple[tuple, dict]]:
    """One (positional arguments, keyword arguments) pair per kernel, as the API called it."""
    recorded: dict[str, tuple[tuple, dict]] = {}
    originals = {n: getattr(_core, n) for n in KERNELS}

    try:
        for name, fn in originals.items():
            setattr(_core, name, _recorder(recorded, name, fn))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nmc = mp.read_nmc(data_dir / "cow_nmc" / "NMC-60-abridged.csv")
            small = nmc[nmc.year.between(1990, 1995)]
            mp.concentration(small, among="majors")
            mp.cinc(small)
            al = mp.read_alliances(
                data_dir / "cow_alliance" / "cow_alliance_v4.1_directed_dyad_year_peacesciencer.csv",
                source="cow")
            mp.similarity(al[al.year.between(1990, 1991)], kind="alliance", years=[1990, 1991])
            mp.similarity(al[al.year == 1990], years=[1990], measures=("s",), bootstrap=2, seed=1)
            ev = mp.read_gdelt(data_dir / "gdelt" / "20191024143000.export.CSV", progress=False)
            mp.RelationMatrix.from_events(ev.iloc[:200], half_life="30D")
            mp.event_tensor(ev.iloc[:200], freq="D")
            mp.project(nmc, years=3, paths=1100, seed=1)
            mp.bargain_issues(pd.DataFrame({"issue": [0, 0, 0], "position": [1.0, 5.0, 9.0],
                                            "capability": [1.0, 2.0, 3.0],
                                            "salience": [0.5, 0.9, 0.3]}), rounds=3)
            mp.compete(["h1", "h2"], ["e1", "e2"], np.array([[0.9, 0.2], [0.3, 0.6]]),
                       uncertainty=0.1, draws=2000, seed=1)
            mp.changepoints(pd.Series(np.r_[np.zeros(6), np.ones(6)] + np.arange(12) % 2 * 0.1))
            _core.block_normals((np.random.PCG64(1),), 10)  # the projection's normals, for tests
    finally:
        for name, fn in originals.items():
            setattr(_core, name, fn)
    return recorded


def _variants(value) -> list:
    odd = [None, -1, 0, 2**62, -(2**62), 1.5, float("nan"), "x", b"x", (), (None,),
           np.empty(0), np.zeros((2, 2)), np.array(["a"], dtype=object), np.zeros(3, bool)]
    if isinstance(value, np.ndarray) and value.ndim >= 1 and value.size:
        v = value
        odd += [
            v[:-1], v[:0], np.repeat(v, 2, axis=0)[::2], v[::-1],
            v.astype(v.dtype.newbyteorder()) if v.dtype.itemsize > 1 else v[::-1],
            np.ascontiguousarray(v).reshape(1, *v.shape), v.astype(np.float32),
            v.astype(np.int8) if v.dtype.kind in "iuf" else v, v.astype(np.float64),
        ]
        ro = v.copy()
        ro.flags.writeable = False
        odd.append(ro)
        if v.dtype.kind in "iu":
            bad = v.copy()
            bad.flat[0] = np.array(-(2**7) if v.dtype.itemsize == 1 else -10**6).astype(v.dtype)
            odd.append(bad)
            big = v.copy()
            big.flat[-1] = np.iinfo(v.dtype).max
            odd.append(big)
        if v.dtype.kind == "f":
            nan = v.copy()
            nan.flat[0] = np.nan
            with np.errstate(invalid="ignore"):
                odd += [nan, -v - 1.0, v * np.inf]
    if isinstance(value, tuple) and value:
        odd += [value[:-1], value + value[:1], tuple(reversed(value)), (value[0],) * 3]
    return odd


@pytest.fixture(scope="module")
def recorded(data_dir):
    rec = _record(data_dir)
    assert set(rec) == set(KERNELS), f"no recorded call for {sorted(set(KERNELS) - set(rec))}"
    return rec


@pytest.mark.parametrize("name", KERNELS)
def test_mutated_direct_calls_never_crash(recorded, name):
    """Every argument, positional or keyword, replaced in turn by odd values; too few
    arguments, an extra positional one and an unexpected keyword raise TypeError."""
    fn = getattr(_core, name)
    args, kwargs = recorded[name]
    fn(*_copy(args), **_copy_kw(kwargs))  # the recorded call itself works
    tried = 0
    for pos, value in enumerate(args):
        for bad in _variants(value):
            call = list(_copy(args))
            call[pos] = bad
            try:
                fn(*call, **_copy_kw(kwargs))
            except ALLOWED:
                pass
            tried += 1
    for key, value in kwargs.items():
        for bad in _variants(value):
            kw = _copy_kw(kwargs)
            kw[key] = bad
            try:
                fn(*_copy(args), **kw)
            except ALLOWED:
                pass
            tried += 1
    with pytest.raises(TypeError):
        fn()
    with pytest.raises(TypeError):
        _call_without_one_required(fn, args, kwargs)
    with pytest.raises(TypeError):
        fn(*args, None, **kwargs)
    with pytest.raises(TypeError):
        fn(*args, **kwargs, no_such_argument=1)
    assert tried > 10


def _call_without_one_required(fn, args: tuple, kwargs: dict):
    """Call fn with one required argument left out: the last keyword argument that has
    no default, else the last positional one."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        params = {}
    required = [k for k in kwargs if k not in params or
                params[k].default is inspect.Parameter.empty]
    if required:
        kw = dict(kwargs)
        del kw[required[-1]]
        return fn(*args, **kw)
    return fn(*args[:-1], **kwargs)


def _copy_kw(kwargs: dict) -> dict:
    return dict(zip(kwargs, _copy(tuple(kwargs.values()))))


def _copy(args: tuple) -> tuple:
    """Fresh copies of writable arrays, so that calls that fill an output never share one."""
    return tuple(a.copy() if isinstance(a, np.ndarray) and a.flags.writeable else a for a in args)
