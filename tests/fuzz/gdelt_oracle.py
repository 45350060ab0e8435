"""A plain-Python GDELT reader with read_gdelt's lenient rules: the fuzzer's oracle.

Line by line, ``bytes.split(b"\\t")``, Python's own ``int``/``float``/``datetime.date``
with the reader's documented narrowing: ASCII digits only, no surrounding whitespace,
no underscores, no nan/inf; integers within their column's range; dates exactly YYYYMMDD
in 1678-2261; codes of at most 15 printable ASCII characters without spaces (empty:
missing). The format is the field count of the first non-blank line that has 57 or 58
(GDELT 1.0) or 61 (GDELT 2.0) fields; other lines must match it. A line is blank if it is
empty or holds only the CR of a CRLF ending. Malformed lines are skipped and counted.
"""

from __future__ import annotations

import datetime
import math

#: Frame column -> GDELT field (0-based).
FIELDS = {"event_id": 0, "date": 1, "actor1": 7, "actor2": 17, "event_code": 26,
          "base_code": 27, "root_code": 28, "quad_class": 29, "goldstein": 30,
          "num_mentions": 31, "num_sources": 32, "num_articles": 33, "avg_tone": 34,
          "is_root": 25}
_INT_RANGE = {"event_id": (0, 2**63 - 1), "quad_class": (1, 4), "num_mentions": (0, 2**31 - 1),
              "num_sources": (0, 2**31 - 1), "num_articles": (0, 2**31 - 1), "is_root": (0, 1)}
_EPOCH = datetime.date(1970, 1, 1)


class Bad(Exception):
    """A field the reader must refuse."""


def _text(raw: bytes) -> str:
    if not raw.isascii():
        raise Bad
    text = raw.decode("ascii")
    if any(c in text for c in "_ \t\r\n\x0b\x0c") or "nan" in text.lower() or "inf" in text.lower():
        raise Bad
    return text


def _int(raw: bytes, lo: int, hi: int) -> int:
    try:
        v = int(_text(raw))
    except ValueError:
        raise Bad from None
    if not lo <= v <= hi:
        raise Bad
    return v


def _float(raw: bytes) -> float:
    if raw == b"":
        return math.nan
    try:
        v = float(_text(raw))
    except ValueError:
        raise Bad from None
    if not math.isfinite(v):
        raise Bad
    return v


def _date(raw: bytes) -> int:
    text = _text(raw)
    if len(text) != 8 or not text.isdigit():
        raise Bad
    try:
        day = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise Bad from None
    if not 1678 <= day.year <= 2261:
        raise Bad
    return (day - _EPOCH).days * 86_400 * 10**9


def _code(raw: bytes) -> str | None:
    if len(raw) > 15 or any(b < 0x21 or b > 0x7E for b in raw):
        raise Bad
    return raw.decode("ascii") if raw else None


def _lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _format(lines: list[bytes]) -> int:
    for line in lines:
        if line in (b"", b"\r"):
            continue
        n = line.count(b"\t") + 1
        if n == 61:
            return 2
        if n in (57, 58):
            return 1
    return 0


def parse(data: bytes) -> tuple[list[tuple], int]:
    """The rows (tuples in frame column order) and the number of skipped lines."""
    lines = _lines(data)
    fmt = _format(lines)
    rows, skipped = [], 0
    for line in lines:
        if line in (b"", b"\r"):
            continue
        f = line.split(b"\t")
        if not ((fmt == 2 and len(f) == 61) or (fmt == 1 and len(f) in (57, 58))):
            skipped += 1
            continue
        try:
            row = []
            for col, pos in FIELDS.items():
                if col == "date":
                    row.append(_date(f[pos]))
                elif col in ("goldstein", "avg_tone"):
                    row.append(_float(f[pos]))
                elif col in _INT_RANGE:
                    row.append(_int(f[pos], *_INT_RANGE[col]))
                else:
                    row.append(_code(f[pos]))
        except Bad:
            skipped += 1
            continue
        rows.append(tuple(row))
    return rows, skipped


def frame_rows(df) -> list[tuple]:
    """read_gdelt's frame as the same tuples (dates as int64 nanoseconds, codes or None)."""
    cols = []
    for col in FIELDS:
        s = df[col]
        if col == "date":
            cols.append(s.to_numpy().view("i8").tolist())
        elif str(s.dtype) == "category":
            cols.append([None if v != v else v for v in s.astype(object).tolist()])
        elif col == "is_root":
            cols.append([int(v) for v in s.tolist()])
        else:
            cols.append(s.tolist())
    return list(zip(*cols))


def same_rows(a: list[tuple], b: list[tuple]) -> bool:
    """Equal row by row; floats bitwise (NaN equal to NaN, -0.0 apart from 0.0)."""
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        for x, y in zip(ra, rb):
            if isinstance(x, float) or isinstance(y, float):
                if not (isinstance(x, float) and isinstance(y, float)):
                    return False
                if math.isnan(x) and math.isnan(y):
                    continue
                if x != y or math.copysign(1, x) != math.copysign(1, y):
                    return False
            elif x != y:
                return False
    return True
