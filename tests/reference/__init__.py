"""Slow twins of every kernel: plain Python/NumPy, never optimised, sharing no code
with ``multipolar._core`` or the public wrappers.

One module per kernel family (``power``, ``validation``, ``similarity``,
``relations``, ``gdelt``, ``bargaining``, ``scenarios``, ``projection``); the
registry ``multipolar._kernels`` names each kernel's twin as
``"reference.<module>.<function>"``. The names below are the frame-level
references the family tests import as ``from reference import ...``.
"""

from .power import COMPONENTS, cinc, concentration, concentration_of

__all__ = ["COMPONENTS", "cinc", "concentration", "concentration_of"]
