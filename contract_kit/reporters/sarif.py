"""SARIF 2.1.0, for code-scanning dashboards: one result per violation, located by file, line
and column, with the JSON Pointer and record index as properties; one rule per keyword."""

from __future__ import annotations

import json
from typing import Any, TextIO

from contract_kit import __version__
from contract_kit.reporters.base import Reporter
from contract_kit.running.report import Report
from contract_kit.violations import printable

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def _uri(file: str) -> str:
    return file.replace("\\", "/").removeprefix("./")


class SARIFReporter(Reporter):
    name = "sarif"

    def finish(self, report: Report, stream: TextIO) -> None:
        keywords = sorted({violation.keyword for violation in report.violations})
        rules = [
            {"id": keyword, "shortDescription": {"text": f"contract violation: {keyword}"}}
            for keyword in keywords
        ]
        results: list[dict[str, Any]] = []
        for violation in report.violations:
            properties: dict[str, Any] = {
                "pointer": violation.pointer,
                "foundIn": violation.found_in,
                "layer": violation.layer,
            }
            if violation.record is not None:
                properties["record"] = violation.record
            if violation.schema is not None:
                properties["schema"] = violation.schema
            results.append(
                {
                    "ruleId": violation.keyword,
                    "ruleIndex": keywords.index(violation.keyword),
                    "level": "error" if violation.is_error else "warning",
                    "message": {
                        "text": printable(f"{violation.pointer or '(root)'}: {violation.message}")
                    },
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": _uri(violation.file)},
                                "region": {
                                    "startLine": violation.line,
                                    "startColumn": violation.column,
                                },
                            }
                        }
                    ],
                    "properties": properties,
                }
            )
        log = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "contract-kit",
                            "version": __version__,
                            "informationUri": "https://schemas.contract-kit.dev/",
                            "rules": rules,
                        }
                    },
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                }
            ],
        }
        stream.write(json.dumps(log, ensure_ascii=False, indent=2) + "\n")
