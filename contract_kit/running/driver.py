"""The driver: one run, from its context and inputs, as a stream of events in input order.

    Started ─► PieceDone ─► PieceDone ─► … ─► Finished(report)

Every caller (the CLI's commands, the Python API, the goldens, `plan coverage`) runs this one
loop and consumes its events: the text report prints each piece's violations as it comes, a
machine format writes one document from the report at the end, `convert` writes each piece's
messages. Pieces are processed here or on a pool of workers, and come out in input order
either way; the run-wide event-id check and --max-errors are applied here, so that what a
consumer sees is final.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import orjson

from contract_kit.reading.paths import Source
from contract_kit.reading.pieces import pieces
from contract_kit.running import stopping
from contract_kit.running.context import RunContext
from contract_kit.running.event_ids import EventIds
from contract_kit.running.pool import in_pool, worth_parallel
from contract_kit.running.report import Report
from contract_kit.running.results import PieceResult
from contract_kit.running.steps import process
from contract_kit.violations import Violation

# The events are named tuples, not dataclasses: a dataclass costs about a millisecond of every
# start-up to create, and these three are created by every command that runs.


class Started(NamedTuple):
    """The run's inputs are known."""

    inputs: tuple[str, ...]


class PieceDone(NamedTuple):
    """One piece of input is done, and final: its messages, violations and counts."""

    result: PieceResult


class Finished(NamedTuple):
    """The run is over (or stopped at --max-errors): what it adds up to."""

    report: Report


Event = Started | PieceDone | Finished


def run(context: RunContext, inputs: Sequence[Source]) -> Iterator[Event]:
    """Every piece of every input, in input order, then the report."""
    yield Started(tuple(source.name for source in inputs))
    event_ids = EventIds(inputs, context.keep_rejects)
    tally = _Tally(context.max_errors)
    work = (piece for number, source in enumerate(inputs) for piece in pieces(source, number))
    if worth_parallel(inputs, context.jobs):
        results = in_pool(work, context, context.jobs)
    else:
        results = ((piece, process(piece, context)) for piece in work)
    try:
        for piece, result in results:
            stopping.raise_if_stopped()
            event_ids.settle(result, piece)
            stop = tally.add(result)
            yield PieceDone(result)
            if stop:
                break
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stop reading, and stop the workers if any
    yield Finished(tally.report(context, [source.name for source in inputs]))


def replay(
    context: RunContext, names: Sequence[str], results: Iterable[PieceResult]
) -> Iterator[Event]:
    """The events of a run whose pieces were processed and settled elsewhere (on Spark: see
    contract_kit.spark), given their results in input order: added up as `run` adds them."""
    yield Started(tuple(names))
    tally = _Tally(context.max_errors)
    for result in results:
        stopping.raise_if_stopped()
        stop = tally.add(result)
        yield PieceDone(result)
        if stop:
            break
    yield Finished(tally.report(context, names))


def drive(
    context: RunContext,
    inputs: Sequence[Source],
    on_piece: Callable[[PieceResult], object] | None = None,
) -> Report:
    """Run to the end, handing each finished piece to `on_piece`; the report."""
    for event in run(context, inputs):
        if isinstance(event, PieceDone) and on_piece is not None:
            on_piece(event.result)
        elif isinstance(event, Finished):
            return event.report
    raise AssertionError("a run always finishes")  # pragma: no cover


def parsed_into(messages: list[Any]) -> Callable[[PieceResult], None]:
    """An `on_piece` for `drive` that keeps every message as a value, in order."""

    def append(result: PieceResult) -> None:
        messages.extend(orjson.loads(message) for message in result.messages())

    return append


class _Tally:
    """Adds up piece results as they stream past, and says when --max-errors is reached."""

    def __init__(self, max_errors: int | None) -> None:
        self.max_errors = max_errors
        self.records = self.converted = self.skipped = self.errors = 0
        self.violations: list[Violation] = []
        self.planned: Counter[tuple[str, int]] = Counter()
        self.stopped = False

    def add(self, result: PieceResult) -> bool:
        """Count `result` in; True when the run must stop there. The piece's violations are
        then cut just after the last error allowed (the warnings before it stay)."""
        self.records += result.records
        self.converted += result.converted
        self.skipped += result.skipped
        self.planned.update(result.planned)
        if self.max_errors is not None and self.errors + result.errors >= self.max_errors:
            _keep_errors(result.violations, self.max_errors - self.errors)
            self.stopped = True
        self.errors += result.errors
        self.violations.extend(result.violations)
        return self.stopped

    def report(self, context: RunContext, names: Sequence[str]) -> Report:
        return Report(
            context.mode, len(names), self.records, tuple(self.violations), self.converted,
            self.skipped, tuple(names), self.stopped,
            context.configuration, None if context.plan is None else context.plan.folder,
            dict(self.planned),
            context.plan is not None and context.plan.unplanned_properties == "omit",
        )  # fmt: skip


def _keep_errors(violations: list[Violation], count: int) -> None:
    """Cut `violations` just after its `count`th error."""
    seen = 0
    for position, violation in enumerate(violations):
        seen += violation.is_error
        if seen == count:
            del violations[position + 1 :]
            return
