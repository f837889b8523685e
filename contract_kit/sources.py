"""Paths, directories and stdin into records that know their file, index and place.

A file holds one record, a JSON array of records, an envelope (an Antavo bulk body
`{"events": [...]}` or a Segment batch `{"batch": [...]}`), or, when named `.ndjson` / `.jsonl`,
one record a line. Standard input has no name: it is read as NDJSON when it holds one JSON value
a line, else as a document.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import jsonio, pointers, validation
from .violations import Finding, Violation

STDIN = "-"
STDIN_NAME = "<stdin>"
JSON_SUFFIXES = (".json",)
LINE_SUFFIXES = (".ndjson", ".jsonl")
SUFFIXES = JSON_SUFFIXES + LINE_SUFFIXES
#: Keyword of a violation that is an environment problem (unreadable file): exit code 2.
IO_KEYWORD = "io"

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


class UsageError(Exception):
    """A path that cannot be used at all: the command stops before it starts (exit 2)."""


@dataclass(frozen=True)
class Source:
    """One input: a file, or standard input. `name` is how reports show it."""

    name: str
    path: Path | None
    relative: Path | None = None
    """The path below the directory it was found in (for goldens)."""
    text: str | None = None
    """The document itself, for values given in memory through the Python API."""

    @property
    def is_lines(self) -> bool:
        return self.path is not None and self.path.suffix.lower() in LINE_SUFFIXES

    @property
    def is_stdin(self) -> bool:
        return self.path is None and self.text is None

    def read_text(self) -> str:
        """The text, BOM removed. Raises OSError or UnicodeDecodeError."""
        if self.text is not None:
            return self.text
        if self.path is not None:
            raw = self.path.read_bytes()
        elif sys.stdin is None:
            raise OSError(0, "standard input is closed")
        else:
            raw = sys.stdin.buffer.read()
        return raw.decode("utf-8-sig")


def collect(paths: Sequence[str | os.PathLike[str]]) -> list[Source]:
    """Files as given, `*.json`, `*.ndjson`, `*.jsonl` below directories (sorted, hidden folders
    skipped), `-` for stdin. Named pipes and devices given by name are read like files."""
    sources: list[Source] = []
    stdin_seen = False
    for given in paths:
        if str(given) == "":
            raise UsageError("an empty path was given")
        if str(given) == STDIN:
            if stdin_seen:
                raise UsageError("standard input can be read only once: '-' was given twice")
            stdin_seen = True
            sources.append(Source(STDIN_NAME, None))
            continue
        path = Path(given)
        if path.is_dir():
            found = list(files_below(path))
            if not found:
                raise UsageError(f"{path}: no *.json, *.ndjson or *.jsonl files in this directory")
            sources.extend(found)
        elif path.exists():
            sources.append(Source(str(path), path, Path(path.name)))
        elif path.is_symlink():
            sources.append(Source(str(path), path, Path(path.name)))  # reported when read
        else:
            raise UsageError(f"{path}: no such file or directory")
    return sources


def files_below(root: Path) -> Iterator[Source]:
    """Matching files below `root`, sorted; hidden folders (.git, .venv) and caches skipped."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(
            s for s in subfolders if not s.startswith(".") and s != "__pycache__"
        )
        for name in sorted(files):
            if Path(name).suffix.lower() in SUFFIXES:
                file = Path(folder) / name
                yield Source(str(file), file, file.relative_to(root))


@dataclass(frozen=True)
class Locator:
    """Maps a pointer inside one record to its line and column, lazily."""

    index: jsonio.TextIndex
    array: tuple[str, ...] | None = None
    """The pointer tokens of the array holding the record; None when it is the whole text."""
    element: int = 0

    def position(self, pointer: str) -> tuple[int, int]:
        start = 0 if self.array is None else self.index.element_start(self.array, self.element)
        offset = jsonio.locate(self.index.text, pointers.split(pointer), start)
        return self.index.line_column(offset)


@dataclass(frozen=True)
class Record:
    """One JSON value that should be a record (or message), with its origin."""

    file: str
    index: int
    value: Any
    locator: Locator
    kind: Kind | None = None
    """Known from the envelope (bulk: antavo, batch: segment); else decided per record."""
    findings: tuple[Finding, ...] = field(default=())
    """Problems the parser found inside it: duplicate keys, numbers a double cannot hold."""

    def violation(
        self, finding: Finding, found_in: Literal["input", "output"] = "input"
    ) -> Violation:
        line, column = self.locator.position(finding.pointer if found_in == "input" else "")
        return Violation(
            self.file, line, column, self.index, finding.pointer, finding.message,
            finding.keyword, finding.schema, found_in,
        )  # fmt: skip


def file_violation(
    file: str, finding: Finding, index: jsonio.TextIndex | None = None, offset: int | None = None
) -> Violation:
    """A problem of the whole file (`record` None), at `offset` or else at its pointer."""
    if index is None:
        return Violation(file, 1, 1, None, finding.pointer, finding.message, finding.keyword)
    if offset is None:
        offset = jsonio.locate(index.text, pointers.split(finding.pointer))
    line, column = index.line_column(offset)
    return Violation(
        file, line, column, None, finding.pointer, finding.message, finding.keyword, finding.schema
    )


def read(source: Source) -> Iterator[Record | Violation]:
    """The records of one source, in order, or the violations that stop it being read."""
    try:
        text = source.read_text()
    except UnicodeDecodeError as error:
        message = (
            f"not UTF-8 text: byte 0x{error.object[error.start]:02x} at byte offset "
            f"{error.start} cannot be decoded"
        )
        yield file_violation(source.name, Finding("", message, "encoding"))
        return
    except OSError as error:
        problem = error.strerror or str(error)
        if source.path is not None and source.path.is_symlink() and not source.path.exists():
            problem = "broken symbolic link"
        yield file_violation(source.name, Finding("", f"cannot read: {problem}", IO_KEYWORD))
        return
    if source.is_lines or (source.is_stdin and _holds_lines(text)):
        yield from _read_lines(source.name, text)
    else:
        yield from _read_document(source.name, text)


def _holds_lines(text: str) -> bool:
    """Standard input with one JSON value a line (NDJSON) rather than one document."""
    try:
        jsonio.parse(text)
    except jsonio.ExtraDataError as error:
        return error.on_new_line
    except jsonio.JSONSyntaxError:
        return False
    return False


def _read_lines(name: str, text: str) -> Iterator[Record | Violation]:
    if not text.strip():
        what = "empty" if not text else "white space only"
        yield file_violation(name, Finding("", f"the file is {what}: it holds no record", "empty"))
        return
    index = 0
    # Split on \n only: str.splitlines() would also split inside strings at U+2028 and friends.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            parsed = jsonio.parse(line, what="line")
        except jsonio.JSONSyntaxError as error:
            yield Violation(name, number, error.offset + 1, index, "", error.message, "parse")
        else:
            locator = Locator(jsonio.TextIndex(line, number))
            yield Record(name, index, parsed.value, locator, None, parsed.findings)
        index += 1


def _read_document(name: str, text: str) -> Iterator[Record | Violation]:
    index = jsonio.TextIndex(text)
    try:
        parsed = jsonio.parse(text)
    except jsonio.JSONSyntaxError as error:
        keyword = "parse" if text.strip() else "empty"
        yield file_violation(name, Finding("", error.message, keyword), index, error.offset)
        return
    value = parsed.value
    envelope = _envelope_of(value)
    if isinstance(value, list):
        array: tuple[str, ...] = ()
        items, kind = value, None
    elif envelope is not None:
        items, kind, array = value[envelope.key], envelope.kind, (envelope.key,)
        for finding in _envelope_findings(envelope, value, parsed.findings):
            yield file_violation(name, finding, index)
        if not isinstance(items, list):
            return
    elif isinstance(value, dict):
        yield Record(name, 0, value, Locator(index), None, parsed.findings)
        return
    else:
        message = "expected a record (a JSON object), an array of records, or a bulk or batch body"
        yield file_violation(name, Finding("", message, "type"), index)
        return
    for position, item in enumerate(items):
        prefix = pointers.join((*array, position))
        own = _findings_below(parsed.findings, prefix)
        yield Record(name, position, item, Locator(index, array, position), kind, own)


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
