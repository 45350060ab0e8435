"""Timing helpers shared by the benchmark files."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 3, warmup: bool = True) -> float:
    """Best wall time of ``repeat`` calls, in seconds (after one warm-up call unless told not)."""
    if warmup:
        fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def row(kernel: str, ours_s: float, baseline_s: float, note: str = "") -> dict:
    """One benchmark row: our time, the baseline's time and their ratio (baseline / ours)."""
    return {"kernel": kernel, "ours_s": ours_s, "baseline_s": baseline_s,
            "ratio": baseline_s / ours_s, "note": note}


def main(rows: Callable[..., list[dict]]) -> None:
    """The command line of a benchmark file: ``rows(quick=...)`` printed as a table
    (``--quick``: smaller inputs)."""
    print_rows(rows(quick="--quick" in sys.argv))


def print_rows(rows: list[dict]) -> None:
    """Print benchmark rows as a Markdown table: kernel, ours, baseline, ratio, baseline note."""
    print("| kernel | ours | baseline | ratio | baseline is |")
    print("|---|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['kernel']} | {_fmt(r['ours_s'])} | {_fmt(r['baseline_s'])} | "
              f"{r['ratio']:.1f}x | {r.get('note', '')} |")


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"
