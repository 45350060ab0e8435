"""Shared test fixtures: the location of the real public datasets, and array generators.

Tests that read ../shared/data must run wherever the suite runs (CI has the
folder beside the clone): a missing folder is a failure, never a skip.
"""

from __future__ import annotations

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
