"""Golden snapshots (contract §6): pair inputs with goldens, compare, update atomically.

Each Antavo file under the input folder has its golden at the same relative path under the golden
folder. A `.json` golden is a pretty-printed array of the messages (two-space indent, trailing
newline); an `.ndjson` / `.jsonl` golden holds one compact message a line, as NDJSON must.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from contract_kit.goldens import diff
from contract_kit.jsontext import jsonio
from contract_kit.outputs import atomic
from contract_kit.reading.file_violations import file_violation
from contract_kit.reading.paths import (
    IO_KEYWORD,
    LINE_SUFFIXES,
    Source,
    UsageError,
    collect,
    files_below,
)
from contract_kit.reading.pieces import pieces
from contract_kit.reading.records import read
from contract_kit.running import driver
from contract_kit.running.context import RunContext
from contract_kit.settings.config import Config
from contract_kit.violations import Finding, Violation

Status = Literal["same", "differs", "missing", "orphan", "invalid"]


@dataclass(frozen=True)
class GoldenCheck:
    """One input file and its golden, or an orphaned golden (`input` None)."""

    golden: Path
    status: Status
    input: Source | None = None
    expected: str | None = None
    """The golden text the input produces now."""
    changes: tuple[diff.Change, ...] = ()
    violations: tuple[Violation, ...] = ()
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "same"


@dataclass(frozen=True)
class GoldenReport:
    checks: list[GoldenCheck] = field(default_factory=list)
    skipped: int = 0
    """Records left out by the sync settings, and so absent from the goldens."""
    unlisted: list[Violation] = field(default_factory=list)
    """Golden folders that could not be listed: their goldens are neither compared nor
    known, so nothing may be called an orphan."""

    @property
    def unreadable(self) -> bool:
        """A path of either tree could not be listed or read: the run is incomplete (exit 2),
        and `update` removes nothing, since a golden whose input could not be read would look
        orphaned."""
        return bool(self.unlisted) or any(
            violation.keyword == IO_KEYWORD
            for check in self.checks
            for violation in check.violations
        )

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def inputs(self) -> int:
        return sum(1 for check in self.checks if check.input is not None)

    def count(self, status: Status) -> int:
        return sum(1 for check in self.checks if check.status == status)


def render(messages: Sequence[dict[str, Any]], suffix: str) -> str:
    """The golden text for `messages` in a file ending with `suffix`."""
    if suffix.lower() in LINE_SUFFIXES:
        return "".join(jsonio.dump_compact(message) + "\n" for message in messages)
    return jsonio.dump_pretty(list(messages))


def check(input_dir: Path, golden_dir: Path, config: Config) -> GoldenReport:
    """Compare each input's conversion with its golden; find missing and orphaned goldens.

    Raises UsageError when the folders overlap (`--update` would treat inputs as orphans) or the
    golden folder is a file.
    """
    _refuse_overlap(input_dir, golden_dir)
    if golden_dir.exists() and not golden_dir.is_dir():
        raise UsageError(f"{golden_dir}: not a folder; the goldens of a folder are a folder")
    checks: list[GoldenCheck] = []
    wanted = set()
    skipped = 0
    context = RunContext.converting(config)
    for source in collect([input_dir]):
        assert source.relative is not None
        golden = golden_dir / source.relative
        _refuse_escape(golden, golden_dir)
        wanted.add(golden)
        compared, records_skipped = _check_one(context, source, golden)
        checks.append(compared)
        skipped += records_skipped
    unlisted: list[Violation] = []
    if golden_dir.is_dir():
        for found in files_below(golden_dir):
            if found.unreadable is not None:
                unlisted.extend(item for item in pieces(found) if isinstance(item, Violation))
            elif found.path is not None and found.path not in wanted:
                checks.append(GoldenCheck(found.path, "orphan"))
    return GoldenReport(checks, skipped, unlisted)


def check_file(input_file: Path, golden: Path, config: Config) -> GoldenReport:
    """One input file against the golden the caller names (the pytest plugin's single-file
    form). No folder of goldens is searched, so none is orphaned.

    Raises UsageError when the input is missing, a folder, or the golden itself.
    """
    if not (input_file.exists() or input_file.is_symlink()):
        raise UsageError(f"{input_file}: no such file or directory")
    if input_file.is_dir():
        raise UsageError(f"{input_file}: a folder, not a file")
    if golden.exists() and golden.resolve() == input_file.resolve():
        raise UsageError(f"{golden}: the golden must not be the input file itself")
    source = Source(str(input_file), input_file, Path(input_file.name))
    compared, skipped = _check_one(RunContext.converting(config), source, golden)
    return GoldenReport([compared], skipped)


def _check_one(context: RunContext, source: Source, golden: Path) -> tuple[GoldenCheck, int]:
    """`source` converted and compared with `golden`, and the records the sync settings
    skipped."""
    messages: list[dict[str, Any]] = []
    report = driver.drive(context, [source], driver.parsed_into(messages))
    if report.violations:
        return GoldenCheck(golden, "invalid", source, violations=report.violations), report.skipped
    return _compare(source, golden, render(messages, golden.suffix)), report.skipped


def in_ci() -> bool:
    """The CI environment variable is set (to anything but 0, false or no). Goldens change by
    reviewed commits, not by a CI job: updates are refused there unless forced."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _refuse_overlap(input_dir: Path, golden_dir: Path) -> None:
    inputs, goldens = input_dir.resolve(), golden_dir.resolve()
    if inputs == goldens or inputs in goldens.parents or goldens in inputs.parents:
        raise UsageError(
            f"{input_dir} and {golden_dir} must not overlap: goldens would be read as inputs "
            "and inputs removed as orphaned goldens"
        )


def _refuse_escape(golden: Path, golden_dir: Path) -> None:
    """A golden is written only inside the golden folder: not through a symbolic link (to a
    file or a folder) that points outside it."""
    inside = golden_dir.resolve()
    if inside not in golden.resolve().parents:
        raise UsageError(
            f"{golden}: leads outside {golden_dir} through a symbolic link; "
            "refusing to read or write a golden there"
        )


def _compare(source: Source, golden: Path, expected: str) -> GoldenCheck:
    try:
        if golden.exists() and not golden.is_file():
            raise UsageError(f"{golden}: not a regular file; a golden must be a file")
        if not golden.exists():
            return GoldenCheck(golden, "missing", source, expected)
        actual = golden.read_bytes().decode("utf-8")
    except OSError as error:  # the golden, or a folder above it, cannot be read
        why = Finding("", f"cannot read the golden: {error.strerror or error}", IO_KEYWORD)
        unread = file_violation(str(golden), why)
        return GoldenCheck(golden, "invalid", source, violations=(unread,))
    except UnicodeDecodeError as error:
        note = f"the golden is not UTF-8 text ({error.reason} at byte {error.start})"
        return GoldenCheck(golden, "differs", source, expected, note=note)
    if actual == expected:
        return GoldenCheck(golden, "same", source, expected)
    before, problem = _messages_in(golden, actual)
    if problem is not None:
        return GoldenCheck(
            golden, "differs", source, expected, note=f"the golden is unreadable: {problem}"
        )
    after, _ = _messages_in(golden, expected)
    changes = diff.compare(before, after)
    formatting = None if changes else "same values, but not in the canonical form (formatting)"
    return GoldenCheck(golden, "differs", source, expected, tuple(changes), note=formatting)


def _messages_in(golden: Path, text: str) -> tuple[list[Any], str | None]:
    """The values a golden's text holds, read the way every input is read (one message a line
    for `.ndjson` / `.jsonl`), or why it cannot be, with its line: a golden may be long. An
    empty line golden (every record skipped) holds no message."""
    source = Source(str(golden), golden, text=text)
    values = []
    for item in read(source):
        if isinstance(item, Violation):
            if source.is_lines and item.keyword == "empty":
                continue
            return [], f"line {item.line}, column {item.column}: {item.message}"
        values.append(item.value)
    return values, None


@dataclass(frozen=True)
class Update:
    path: Path
    action: Literal["created", "updated", "removed", "kept"]
    """`kept`: an orphan not removed, because the run could not read every path."""


def update(report: GoldenReport, golden_dir: Path) -> list[Update]:
    """Write what changed and remove orphans. Inputs with violations are left alone, and in a
    run that could not read every path (`report.unreadable`) no orphan is removed."""
    done = []
    for item in report.checks:
        if item.status in ("missing", "differs") and item.expected is not None:
            atomic.write_text(item.golden, item.expected)
            done.append(Update(item.golden, "created" if item.status == "missing" else "updated"))
        elif item.status == "orphan" and report.unreadable:
            done.append(Update(item.golden, "kept"))
        elif item.status == "orphan":
            item.golden.unlink()
            _remove_empty_parents(item.golden.parent, stop=golden_dir)
            done.append(Update(item.golden, "removed"))
    return done


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    """Folders that held only removed orphans go too, up to (not including) `stop`."""
    while folder != stop and stop in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
