"""The result of one run: counts and violations, as every reporter and the API see it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from contract_kit.reading.sources import IO_KEYWORD, Source
from contract_kit.running.pipeline import Batch, Reject
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


@dataclass
class Tally:
    """Adds up batches as they stream past."""

    command: Command
    files: int
    records: int = 0
    converted: int = 0
    skipped: int = 0
    violations: list[Violation] = field(default_factory=list)
    file_names: tuple[str, ...] = ()
    stopped: bool = False
    errors: int = 0

    def add(self, batch: Batch) -> None:
        self.violations.extend(batch.violations)
        self.errors += sum(violation.is_error for violation in batch.violations)
        self.records += batch.records
        self.converted += batch.converted
        self.skipped += batch.skipped

    def report(self) -> Report:
        return Report(
            self.command, self.files, self.records, tuple(self.violations),
            self.converted, self.skipped, self.file_names, self.stopped,
        )  # fmt: skip


def parsed_into(messages: list[dict[str, Any]]) -> Callable[[bytes], None]:
    """An `on_message` for `collect` that keeps every message as a value, in order."""

    def append(message: bytes) -> None:
        messages.append(orjson.loads(message))

    return append


def collect(
    command: Command,
    inputs: Sequence[Source],
    batches: Iterable[Batch],
    on_message: Callable[[bytes], object] | None = None,
    max_errors: int | None = None,
    on_reject: Callable[[Reject], object] | None = None,
) -> Report:
    """Drive the pipeline to the end (or to `max_errors` errors; warnings do not count): tally
    every batch, hand
    each message (compact JSON, in input order) to `on_message` and each rejected record (when
    the job keeps them) to `on_reject`."""
    tally = Tally(command, len(inputs), file_names=tuple(source.name for source in inputs))
    for batch in batches:
        tally.add(batch)
        if on_message is not None:
            for message in batch.messages:
                if message is not None:
                    on_message(message)
        if on_reject is not None:
            for reject in batch.rejects:
                on_reject(reject)
        if max_errors is not None and tally.errors >= max_errors:
            _keep_errors(tally.violations, max_errors)
            tally.stopped = True
            close = getattr(batches, "close", None)
            if close is not None:
                close()  # stop reading, and stop the worker processes if any
            break
    return tally.report()


def _keep_errors(violations: list[Violation], count: int) -> None:
    """Cut `violations` just after its `count`th error (the warnings before it stay)."""
    seen = 0
    for position, violation in enumerate(violations):
        seen += violation.is_error
        if seen == count:
            del violations[position + 1 :]
            return
