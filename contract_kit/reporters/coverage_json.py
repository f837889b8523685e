"""What `contract-kit plan coverage --format json` prints: one JSON document."""

from __future__ import annotations

import json
from typing import Any, TextIO

from contract_kit.tracking_plan.coverage import Coverage


def document(coverage: Coverage, require_all: bool = False) -> dict[str, Any]:
    """`ok` is what the exit code says (uncovered events fail only with --require-all),
    `complete` whether every planned event is covered."""
    return {
        "plan": coverage.plan.folder,
        "ok": not (require_all and coverage.uncovered()),
        "complete": not coverage.uncovered(),
        "files": coverage.files,
        "records": coverage.records,
        "records_with_violations": coverage.records_with_violations,
        "events": {
            event: {
                "records": sum(counts.values()),
                "versions": {str(v): n for v, n in counts.items()},
            }
            for event, counts in coverage.events().items()
        },
        "identify": coverage.identify(),
        "uncovered": coverage.uncovered(),
        "unplanned": coverage.unplanned(),
    }


def report(coverage: Coverage, require_all: bool, out: TextIO) -> None:
    out.write(json.dumps(document(coverage, require_all), ensure_ascii=False, indent=2) + "\n")
