"""A problem of a whole input file, as a violation."""

from __future__ import annotations

from contract_kit.jsontext import jsonio, pointers
from contract_kit.violations import Finding, Violation


def file_violation(
    file: str, finding: Finding, index: jsonio.TextIndex | None = None, offset: int | None = None
) -> Violation:
    """A problem of the whole file (`record` None), at `offset` or else at its pointer."""
    if index is None:
        return Violation(file, 1, 1, None, finding.pointer, finding.message, finding.keyword)
    if offset is None:
        offset = index.locate(pointers.split(finding.pointer))
    line, column = index.line_column(offset)
    return Violation(
        file, line, column, None, finding.pointer, finding.message, finding.keyword, finding.schema
    )
