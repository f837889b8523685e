"""Every Antavo fixture converts to exactly its golden file (the same files `contract-kit diff`
compares): `pytest --snapshot-update` and `make snapshots` regenerate the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

import contract_kit
from contract_kit.reading import paths as sources

from ..golden_snapshots import GoldenFileExtension
from ..helpers import FIXTURES, REPO

INPUTS = FIXTURES / "antavo"
GOLDENS = FIXTURES / "golden"
CASES = [source.relative for source in sources.collect([INPUTS]) if source.relative]


@pytest.mark.parametrize("relative", CASES, ids=[case.as_posix() for case in CASES])
def test_fixture_converts_to_its_golden(relative: Path, snapshot: SnapshotAssertion) -> None:
    # The configuration `make snapshots` (contract-kit diff) reads from the repository root.
    conversion = contract_kit.convert(
        INPUTS / relative, config=contract_kit.load_config(directory=REPO)
    )
    assert conversion.ok, conversion.violations
    golden = snapshot.use_extension(GoldenFileExtension.for_golden(GOLDENS / relative))
    assert conversion.messages == golden


def test_every_golden_has_a_fixture() -> None:
    goldens = {
        path.relative_to(GOLDENS) for path in GOLDENS.rglob("*") if path.suffix in sources.SUFFIXES
    }
    assert goldens == set(CASES)
