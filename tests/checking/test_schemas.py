"""The bundled JSON Schemas: well formed, resolved offline, and saying what the contract says.

Antavo records are checked through `contract_kit.checking.validation.check` (the findings the CLI
reports); Segment messages through the public API, `contract_kit.validate(..., kind="segment")`.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

import contract_kit
from contract_kit.checking import schemas
from contract_kit.checking.validation import check
from contract_kit.violations import Finding, Violation

from ..helpers import LOOP_PREVENTION, REPO, record, run_ok

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def strict_message(**changes: Any) -> dict[str, Any]:
    """A track message as the Antavo source must send it, with `changes` applied."""
    value: dict[str, Any] = {
        "type": "track",
        "event": "point_add",
        "userId": "c-1",
        "messageId": "4b0b2f5e-3c39-5a0e-9f5e-0d6b8c8f0a11",
        "timestamp": "2024-11-26T15:19:14.000Z",
        "properties": {"points": 5},
        "integrations": dict.fromkeys(LOOP_PREVENTION, False),
    }
    value.update(changes)
    return {key: item for key, item in value.items() if item is not ...}


def record_findings(value: Any) -> list[Finding]:
    return check(value, "antavo/record")


def pointers_of(findings: list[Finding] | tuple[Violation, ...]) -> set[str]:
    return {finding.pointer for finding in findings}


def segment_violations(message: Any, *, strict: bool = False) -> tuple[Violation, ...]:
    return contract_kit.validate(message, kind="segment", strict=strict).violations


# --- the schema files themselves ---------------------------------------------------------------


def test_the_bundle_holds_the_schemas_the_contract_names() -> None:
    names = schemas.names()
    for expected in (
        "antavo/record",
        "antavo/bulk",
        "segment/identify",
        "segment/track",
        "segment/message",
        "segment/antavo-source",
    ):
        assert expected in names


@pytest.mark.parametrize("name", schemas.names())
def test_schema_is_valid_against_the_2020_12_metaschema(name: str) -> None:
    document = schemas.document(name)
    assert document.get("$schema") == DRAFT_2020_12
    Draft202012Validator.check_schema(document)


@pytest.mark.parametrize("name", schemas.names())
def test_schema_id_lies_under_the_base_uri_and_matches_its_path(name: str) -> None:
    document = schemas.document(name)
    assert schemas.BASE_URI.startswith("https://")
    assert document["$id"] == f"{schemas.BASE_URI}{name}.json"
    path = schemas.path_of(name)
    assert path.is_file()
    assert path.relative_to(schemas.schema_dir()).as_posix() == f"{name}.json"


def test_record_schema_id_is_the_documented_example() -> None:
    assert schemas.document("antavo/record")["$id"] == schemas.BASE_URI + "antavo/record.json"


# --- offline resolution ------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Any attempt to open a connection or resolve a host name is recorded and refused."""
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args))
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield attempts


def _samples() -> dict[str, Any]:
    message = strict_message()
    return {
        "antavo/record": record(),
        "antavo/bulk": {"events": [record(), record(action="profile", data={"first_name": "A"})]},
        "segment/common": message,
        "segment/identify": strict_message(
            type="identify", event=..., properties=..., traits={"first_name": "A"}
        ),
        "segment/track": message,
        "segment/message": message,
        "segment/antavo-source": message,
        "segment/batch": {"batch": [message]},
    }


@pytest.mark.parametrize("name", schemas.names())
def test_validating_through_the_bundled_validator_needs_no_network(
    name: str, no_network: list[str]
) -> None:
    sample = _samples().get(name, {})
    errors = list(schemas.validator(name).iter_errors(sample))  # $refs are resolved here
    if name in _samples():
        assert errors == []
    assert no_network == []


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


@pytest.mark.parametrize("name", schemas.names())
def test_every_ref_in_a_schema_resolves_from_the_bundle(name: str, no_network: list[str]) -> None:
    document = schemas.document(name)
    resolver = schemas.registry().resolver(base_uri=document["$id"])
    for ref in _refs(document):
        resolved = resolver.lookup(ref)
        assert isinstance(resolved.contents, dict), ref
    assert no_network == []


def test_a_ref_to_an_unbundled_http_url_is_unresolvable_and_never_fetched(
    no_network: list[str],
) -> None:
    validator = Draft202012Validator(
        {"$ref": "https://example.com/x.json"}, registry=schemas.registry()
    )
    with pytest.raises(Unresolvable):
        validator.validate({})
    assert no_network == []  # refused by the registry, not by a failed download


# --- timestamps: the date-time format is really checked ----------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "why"),
    [
        ("2024-02-30T10:00:00Z", "real date"),
        ("2016-12-31T23:59:60Z", "leap second"),
        ("2024-11-26T15:19:14", "no UTC offset"),
        ("2024-11-26 15:19:14", "no UTC offset"),
        ("0001-01-01T00:30:00+01:00", "outside 0001-01-01"),
    ],
    ids=["impossible-date", "leap-second", "naive-T", "naive-space", "before-year-1-in-utc"],
)
def test_timestamp_that_is_not_an_acceptable_instant_is_a_violation(
    timestamp: str, why: str
) -> None:
    findings = record_findings(record(timestamp=timestamp))
    assert pointers_of(findings) == {"/timestamp"}
    assert any(why in finding.message for finding in findings), findings


@pytest.mark.parametrize(
    "timestamp",
    [
        "2024-11-26t15:19:14z",
        "2024-11-26T15:19:14Z",
        "2024-11-26T16:19:14.123456+01:00",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
    ],
)
def test_rfc3339_timestamp_passes_including_lower_case_t_and_z(timestamp: str) -> None:
    assert record_findings(record(timestamp=timestamp)) == []


def test_impossible_birth_date_in_a_profile_is_a_violation() -> None:
    findings = record_findings(record(action="profile", data={"birth_date": "1990-02-31"}))
    assert pointers_of(findings) == {"/data/birth_date"}
    assert record_findings(record(action="profile", data={"birth_date": "1990-02-28"})) == []


@pytest.mark.parametrize("seconds", [0, 253402300799, 1732634354.123], ids=str)
def test_unix_seconds_within_bounds_pass(seconds: float) -> None:
    assert record_findings(record(timestamp=seconds)) == []


@pytest.mark.parametrize(
    "seconds", [253402300800, -1, True], ids=["year-10000", "negative", "boolean-true"]
)
def test_unix_seconds_out_of_bounds_or_boolean_fail(seconds: Any) -> None:
    findings = record_findings(record(timestamp=seconds))
    assert findings
    assert pointers_of(findings) == {"/timestamp"}


def test_unix_milliseconds_are_reported_as_looking_like_milliseconds() -> None:
    findings = record_findings(record(timestamp=1732634354000))
    assert pointers_of(findings) == {"/timestamp"}
    assert "milliseconds" in findings[0].message


# --- the data rules of the documented actions --------------------------------------------------

ITEM = {
    "product_id": "p-1",
    "product_name": "Jacket",
    "product_url": "https://example.com/p-1",
    "price": 100,
    "quantity": 1,
    "discount": 0,
    "subtotal": 100,
    "points_rewarded": 10,
    "currency": "EUR",
}

#: (action, minimal valid data, attribute removed, pointer of the violation it causes)
ACTION_RULES = [
    ("point_add", {"points": 5}, "points", "/data/points"),
    ("point_sub", {"points": 5}, "points", "/data/points"),
    ("point_spend", {"points": 5}, "points", "/data/points"),
    ("point_unspend", {"points": 5}, "points", "/data/points"),
    ("checkout", {"transaction_id": "t-1", "total": 10}, "transaction_id", "/data/transaction_id"),
    ("checkout", {"transaction_id": "t-1", "total": 10}, "total", "/data"),
    ("checkout", {"transaction_id": "t-1", "items": [ITEM]}, "items", "/data"),
    ("checkout_item", {"transaction_id": "t-1"}, "transaction_id", "/data/transaction_id"),
    *[
        (action, {"transaction_id": "t-1"}, "transaction_id", "/data/transaction_id")
        for action in (
            "checkout_accept",
            "checkout_reject",
            "checkout_update",
            "refund",
            "partial_refund",
            "refund_item",
            "release_points",
        )
    ],
    (
        "reserve_points",
        {"transaction_id": "t-1", "points": 5},
        "transaction_id",
        "/data/transaction_id",
    ),
    ("reserve_points", {"transaction_id": "t-1", "points": 5}, "points", "/data/points"),
    ("challenge_reset", {"challenge": "ch-1"}, "challenge", "/data/challenge"),
    ("profile", {"first_name": "A"}, "first_name", "/data"),
    ("opt_in", {"email": "a@example.com"}, "email", "/data"),
]
ACTION_IDS = [f"{action}-without-{removed}" for action, _, removed, _ in ACTION_RULES]


@pytest.mark.parametrize(("action", "data", "removed", "pointer"), ACTION_RULES, ids=ACTION_IDS)
def test_documented_action_needs_its_required_attribute(
    action: str, data: dict[str, Any], removed: str, pointer: str
) -> None:
    assert record_findings(record(action=action, data=data)) == []
    without = {key: value for key, value in data.items() if key != removed}
    findings = record_findings(record(action=action, data=without))
    assert pointers_of(findings) == {pointer}
    assert all(action in finding.message for finding in findings), findings


@pytest.mark.parametrize(("action", "data", "removed", "pointer"), ACTION_RULES, ids=ACTION_IDS)
def test_documented_action_allows_extra_keys_in_data(
    action: str, data: dict[str, Any], removed: str, pointer: str
) -> None:
    extra = {**data, "workspace_attribute": {"nested": [1, "two", None]}, "note": None}
    assert record_findings(record(action=action, data=extra)) == []


@pytest.mark.parametrize(
    "action", ["point_add", "point_sub", "point_spend", "point_unspend", "reserve_points"]
)
def test_required_points_may_not_be_null(action: str) -> None:
    data = {"points": None, "transaction_id": "t-1"}
    findings = record_findings(record(action=action, data=data))
    assert pointers_of(findings) == {"/data/points"}
    assert "null" in findings[0].message


def test_points_of_point_add_must_be_an_integer() -> None:
    assert pointers_of(record_findings(record(data={"points": "5"}))) == {"/data/points"}
    assert pointers_of(record_findings(record(data={"points": 5.5}))) == {"/data/points"}


def test_optional_attributes_may_be_null() -> None:
    data = {
        "transaction_id": "t-1",
        "total": 10,
        "currency": None,
        "items": [{"product_id": None, "price": None}],
    }
    assert record_findings(record(action="checkout", data=data)) == []
    assert record_findings(record(data={"points": 5, "effective_timestamp": None})) == []
    assert record_findings(record(action="profile", data={"first_name": None})) == []


def test_profile_built_in_attributes_are_checked_and_custom_ones_are_free() -> None:
    good = {
        "language": "en",
        "currency": "EUR",
        "country": "HU",
        "labels": ["vip"],
        "membership_id": ["m-1"],
        "shoe_size": 42,
        "prefs": {"any": ["json"]},
    }
    assert record_findings(record(action="profile", data=good)) == []
    bad = {"language": "EN", "currency": "eur", "country": "hun"}
    findings = record_findings(record(action="profile", data=bad))
    assert pointers_of(findings) == {"/data/language", "/data/currency", "/data/country"}


@pytest.mark.parametrize(
    "data",
    [{}, {"points": "not a number", "transaction_id": 7}, {"anything": [None, {"deep": True}]}],
    ids=["empty", "documented-names-with-other-types", "nested"],
)
def test_custom_action_accepts_any_data_object(data: dict[str, Any]) -> None:
    assert record_findings(record(action="my_custom_event", data=data)) == []


def test_data_must_be_an_object_even_for_a_custom_action() -> None:
    findings = record_findings(record(action="my_custom_event", data=["not", "an", "object"]))
    assert pointers_of(findings) == {"/data"}


# --- the record envelope -----------------------------------------------------------------------


def test_unknown_top_level_field_fails_at_its_pointer() -> None:
    findings = record_findings({**record(), "acton": "point_add"})
    assert pointers_of(findings) == {"/acton"}
    assert "unknown field 'acton'" in findings[0].message
    assert "did you mean 'action'" in findings[0].message


@pytest.mark.parametrize("action", [" point_add", "point_add ", "\tpoint_add", "point_add\n"])
def test_action_with_surrounding_white_space_fails(action: str) -> None:
    findings = record_findings(record(action=action, data={"points": 5}))
    assert pointers_of(findings) == {"/action"}
    assert "white space" in findings[0].message


@pytest.mark.parametrize(
    ("attribute", "value"), [("currency", "EUR\n"), ("country", "HU\n"), ("language", "en\n")]
)
def test_profile_code_with_a_trailing_newline_fails(attribute: str, value: str) -> None:
    findings = record_findings(record(action="profile", data={attribute: value}))
    assert pointers_of(findings) == {f"/data/{attribute}"}


def test_action_of_256_characters_fails_and_255_passes() -> None:
    assert record_findings(record(action="a" * 255, data={})) == []
    findings = record_findings(record(action="a" * 256, data={}))
    assert pointers_of(findings) == {"/action"}
    assert "256" in findings[0].message and "255" in findings[0].message


def test_record_without_customer_says_it_cannot_be_attributed() -> None:
    findings = record_findings(record(customer=...))
    assert pointers_of(findings) == {"/customer"}
    assert "cannot be attributed" in findings[0].message


# --- the Segment spec layer (segment/message) --------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        {"type": "identify", "userId": "u-1"},
        {"type": "track", "userId": "u-1", "event": "point_add"},
        {"type": "identify", "anonymousId": "a-1"},
        {"type": "track", "anonymousId": "a-1", "event": "point_add"},
        {"type": "identify", "userId": None, "anonymousId": "a-1", "traits": {}},
        {"type": "track", "userId": "u-1", "anonymousId": None, "event": "e", "properties": {}},
    ],
    ids=[
        "identify",
        "track",
        "identify-anonymous",
        "track-anonymous",
        "identify-null-userId",
        "track-null-anonymousId",
    ],
)
def test_minimal_identify_and_track_pass_the_spec_layer(message: dict[str, Any]) -> None:
    assert segment_violations(message) == ()
    assert check(message, "segment/message") == []


@pytest.mark.parametrize(
    "ids",
    [{}, {"userId": None, "anonymousId": None}, {"userId": "", "anonymousId": ""}],
    ids=["absent", "both-null", "both-empty"],
)
def test_message_without_user_id_or_anonymous_id_fails(ids: dict[str, Any]) -> None:
    violations = segment_violations({"type": "identify", **ids})
    assert violations
    assert any("userId" in v.message and "anonymousId" in v.message for v in violations)


@pytest.mark.parametrize("call", ["page", "group", "screen", "alias"])
def test_other_call_types_are_out_of_scope(call: str) -> None:
    violations = segment_violations({"type": call, "userId": "u-1"})
    assert pointers_of(violations) == {"/type"}
    assert "only identify and track" in violations[0].message


def test_track_without_event_fails_at_event_saying_it_is_a_track_call() -> None:
    violations = segment_violations({"type": "track", "userId": "u-1"})
    assert pointers_of(violations) == {"/event"}
    assert "track" in violations[0].message


def test_track_with_empty_event_fails() -> None:
    violations = segment_violations({"type": "track", "userId": "u-1", "event": ""})
    assert pointers_of(violations) == {"/event"}


def test_message_id_of_100_characters_passes_and_101_fails() -> None:
    assert segment_violations({"type": "identify", "userId": "u", "messageId": "m" * 100}) == ()
    violations = segment_violations({"type": "identify", "userId": "u", "messageId": "m" * 101})
    assert pointers_of(violations) == {"/messageId"}
    assert "101" in violations[0].message


def test_integration_values_must_be_boolean_or_object() -> None:
    good = {
        "type": "identify",
        "userId": "u",
        "integrations": {"All": False, "Mixpanel": True, "Amplitude": {"session": 1}},
    }
    assert segment_violations(good) == ()
    bad = {"type": "identify", "userId": "u", "integrations": {"Mixpanel": "yes"}}
    assert pointers_of(segment_violations(bad)) == {"/integrations/Mixpanel"}


@pytest.mark.parametrize("field", ["timestamp", "originalTimestamp", "sentAt", "receivedAt"])
def test_spec_layer_timestamps_must_be_rfc3339(field: str) -> None:
    with_offset = {"type": "identify", "userId": "u", field: "2024-11-26T15:19:14+01:00"}
    assert segment_violations(with_offset) == ()
    naive = {"type": "identify", "userId": "u", field: "2024-11-26 15:19:14"}
    assert pointers_of(segment_violations(naive)) == {f"/{field}"}


# --- the strict Antavo source profile (segment/antavo-source) ----------------------------------


def test_strict_profile_accepts_what_the_antavo_source_sends() -> None:
    assert segment_violations(strict_message(), strict=True) == ()
    identify = strict_message(type="identify", event=..., properties=..., traits={"a": 1})
    assert segment_violations(identify, strict=True) == ()


@pytest.mark.parametrize("field", ["userId", "messageId", "timestamp", "integrations"])
def test_strict_profile_requires_field(field: str) -> None:
    message = strict_message(**{field: ...})
    if field != "userId":  # without a userId (or anonymousId) the spec layer fails too
        assert segment_violations(message) == ()
    violations = segment_violations(message, strict=True)
    at_field = [v for v in violations if v.pointer == f"/{field}"]
    assert len(at_field) == 1
    assert f"{field!r} is required" in at_field[0].message
    assert pointers_of(violations) <= {f"/{field}", ""}  # "": the spec layer's userId rule


def test_strict_profile_refuses_anonymous_only_messages() -> None:
    message = strict_message(userId=..., anonymousId="a-1")
    assert pointers_of(segment_violations(message, strict=True)) == {"/userId"}


@pytest.mark.parametrize(
    "timestamp",
    [
        "2024-11-26T15:19:14Z",
        "2024-11-26T15:19:14.000+00:00",
        "2024-11-26T15:19:14.0000Z",
        "2024-11-26t15:19:14.000z",
    ],
)
def test_strict_profile_wants_utc_milliseconds_and_z(timestamp: str) -> None:
    assert segment_violations(strict_message(timestamp=timestamp)) == ()
    violations = segment_violations(strict_message(timestamp=timestamp), strict=True)
    assert pointers_of(violations) == {"/timestamp"}


@pytest.mark.parametrize("destination", LOOP_PREVENTION)
def test_loop_prevention_entry_turned_on_fails_at_its_pointer(destination: str) -> None:
    message = strict_message(
        integrations={**dict.fromkeys(LOOP_PREVENTION, False), destination: True}
    )
    violations = segment_violations(message, strict=True)
    assert pointers_of(violations) == {f"/integrations/{destination}"}
    assert "loop" in violations[0].message


@pytest.mark.parametrize("destination", LOOP_PREVENTION)
def test_loop_prevention_entry_missing_fails(destination: str) -> None:
    integrations = {name: False for name in LOOP_PREVENTION if name != destination}
    violations = segment_violations(strict_message(integrations=integrations), strict=True)
    assert pointers_of(violations) == {f"/integrations/{destination}"}


def test_strict_profile_allows_other_destinations_beside_loop_prevention() -> None:
    integrations = {**dict.fromkeys(LOOP_PREVENTION, False), "Mixpanel": True, "All": True}
    assert segment_violations(strict_message(integrations=integrations), strict=True) == ()


def test_strict_profile_still_applies_the_spec_layer() -> None:
    violations = segment_violations(strict_message(type="page"), strict=True)
    assert "/type" in pointers_of(violations)
    violations = segment_violations(strict_message(event=...), strict=True)
    assert pointers_of(violations) == {"/event"}


# --- the wheel ships the schemas ---------------------------------------------------------------
# Slow-ish (installs the wheel conftest.py builds with maturin: a few seconds once rust/target
# holds the compiled extension, as after `make test`'s install); no marker because
# pyproject.toml registers none and the suite runs with --strict-markers.
#
# maturin cannot put a folder elsewhere in the wheel (hatchling's force-include did): the
# package holds a link, contract_kit/schemas -> ../schemas, and the wheel takes the files
# through it ([tool.maturin] include).


def test_the_package_holds_the_top_level_schemas() -> None:
    """In a checkout through a link (contract_kit/schemas -> ../schemas); in an unpacked sdist
    as a folder of the same files."""
    held = REPO / "contract_kit" / "schemas"
    if held.is_symlink():
        assert held.readlink() == Path("..", "schemas")
        assert schemas.schema_dir().resolve() == (REPO / "schemas").resolve()
    else:
        top = REPO / "schemas"
        files = sorted(path.relative_to(top) for path in top.rglob("*.json"))
        assert sorted(path.relative_to(held) for path in held.rglob("*.json")) == files
        assert all((held / name).read_bytes() == (top / name).read_bytes() for name in files)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    run_ok(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        cwd=target,
    )
    return target


def _installed_env(target: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONPATH"] = str(target)
    return env


def test_wheel_contains_the_schemas_inside_the_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        contents = set(archive.namelist())
    assert "contract_kit/schemas/antavo/record.json" in contents
    assert "contract_kit/schemas/segment/track.json" in contents
    for name in schemas.names():
        assert f"contract_kit/schemas/{name}.json" in contents
    with zipfile.ZipFile(wheel) as archive:
        shipped = json.loads(archive.read("contract_kit/schemas/antavo/record.json"))
    assert shipped == schemas.document("antavo/record")


def test_installed_wheel_reads_schemas_from_its_own_package(
    installed: Path, tmp_path: Path
) -> None:
    code = (
        "import contract_kit, contract_kit.checking.schemas as s; "
        "print(s.schema_dir()); print(contract_kit.__file__)"
    )
    out = run_ok([sys.executable, "-c", code], cwd=tmp_path, env=_installed_env(installed))
    schema_dir, module_file = (Path(line).resolve() for line in out.splitlines()[:2])
    assert schema_dir.is_relative_to(installed.resolve())
    assert module_file.is_relative_to(installed.resolve())
    assert (schema_dir / "antavo" / "record.json").is_file()


def test_installed_wheel_cli_lists_the_schemas(installed: Path, tmp_path: Path) -> None:
    out = run_ok(
        [sys.executable, "-m", "contract_kit", "schema", "list"],
        cwd=tmp_path,
        env=_installed_env(installed),
    )
    listed = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert "antavo/record" in listed
    assert sorted(listed) == sorted(schemas.names())


def test_installed_wheel_validates_a_record(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "record.json").write_text(json.dumps(record()), encoding="utf-8")
    run_ok(
        [sys.executable, "-m", "contract_kit", "validate", "record.json"],
        cwd=tmp_path,
        env=_installed_env(installed),
    )
