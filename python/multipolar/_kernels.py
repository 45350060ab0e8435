"""The registry of the C kernels of ``multipolar._core``: one table, the single source
of truth for what each kernel is, who wraps it, how it is checked and measured.

For every kernel: its name, the public wrapper(s) (dotted names), its slow twin
(a dotted name inside the test suite's ``tests/reference`` package, kept as a
string: the package never imports its tests), its benchmark file, whether it
runs on worker threads, whether its results are promised bitwise identical for
any thread count, and its argument schema (names in order; for each array
argument the accepted dtypes). ``tests/test_kernels.py`` checks the table
against ``_core`` and runs every kernel against its twin.

The functions of the thread runtime (:data:`RUNTIME`) are not kernels. The ids of
the similarity measures (:data:`SIMILARITY_MEASURES`) are read from ``_core``, which
builds them from the C X-macro list (``MULTIPOLAR_SIM_MEASURES``): an id is a measure's
position there, so the C list is the one place that orders them.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _core

__all__ = ["Arg", "Kernel", "KERNELS", "RUNTIME", "SIMILARITY_MEASURES", "VALUE_DTYPES",
           "CODE_DTYPES", "by_name"]

#: Value dtypes the numeric kernels accept (csrc/multipolar.h, MULTIPOLAR_VALUE_DTYPES).
VALUE_DTYPES = ("float64", "float32", "int64", "int32")
#: Code (index) dtypes accepted as they are (csrc/multipolar.h, MULTIPOLAR_CODE_DTYPES).
CODE_DTYPES = ("int8", "int16", "int32", "int64")
#: Functions of _core that are the thread runtime, not kernels.
RUNTIME = ("set_num_threads", "get_num_threads", "threads_started")
#: Measure names of ``similarity_years`` in id order (its ``measures`` argument holds ids).
SIMILARITY_MEASURES: tuple[str, ...] = tuple(_core.SIMILARITY_MEASURES)


@dataclass(frozen=True)
class Arg:
    """One argument: its name and, for an array, the dtypes accepted (() for a non-array)."""

    name: str
    dtypes: tuple[str, ...] = ()
    optional: bool = False  # None accepted


@dataclass(frozen=True)
class Kernel:
    """One C kernel of multipolar._core."""

    name: str
    wrappers: tuple[str, ...]
    twin: str
    benchmark: str
    threaded: bool
    deterministic: bool  # bitwise identical results for any thread count
    args: tuple[Arg, ...]


_F64 = ("float64",)
_I64 = ("int64",)

KERNELS: tuple[Kernel, ...] = (
    Kernel("group_shares", ("multipolar.cinc", "multipolar.power_index"),
           "reference.power.group_shares",
           "benchmarks/bench_power.py", True, True,
           (Arg("components", VALUE_DTYPES), Arg("codes", CODE_DTYPES), Arg("ngroups"))),
    Kernel("group_concentration", ("multipolar.concentration", "multipolar.polarity"),
           "reference.power.group_concentration", "benchmarks/bench_power.py", True, True,
           (Arg("values", VALUE_DTYPES), Arg("codes", CODE_DTYPES), Arg("ngroups"))),
    Kernel("first_duplicate", ("multipolar.read_nmc", "multipolar.group_power"),
           "reference.validation.first_duplicate", "benchmarks/bench_power.py", False, True,
           (Arg("a", _I64), Arg("b", _I64))),
    Kernel("similarity_years", ("multipolar.similarity", "multipolar.similarity_matrix"),
           "reference.similarity.similarity_years", "benchmarks/bench_similarity.py", True, True,
           (Arg("year_ptr", _I64), Arg("nitems", _I64), Arg("row_key", _I64),
            Arg("year_key", _I64), Arg("entry_row", CODE_DTYPES), Arg("entry_item", CODE_DTYPES),
            Arg("entry_level", CODE_DTYPES), Arg("levels", _F64), Arg("implicit"),
            Arg("weights", _F64, True), Arg("measures", _I64),
            Arg("drop_empty"))),
    Kernel("similarity_boot",
           ("multipolar.similarity", "multipolar.similarity_matrix", "multipolar.blocs"),
           "reference.similarity.similarity_boot", "benchmarks/bench_similarity.py", True, True,
           (Arg("bitgens"), Arg("year_ptr", _I64), Arg("nitems", _I64), Arg("codes", ("int8",)),
            Arg("levels", _F64), Arg("weights", _F64, True), Arg("measures", _I64),
            Arg("replicates"), Arg("block_pairs"), Arg("probs", _F64), Arg("keep"))),
    Kernel("gdelt_parse", ("multipolar.read_gdelt",), "reference.gdelt.read_gdelt",
           "benchmarks/bench_gdelt.py", True, True,
           (Arg("buf"), Arg("start"), Arg("stop"), Arg("fmt"), Arg("strict"), Arg("actor_vocab"),
            Arg("event_vocab"), Arg("base_vocab"), Arg("root_vocab"), Arg("allowed"),
            Arg("line0"), Arg("segment"))),
    Kernel("decay_accumulate",
           ("multipolar.RelationMatrix.from_events", "multipolar.RelationMatrix.update",
            "multipolar.dyad_series"),
           "reference.relations.decay_accumulate", "benchmarks/bench_events.py", True, True,
           (Arg("out", _F64), Arg("quad_out", _F64, True), Arg("code1", CODE_DTYPES),
            Arg("map1", _I64), Arg("code2", CODE_DTYPES), Arg("map2", _I64),
            Arg("weight", VALUE_DTYPES), Arg("time", _I64), Arg("quad", ("int8",), True),
            Arg("used", ("uint8",), True), Arg("at"), Arg("day"), Arg("half_life"))),
    Kernel("bin_accumulate", ("multipolar.event_tensor",), "reference.relations.bin_accumulate",
           "benchmarks/bench_events.py", True, True,
           (Arg("out", _F64), Arg("code1", CODE_DTYPES), Arg("map1", _I64),
            Arg("code2", CODE_DTYPES), Arg("map2", _I64), Arg("weight", VALUE_DTYPES),
            Arg("time", _I64), Arg("edges", _I64), Arg("used", ("uint8",), True))),
    Kernel("project_paths", ("multipolar.project", "multipolar.distributed.project"),
           "reference.projection.project_paths", "benchmarks/bench_projection.py", True, True,
           (Arg("bitgens"), Arg("block_paths", _I64), Arg("log0", _F64), Arg("drift", _F64),
            Arg("factor", _F64), Arg("n_among"), Arg("pairs", _I64), Arg("threshold"),
            Arg("unipolar"), Arg("bins"), Arg("keep"), Arg("drift_factor", _F64, True))),
    Kernel("block_normals", (),  # the projection's normal generator, exposed for its tests
           "reference.projection.block_normals_moments", "benchmarks/bench_projection.py",
           False, True, (Arg("bitgens"), Arg("n"))),
    Kernel("bargain_issues", ("multipolar.bargain", "multipolar.bargain_issues"),
           "reference.bargaining.bargain_issues", "benchmarks/bench_bargaining.py", True, True,
           (Arg("position", _F64), Arg("capability", _F64), Arg("salience", _F64),
            Arg("issue_ptr", _I64), Arg("rounds"), Arg("q"), Arg("t"), Arg("receiver"),
            Arg("normalization"))),
    Kernel("ach_sensitivity", ("multipolar.compete",), "reference.scenarios.ach_sensitivity",
           "benchmarks/bench_scenarios.py", True, True,
           (Arg("bitgens"), Arg("block_draws", _I64), Arg("prior", _F64), Arg("kind", ("int8",)),
            Arg("a", _F64), Arg("b", _F64))),
    Kernel("pelt_segments", ("multipolar.changepoints", "multipolar.realignments"),
           "reference.changepoints.pelt_segments", "benchmarks/bench_changepoints.py", True, True,
           (Arg("values", _F64), Arg("offsets", _I64), Arg("cost"), Arg("penalty", _F64),
            Arg("min_size"), Arg("scale"))),
)


def by_name(name: str) -> Kernel:
    """The registry entry of the kernel ``name`` (KeyError if it is not registered)."""
    for k in KERNELS:
        if k.name == name:
            return k
    raise KeyError(name)
