"""The interface every reporter implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, TextIO

from ..report import Report


class Reporter(ABC):
    name: ClassVar[str]

    @abstractmethod
    def report(self, report: Report, stream: TextIO) -> None:
        """Write the whole report to `stream`."""
