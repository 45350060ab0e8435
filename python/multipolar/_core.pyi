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
