"""The interface every reporter implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, TextIO

from contract_kit.running.report import Report


class Reporter(ABC):
    """Options every format accepts; formats meant for machines ignore colour and verbosity."""

    name: ClassVar[str]

    def __init__(self, *, color: bool = False, verbosity: int = 0) -> None:
        self.color = color
        self.verbosity = verbosity
        """-1 quiet (violations only), 0 normal, 1 verbose (every file checked)."""

    @abstractmethod
    def report(self, report: Report, stream: TextIO) -> None:
        """Write the whole report to `stream`."""
