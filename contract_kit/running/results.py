"""What a piece of work gives back: its result, the Antavo ids it saw, the records it rejected."""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from contract_kit.jsontext import jsonio
from contract_kit.reading.records import Place
from contract_kit.violations import Violation

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


class Reject(NamedTuple):
    """A record that went neither to the output nor to the skipped count, as it was written."""

    record: int | None
    text: str | None
    violations: tuple[Violation, ...]

    def line(self) -> bytes:
        """Its line of `convert --rejects` (NDJSON, without the newline): its file, index,
        text and violations."""
        first = self.violations[0]
        line = {
            "file": first.file,
            "record": self.record,
            "text": self.text,
            "violations": [violation.as_dict() for violation in self.violations],
        }
        return jsonio.dumps(line)


@dataclass
class PieceResult:
    """What became of the records of one piece of work."""

    file: str
    source: int = 0
    records: int = 0
    skipped: int = 0
    converted: int = 0
    size: int = 0
    """Bytes of input the piece held (for progress)."""
    vouched_by_core: int = 0
    """Records the compiled core took (checked, converted) without the Python path."""
    output: bytes = b""
    """Each converted message as compact JSON and a newline, in order."""
    violations: list[Violation] = field(default_factory=list)
    event_ids: EventIdLog = field(default_factory=EventIdLog)
    rejects: list[Reject] = field(default_factory=list)
    planned: Counter[tuple[str, int]] = field(default_factory=Counter)
    """Messages checked against each plan rule, by (label, version); unplanned events by
    (`unplanned:` + name, 0). For `plan coverage`."""

    @property
    def errors(self) -> int:
        return sum(violation.is_error for violation in self.violations)

    def messages(self) -> list[bytes]:
        """The converted messages, one compact JSON text each."""
        return self.output.split(b"\n")[:-1]

    def withdraw(self, numbers: set[int]) -> None:
        """Take the messages at these positions (among the piece's) out of the output."""
        kept = [line for at, line in enumerate(self.messages()) if at not in numbers]
        self.output = b"\n".join(kept) + b"\n" if kept else b""
        self.converted = len(kept)
