"""Twins of the projection kernels.

``project_paths`` (multipolar.project): the normal-generator twin lives in
``tests/reference_projection.py``; :func:`project_paths` returns it when that
module is present and None otherwise (the harness then compares statistics only).
``block_normals``: standard normal draws, compared by their moments.
"""

from __future__ import annotations

import importlib
import math


def project_paths():
    """The module with the path-by-path twin of project, or None when it is absent."""
    try:
        return importlib.import_module("reference_projection")
    except ImportError:
        return None


def block_normals_moments(x) -> tuple[float, float]:
    """Mean and standard deviation of draws, plain Python (a N(0, 1) sample gives ~(0, 1))."""
    xs = [float(v) for v in x]
    m = sum(xs) / len(xs)
    return m, math.sqrt(sum((v - m) ** 2 for v in xs) / (len(xs) - 1))
