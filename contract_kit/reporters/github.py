"""GitHub Actions workflow commands: one `::error` (or `::warning`) annotation per violation,
shown on the line of the pull request's diff
(https://docs.github.com/actions/reference/workflow-commands)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from contract_kit.reporters.base import Reporter
from contract_kit.reporters.text import summary_line
from contract_kit.running.report import Report
from contract_kit.violations import Violation, printable, shortened


def _data(text: str) -> str:
    """A command's data, as GitHub escapes it; control characters from input are shown as
    escapes first, so that a key holding a newline stays one visible line."""
    return _escaped(printable(text))


def _escaped(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _file(path: str) -> str:
    """The `file=` property: the path itself, escaped only as GitHub decodes it, so that the
    annotation lands on the real file whatever characters its name holds."""
    return _escaped(path).replace(":", "%3A").replace(",", "%2C")


class GitHubReporter(Reporter):
    name = "github"

    def piece(self, violations: Sequence[Violation], stream: TextIO) -> None:
        for violation in violations:
            where = f"file={_file(violation.file)},line={violation.line},col={violation.column}"
            checker = "contract-kit plan" if violation.layer == "plan" else "contract-kit"
            title = _property(f"{checker}: {violation.keyword}")
            text = f"{shortened(violation.pointer) or '(root)'}: {violation.message}"
            level = "error" if violation.is_error else "warning"
            stream.write(f"::{level} {where},title={title}::{_data(text)}\n")

    def finish(self, report: Report, stream: TextIO) -> None:
        stream.write(summary_line(report) + "\n")
