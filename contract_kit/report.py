"""The result of one run: counts and violations, as every reporter and the API see it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from .pipeline import Outcome
from .sources import IO_KEYWORD
from .violations import Violation

Command = Literal["validate", "convert"]

EXIT_OK, EXIT_VIOLATIONS, EXIT_ENVIRONMENT = 0, 1, 2


@dataclass(frozen=True)
class Report:
    """Counts of one run and its violations, in input order."""

    command: Command
    files: int
    records: int
    violations: tuple[Violation, ...]
    converted: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def rejected(self) -> int:
        """Records with at least one violation."""
        return len({(v.file, v.record) for v in self.violations if v.record is not None})

    @property
    def exit_code(self) -> int:
        """0 all valid; 1 violations; 2 a file could not be read (an environment error)."""
        if any(violation.keyword == IO_KEYWORD for violation in self.violations):
            return EXIT_ENVIRONMENT
        return EXIT_OK if self.ok else EXIT_VIOLATIONS


@dataclass
class Tally:
    """Adds up outcomes as they stream past."""

    command: Command
    files: int
    records: int = 0
    converted: int = 0
    skipped: int = 0
    violations: list[Violation] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.violations.extend(outcome.violations)
        if outcome.record is None:
            return
        self.records += 1
        self.converted += outcome.status == "converted"
        self.skipped += outcome.status == "skipped"

    def report(self) -> Report:
        return Report(
            self.command, self.files, self.records, tuple(self.violations),
            self.converted, self.skipped,
        )  # fmt: skip


def collect(
    command: Command,
    files: int,
    outcomes: Iterable[Outcome],
    on_message: Callable[[dict[str, Any]], object] | None = None,
) -> Report:
    """Drive the pipeline to the end: tally every outcome, hand each message to `on_message`."""
    tally = Tally(command, files)
    for outcome in outcomes:
        tally.add(outcome)
        if on_message is not None and outcome.message is not None:
            on_message(outcome.message)
    return tally.report()
