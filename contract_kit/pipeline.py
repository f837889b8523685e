"""The one loop that moves records through the steps and yields what became of each.

    source ─► read (parse, locate) ─► check input ─► transform ─► check output ─► outcome

`cli`, `golden` and the Python API all drive it; it never prints and never exits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from . import sources, transform, validation
from .config import Config
from .sources import Kind, Record, Source
from .violations import Finding, Violation

Status = Literal["valid", "converted", "skipped", "rejected"]
KindOption = Literal["auto", "antavo", "segment"]

ANTAVO_SCHEMA = "antavo/record"
SEGMENT_SCHEMA = "segment/message"
STRICT_SEGMENT_SCHEMA = "segment/antavo-source"


@dataclass(frozen=True)
class Outcome:
    """What became of one record, or of a file that yielded no record (`record` None)."""

    file: str
    record: int | None
    status: Status
    message: dict[str, Any] | None = None
    violations: tuple[Violation, ...] = ()
    reason: str | None = None
    """Why a record was skipped."""


def validate(
    inputs: Iterable[Source], *, kind: KindOption = "auto", strict: bool = False
) -> Iterator[Outcome]:
    """Check every record against the schemas of its kind."""
    for source in inputs:
        for item in sources.read(source):
            if isinstance(item, Violation):
                yield Outcome(item.file, item.record, "rejected", violations=(item,))
                continue
            findings = _check_input(item, kind, strict)
            yield _verdict(item, findings, "valid")


def convert(inputs: Iterable[Source], *, config: Config) -> Iterator[Outcome]:
    """Check each Antavo record, convert it, and check the message it became."""
    for source in inputs:
        for item in sources.read(source):
            if isinstance(item, Violation):
                yield Outcome(item.file, item.record, "rejected", violations=(item,))
                continue
            yield convert_record(item, config)


def convert_record(record: Record, config: Config) -> Outcome:
    findings = _check_input(record, "antavo", strict=False)
    if findings:
        return _verdict(record, findings, "rejected")
    result = transform.to_segment(record.value, config)
    if isinstance(result, transform.Skipped):
        return Outcome(record.file, record.index, "skipped", reason=result.reason)
    if isinstance(result, transform.Rejected):
        return _verdict(record, list(result.findings), "rejected")
    message = result.message
    problems = check_message(message, strict=True)
    if problems:
        violations = tuple(
            record.violation(
                Finding(p.pointer, f"in the converted message: {p.message}", p.keyword, p.schema),
                found_in="output",
            )
            for p in problems
        )
        return Outcome(record.file, record.index, "rejected", violations=violations)
    return Outcome(record.file, record.index, "converted", message=message)


def check_message(message: Any, *, strict: bool) -> list[Finding]:
    """A Segment message against the spec layer (and the Antavo source profile if strict)."""
    schema = STRICT_SEGMENT_SCHEMA if strict else SEGMENT_SCHEMA
    return validation.check(message, schema) + validation.check_message_size(message)


def _check_input(record: Record, kind: KindOption, strict: bool) -> list[Finding]:
    if record.findings:
        return list(record.findings)  # the value is not what the text says: check no further
    value = record.value
    if not isinstance(value, dict):
        got = validation.TYPE_NAMES[validation.json_type(value)]
        return [Finding("", f"expected a JSON object (a record), got {got}", "type")]
    effective = _kind_of(value, record.kind if kind == "auto" else kind)
    if effective is None:
        return [
            Finding(
                "",
                "neither an Antavo record (no 'action') nor a Segment message (no 'type'); "
                "use --kind to say which it should be",
                "kind",
            )
        ]
    if effective == "antavo":
        return validation.check(value, ANTAVO_SCHEMA)
    return check_message(value, strict=strict)


def _kind_of(value: dict[str, Any], known: Kind | None) -> Kind | None:
    if known is not None:
        return known
    if "action" in value:
        return "antavo"
    if "type" in value:
        return "segment"
    return None


def _verdict(record: Record, findings: list[Finding], ok_status: Status) -> Outcome:
    if not findings:
        return Outcome(record.file, record.index, ok_status)
    violations = tuple(record.violation(finding) for finding in findings)
    return Outcome(record.file, record.index, "rejected", violations=violations)
