"""The thread count of the C kernels: one setting for every kernel.

Resolved once, at import, from ``MULTIPOLAR_NUM_THREADS`` (if set) or the CPUs
this process may run on (its affinity mask, capped by a cgroup CPU quota);
changed only through :func:`set_num_threads`. Results never depend on it: every
kernel's output is bitwise identical for any thread count.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from . import _core

__all__ = ["set_num_threads", "get_num_threads", "num_threads"]


def get_num_threads() -> int:
    """The number of worker threads a kernel may use (the calling thread included)."""
    return _core.get_num_threads()


def set_num_threads(n: int | None) -> int:
    """Set the number of worker threads of every kernel; return the previous number.

    Parameters
    ----------
    n : int or None
        1 to 64; None restores the default found at import
        (``MULTIPOLAR_NUM_THREADS``, else the CPUs available to the process).

    Examples
    --------
    >>> import multipolar as mp
    >>> old = mp.set_num_threads(1)
    >>> mp.get_num_threads()
    1
    >>> _ = mp.set_num_threads(old)
    """
    return _set(n, "set_num_threads")


def _set(n: int | None, func: str) -> int:
    """set_num_threads with errors naming the public ``func``."""
    if isinstance(n, bool) or not (n is None or isinstance(n, int)):
        raise TypeError(f"{func}: n must be an int or None; got {type(n).__name__} {n!r}")
    try:
        return _core.set_num_threads(n)
    except ValueError as exc:  # the range check of the C side, which names its entry point
        text = str(exc).partition(": ")[2] or str(exc)
        raise ValueError(f"{func}: {text}") from None


@contextmanager
def num_threads(n: int | None) -> Iterator[int]:
    """Within the ``with`` block, kernels use ``n`` threads; the previous setting comes back after.

    >>> import multipolar as mp
    >>> with mp.num_threads(1):
    ...     mp.get_num_threads()
    1
    """
    previous = _set(n, "num_threads")
    try:
        yield get_num_threads()
    finally:
        set_num_threads(previous)
