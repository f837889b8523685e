"""What `contract-kit diff` prints: each golden that is not as it should be, then a summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from contract_kit.goldens.diff import MISSING, Change
from contract_kit.goldens.snapshots import GoldenCheck, GoldenReport, Status, Update
from contract_kit.jsontext import jsonio
from contract_kit.reporters.text import format_violation, plural
from contract_kit.violations import printable

_STATUS_WORDS: tuple[tuple[Status, str], ...] = (
    ("same", "same"),
    ("differs", "differ"),
    ("missing", "missing"),
    ("orphan", "orphaned"),
    ("invalid", "with invalid input"),
)


def report_check(report: GoldenReport, fix: str, out: TextIO) -> None:
    for check in report.checks:
        _write_check(check, out)
    _write_unlisted(report, out)
    counts = ", ".join(
        f"{report.count(status)} {words}"
        for status, words in _STATUS_WORDS
        if report.count(status) or status == "same"
    )
    out.write(f"{'ok' if report.ok else 'failed'}: {_scope(report)}; {counts}\n")
    if report.count("differs") + report.count("missing") + report.count("orphan"):
        out.write(f"to accept the new output, run: {fix}\n")
    _invalid_hint(report, out)


def report_update(report: GoldenReport, done: Sequence[Update], out: TextIO) -> None:
    for change in done:
        if change.action == "kept":
            path = printable(str(change.path))
            out.write(f"kept {path}: orphaned, but not every path could be read\n")
        else:
            out.write(f"{change.action} {printable(str(change.path))}\n")
    for check in report.checks:
        if check.status == "invalid":
            _write_check(check, out)
    _write_unlisted(report, out)
    actions = ", ".join(
        f"{sum(change.action == action for change in done)} {action}"
        for action in ("created", "updated", "removed")
    )
    invalid = report.count("invalid")
    verdict = "failed" if invalid or report.unreadable else "ok"
    out.write(f"{verdict}: {_scope(report)}; {actions}")
    out.write(f", {invalid} with invalid input\n" if invalid else "\n")
    _invalid_hint(report, out)


def _write_unlisted(report: GoldenReport, out: TextIO) -> None:
    for violation in report.unlisted:
        out.write(format_violation(violation) + "\n")


def _scope(report: GoldenReport) -> str:
    scope = plural(report.inputs, "input file")
    if report.skipped:
        scope += f" ({plural(report.skipped, 'record')} skipped by the sync settings)"
    return scope


def _invalid_hint(report: GoldenReport, out: TextIO) -> None:
    if report.count("invalid"):
        out.write("fix the invalid inputs: goldens are written only for valid fixtures\n")


def _write_check(check: GoldenCheck, out: TextIO) -> None:
    if check.status == "same":
        return
    golden = printable(str(check.golden))
    if check.status == "orphan":
        out.write(f"{golden}: orphaned golden, no input file produces it\n")
        return
    assert check.input is not None
    source = printable(check.input.name)
    if check.status == "missing":
        out.write(f"{golden}: missing golden for {source}\n")
        return
    if check.status == "invalid":
        out.write(f"{source}: invalid input, golden not compared\n")
        for violation in check.violations:
            out.write("  " + format_violation(violation) + "\n")
        return
    out.write(f"{golden}: differs from the conversion of {source}\n")
    if check.note:
        out.write(f"  {printable(check.note)}\n")
    for change in check.changes:
        out.write(_format_change(change))


def _format_change(change: Change) -> str:
    """`@ pointer`, then `- old` and `+ new`; a moved message is one line, `@ new (moved from
    old)`, followed by its own field changes if any."""
    where = change.pointer or "(root)"
    if change.op == "move":
        where += f" (moved from {change.from_pointer or '(root)'})"
    lines = [f"  @ {where}"]
    if change.old is not MISSING:
        lines.append(f"  - {jsonio.dump_compact(change.old)}")
    if change.new is not MISSING:
        lines.append(f"  + {jsonio.dump_compact(change.new)}")
    # keys and values come from input: no control character may start a line or drive a terminal
    return "".join(printable(line) + "\n" for line in lines)
