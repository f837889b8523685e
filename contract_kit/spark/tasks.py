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
from collections.abc import Iterable, Iterator, Mapping, Sequence
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


def spans(batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[tuple[str, int], Iterator[bytes]]]:
    """The spans of a partition (rows `line, path, start`, a span's rows together and in file
    order), each as (path, start) and its lines in chunks: each chunk whole lines, each line
    ended by a newline, joined by Arrow (no Python object a line)."""
    chunks = (chunk for batch in batches for chunk in _batch_chunks(batch))
    for key, group in itertools.groupby(chunks, key=lambda pair: pair[0]):
        yield key, (chunk for _, chunk in group)


def _batch_chunks(batch: pa.RecordBatch) -> Iterator[tuple[tuple[str, int], bytes]]:
    """The rows of one batch as a chunk of bytes for each span they belong to."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lines, paths, starts = batch.column(0), batch.column(1), batch.column(2)
    size = len(lines)
    cuts = [0]
    if size and (paths[0] != paths[size - 1] or starts[0] != starts[size - 1]):
        later = slice(1, None)
        changed = pc.or_(
            pc.not_equal(paths[later], paths[: size - 1]),
            pc.not_equal(starts[later], starts[: size - 1]),
        )
        cuts += [index + 1 for index in pc.indices_nonzero(changed).to_pylist()]
    for begin, end in zip(cuts, [*cuts[1:], size], strict=True):
        key = (paths[begin].as_py(), starts[begin].as_py())
        for first, last in _about_a_piece(lines, begin, end):
            part = lines.slice(first, last - first)
            as_list = pa.ListArray.from_arrays(pa.array([0, len(part)], pa.int32()), part)
            yield key, pc.binary_join(as_list, b"\n")[0].as_py() + b"\n"


def _about_a_piece(lines: pa.Array, begin: int, end: int) -> Iterator[tuple[int, int]]:
    """Rows [begin, end) in runs of about BYTES_PER_PIECE (a long line alone is longer): the
    pieces a task cuts are as large as the CLI's."""
    import numpy as np
    import pyarrow.compute as pc

    if begin == end:
        return
    sizes = pc.binary_length(lines.slice(begin, end - begin)).to_numpy(zero_copy_only=False) + 1
    ends = np.cumsum(sizes)
    first = 0
    while first < len(sizes):
        reach = ends[first - 1] if first else 0
        last = int(np.searchsorted(ends, reach + BYTES_PER_PIECE, side="right"))
        last = max(last, first + 1)
        yield begin + first, begin + last
        first = last


class CountSpans:
    """The first pass over NDJSON: how many lines and records each span holds, counted by
    the reader's own cut (line_pieces), so that the driver can number every span."""

    def __call__(self, batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        found: dict[str, list[object]] = {name: [] for name in _SPAN_COLUMNS}
        for (path, start), chunks in spans(batches):
            span = LineSpan(at_file_start=False)  # Hadoop's reader drops a byte-order mark
            for _ in line_pieces(path, chunks, 0, span):
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
        settling = self.work.settling
        for key, chunks in spans(batches):
            at = self.work.spans[key]
            if settling is not None and not any(source == at.source for source, _ in settling):
                for _ in chunks:  # a file with no conflict: nothing to settle here
                    pass
                continue
            span = LineSpan(at.first_line, at.first_record, at_file_start=False)  # as above
            for piece in line_pieces(at.name, chunks, at.source, span):
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
    """Everything one piece gave back, as rows of ROWS (built a column at a time)."""
    messages = result.messages()
    entries = result.event_ids.entries
    width = EventIdLog.WIDTH
    ids = len(entries) // width
    rows = _Rows(source, line)
    rows.extend(MESSAGE, len(messages), number=range(len(messages)), data=messages)
    rows.extend(
        REJECT, len(result.rejects), record=[reject.record for reject in result.rejects],
        data=[reject.line() for reject in result.rejects],
    )  # fmt: skip
    rows.extend(
        EVENT_ID, ids, number=range(ids), key=entries[0::width],
        fingerprint=entries[1::width], record=entries[2::width],
    )  # fmt: skip
    rows.extend(RESULT, 1, data=[summary(result)])
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
    added = [reject for reject in result.rejects if id(reject) not in rejected_already]
    gone = [position for position in withdrawn if position != NO_MESSAGE]
    rows = _Rows(source, line)
    rows.extend(
        REJECT, len(added), record=[r.record for r in added], data=[r.line() for r in added]
    )
    rows.extend(WITHDRAWN, len(gone), number=gone)
    rows.extend(RESULT, 1, data=[summary(result)])
    return rows.batch()


class _Rows:
    """Rows of ROWS for one piece, gathered column by column."""

    def __init__(self, source: int, line: int) -> None:
        self.source, self.line = source, line
        self.columns: dict[str, list[object]] = {name: [] for name in _COLUMNS}

    def extend(self, kind: int, count: int, **values: Sequence[object]) -> None:
        """`count` rows of `kind`; each column in `values` gives one value a row, the others
        are null."""
        if not count:
            return
        columns = self.columns
        columns["kind"] += [kind] * count
        columns["source"] += [self.source] * count
        columns["line"] += [self.line] * count
        for name in _COLUMNS[3:]:
            given = values.get(name)
            columns[name] += [None] * count if given is None else given

    def batch(self) -> pa.RecordBatch:
        import pyarrow as pa

        return pa.RecordBatch.from_pydict(self.columns, schema=_schema())


def _schema() -> pa.Schema:
    import pyarrow as pa

    types = (pa.int8(), pa.int32(), pa.int64(), pa.int64(), pa.int64(), pa.int64(), pa.int64())
    fields = [pa.field(name, kind) for name, kind in zip(_COLUMNS, types, strict=False)]
    return pa.schema([*fields, pa.field("data", pa.binary())])
