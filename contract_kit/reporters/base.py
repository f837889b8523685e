"""The interface every reporter implements: it consumes a run as the driver streams it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar, TextIO

from contract_kit.running.report import Report
from contract_kit.violations import Violation


class Reporter(ABC):
    """Options every format accepts; formats meant for machines ignore colour and verbosity.

    `piece` is called as each piece of input is done, in input order, with its violations: a
    format read by people (text, GitHub annotations) writes them at once; a document format
    (JSON, JUnit, SARIF) writes nothing until `finish`.
    """

    name: ClassVar[str]

    def __init__(self, *, color: bool = False, verbosity: int = 0) -> None:
        self.color = color
        self.verbosity = verbosity
        """-1 quiet (violations only), 0 normal, 1 verbose (every file checked)."""

    def piece(self, violations: Sequence[Violation], stream: TextIO) -> None:
        """The violations of one finished piece of input (nothing, unless the format streams)."""
        return

    @abstractmethod
    def finish(self, report: Report, stream: TextIO) -> None:
        """The end of the run: what is left to write."""

    def report(self, report: Report, stream: TextIO) -> None:
        """The whole report at once (for a run that is already over)."""
        self.piece(report.violations, stream)
        self.finish(report, stream)
