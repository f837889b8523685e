"""Paths, directories and stdin into records that know their file, index and place.

A file holds one record, a JSON array of records, an envelope (an Antavo bulk body
`{"events": [...]}` or a Segment batch `{"batch": [...]}`), or, when named `.ndjson` / `.jsonl`,
one record a line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import jsonio, pointers
from .violations import Finding, Violation

STDIN = "-"
STDIN_NAME = "<stdin>"
JSON_SUFFIXES = (".json",)
LINE_SUFFIXES = (".ndjson", ".jsonl")
SUFFIXES = JSON_SUFFIXES + LINE_SUFFIXES

Kind = Literal["antavo", "segment"]


@dataclass(frozen=True)
class Envelope:
    key: str
    kind: Kind
    allowed: frozenset[str]


ENVELOPES = (
    Envelope("events", "antavo", frozenset({"events"})),
    Envelope(
        "batch", "segment", frozenset({"batch", "context", "integrations", "sentAt", "writeKey"})
    ),
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

    def read_text(self) -> str:
        """The text, BOM removed. Raises OSError or UnicodeDecodeError."""
        if self.text is not None:
            return self.text
        raw = sys.stdin.buffer.read() if self.path is None else self.path.read_bytes()
        return raw.decode("utf-8-sig")


def collect(paths: Sequence[str | os.PathLike[str]]) -> list[Source]:
    """Files as given, `*.json`, `*.ndjson`, `*.jsonl` below directories (sorted), `-` for stdin."""
    sources: list[Source] = []
    for given in paths:
        if str(given) == STDIN:
            sources.append(Source(STDIN_NAME, None))
            continue
        path = Path(given)
        if path.is_dir():
            found = [
                Source(str(file), file, file.relative_to(path))
                for file in sorted(path.rglob("*"))
                if file.suffix.lower() in SUFFIXES and file.is_file()
            ]
            if not found:
                raise UsageError(f"{path}: no *.json, *.ndjson or *.jsonl files in this directory")
            sources.extend(found)
        elif path.is_file():
            sources.append(Source(str(path), path, Path(path.name)))
        elif path.exists():
            raise UsageError(f"{path}: not a regular file or directory")
        else:
            raise UsageError(f"{path}: no such file or directory")
    return sources


@dataclass(frozen=True)
class Locator:
    """Maps a pointer inside one record to its line and column, lazily."""

    text: str
    start: int
    prefix: tuple[str, ...] = ()
    first_line: int = 1

    def position(self, pointer: str) -> tuple[int, int]:
        offset = jsonio.locate(self.text, [*self.prefix, *pointers.split(pointer)], self.start)
        return jsonio.line_column(self.text, offset, self.first_line)


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


def file_violation(file: str, message: str, keyword: str, text: str = "", offset: int = 0,
                   pointer: str = "", first_line: int = 1) -> Violation:  # fmt: skip
    """A problem of the whole file: `record` is None."""
    line, column = jsonio.line_column(text, offset, first_line)
    return Violation(file, line, column, None, pointer, message, keyword)


def read(source: Source) -> Iterator[Record | Violation]:
    """The records of one source, in order, or the violations that stop it being read."""
    try:
        text = source.read_text()
    except UnicodeDecodeError as error:
        yield file_violation(
            source.name, f"not UTF-8 text: byte 0x{error.object[error.start]:02x} at byte "
            f"offset {error.start} cannot be decoded", "encoding",
        )  # fmt: skip
        return
    except OSError as error:
        yield file_violation(source.name, f"cannot read: {error.strerror}", "io")
        return
    if source.is_lines:
        yield from _read_lines(source.name, text)
    else:
        yield from _read_document(source.name, text)


def _read_lines(name: str, text: str) -> Iterator[Record | Violation]:
    if not text.strip():
        what = "empty" if not text else "white space only"
        yield file_violation(name, f"the file is {what}: it holds no record", "empty")
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
            yield Record(
                name, index, parsed.value, Locator(line, 0, (), number), None, parsed.findings
            )
        index += 1


def _read_document(name: str, text: str) -> Iterator[Record | Violation]:
    try:
        parsed = jsonio.parse(text)
    except jsonio.JSONSyntaxError as error:
        yield file_violation(
            name, error.message, "parse" if text.strip() else "empty", text, error.offset
        )
        return
    value = parsed.value
    items: Iterable[Any]
    envelope = _envelope_of(value)
    if isinstance(value, list):
        prefix: tuple[str, ...] = ()
        items, kind = value, None
    elif envelope is not None:
        for key in value:
            if key not in envelope.allowed:
                offset = jsonio.locate(text, [key])
                yield file_violation(
                    name, f"unknown key {key!r} beside {envelope.key!r} in the envelope",
                    "additionalProperties", text, offset, pointers.join([key]),
                )  # fmt: skip
        items, kind, prefix = value[envelope.key], envelope.kind, (envelope.key,)
        if not isinstance(items, list):
            offset = jsonio.locate(text, [envelope.key])
            yield file_violation(
                name, f"{envelope.key!r} must be an array of records", "type", text, offset,
                pointers.join([envelope.key]),
            )  # fmt: skip
            return
    elif isinstance(value, dict):
        yield Record(name, 0, value, Locator(text, 0), None, parsed.findings)
        return
    else:
        yield file_violation(
            name, "expected a record (a JSON object), an array of records, or a bulk or batch body",
            "type", text, jsonio.locate(text, []),
        )  # fmt: skip
        return
    for index, item in enumerate(items):
        item_prefix = (*prefix, str(index))
        own = _findings_below(parsed.findings, pointers.join(item_prefix))
        yield Record(name, index, item, Locator(text, 0, item_prefix), kind, own)


def _envelope_of(value: Any) -> Envelope | None:
    if not isinstance(value, dict):
        return None
    for envelope in ENVELOPES:
        # A record or message has `action` / `type`; an envelope has neither.
        if envelope.key in value and "action" not in value and "type" not in value:
            return envelope
    return None


def _findings_below(findings: Sequence[Finding], prefix: str) -> tuple[Finding, ...]:
    """The findings inside one record, their pointers made relative to it."""
    return tuple(
        Finding(f.pointer[len(prefix) :], f.message, f.keyword, f.schema)
        for f in findings
        if f.pointer == prefix or f.pointer.startswith(prefix + "/")
    )
