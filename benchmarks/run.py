"""Run every benchmark family and print one table: our time, the NumPy/pandas baseline's
time measured in the same run, and the ratio.

    python benchmarks/run.py            # full sizes (a few minutes)
    python benchmarks/run.py --quick    # smaller inputs
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _timing import print_rows  # noqa: E402


def main() -> None:
    quick = "--quick" in sys.argv
    all_rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        mod = importlib.import_module(path.stem)
        fn = getattr(mod, "rows", None)
        if fn is None:
            continue
        try:
            all_rows += fn(quick=quick)
        except TypeError:
            all_rows += fn()
        print(f"# {path.stem} done", file=sys.stderr)
    print_rows(all_rows)


if __name__ == "__main__":
    main()
