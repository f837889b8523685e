"""One JSON object: `{"ok", "files", "records", "warnings", "violations": [...]}`; convert adds
its counts. Warnings are in `violations` too, with `"severity": "warning"`."""

from __future__ import annotations

import json
from typing import Any, TextIO

from contract_kit.reporters.base import Reporter
from contract_kit.running.report import Report


class JSONReporter(Reporter):
    name = "json"

    def finish(self, report: Report, stream: TextIO) -> None:
        document: dict[str, Any] = {
            "ok": report.ok,
            "files": report.files,
            "records": report.records,
        }
        if report.command == "convert":
            document["converted"] = report.converted
            document["skipped"] = report.skipped
        if report.configuration is not None:
            document["configuration"] = report.configuration
        if report.plan is not None:
            document["plan"] = report.plan
        document["warnings"] = report.warnings
        document["violations"] = [violation.as_dict() for violation in report.violations]
        stream.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
