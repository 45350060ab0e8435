"""Shared test fixtures: the location of the real public datasets, and array generators.

Tests that read ../shared/data must run wherever the suite runs (CI has the
folder beside the clone): a missing folder is a failure, never a skip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

#: ../shared/data relative to the repository root.
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _restore_threads():
    """Every test starts and ends with the thread count found at import."""
    import multipolar as mp

    before = mp.get_num_threads()
    yield
    mp.set_num_threads(before)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared public datasets; fails (not skips) when they are absent."""
    if not DATA.is_dir():
        pytest.fail(f"the shared datasets are missing: expected them at {DATA}")
    return DATA


def _readonly(a: np.ndarray) -> np.ndarray:
    b = a.copy()
    b.flags.writeable = False
    return b


#: Layouts every 1-D kernel input is tried in: name -> function(contiguous array) -> array
#: with the same values (the kernel harness, tests/test_kernels.py, uses the same table).
LAYOUTS = {
    "contiguous": lambda a: a,
    "strided": lambda a: np.repeat(a, 2)[::2],
    "reversed": lambda a: a[::-1].copy()[::-1],
    "readonly": _readonly,
    "byteswapped": lambda a: a.astype(a.dtype.newbyteorder()),
}


@pytest.fixture(params=sorted(LAYOUTS))
def layout(request):
    """Each input layout in turn: contiguous, strided, reversed view, read-only, byte-swapped."""
    return LAYOUTS[request.param]


def hammer(call: Callable[[], object], mutate: Callable[[], object], seconds: float = 1.5,
           allowed: Callable[[ValueError], bool] | None = None) -> tuple[int, int]:
    """Call ``call()`` again and again for ``seconds`` while a second Python thread runs
    ``mutate()`` in a loop, changing the inputs under a kernel that runs without the GIL.

    The point is that nothing crashes or writes out of bounds; a ValueError is a fair
    outcome (a value changed into an invalid one before the kernel's validation pass read
    it), and ``allowed(exc)``, when given, must hold for it. Returns (results, errors).
    """
    stop = threading.Event()

    def run():
        while not stop.is_set():
            mutate()

    t = threading.Thread(target=run)
    t.start()
    ok = errors = 0
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                call()
                ok += 1
            except ValueError as exc:
                assert allowed is None or allowed(exc), exc
                errors += 1
    finally:
        stop.set()
        t.join()
    assert ok + errors > 0
    return ok, errors


def core_rejects(kernel: str, args: list, pos: int, value: object, exc: type[Exception],
                 match: str | None = None) -> None:
    """``_core.<kernel>(*args)`` with ``args[pos]`` replaced by ``value`` raises ``exc``, with
    a message matching ``match`` (default: naming the kernel)."""
    from multipolar import _core

    args = list(args)
    args[pos] = value
    with pytest.raises(exc, match=kernel if match is None else match):
        getattr(_core, kernel)(*args)
