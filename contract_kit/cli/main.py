"""The `contract-kit` command group, how it fails and how it ends.

Exit codes: 0 all valid (or no difference), 1 a violation or a golden difference, 2 a usage or
environment error (missing or unreadable file, bad configuration, bad flag).
"""

from __future__ import annotations

import io
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, NoReturn

import click

from contract_kit import __version__
from contract_kit.outputs import atomic
from contract_kit.reading.paths import UsageError
from contract_kit.running import core, stopping
from contract_kit.running.report import EXIT_ENVIRONMENT
from contract_kit.settings.discovery import ConfigError
from contract_kit.tracking_plan.errors import PlanError
from contract_kit.violations import printable, shortened


class Failure(click.ClickException):
    """A usage or environment error: printed as one line, exit code 2."""

    exit_code = EXIT_ENVIRONMENT

    def show(self, file: IO[Any] | None = None) -> None:
        """One line a problem (a configuration may have several), each printable: a path or
        key from input cannot start a line of its own."""
        first, *more = self.format_message().split("\n")
        lines = [f"contract-kit: error: {first}", *more]
        click.echo("\n".join(printable(line) for line in lines), err=True)


@contextmanager
def usage_errors() -> Iterator[None]:
    """Library errors that mean 'this invocation cannot run' become exit code 2."""
    try:
        yield
    except (UsageError, ConfigError, atomic.NotAFileError, PlanError) as error:
        raise Failure(str(error)) from None


def finish(code: int) -> NoReturn:
    """Exit with `code` once stdout is flushed: a full disk is exit 2 (a closed pipe stops
    quietly: see stopping)."""
    stopping.raise_if_stopped()  # a Ctrl-C Python could not deliver still stops the run
    try:
        sys.stdout.flush()
    except OSError as error:
        raise cannot_write("the standard output", error) from None
    sys.exit(code)


class _Commands(click.Group):
    """The command group: a reader that closed our standard output (`| head -1`) stops the
    run the Unix way, whichever command was writing."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            core.require()  # CONTRACT_KIT_CORE=1 and no core: before anything is opened
        except core.CoreMissing as error:
            raise Failure(str(error)) from None
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise stopping.pipe_closed() from None


def examples(*commands: str) -> str:
    """A command's epilog: its examples, one a line, kept as written (click rewraps the rest of
    a help text, not a paragraph that starts with \\b)."""
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples(
        "contract-kit validate fixtures/antavo",
        "contract-kit convert fixtures/antavo -o messages.ndjson",
        "contract-kit diff fixtures/antavo fixtures/golden",
    ),
)
@click.version_option(__version__, prog_name="contract-kit")
def cli() -> None:
    """Prove that the messages Antavo sends into Segment are right, before they ship.

    Exit codes: 0 all valid, 1 violations or golden differences, 2 usage or environment errors.
    """
    for stream in (sys.stdout, sys.stderr):
        # Output is UTF-8 whatever the locale; a lone surrogate from the input prints as \\udc00.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def cannot_write(label: str, error: OSError) -> BaseException:
    """A failed write, naming the output (`-o out.ndjson`, `--rejects r.ndjson`) and why; a
    reader that closed the pipe (`| head -1`) stops the run quietly instead (see stopping)."""
    if isinstance(error, BrokenPipeError):
        return stopping.pipe_closed()
    return Failure(f"cannot write {shortened(label)}: {error.strerror or error}")


def main() -> None:
    """Console entry point. Bad input is reported, never answered with a traceback; an
    unexpected exception is a bug in contract-kit and says so in one line. Signals are
    caught from start-up on (see entry)."""
    stopping.install()
    try:
        cli.main(prog_name="contract-kit")
    except stopping.Stopped as stop:
        stopping.finish(stop)
    except OSError as error:  # one the commands did not name: say the path, if there is one
        where = f"{shortened(str(error.filename))}: " if error.filename else ""
        click.echo(printable(f"contract-kit: error: {where}{error.strerror or error}"), err=True)
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
