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
    "read_trade": "io",
    "read_alliances": "io",
    "read_unvotes": "io",
    "read_idealpoints": "io",
    "read_worldbank": "worldbank",
    "read_owid": "worldbank",
    # similarity and structure
    "s_score": "similarity",
    "kappa": "similarity",
    "scott_pi": "similarity",
    "tau_b": "similarity",
    "similarity": "similarity",
    "similarity_matrix": "similarity",
    "ideal_distance": "similarity",
    "blocs": "structure",
    "alignment": "structure",
    "polarization": "structure",
    "balance": "structure",
    "changepoints": "changepoints",
    "ChangePoints": "changepoints",
    "break_probability": "changepoints",
    "realignments": "realign",
    "blocs_over_time": "realign",
    "BlocsOverTime": "realign",
    # relations
    "RelationMatrix": "relations",
    "dyad_series": "relations",
    "event_tensor": "relations",
    # events
    "read_gdelt": "gdelt",
    "dyad_shares": "gdelt",
    "goldstein": "cameo",
    # power
    "cinc": "power",
    "concentration": "power",
    "polarity": "power",
    "transition": "power",
    "power_frame": "power",
    "power_index": "power",
    # trade and groupings
    "dependence": "trade",
    "dependence_matrix": "trade",
    "partners": "trade",
    "partner_concentration": "trade",
    "Group": "groups",
    "GROUPS": "groups",
    "NATO": "groups",
    "EU": "groups",
    "G7": "groups",
    "G8": "groups",
    "BRICS": "groups",
    "SCO": "groups",
    "CSTO": "groups",
    "group_power": "groups",
    "group_cohesion": "groups",
    "group_trade": "groups",
    # demo world and plots
    "demo_world": "datasets",
    "demo_states": "datasets",
    "demo_majors": "datasets",
    "plot_shares": "plot",
    "plot_concentration": "plot",
    "power_chart": "plot",
    # scenarios, projection, bargaining
    "Indicator": "scenarios",
    "Scenario": "scenarios",
    "Direction": "scenarios",
    "Threshold": "scenarios",
    "Distribution": "scenarios",
    "score_scenarios": "scenarios",
    "compete": "scenarios",
    "project": "projection",
    "Projection": "projection",
    "backtest": "backtesting",
    "Backtest": "backtesting",
    "bargain": "bargaining",
    "bargain_issues": "bargaining",
    "evaluate_deu": "bargaining",
    "read_deu": "io",
    # the panel pipe
    "add_capabilities": "panel",
    "add_similarity": "panel",
    "add_dependence": "panel",
    "add_ideal_distance": "panel",
    "add_groups": "panel",
    "add_majors": "panel",
    # runtime and errors
    "set_num_threads": "_threads",
    "get_num_threads": "_threads",
    "num_threads": "_threads",
    "InputError": "_errors",
    "InputTypeError": "_errors",
}

_SUBMODULES = (
    "codes", "io", "relations", "power", "trade", "groups", "datasets", "plot",
    "gdelt", "cameo", "distributed", "scenarios", "projection", "bargaining", "worldbank",
    "panel",
)

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        if name in _SUBMODULES:
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module 'multipolar' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


# ``similarity`` names both a submodule and its main function. Loading the
# submodule sets the package attribute to the module, so bind the function here,
# once the submodule is loaded; later imports of the submodule leave it in place.
from .similarity import similarity as similarity  # noqa: E402
from .changepoints import changepoints as changepoints  # noqa: E402  (same: module and function)
