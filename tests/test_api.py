"""The Python API mirrors the CLI: files, directories or in-memory values in; reports out."""

from __future__ import annotations

from pathlib import Path

import pytest

import contract_kit

from .helpers import FIXTURES, SAMPLE_PLAN, record

RECORD = record(data={"points": 3}, timestamp=1732634354)


def test_validate_accepts_a_path_a_list_of_paths_and_values() -> None:
    assert contract_kit.validate(FIXTURES / "antavo").ok
    assert contract_kit.validate(
        [str(FIXTURES / "antavo" / "actions"), FIXTURES / "antavo" / "custom"]
    ).ok
    assert contract_kit.validate(RECORD).ok
    assert contract_kit.validate([RECORD, RECORD]).records == 2


def test_violations_of_in_memory_values_are_located_in_their_pretty_json() -> None:
    (violation,) = contract_kit.validate([RECORD, dict(RECORD, data={"points": None})]).violations
    assert violation.file == "<memory>"
    assert (violation.record, violation.pointer, violation.line) == (1, "/data/points", 14)


def test_convert_returns_messages_and_a_report() -> None:
    conversion = contract_kit.convert(
        [RECORD, dict(RECORD, action="profile", data={"email": "a@b.c"})]
    )
    assert conversion.ok
    assert [message["type"] for message in conversion.messages] == ["track", "identify"]
    assert conversion.messages[0]["timestamp"] == "2024-11-26T15:19:14.000Z"
    assert conversion.report.converted == 2


def test_convert_uses_the_given_config() -> None:
    config = contract_kit.Config(event_names={"point_add": "Points Added"}, events=["point_add"])
    conversion = contract_kit.convert([RECORD, dict(RECORD, action="daily_login")], config=config)
    assert [message["event"] for message in conversion.messages] == ["Points Added"]
    assert conversion.report.skipped == 1


def test_a_missing_path_raises_usage_error(tmp_path: Path) -> None:
    with pytest.raises(contract_kit.UsageError, match="no such file or directory"):
        contract_kit.validate(tmp_path / "nope.json")


def test_the_config_model_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="evnts"):
        contract_kit.Config(evnts=["x"])  # type: ignore[call-arg]


def test_a_plan_folder_is_applied_with_the_configurations_unplanned_settings() -> None:
    """`plan=` a folder loads it as the CLI does (settings.config.plan_in): `unplanned` and
    `unplanned_properties` come from the configuration given, so what the plan does not name
    is a warning by default and an error when the configuration says block."""
    unplanned = record(action="wishlist_add", data={})
    warned = contract_kit.convert(unplanned, plan=SAMPLE_PLAN)
    assert warned.ok and len(warned.messages) == 1
    assert [v.severity for v in warned.violations] == ["warning"]
    blocked = contract_kit.convert(
        unplanned, plan=SAMPLE_PLAN, config=contract_kit.Config(unplanned="block")
    )
    assert not blocked.ok and blocked.messages == []
    assert [v.severity for v in blocked.violations] == ["error"]
    extra = record(data={"points": 5, "not_planned": 1})
    assert contract_kit.convert(extra, plan=SAMPLE_PLAN).ok
    strict = contract_kit.Config(unplanned_properties="block")
    assert not contract_kit.convert(extra, plan=SAMPLE_PLAN, config=strict).ok


def test_omit_leaves_unplanned_properties_out_of_the_messages_returned() -> None:
    """From the configuration given with a plan folder, or from a plan loaded with it."""
    extra = record(data={"points": 5, "not_planned": 1})
    omitting = contract_kit.Config(unplanned_properties="omit")
    plan = contract_kit.load_plan(SAMPLE_PLAN, unplanned_properties="omit")
    for result in (
        contract_kit.convert(extra, plan=SAMPLE_PLAN, config=omitting),
        contract_kit.convert(extra, plan=plan),
    ):
        assert result.ok
        assert [message["properties"] for message in result.messages] == [{"points": 5}]
        assert [(v.pointer, v.severity) for v in result.violations] == [
            ("/properties/not_planned", "warning")
        ]
