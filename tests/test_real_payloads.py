"""Payloads nobody here wrote: Antavo's published request examples, the Segment page for the
Antavo source, and messages built by Segment's own Python library must all be accepted."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import segment.analytics as analytics

import contract_kit

from .helpers import DATA

#: Everything this module reads is in the repository (tests/data/README.md says where from).
ANTAVO_DATA = DATA / "antavo-examples"
SEGMENT_PAGE_DATA = DATA / "segment-page"
#: Request-body examples of a POST in Antavo's three published OpenAPI files.
ANTAVO_EXAMPLE_COUNT = 15
TIMESTAMP = "2024-11-26T15:19:14Z"


def _antavo_example_files() -> list[Path]:
    return sorted(ANTAVO_DATA.glob("*/*.json"))


def _antavo_examples() -> list[Any]:
    """One param per Antavo request-body example copied into tests/data/antavo-examples."""
    params: list[Any] = []
    for path in _antavo_example_files():
        example = json.loads(path.read_text(encoding="utf-8"))
        params.append(pytest.param(example["value"], id=f"{path.parent.name}/{path.stem}"))
    return params


ANTAVO_EXAMPLES = _antavo_examples()


def _records_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["events"]) if "events" in body else [body]


def _with_timestamps(body: dict[str, Any]) -> dict[str, Any]:
    """The example with a `timestamp` on every record (Antavo's sync knows it; the API adds it)."""
    if "events" in body:
        return {**body, "events": [{**record, "timestamp": TIMESTAMP} for record in body["events"]]}
    return {**body, "timestamp": TIMESTAMP}


def _describe(report: Any) -> str:
    return "\n".join(
        f"{v.pointer or '<record>'} (record {v.record}): {v.message}" for v in report.violations
    )


def test_every_antavo_example_is_present_with_its_provenance() -> None:
    files = _antavo_example_files()
    assert len(files) == ANTAVO_EXAMPLE_COUNT, [str(path.relative_to(DATA)) for path in files]
    for path in files:
        example = json.loads(path.read_text(encoding="utf-8"))
        assert set(example) == {"provenance", "value"}, path
        provenance = example["provenance"]
        assert isinstance(provenance, str) and provenance.strip(), path
        assert f"{path.parent.name}.yml, POST " in provenance, path
        assert isinstance(example["value"], dict) and example["value"], path


def test_examples_hold_single_and_bulk_bodies() -> None:
    bodies = [param.values[0] for param in ANTAVO_EXAMPLES]
    assert any("events" in body for body in bodies), "no bulk body example found"
    assert any("events" not in body for body in bodies), "no single event example found"


@pytest.mark.parametrize("body", ANTAVO_EXAMPLES)
def test_antavo_request_example_is_a_valid_record(body: dict[str, Any]) -> None:
    report = contract_kit.validate(_with_timestamps(body))
    assert report.ok, _describe(report)
    assert report.records == len(_records_of(body))


@pytest.mark.parametrize("body", ANTAVO_EXAMPLES)
def test_antavo_request_example_converts_to_strict_segment_messages(body: dict[str, Any]) -> None:
    records = _records_of(_with_timestamps(body))
    conversion = contract_kit.convert(_with_timestamps(body))
    assert conversion.ok, _describe(conversion.report)
    assert len(conversion.messages) == len(records)
    for record, message in zip(records, conversion.messages, strict=True):
        assert message["userId"] == record["customer"]
        assert message["timestamp"] == "2024-11-26T15:19:14.000Z"
        if record["action"] == "profile":
            assert message["type"] == "identify"
        else:
            assert message["type"] == "track"
            assert message["event"] == record["action"]
    strict = contract_kit.validate(conversion.messages, kind="segment", strict=True)
    assert strict.ok, _describe(strict)
    assert strict.records == len(records)


# --- the Segment page for the Antavo source ----------------------------------------------------


#: The page's two examples, in page order: "Profile updates", then "Loyalty events".
SEGMENT_PAGE_FILES: list[Path] = [
    SEGMENT_PAGE_DATA / "identify.txt",
    SEGMENT_PAGE_DATA / "track.txt",
]


def _provenance_and_block(path: Path) -> tuple[str, str]:
    """The provenance comment (first line, without its "#") and the example block below it."""
    first, _, block = path.read_text(encoding="utf-8").partition("\n")
    assert first.startswith("#"), f"{path}: the first line must be a provenance comment"
    return first.removeprefix("#").strip(), block


def _segment_page_examples() -> list[dict[str, Any]]:
    """The page's example blocks, parsed once the page's trailing commas are removed."""
    examples: list[dict[str, Any]] = []
    for path in SEGMENT_PAGE_FILES:
        _, block = _provenance_and_block(path)
        examples.append(json.loads(re.sub(r",(\s*[}\]])", r"\1", block)))
    return examples


def test_segment_page_examples_carry_their_provenance() -> None:
    for path in SEGMENT_PAGE_FILES:
        provenance, block = _provenance_and_block(path)
        assert provenance, f"{path}: empty provenance line"
        assert '"Antavo Source" page' in provenance, path
        assert block.startswith("{\n") and block.rstrip("\n").endswith("\n}"), path


@pytest.fixture
def segment_page_examples() -> list[dict[str, Any]]:
    examples = _segment_page_examples()
    assert [example["type"] for example in examples] == ["identify", "track"]
    return examples


def test_segment_page_examples_pass_the_spec_layer(
    segment_page_examples: list[dict[str, Any]],
) -> None:
    for example in segment_page_examples:
        report = contract_kit.validate(example, kind="segment")
        assert report.ok, _describe(report)
    assert contract_kit.validate(segment_page_examples, kind="segment").ok


def test_segment_page_examples_fail_the_strict_profile_for_messageid_and_integrations(
    segment_page_examples: list[dict[str, Any]],
) -> None:
    for example in segment_page_examples:
        report = contract_kit.validate(example, kind="segment", strict=True)
        assert not report.ok
        assert {v.pointer for v in report.violations} == {"/messageId", "/integrations"}
        messages = " ".join(v.message for v in report.violations)
        assert "messageId" in messages
        assert "integrations" in messages


# --- messages built by Segment's analytics-python ----------------------------------------------

SEGMENT_CALLS = [
    pytest.param("identify", {"user_id": "user-1", "traits": {"first_name": "A"}}, id="identify"),
    pytest.param(
        "track",
        {"user_id": "user-1", "event": "point_add", "properties": {"points": 5}},
        id="track",
    ),
    pytest.param(
        "identify",
        {"anonymous_id": "anon-1", "traits": {"first_name": "A"}},
        id="identify-anonymous-only",
    ),
    pytest.param(
        "track",
        {"anonymous_id": "anon-1", "event": "point_add", "properties": {"points": 5}},
        id="track-anonymous-only",
    ),
    pytest.param(
        "identify",
        {
            "user_id": "user-1",
            "traits": {"first_name": "A"},
            "timestamp": datetime(2024, 11, 26, 15, 19, 14, 123456, tzinfo=UTC),
        },
        id="identify-utc-timestamp",
    ),
    pytest.param(
        "track",
        {
            "user_id": "user-1",
            "event": "point_add",
            "properties": {"points": 5},
            "timestamp": datetime(2024, 11, 26, 16, 19, 14, tzinfo=timezone(timedelta(hours=1))),
        },
        id="track-offset-timestamp",
    ),
    pytest.param(
        "identify",
        {
            "user_id": "user-1",
            "traits": {"first_name": "A"},
            "integrations": {"All": False, "Mixpanel": True},
        },
        id="identify-integrations",
    ),
    pytest.param(
        "track",
        {
            "user_id": "user-1",
            "event": "point_add",
            "properties": {"points": 5},
            "integrations": {"All": False, "Mixpanel": True},
        },
        id="track-integrations",
    ),
]


@pytest.fixture(scope="module")
def segment_client() -> analytics.Client:
    return analytics.Client("test-write-key", send=False)  # send=False: nothing leaves the test


def _built_by_segment(client: analytics.Client, call: str, arguments: dict[str, Any]) -> Any:
    queued, message = getattr(client, call)(**arguments)
    assert queued
    return json.loads(json.dumps(message, default=str))


def test_segment_library_signatures_are_the_ones_used_here(segment_client: Any) -> None:
    ok, message = segment_client.identify("user-1", {"first_name": "A"})
    assert ok and message["userId"] == "user-1" and message["traits"] == {"first_name": "A"}
    ok, message = segment_client.track("user-1", "point_add", {"points": 5})
    assert ok and message["event"] == "point_add" and message["properties"] == {"points": 5}


@pytest.mark.parametrize(("call", "arguments"), SEGMENT_CALLS)
def test_message_built_by_segments_python_library_passes_the_spec_layer(
    segment_client: analytics.Client, call: str, arguments: dict[str, Any]
) -> None:
    message = _built_by_segment(segment_client, call, arguments)
    assert message["type"] == call
    report = contract_kit.validate([message], kind="segment")
    assert report.ok, _describe(report)
    assert report.records == 1


def test_a_batch_of_segment_library_messages_passes_the_spec_layer(
    segment_client: analytics.Client,
) -> None:
    messages = [
        _built_by_segment(segment_client, param.values[0], param.values[1])
        for param in SEGMENT_CALLS
    ]
    report = contract_kit.validate({"batch": messages}, kind="segment")
    assert report.ok, _describe(report)
    assert report.records == len(SEGMENT_CALLS)
