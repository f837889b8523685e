"""`file:line:column: pointer: message`, one violation a line, then a summary line."""

from __future__ import annotations

from typing import TextIO

from ..report import Report
from ..violations import Violation
from .base import Reporter


def format_violation(violation: Violation) -> str:
    where = violation.pointer or "(root)"
    record = "" if violation.record is None else f" record {violation.record}:"
    place = f"{violation.file}:{violation.line}:{violation.column}:"
    return f"{place}{record} {where}: {violation.message}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    scope = f"{plural(report.records, 'record')} in {plural(report.files, 'file')}"
    problems = plural(len(report.violations), "violation")
    if report.command == "convert":
        return (
            f"{'ok' if report.ok else 'failed'}: converted {report.converted} of {scope}; "
            f"{report.rejected} rejected, {report.skipped} skipped by the sync settings; {problems}"
        )
    if report.ok:
        return f"ok: {scope}, all valid"
    return f"failed: {scope}; {problems} in {plural(report.rejected, 'record')}"


class TextReporter(Reporter):
    name = "text"

    def report(self, report: Report, stream: TextIO) -> None:
        for violation in report.violations:
            stream.write(format_violation(violation) + "\n")
        stream.write(summary_line(report) + "\n")
