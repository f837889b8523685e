"""An input cut into pieces of work: whole NDJSON lines, or a whole document, as bytes.

A piece knows the number of its first record, so that every record carries its final number
from the start, whichever process reads it: the NDJSON reader counts the records of each piece
as it cuts it (one fast count of lines starting with `{`, and a line-by-line count only for a
piece with blank or unusual lines).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from contract_kit.jsontext import jsonio
from contract_kit.reading.file_violations import file_violation
from contract_kit.reading.paths import IO_KEYWORD, Source
from contract_kit.violations import Finding, Violation


@dataclass(frozen=True)
class Piece:
    """A piece of one input, small enough to hand to another process: whole NDJSON lines or a
    whole document, as bytes. Reading a large NDJSON file never holds more than a few pieces."""

    file: str
    data: bytes
    lines: bool
    first_line: int = 1
    source: int = 0
    """The position of its source among the run's inputs (a file may be given twice)."""
    first_record: int = 0
    """The number of its first record in its file: records carry their final numbers."""


#: Bytes of NDJSON per piece of work (whole lines: a piece ends at a newline).
BYTES_PER_PIECE = 1 << 20
_BOM = b"\xef\xbb\xbf"


def pieces(source: Source, number: int = 0) -> Iterator[Piece | Violation]:
    """The pieces one source (the run's input `number`) makes, in order, or the violation
    that stops its reading."""
    if source.unreadable is not None:
        yield file_violation(source.name, Finding("", source.unreadable, IO_KEYWORD))
        return
    try:
        if source.path is not None and source.is_lines and source.in_file:
            with source.path.open("rb") as stream:
                yield from _line_pieces(source.name, stream, number)
            return
        data = source.read().removeprefix(_BOM)
        as_lines = source.is_lines or (source.form_unnamed and _holds_lines(data))
        if as_lines:  # a golden's text is read the way its suffix says, too
            yield from _line_pieces(source.name, io.BytesIO(data), number)
        else:
            yield Piece(source.name, data, lines=False, source=number)
    except OSError as error:
        problem = error.strerror or str(error)
        if source.path is not None and _broken_link(source.path):
            problem = "broken symbolic link"
        yield file_violation(source.name, Finding("", f"cannot read: {problem}", IO_KEYWORD))


def _broken_link(path: Path) -> bool:
    try:
        return path.is_symlink() and not path.exists()
    except OSError:
        return False


def _line_pieces(name: str, stream: BinaryIO, number: int = 0) -> Iterator[Piece | Violation]:
    """The pieces of a whole NDJSON file, or the violation of a file that holds no record."""
    span = LineSpan()
    yield from line_pieces(name, iter(lambda: stream.read(BYTES_PER_PIECE), b""), number, span)
    if not span.holds_text:
        what = "white space only" if span.bytes else "empty"
        yield file_violation(name, Finding("", f"the file is {what}: it holds no record", "empty"))


@dataclass
class LineSpan:
    """Where a run of NDJSON lines starts in its file, and (once `line_pieces` has read it) how
    far it reached: the numbers the next run of lines of the same file starts at."""

    first_line: int = 1
    first_record: int = 0
    at_file_start: bool = True
    """A byte-order mark is dropped only at the start of a file."""
    bytes: int = 0
    """Bytes read (after a byte-order mark)."""
    holds_text: bool = False
    """Some line holds more than white space."""


def line_pieces(name: str, chunks: Iterable[bytes], number: int, span: LineSpan) -> Iterator[Piece]:
    """Pieces of about BYTES_PER_PIECE (whole lines: cut after a newline, \\n only: not U+2028
    in strings) of NDJSON bytes that arrive in `chunks`, numbered from `span`, which is
    advanced as they are cut. A line longer than a piece is gathered in parts and joined once.
    Whole files are read this way, and so are the parts of a file a Spark task reads."""
    parts: list[bytes] = []
    for index, chunk in enumerate(chunks):
        if index == 0 and span.at_file_start:
            chunk = chunk.removeprefix(_BOM)
        span.bytes += len(chunk)
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            parts.append(chunk)  # no line ends here yet
            continue
        piece = b"".join([*parts, chunk[:cut]]) if parts else chunk[:cut]
        parts = [chunk[cut:]] if cut < len(chunk) else []
        yield from _counted(name, piece, number, span)
    if parts:
        yield from _counted(name, b"".join(parts), number, span)


def _counted(name: str, piece: bytes, number: int, span: LineSpan) -> Iterator[Piece]:
    """`piece` as a Piece numbered from `span` if it holds text; `span` moved past it."""
    newlines = piece.count(b"\n")
    if _holds_text(piece):
        span.holds_text = True
        yield Piece(name, piece, True, span.first_line, number, span.first_record)
        span.first_record += records_in(piece, newlines)
    span.first_line += newlines


def _holds_text(piece: bytes) -> bool:
    """More than white space, Unicode's included (a line of no-break spaces is blank). A
    visible ASCII character settles it without decoding the piece."""
    if _VISIBLE_ASCII.search(piece):
        return True
    return bool(piece.decode("utf-8", "replace").strip())


_VISIBLE_ASCII = re.compile(rb"[!-~]")


def records_in(lines: bytes, newlines: int) -> int:
    """How many records (lines that are not blank) a piece of NDJSON with `newlines` line
    ends holds. Every line starts with `{` in a usual file: one count tells that; only other
    pieces are split."""
    starting = lines.count(b"\n{") + lines.startswith(b"{")
    if starting == newlines + (not lines.endswith(b"\n")):
        return starting
    return sum(not is_blank(line) for line in lines.split(b"\n"))


def is_blank(line: bytes) -> bool:
    """A line that holds no record: white space only, as Python's str.strip reads it (the
    ASCII separators \x1c-\x1f and Unicode's spaces included); a line that is not UTF-8 is not
    blank (it is a record, unreadable). `_holds_text` is the same question for a whole piece."""
    if not line.strip():
        return True
    try:
        return not line.decode("utf-8").strip()
    except UnicodeDecodeError:
        return False


def _holds_lines(data: bytes) -> bool:
    """One JSON value a line (NDJSON) rather than one document: the first value ends on its
    first line, and another starts on a new line. (Pretty-printed values one after another,
    as `jq .` writes them, are not NDJSON: read as one document, they get one violation that
    says so.) Bytes that are not UTF-8 are replaced for this question: a line that is not
    UTF-8 is a problem of that line, not of the file's form."""
    text = data.decode("utf-8", "replace")
    try:
        jsonio.parse(text)
    except jsonio.ExtraDataError as error:
        return error.on_new_line and "\n" not in text[: error.offset].strip()
    except jsonio.JSONSyntaxError:
        return False
    return False
