"""The one loop that moves records through the steps, serially or on several processes.

    source ─► plan (pieces of work) ─► read ─► check input ─► transform ─► check output ─► batch

A piece of work (4,096 NDJSON lines, or one document) becomes a Batch: its messages, already
serialised, its violations and its counts. Pieces are processed in order, or by a pool of
processes whose results are put back in order, so the output is the same for any --jobs.
`cli`, `golden` and the Python API all drive it; it never prints and never exits.

Every record is checked by the compiled validator first; the reference validator (which words
and locates violations) runs only for records that fail.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from contract_kit.checking import compiled, validation
from contract_kit.jsontext import jsonio, pointers
from contract_kit.mapping import transform
from contract_kit.reading import sources
from contract_kit.reading.sources import Kind, Record, Source, Work
from contract_kit.running import stopping
from contract_kit.violations import Finding, Violation

if TYPE_CHECKING:
    from contract_kit.settings.config import Config
    from contract_kit.tracking_plan import TrackingPlan

Mode = Literal["validate", "convert"]
KindOption = Literal["auto", "antavo", "segment"]

ANTAVO_SCHEMA = "antavo/record"
SEGMENT_SCHEMA = "segment/message"
STRICT_SEGMENT_SCHEMA = "segment/antavo-source"

#: Below this much input, starting processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
PARALLEL_MIN_FILES = 200


@dataclass(frozen=True)
class Job:
    """What to do with every record: picklable, so that worker processes get the same."""

    mode: Mode
    kind: KindOption = "auto"
    """validate: what the records are. convert: `antavo` reads every record as an Antavo
    record; `auto` passes Segment messages through as they are (for `plan coverage`)."""
    strict: bool = False
    config: Config | None = None
    keep_rejects: bool = False
    """Keep the text of every rejected record, for `convert --rejects`."""
    plan: TrackingPlan | None = None
    """The tracking plan applied to every Segment message (read, or converted)."""
    max_errors: int | None = None
    """--max-errors: a piece stops once it holds this many errors, as the run then stops."""


class Reject(NamedTuple):
    """A record that went neither to the output nor to the skipped count, as it was written."""

    record: int | None
    text: str | None
    violations: tuple[Violation, ...]


class EventId(NamedTuple):
    """An Antavo event id seen in a record that passed, for the run-wide uniqueness check."""

    key: tuple[str, str]
    fingerprint: int
    record: int
    place: tuple[int, tuple[str, ...] | None, int]
    message: int | None
    """Position of the record's message in the batch (convert), to withdraw it."""


@dataclass
class Batch:
    """What became of the records of one piece of work."""

    file: str
    source: int = 0
    records: int = 0
    skipped: int = 0
    messages: list[bytes | None] = field(default_factory=list)
    """Compact JSON of each converted message, in order; None where one was withdrawn."""
    violations: list[Violation] = field(default_factory=list)
    event_ids: list[EventId] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    planned: Counter[tuple[str, int]] = field(default_factory=Counter)
    """Messages checked against each plan rule, by (label, version); unplanned events by
    (`unplanned:` + name, 0). For `plan coverage`."""

    @property
    def converted(self) -> int:
        return sum(message is not None for message in self.messages)


def process(work: Work | Violation, job: Job) -> Batch:
    """One piece of work, start to end. A pure function of its arguments: runs anywhere."""
    if isinstance(work, Violation):
        batch = Batch(work.file, violations=[work])
        if job.keep_rejects:
            batch.rejects.append(Reject(None, None, (work,)))
        return batch
    batch = Batch(work.file, work.source)
    errors = 0
    for item in sources.records(work):
        before = len(batch.violations)
        if isinstance(item, sources.Unreadable):
            batch.violations.append(item.violation)
            batch.records += item.violation.record is not None
            if job.keep_rejects:
                batch.rejects.append(Reject(item.violation.record, item.text, (item.violation,)))
        else:
            batch.records += 1
            if job.mode == "validate":
                _validate_record(item, job, batch)
            else:
                _convert_record(item, job, batch)
            if job.keep_rejects and len(batch.violations) > before:
                found = tuple(batch.violations[before:])
                if any(violation.is_error for violation in found):  # not warnings only
                    batch.rejects.append(Reject(item.index, item.text(), found))
        if job.max_errors is not None:
            errors += sum(violation.is_error for violation in batch.violations[before:])
            if errors >= job.max_errors:
                break  # the run stops there: the rest of the piece is work nobody will see
    return batch


def _validate_record(record: Record, job: Job, batch: Batch) -> None:
    findings, kind = _check_input(record, job.kind, job.strict, job.max_errors)
    if kind == "segment" and job.plan is not None:
        findings += _check_plan(record.value, job, batch)
    if findings:
        batch.violations.extend(_placed(record, findings))
    elif kind == "antavo":
        _note_event_id(record, batch, None)


def _placed(record: Record, findings: Iterable[Finding]) -> list[Violation]:
    """The findings of one record placed in its file, in the order of their place there."""
    return _in_order(record.violation(finding) for finding in findings)


def _in_order(violations: Iterable[Violation]) -> list[Violation]:
    """Violations of one record in the order of their place in the file (stable: two at one
    place keep the schema's order)."""
    return sorted(violations, key=lambda violation: (violation.line, violation.column))


def _check_plan(
    message: Any, job: Job, batch: Batch, serialised: bytes | None = None
) -> list[Finding]:
    """The plan's findings for one message, counting the rule it met (for coverage)."""
    from contract_kit.tracking_plan import checking

    assert job.plan is not None
    outcome = checking.check(message, job.plan, serialised, job.max_errors)
    if outcome.rule is not None:
        batch.planned[(outcome.rule.label, outcome.rule.version)] += 1
    elif outcome.unplanned_event is not None:
        batch.planned[(f"unplanned:{outcome.unplanned_event}", 0)] += 1
    return outcome.findings


def _convert_record(record: Record, job: Job, batch: Batch) -> None:
    assert job.config is not None
    kind_option: KindOption = "auto" if job.kind == "auto" else "antavo"
    findings, kind = _check_input(record, kind_option, False, job.max_errors)
    if findings:
        batch.violations.extend(_placed(record, findings))
        return
    if kind == "segment":  # read as it is: `plan coverage` counts goldens and fixtures alike
        _deliver(record, record.value, jsonio.dumps(record.value), job, batch)
        return
    result = transform.to_segment(record.value, job.config)
    if isinstance(result, transform.Skipped):
        batch.skipped += 1
        return
    if isinstance(result, transform.Rejected):
        batch.violations.extend(_placed(record, result.findings))
        return
    message = result.message
    serialised = jsonio.dumps(message)
    problems = check_message(message, strict=True, size=len(serialised))
    if problems:
        batch.violations.extend(_in_order(_in_message(record, problem) for problem in problems))
        return
    _note_event_id(record, batch, len(batch.messages))
    _deliver(record, message, serialised, job, batch)


def _deliver(record: Record, message: Any, serialised: bytes, job: Job, batch: Batch) -> None:
    """Append the message, unless the tracking plan rejects it (warnings let it through)."""
    if job.plan is not None:
        problems = _check_plan(message, job, batch, serialised)
        batch.violations.extend(_in_order(_in_message(record, problem) for problem in problems))
        if any(problem.severity == "error" for problem in problems):
            if batch.event_ids and batch.event_ids[-1].message == len(batch.messages):
                # it never goes out, but still holds its Antavo id: a different event sharing
                # it would be dropped by Segment once this one is fixed and sent
                batch.event_ids[-1] = batch.event_ids[-1]._replace(message=None)
            return
    batch.messages.append(serialised)


def _in_message(record: Record, problem: Finding) -> Violation:
    """A problem of the converted message, placed at the input value it came from when there
    is one (a property is the record's `data` member of that name), else at the record."""
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
    if tokens[:1] == ["event"]:
        return "/action"
    return ""


def _note_event_id(record: Record, batch: Batch, message: int | None) -> None:
    value = record.value
    event_id = value.get("id")
    if not isinstance(event_id, str):
        return
    # The record without its timestamp (a re-sent event may carry another): taken out and put
    # back rather than copied, as the keys are sorted for the fingerprint anyway.
    timestamp = value.pop("timestamp", None)
    digest = hashlib.blake2b(jsonio.dumps(value, sort_keys=True), digest_size=8).digest()
    if timestamp is not None:
        value["timestamp"] = timestamp
    key = (value["customer"], event_id)
    fingerprint = int.from_bytes(digest, "big")
    batch.event_ids.append(EventId(key, fingerprint, record.index, record.place, message))


def check_message(
    message: Any, *, strict: bool, size: int | None = None, limit: int | None = None
) -> list[Finding]:
    """A Segment message against the spec layer (and the Antavo source profile if strict).
    `size`: its compact JSON size, when the caller has already written it. `limit`: see
    validation.check."""
    schema = STRICT_SEGMENT_SCHEMA if strict else SEGMENT_SCHEMA
    if size is None:
        size = jsonio.compact_size(message)
    if compiled.is_valid(message, schema) and size <= validation.MAX_MESSAGE_BYTES:
        return []
    return validation.check(message, schema, limit) + validation.check_message_size(message)


def _check_input(
    record: Record, kind: KindOption, strict: bool, limit: int | None = None
) -> tuple[list[Finding], Kind | None]:
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


class EventIds:
    """Antavo event ids seen in one run: two different events must never share one.

    With an `id`, the messageId depends on `customer` and `id` only, so Segment keeps the first
    of two events sharing them and silently drops the other. A re-sent event (the same record,
    perhaps with another `timestamp`) may repeat its id. Memory: one small entry per id.
    """

    def __init__(self, inputs: Iterable[Source], keep_rejects: bool = False) -> None:
        self._keep_rejects = keep_rejects
        self._seen = _IdTable()
        self._sources = list(inputs)

    def settle(self, batch: Batch) -> None:
        """Withdraw the messages of records whose id another event already holds."""
        file_number = batch.source
        late = False
        for seen in batch.event_ids:
            name = "\n".join(seen.key).encode("utf-8", "surrogatepass")
            key = int.from_bytes(hashlib.blake2b(name, digest_size=8).digest(), "big")
            first = self._seen.setdefault(key, seen.fingerprint, (file_number << 40) | seen.record)
            if first[0] == seen.fingerprint:
                continue
            first_file = self._sources[first[1] >> 40].name
            where = f"record {first[1] & 0xFFFFFFFFFF}"
            if first_file != batch.file:
                where += f" of {first_file}"
            message = (
                f"Antavo id {seen.key[1]!r} of customer {seen.key[0]!r} is shared with a "
                f"different event ({where}): Segment would deduplicate them and drop this one"
            )
            source = self._sources[file_number]
            line, column = sources.locate_again(source, seen.place, "/id")
            violation = Violation(
                batch.file, line, column, seen.record, "/id", message, "uniqueEventId"
            )
            batch.violations.append(violation)
            if self._keep_rejects:
                text = sources.text_again(source, seen.place)
                batch.rejects.append(Reject(seen.record, text, (violation,)))
            if seen.message is not None:
                batch.messages[seen.message] = None
            late = True
        if late:  # keep the report in record order
            batch.violations.sort(key=lambda v: -1 if v.record is None else v.record)
        batch.event_ids = []


class _IdTable:
    """A hash table of 64-bit keys to (fingerprint, place), 24 bytes a slot in three arrays:
    a million-record replay holds half a million event ids, which a dict of Python ints would
    hold in about four times the memory."""

    def __init__(self) -> None:
        self._size = 0
        self._allocate(1 << 16)

    def _allocate(self, slots: int) -> None:
        self._mask = slots - 1
        self._keys = array("Q", bytes(8 * slots))
        self._fingerprints = array("Q", bytes(8 * slots))
        self._places = array("Q", bytes(8 * slots))

    def setdefault(self, key: int, fingerprint: int, place: int) -> tuple[int, int]:
        """The (fingerprint, place) stored for `key`, storing the given ones if there are none."""
        key = key or 1  # 0 marks an empty slot
        slot = key & self._mask
        keys = self._keys
        while keys[slot]:
            if keys[slot] == key:
                return self._fingerprints[slot], self._places[slot]
            slot = (slot + 1) & self._mask
        keys[slot], self._fingerprints[slot], self._places[slot] = key, fingerprint, place
        self._size += 1
        if self._size * 3 > len(keys) * 2:
            self._grow()
        return fingerprint, place

    def _grow(self) -> None:
        keys, fingerprints, places = self._keys, self._fingerprints, self._places
        self._allocate(2 * len(keys))
        self._size = 0
        for slot, key in enumerate(keys):
            if key:
                self.setdefault(key, fingerprints[slot], places[slot])


def run(inputs: list[Source], job: Job, jobs: int = 1) -> Iterator[Batch]:
    """Every batch of every input, in input order, on `jobs` processes when that pays."""
    event_ids = EventIds(inputs, job.keep_rejects)
    works = (work for number, source in enumerate(inputs) for work in sources.plan(source, number))
    batches = (
        _in_pool(works, job, jobs)
        if _worth_parallel(inputs, jobs)
        else (process(work, job) for work in works)
    )
    numbered: dict[int, int] = {}
    for batch in batches:
        _number(batch, numbered.get(batch.source, 0))
        numbered[batch.source] = numbered.get(batch.source, 0) + batch.records
        event_ids.settle(batch)
        yield batch


def _number(batch: Batch, first: int) -> None:
    """Workers number records from 0 within a piece; make the numbers count from the file's
    first record (only violations and event ids carry numbers)."""
    if not first:
        return

    def shifted(violation: Violation) -> Violation:
        if violation.record is None:
            return violation
        return dataclasses.replace(violation, record=violation.record + first)

    batch.violations = [shifted(violation) for violation in batch.violations]
    batch.event_ids = [seen._replace(record=seen.record + first) for seen in batch.event_ids]
    batch.rejects = [
        Reject(
            None if r.record is None else r.record + first,
            r.text,
            tuple(map(shifted, r.violations)),
        )
        for r in batch.rejects
    ]


def _worth_parallel(inputs: list[Source], jobs: int) -> bool:
    if jobs <= 1:
        return False
    if len(inputs) >= PARALLEL_MIN_FILES:
        return True
    size = 0
    for source in inputs:
        if source.path is not None:
            try:
                size += source.path.stat().st_size
            except OSError:
                continue
    return size >= PARALLEL_MIN_BYTES


def _in_pool(works: Iterator[Work | Violation], job: Job, jobs: int) -> Iterator[Batch]:
    """Results in submission order, with at most a few tasks in flight per process, so that
    memory stays flat however large the input. Small pieces (one small file each) travel in
    groups: sending each alone would cost more than checking it."""
    import multiprocessing  # only here: importing it costs start-up time every run

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ExitStack() as stack:
        with stopping.blocked():  # a stop that arrives now is raised once the pool is held
            pool = stack.enter_context(context.Pool(jobs, initializer=stopping.in_worker))
        pending: deque[Any] = deque()
        for task in _tasks(works):
            pending.append(pool.apply_async(process_all, (task, job)))
            if len(pending) >= 3 * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


#: A task for a worker process: pieces of work adding up to about this many bytes.
TASK_BYTES = 1 << 20
TASK_PIECES = 256


def _tasks(works: Iterator[Work | Violation]) -> Iterator[list[Work | Violation]]:
    """Pieces grouped up to TASK_BYTES (or TASK_PIECES) a task. A piece never joins a task it
    would take past TASK_BYTES: a full NDJSON piece travels alone, so that the first results
    (and a --max-errors stop) come after one piece's work, not two."""
    task: list[Work | Violation] = []
    size = 0
    for work in works:
        length = len(work.data) if isinstance(work, Work) else 0
        if task and (size + length > TASK_BYTES or len(task) >= TASK_PIECES):
            yield task
            task, size = [], 0
        task.append(work)
        size += length
    if task:
        yield task


def process_all(works: list[Work | Violation], job: Job) -> list[Batch]:
    return [process(work, job) for work in works]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
