"""`contract-kit diff --format json`: every golden with its status and changes, as one object.

{"ok": false, "inputs": 3, "counts": {"same": 1, "differs": 1, ...},
 "goldens": [{"golden": "...", "input": "...", "status": "differs",
              "changes": [{"pointer": "/0/event", "op": "replace", "old": ..., "new": ...},
                          {"pointer": "/1", "op": "move", "from": "/0"}],
              "violations": [...], "note": null}],
 "updated": [{"path": "...", "action": "created"}], "fix": "contract-kit diff ... --update"}

`op` is add, remove, replace or move; messages line up by messageId (see contract_kit.diff).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from contract_kit.goldens.diff import MISSING, Change
from contract_kit.goldens.snapshots import GoldenReport, Status, Update


def _change(change: Change) -> dict[str, Any]:
    """Ops named as RFC 6902 names them (a move has `from`, its old pointer, and no values),
    but not a patch to apply: a removal points into the golden, the others into the new
    output (see diff.py)."""
    item: dict[str, Any] = {"pointer": change.pointer, "op": change.op}
    if change.from_pointer is not None:
        item["from"] = change.from_pointer
    if change.old is not MISSING:
        item["old"] = change.old
    if change.new is not MISSING:
        item["new"] = change.new
    return item


def report(report: GoldenReport, done: Sequence[Update], fix: str | None, out: TextIO) -> None:
    statuses: tuple[Status, ...] = ("same", "differs", "missing", "orphan", "invalid")
    document = {
        "ok": not report.unreadable
        and (report.ok if fix is not None else not report.count("invalid")),
        "inputs": report.inputs,
        "skipped": report.skipped,
        "counts": {status: report.count(status) for status in statuses},
        "goldens": [
            {
                "golden": str(check.golden),
                "input": None if check.input is None else check.input.name,
                "status": check.status,
                "changes": [_change(change) for change in check.changes],
                "violations": [violation.as_dict() for violation in check.violations],
                "note": check.note,
            }
            for check in report.checks
        ],
        "unlisted": [violation.as_dict() for violation in report.unlisted],
        "updated": [{"path": str(update.path), "action": update.action} for update in done],
        "fix": fix if fix is not None and not report.ok else None,
    }
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
