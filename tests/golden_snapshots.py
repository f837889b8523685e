"""A syrupy extension whose snapshot *is* the golden file that `contract-kit diff` uses.

One set of goldens, not two: the snapshot of the fixture `fixtures/antavo/a/x.json` is
`fixtures/golden/a/x.json`, rendered by contract_kit.goldens.snapshots.render, so a syrupy update
and `contract-kit diff --update` write the same bytes to the same file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from syrupy.data import SnapshotCollections
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation
from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SerializedData

from contract_kit.goldens import snapshots as golden
from contract_kit.outputs import atomic


class GoldenFileExtension(SingleFileSnapshotExtension):
    """Base class; `for_golden` makes one subclass per golden file."""

    _write_mode = WriteMode.TEXT
    golden_path: ClassVar[Path]

    @classmethod
    def for_golden(cls, path: Path) -> type[GoldenFileExtension]:
        return type("GoldenFile", (cls,), {"golden_path": path, "file_extension": ""})

    def serialize(
        self,
        data: SerializableData,
        *,
        exclude: PropertyFilter | None = None,
        include: PropertyFilter | None = None,
        matcher: PropertyMatcher | None = None,
    ) -> SerializedData:
        messages: list[dict[str, Any]] = data
        return golden.render(messages, self.golden_path.suffix)

    @classmethod
    def get_location(cls, *, test_location: PyTestLocation, index: Any) -> str:
        return str(cls.golden_path)

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(cls.golden_path.parent)

    @classmethod
    def matches_test_location(
        cls, *, test_location: PyTestLocation, snapshot_location: str
    ) -> bool:
        return Path(snapshot_location) == cls.golden_path

    def discover_snapshots(
        self, *, test_location: PyTestLocation, ignore_extensions: list[str] | None = None
    ) -> SnapshotCollections:
        # Goldens belong to `contract-kit diff` too: syrupy must never judge one unused and
        # delete it. Orphans are found by `contract-kit diff` (and its test) instead.
        return SnapshotCollections()

    @classmethod
    def write_snapshot_collection(cls, *, snapshot_collection: Any, name_order: Any = None) -> None:
        data = next(iter(snapshot_collection)).data
        atomic.write_text(Path(snapshot_collection.location), data)
