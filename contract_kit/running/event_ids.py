"""Antavo event ids: two different events must never share one, across all the files of a run.

With an `id`, the messageId depends on `customer` and `id` only, so Segment keeps the first of
two events sharing them and silently drops the other. A re-sent event (the same record, perhaps
with another `timestamp`) may repeat its id.

Each piece logs the ids of the records that passed (EventIdLog, one compact array, cheap to
send back from a worker); the driver settles the logs in input order against one table of the
run (EventIds), which names the later record of a pair, as the reader would.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from contract_kit.reading.pieces import Piece
from contract_kit.reading.records import record_at
from contract_kit.running import core
from contract_kit.running.results import NO_MESSAGE, EventIdLog, PieceResult, Reject
from contract_kit.violations import Violation

if TYPE_CHECKING:
    from contract_kit import _core
    from contract_kit.reading.paths import Source


class EventIds:
    """The ids seen so far in one run, in the compiled core's table when it is loaded (else
    _IdTable, which has the same layout). Memory: 48 to 192 bytes a distinct id."""

    def __init__(self, inputs: Sequence[Source], keep_rejects: bool = False) -> None:
        self._keep_rejects = keep_rejects
        self._seen: _IdTable | _core.IdTable | None = None
        """Made with the first id: the core's table if the core is at work, else _IdTable."""
        self._inputs = inputs

    def settle(self, result: PieceResult, piece: Piece | Violation) -> None:
        """Withdraw the messages of records whose id a different, earlier event holds, with a
        violation at their `/id`, placed and worded from the piece's own bytes."""
        entries = result.event_ids.entries
        if entries and self._seen is None:
            self._seen = core.id_table() or _IdTable()
        seen = self._seen
        found = [] if seen is None else seen.conflicts(entries.tobytes(), result.source)
        conflicts = [
            Conflict(index, self._inputs[first >> 40].name, first & 0xFFFFFFFFFF)
            for index, first in found
        ]
        withdraw_conflicts(result, piece, conflicts, self._keep_rejects)


class Conflict(NamedTuple):
    """An entry of a piece's EventIdLog whose key a different, earlier event holds."""

    entry: int
    """The entry's index in the log."""
    first_file: str
    first_record: int


def withdraw_conflicts(
    result: PieceResult, piece: Piece | Violation, conflicts: list[Conflict], keep_rejects: bool
) -> None:
    """Withdraw the messages of the records in `conflicts` (found by the run's one table, or
    by a shuffle over a whole Spark run), with a violation at their `/id`, and clear the log."""
    log = result.event_ids
    withdrawn: set[int] = set()
    late: list[Violation] = []
    entries = log.entries
    for entry, first_file, first_record in conflicts:
        start = entry * EventIdLog.WIDTH
        _, _, record, at, message_number = entries[start : start + EventIdLog.WIDTH]
        where = f"record {first_record}"
        if first_file != result.file:
            where += f" of {first_file}"
        assert isinstance(piece, Piece)  # a piece that logged ids was read
        found = record_at(piece, record, log.place(at))
        text = found.text()
        message = (
            f"{_named(text)} is shared with a different event ({where}): Segment would "
            "deduplicate them and drop this one"
        )
        line, column = found.position("/id")
        violation = Violation(result.file, line, column, record, "/id", message, "uniqueEventId")
        late.append(violation)
        if keep_rejects:
            result.rejects.append(Reject(record, text, (violation,)))
        if message_number != NO_MESSAGE:
            withdrawn.add(message_number)
    if late:  # keep the report in record order
        result.violations.extend(late)
        result.violations.sort(key=lambda v: -1 if v.record is None else v.record)
        result.rejects.sort(key=lambda r: -1 if r.record is None else r.record)
    if withdrawn:
        result.withdraw(withdrawn)
    result.event_ids = EventIdLog()


def _named(text: str) -> str:
    """`Antavo id 'e1' of customer 'c1'`, read from the text of a record that passed its
    schema (kept out of the arrays above: only a record in conflict needs it)."""
    value = json.loads(text)
    return f"Antavo id {value['id']!r} of customer {value['customer']!r}"


class _IdTable:
    """A hash table of 62-bit keys to (fingerprint, place), in three arrays of 8-byte slots,
    at most half of them used: a million-record replay holds half a million event ids, which
    a dict of Python ints would hold in several times the memory. Its slots are allocated with
    the first id (a run without ids, or the many small runs of `diff`, allocate none)."""

    FIRST_SLOTS = 1 << 16

    def __init__(self) -> None:
        self._size = 0
        self._allocate(0)

    def _allocate(self, slots: int) -> None:
        self._mask = slots - 1
        self._keys = array("Q", bytes(8 * slots))
        self._fingerprints = array("Q", bytes(8 * slots))
        self._places = array("Q", bytes(8 * slots))

    def conflicts(self, entries: bytes, file_number: int) -> list[tuple[int, int]]:
        """For each entry of a piece's log (the bytes of its array, five numbers an id) whose
        key a different event holds: its index, and that event's place (`file_number << 40 |
        record`). The compiled core's IdTable answers the same (tests/running/test_core.py)."""
        numbers = array("q")
        numbers.frombytes(entries)
        found = []
        for index, start in enumerate(range(0, len(numbers), EventIdLog.WIDTH)):
            key, fingerprint, record = numbers[start : start + 3]
            first = self.first_other(key, fingerprint, (file_number << 40) | record)
            if first is not None:
                found.append((index, first))
        return found

    def first_other(self, key: int, fingerprint: int, place: int) -> int | None:
        """The place of the event first seen with `key`, if its fingerprint is not this one's;
        None when this is the first (it is then stored) or the same event again."""
        if self._size * 2 >= len(self._keys):  # at most half full: probes stay short
            self._grow()
        key = key or 1  # 0 marks an empty slot
        slot = key & self._mask
        keys = self._keys
        while keys[slot]:
            if keys[slot] == key:
                return None if self._fingerprints[slot] == fingerprint else self._places[slot]
            slot = (slot + 1) & self._mask
        keys[slot], self._fingerprints[slot], self._places[slot] = key, fingerprint, place
        self._size += 1
        return None

    def _grow(self) -> None:
        keys, fingerprints, places = self._keys, self._fingerprints, self._places
        self._allocate(max(self.FIRST_SLOTS, 4 * len(keys)))
        self._size = 0
        for slot, key in enumerate(keys):
            if key:
                self.first_other(key, fingerprints[slot], places[slot])
