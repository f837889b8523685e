"""Type stubs of the compiled core (rust/src/lib.rs)."""

from typing import Any

Deferred = tuple[int, int, int, int, int, int, int, int, int]
"""A line left to the Python path: (start, end, line, record, output_bytes, messages,
event_ids, vouched, skipped); the last five say how far the core's own results had got."""

class Checker:
    def __init__(self, record_schema: str) -> None: ...
    def run(
        self, mapping: Mapping | None, data: bytes, first_line: int, first_record: int
    ) -> tuple[bytes, int, bytes, list[Deferred], int, int]: ...

class Mapping:
    def __init__(self, settings: tuple[Any, ...]) -> None: ...

class IdTable:
    def __init__(self) -> None: ...
    def conflicts(self, entries: bytes, file_number: int) -> list[tuple[int, int]]: ...
