"""What `contract-kit plan coverage` prints: each planned event and the records that exercise
it, what no record covers, the unplanned events seen, then a summary line."""

from __future__ import annotations

from typing import TextIO

from contract_kit.reporters.text import plural
from contract_kit.tracking_plan.coverage import Coverage
from contract_kit.violations import printable


def report(coverage: Coverage, require_all: bool, out: TextIO) -> None:
    events = coverage.events()
    width = max([len(event) for event in events] + [len("identify"), len("event")])
    out.write(f"{'event':<{width}}  records\n")
    for event, counts in events.items():
        total = sum(counts.values())
        versions = ""
        if len(counts) > 1:
            versions = "  (" + ", ".join(f"v{v}: {n}" for v, n in counts.items()) + ")"
        mark = "" if total else "  ✗ not covered"
        out.write(f"{event:<{width}}  {total:>7}{versions}{mark}\n")
    identify = coverage.identify()
    if identify is not None:
        mark = "" if identify else "  ✗ not covered"
        out.write(f"{'identify':<{width}}  {identify:>7}{mark}\n")
    unplanned = coverage.unplanned()
    if unplanned:
        seen = ", ".join(f"{printable(name)} ({count})" for name, count in unplanned.items())
        out.write(f"unplanned events seen: {seen}\n")
    uncovered = coverage.uncovered()
    scope = f"{plural(coverage.records, 'record')} in {plural(coverage.files, 'file')}"
    missed = sum(event in events for event in uncovered)  # `identify` is not among the events
    covered = f"{len(events) - missed} of {plural(len(events), 'planned event')}"
    failed = require_all and bool(uncovered)
    line = f"{'failed' if failed else 'ok'}: {covered} covered by {scope}"
    if uncovered:
        line += f"; not covered: {', '.join(uncovered)}"
    out.write(line + "\n")
    rejected = coverage.records_with_violations
    if rejected:
        out.write(
            f"note: {plural(rejected, 'record')} had violations; "
            "run contract-kit validate or convert to see them\n"
        )
