"""The records of one piece of work, in order, each knowing its file, number and place.

A record's place in the text is kept as raw facts; line and column are worked out only for a
record that has a violation. An envelope (bulk or batch body) is checked here, as a whole,
before its records are handed out one by one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from contract_kit.checking import validation
from contract_kit.jsontext import jsonio, pointers
from contract_kit.reading.file_violations import file_violation
from contract_kit.reading.paths import Source
from contract_kit.reading.pieces import Piece, is_blank, pieces
from contract_kit.violations import Finding, Violation

Kind = Literal["antavo", "segment"]


@dataclass(frozen=True)
class Envelope:
    """A body that wraps records: the key holding them, their kind, the body's own schema."""

    key: str
    kind: Kind
    schema: str


ENVELOPES = (
    Envelope("events", "antavo", "antavo/bulk"),
    Envelope("batch", "segment", "segment/batch"),
)


Place = tuple[int, tuple[str, ...] | None, int]
"""Where a record is: (its first line, the pointer of its array or None, its element)."""


class Record:
    """One JSON value that should be a record (or message), with its origin.

    Its place in the text is kept as raw facts; line and column are worked out only for a
    record that has a violation.
    """

    __slots__ = (
        "_array",
        "_element",
        "_text",
        "file",
        "findings",
        "index",
        "kind",
        "line",
        "value",
    )

    def __init__(
        self,
        file: str,
        index: int,
        value: Any,
        *,
        text: str | bytes | jsonio.TextIndex,
        line: int = 1,
        array: tuple[str, ...] | None = None,
        element: int = 0,
        kind: Kind | None = None,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        self.file = file
        self.index = index
        self.value = value
        self.kind = kind
        """Known from the envelope (bulk: antavo, batch: segment); else decided per record."""
        self.findings = findings
        """Problems the parser found inside it: duplicate keys, numbers a double cannot hold."""
        self.line = line
        """The line the record's text starts on (NDJSON) or 1 (a document)."""
        self._text = text
        self._array = array
        self._element = element

    @property
    def place(self) -> Place:
        """Enough to find the record again in its file: (line, array pointer tokens, element)."""
        return (self.line, self._array, self._element)

    def text(self) -> str:
        """The record as written in its input, character for character."""
        index = self._index()
        if self._array is None:
            return index.text.strip()
        start = index.element_start(self._array, self._element)
        return index.text[start : jsonio.skip_value(index.text, start)]

    def _index(self) -> jsonio.TextIndex:
        if isinstance(self._text, bytes):  # an NDJSON line, decoded only when a place is needed
            self._text = self._text.removesuffix(b"\r").decode("utf-8", "surrogatepass")
        if not isinstance(self._text, jsonio.TextIndex):
            self._text = jsonio.TextIndex(self._text, self.line)
        return self._text

    def position(self, pointer: str) -> tuple[int, int]:
        """Line and column where the value at `pointer` (inside the record) starts."""
        index = self._index()
        start = 0 if self._array is None else index.element_start(self._array, self._element)
        return index.line_column(index.locate(pointers.split(pointer), start))

    def violation(
        self,
        finding: Finding,
        found_in: Literal["input", "output"] = "input",
        at: str | None = None,
    ) -> Violation:
        """The finding placed in this record's file. A finding in the converted message
        (`output`) is placed at `at`, a pointer into the record, else at the record itself."""
        pointer = finding.pointer if found_in == "input" else at or ""
        line, column = self.position(pointer)
        return Violation(
            self.file, line, column, self.index, finding.pointer, finding.message,
            finding.keyword, finding.schema, found_in, finding.severity, finding.layer,
        )  # fmt: skip


class Unreadable(NamedTuple):
    """A line (or file) that yields no record, with its text where it is text at all."""

    violation: Violation
    text: str | None


def record_at(piece: Piece, number: int, place: Place) -> Record:
    """Record `number` of `piece`, found again by its place: to word and place a violation
    found after the piece was done (an Antavo id an earlier event holds). Its value is not
    read again; its text and positions are."""
    line, array, element = place
    if array is None:
        raw = piece.data.split(b"\n")[line - piece.first_line]
        return Record(piece.file, number, None, text=raw, line=line)
    text = piece.data.decode("utf-8", "surrogatepass")
    return Record(piece.file, number, None, text=text, array=array, element=element)


def read(source: Source) -> Iterator[Record | Violation]:
    """Every record of one source, in order, in this process (for goldens' own text)."""
    for piece in pieces(source):
        if isinstance(piece, Violation):
            yield piece
            continue
        for item in records(piece):
            yield item.violation if isinstance(item, Unreadable) else item


def records(piece: Piece) -> Iterator[Record | Unreadable]:
    """The records of one piece of work, in order, or violations where there is no record."""
    if piece.lines:
        yield from _line_records(piece)
    else:
        yield from _document_records(piece)


def _line_records(piece: Piece) -> Iterator[Record | Unreadable]:
    index = piece.first_record
    for number, raw in enumerate(piece.data.split(b"\n"), start=piece.first_line):
        item = line_record(piece.file, index, number, raw)
        if item is not None:
            yield item
            index += 1


def line_record(file: str, index: int, number: int, raw: bytes) -> Record | Unreadable | None:
    """NDJSON line `number` as record `index` of `file`; None for a blank line."""
    if is_blank(raw):
        return None
    value = jsonio.quick_load(raw)
    if value is not jsonio.UNUSUAL:
        return Record(file, index, value, text=raw, line=number)
    return _strict_line(file, index, number, raw)


def _strict_line(name: str, index: int, number: int, raw: bytes) -> Record | Unreadable:
    try:
        line = raw.removesuffix(b"\r").decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded"
        column = len(raw[: error.start].decode("utf-8", "replace")) + 1  # characters, not bytes
        violation = Violation(name, number, column, index, "", message, "encoding")
        return Unreadable(violation, raw.removesuffix(b"\r").decode("utf-8", "backslashreplace"))
    try:
        parsed = jsonio.parse(line, what="line")
    except jsonio.JSONSyntaxError as error:
        violation = Violation(name, number, error.offset + 1, index, "", error.message, "parse")
        return Unreadable(violation, line)
    return Record(name, index, parsed.value, text=line, line=number, findings=parsed.findings)


def _document_records(piece: Piece) -> Iterator[Record | Unreadable]:
    name = piece.file
    try:
        text = piece.data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = (
            f"not UTF-8 text: byte 0x{piece.data[error.start]:02x} at byte offset "
            f"{error.start} cannot be decoded"
        )
        text = piece.data.decode("utf-8", "backslashreplace")
        yield Unreadable(file_violation(name, Finding("", message, "encoding")), text)
        return
    index = jsonio.TextIndex(text)
    value = jsonio.quick_load(piece.data)
    if value is jsonio.UNUSUAL:
        try:
            parsed = jsonio.parse(text)
        except jsonio.JSONSyntaxError as error:
            keyword = "parse" if text.strip() else "empty"
            violation = file_violation(
                name, Finding("", error.message, keyword), index, error.offset
            )
            yield Unreadable(violation, text)
            return
        value, found = parsed.value, parsed.findings
    else:
        found = ()
    envelope = _envelope_of(value)
    if isinstance(value, list):
        array: tuple[str, ...] = ()
        items, kind = value, None
    elif envelope is not None:
        items, kind, array = value[envelope.key], envelope.kind, (envelope.key,)
        for finding in _envelope_findings(envelope, value, found):
            yield Unreadable(file_violation(name, finding, index), None)
        if not isinstance(items, list):
            return
    elif isinstance(value, dict):
        yield Record(name, 0, value, text=index, findings=found)
        return
    else:
        message = "expected a record (a JSON object), an array of records, or a bulk or batch body"
        yield Unreadable(file_violation(name, Finding("", message, "type"), index), text)
        return
    for position, item in enumerate(items):
        own = _findings_below(found, pointers.join((*array, position))) if found else ()
        yield Record(
            name, position, item, text=index, array=array, element=position, kind=kind, findings=own
        )


def _envelope_of(value: Any) -> Envelope | None:
    if not isinstance(value, dict):
        return None
    for envelope in ENVELOPES:
        # A record or message has `action` / `type`; an envelope has neither.
        if envelope.key in value and "action" not in value and "type" not in value:
            return envelope
    return None


def _envelope_findings(
    envelope: Envelope, body: dict[str, Any], parsed: Sequence[Finding]
) -> list[Finding]:
    """The body's own problems: its schema (records left out: each is checked on its own),
    what the parser found outside the records, and Segment's batch limits."""
    records = pointers.join((envelope.key,)) + "/"
    outside = [f for f in parsed if not f.pointer.startswith(records)]
    if outside:
        return outside  # the body is not what its text says: check no further
    items = body[envelope.key]
    shell = {**body, envelope.key: []} if isinstance(items, list) else body
    findings = validation.check(shell, envelope.schema)
    if envelope.kind == "segment" and isinstance(items, list):
        findings += validation.check_batch_limits(body)
    return findings


def _findings_below(findings: Sequence[Finding], prefix: str) -> tuple[Finding, ...]:
    """The findings inside one record, their pointers made relative to it."""
    return tuple(
        Finding(f.pointer[len(prefix) :], f.message, f.keyword, f.schema)
        for f in findings
        if f.pointer == prefix or f.pointer.startswith(prefix + "/")
    )
