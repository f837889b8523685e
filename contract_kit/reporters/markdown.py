"""A Markdown summary for people reading a CI page (a GitHub job summary, `$GITHUB_STEP_SUMMARY`):
a heading with the outcome, the counts, and a table of the first violations.

Everything from input (file names, keys, values quoted in messages) is escaped, so that a key
holding `|`, a newline, `<script>` or a bidirectional control can neither break the table, add
markup nor reorder the text. A bare URL or e-mail address is left as it is: GitHub may show it
as a link (its autolinking is not something a report can switch off reliably). The document is
cut well below GitHub's 1 MiB limit for a step summary.
"""

from __future__ import annotations

from typing import TextIO

from contract_kit.reporters.base import Reporter
from contract_kit.running.report import Report
from contract_kit.violations import Violation, printable, shortened

#: Rows of the violations table at most; the rest are counted ("… and K more"). With the cells
#: cut (file 300, pointer 200, message 500 characters, each at most 5 bytes once escaped), a
#: row is at most about 5 KB and the table about 500 KB: below GitHub's 1 MiB for a summary.
MAX_ROWS = 100

#: Backslash escapes for what Markdown would read as markup inside a table cell (code spans,
#: emphasis, links and images, strikethrough, GitHub's math, the cell separator); the backslash
#: first, so that an escape cannot be undone by one from input.
_MARKUP = {ord(character): "\\" + character for character in "\\`*_[]~$|"}
#: HTML: entities, so that no tag (`<`) and no entity (`&`) from input reaches the page.
_HTML = {ord("&"): "&amp;", ord("<"): "&lt;"}


def cell(text: str, limit: int = 300) -> str:
    """`text` as the content of a table cell: control characters (a newline) shown as escapes,
    cut to `limit` characters, then its markup and HTML escaped."""
    return shortened(printable(text), limit).translate({**_MARKUP, **_HTML})


_HEADER = "| file:line:column | record | pointer | message | severity |\n|---|---:|---|---|---|\n"


def _row(violation: Violation) -> str:
    where = f"{cell(violation.file)}:{violation.line}:{violation.column}"
    record = "whole file" if violation.record is None else str(violation.record)
    message = ("plan: " if violation.layer == "plan" else "") + violation.message
    cells = [
        where,
        record,
        cell(violation.pointer or "(root)", 200),
        cell(message, 500),
        violation.severity,
    ]
    return "| " + " | ".join(cells) + " |\n"


def _counts(report: Report) -> str:
    counts = {"files": report.files, "records": report.records}
    if report.command == "convert":
        counts |= {
            "converted": report.converted,
            "rejected": report.rejected,
            "skipped": report.skipped,
        }
    counts |= {"violations": len(report.errors), "warnings": report.warnings}
    return (
        "| " + " | ".join(counts) + " |\n"
        + "|" + "---:|" * len(counts) + "\n"
        + "| " + " | ".join(str(count) for count in counts.values()) + " |\n"
    )  # fmt: skip


class MarkdownReporter(Reporter):
    name = "markdown"

    def finish(self, report: Report, stream: TextIO) -> None:
        outcome = "ok" if report.ok else "failed"
        stream.write(f"## contract-kit {report.command}: {outcome}\n\n")
        stream.write(_counts(report) + "\n")
        notes = []
        if report.configuration is not None:
            notes.append(f"Configuration: {cell(report.configuration)}.")
        if report.plan is not None:
            notes.append(f"Tracking plan: {cell(report.plan)}.")
        if report.stopped:
            notes.append("Stopped at --max-errors: there may be more violations.")
        if notes:
            stream.write(" ".join(notes) + "\n\n")
        if not report.violations:
            stream.write("No violations.\n")
            return
        stream.write(_HEADER)
        for violation in report.violations[:MAX_ROWS]:
            stream.write(_row(violation))
        if len(report.violations) > MAX_ROWS:
            stream.write(f"\n… and {len(report.violations) - MAX_ROWS} more\n")
