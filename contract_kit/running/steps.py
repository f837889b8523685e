"""The unit of work: a piece of input (bytes and where they came from) in, a PieceResult out.

    piece ─► records ─► check input ─► map ─► (omit) ─► check output (and plan) ─► output bytes

`process` is a pure function of the piece and the run's context: it runs in this process or in
a worker, and what it returns is cheap to send back (the messages as one block of NDJSON bytes,
compact event-id arrays, violations only where there are some). Records carry their final
numbers from the start (see reading.pieces), so nothing is renumbered afterwards.

Three routes through one piece, with one verdict (tests/checking/test_fast_path.py,
tests/running/test_steps.py and tests/running/test_core.py prove it on generated and broken
records):
- with the compiled core (running.core), `_core_lines`: the core reads, checks and converts
  every line it can vouch for in one pass, without the GIL, and leaves every other line to
  `_careful`; its messages, counts and event ids are merged with those in record order.
- on the Python path (CONTRACT_KIT_CORE=0), the usual NDJSON line takes the flat loop in
  `_plain_lines`: orjson reads it, and writing the
  value back gives the very same bytes (so the text has no duplicate keys, big integers, lone
  surrogates or odd spacing the fast reader could have misread); the compiled validator says it
  is a valid Antavo record; then it is mapped and written. No Record, no location is made.
- anything else (a line that differs when written back, an invalid record, a document, a
  Segment message) goes through `_careful`, which builds a Record and words and locates every
  violation with the reference validator.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Iterable
from hashlib import blake2b
from typing import TYPE_CHECKING, Any

import orjson

from contract_kit.checking import compiled, validation
from contract_kit.checking.messages import check_message
from contract_kit.jsontext import jsonio, pointers
from contract_kit.mapping import transform
from contract_kit.reading.pieces import Piece
from contract_kit.reading.records import Kind, Place, Record, Unreadable, line_record, records
from contract_kit.running import core
from contract_kit.running.context import KindOption, RunContext
from contract_kit.running.results import NO_MESSAGE, PieceResult, Reject
from contract_kit.violations import Finding, Violation

if TYPE_CHECKING:
    from contract_kit import _core

ANTAVO_SCHEMA = "antavo/record"


class _Work:
    """One piece in progress: its result, and where the messages go until it is done."""

    def __init__(self, piece: Piece, run: RunContext) -> None:
        self.run = run
        self.result = PieceResult(piece.file, piece.source, size=len(piece.data))
        self.output: list[bytes | memoryview] = []
        """Each message written so far, and a newline: the Python path's one by one, the core's
        in blocks (joined once, at the end: no copy of a block before then)."""
        self.converted = 0
        self.errors = 0
        self.by_construction = run.mode == "convert" and run.output_checked_by_construction
        self.omits = run.plan is not None and run.plan.unplanned_properties == "omit"

    def stopped(self) -> bool:
        """--max-errors reached: the rest of the piece is work nobody will see."""
        return self.run.max_errors is not None and self.errors >= self.run.max_errors

    def add_violations(self, violations: list[Violation]) -> None:
        self.result.violations.extend(violations)
        self.errors += sum(violation.is_error for violation in violations)

    def add_message(self, serialised: bytes) -> None:
        self.output += (serialised, b"\n")
        self.converted += 1

    def finish(self) -> PieceResult:
        result = self.result
        result.converted = self.converted
        result.output = b"".join(self.output)  # one block alone is the block itself
        return result


def process(piece: Piece | Violation, run: RunContext) -> PieceResult:
    """One piece of work, start to end. A pure function of its arguments: runs anywhere."""
    if isinstance(piece, Violation):  # the input could not be read: a problem of the file
        result = PieceResult(piece.file, violations=[piece])
        if run.keep_rejects:
            result.rejects.append(Reject(None, None, (piece,)))
        return result
    work = _Work(piece, run)
    checker = core.checker() if piece.lines and core.serves(run) else None
    if checker is not None:
        _core_lines(piece, work, checker)
    elif piece.lines and _may_be_antavo(run):
        _plain_lines(piece, work)
    else:
        for item in records(piece):
            _careful(item, work)
            if work.stopped():
                break
    return work.finish()


def process_all(pieces: list[Piece | Violation], run: RunContext) -> list[PieceResult]:
    return [process(piece, run) for piece in pieces]


def _may_be_antavo(run: RunContext) -> bool:
    return run.kind in ("auto", "antavo")


def _plain_lines(piece: Piece, work: _Work) -> None:
    """The flat loop over the lines of an NDJSON piece (see the module's docstring)."""
    loads, dumps, decode_error = orjson.loads, orjson.dumps, orjson.JSONDecodeError
    is_valid_record = compiled.is_valid_record
    convert, keep_rejects = work.run.mode == "convert", work.run.keep_rejects
    limited = work.run.max_errors is not None
    result, file = work.result, piece.file
    violations = result.violations
    number, line_number = piece.first_record, piece.first_line - 1
    vouched = 0  # records this loop vouched for (the careful route counts its own)
    crlf = b"\r" in piece.data  # lines may end with \r\n: the \r is not part of the record
    for raw in piece.data.split(b"\n"):
        line_number += 1
        value: Any = None
        if raw[:1] == b"{":
            line = raw[:-1] if crlf and raw[-1:] == b"\r" else raw
            try:
                value = loads(line)
                plain = type(value) is dict and "action" in value and dumps(value) == line
            except (decode_error, TypeError):  # TypeError: nested deeper than orjson writes
                plain = False
            if not plain or not is_valid_record(value):
                value = None
        if value is None:
            item = line_record(file, number, line_number, raw)
            if item is None:
                continue  # a blank line: no record
            _careful(item, work)
        elif convert:
            vouched += 1
            before = len(violations)
            _convert_valid(value, number, (line_number, None, 0), work, None, line)
            if keep_rejects and len(violations) > before:
                _keep_reject(number, line.decode("utf-8"), violations[before:], work)
        else:
            vouched += 1
            if "id" in value:
                _note_event_id(value, number, (line_number, None, 0), result, None)
        number += 1
        if limited and work.stopped():
            break
    result.records += vouched


def _core_lines(piece: Piece, work: _Work, checker: _core.Checker) -> None:
    """The compiled core's pass over an NDJSON piece, with the lines it left to the Python
    path (`_careful`) merged in: the core's messages, counts and event ids up to each such
    line, then the line's own, so that everything stays in record order (see running.core)."""
    output, messages, ids, deferred, vouched, skipped = checker.run(
        core.mapping(work.run), piece.data, piece.first_line, piece.first_record
    )
    event_ids = array("q")
    event_ids.frombytes(ids)
    taken = _Taken(work)
    limited = work.run.max_errors is not None
    for start, end, line, number, *reached in deferred:
        taken.up_to(output, event_ids, *reached)
        item = line_record(piece.file, number, line, piece.data[start:end])
        if item is not None:
            _careful(item, work)
        if limited and work.stopped():
            return  # what the core did past this line is work nobody will see
    taken.up_to(output, event_ids, len(output), messages, len(event_ids) // 5, vouched, skipped)


class _Taken:
    """How much of the core's results a piece has taken so far."""

    def __init__(self, work: _Work) -> None:
        self.work = work
        self.output = self.messages = self.event_ids = self.vouched = self.skipped = 0

    def up_to(
        self,
        output: bytes,
        event_ids: array[int],
        output_bytes: int,
        messages: int,
        ids: int,
        vouched: int,
        skipped: int,
    ) -> None:
        work, result = self.work, self.work.result
        shift = work.converted - self.messages  # messages the Python path wrote in between
        if self.output == 0 and output_bytes == len(output):
            work.output.append(output)
        elif output_bytes > self.output:
            work.output.append(memoryview(output)[self.output : output_bytes])
        work.converted += messages - self.messages
        entries = event_ids[self.event_ids * 5 : ids * 5]
        if shift:
            for message in range(4, len(entries), 5):
                if entries[message] != NO_MESSAGE:
                    entries[message] += shift
        result.event_ids.entries.extend(entries)
        result.records += vouched - self.vouched
        result.vouched_by_core += vouched - self.vouched
        result.skipped += skipped - self.skipped
        self.output, self.messages, self.event_ids = output_bytes, messages, ids
        self.vouched, self.skipped = vouched, skipped


def _careful(item: Record | Unreadable, work: _Work) -> None:
    """One record the flat loop did not vouch for (or any record of a document)."""
    result = work.result
    before = len(result.violations)
    if isinstance(item, Unreadable):
        work.add_violations([item.violation])
        result.records += item.violation.record is not None
        if work.run.keep_rejects:
            result.rejects.append(Reject(item.violation.record, item.text, (item.violation,)))
        return
    result.records += 1
    if work.run.mode == "validate":
        _validate_record(item, work)
    else:
        _convert_record(item, work)
    if work.run.keep_rejects and len(result.violations) > before:
        _keep_reject(item.index, item.text(), result.violations[before:], work)


def _keep_reject(number: int, text: str, found: list[Violation], work: _Work) -> None:
    """Keep a rejected record's text for --rejects (not for warnings only)."""
    if any(violation.is_error for violation in found):
        work.result.rejects.append(Reject(number, text, tuple(found)))


def _validate_record(record: Record, work: _Work) -> None:
    run = work.run
    findings, kind = check_input(record, run.kind, run.strict, run.max_errors)
    if kind == "segment" and run.plan is not None:
        findings += _check_plan(record.value, work)
    if findings:
        work.add_violations(_placed(record, findings))
    elif kind == "antavo":
        _note_event_id(record.value, record.index, record.place, work.result, None)


def _convert_record(record: Record, work: _Work) -> None:
    run = work.run
    kind_option: KindOption = "auto" if run.kind == "auto" else "antavo"
    findings, kind = check_input(record, kind_option, False, run.max_errors)
    if findings:
        work.add_violations(_placed(record, findings))
    elif kind == "segment":  # read as it is: `plan coverage` counts goldens and fixtures alike
        _deliver(record.value, jsonio.dumps(record.value), work, record)
    else:
        _convert_valid(record.value, record.index, record.place, work, record)


def _convert_valid(
    value: dict[str, Any],
    number: int,
    place: Place,
    work: _Work,
    record: Record | None,
    line: bytes = b"",
) -> None:
    """Map a record that passed the Antavo schema, check the message and deliver it. On the
    flat loop `record` is None and `line` its text: a Record is made only to place a
    violation (or to check the plan)."""
    assert work.run.mapping is not None
    outcome = transform.to_segment(value, work.run.mapping)
    if isinstance(outcome, transform.Skipped):
        work.result.skipped += 1
        return
    if record is None and (work.run.plan is not None or isinstance(outcome, transform.Rejected)):
        record = _record_of(value, number, place, line, work)
    if isinstance(outcome, transform.Rejected):
        assert record is not None
        work.add_violations(_placed(record, outcome.findings))
        return
    message, omitted = _omitted(outcome.message, work)
    if omitted and message.get("traits") == {}:
        # as the mapping skips a profile update with no synced attribute: nothing to identify
        assert record is not None
        work.result.skipped += 1
        why = "; no planned trait is left, so no identify call is sent"
        said = (dataclasses.replace(o, message=o.message + why) for o in omitted)
        work.add_violations(_in_order(_in_message(record, finding) for finding in said))
        return
    serialised = jsonio.dumps(message)  # orjson, or json for integers beyond 64 bits
    if not work.by_construction or len(serialised) > validation.MAX_MESSAGE_BYTES:
        problems = check_message(message, strict=True, size=len(serialised))
        if problems:
            record = record or _record_of(value, number, place, line, work)
            work.add_violations(_in_order(_in_message(record, problem) for problem in problems))
            return
    log = work.result.event_ids
    logged = len(log)
    _note_event_id(value, number, place, work.result, work.converted, message["messageId"])
    if work.run.plan is None:
        work.add_message(serialised)
    elif not _deliver(message, serialised, work, record, omitted) and len(log) > logged:
        # it never goes out, but still holds its Antavo id: a different event sharing it
        # would be dropped by Segment once this one is fixed and sent
        log.forget_last_message()


def _record_of(
    value: dict[str, Any], number: int, place: Place, line: bytes, work: _Work
) -> Record:
    """The Record the flat loop did not make for its line: to place a violation, or to check
    the message against the plan."""
    return Record(work.result.file, number, value, text=line, line=place[0])


def _omitted(message: dict[str, Any], work: _Work) -> tuple[dict[str, Any], list[Finding]]:
    """Under `unplanned_properties = "omit"`, the message without the properties (traits) its
    plan rule does not declare, and a warning for each; else the message as it is. Every route
    that converts comes through here, so convert, the Python API and any --jobs agree."""
    if not work.omits:
        return message, []
    from contract_kit.tracking_plan import checking  # only when there is a plan

    assert work.run.plan is not None
    return checking.omit_unplanned(message, work.run.plan)


def _deliver(
    message: Any,
    serialised: bytes,
    work: _Work,
    record: Record | None,
    omitted: Iterable[Finding] = (),
) -> bool:
    """Append the message, unless the tracking plan rejects it (warnings let it through).
    `omitted`: the warnings for what was left out of it, reported with the plan's findings
    (and so, like unplanned properties under warn, only once the contract has passed it)."""
    if work.run.plan is not None:
        problems = [*omitted, *_check_plan(message, work, serialised)]
        if problems:
            assert record is not None
            work.add_violations(_in_order(_in_message(record, p) for p in problems))
        if any(problem.severity == "error" for problem in problems):
            return False
    work.add_message(serialised)
    return True


def _check_plan(message: Any, work: _Work, serialised: bytes | None = None) -> list[Finding]:
    """The plan's findings for one message, counting the rule it met (for coverage)."""
    from contract_kit.tracking_plan import checking  # only when there is a plan

    plan = work.run.plan
    assert plan is not None
    outcome = checking.check(message, plan, serialised, work.run.max_errors)
    if outcome.rule is not None:
        work.result.planned[(outcome.rule.label, outcome.rule.version)] += 1
    elif outcome.unplanned_event is not None:
        work.result.planned[(f"unplanned:{outcome.unplanned_event}", 0)] += 1
    return outcome.findings


def _placed(record: Record, findings: Iterable[Finding]) -> list[Violation]:
    """The findings of one record placed in its file, in the order of their place there."""
    return _in_order(record.violation(finding) for finding in findings)


def _in_order(violations: Iterable[Violation]) -> list[Violation]:
    """Violations of one record in the order of their place in the file (stable: two at one
    place keep the schema's order)."""
    return sorted(violations, key=lambda violation: (violation.line, violation.column))


def _in_message(record: Record, problem: Finding) -> Violation:
    """A problem of the converted message, placed at the input value it came from when there
    is one (a property is the record's `data` member of that name, or its `account`), else at
    the record."""
    if record.kind == "segment" or "action" not in record.value:
        return record.violation(problem)  # the message is the record itself
    message = f"in the converted message: {problem.message}"
    moved = dataclasses.replace(problem, message=message)
    return record.violation(moved, found_in="output", at=_source_of(problem.pointer, record))


def _source_of(pointer: str, record: Record) -> str:
    tokens = pointers.split(pointer)
    data = record.value.get("data")
    in_data = isinstance(data, dict) and len(tokens) > 1 and tokens[1] in data
    if in_data and tokens[0] in ("properties", "traits"):
        return pointers.join(["data", *tokens[1:]])
    if tokens[:2] == ["properties", "account"] and "account" in record.value:
        return pointers.join(tokens[1:])  # the mapping copies it from the envelope
    if tokens[:1] == ["event"]:
        return "/action"
    return ""


def _note_event_id(
    value: dict[str, Any],
    number: int,
    place: Place,
    result: PieceResult,
    message: int | None,
    message_id: str | None = None,
) -> None:
    """Log the Antavo id of a record that passed, for the run-wide check that two different
    events never share one: its key (from the messageId Segment deduplicates on, when the
    caller has it already) and a fingerprint of the event without its timestamp (a re-sent
    event may carry another)."""
    event_id = value.get("id")
    if type(event_id) is not str:
        return
    timestamp = value.pop("timestamp", None)  # taken out and put back: the keys are sorted
    canonical = jsonio.dumps(value, sort_keys=True)
    fingerprint = int.from_bytes(blake2b(canonical, digest_size=8).digest()) & FINGERPRINT_BITS
    if timestamp is not None:
        value["timestamp"] = timestamp
    if message_id is None:
        key = transform.event_key(value["customer"], event_id)
    else:
        key = transform.message_key(message_id)
    position = NO_MESSAGE if message is None else message
    result.event_ids.add(key, fingerprint, number, place, position)


#: A fingerprint is 62 bits of BLAKE2b: with the key and the numbers, it fits a signed array.
FINGERPRINT_BITS = (1 << 62) - 1


def check_input(
    record: Record, kind: KindOption, strict: bool, limit: int | None = None
) -> tuple[list[Finding], Kind | None]:
    """The contract's findings for one record, and the kind it was checked as."""
    if record.findings:
        return list(record.findings), None  # the value is not what the text says: check no further
    value = record.value
    if not isinstance(value, dict):
        got = validation.TYPE_NAMES[validation.json_type(value)]
        return [Finding("", f"expected a JSON object (a record), got {got}", "type")], None
    effective = _kind_of(value, record.kind if kind == "auto" else kind)
    if effective is None:
        message = (
            "neither an Antavo record (no 'action') nor a Segment message (no 'type'); "
            "use --kind to say which it should be"
        )
        return [Finding("", message, "kind")], None
    if effective == "antavo" and compiled.is_valid_record(value):
        return [], effective  # the fast path: a valid record is never of the wrong kind
    wrong = _wrong_kind(value, effective)
    if wrong is not None:
        return [wrong], None
    if effective == "antavo":
        return validation.check(value, ANTAVO_SCHEMA, limit), effective
    return check_message(value, strict=strict, limit=limit), effective


#: The call types of the Segment spec: a `type` that names one marks a Segment message (a
#: JSON Schema's `"type": "object"` does not).
SEGMENT_CALLS = frozenset({"identify", "track", "page", "screen", "group", "alias"})


def _wrong_kind(value: dict[str, Any], expected: Kind) -> Finding | None:
    """One finding for a record of the other kind (a Segment message where an Antavo record is
    expected, or the reverse), instead of every schema rule it breaks: what it is, and what to
    run instead."""
    call = value.get("type")
    names_a_call = isinstance(call, str) and call in SEGMENT_CALLS
    if expected == "antavo" and names_a_call and "action" not in value:
        message = (
            "this is a Segment message ('type', no 'action'), not an Antavo record; check "
            "Segment messages with contract-kit validate --kind segment"
        )
        return Finding("", message, "kind")
    if expected == "segment" and "action" in value and "type" not in value:
        message = (
            "this is an Antavo record ('action', no 'type'), not a Segment message; check "
            "Antavo records with contract-kit validate --kind antavo, or turn them into Segment "
            "messages with contract-kit convert"
        )
        return Finding("", message, "kind")
    return None


def _kind_of(value: dict[str, Any], known: Kind | None) -> Kind | None:
    if known is not None:
        return known
    if "action" in value:
        return "antavo"
    if "type" in value:
        return "segment"
    return None
