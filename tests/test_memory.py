"""Reference counts are unchanged by repeated calls into _core, failing calls included;
inputs and outputs are freed."""

from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest

from multipolar import _core


def _calls():
    vals = np.arange(1000, dtype=np.float64)
    codes = (np.arange(1000) % 7).astype(np.int32)
    good = [
        (_core.group_shares, ((vals, vals[::-1]), codes, 7)),
        (_core.group_concentration, (vals, codes, 7)),
        (_core.first_duplicate, (codes.astype(np.int64), codes.astype(np.int64))),
    ]
    bad = [
        (_core.group_shares, ((vals, "x"), codes, 7)),
        (_core.group_shares, ((vals, -vals), codes, 7)),
        (_core.group_concentration, (vals, codes, 3)),
        (_core.group_concentration, (vals.astype(np.float16), codes, 7)),
        (_core.first_duplicate, (codes, codes)),
    ]
    return vals, codes, good, bad


def test_refcounts_unchanged_by_repeated_calls():
    vals, codes, good, bad = _calls()
    before = (sys.getrefcount(vals), sys.getrefcount(codes))
    for _ in range(200):
        for fn, args in good:
            fn(*args)
        for fn, args in bad:
            with pytest.raises((TypeError, ValueError)):
                fn(*args)
    gc.collect()
    assert (sys.getrefcount(vals), sys.getrefcount(codes)) == before


def test_outputs_are_new_and_freed():
    vals, codes, _, _ = _calls()
    out = _core.group_concentration(vals, codes, 7)
    assert sys.getrefcount(out) == 2  # the name and getrefcount's argument
    assert out.base is None and out.flags.owndata
    ref = weakref.ref(out)
    del out
    gc.collect()
    assert ref() is None
    shares = _core.group_shares((vals,), codes, 7)
    assert not np.shares_memory(shares, vals)
    ref = weakref.ref(shares)
    del shares
    gc.collect()
    assert ref() is None


def test_inputs_freed_after_call():
    vals = np.random.default_rng(0).random(500)
    codes = np.zeros(500, np.int64)
    _core.group_concentration(vals, codes, 1)
    _core.group_shares((vals,), codes, 1)
    refs = [weakref.ref(vals), weakref.ref(codes)]
    del vals, codes
    gc.collect()
    assert all(r() is None for r in refs)
