"""`contract-kit validate` and `contract-kit convert`: a run of the driver, rendered.

Both build a RunContext from their options, call the driver and consume its events: the
report's violations are written as each piece is done (in input order), `convert`'s messages
as each piece is done, and the summary (or the whole document, for machine formats) at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from contract_kit import reporters
from contract_kit.cli import progress, reports
from contract_kit.cli.main import cannot_write, cli, examples, finish, usage_errors
from contract_kit.cli.options import (
    STDOUT,
    config_option,
    exclude_option,
    exclusions,
    format_option,
    jobs_option,
    kind_options,
    load_config,
    load_plan,
    option_overrides,
    plan_options,
    processes,
    progress_option,
    report_options,
    reporter,
    validation_settings,
    verbosity,
)  # fmt: skip
from contract_kit.cli.rendering import Outputs, render
from contract_kit.outputs import atomic, batching
from contract_kit.reading.paths import collect
from contract_kit.running.context import KindOption, RunContext
from contract_kit.running.results import PieceResult, Reject

if TYPE_CHECKING:
    from contract_kit.tracking_plan import TrackingPlan


@cli.command(
    short_help="Check records and messages against the contract and the plan.",
    epilog=examples(
        "contract-kit validate fixtures/antavo",
        "contract-kit validate --format github --max-errors 20 fixtures/invalid",
        "contract-kit validate fixtures/antavo --report junit=junit.xml --report sarif=ck.sarif",
    ),
)
@click.argument("paths", nargs=-1, required=True)
@kind_options
@config_option
@plan_options
@exclude_option
@format_option("Report format.")
@reports.report_file_option(sorted(reporters.REPORTERS))
@jobs_option
@report_options
@progress_option
def validate(
    paths: tuple[str, ...], kind: KindOption, strict: bool, config_path: Path | None,
    plan: Path | None, unplanned: str | None, unplanned_properties: str | None,
    excluded: tuple[str, ...], output_format: str, report_files: tuple[reports.ReportFile, ...],
    jobs: int | None, color: str, quiet: bool, verbose: bool, max_errors: int | None,
    no_progress: bool,
) -> None:  # fmt: skip
    """Check records and messages against the contract, and Segment messages against the
    tracking plan when there is one.

    PATHS are files, directories (searched for *.json, *.ndjson, *.jsonl; hidden folders are
    skipped) or - for stdin (a document, or NDJSON). The configuration is read only to check it
    (and to find the plan): its rules apply when converting.
    """
    announce = output_format == "text"
    overrides = option_overrides(plan, unplanned, unplanned_properties)
    loaded, tracking = validation_settings(config_path, overrides, announce)
    with usage_errors():
        written = reports.outputs(report_files)
        inputs = collect(paths, exclusions(loaded, excluded, tracking, written))
    reports.refuse_overwrites(
        written, inputs, None if loaded is None else loaded.origin, _plan_folder(tracking)
    )
    context = RunContext(
        "validate", kind, strict, plan=tracking, max_errors=max_errors, jobs=processes(jobs),
        configuration=None if loaded is None or loaded.origin is None else str(loaded.origin),
    )  # fmt: skip
    terminal = reporter(output_format, color, quiet, verbose, sys.stdout)
    with reports.opened(report_files) as files:
        outputs = Outputs(
            terminal, sys.stdout, _file_reporters(files, verbosity(quiet, verbose)),
            progress.for_run(sys.stderr, inputs, enabled=not (quiet or no_progress)),
        )  # fmt: skip
        report = render(context, inputs, outputs)
    finish(report.exit_code)


@cli.command(
    short_help="Convert Antavo records into Segment messages (NDJSON).",
    epilog=examples(
        "contract-kit convert fixtures/antavo -o messages.ndjson --rejects rejects.ndjson",
        "contract-kit convert --batch fixtures/antavo/containers/records.ndjson",
        "contract-kit convert fixtures/antavo --plan fixtures/tracking-plan --unplanned block",
    ),
)
@click.argument("paths", nargs=-1, required=True)
@config_option
@click.option(
    "-o",
    "--output",
    default=STDOUT,
    metavar="FILE",
    help="Write the messages to FILE, atomically (a temporary file renamed into place), "
    "instead of stdout (-).",
)
@click.option(
    "--batch",
    is_flag=True,
    help='Write Segment HTTP API batch bodies ({"batch": [...]}, one a line) instead of '
    "messages, none over 2,500 messages or 500 KB.",
)
@click.option(
    "--rejects",
    metavar="FILE",
    help="Also write every rejected record, as written in its input and with its violations, "
    "to FILE (NDJSON, atomically): output + rejects + skipped = input.",
)
@plan_options
@exclude_option
@format_option("Format of the report on stderr (the messages are always NDJSON).")
@reports.report_file_option(sorted(reporters.REPORTERS))
@jobs_option
@report_options
@progress_option
def convert(
    paths: tuple[str, ...], config_path: Path | None, output: str, batch: bool,
    rejects: str | None, plan: Path | None, unplanned: str | None,
    unplanned_properties: str | None, excluded: tuple[str, ...], output_format: str,
    report_files: tuple[reports.ReportFile, ...], jobs: int | None, color: str, quiet: bool,
    verbose: bool, max_errors: int | None, no_progress: bool,
) -> None:  # fmt: skip
    """Convert Antavo records into Segment messages (NDJSON, one per line, in input order).

    Invalid records are reported on stderr and not converted; the others still are, and the
    exit code is 1. Records left out by the sync settings are counted, not errors.
    """
    announce = output_format == "text"
    overrides = option_overrides(plan, unplanned, unplanned_properties)
    loaded = load_config(config_path, announce, overrides)
    written = reports.outputs(report_files, output, rejects)
    with usage_errors():
        tracking = load_plan(loaded, announce)
        inputs = collect(paths, exclusions(loaded, excluded, tracking, written))
    reports.refuse_overwrites(written, inputs, loaded.origin, _plan_folder(tracking))
    context = RunContext.converting(
        loaded.config, plan=tracking, keep_rejects=rejects is not None, max_errors=max_errors,
        jobs=processes(jobs),
        configuration=None if loaded.origin is None else str(loaded.origin),
    )  # fmt: skip
    terminal = reporter(output_format, color, quiet, verbose, sys.stderr)
    try:
        with ExitStack() as files, usage_errors():
            # entered first, so committed last: a report never says ok of messages that a
            # failed -o or --rejects left unwritten
            report_to = files.enter_context(reports.opened(report_files))
            out_label = "the standard output" if output == STDOUT else f"-o {output}"
            out = (
                sys.stdout.buffer
                if output == STDOUT
                else files.enter_context(_output_file(Path(output), out_label))
            )
            reject_label = f"--rejects {rejects}"
            rejected = (
                None
                if rejects is None
                else files.enter_context(_output_file(Path(rejects), reject_label))
            )
            write = _writer(out, out_label)
            batcher = batching.Batcher(_line_writer(write)) if batch else None
            write_rejects = None if rejected is None else _reject_writer(rejected, reject_label)

            def deliver(result: PieceResult) -> None:
                if batcher is not None:
                    for message in result.messages():
                        batcher.add(message)
                elif result.output:
                    write(result.output)
                if write_rejects is not None:
                    for reject in result.rejects:
                        write_rejects(reject)

            outputs = Outputs(
                terminal, sys.stderr, _file_reporters(report_to, verbosity(quiet, verbose)),
                progress.for_run(sys.stderr, inputs, enabled=not (quiet or no_progress)), out,
            )  # fmt: skip
            report = render(context, inputs, outputs, deliver)
            if batcher is not None:
                batcher.close()
    except OSError as error:  # only the standard output is left unnamed by the writers
        raise cannot_write("the standard output", error) from None
    finish(report.exit_code)


def _plan_folder(plan: TrackingPlan | None) -> list[Path]:
    return [] if plan is None else [Path(plan.folder)]


def _file_reporters(
    files: list[reports.OpenReport], level: int
) -> list[tuple[reporters.Reporter, reports.OpenReport]]:
    """A reporter for each --report file: never coloured, as verbose as the terminal's."""
    return [(reporters.get(file.file.format, verbosity=level), file) for file in files]


@contextmanager
def _output_file(path: Path, label: str) -> Iterator[BinaryIO]:
    """An atomic output of convert whose failures (opening, committing) name it."""
    try:
        with atomic.byte_writer(path) as stream:
            yield stream
    except OSError as error:
        raise cannot_write(label, error) from None


def _writer(stream: BinaryIO, label: str) -> Callable[[bytes], None]:
    """Writes bytes to an output, naming it if that fails."""
    write = stream.write

    def write_bytes(data: bytes) -> None:
        try:
            write(data)
        except OSError as error:
            raise cannot_write(label, error) from None

    return write_bytes


def _line_writer(write: Callable[[bytes], None]) -> Callable[[bytes], None]:
    """Writes one NDJSON line a text: the compact UTF-8 bytes and a newline."""
    return lambda text: write(text + b"\n")


def _reject_writer(stream: BinaryIO, label: str) -> Callable[[Reject], None]:
    """One NDJSON line a rejected record: its file, index, text and violations."""
    write = _line_writer(_writer(stream, label))

    def write_reject(reject: Reject) -> None:
        write(reject.line())

    return write_reject
