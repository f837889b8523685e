"""`--report FORMAT=FILE`: more reports of the same run, each written to its file atomically.

The terminal keeps the `--format` report; each `--report` adds one file in another format (as
pytest's --junitxml and ruff's --output-file do), so that one CI run gives JUnit to the test
tab, SARIF to code scanning and text to the log. A file is complete or not there: it is
committed when the run ends, and a run stopped by Ctrl-C leaves none behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TextIO, TypeVar

import click

from contract_kit.cli.main import Failure, cannot_write
from contract_kit.outputs import atomic
from contract_kit.reading.paths import Source
from contract_kit.violations import printable

F = TypeVar("F", bound=Callable[..., Any])


class ReportFile(NamedTuple):
    """One `--report FORMAT=FILE`. (Named tuples, not dataclasses, here: a dataclass costs a
    millisecond of every start-up to create.)"""

    format: str
    path: Path

    @property
    def label(self) -> str:
        """How messages name it: as it was given."""
        return f"--report {self.format}={self.path}"


def report_file_option(formats: Sequence[str]) -> Callable[[F], F]:
    """--report FORMAT=FILE, repeatable, FORMAT one of `formats`; the command gets a tuple of
    ReportFile as `report_files`."""
    known = sorted(formats)

    def parse(
        context: click.Context, parameter: click.Parameter, values: tuple[str, ...]
    ) -> tuple[ReportFile, ...]:
        files: list[ReportFile] = []
        for value in values:
            name, equals, path = value.partition("=")
            if not equals or not path:
                raise click.BadParameter(f"{value!r} is not FORMAT=FILE (e.g. junit=report.xml)")
            if name not in known:
                raise click.BadParameter(f"unknown format {name!r} in {value!r}; one of {known}")
            if path == "-":
                raise click.BadParameter(
                    f"{value!r}: a report file cannot be the standard output; use --format"
                )
            files.append(ReportFile(name, Path(path)))
        return tuple(files)

    return click.option(
        "--report",
        "report_files",
        multiple=True,
        metavar="FORMAT=FILE",
        callback=parse,
        help=f"Also write the report as FORMAT ({', '.join(known)}) to FILE, atomically "
        "(repeatable). The terminal keeps the --format report.",
    )


def outputs(
    files: Sequence[ReportFile], output: str | None = None, rejects: str | None = None
) -> list[tuple[str, Path]]:
    """Every file a run writes, with the option that names it: -o (unless stdout), --rejects,
    each --report."""
    named = [] if output in (None, "-") else [(f"-o {output}", Path(str(output)))]
    if rejects is not None:
        named.append((f"--rejects {rejects}", Path(rejects)))
    return [*named, *((file.label, file.path) for file in files)]


def refuse_overwrites(
    written: Sequence[tuple[str, Path]],
    inputs: Sequence[Source] = (),
    configuration: Path | None = None,
    folders: Sequence[Path] = (),
) -> None:
    """A file the run writes must be none of the files it reads: another of its outputs (each
    would replace the other), an input, the configuration, or a file in `folders` (the
    tracking plan; diff's input and golden folders). Exit 2, before anything is written. A
    record file met only by a folder search is not an input: the search skips the outputs."""
    seen: dict[str, str] = {}
    read = {os.path.realpath(source.path) for source in inputs if source.path is not None}
    if configuration is not None:
        read.add(os.path.realpath(configuration))
    for label, path in written:
        shown = printable(label)
        key = os.path.realpath(path)
        if key in seen:
            raise Failure(f"{seen[key]} and {shown} name the same file")
        if key in read:
            raise Failure(f"{shown} names a file this run reads: it would be replaced")
        for folder in folders:
            if Path(key).is_relative_to(os.path.realpath(folder)):
                raise Failure(f"{shown} is inside {printable(str(folder))}, which this run reads")
        seen[key] = shown


class OpenReport(NamedTuple):
    """A report file being written: its stream, and the label its failures are named with."""

    file: ReportFile
    stream: TextIO

    @contextmanager
    def writing(self) -> Iterator[TextIO]:
        """The stream, whose failed writes name the file."""
        try:
            yield self.stream
        except OSError as error:
            raise cannot_write(self.file.label, error) from None


@contextmanager
def opened(files: Sequence[ReportFile]) -> Iterator[list[OpenReport]]:
    """Each report file open for writing; all committed when the block ends, none if it
    fails or is stopped."""
    with ExitStack() as stack:
        reports = [OpenReport(file, stack.enter_context(_writer(file))) for file in files]
        yield reports


@contextmanager
def _writer(file: ReportFile) -> Iterator[TextIO]:
    """The atomic writer of `file`, whose own failures (opening, committing) name it; an error
    of the block it holds passes through as it is."""
    in_block = False
    try:
        with atomic.writer(file.path) as stream:
            in_block = True
            yield stream
            in_block = False
    except OSError as error:
        if in_block:
            raise
        raise cannot_write(file.label, error) from None


def write_each(files: Sequence[ReportFile], render: Callable[[str, TextIO], object]) -> None:
    """For reports made at once (diff, coverage): `render(format, stream)` into each file."""
    with opened(files) as reports:
        for report in reports:
            with report.writing() as stream:
                render(report.file.format, stream)
