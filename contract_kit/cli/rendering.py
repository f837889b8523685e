"""A run of the driver, rendered: the terminal's report, the report files, the progress line.

Each piece's violations go to every reporter as the piece is done, in input order; the rest of
each report at the end. The progress line is erased before anything is written that may reach
the screen, so that it never shares a line with a violation, a message or the summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO, NamedTuple, TextIO

from contract_kit.cli.progress import Progress
from contract_kit.cli.reports import OpenReport
from contract_kit.reading.paths import Source
from contract_kit.reporters import Reporter
from contract_kit.running import driver
from contract_kit.running.context import RunContext
from contract_kit.running.report import Report
from contract_kit.running.results import PieceResult


class Outputs(NamedTuple):
    """Where a run's report goes: the terminal's reporter and stream, the report files (each
    with its reporter), and the progress line."""

    reporter: Reporter
    stream: TextIO
    files: Sequence[tuple[Reporter, OpenReport]]
    progress: Progress
    messages: BinaryIO | None = None
    """Where convert writes its messages (None: it writes none): the progress line is erased
    before they are written only if that is a terminal."""


def render(
    context: RunContext,
    inputs: Sequence[Source],
    outputs: Outputs,
    deliver: Callable[[PieceResult], None] | None = None,
) -> Report:
    """Run the driver: `deliver` gets each piece's result (convert's messages) and the
    reporters its violations as it is done; the rest of the reports at the end."""
    return render_events(driver.run(context, inputs), outputs, deliver)


def render_events(
    events: Iterable[driver.Event],
    outputs: Outputs,
    deliver: Callable[[PieceResult], None] | None = None,
) -> Report:
    """Render a run's events, from the driver or from a Spark run (contract_kit.spark)."""
    with outputs.progress as progress:
        for event in events:
            if isinstance(event, driver.PieceDone):
                result = event.result
                if deliver is not None:
                    if outputs.messages is not None:
                        progress.clear_before(outputs.messages)
                    deliver(result)
                if result.violations:
                    progress.clear_before(outputs.stream)
                    _piece(outputs, result)
                progress.advance_by(result)
            elif isinstance(event, driver.Finished):
                progress.clear()
                outputs.reporter.finish(event.report, outputs.stream)
                for reporter, file in outputs.files:
                    with file.writing() as stream:
                        reporter.finish(event.report, stream)
                return event.report
    raise AssertionError("a run always finishes")  # pragma: no cover


def _piece(outputs: Outputs, result: PieceResult) -> None:
    violations = result.violations
    outputs.reporter.piece(violations, outputs.stream)
    outputs.stream.flush()
    for reporter, file in outputs.files:
        with file.writing() as stream:
            reporter.piece(violations, stream)
