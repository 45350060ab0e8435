"""Slow twin of ``_core.first_duplicate`` (the uniqueness check of ``multipolar._validation``)."""

from __future__ import annotations


def first_duplicate(a, b) -> int:
    """The row of the first (a, b) pair already seen in an earlier row, or -1.

    (The kernel may also answer -2, "range too large for its bitmap"; a caller
    compares only answers other than -2.)
    """
    seen = set()
    for i, pair in enumerate(zip((int(x) for x in a), (int(y) for y in b))):
        if pair in seen:
            return i
        seen.add(pair)
    return -1
