"""One run on Spark, from the driver: the passes over the input, and what they add up to.

    list the files (inputs) ─► count each span's lines and records (CountSpans) ─► number them
      ─► process every piece (ProcessSpans, ProcessFiles: running.steps.process) ─► rows
      ─► shuffle the Antavo ids (event_ids) ─► process again the few pieces in conflict, settled
      ─► messages and rejects as DataFrames; each piece's result, in input order, to the driver

Every pass over NDJSON files reads them the same way, so that it sees the same spans (Spark's
splits of each file; a DataFrame of records is cached, a partition a span). The rows of the
processing pass are cached: the report, the event-id check and the outputs all read them.
The report is the driver's own (running.driver.replay over the pieces' results in input
order): the CLI's reporters render it.
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from contract_kit.reading.file_violations import file_violation
from contract_kit.reading.paths import Source
from contract_kit.reading.pieces import Piece, pieces
from contract_kit.running import driver, stopping
from contract_kit.running.context import RunContext
from contract_kit.running.report import Report
from contract_kit.running.results import PieceResult
from contract_kit.running.steps import process
from contract_kit.spark import event_ids
from contract_kit.spark.inputs import SparkInput, escaped, same_file
from contract_kit.spark.tasks import (
    MESSAGE,
    NO_PIECE,
    REJECT,
    RESULT,
    ROWS,
    SPANS,
    WITHDRAWN,
    CountSpans,
    ProcessFiles,
    ProcessSpans,
    Span,
    Work,
)
from contract_kit.violations import Finding, Violation

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, Row, SparkSession

#: How a DataFrame of records is named in reports (its rows are its lines).
FRAME_NAME = "<dataframe>"


@dataclass
class SparkRun:
    """What a run on Spark gave: the report's events, and its outputs as DataFrames (their
    rows cached until `unpersist`)."""

    events: list[driver.Event]
    messages: DataFrame
    """One column, `value`: each message as compact JSON."""
    rejects: DataFrame
    """One column, `value`: each rejected record's `convert --rejects` line."""
    cached: list[DataFrame]

    @property
    def report(self) -> Report:
        last = self.events[-1]
        assert isinstance(last, driver.Finished)
        return last.report

    def unpersist(self) -> None:
        for frame in self.cached:
            frame.unpersist()


def run(
    spark: SparkSession,
    context: RunContext,
    inputs: Sequence[SparkInput] = (),
    frame: DataFrame | None = None,
) -> SparkRun:
    """Run `context` over the files `inputs`, or over `frame` (one column of records, one a
    row, read as the lines of one NDJSON input named FRAME_NAME)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    names = [FRAME_NAME] if frame is not None else [file.name for file in inputs]
    lines = _file_lines(spark, inputs)
    if frame is not None:  # its rows may come from a source read once (Kafka): kept
        lines = _frame_lines(frame).persist(StorageLevel.MEMORY_AND_DISK)
    describe = spark.sparkContext.setJobDescription  # each job named for the Spark UI
    describe("contract-kit: count the lines and records of each split")
    counted = [] if lines is None else _counted(lines, rows_are_lines=frame is None)
    spans, unread = _numbered(counted, inputs, frame is not None)
    whole, empty = _read_by_driver(inputs, unread, context)
    work = Work(context, spans, whole)
    stopping.raise_if_stopped()  # between jobs: a stop must not start the next one
    describe("contract-kit: check and convert every piece (cached for what follows)")
    rows = _rows(spark, work, lines).persist(StorageLevel.MEMORY_AND_DISK)
    summaries = rows.where(F.col("kind") == RESULT).select("source", "line", "data").collect()
    stopping.raise_if_stopped()
    describe("contract-kit: the event-id check, a shuffle on the Antavo id")
    conflicts = event_ids.conflicts(rows, names)
    stopping.raise_if_stopped()
    settled = []
    if conflicts:
        describe("contract-kit: the pieces whose ids conflict, processed again and settled")
        settled = _settled(spark, replace(work, settling=conflicts), lines)
    describe(None)  # type: ignore[arg-type]  # PySpark takes None: the description is removed
    results = _results(summaries, settled, empty)

    withdrawn = [(r.source, r.line, r.number) for r in settled if r.kind == WITHDRAWN]
    messages = rows.where(F.col("kind") == MESSAGE)
    if withdrawn:
        gone = spark.createDataFrame(withdrawn, "source int, line long, number long")
        messages = messages.join(F.broadcast(gone), ["source", "line", "number"], "left_anti")
    added = [(r.data,) for r in settled if r.kind == REJECT]
    added += [(reject.line(),) for result in empty.values() for reject in result.rejects]
    rejects = rows.where(F.col("kind") == REJECT).select("data")
    if added:
        rejects = rejects.unionByName(spark.createDataFrame(added, "data binary"))
    events = list(driver.replay(context, names, results))
    cached = [rows] if lines is None or frame is None else [rows, lines]
    return SparkRun(events, _text(messages), _text(rejects), cached)


def _read_by_driver(
    inputs: Sequence[SparkInput], unread: list[tuple[int, Violation]], context: RunContext
) -> tuple[dict[str, tuple[int, str]], dict[tuple[int, int], PieceResult]]:
    """The files Spark reads whole (by path: their number and name), and the results of what
    the driver reads itself, as the CLI reads it: NDJSON files that hold no record, empty
    files (Spark leaves them out of its partitions) and inputs Spark cannot read."""
    whole: dict[str, tuple[int, str]] = {}
    results = {
        (number, NO_PIECE): replace(process(problem, context), source=number)
        for number, problem in unread
    }
    for number, file in enumerate(inputs):
        if file.unread is not None:  # a broken link, a folder that cannot be listed
            read_here = pieces(file.unread, number)
        elif file.lines:
            continue
        elif file.size:
            whole[file.path] = (number, file.name)
            continue
        else:
            read_here = pieces(Source(file.name, Path(file.name), data=b""), number)
        for piece in read_here:
            line = piece.first_line if isinstance(piece, Piece) else NO_PIECE
            results[(number, line)] = replace(process(piece, context), source=number)
    return whole, results


def _file_lines(spark: SparkSession, inputs: Sequence[SparkInput]) -> DataFrame | None:
    """The lines of the NDJSON files, as Spark's text source splits them (on \\n only, as the
    CLI does: a \\r stays in its line), with the raw bytes of each line: `line, path, start`."""
    from pyspark.sql import functions as F

    paths = [escaped(file.path) for file in inputs if file.lines and file.unread is None]
    if not paths:
        return None
    text = spark.read.option("lineSep", "\n").text(paths)
    return text.select(
        F.col("value").cast("binary").alias("line"),  # the bytes as read: no decoding
        F.col("_metadata.file_path").alias("path"),
        F.col("_metadata.file_block_start").alias("start"),
    )


def _counted(lines: DataFrame, rows_are_lines: bool) -> list[Row]:
    """How many lines and records each span holds (and its bytes, and whether it holds text).
    Where every line starts with `{`, each line is a record, as the reader's count (records_in)
    says, and Spark counts them without Python; otherwise the reader's own cut counts them."""
    from pyspark.sql import functions as F

    if not rows_are_lines:  # a row of a DataFrame may hold newlines
        return lines.mapInArrow(CountSpans(), SPANS).collect()
    starts_a_record = F.substring("line", 1, 1) == F.lit(bytearray(b"{"))
    quick = (
        lines.groupBy("path", "start")
        .agg(
            F.count(F.lit(1)).alias("lines"),
            F.sum(starts_a_record.cast("long")).alias("starting"),
            F.sum(F.length("line") + 1).alias("bytes"),
        )
        .collect()
    )
    if all(row.starting == row.lines for row in quick):
        return [_every_line_a_record(row) for row in quick]
    return lines.mapInArrow(CountSpans(), SPANS).collect()


def _every_line_a_record(row: Row) -> Row:
    from pyspark.sql import Row

    text = row.lines > 0
    return Row(path=row.path, start=row.start, lines=row.lines, records=row.lines,
               bytes=row.bytes, text=text)  # fmt: skip


def _frame_lines(frame: DataFrame) -> DataFrame:
    """A DataFrame of records as lines of one input: a span a partition."""
    from pyspark.sql import functions as F

    if len(frame.columns) != 1:
        raise ValueError(
            f"a DataFrame of records has one column (JSON text, one record a row); this one has "
            f"{len(frame.columns)}: select the column of records"
        )
    record = F.col(frame.columns[0]).cast("binary")
    return frame.select(
        # a null row (a Kafka tombstone) is the JSON null: "expected a JSON object", not lost
        F.coalesce(record, F.lit(bytearray(b"null"))).alias("line"),
        F.lit(FRAME_NAME).alias("path"),
        F.spark_partition_id().cast("long").alias("start"),
    )


def _numbered(
    counted: list[Row], inputs: Sequence[SparkInput], framed: bool
) -> tuple[dict[tuple[str, int], Span], list[tuple[int, Violation]]]:
    """Each span's first line and record, from the counts of the spans before it in its file;
    and a problem for each NDJSON file that holds no record (as the CLI reports it)."""
    by_uri = {same_file(file.uri): (number, file.name) for number, file in enumerate(inputs)}
    if framed:
        by_uri[same_file(FRAME_NAME)] = (0, FRAME_NAME)
    per_file: dict[str, list[tuple[int, int, int, int, bool]]] = defaultdict(list)
    for row in counted:
        per_file[row.path].append((row.start, row.lines, row.records, row.bytes, row.text))
    spans: dict[tuple[str, int], Span] = {}
    holds_text: dict[tuple[str, str, str], tuple[bool, int]] = {}
    for path, found in per_file.items():
        number, name = by_uri[same_file(path)]
        first_line, first_record = 1, 0
        for start, lines, records, _, _ in sorted(found):
            spans[(path, start)] = Span(number, name, first_line, first_record)
            first_line, first_record = first_line + lines, first_record + records
        read = sum(span[3] for span in found)
        holds_text[same_file(path)] = (any(span[4] for span in found), read)
    empty = []
    for number, file in enumerate(inputs):
        if not file.lines or file.unread is not None:
            continue
        text, read = holds_text.get(same_file(file.uri), (False, 0))
        if not text:
            # Hadoop's reader drops a byte-order mark: a file of one alone is empty
            bom_alone = file.size == 3 and read <= 1
            what = "empty" if file.size == 0 or bom_alone else "white space only"
            problem = Finding("", f"the file is {what}: it holds no record", "empty")
            empty.append((number, file_violation(file.name, problem)))
    if framed and not per_file:
        problem = Finding("", "the DataFrame is empty: it holds no record", "empty")
        empty.append((0, file_violation(FRAME_NAME, problem)))
    return spans, empty


def _rows(spark: SparkSession, work: Work, lines: DataFrame | None) -> DataFrame:
    """Every piece processed: the rows of ROWS."""
    parts = []
    if lines is not None:
        parts.append(lines.mapInArrow(ProcessSpans(work), ROWS))
    whole = [escaped(path) for path in work.files]
    if whole:
        files = spark.read.format("binaryFile").load(whole).select("content", "path")
        parts.append(files.mapInArrow(ProcessFiles(work), ROWS))
    if not parts:
        return spark.createDataFrame([], ROWS)
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.unionByName(part)
    return combined


def _settled(spark: SparkSession, work: Work, lines: DataFrame | None) -> list[Row]:
    """The pieces in conflict processed again and settled: their rows (RESULT, REJECT,
    WITHDRAWN), which are few."""
    assert work.settling is not None
    sources = {source for source, _ in work.settling}
    parts = []
    if lines is not None:  # read again whole: a filter on the path would change the splits
        parts.append(lines.mapInArrow(ProcessSpans(work), ROWS))
    whole = [path for path, (source, _) in work.files.items() if source in sources]
    if whole:
        files = spark.read.format("binaryFile").load([escaped(path) for path in whole])
        parts.append(files.select("content", "path").mapInArrow(ProcessFiles(work), ROWS))
    return [row for part in parts for row in part.collect()]


def _results(
    summaries: list[Row], settled: list[Row], empty: dict[tuple[int, int], PieceResult]
) -> list[PieceResult]:
    """Each piece's result, in input order: settled pieces replaced by their settled result,
    and the files read by the driver (which hold no record) in their place."""
    found: dict[tuple[int, int], PieceResult] = {}
    for source, line, data in summaries:
        found[(source, line)] = pickle.loads(data)
    for row in settled:
        if row.kind == RESULT:
            found[(row.source, row.line)] = pickle.loads(row.data)
    found.update(empty)
    return [found[key] for key in sorted(found)]


def _text(frame: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return frame.select(F.col("data").cast("string").alias("value"))
