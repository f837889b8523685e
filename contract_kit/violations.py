"""Violations are values: collected and reported, never raised through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


def _escape(code: int) -> str:
    named = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
    return named.get(code, f"\\u{code:04x}")


#: The bidirectional controls (embeddings, overrides, isolates, marks): shown raw, they reorder
#: the text around them, so that a key can read as another ("Trojan Source", CVE-2021-42574).
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
#: Control characters (C0, DEL, C1), the Unicode line and paragraph separators, and _BIDI.
_UNPRINTABLE = {
    code: _escape(code) for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *_BIDI]
}


def printable(text: str) -> str:
    """`text` with its control characters written as escapes (`\\n`, `\\u001b`): what a text
    report prints of anything that came from input (file names, keys, values), so that input
    can neither start a new line (a GitHub `::error` command, a forged violation), drive the
    terminal, nor reorder what a reader sees (bidirectional controls). Reports that carry data
    (JSON, and SARIF's properties) keep the text as it is."""
    return text.translate(_UNPRINTABLE)


def shortened(text: str, limit: int = 200) -> str:
    """`text`, cut in the middle past `limit` characters: what an error line shows of a path or
    a value from input, so that no line echoes more than a few hundred characters of it."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


FoundIn = Literal["input", "output"]
Severity = Literal["error", "warning"]
"""A warning (an unplanned event under `unplanned = "warn"`) is reported but never fails a run."""
Layer = Literal["contract", "plan"]
"""What the value was checked against: the bundled contract, or the project's tracking plan."""


@dataclass(frozen=True)
class Finding:
    """A problem inside one JSON value, before it is placed in a file.

    `pointer` is an RFC 6901 JSON Pointer relative to the record (or message) checked.
    """

    pointer: str
    message: str
    keyword: str
    schema: str | None = None
    severity: Severity = "error"
    layer: Layer = "contract"


@dataclass(frozen=True)
class Violation:
    """A problem with its place: file, 1-based line and column (characters), record index.

    `record` is None for a problem of the whole file (unparseable JSON, an empty file).
    `found_in` is "output" when the problem is in the Segment message converted from the record.
    """

    file: str
    line: int
    column: int
    record: int | None
    pointer: str
    message: str
    keyword: str
    schema: str | None = None
    found_in: FoundIn = "input"
    severity: Severity = "error"
    layer: Layer = "contract"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "record": self.record,
            "pointer": self.pointer,
            "message": self.message,
            "keyword": self.keyword,
            "schema": self.schema,
            "found_in": self.found_in,
            "severity": self.severity,
            "layer": self.layer,
        }
