"""The `contract-kit` command: parse options, call the library, report, return the exit code.

Exit codes: 0 all valid (or no difference), 1 a violation or a golden difference, 2 a usage or
environment error (missing or unreadable file, bad configuration, bad flag).
"""

from __future__ import annotations

import dataclasses
import io
import os
import shlex
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NoReturn, TypeVar

import click

from . import __version__, atomic, batching, config_files, jsonio, pipeline, reporters, sources
from .config_files import ConfigError
from .report import EXIT_ENVIRONMENT, EXIT_OK, EXIT_VIOLATIONS, collect

if TYPE_CHECKING:
    from .config import LoadedConfig

# Modules that only some commands need (pydantic for the configuration, the golden machinery,
# jsonschema for the reference validator) are imported where used: start-up stays short.

F = TypeVar("F", bound=Callable[..., Any])
STDOUT = "-"


class Failure(click.ClickException):
    """A usage or environment error: printed as one line, exit code 2."""

    exit_code = EXIT_ENVIRONMENT

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"contract-kit: error: {self.format_message()}", err=True)


@contextmanager
def _usage_errors() -> Iterator[None]:
    """Library errors that mean 'this invocation cannot run' become exit code 2."""
    try:
        yield
    except (sources.UsageError, ConfigError, atomic.NotAFileError) as error:
        raise Failure(str(error)) from None


def _jobs_option(command: F) -> F:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Processes to use on large inputs (default: the number of cores). "
        "Output and report are the same for any number.",
    )(command)


def _format_option(help_text: str) -> Callable[[F], F]:
    """--format, one of the registered reporters."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(sorted(reporters.REPORTERS)),
        default="text",
        show_default=True,
        help=help_text,
    )


def _report_options(command: F) -> F:
    """--color, -q, -v and --max-errors: how much of the report to show, and how."""
    for option in reversed(
        [
            click.option(
                "--color",
                type=click.Choice(["auto", "always", "never"]),
                default="auto",
                show_default=True,
                help="Colour the text report; auto: on a terminal, unless NO_COLOR is set.",
            ),
            click.option(
                "-q", "--quiet", is_flag=True, help="Only the violations, no summary line."
            ),
            click.option("-v", "--verbose", is_flag=True, help="Also name every file found valid."),
            click.option(
                "--max-errors",
                type=click.IntRange(min=1),
                default=None,
                help="Stop after N violations (the exit code is then 1).",
            ),
        ]
    ):
        command = option(command)
    return command


def _reporter(name: str, color: str, quiet: bool, verbose: bool, stream: Any) -> reporters.Reporter:
    if color == "auto":
        colored = stream.isatty() and not os.environ.get("NO_COLOR")
    else:
        colored = color == "always"
    return reporters.get(name, color=colored, verbosity=-1 if quiet else 1 if verbose else 0)


def _config_option(command: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Settings file: contract-kit.toml or a pyproject.toml with [tool.contract-kit]. "
        "Default: ./contract-kit.toml, else ./pyproject.toml.",
    )(command)


def _load_config(path: Path | None, announce: bool = True) -> LoadedConfig:
    """The configuration; says which file it came from, unless the report says it (json)."""
    from .config import load as load_config

    with _usage_errors():
        loaded = load_config(path)
    if loaded.origin is not None and announce:
        click.echo(f"configuration: {loaded.origin}", err=True)
    return loaded


def _finish(code: int) -> NoReturn:
    """Exit with `code` once stdout is flushed: a full disk or closed pipe is exit 2."""
    try:
        sys.stdout.flush()
    except OSError as error:
        raise Failure(f"cannot write the output: {error.strerror or error}") from None
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contract-kit")
def cli() -> None:
    """Prove that the messages Antavo sends into Segment are right, before they ship.

    Exit codes: 0 all valid, 1 violations or golden differences, 2 usage or environment errors.
    """
    for stream in (sys.stdout, sys.stderr):
        # Output is UTF-8 whatever the locale; a lone surrogate from the input prints as \\udc00.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--kind",
    type=click.Choice(["auto", "antavo", "segment"]),
    default="auto",
    show_default=True,
    help="What the records are. auto: an Antavo record has 'action', a Segment message 'type'.",
)
@click.option(
    "--strict", is_flag=True, help="Also apply the Antavo source profile to Segment messages."
)
@_config_option
@_format_option("Report format.")
@_jobs_option
@_report_options
def validate(
    paths: tuple[str, ...], kind: pipeline.KindOption, strict: bool, config_path: Path | None,
    output_format: str, jobs: int | None, color: str, quiet: bool, verbose: bool,
    max_errors: int | None,
) -> None:  # fmt: skip
    """Check records and messages against the contract.

    PATHS are files, directories (searched for *.json, *.ndjson, *.jsonl; hidden folders are
    skipped) or - for stdin (a document, or NDJSON). The configuration is read only to check it:
    its rules apply when converting.
    """
    origin = None
    with _usage_errors():
        if config_files.find(config_path) is not None:
            origin = _load_config(config_path, announce=output_format == "text").origin
        inputs = sources.collect(paths)
    job = pipeline.Job("validate", kind=kind, strict=strict)
    batches = pipeline.run(inputs, job, _jobs(jobs))
    report = collect("validate", inputs, batches, max_errors=max_errors)
    report = dataclasses.replace(report, configuration=None if origin is None else str(origin))
    _reporter(output_format, color, quiet, verbose, sys.stdout).report(report, sys.stdout)
    _finish(report.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_config_option
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
@_format_option("Format of the report on stderr (the messages are always NDJSON).")
@_jobs_option
@_report_options
def convert(
    paths: tuple[str, ...], config_path: Path | None, output: str, batch: bool,
    rejects: str | None, output_format: str, jobs: int | None, color: str, quiet: bool,
    verbose: bool, max_errors: int | None,
) -> None:  # fmt: skip
    """Convert Antavo records into Segment messages (NDJSON, one per line, in input order).

    Invalid records are reported on stderr and not converted; the others still are, and the
    exit code is 1. Records left out by the sync settings are counted, not errors.
    """
    loaded = _load_config(config_path, announce=output_format == "text")
    with _usage_errors():
        inputs = sources.collect(paths)
    job = pipeline.Job("convert", config=loaded.config, keep_rejects=rejects is not None)
    batches = pipeline.run(inputs, job, _jobs(jobs))
    try:
        with ExitStack() as files, _usage_errors():
            out = (
                sys.stdout.buffer
                if output == STDOUT
                else files.enter_context(atomic.byte_writer(Path(output)))
            )
            rejected = (
                None if rejects is None else files.enter_context(atomic.byte_writer(Path(rejects)))
            )
            write = _line_writer(out)
            batcher = batching.Batcher(write) if batch else None
            report = collect(
                "convert", inputs, batches, write if batcher is None else batcher.add, max_errors,
                None if rejected is None else _reject_writer(rejected),
            )  # fmt: skip
            if batcher is not None:
                batcher.close()
    except OSError as error:
        raise Failure(f"cannot write: {error.strerror or error}") from None
    origin = None if loaded.origin is None else str(loaded.origin)
    report = dataclasses.replace(report, configuration=origin)
    _reporter(output_format, color, quiet, verbose, sys.stderr).report(report, sys.stderr)
    _finish(report.exit_code)


def _line_writer(stream: BinaryIO) -> Callable[[bytes], None]:
    """Writes one NDJSON line a message: the compact UTF-8 bytes and a newline."""
    write = stream.write

    def write_line(message: bytes) -> None:
        write(message + b"\n")

    return write_line


def _reject_writer(stream: BinaryIO) -> Callable[[pipeline.Reject], None]:
    """One NDJSON line a rejected record: its file, index, text and violations."""

    def write_reject(reject: pipeline.Reject) -> None:
        first = reject.violations[0]
        line = {
            "file": first.file,
            "record": reject.record,
            "text": reject.text,
            "violations": [violation.as_dict() for violation in reject.violations],
        }
        stream.write(jsonio.dumps(line) + b"\n")

    return write_reject


@cli.command(name="diff")
@click.argument("input_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("golden_dir", type=click.Path(path_type=Path, file_okay=False))
@_config_option
@click.option("--update", is_flag=True, help="Write changed and missing goldens, remove orphans.")
@click.option(
    "--force", is_flag=True, help="Allow --update when the CI environment variable is set."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
def diff_command(
    input_dir: Path, golden_dir: Path, config_path: Path | None, update: bool, force: bool,
    output_format: str,
) -> None:  # fmt: skip
    """Compare each Antavo file under INPUT_DIR with its golden under GOLDEN_DIR.

    The golden of INPUT_DIR/a/x.json is GOLDEN_DIR/a/x.json. Exit 1 on any difference, missing
    golden, orphaned golden or invalid input, with the command that fixes it.
    """
    if update and _in_ci() and not force:
        raise Failure(
            "refusing to --update goldens with CI set: goldens are reviewed changes; add --force"
        )
    from . import golden
    from .reporters import golden_text

    loaded = _load_config(config_path)
    done: list[golden.Update] = []
    with _usage_errors():
        report = golden.check(input_dir, golden_dir, loaded.config)
        if update:
            done = golden.update(report, golden_dir)
    fix = shlex.join(["contract-kit", "diff", str(input_dir), str(golden_dir), "--update"])
    if config_path is not None:
        fix += f" --config {shlex.quote(str(config_path))}"
    if output_format == "json":
        from .reporters import golden_json

        golden_json.report(report, done if update else [], None if update else fix, sys.stdout)
    elif update:
        golden_text.report_update(report, done, sys.stdout)
    else:
        golden_text.report_check(report, fix, sys.stdout)
    if update:
        _finish(EXIT_VIOLATIONS if report.count("invalid") else EXIT_OK)
    _finish(EXIT_OK if report.ok else EXIT_VIOLATIONS)


def _jobs(given: int | None) -> int:
    return given if given is not None else pipeline.default_jobs()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@cli.group()
def schema() -> None:
    """The bundled JSON Schemas (the contract, readable without Python)."""


@schema.command(name="list")
def schema_list() -> None:
    """Name and title of each bundled schema."""
    from . import schemas

    names = schemas.names()
    width = max(len(name) for name in names)
    for name in names:
        title = schemas.document(name).get("title", "")
        click.echo(f"{name:<{width}}  {title}")


@schema.command(name="show")
@click.argument("name")
def schema_show(name: str) -> None:
    """Print the schema NAME (e.g. antavo/record) as JSON."""
    from . import schemas

    if name not in schemas.names():
        raise Failure(f"unknown schema {name!r}; known: {', '.join(schemas.names())}")
    click.echo(schemas.path_of(name).read_text(encoding="utf-8"), nl=False)


def main() -> None:
    """Console entry point. Bad input is reported, never answered with a traceback; an
    unexpected exception is a bug in contract-kit and says so in one line."""
    try:
        cli.main(prog_name="contract-kit")
    except OSError as error:  # writing the output failed (a full disk, a closed stream)
        click.echo(
            f"contract-kit: error: cannot write the output: {error.strerror or error}", err=True
        )
        sys.exit(EXIT_ENVIRONMENT)
    except Exception as error:
        if os.environ.get("CONTRACT_KIT_DEBUG"):
            traceback.print_exc()
        click.echo(
            "contract-kit: internal error (a bug in contract-kit, please report it; "
            f"CONTRACT_KIT_DEBUG=1 shows the traceback): {type(error).__name__}: {error}",
            err=True,
        )
        sys.exit(EXIT_ENVIRONMENT)
