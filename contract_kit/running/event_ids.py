"""Antavo event ids: two different events must never share one, across all the files of a run.

With an `id`, the messageId depends on `customer` and `id` only, so Segment keeps the first of
two events sharing them and silently drops the other. A re-sent event (the same record, perhaps
with another `timestamp`) may repeat its id.

Each piece logs the ids of the records that passed (EventIdLog, a few compact arrays, cheap to
send back from a worker); the driver settles the logs in input order against one table of the
run (EventIds), which names the later record of a pair, as the reader would.
"""

from __future__ import annotations

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
    """The ids of the records of one piece that passed, in record order, as arrays of numbers:
    key (64 bits of the messageId, which names customer and id), fingerprint (of the record
    without its timestamp), record number, place (line, or element of `array`) and the message's
    position among the piece's messages (NO_MESSAGE: none was written)."""

    def __init__(self) -> None:
        self.keys = array("Q")
        self.fingerprints = array("Q")
        self.records = array("q")
        self.lines = array("q")
        self.elements = array("q")
        self.messages = array("q")
        self.names: list[tuple[str, str]] = []
        """(customer, id) of each: only to word a violation; cheap beside the record."""
        self.array: tuple[str, ...] | None = None
        """The pointer of the array the records are elements of (a document), else None."""

    def __len__(self) -> int:
        return len(self.keys)

    def add(
        self,
        customer: str,
        event_id: str,
        message_id: str,
        fingerprint: bytes,
        record: int,
        place: Place,
        message: int | None,
    ) -> None:
        # 64 of the messageId's hash bits (not the version and variant digits): the table
        # below takes its slots from the low bits
        self.keys.append(int(message_id[:8] + message_id[9:13] + message_id[24:28], 16))
        self.fingerprints.append(int.from_bytes(fingerprint, "big"))
        self.records.append(record)
        line, self.array, element = place
        self.lines.append(line)
        self.elements.append(element)
        self.messages.append(NO_MESSAGE if message is None else message)
        self.names.append((customer, event_id))

    def forget_last_message(self) -> None:
        """The last record's message was withheld (by the plan): its id still counts."""
        self.messages[-1] = NO_MESSAGE

    def place(self, entry: int) -> Place:
        return (self.lines[entry], self.array, self.elements[entry])


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
        for entry in range(len(log)):
            record = log.records[entry]
            first = self._seen.setdefault(
                log.keys[entry], log.fingerprints[entry], (file_number << 40) | record
            )
            if first[0] == log.fingerprints[entry]:
                continue
            first_file = self._inputs[first[1] >> 40].name
            where = f"record {first[1] & 0xFFFFFFFFFF}"
            if first_file != result.file:
                where += f" of {first_file}"
            customer, event_id = log.names[entry]
            message = (
                f"Antavo id {event_id!r} of customer {customer!r} is shared with a "
                f"different event ({where}): Segment would deduplicate them and drop this one"
            )
            source = self._inputs[file_number]
            line, column = self._relocator.position(source, log.place(entry), "/id")
            violation = Violation(
                result.file, line, column, record, "/id", message, "uniqueEventId"
            )
            late.append(violation)
            if self._keep_rejects:
                text = self._relocator.text(source, log.place(entry))
                result.rejects.append(Reject(record, text, (violation,)))
            if log.messages[entry] != NO_MESSAGE:
                withdrawn.add(log.messages[entry])
        if late:  # keep the report in record order
            result.violations.extend(late)
            result.violations.sort(key=lambda v: -1 if v.record is None else v.record)
            result.rejects.sort(key=lambda r: -1 if r.record is None else r.record)
        if withdrawn:
            result.withdraw(withdrawn)
        result.event_ids = EventIdLog()


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
