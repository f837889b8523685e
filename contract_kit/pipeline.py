"""The one loop that moves records through the steps and yields what became of each.

    source ─► read (parse, locate) ─► check input ─► transform ─► check output ─► outcome

`cli`, `golden` and the Python API all drive it; it never prints and never exits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from . import jsonio, sources, transform, validation
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
    event_ids = EventIds()
    for source in inputs:
        for item in sources.read(source):
            if isinstance(item, Violation):
                yield Outcome(item.file, item.record, "rejected", violations=(item,))
                continue
            findings = _check_input(item, kind, strict)
            if not findings and _is_antavo(item, kind):
                findings = event_ids.check(item)
            yield _verdict(item, findings, "valid")


def convert(inputs: Iterable[Source], *, config: Config) -> Iterator[Outcome]:
    """Check each Antavo record, convert it, and check the message it became."""
    event_ids = EventIds()
    for source in inputs:
        for item in sources.read(source):
            if isinstance(item, Violation):
                yield Outcome(item.file, item.record, "rejected", violations=(item,))
                continue
            yield convert_record(item, config, event_ids)


def convert_record(record: Record, config: Config, event_ids: EventIds | None = None) -> Outcome:
    findings = _check_input(record, "antavo", strict=False)
    if not findings and event_ids is not None:
        findings = event_ids.check(record)
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


class EventIds:
    """Antavo event ids seen in one run: two different events must never share one.

    With an `id`, the messageId depends on `customer` and `id` only, so Segment keeps the first
    of two events sharing them and silently drops the other. A re-sent event (the same record,
    perhaps with another `timestamp`) may repeat its id.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[int, str, int]] = {}

    def check(self, record: Record) -> list[Finding]:
        value = record.value
        event_id = value.get("id")
        if not isinstance(event_id, str):
            return []
        content = {key: item for key, item in value.items() if key != "timestamp"}
        digest = hashlib.blake2b(jsonio.dump_canonical(content).encode(), digest_size=8).digest()
        fingerprint = int.from_bytes(digest, "big")
        key = (value["customer"], event_id)
        first = self._seen.setdefault(key, (fingerprint, record.file, record.index))
        if first[0] == fingerprint:
            return []
        where = f"record {first[2]}" + ("" if first[1] == record.file else f" of {first[1]}")
        return [
            Finding(
                "/id",
                f"Antavo id {event_id!r} of customer {value['customer']!r} is shared with a "
                f"different event ({where}): Segment would deduplicate them and drop this one",
                "uniqueEventId",
            )
        ]


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


def _is_antavo(record: Record, kind: KindOption) -> bool:
    if not isinstance(record.value, dict):
        return False
    return _kind_of(record.value, record.kind if kind == "auto" else kind) == "antavo"


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
