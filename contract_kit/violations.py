"""Violations are values: collected and reported, never raised through the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
