"""Antavo event ids: two different events must never share one, across all the files of a run.

With an `id`, the messageId depends on `customer` and `id` only, so Segment keeps the first of
two events sharing them and silently drops the other. A re-sent event (the same record, perhaps
with another `timestamp`) may repeat its id.

Each piece logs the ids of the records that passed (EventIdLog, a few compact arrays, cheap to
send back from a worker); the driver settles the logs in input order against one table of the
run (EventIds), which names the later record of a pair, as the reader would.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING

from contract_kit.reading.records import Place
from contract_kit.reading.relocating import Relocator
from contract_kit.violations import Violation

if TYPE_CHECKING:
    from contract_kit.reading.paths import Source
    from contract_kit.running.steps import PieceResult

NO_MESSAGE = -1


class EventIdLog:
    """The ids of the records of one piece that passed, in record order: five numbers each, in
    one array (cheap to fill, to send back from a worker and to walk): its key (see
    mapping.transform.event_key), a fingerprint of the record without its timestamp, the
    record's number, its place (its line, or its element in `array`) and its message's position
    among the piece's messages (NO_MESSAGE: none was written)."""

    WIDTH = 5

    def __init__(self) -> None:
        self.entries = array("q")
        self.array: tuple[str, ...] | None = None
        """The pointer of the array the records are elements of (a document), else None."""

    def __len__(self) -> int:
        return len(self.entries) // self.WIDTH

    def add(self, key: int, fingerprint: int, record: int, place: Place, message: int) -> None:
        line, self.array, element = place
        at = line if self.array is None else element
        self.entries.extend((key, fingerprint, record, at, message))

    def forget_last_message(self) -> None:
        """The last record's message was withheld (by the plan): its id still counts."""
        self.entries[-1] = NO_MESSAGE

    def place(self, at: int) -> Place:
        return (at, None, 0) if self.array is None else (1, self.array, at)


class EventIds:
    """The ids seen so far in one run. Memory: 24 bytes a distinct id."""

    def __init__(self, inputs: Sequence[Source], keep_rejects: bool = False) -> None:
        self._keep_rejects = keep_rejects
        self._seen = _IdTable()
        self._inputs = inputs
        self._relocator = Relocator()

    def settle(self, result: PieceResult) -> None:
        """Withdraw the messages of records whose id a different, earlier event holds, with a
        violation at their `/id`."""
        from contract_kit.running.steps import Reject

        log = result.event_ids
        file_number = result.source
        withdrawn: set[int] = set()
        late: list[Violation] = []
        first_other = self._seen.first_other
        entries = log.entries
        for start in range(0, len(entries), EventIdLog.WIDTH):
            key, fingerprint, record, at, message_number = entries[start : start + 5]
            first = first_other(key, fingerprint, (file_number << 40) | record)
            if first is None:
                continue
            first_file = self._inputs[first >> 40].name
            where = f"record {first & 0xFFFFFFFFFF}"
            if first_file != result.file:
                where += f" of {first_file}"
            source = self._inputs[file_number]
            text = self._relocator.text(source, log.place(at))
            message = (
                f"{_named(text)} is shared with a different event ({where}): Segment would "
                "deduplicate them and drop this one"
            )
            line, column = self._relocator.position(source, log.place(at), "/id")
            violation = Violation(
                result.file, line, column, record, "/id", message, "uniqueEventId"
            )
            late.append(violation)
            if self._keep_rejects:
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


def _named(text: str | None) -> str:
    """`Antavo id 'e1' of customer 'c1'`, read from the record's text (kept out of the arrays
    above: only a record in conflict needs it)."""
    try:
        value = json.loads(text or "")
        return f"Antavo id {value['id']!r} of customer {value['customer']!r}"
    except (ValueError, TypeError, KeyError):  # the file changed since it was read
        return "this record's Antavo id"


class _IdTable:
    """A hash table of 62-bit keys to (fingerprint, place), 24 bytes a slot in three arrays:
    a million-record replay holds half a million event ids, which a dict of Python ints would
    hold in about four times the memory."""

    def __init__(self) -> None:
        self._size = 0
        self._allocate(1 << 18)  # 6 MB: a 200,000-record run never grows it

    def _allocate(self, slots: int) -> None:
        self._mask = slots - 1
        self._keys = array("Q", bytes(8 * slots))
        self._fingerprints = array("Q", bytes(8 * slots))
        self._places = array("Q", bytes(8 * slots))

    def first_other(self, key: int, fingerprint: int, place: int) -> int | None:
        """The place of the event first seen with `key`, if its fingerprint is not this one's;
        None when this is the first (it is then stored) or the same event again."""
        key = key or 1  # 0 marks an empty slot
        slot = key & self._mask
        keys = self._keys
        while keys[slot]:
            if keys[slot] == key:
                return None if self._fingerprints[slot] == fingerprint else self._places[slot]
            slot = (slot + 1) & self._mask
        keys[slot], self._fingerprints[slot], self._places[slot] = key, fingerprint, place
        self._size += 1
        if self._size * 2 > len(keys):  # at most half full: probes stay short
            self._grow()
        return None

    def _grow(self) -> None:
        keys, fingerprints, places = self._keys, self._fingerprints, self._places
        self._allocate(4 * len(keys))
        self._size = 0
        for slot, key in enumerate(keys):
            if key:
                self.first_other(key, fingerprints[slot], places[slot])
