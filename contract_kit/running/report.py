"""The result of one run: counts and violations, as every reporter and the API see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from contract_kit.reading.paths import IO_KEYWORD
from contract_kit.violations import Violation

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
    file_names: tuple[str, ...] = ()
    """The inputs, in order: reporters that list every file (JUnit) need them."""
    stopped: bool = False
    """Reading stopped at --max-errors: later records were not checked."""
    configuration: str | None = None
    """The configuration file used, if any."""
    plan: str | None = None
    """The tracking-plan folder applied, if any."""
    planned: Mapping[tuple[str, int], int] = field(default_factory=dict)
    """Messages checked against each plan rule, by (label, version), and unplanned events
    (`unplanned:` + name, 0): what `plan coverage` reports."""
    omitting: bool = False
    """The plan's unplanned properties were omitted: then `skipped` also counts identify calls
    left with no trait by the omissions, not only records the sync settings leave out."""

    @property
    def errors(self) -> tuple[Violation, ...]:
        """The violations that fail the run: all but the warnings."""
        return tuple(violation for violation in self.violations if violation.is_error)

    @property
    def warnings(self) -> int:
        return len(self.violations) - len(self.errors)

    @property
    def ok(self) -> bool:
        """No violation other than warnings."""
        return all(not violation.is_error for violation in self.violations)

    @property
    def rejected(self) -> int:
        """Records with at least one violation that is not a warning."""
        return len({(v.file, v.record) for v in self.errors if v.record is not None})

    @property
    def exit_code(self) -> int:
        """0 all valid (warnings allowed); 1 violations; 2 a file could not be read."""
        if any(violation.keyword == IO_KEYWORD for violation in self.violations):
            return EXIT_ENVIRONMENT
        return EXIT_OK if self.ok else EXIT_VIOLATIONS
