"""Reporters: one class per output format, chosen by name from one registry."""

from __future__ import annotations

from .base import Reporter
from .github import GitHubReporter
from .json import JSONReporter
from .junit import JUnitReporter
from .sarif import SARIFReporter
from .text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    reporter.name: reporter
    for reporter in (TextReporter, JSONReporter, JUnitReporter, GitHubReporter, SARIFReporter)
}


def get(name: str, *, color: bool = False, verbosity: int = 0) -> Reporter:
    return REPORTERS[name](color=color, verbosity=verbosity)


__all__ = ["REPORTERS", "Reporter", "get"]
