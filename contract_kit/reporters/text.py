"""`file:line:column: pointer: message`, one violation a line, then a summary line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from contract_kit.reporters.base import Reporter
from contract_kit.running.report import Report
from contract_kit.violations import Violation, printable, shortened


def format_violation(violation: Violation, color: bool = False) -> str:
    """`file:line:column: record N: pointer: [warning: ][plan: ]message`."""
    where = printable(shortened(violation.pointer)) or "(root)"
    record = "" if violation.record is None else f" record {violation.record}:"
    place = f"{printable(shortened(violation.file, 300))}:{violation.line}:{violation.column}:"
    marks = ("" if violation.is_error else "warning: ") + (
        "plan: " if violation.layer == "plan" else ""
    )
    if color:
        place, where = _style(place, bold=True), _style(where, fg="yellow")
        marks = _style(marks, fg="magenta") if marks else marks
    return f"{place}{record} {where}: {marks}{printable(violation.message)}"


def _style(text: str, **how: Any) -> str:
    import click

    return click.style(text, **how)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    scope = f"{plural(report.records, 'record')} in {plural(report.files, 'file')}"
    problems = plural(len(report.errors), "violation")
    if report.command == "convert":
        by = "the sync settings" + (" or the plan's omissions" if report.omitting else "")
        line = (
            f"{'ok' if report.ok else 'failed'}: converted {report.converted} of {scope}; "
            f"{report.rejected} rejected, {report.skipped} skipped by {by}; {problems}"
        )
    elif report.ok:
        line = f"ok: {scope}, all valid"
    else:
        line = f"failed: {scope}; {problems} in {plural(report.rejected, 'record')}"
    if report.warnings:
        line += f"; {plural(report.warnings, 'warning')}"
    if report.stopped:
        line += " (stopped at --max-errors: there may be more)"
    return line


class TextReporter(Reporter):
    name = "text"

    def piece(self, violations: Sequence[Violation], stream: TextIO) -> None:
        for violation in violations:
            stream.write(format_violation(violation, self.color) + "\n")

    def finish(self, report: Report, stream: TextIO) -> None:
        failing = {violation.file for violation in report.violations}
        if self.verbosity > 0:
            for file in report.file_names:
                if file not in failing:
                    stream.write(f"{file}: ok\n")
        if self.verbosity >= 0:
            summary = summary_line(report)
            if self.color:
                summary = _style(summary, fg="green" if report.ok else "red", bold=True)
            stream.write(summary + "\n")
