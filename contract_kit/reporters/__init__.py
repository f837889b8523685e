"""Reporters: one class per output format, chosen by name from one registry."""

from __future__ import annotations

from contract_kit.reporters.base import Reporter
from contract_kit.reporters.github import GitHubReporter
from contract_kit.reporters.json import JSONReporter
from contract_kit.reporters.junit import JUnitReporter
from contract_kit.reporters.markdown import MarkdownReporter
from contract_kit.reporters.sarif import SARIFReporter
from contract_kit.reporters.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    reporter.name: reporter
    for reporter in (
        TextReporter,
        JSONReporter,
        JUnitReporter,
        GitHubReporter,
        SARIFReporter,
        MarkdownReporter,
    )
}


def get(name: str, *, color: bool = False, verbosity: int = 0) -> Reporter:
    return REPORTERS[name](color=color, verbosity=verbosity)


__all__ = ["REPORTERS", "Reporter", "get"]
