"""multipolar: fast, tested numbers on the global order.

Power and polarity (COW CINC, concentration, poles, power transitions), state
identities and panels, relationship matrices. The hot paths are C kernels in
``multipolar._core``; every public function takes and returns pandas/NumPy.

>>> import multipolar as mp
>>> nmc = mp.read_nmc("NMC-60-abridged.csv")      # doctest: +SKIP
>>> mp.concentration(nmc, among="majors")          # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> submodule that defines it; loaded on first use, so that
# ``import multipolar`` stays fast and imports no SciPy, matplotlib or Dask.
_EXPORTS = {
    # codes
    "convert": "codes",
    "lookup_state": "codes",
    "lookup_states": "codes",
    "state_years": "codes",
    "dyad_years": "codes",
    "is_member": "codes",
    "is_major": "codes",
    "members": "codes",
    "majors": "codes",
    # readers
    "read_nmc": "io",
    # relations
    "RelationMatrix": "relations",
    # power
    "cinc": "power",
    "concentration": "power",
    "polarity": "power",
    "transition": "power",
    # demo world
    "demo_world": "datasets",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        if name in {"codes", "io", "relations", "power", "datasets", "plot"}:
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module 'multipolar' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
