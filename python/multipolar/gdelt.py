"""Reading GDELT event files: :func:`read_gdelt`.

GDELT (Leetaru & Schrodt 2013) publishes events as tab-separated files
without a header: GDELT 1.0 daily files and backfiles (57 fields, 58 with
SOURCEURL from April 2013) and GDELT 2.0 15-minute exports (61 fields). The
tokenizer is C (``multipolar._core.gdelt_parse``): it splits tabs and converts
only the 14 fields used, on threads, and builds the code columns as
Categoricals from integer codes, never a Python string per row.

References
----------
* Leetaru, Kalev, and Philip A. Schrodt. 2013. "GDELT: Global Data on Events,
  Location, and Tone, 1979-2012." ISA Annual Convention.
* The GDELT Project. *GDELT 2.0 Event Database Codebook* (V2.0, 2015) and
  *GDELT Event Codebook* (V1.03, 2013): field order and meaning.
"""

from __future__ import annotations

import glob as _glob
import gzip
import io
import os
import sys
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

import numpy as np
import pandas as pd

from . import _core
from ._errors import InputError
from .codes import SYSTEMS

__all__ = ["COLUMNS", "STATE_ACTOR_TYPES", "dyad_shares", "read_gdelt"]

#: CAMEO actor types (Actor1/2Type1Code) of state actors: government,
#: military, legislature, judiciary, police and state intelligence (CAMEO
#: manual, Schrodt 2012, "actor types"; GDELT's CAMEO.type lookup). Opposition,
#: rebels, business, media, civilians, ... are not the state.
STATE_ACTOR_TYPES: tuple[str, ...] = ("GOV", "MIL", "LEG", "JUD", "COP", "SPY")
#: GDELT fields (0-based) of Actor1Type1Code and Actor2Type1Code, the same in 1.0 and 2.0.
_TYPE_FIELDS = (12, 22)

#: Columns of the frame :func:`read_gdelt` returns, with their dtypes.
COLUMNS: dict[str, str] = {
    "event_id": "int64",
    "date": "datetime64[ns]",
    "actor1": "category",
    "actor2": "category",
    "event_code": "category",
    "base_code": "category",
    "root_code": "category",
    "quad_class": "int8",
    "goldstein": "float64",
    "num_mentions": "int32",
    "num_sources": "int32",
    "num_articles": "int32",
    "avg_tone": "float64",
    "is_root": "bool",
}
_NAMES = list(COLUMNS)
# Bytes handed to one C call: bounds the parser's scratch rows (~60 bytes per event).
_WINDOW = 256 << 20
_STREAM_BLOCK = 64 << 20
# Bytes asked of a decompressing stream at a time: what a damaged stream can lose.
_READ_STEP = 1 << 20
# Bytes per segment of a C call: segments are the tasks of the thread runtime. Their number
# depends on the input size only, so the result does not depend on the thread count.
_SEGMENT = 4 << 20

#: GDELT columns the reader converts (0-based) -> (field name, what it must hold).
_FIELDS: dict[int, tuple[str, str]] = {
    0: ("GLOBALEVENTID", "a non-negative integer"),
    1: ("SQLDATE", "a date YYYYMMDD in 1678-2261"),
    7: ("Actor1CountryCode", "a code of at most 15 printable ASCII characters"),
    17: ("Actor2CountryCode", "a code of at most 15 printable ASCII characters"),
    25: ("IsRootEvent", "0 or 1"),
    26: ("EventCode", "a code of at most 15 printable ASCII characters"),
    27: ("EventBaseCode", "a code of at most 15 printable ASCII characters"),
    28: ("EventRootCode", "a code of at most 15 printable ASCII characters"),
    29: ("QuadClass", "1, 2, 3 or 4"),
    30: ("GoldsteinScale", "a number or empty"),
    31: ("NumMentions", "an integer in [0, 2**31)"),
    32: ("NumSources", "an integer in [0, 2**31)"),
    33: ("NumArticles", "an integer in [0, 2**31)"),
    34: ("AvgTone", "a number or empty"),
}
#: What each code column's vocabulary holds (the two actor columns share one).
_VOCAB_KIND = {7: "actor", 17: "actor", 26: "event", 27: "base event", 28: "root event"}
_FIELD_COUNTS = {
    1: "57 or 58 tab-separated fields (GDELT 1.0)",
    2: "61 tab-separated fields (GDELT 2.0)",
    0: "57 or 58 (GDELT 1.0) or 61 (GDELT 2.0) tab-separated fields",
}


def _describe(exc: BaseException, source: str) -> tuple[str, str | None]:
    """The words for a line the C tokenizer stopped at, from its structured error.

    Returns the problem (naming the file, line and column) and the field name.
    """
    status = getattr(exc, "status", None)
    row = getattr(exc, "row", None)
    column = getattr(exc, "field", None)
    raw = getattr(exc, "text", b"")
    text = raw.decode("ascii", "backslashreplace") if isinstance(raw, bytes) else str(raw)
    if status == "fields":
        count = _FIELD_COUNTS.get(getattr(exc, "format", 0), _FIELD_COUNTS[0])
        got = int(getattr(exc, "value", 0))
        return f"file {source!r} line {row} must have {count}; got {got}", None
    col = column if isinstance(column, int) else -1
    name, expect = _FIELDS.get(col, (f"field {col + 1}", "valid"))
    where = f"line {row} column {col + 1} ({name})"
    if status == "too_many":
        kind = _VOCAB_KIND.get(col, "")
        return (f"more than {getattr(exc, 'limit', 0)} distinct {kind} codes in file "
                f"{source!r}; the first that does not fit is {text!r} at {where}"), name
    return f"file {source!r} {where} must be {expect}; got {text!r}", name


def _restate(exc: ValueError, source: str) -> BaseException:
    """A tokenizer error as :class:`InputError` naming read_gdelt, the file and the line."""
    if getattr(exc, "status", None) not in ("parse", "fields", "too_many"):
        return exc
    problem, name = _describe(exc, source)
    return InputError(f"read_gdelt: {problem}", function="read_gdelt", argument=name,
                      row=getattr(exc, "row", None), value=getattr(exc, "text", None))


class _Problems:
    """Rows skipped (lenient mode) and files that could not be read, for one warning."""

    def __init__(self) -> None:
        self.skipped = 0
        self.filtered = 0
        self.first: str | None = None
        self.bad_files: list[str] = []
        self.partial_files: list[str] = []


class _Parser:
    """Calls the C tokenizer and keeps the code vocabularies across calls and files."""

    def __init__(self, allowed: list[str] | None, strict: bool, problems: _Problems) -> None:
        self.vocab: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
        self.allowed = allowed
        self.strict = strict
        self.problems = problems

    def parse(
        self, buf: Any, start: int, stop: int, state: dict[str, int], source: str
    ) -> tuple[tuple[np.ndarray, ...], int]:
        try:
            cols, end, nlines, nskip, nfilt, fmt, new, problem = _core.gdelt_parse(
                buf=buf, start=start, stop=stop, fmt=state["fmt"], strict=self.strict,
                actor_vocab=self.vocab[0], event_vocab=self.vocab[1], base_vocab=self.vocab[2],
                root_vocab=self.vocab[3], allowed=self.allowed, line0=state["line"],
                segment=_SEGMENT,
            )
        except ValueError as exc:
            new_exc = _restate(exc, source)
            if new_exc is exc:
                raise
            raise new_exc from None
        for vocab, added in zip(self.vocab, new):
            vocab.extend(added)
        state["line"] += nlines
        if fmt:
            state["fmt"] = fmt
        self.problems.skipped += nskip
        self.problems.filtered += nfilt
        if problem is not None and self.problems.first is None:
            self.problems.first = _describe(problem, source)[0]
        return cols, end


def _expand(paths: Any, func: str) -> list[str]:
    """A path, a glob pattern or a list of them -> existing file names, in order."""
    if isinstance(paths, (str, os.PathLike)):
        items: Iterable[Any] = [paths]
    elif isinstance(paths, Iterable) and not isinstance(paths, (bytes, dict)):
        items = list(paths)
    else:
        raise TypeError(
            f"{func}: paths must be a path, a glob pattern or a list of them; "
            f"got {type(paths).__name__}"
        )
    out: list[str] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"{func}: paths must hold str or path-like; got {type(item).__name__}")
        name = os.fspath(item)
        if isinstance(name, bytes):
            name = os.fsdecode(name)
        if any(ch in name for ch in "*?[") and not os.path.exists(name):
            hits = sorted(_glob.glob(name))
            if not hits:
                raise FileNotFoundError(f"{func}: paths pattern matches no file; got {name!r}")
            out.extend(hits)
        elif not os.path.isfile(name):
            raise FileNotFoundError(f"{func}: paths must name existing files; got {name!r}")
        else:
            out.append(name)
    if not out:
        raise ValueError(f"{func}: paths must name at least one file; got {paths!r}")
    return out


def _stream_pieces(
    fh: IO[bytes] | gzip.GzipFile, source: str, parser: _Parser
) -> Iterator[tuple[np.ndarray, ...]]:
    """Parse a decompressing stream block by block, cutting blocks at line ends.

    The stream is read in small steps (``read1``), so when it turns out to be
    damaged (a truncated ``.gz``) the whole lines decompressed before the damage
    are parsed and kept before the error goes up; the line the damage cuts is not.
    """
    state = {"fmt": 0, "line": 1}
    read = getattr(fh, "read1", fh.read)
    parts: list[bytes] = []
    size = 0
    while True:
        try:
            piece = read(_READ_STEP)
        except (zlib.error, EOFError, OSError, zipfile.BadZipFile):
            data = b"".join(parts)
            cut = data.rfind(b"\n") + 1
            if cut:
                cols, _ = parser.parse(data, 0, cut, state, source)
                yield cols
            raise
        if piece:
            parts.append(piece)
            size += len(piece)
            if size < _STREAM_BLOCK:
                continue
        data = b"".join(parts)
        parts, size = [], 0
        if not piece:
            if data:
                cols, _ = parser.parse(data, 0, len(data), state, source)
                yield cols
            return
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            parts, size = [data], len(data)
            continue
        cols, _ = parser.parse(memoryview(data)[:cut], 0, cut, state, source)
        yield cols
        if cut < len(data):
            parts, size = [data[cut:]], len(data) - cut


def _file_pieces(path: str, parser: _Parser) -> Iterator[tuple[np.ndarray, ...]]:
    """Parse one file (plain, .zip or .gz) into column tuples, a window at a time."""
    lower = path.lower()
    if lower.endswith(".zip"):
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise _Unreadable(f"file {path!r} is not a readable zip archive ({exc})") from None
        with zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                try:
                    with zf.open(info) as member:
                        yield from _stream_pieces(member, f"{path}:{info.filename}", parser)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                    raise _Unreadable(
                        f"file {path!r} member {info.filename!r} is corrupt ({exc})"
                    ) from None
        return
    if lower.endswith(".gz"):
        try:
            with gzip.open(path, "rb") as gz:
                yield from _stream_pieces(gz, path, parser)
        except (gzip.BadGzipFile, zlib.error, EOFError, OSError) as exc:
            raise _Unreadable(f"file {path!r} is not a readable gzip file ({exc})") from None
        return
    yield from _plain_pieces(path, parser)


def _plain_pieces(path: str, parser: _Parser) -> Iterator[tuple[np.ndarray, ...]]:
    """Parse a plain file read into a buffer of our own, a window at a time.

    The file is read, not memory-mapped: a mapped file that another process cuts
    short (a downloader rewriting it) kills the interpreter with SIGBUS on the
    first access past its new end, whereas a read just returns fewer bytes. A
    file that ends before the size it had when opened is reported as cut short.
    """
    state = {"fmt": 0, "line": 1}
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        buf = bytearray(max(1, min(size, _WINDOW)))
        fill = total = 0
        while True:
            if fill == len(buf):  # one line longer than the buffer: make room for it
                buf.extend(bytes(len(buf)))
            with memoryview(buf) as view:
                got = fh.readinto(view[fill:])
            fill += got
            total += got
            if not got:
                if total < size:  # cut short: the line the cut ends is not a row
                    fill = buf.rfind(b"\n", 0, fill) + 1
                if fill:
                    # a view of the filled part only: the tokenizer extends a last line
                    # without newline to the end of the buffer it is given
                    with memoryview(buf) as view:
                        cols, _ = parser.parse(view[:fill], 0, fill, state, path)
                    yield cols
                break
            cut = buf.rfind(b"\n", 0, fill) + 1
            if cut == 0 or fill < len(buf):
                continue  # read on to a full window (with a line end in it) or the end
            cols, _ = parser.parse(buf, 0, cut, state, path)
            yield cols
            buf[: fill - cut] = buf[cut:fill]
            fill -= cut
    if total < size:
        raise _Unreadable(
            f"file {path!r} was cut short while being read ({total} of its {size} bytes)"
        )


class _Unreadable(Exception):
    """A file that cannot be opened, decompressed or read to its end."""


def _empty_columns() -> tuple[np.ndarray, ...]:
    return (
        np.empty(0, np.int64), np.empty(0, np.int64), *(np.empty(0, np.int16) for _ in range(5)),
        np.empty(0, np.int8), np.empty(0, np.float64), *(np.empty(0, np.int32) for _ in range(3)),
        np.empty(0, np.float64), np.empty(0, np.bool_),
    )


def _categorical(codes: np.ndarray, vocab: list[str]) -> pd.Categorical:
    """A Categorical with sorted categories from codes into vocab (-1 missing)."""
    cats = np.array(vocab, dtype=object)
    order = np.argsort(cats, kind="stable")
    rank = np.empty(len(cats) + 1, dtype=np.int16)
    rank[order] = np.arange(len(cats), dtype=np.int16)
    rank[-1] = -1  # code -1 indexes the last entry
    return pd.Categorical.from_codes(
        rank[codes], dtype=pd.CategoricalDtype(pd.Index(cats[order], dtype=object)), validate=False
    )


def _frame(pieces: list[tuple[np.ndarray, ...]], vocab: tuple[list[str], ...]) -> pd.DataFrame:
    if not pieces:
        cols = _empty_columns()
    elif len(pieces) == 1:
        cols = pieces[0]
    else:
        cols = tuple(np.concatenate([p[c] for p in pieces]) for c in range(len(_NAMES)))
    data: dict[str, Any] = {
        "event_id": cols[0],
        "date": cols[1].view("M8[ns]"),
        "actor1": _categorical(cols[2], vocab[0]),
        "actor2": _categorical(cols[3], vocab[0]),
        "event_code": _categorical(cols[4], vocab[1]),
        "base_code": _categorical(cols[5], vocab[2]),
        "root_code": _categorical(cols[6], vocab[3]),
    }
    for c, name in enumerate(_NAMES[7:], start=7):
        data[name] = cols[c]
    return pd.DataFrame(data, copy=False)


def _split(pieces: list[tuple[np.ndarray, ...]], n: int) -> tuple[list, list]:
    """The first n rows of the pieces, and the rest."""
    head: list[tuple[np.ndarray, ...]] = []
    rest: list[tuple[np.ndarray, ...]] = []
    need = n
    for p in pieces:
        m = len(p[0])
        if need >= m:
            head.append(p)
            need -= m
        elif need > 0:
            head.append(tuple(c[:need] for c in p))
            rest.append(tuple(c[need:] for c in p))
            need = 0
        else:
            rest.append(p)
    return head, rest


def _allowed(countries: Any, codes: str, func: str) -> list[str] | None:
    if countries is None:
        return None
    if isinstance(countries, (str, bytes)) or not pd.api.types.is_list_like(countries):
        raise TypeError(
            f"{func}: countries must be None or a list-like of codes; got {countries!r}"
        )
    items = list(countries)
    if codes == "cameo":
        bad = [c for c in items if not isinstance(c, str)]
        if bad:
            raise TypeError(f"{func}: countries must be CAMEO code strings; got {bad[0]!r}")
        out = [c.strip().upper() for c in items]
    else:
        from .codes import convert

        try:
            converted = convert(items, from_=codes, to="cameo")
        except (ValueError, TypeError) as exc:
            raise type(exc)(
                f"{func}: countries must be {codes} codes of states; got {items[:8]!r} "
                f"({str(exc).split(': ', 1)[-1]})"
            ) from None
        missing = [c for c, k in zip(items, converted) if not isinstance(k, str)]
        if missing:
            raise ValueError(
                f"{func}: countries must have a CAMEO code; got none for {missing[:8]!r}"
            )
        out = list(converted)
    bad = [c for c in out if not (0 < len(c) <= 15 and c.isascii() and c.isprintable()
                                  and " " not in c)]
    if bad:
        raise ValueError(f"{func}: countries must be codes like 'USA'; got {bad[0]!r}")
    return sorted(set(out))


def _unknown_countries(allowed: list[str] | None, vocab: list[str], func: str) -> None:
    """Raise for codes in ``countries`` that are neither CAMEO state codes nor seen in the files.

    CAMEO country codes include regions and groups (AFR, EUR, ...) beyond the states of
    :mod:`multipolar.codes`: such a code is accepted when the files hold it, so a typo
    (``"XXX"``) is an error rather than a filter that silently keeps nothing.
    """
    if not allowed:
        return
    from .codes import convert

    seen = set(vocab)
    unknown = []
    for code in allowed:
        if code in seen:
            continue
        try:
            convert([code], from_="cameo", to="cow")
        except ValueError:
            unknown.append(code)
    if unknown:
        raise InputError(
            f"{func}: countries must be CAMEO country codes; got {unknown[:8]!r}, neither a "
            "state's code nor an actor of the files read",
            function=func, argument="countries", value=unknown[0],
        )


class _PlainProgress:
    """The fallback without tqdm (an optional dependency, extra ``progress``): one line
    per file read on stderr, only when a bar was asked for explicitly."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    def update(self, n: int) -> None:
        self.done += n
        print(f"read_gdelt: {self.done}/{self.total} files", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def _progress_bar(total: int, progress: Any) -> Any:
    try:
        from tqdm.auto import tqdm
    except ImportError:
        # the default (None) shows nothing without tqdm; progress=True still reports
        return _PlainProgress(total) if progress else None
    return tqdm(total=total, unit="file", desc="read_gdelt",
                disable=None if progress is None else False, file=sys.stderr)


def _pieces(
    files: list[str], parser: _Parser, problems: _Problems, progress: Any
) -> Iterator[tuple[np.ndarray, ...]]:
    bar: Any = None
    if progress is not False and len(files) > 1:
        bar = _progress_bar(len(files), progress)
    try:
        for path in files:
            kept = 0
            try:
                for cols in _file_pieces(path, parser):
                    kept += len(cols[0])
                    yield cols
            except _Unreadable as exc:
                if parser.strict:
                    after = f" after {kept} good rows" if kept else ""
                    raise InputError(f"read_gdelt: {exc}{after}", function="read_gdelt",
                                     argument="paths", value=path) from None
                if kept:
                    problems.partial_files.append(f"{exc}; kept the {kept} rows read before")
                else:
                    problems.bad_files.append(str(exc))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()


def _report(problems: _Problems, strict: bool, frame: pd.DataFrame | None = None) -> None:
    if frame is not None and not strict:
        frame.attrs["skipped_rows"] = problems.skipped
    if problems.skipped:
        warnings.warn(
            f"read_gdelt: skipped {problems.skipped} malformed rows; first: {problems.first}",
            UserWarning,
            stacklevel=3,
        )
    if problems.bad_files:
        warnings.warn(
            f"read_gdelt: skipped {len(problems.bad_files)} unreadable file(s); first: "
            f"{problems.bad_files[0]}",
            UserWarning,
            stacklevel=3,
        )
    if problems.partial_files:
        warnings.warn(
            f"read_gdelt: read {len(problems.partial_files)} damaged file(s) in part; first: "
            f"{problems.partial_files[0]}",
            UserWarning,
            stacklevel=3,
        )


def _chunks(
    files: list[str], parser: _Parser, problems: _Problems, progress: Any, chunksize: int
) -> Iterator[pd.DataFrame]:
    pending: list[tuple[np.ndarray, ...]] = []
    count = 0
    for cols in _pieces(files, parser, problems, progress):
        if len(cols[0]) == 0:
            continue
        pending.append(cols)
        count += len(cols[0])
        while count >= chunksize:
            head, pending = _split(pending, chunksize)
            count -= chunksize
            yield _frame(head, parser.vocab)
    _unknown_countries(parser.allowed, parser.vocab[0], "read_gdelt")
    if count:
        yield _frame(pending, parser.vocab)
    _report(problems, parser.strict)


def read_gdelt(
    paths: Any,
    *,
    countries: Any = None,
    codes: str = "cameo",
    strict: bool = True,
    chunksize: int | None = None,
    progress: bool | None = None,
    actors: str = "country",
) -> Any:
    """Read GDELT 1.0 or 2.0 event files into one frame (or chunks of one).

    Parameters
    ----------
    paths : path-like, glob pattern, or list of them
        Event files: plain (``.CSV``, ``.tsv``, any name), ``.zip`` (every
        member is read, as GDELT ships them) or ``.gz``. The format is
        detected per file from the field count: 61 fields is GDELT 2.0, 57
        or 58 (the 1.0 backfile without, and the daily files with SOURCEURL;
        both may occur in one file) is GDELT 1.0.
    countries : list-like, optional
        Keep only events whose two actors (Actor1CountryCode and
        Actor2CountryCode) are both listed; events with a missing actor are
        then dropped too. Filtered during the parse, so the frame never holds
        the rest. A code must be a state's CAMEO code or occur as an actor in
        the files read (CAMEO's region and group codes such as ``AFR``);
        anything else raises, so a typo never silently keeps nothing.
    codes : {"cameo", "cow", "cowabb", "iso3", "iso2", "gw", "name"}, default "cameo"
        Code system of ``countries`` (converted to CAMEO with
        :func:`multipolar.convert`). The frame's actors are always CAMEO
        codes.
    strict : bool, default True
        A row whose field count the file's format does not allow, or whose
        used fields do not parse, raises :class:`multipolar.InputError` (a
        ``ValueError``) naming the file, line and column. ``False`` skips such
        rows (and unreadable files), counts them, and reports the count and
        the first skipped row (file, line, column, text) in a ``UserWarning``
        and the count in ``frame.attrs["skipped_rows"]``. A damaged file
        (a truncated ``.gz``, a file cut short while read) keeps the rows
        before the damage; the warning says how many.
    chunksize : int, optional
        Return an iterator of frames of ``chunksize`` rows (the last may be
        shorter) instead of one frame, for inputs larger than memory. Code
        categories may grow from chunk to chunk.
    progress : bool, optional
        A tqdm progress bar over the files. Default: shown for several files
        when writing to a terminal. tqdm is optional (``pip install
        multipolar[progress]``); without it the default shows nothing and
        ``True`` prints one plain line per file to stderr.
    actors : {"country", "state"}, default "country"
        Which events count as a country's. GDELT's Actor1/2CountryCode
        gives the country of *any* actor -- a Russian company, newspaper or
        opposition party is "RUS" -- so with ``"country"`` (every event, as
        GDELT codes it) a "Russia-China" dyad is the two societies. With
        ``"state"`` only events whose two actors are state actors of a
        country are kept: both country codes present and Actor1Type1Code and
        Actor2Type1Code both in :data:`STATE_ACTOR_TYPES` (GOV, MIL, LEG,
        JUD, COP, SPY), so "Russia-China" means the two states. The types
        are read with pandas (a second, slower pass over the files). The frame then has ``actor1_type`` and ``actor2_type``
        columns, and ``frame.attrs["set_aside"]["non_state"]`` counts the
        events set aside. Not with ``chunksize``.

    Returns
    -------
    pandas.DataFrame or iterator of DataFrames
        One row per kept input row, in file order, with columns

        ============== ================= ==========================================
        column         dtype             GDELT field
        ============== ================= ==========================================
        event_id       int64             GLOBALEVENTID
        date           datetime64[ns]    SQLDATE (the event's date)
        actor1         category          Actor1CountryCode (CAMEO; NaN if empty)
        actor2         category          Actor2CountryCode
        event_code     category          EventCode (string, leading zeros kept)
        base_code      category          EventBaseCode
        root_code      category          EventRootCode
        quad_class     int8              QuadClass (1-4)
        goldstein      float64           GoldsteinScale (NaN if empty)
        num_mentions   int32             NumMentions
        num_sources    int32             NumSources
        num_articles   int32             NumArticles
        avg_tone       float64           AvgTone (NaN if empty)
        is_root        bool              IsRootEvent
        ============== ================= ==========================================

        Categories are sorted. Empty code fields are missing; lines that are
        empty are skipped; CRLF line ends and a missing final newline are
        fine. Numbers are read as Python's ``float`` and ``int`` read them,
        except that the reader takes only ASCII digits, no surrounding
        spaces, no underscores and no ``nan``/``inf``.

    Raises
    ------
    FileNotFoundError
        If a path does not exist or a pattern matches nothing.
    multipolar.InputError
        In strict mode, for a malformed row (the message gives the file, line
        and field; the attributes ``row`` the line and ``value`` the field's
        bytes). In both modes, when the files hold more than 32,767 distinct
        codes of one kind (actor, event, base or root event codes): the message
        names the first code that does not fit, with its file, line and column.
    multipolar.InputError
        In strict mode, for an unreadable or damaged file (the message says
        how many good rows came before the damage); in both modes for unknown
        ``countries``.
    TypeError
        If an argument has the wrong type.

    Warns
    -----
    UserWarning
        In lenient mode, if rows or files were skipped (with the count and the
        first problem).

    Notes
    -----
    Plain files are read into a buffer (not memory-mapped, so a file cut short
    by another process while it is read is reported, never a crash). The C
    tokenizer converts only
    the 14 fields above (GDELT fields 1-2, 8, 18, 26-35, shared by both
    formats), cutting each window of the file at line starts into segments of
    about 4 MB that run on threads (see :func:`multipolar.set_num_threads`);
    the segments are merged in file order, so rows, codes, categories, warnings
    and errors are the same for any thread count.
    Floating fields up to 19 significant digits are converted exactly
    (Clinger 1990: one correctly rounded operation on exact doubles); longer
    ones with the C library's ``strtod``. See ``benchmarks/bench_gdelt.py``
    for its speed against ``pandas.read_csv``.

    Examples
    --------
    >>> import multipolar as mp
    >>> ev = mp.read_gdelt("20191024143000.export.CSV")         # doctest: +SKIP
    >>> ev = mp.read_gdelt("events/*.export.CSV.zip",
    ...                    countries=["USA", "RUS", "CHN"])       # doctest: +SKIP
    """
    func = "read_gdelt"
    if actors not in ("country", "state"):
        raise ValueError(f"{func}: actors must be 'country' or 'state'; got {actors!r}")
    if actors == "state" and chunksize is not None:
        raise ValueError(f"{func}: actors='state' cannot be combined with chunksize; got "
                         f"chunksize={chunksize!r}")
    if not isinstance(codes, str) or codes not in SYSTEMS:
        raise ValueError(
            f"{func}: codes must be one of {', '.join(map(repr, SYSTEMS))}; got {codes!r}"
        )
    if not isinstance(strict, (bool, np.bool_)):
        raise TypeError(f"{func}: strict must be a bool; got {type(strict).__name__}")
    if chunksize is not None:
        if isinstance(chunksize, (bool, np.bool_)) or not isinstance(chunksize, (int, np.integer)):
            raise TypeError(f"{func}: chunksize must be None or an int; got {chunksize!r}")
        if chunksize < 1:
            raise ValueError(f"{func}: chunksize must be >= 1; got {chunksize}")
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"{func}: progress must be None or a bool; got {progress!r}")
    files = _expand(paths, func)
    allowed = _allowed(countries, codes, func)
    problems = _Problems()
    parser = _Parser(allowed, bool(strict), problems)
    if chunksize is not None:
        return _chunks(files, parser, problems, progress, int(chunksize))
    pieces = [c for c in _pieces(files, parser, problems, progress) if len(c[0])]
    _unknown_countries(allowed, parser.vocab[0], func)
    frame = _frame(pieces, parser.vocab)
    _report(problems, parser.strict, frame)
    if actors == "state":
        frame = _state_actors(frame, files, func)
    return frame


def _type_columns(path: str) -> pd.DataFrame:
    """GLOBALEVENTID and the two actors' Type1Code of every row of one file (pandas; the
    C tokenizer reads the 14 fields of the frame only)."""
    def read(fh: IO[bytes]) -> pd.DataFrame:
        first = fh.readline()
        # 61 fields: GDELT 2.0; else 1.0, whose 57- and 58-field rows fit 58 names
        width = 61 if first.count(b"\t") + 1 >= 61 else 58
        body = first + fh.read()
        return pd.read_csv(
            io.BytesIO(body), sep="\t", header=None, names=list(range(width)),
            usecols=[0, *_TYPE_FIELDS], dtype=str, keep_default_na=False, quoting=3,
            on_bad_lines="skip", engine="c",
        )

    lower = path.lower()
    if lower.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            parts = [read(zf.open(m)) for m in zf.namelist()]
        raw = (pd.concat(parts, ignore_index=True) if parts
               else pd.DataFrame(columns=[0, *_TYPE_FIELDS]))
    elif lower.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            raw = read(fh)
    else:
        with open(path, "rb") as fh:
            raw = read(fh)
    ids = pd.to_numeric(raw[0], errors="coerce")
    return pd.DataFrame({"event_id": ids, "actor1_type": raw[_TYPE_FIELDS[0]],
                         "actor2_type": raw[_TYPE_FIELDS[1]]})[ids.notna()]


def _state_actors(frame: pd.DataFrame, files: list[str], func: str) -> pd.DataFrame:
    """The events of ``frame`` whose two actors are state actors, with their types; the
    count of the others in ``attrs["set_aside"]``."""
    types = pd.concat([_type_columns(f) for f in files], ignore_index=True)
    types = types.drop_duplicates("event_id").set_index("event_id")
    t1 = types["actor1_type"].reindex(frame["event_id"].to_numpy()).to_numpy(object)
    t2 = types["actor2_type"].reindex(frame["event_id"].to_numpy()).to_numpy(object)
    keep = (np.isin(t1, STATE_ACTOR_TYPES) & np.isin(t2, STATE_ACTOR_TYPES)
            & frame["actor1"].notna().to_numpy() & frame["actor2"].notna().to_numpy())
    out = frame[keep].reset_index(drop=True)
    cats = sorted(STATE_ACTOR_TYPES)
    out["actor1_type"] = pd.Categorical(t1[keep], categories=cats)
    out["actor2_type"] = pd.Categorical(t2[keep], categories=cats)
    out.attrs = dict(frame.attrs)
    out.attrs["set_aside"] = {"non_state": int((~keep).sum())}
    return out


_QUADS = ("verbal_coop", "material_coop", "verbal_conflict", "material_conflict")


def dyad_shares(
    events: pd.DataFrame,
    a: str,
    b: str,
    freq: str = "YS",
    *,
    both: bool = True,
    min_events: int = 10,
) -> pd.DataFrame:
    """Event counts and QuadClass shares of one dyad per period, counts next to shares.

    For the events from ``a`` to ``b`` (and from ``b`` to ``a`` with
    ``both``) in each period of ``freq``::

        n_k       = number of events in period k
        share_qk  = #(events of QuadClass q in k) / n_k,   q = 1..4

    (1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
    4 material conflict; GDELT's QuadClass column), and the mean Goldstein
    score. A share of 2 events is not a trend: the standard error of a share
    p over n independent events is sqrt(p (1 - p) / n), up to 0.5 / sqrt(n),
    so periods with fewer than ``min_events`` events keep their count ``n``
    and get NaN shares (default 10: at most +-0.16 of standard error).
    Events are not independent (one story makes many events), so even this
    is optimistic; the counts are there to be read.

    Parameters
    ----------
    events : DataFrame
        As :func:`read_gdelt` returns it (``actor1``, ``actor2``, ``date``,
        ``quad_class``, ``goldstein``); for a state-to-state reading pass
        ``read_gdelt(..., actors="state")``.
    a, b : str
        CAMEO country codes.
    freq : str
        pandas period frequency of the bins (default ``"YS"``, years).
    both : bool
        Count both directions (default) or only a -> b.
    min_events : int
        Fewer events than this in a period leave its shares NaN (its ``n``
        is kept); 1 shows every share.

    Returns
    -------
    DataFrame
        Indexed by period start (every period from the first to the last
        event of the dyad): ``n`` (int64), ``verbal_coop``,
        ``material_coop``, ``verbal_conflict``, ``material_conflict``
        (shares, NaN below ``min_events``) and ``goldstein`` (mean, NaN
        below ``min_events``).

    Examples
    --------
    >>> import pandas as pd, multipolar as mp
    >>> ev = pd.DataFrame({"actor1": ["RUS", "CHN", "RUS"], "actor2": ["CHN", "RUS", "CHN"],
    ...                    "date": pd.to_datetime(["2020-03-01", "2020-05-01", "2021-01-01"]),
    ...                    "quad_class": [1, 4, 1], "goldstein": [3.0, -9.0, 1.0]})
    >>> mp.dyad_shares(ev, "RUS", "CHN", min_events=2)[["n", "verbal_coop", "material_conflict"]]
                n  verbal_coop  material_conflict
    date
    2020-01-01  2          0.5                0.5
    2021-01-01  1          NaN                NaN
    """
    func = "dyad_shares"
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"{func}: events must be a DataFrame; got {type(events).__name__}")
    missing = [c for c in ("actor1", "actor2", "date", "quad_class", "goldstein")
               if c not in events.columns]
    if missing:
        raise ValueError(f"{func}: events must have columns {missing}")
    if isinstance(min_events, bool) or not isinstance(min_events, (int, np.integer)) or min_events < 1:
        raise ValueError(f"{func}: min_events must be an integer >= 1; got {min_events!r}")
    if not isinstance(both, (bool, np.bool_)):
        raise TypeError(f"{func}: both must be a bool; got {both!r}")
    try:
        pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        raise ValueError(f"{func}: freq must be a pandas frequency such as 'YS' or 'MS'; "
                         f"got {freq!r}") from None
    a1 = events["actor1"].astype(object).to_numpy()
    a2 = events["actor2"].astype(object).to_numpy()
    for arg, actor in (("a", a), ("b", b)):
        if not (np.any(a1 == actor) or np.any(a2 == actor)):
            raise ValueError(f"{func}: {arg} is not an actor of any event; got {actor!r}")
    sel = (a1 == a) & (a2 == b)
    if both:
        sel |= (a1 == b) & (a2 == a)
    ev = events.loc[sel, ["date", "quad_class", "goldstein"]]
    if ev["date"].isna().any():
        raise ValueError(f"{func}: events of {a}-{b} must have a date; got NaT")
    bad = ~ev["quad_class"].isin([1, 2, 3, 4])
    if bad.any():
        raise ValueError(f"{func}: quad_class must be 1, 2, 3 or 4; got "
                         f"{ev['quad_class'][bad].iloc[0]!r}")
    if ev.empty:
        cols = {"n": pd.Series([], dtype=np.int64), **{q: [] for q in _QUADS}, "goldstein": []}
        return pd.DataFrame(cols, index=pd.DatetimeIndex([], name="date"))
    g = ev.set_index("date").groupby(pd.Grouper(freq=freq))
    n = g.size()
    quad = ev.assign(q=ev["quad_class"].astype(np.int64)).set_index("date").groupby(
        [pd.Grouper(freq=freq), "q"]).size().unstack(fill_value=0).reindex(
        index=n.index, columns=[1, 2, 3, 4], fill_value=0)
    enough = (n >= min_events).to_numpy()
    out = pd.DataFrame({"n": n.to_numpy(np.int64)}, index=pd.DatetimeIndex(n.index, name="date"))
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, name in enumerate(_QUADS):
            share = quad[k + 1].to_numpy(np.float64) / n.to_numpy(np.float64)
            out[name] = np.where(enough, share, np.nan)
        out["goldstein"] = np.where(enough, g["goldstein"].mean().to_numpy(np.float64), np.nan)
    return out
