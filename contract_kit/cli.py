"""The `contract-kit` command: parse options, call the library, report, return the exit code.

Exit codes: 0 all valid (or no difference), 1 a violation or a golden difference, 2 a usage or
environment error (missing file, bad configuration, bad flag).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO, TypeVar

import click

from . import __version__, atomic, golden, jsonio, pipeline, reporters, schemas, sources
from .config import ConfigError, LoadedConfig
from .config import load as load_config
from .diff import MISSING, Change
from .report import Tally
from .reporters.text import format_violation, plural

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2
F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A usage or environment error: printed as one line, exit code 2."""

    exit_code = EXIT_USAGE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"contract-kit: error: {self.format_message()}", err=True)


def _fail(message: str) -> NoReturn:
    raise Failure(message)


@contextmanager
def _usage_errors() -> Iterator[None]:
    """Library errors that mean 'this invocation cannot run' become exit code 2."""
    try:
        yield
    except (sources.UsageError, ConfigError) as error:
        raise Failure(str(error)) from None


def _config_option(command: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Settings file: contract-kit.toml or a pyproject.toml with [tool.contract-kit]. "
        "Default: ./contract-kit.toml, else ./pyproject.toml.",
    )(command)


def _load_config(path: Path | None) -> LoadedConfig:
    with _usage_errors():
        return load_config(path)


def _say_config(loaded: LoadedConfig) -> None:
    if loaded.origin is not None:
        click.echo(f"configuration: {loaded.origin}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contract-kit")
def cli() -> None:
    """Prove that the messages Antavo sends into Segment are right, before they ship.

    Exit codes: 0 all valid, 1 violations or golden differences, 2 usage or environment errors.
    """


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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(reporters.REPORTERS)),
    default="text",
    show_default=True,
    help="Report format.",
)
def validate(
    paths: tuple[str, ...], kind: pipeline.KindOption, strict: bool, config_path: Path | None,
    output_format: str,
) -> None:  # fmt: skip
    """Check records and messages against the contract.

    PATHS are files, directories (searched for *.json, *.ndjson, *.jsonl) or - for stdin.
    The configuration is read only to check it: its rules apply when converting.
    """
    _load_config(config_path)
    with _usage_errors():
        inputs = sources.collect(paths)
    tally = Tally("validate", len(inputs))
    for outcome in pipeline.validate(inputs, kind=kind, strict=strict):
        tally.add(outcome)
    report = tally.report()
    reporters.get(output_format).report(report, _stdout())
    sys.exit(EXIT_OK if report.ok else EXIT_VIOLATIONS)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_config_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the messages to FILE, atomically, instead of stdout.",
)
def convert(paths: tuple[str, ...], config_path: Path | None, output: Path | None) -> None:
    """Convert Antavo records into Segment messages (NDJSON, one per line, in input order).

    Invalid records are reported on stderr and not converted; the others still are, and the
    exit code is 1. Records left out by the sync settings are counted, not errors.
    """
    loaded = _load_config(config_path)
    with _usage_errors():
        inputs = sources.collect(paths)
    _say_config(loaded)
    tally = Tally("convert", len(inputs))
    outcomes = pipeline.convert(inputs, config=loaded.config)
    if output is None:
        _write_messages(outcomes, tally, _stdout())
    else:
        try:
            with atomic.writer(output) as stream:
                _write_messages(outcomes, tally, stream)
        except OSError as error:
            _fail(f"{output}: cannot write: {error.strerror}")
    report = tally.report()
    reporters.get("text").report(report, _stderr())
    sys.exit(EXIT_OK if report.ok else EXIT_VIOLATIONS)


def _write_messages(outcomes: Iterator[pipeline.Outcome], tally: Tally, stream: TextIO) -> None:
    for outcome in outcomes:
        tally.add(outcome)
        if outcome.message is not None:
            stream.write(jsonio.dump_compact(outcome.message) + "\n")


@cli.command(name="diff")
@click.argument("input_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("golden_dir", type=click.Path(path_type=Path, file_okay=False))
@_config_option
@click.option("--update", is_flag=True, help="Write changed and missing goldens, remove orphans.")
@click.option(
    "--force", is_flag=True, help="Allow --update when the CI environment variable is set."
)
def diff_command(
    input_dir: Path, golden_dir: Path, config_path: Path | None, update: bool, force: bool
) -> None:
    """Compare each Antavo file under INPUT_DIR with its golden under GOLDEN_DIR.

    The golden of INPUT_DIR/a/x.json is GOLDEN_DIR/a/x.json. Exit 1 on any difference, missing
    golden, orphaned golden or invalid input, with the command that fixes it.
    """
    if update and _in_ci() and not force:
        _fail("refusing to --update goldens with CI set: goldens are reviewed changes; add --force")
    loaded = _load_config(config_path)
    _say_config(loaded)
    with _usage_errors():
        report = golden.check(input_dir, golden_dir, loaded.config)
    fix = f"contract-kit diff {input_dir} {golden_dir} --update"
    if config_path is not None:
        fix += f" --config {config_path}"
    out = _stdout()
    checked = plural(sum(1 for c in report.checks if c.input is not None), "input file")
    invalid = report.count("invalid")
    if update:
        done = golden.update(report, golden_dir)
        for change in done:
            out.write(f"{change.action} {change.path}\n")
        for check in report.checks:
            if check.status == "invalid":
                _print_check(check, out)
        actions = ("created", "updated", "removed")
        tally = ", ".join(f"{sum(c.action == a for c in done)} {a}" for a in actions)
        verdict = "failed" if invalid else "ok"
        out.write(
            f"{verdict}: {checked}; {tally}"
            + (f", {invalid} with invalid input" if invalid else "")
            + "\n"
        )
        if invalid:
            out.write("fix the invalid inputs: goldens are written only for valid fixtures\n")
        sys.exit(EXIT_VIOLATIONS if invalid else EXIT_OK)
    for check in report.checks:
        _print_check(check, out)
    statuses: tuple[tuple[golden.Status, str], ...] = (
        ("same", "same"),
        ("differs", "differ"),
        ("missing", "missing"),
        ("orphan", "orphaned"),
        ("invalid", "with invalid input"),
    )
    counts = ", ".join(
        f"{report.count(status)} {label}"
        for status, label in statuses
        if report.count(status) or status == "same"
    )
    if report.ok:
        out.write(f"ok: {checked}; {counts}\n")
        sys.exit(EXIT_OK)
    out.write(f"failed: {checked}; {counts}\n")
    fixable = report.count("differs") + report.count("missing") + report.count("orphan")
    if fixable:
        out.write(f"to accept the new output, run: {fix}\n")
    if invalid:
        out.write("fix the invalid inputs: goldens are written only for valid fixtures\n")
    sys.exit(EXIT_VIOLATIONS)


def _print_check(check: golden.GoldenCheck, out: TextIO) -> None:
    if check.status == "same":
        return
    if check.status == "orphan":
        out.write(f"{check.golden}: orphaned golden, no input file produces it\n")
        return
    assert check.input is not None
    if check.status == "missing":
        out.write(f"{check.golden}: missing golden for {check.input.name}\n")
        return
    if check.status == "invalid":
        out.write(f"{check.input.name}: invalid input, golden not compared\n")
        for violation in check.violations:
            out.write("  " + format_violation(violation) + "\n")
        return
    out.write(f"{check.golden}: differs from the conversion of {check.input.name}\n")
    if check.note:
        out.write(f"  {check.note}\n")
    for change in check.changes:
        out.write(_format_change(change))


def _format_change(change: Change) -> str:
    lines = [f"  @ {change.pointer or '(root)'}"]
    if change.old is not MISSING:
        lines.append(f"  - {jsonio.dump_compact(change.old)}")
    if change.new is not MISSING:
        lines.append(f"  + {jsonio.dump_compact(change.new)}")
    return "\n".join(lines) + "\n"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@cli.group()
def schema() -> None:
    """The bundled JSON Schemas (the contract, readable without Python)."""


@schema.command(name="list")
def schema_list() -> None:
    """Name and title of each bundled schema."""
    names = schemas.names()
    width = max(len(name) for name in names)
    for name in names:
        title = schemas.document(name).get("title", "")
        click.echo(f"{name:<{width}}  {title}")


@schema.command(name="show")
@click.argument("name")
def schema_show(name: str) -> None:
    """Print the schema NAME (e.g. antavo/record) as JSON."""
    if name not in schemas.names():
        _fail(f"unknown schema {name!r}; known: {', '.join(schemas.names())}")
    click.echo(schemas.path_of(name).read_text(encoding="utf-8"), nl=False)


def _stdout() -> TextIO:
    return sys.stdout  # looked up at call time: click's test runner swaps it


def _stderr() -> TextIO:
    return sys.stderr


def main() -> None:
    """Console entry point. Bad input is reported, never answered with a traceback; an
    unexpected exception is a bug in contract-kit and says so in one line."""
    try:
        cli.main(prog_name="contract-kit")
    except Exception as error:
        if os.environ.get("CONTRACT_KIT_DEBUG"):
            traceback.print_exc()
        click.echo(
            "contract-kit: internal error (a bug in contract-kit, please report it; "
            f"CONTRACT_KIT_DEBUG=1 shows the traceback): {type(error).__name__}: {error}",
            err=True,
        )
        sys.exit(EXIT_USAGE)
