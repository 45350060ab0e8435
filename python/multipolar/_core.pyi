# Private C extension of multipolar (csrc/). The public, documented API is the
# Python package; these signatures are checked against the extension by
# ``python -m mypy.stubtest multipolar._core`` in CI.
import numpy as np
import numpy.typing as npt

def group_shares(
    components: tuple[npt.NDArray[np.generic], ...],
    codes: npt.NDArray[np.integer],
    ngroups: int,
    /,
) -> npt.NDArray[np.float64]: ...
def group_concentration(
    values: npt.NDArray[np.generic], codes: npt.NDArray[np.integer], ngroups: int, /
) -> npt.NDArray[np.float64]: ...
def first_duplicate(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], /) -> int: ...
SIMILARITY_MEASURES: tuple[str, ...]

def similarity_years(
    year_ptr: npt.NDArray[np.int64],
    nitems: npt.NDArray[np.int64],
    row_key: npt.NDArray[np.int64],
    year_key: npt.NDArray[np.int64],
    entry_row: npt.NDArray[np.integer],
    entry_item: npt.NDArray[np.integer],
    entry_level: npt.NDArray[np.integer],
    levels: npt.NDArray[np.float64],
    implicit: bool,
    weights: npt.NDArray[np.float64] | None,
    measures: npt.NDArray[np.int64],
    drop_empty: bool,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    int,
]: ...
def similarity_boot(
    bitgens: tuple[np.random.BitGenerator, ...],
    year_ptr: npt.NDArray[np.int64],
    nitems: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int8],
    levels: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64] | None,
    measures: npt.NDArray[np.int64],
    replicates: int,
    block_pairs: int,
    probs: npt.NDArray[np.float64],
    keep: bool,
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64] | None
]: ...
def gdelt_parse(
    buf: object,
    start: int,
    stop: int,
    fmt: int,
    strict: bool,
    actor_vocab: list[str],
    event_vocab: list[str],
    base_vocab: list[str],
    root_vocab: list[str],
    allowed: list[str] | None,
    line0: int,
    segment: int,
) -> tuple[
    tuple[npt.NDArray[np.generic], ...],
    int,
    int,
    int,
    int,
    int,
    tuple[list[str], list[str], list[str], list[str]],
    ValueError | None,
]: ...
def decay_accumulate(
    out: npt.NDArray[np.float64],
    quad_out: npt.NDArray[np.float64] | None,
    code1: npt.NDArray[np.integer],
    map1: npt.NDArray[np.int64],
    code2: npt.NDArray[np.integer],
    map2: npt.NDArray[np.int64],
    weight: npt.NDArray[np.generic],
    time: npt.NDArray[np.int64],
    quad: npt.NDArray[np.int8] | None,
    used: npt.NDArray[np.generic] | None,
    at: int | None,
    day: int,
    half_life: float,
) -> tuple[tuple[int, int, int, int, int], int | None]: ...
def bin_accumulate(
    out: npt.NDArray[np.float64],
    code1: npt.NDArray[np.integer],
    map1: npt.NDArray[np.int64],
    code2: npt.NDArray[np.integer],
    map2: npt.NDArray[np.int64],
    weight: npt.NDArray[np.generic],
    time: npt.NDArray[np.int64],
    edges: npt.NDArray[np.int64],
    used: npt.NDArray[np.generic] | None,
) -> tuple[int, int, int, int, int]: ...
def project_paths(
    bitgens: tuple[object, ...],
    block_paths: npt.NDArray[np.int64],
    log0: npt.NDArray[np.float64],
    drift: npt.NDArray[np.float64],
    factor: npt.NDArray[np.float64],
    n_among: int,
    pairs: npt.NDArray[np.int64],
    threshold: float,
    unipolar: float,
    bins: int,
    keep: bool,
    drift_factor: npt.NDArray[np.float64] | None = None,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64] | None,
]: ...
def block_normals(bitgens: tuple[object, ...], n: int, /) -> npt.NDArray[np.float64]: ...
def bargain_issues(
    position: npt.NDArray[np.float64],
    capability: npt.NDArray[np.float64],
    salience: npt.NDArray[np.float64],
    issue_ptr: npt.NDArray[np.int64],
    rounds: int,
    q: float,
    t: float,
    receiver: bool,
    normalization: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
def pelt_segments(
    values: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    cost: int,
    penalty: npt.NDArray[np.float64],
    min_size: int,
    scale: bool,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
def ach_sensitivity(
    bitgens: tuple[object, ...],
    block_draws: npt.NDArray[np.int64],
    prior: npt.NDArray[np.float64],
    kind: npt.NDArray[np.int8],
    a: npt.NDArray[np.float64],
    b: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
def set_num_threads(n: int | None, /) -> int: ...
def get_num_threads() -> int: ...
def threads_started() -> int: ...
