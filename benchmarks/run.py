"""Run every benchmark family and print one table: our time, the NumPy/pandas baseline's
time measured in the same run, and the ratio.

    python benchmarks/run.py            # full sizes (a few minutes)
    python benchmarks/run.py --quick    # smaller inputs
    python benchmarks/run.py power      # only the families whose file name contains "power"
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _timing import print_rows  # noqa: E402


def families(only: list[str] | None = None) -> list[Path]:
    """The benchmark files run: every ``bench_*.py`` here (those whose name contains one
    of ``only``, when given)."""
    return [path for path in sorted(HERE.glob("bench_*.py"))
            if not only or any(o in path.stem for o in only)]


def main() -> None:
    quick = "--quick" in sys.argv
    all_rows = []
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    for path in families(only):
        mod = importlib.import_module(path.stem)
        fn = getattr(mod, "rows", None)
        if fn is None:
            continue
        takes_quick = "quick" in inspect.signature(fn).parameters
        all_rows += fn(quick=quick) if takes_quick else fn()
        print(f"# {path.stem} done", file=sys.stderr)
    print_rows(all_rows)


if __name__ == "__main__":
    main()
