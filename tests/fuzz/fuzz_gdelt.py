"""Fuzz target for the GDELT tokenizer (read_gdelt, C ``_core.gdelt_parse``).

Each input is the bytes of a GDELT file. It is read by :func:`multipolar.read_gdelt` in
lenient mode (on two threads, with segments of 4 KB when the input's first
byte is odd, so the cut-and-merge path runs too) and by the plain-Python oracle
(``gdelt_oracle.py``): the rows and the count of skipped lines must agree exactly (floats
bitwise). In strict mode the reader must raise :class:`multipolar.InputError` exactly when
the oracle skips a line, and return the same rows otherwise. A crash kills the process;
a mismatch raises, saves the input under ``--artifacts`` and exits non-zero.

The seed corpus is made at run time from the real files in ``../shared/data/gdelt``
(slices of 1-40 lines of each file; nothing is committed). With atheris installed the
search is coverage-guided (libFuzzer's mutations); otherwise a plain mutation loop runs.

Usage::

    python tests/fuzz/fuzz_gdelt.py --seconds 60          # what .ci/run does
    python tests/fuzz/fuzz_gdelt.py --seconds 3600        # longer
    python tests/fuzz/fuzz_gdelt.py --plain --seconds 60  # without atheris
    python tests/fuzz/fuzz_gdelt.py --replay crash-file   # one input again
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT.parent / "shared" / "data" / "gdelt"
sys.path.insert(0, str(HERE))

import gdelt_oracle as oracle  # noqa: E402

STATS = {"runs": 0, "rows": 0, "skipped": 0, "start": time.monotonic()}
_WORK = Path(tempfile.mkdtemp(prefix="fuzz_gdelt_"))
_ARTIFACTS = Path(".")


class Mismatch(AssertionError):
    """read_gdelt and the oracle disagree on an input."""


def seeds(max_lines: int = 40, per_file: int = 40, rng_seed: int = 0) -> list[bytes]:
    """Slices of whole lines of the real GDELT files (read at run time, never stored)."""
    rng = random.Random(rng_seed)
    out = []
    for path in sorted(DATA.glob("*")):
        if path.suffix.lower() not in (".csv", ".tsv") or not path.is_file():
            continue
        lines = path.read_bytes().split(b"\n")[:-1]
        for _ in range(per_file):
            k = rng.randint(1, max_lines)
            i = rng.randrange(0, max(1, len(lines) - k))
            out.append(b"\n".join(lines[i:i + k]) + b"\n")
    if not out:
        raise SystemExit(f"fuzz_gdelt: no GDELT files found in {DATA}")
    return out


def check(data: bytes, parse=oracle.parse) -> None:
    """Read ``data`` with read_gdelt (lenient and strict) and compare with ``parse``."""
    import multipolar as mp
    from multipolar import gdelt

    STATS["runs"] += 1
    path = _WORK / "input.CSV"
    path.write_bytes(data)
    want, skipped = parse(data)
    small = bool(data) and data[0] & 1
    old = gdelt._SEGMENT
    gdelt._SEGMENT = 4096 if small else old
    try:
        with mp.num_threads(2 if small else 1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = mp.read_gdelt(path, strict=False, progress=False)
            got = oracle.frame_rows(df)
            if not oracle.same_rows(got, want) or df.attrs.get("skipped_rows") != skipped:
                raise Mismatch(f"lenient: reader {len(got)} rows, {df.attrs.get('skipped_rows')} "
                               f"skipped; oracle {len(want)} rows, {skipped} skipped")
            try:
                strict = oracle.frame_rows(mp.read_gdelt(path, progress=False))
            except mp.InputError:
                if not skipped:
                    raise Mismatch("strict: reader raised, oracle found no bad line") from None
            else:
                if skipped or not oracle.same_rows(strict, want):
                    raise Mismatch("strict: reader returned rows where the oracle found a bad "
                                   "line, or other rows")
    finally:
        gdelt._SEGMENT = old
    STATS["rows"] += len(want)
    STATS["skipped"] += skipped


def _save(data: bytes) -> Path:
    _ARTIFACTS.mkdir(parents=True, exist_ok=True)
    p = _ARTIFACTS / f"mismatch-{hashlib.sha1(data).hexdigest()[:16]}.CSV"
    p.write_bytes(data)
    return p


def one_input(data: bytes) -> None:
    try:
        check(data)
    except Mismatch as exc:
        raise Mismatch(f"{exc}; input saved to {_save(data)}") from None


# ---------------------------------------------------------------- plain mutation loop

_ALPHABET = b"\t\n\r0123456789+-.eE x_\x00\xff"


def mutate(data: bytes, corpus: list[bytes], rng: random.Random) -> bytes:
    """One to four random edits: byte flips, insertions and deletions of separators and
    digits, duplicated or dropped fields and lines, splices of two inputs."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(pos, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[pos:pos] = bytes([rng.choice(_ALPHABET)]) * rng.randint(1, 3)
        elif op == 2 and b:
            del b[pos:pos + rng.randint(1, 16)]
        elif op == 3:
            other = rng.choice(corpus)
            cut = rng.randrange(len(other) + 1)
            b = b[:pos] + bytearray(other[cut:cut + rng.randint(1, 400)])
        elif op == 4:
            lines = bytes(b).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            b = bytearray(b"\n".join(lines))
        elif op == 5:
            fields = bytes(b).split(b"\t")
            if len(fields) > 1:
                i = rng.randrange(len(fields))
                fields[i] = rng.choice([b"", b"-0", b"1e308", b"9" * 70, b"0." + b"0" * 70 + b"1",
                                        b"20191231", b"16771231", b"22620101", b"2147483648",
                                        b"+5", b"USA", b"A" * 16, b"1", b"4", b"0"])
                b = bytearray(b"\t".join(fields))
        else:
            b = bytearray(bytes(b).replace(b"\n", b"\r\n", 1))
    return bytes(b[:65536])


def run_plain(seconds: float, corpus: list[bytes], rng_seed: int = 1) -> int:
    rng = random.Random(rng_seed)
    pool = list(corpus)
    for data in corpus:  # every seed once, unchanged
        one_input(data)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        data = mutate(rng.choice(pool), pool, rng)
        one_input(data)
        if len(pool) < 4000 and rng.random() < 0.05:
            pool.append(data)
    return STATS["runs"]


# ---------------------------------------------------------------- atheris (libFuzzer)


def run_atheris(seconds: float, corpus: list[bytes], extra: list[str]) -> None:
    import atheris

    cdir = _WORK / "corpus"
    cdir.mkdir()
    for i, data in enumerate(corpus):
        (cdir / f"seed{i:04d}").write_bytes(data)
    with atheris.instrument_imports():
        import multipolar.gdelt  # noqa: F401
    argv = [sys.argv[0], str(cdir), f"-max_total_time={max(1, int(seconds))}", "-max_len=16384",
            "-rss_limit_mb=4096", "-print_final_stats=1", "-error_exitcode=77", *extra]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()  # exits the process: 0 when the time is up, non-zero on a mismatch or crash


def main(argv: list[str] | None = None) -> int:
    global _ARTIFACTS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--plain", action="store_true", help="the plain mutation loop, not atheris")
    ap.add_argument("--replay", nargs="*", default=None, help="check these saved inputs")
    ap.add_argument("--artifacts", default=str(_WORK / "artifacts"))
    args, extra = ap.parse_known_args(argv)
    _ARTIFACTS = Path(args.artifacts)
    if args.replay is not None:
        for name in args.replay:
            check(Path(name).read_bytes())
        print(f"fuzz_gdelt: {len(args.replay)} inputs replayed, 0 mismatches")
        return 0
    corpus = seeds()
    try:
        import atheris  # noqa: F401
    except ImportError:
        args.plain = True
    if not args.plain:
        print(f"fuzz_gdelt: atheris, {len(corpus)} seeds from {DATA}, {args.seconds:g} s",
              flush=True)
        run_atheris(args.seconds, corpus, extra)
        return 0
    runs = run_plain(args.seconds, corpus)
    took = time.monotonic() - STATS["start"]
    print(f"fuzz_gdelt: {runs} executions in {took:.1f} s ({STATS['rows']} rows, "
          f"{STATS['skipped']} malformed lines compared), 0 mismatches, 0 crashes", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
