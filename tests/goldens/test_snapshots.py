"""Every Antavo fixture converts to exactly its golden, and no golden is orphaned: the check
`contract-kit diff fixtures/antavo fixtures/golden` makes, through the shipped pytest plugin, so
`pytest --snapshot-update` and `make snapshots` write the same bytes."""

from __future__ import annotations

from contract_kit.pytest_plugin import Goldens


def test_fixtures_convert_to_their_goldens(contract_kit_goldens: Goldens) -> None:
    # Relative to pytest's rootdir (this repository), though the tests run in an empty folder.
    contract_kit_goldens.assert_match("fixtures/antavo", "fixtures/golden")
