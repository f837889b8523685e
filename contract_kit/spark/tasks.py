"""What a Spark task runs: the CLI's own reading and unit of work, one partition at a time.

A partition holds spans of NDJSON files (the lines of one split of a file, as Spark's text
source reads them, with the numbers the driver counted for the spans before it) or whole files
(Spark's binaryFile source). Each span is cut into pieces by reading.pieces.line_pieces and
each piece goes through running.steps.process, exactly as in the CLI; what a piece gives back
leaves the task as rows of one table (ROWS), which the driver splits by `kind`:

    MESSAGE    source, line (the piece's first line), number (the message's position), data
    REJECT     source, record, data (its `convert --rejects` line)
    EVENT_ID   source, line, number (the entry's index in the piece's log), key, fingerprint,
               record: for the run-wide shuffle on the Antavo id (contract_kit.spark.event_ids)
    RESULT     source, line, data (the piece's result without its messages, rejects and ids,
               pickled: counts, violations, plan coverage)
    WITHDRAWN  source, line, number: a message withdrawn by the event-id check

Every function here is a callable object (picklable state, no closure over the driver) that
Spark sends to its executors; they import contract-kit from their own installation.
"""

from __future__ import annotations

import dataclasses
import itertools
import pickle
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from contract_kit.reading.paths import Source
from contract_kit.reading.pieces import BYTES_PER_PIECE, LineSpan, Piece, line_pieces, pieces
from contract_kit.running.context import RunContext
from contract_kit.running.event_ids import Conflict, withdraw_conflicts
from contract_kit.running.results import NO_MESSAGE, EventIdLog, PieceResult
from contract_kit.running.steps import process
from contract_kit.violations import Violation

if TYPE_CHECKING:
    import pyarrow as pa

MESSAGE, REJECT, EVENT_ID, RESULT, WITHDRAWN = range(5)
ROWS = (
    "kind byte, source int, line long, number long, key long, fingerprint long, record long, "
    "data binary"
)
_COLUMNS = ("kind", "source", "line", "number", "key", "fingerprint", "record", "data")
SPANS = "path string, start long, lines long, records long, bytes long, text boolean"
"""What CountSpans finds in each span: its lines and records, the bytes it holds (after a
byte-order mark) and whether any line holds more than white space."""

#: The `line` of a result that is a problem of a whole file (an empty file): no piece.
NO_PIECE = 0


class Span(NamedTuple):
    """Where a span of an NDJSON file starts: its file's number and name, and the numbers of
    its first line and first record, counted by the driver from the spans before it."""

    source: int
    name: str
    first_line: int
    first_record: int


def span_rows(
    batches: Iterable[pa.RecordBatch],
) -> Iterator[tuple[tuple[str, int], Iterator[bytes]]]:
    """The lines of each span of a partition (rows `line, path, start` in file order), as
    (path, start) and an iterator over the span's lines."""
    rows = (
        row
        for batch in batches
        for row in zip(
            batch.column(1).to_pylist(),
            batch.column(2).to_pylist(),
            batch.column(0).to_pylist(),
            strict=True,
        )
    )
    for key, group in itertools.groupby(rows, key=lambda row: (row[0], row[1])):
        yield key, (line for _, _, line in group)


def _chunks(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The lines again as bytes, each line ended by a newline, in chunks of about a piece."""
    part: list[bytes] = []
    size = 0
    for line in lines:
        part.append(line)
        size += len(line) + 1
        if size >= BYTES_PER_PIECE:
            part.append(b"")
            yield b"\n".join(part)
            part, size = [], 0
    if part:
        part.append(b"")
        yield b"\n".join(part)


class CountSpans:
    """The first pass over NDJSON: how many lines and records each span holds, counted by
    the reader's own cut (line_pieces), so that the driver can number every span."""

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        found: dict[str, list[object]] = {name: [] for name in _SPAN_COLUMNS}
        for (path, start), lines in span_rows(batches):
            span = LineSpan(at_file_start=start == 0)
            for _ in line_pieces(path, _chunks(lines), 0, span):
                pass
            values = (path, start, span.first_line - 1, span.first_record, span.bytes)
            for name, value in zip(_SPAN_COLUMNS, (*values, span.holds_text), strict=True):
                found[name].append(value)
        yield pa.RecordBatch.from_pydict(found)


_SPAN_COLUMNS = ("path", "start", "lines", "records", "bytes", "text")


@dataclass(frozen=True)
class Work:
    """What every task of a run needs: the run's context, and where each input starts."""

    context: RunContext
    spans: Mapping[tuple[str, int], Span]
    """Each span of NDJSON, by (`_metadata.file_path`, `_metadata.file_block_start`)."""
    files: Mapping[str, tuple[int, str]]
    """Each file read whole, by its path: its number and name."""
    settling: Mapping[tuple[int, int], list[Conflict]] | None = None
    """The second pass, for the event-id check: the pieces (source, first line) with records
    whose Antavo id a different, earlier event holds. Only they are processed again."""


class ProcessSpans:
    """Each span of NDJSON cut into pieces and processed, as rows (see the module)."""

    def __init__(self, work: Work) -> None:
        self.work = work

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for key, lines in span_rows(batches):
            at = self.work.spans[key]
            span = LineSpan(at.first_line, at.first_record, at_file_start=key[1] == 0)
            for piece in line_pieces(at.name, _chunks(lines), at.source, span):
                yield from _piece_rows(piece, at.source, self.work)


class ProcessFiles:
    """Each file read whole (a document, or NDJSON not named so) read into pieces as the CLI
    reads it, and processed, as rows (see the module)."""

    def __init__(self, work: Work) -> None:
        self.work = work

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            contents, paths = batch.column(0).to_pylist(), batch.column(1).to_pylist()
            for content, path in zip(contents, paths, strict=True):
                number, name = self.work.files[path]
                for piece in pieces(Source(name, Path(name), data=content), number):
                    yield from _piece_rows(piece, number, self.work)


def _piece_rows(piece: Piece | Violation, source: int, work: Work) -> Iterator[pa.RecordBatch]:
    line = piece.first_line if isinstance(piece, Piece) else NO_PIECE
    if work.settling is None:
        yield result_rows(process(piece, work.context), source, line)
        return
    conflicts = work.settling.get((source, line))
    if conflicts is not None:
        yield _settled_rows(piece, conflicts, work.context, source, line)


def result_rows(result: PieceResult, source: int, line: int) -> pa.RecordBatch:
    """Everything one piece gave back, as rows of ROWS."""
    rows = _Rows(source, line)
    for position, message in enumerate(result.messages()):
        rows.add(MESSAGE, number=position, data=message)
    for reject in result.rejects:
        rows.add(REJECT, record=reject.record, data=reject.line())
    entries = result.event_ids.entries
    width = EventIdLog.WIDTH
    for index, start in enumerate(range(0, len(entries), width)):
        key, fingerprint, record = entries[start : start + 3]
        rows.add(EVENT_ID, number=index, key=key, fingerprint=fingerprint, record=record)
    rows.add(RESULT, data=summary(result))
    return rows.batch()


def summary(result: PieceResult) -> bytes:
    """A piece's result as the driver needs it for the report: no messages, rejects or ids."""
    slim = dataclasses.replace(result, output=b"", rejects=[], event_ids=EventIdLog())
    return pickle.dumps(slim, protocol=pickle.HIGHEST_PROTOCOL)


def _settled_rows(
    piece: Piece | Violation, conflicts: list[Conflict], context: RunContext, source: int, line: int
) -> pa.RecordBatch:
    """A piece processed again and settled against the conflicts the shuffle found: its new
    result, the rejects the conflicts add and the messages they withdraw."""
    result = process(piece, context)
    entries = result.event_ids.entries
    width = EventIdLog.WIDTH
    withdrawn = [entries[c.entry * width + 4] for c in conflicts]
    rejected_already = {id(reject) for reject in result.rejects}  # written by the first pass
    withdraw_conflicts(result, piece, conflicts, context.keep_rejects)
    rows = _Rows(source, line)
    for reject in result.rejects:
        if id(reject) not in rejected_already:
            rows.add(REJECT, record=reject.record, data=reject.line())
    for position in withdrawn:
        if position != NO_MESSAGE:
            rows.add(WITHDRAWN, number=position)
    rows.add(RESULT, data=summary(result))
    return rows.batch()


class _Rows:
    """Rows of ROWS for one piece, gathered column by column."""

    def __init__(self, source: int, line: int) -> None:
        self.source, self.line = source, line
        self.columns: dict[str, list[object]] = {name: [] for name in _COLUMNS}

    def add(
        self,
        kind: int,
        *,
        number: int | None = None,
        key: int | None = None,
        fingerprint: int | None = None,
        record: int | None = None,
        data: bytes | None = None,
    ) -> None:
        values = (kind, self.source, self.line, number, key, fingerprint, record, data)
        for name, value in zip(_COLUMNS, values, strict=True):
            self.columns[name].append(value)

    def batch(self) -> pa.RecordBatch:
        import pyarrow as pa

        return pa.RecordBatch.from_pydict(self.columns, schema=_schema())


def _schema() -> pa.Schema:
    import pyarrow as pa

    types = (pa.int8(), pa.int32(), pa.int64(), pa.int64(), pa.int64(), pa.int64(), pa.int64())
    fields = [pa.field(name, kind) for name, kind in zip(_COLUMNS, types, strict=False)]
    return pa.schema([*fields, pa.field("data", pa.binary())])
