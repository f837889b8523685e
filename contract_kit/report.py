"""The result of one run: counts and violations, as every reporter and the API see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .pipeline import Outcome
from .violations import Violation

Command = Literal["validate", "convert"]


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
