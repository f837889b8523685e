"""JUnit XML, as Jenkins, GitLab and GitHub test reporters read it: one failing test case per
record with violations (and per file that could not be read), one passing case per valid file.
Warnings fail nothing: they are listed in the suite's `<system-out>`."""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO
from xml.etree import ElementTree

from contract_kit.reporters.base import Reporter
from contract_kit.reporters.text import format_violation
from contract_kit.running.report import Report
from contract_kit.violations import Violation, printable, shortened


class JUnitReporter(Reporter):
    name = "junit"

    def finish(self, report: Report, stream: TextIO) -> None:
        by_case: dict[tuple[str, int | None], list[Violation]] = defaultdict(list)
        for violation in report.errors:
            by_case[(violation.file, violation.record)].append(violation)
        failing_files = {file for file, _ in by_case}
        suite = ElementTree.Element(
            "testsuite",
            name=f"contract-kit {report.command}",
            tests=str(len(by_case) + len(set(report.file_names) - failing_files)),
            failures=str(len(by_case)),
            errors="0",
            skipped="0",
        )
        for (file, record), violations in by_case.items():
            name = "whole file" if record is None else f"record {record}"
            case = ElementTree.SubElement(suite, "testcase", classname=printable(file), name=name)
            first = violations[0]
            failure = ElementTree.SubElement(
                case,
                "failure",
                type=first.keyword,
                message=printable(f"{shortened(first.pointer) or '(root)'}: {first.message}"),
            )
            failure.text = "\n".join(format_violation(violation) for violation in violations)
        for file in report.file_names:
            if file not in failing_files:
                ElementTree.SubElement(
                    suite, "testcase", classname=printable(file), name="all records valid"
                )
        warnings = [format_violation(v) for v in report.violations if not v.is_error]
        if warnings:
            ElementTree.SubElement(suite, "system-out").text = "\n".join(warnings)
        root = ElementTree.Element("testsuites")
        root.append(suite)
        ElementTree.indent(root)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(ElementTree.tostring(root, encoding="unicode") + "\n")
