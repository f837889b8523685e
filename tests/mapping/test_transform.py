"""Contract §2 (the mapping) and §3 (outbound settings) as a user of the transformer sees them."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

import contract_kit
from contract_kit import MESSAGE_ID_NAMESPACE
from contract_kit.cli import cli
from contract_kit.mapping import transform
from contract_kit.mapping.transform import Converted, Rejected, Skipped
from contract_kit.settings.config import Config, ConfigError, parse
from contract_kit.violations import Finding

from .. import helpers
from ..helpers import LOOP_PREVENTION


def to_segment(record: dict[str, Any], config: Config) -> transform.Result:
    """The mapping with the settings a run derives from `config`."""
    return transform.to_segment(record, transform.MappingSettings.of(config))


def record(**fields: Any) -> dict[str, Any]:
    """A valid track record; keyword arguments replace or add envelope fields."""
    return helpers.record(**{"customer": "cust-1", "data": {"points": 100}, **fields})


def profile(**fields: Any) -> dict[str, Any]:
    fields.setdefault("data", {"first_name": "Ada", "email": "ada@example.com"})
    return record(action="profile", **fields)


def convert(rec: dict[str, Any], config: Config | None = None, **settings: Any) -> dict[str, Any]:
    """The message a record becomes; fails the test if it is not converted."""
    result = to_segment(rec, config or parse(settings))
    assert isinstance(result, Converted), result
    return result.message


def rejected(rec: dict[str, Any], **settings: Any) -> Rejected:
    result = to_segment(rec, parse(settings))
    assert isinstance(result, Rejected), result
    assert result.findings, "a rejection must say why"
    return result


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# identify / track


class TestMessageType:
    def test_profile_becomes_identify_with_data_as_traits(self) -> None:
        data = {"first_name": "Ada", "email": "ada@example.com", "labels": ["vip"], "x": None}
        message = convert(profile(data=data))
        assert message["type"] == "identify"
        assert message["traits"] == data
        assert "event" not in message
        assert "properties" not in message

    def test_other_action_becomes_track_with_action_as_event(self) -> None:
        message = convert(record(action="point_add", data={"points": 100}))
        assert message["type"] == "track"
        assert message["event"] == "point_add"
        assert message["properties"] == {"points": 100}
        assert "traits" not in message

    def test_custom_action_is_a_track_event_of_the_same_name(self) -> None:
        message = convert(record(action="Visited Store", data={"store": "Budapest"}))
        assert (message["type"], message["event"]) == ("track", "Visited Store")

    def test_opt_in_is_a_track_not_an_identify(self) -> None:
        message = convert(record(action="opt_in", data={"email": "ada@example.com"}))
        assert (message["type"], message["event"]) == ("track", "opt_in")

    def test_properties_are_data_verbatim(self) -> None:
        data = {
            "transaction_id": "T-1",
            "total": 5.0,
            "items": [
                {"product_id": "p1", "price": 2.50, "quantity": 2, "extra": {"deep": [1, None]}},
                {"product_id": "p2", "price": None},
            ],
            "nothing": None,
            "flag": False,
        }
        message = convert(record(action="checkout", data=json.loads(json.dumps(data))))
        assert message["properties"] == data
        # 5.0 stays the float 5.0 and is written as 5.0, not 5
        assert type(message["properties"]["total"]) is float
        assert '"total":5.0' in json.dumps(message, separators=(",", ":"))
        assert '"price":2.5' in json.dumps(message, separators=(",", ":"))

    def test_properties_do_not_alias_the_record(self) -> None:
        rec = record(account="gold")
        message = convert(rec)
        assert message["properties"] == {"points": 100, "account": "gold"}
        assert rec["data"] == {"points": 100}, "converting must not change the input record"


# ---------------------------------------------------------------------------------------------
# userId


class TestUserId:
    def test_default_is_customer(self) -> None:
        assert convert(record(customer="c-42"))["userId"] == "c-42"
        assert Config().user_id_attribute == "customer"

    def test_external_id(self) -> None:
        rec = record(external_id="EXT-9", attributes={"external_id": "not me"})
        assert convert(rec, user_id_attribute="external_id")["userId"] == "EXT-9"

    def test_custom_attribute_from_attributes(self) -> None:
        rec = record(attributes={"crm_id": "CRM-1"})
        assert convert(rec, user_id_attribute="crm_id")["userId"] == "CRM-1"

    def test_profile_update_new_value_in_data_wins_over_attributes(self) -> None:
        rec = profile(data={"crm_id": "NEW", "email": "a@b.c"}, attributes={"crm_id": "OLD"})
        assert convert(rec, user_id_attribute="crm_id")["userId"] == "NEW"

    def test_profile_update_falls_back_to_attributes(self) -> None:
        rec = profile(data={"email": "a@b.c"}, attributes={"crm_id": "OLD"})
        assert convert(rec, user_id_attribute="crm_id")["userId"] == "OLD"

    def test_track_event_does_not_take_user_id_from_data(self) -> None:
        rec = record(data={"points": 1, "crm_id": "FROM-DATA"}, attributes={"crm_id": "CRM-1"})
        assert convert(rec, user_id_attribute="crm_id")["userId"] == "CRM-1"

    def test_track_event_with_key_only_in_data_is_a_violation(self) -> None:
        rec = record(data={"points": 1, "crm_id": "FROM-DATA"})
        result = rejected(rec, user_id_attribute="crm_id")
        assert result.findings[0].pointer == "/attributes/crm_id"

    def test_integer_becomes_its_decimal_string(self) -> None:
        rec = record(attributes={"crm_id": 12345})
        user_id = convert(rec, user_id_attribute="crm_id")["userId"]
        assert user_id == "12345"
        assert isinstance(user_id, str)

    def test_integral_number_counts_as_an_integer_as_json_schema_says(self) -> None:
        # Decision (docs/decisions.md): 12345.0 is an integer in JSON Schema, so it maps like 12345.
        rec = record(attributes={"crm_id": 12345.0})
        assert convert(rec, user_id_attribute="crm_id")["userId"] == "12345"

    def test_string_is_kept_as_it_is(self) -> None:
        rec = record(attributes={"crm_id": " 007 x "})
        assert convert(rec, user_id_attribute="crm_id")["userId"] == " 007 x "
        rec = record(attributes={"crm_id": "00123"})
        assert convert(rec, user_id_attribute="crm_id")["userId"] == "00123"

    @pytest.mark.parametrize(
        "value",
        [1.5, True, False, {"id": "x"}, ["x"], None, "", " ", "\t\n"],
        ids=["fraction", "true", "false", "object", "array", "null", "empty", "space", "ws"],
    )
    def test_other_values_are_violations_at_attributes(self, value: Any) -> None:
        result = rejected(record(attributes={"crm_id": value}), user_id_attribute="crm_id")
        finding = result.findings[0]
        assert finding.pointer == "/attributes/crm_id"
        assert "userId" in finding.message and "crm_id" in finding.message

    @pytest.mark.parametrize("value", [1.5, True, {"a": 1}, None, "", "   "])
    def test_other_values_in_profile_data_are_violations_at_data(self, value: Any) -> None:
        rec = profile(data={"crm_id": value, "email": "a@b.c"}, attributes={"crm_id": "OK"})
        result = rejected(rec, user_id_attribute="crm_id")
        assert result.findings[0].pointer == "/data/crm_id"

    def test_null_in_profile_data_is_a_violation_not_a_reason_to_look_further(self) -> None:
        rec = profile(data={"crm_id": None, "email": "a@b.c"}, attributes={"crm_id": "CRM-1"})
        result = rejected(rec, user_id_attribute="crm_id")
        assert result.findings[0].pointer == "/data/crm_id"
        assert "null" in result.findings[0].message

    @pytest.mark.parametrize("value", ["", "   ", None, 12.5, False])
    def test_envelope_fields_with_bad_values_are_violations(self, value: Any) -> None:
        result = rejected(record(external_id=value), user_id_attribute="external_id")
        assert result.findings[0].pointer == "/external_id"

    def test_whitespace_only_customer_is_a_violation(self) -> None:
        result = rejected(record(customer="  "))
        assert result.findings[0].pointer == "/customer"

    def test_missing_attribute_is_a_violation_where_it_would_be(self) -> None:
        result = rejected(record(attributes={"other": "x"}), user_id_attribute="crm_id")
        assert result.findings[0].pointer == "/attributes/crm_id"
        assert "missing" in result.findings[0].message
        result = rejected(record(), user_id_attribute="crm_id")  # no attributes at all
        assert result.findings[0].pointer == "/attributes/crm_id"

    def test_missing_external_id_is_a_violation(self) -> None:
        result = rejected(record(), user_id_attribute="external_id")
        assert result.findings[0].pointer == "/external_id"
        assert "external_id" in result.findings[0].message

    def test_sync_selection_does_not_apply_to_the_lookup(self) -> None:
        rec = profile(data={"crm_id": "CRM-7", "email": "a@b.c"})
        message = convert(rec, user_id_attribute="crm_id", attributes=["email"])
        assert message["userId"] == "CRM-7"
        assert message["traits"] == {"email": "a@b.c"}

    def test_violation_reaches_the_user_through_convert(self) -> None:
        rec = record(attributes={"crm_id": 1.5})
        result = contract_kit.convert([rec], config=parse({"user_id_attribute": "crm_id"}))
        assert result.messages == []
        assert not result.ok
        [violation] = result.violations
        assert (violation.record, violation.pointer) == (0, "/attributes/crm_id")

    @pytest.mark.parametrize(
        ("value", "problem"),
        [
            (None, "is null"),
            ("", "is empty"),
            (" ", "holds only white space"),
            ("\t\n", "holds only white space"),
            (1.5, "is 1.5, neither a string nor an integer"),
            (True, "is true, neither a string nor an integer"),
            (False, "is false, neither a string nor an integer"),
            (["x"], 'is ["x"], neither a string nor an integer'),
            ({"id": "x"}, 'is {"id":"x"}, neither a string nor an integer'),
            # a longer value is cut to its first 40 characters of compact JSON
            ({"id": "x" * 60}, 'is {"id":"' + "x" * 33 + ", neither a string nor an integer"),
            ("\u3000", "holds only white space"),
        ],
        ids=["null", "empty", "space", "ws", "fraction", "true", "false", "array", "object",
             "long", "ideographic-space"],
    )  # fmt: skip
    def test_bad_values_are_worded_exactly(self, value: Any, problem: str) -> None:
        result = rejected(record(attributes={"crm_id": value}), user_id_attribute="crm_id")
        assert result.findings == (
            Finding("/attributes/crm_id", f"userId: attribute 'crm_id' {problem}", "userId"),
        )

    def test_a_missing_attribute_is_worded_exactly(self) -> None:
        result = rejected(record(attributes={"other": "x"}), user_id_attribute="crm_id")
        assert result.findings == (
            Finding("/attributes/crm_id", "userId: attribute 'crm_id' is missing", "userId"),
        )

    @pytest.mark.parametrize(
        ("value", "problem"),
        [("  ", "holds only white space"), ("", "is empty"), (None, "is null")],
    )
    def test_a_bad_envelope_customer_is_worded_as_present_not_missing(
        self, value: Any, problem: str
    ) -> None:
        result = rejected(record(customer=value))
        assert result.findings == (
            Finding("/customer", f"userId: attribute 'customer' {problem}", "userId"),
        )

    def test_a_missing_external_id_is_worded_as_missing(self) -> None:
        result = rejected(record(), user_id_attribute="external_id")
        assert result.findings == (
            Finding("/external_id", "userId: attribute 'external_id' is missing", "userId"),
        )

    @pytest.mark.parametrize(
        "value", [9007199254740991.0, -9007199254740991.0], ids=["2^53-1", "-(2^53-1)"]
    )
    def test_an_integral_float_below_2_to_the_53_is_an_integer(self, value: float) -> None:
        rec = record(attributes={"crm_id": value})
        assert convert(rec, user_id_attribute="crm_id")["userId"] == str(int(value))

    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            (9007199254740992.0, "9007199254740992.0"),
            (-9007199254740992.0, "-9007199254740992.0"),
            (1e16, "1e+16"),
            (1e300, "1e+300"),
        ],
        ids=["2^53", "-2^53", "1e16", "1e300"],
    )
    def test_a_float_from_2_to_the_53_on_is_not_an_integer(self, value: float, shown: str) -> None:
        # From 2^53 on a float no longer holds every integer: 2^53 + 1 would read as 2^53.
        result = rejected(record(attributes={"crm_id": value}), user_id_attribute="crm_id")
        assert result.findings[0].message == (
            f"userId: attribute 'crm_id' is {shown}, neither a string nor an integer"
        )

    @pytest.mark.parametrize("attribute", ["account", "id"])
    def test_an_attribute_named_like_an_envelope_field_is_read_from_attributes(
        self, attribute: str
    ) -> None:
        # Only `customer` and `external_id` name envelope fields.
        rec = record(account="gold", id="E1", attributes={attribute: "CRM-1"})
        assert convert(rec, user_id_attribute=attribute)["userId"] == "CRM-1"
        result = rejected(record(account="gold", id="E1"), user_id_attribute=attribute)
        assert result.findings[0].pointer == f"/attributes/{attribute}"


class TestUserIdInReports:
    """A userId violation is filed under the rule `userId` in every report format."""

    @pytest.fixture
    def records(self, tmp_path: Path) -> Path:
        (tmp_path / "contract-kit.toml").write_text('user_id_attribute = "crm_id"\n')
        records = tmp_path / "records.ndjson"
        lines = [
            record(attributes={"crm_id": "  "}, timestamp=0),  # a bad value
            record(timestamp=0),  # no crm_id at all
        ]
        records.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
        return records

    def report(self, records: Path, output_format: str) -> str:
        result = CliRunner().invoke(
            cli, ["convert", "--format", output_format, records.name], catch_exceptions=False
        )
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        return result.stderr

    def test_sarif_rule_id(self, records: Path) -> None:
        sarif = json.loads(self.report(records, "sarif"))
        [run] = sarif["runs"]
        assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["userId"]
        assert [(r["ruleId"], r["message"]["text"]) for r in run["results"]] == [
            ("userId", "/attributes/crm_id: userId: attribute 'crm_id' holds only white space"),
            ("userId", "/attributes/crm_id: userId: attribute 'crm_id' is missing"),
        ]

    def test_junit_failure_type(self, records: Path) -> None:
        junit = self.report(records, "junit")
        assert junit.count('<failure type="userId" ') == 2

    def test_github_annotation_title(self, records: Path) -> None:
        annotations = self.report(records, "github").splitlines()[:2]
        assert [line.split("::")[1].rsplit(",", 1)[1] for line in annotations] == [
            "title=contract-kit%3A userId",
            "title=contract-kit%3A userId",
        ]


# ---------------------------------------------------------------------------------------------
# timestamp


class TestTimestamp:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("2024-11-26T15:19:14Z", "2024-11-26T15:19:14.000Z"),
            ("2024-11-26T16:19:14+01:00", "2024-11-26T15:19:14.000Z"),
            ("2024-11-26T10:49:14.5-04:30", "2024-11-26T15:19:14.500Z"),
            ("2024-11-27T00:30:00+01:00", "2024-11-26T23:30:00.000Z"),
            ("2024-11-26T15:19:14.123456Z", "2024-11-26T15:19:14.123Z"),
            ("2024-11-26T15:19:14.1239Z", "2024-11-26T15:19:14.123Z"),
            ("2024-11-26T15:19:14.0005+00:00", "2024-11-26T15:19:14.000Z"),
            ("2024-12-31T23:59:59.9999999+00:00", "2024-12-31T23:59:59.999Z"),
            ("2024-11-26t15:19:14z", "2024-11-26T15:19:14.000Z"),
            (1732634354, "2024-11-26T15:19:14.000Z"),
            (1732634354.123, "2024-11-26T15:19:14.123Z"),
            (1732634354.9999, "2024-11-26T15:19:14.999Z"),
            (0, "1970-01-01T00:00:00.000Z"),
        ],
    )
    def test_normalised_to_utc_milliseconds_z(self, given: Any, expected: str) -> None:
        assert convert(record(timestamp=given))["timestamp"] == expected
        assert convert(profile(timestamp=given))["timestamp"] == expected

    def test_unparseable_timestamp_is_rejected_at_timestamp(self) -> None:
        result = rejected(record(timestamp="2024-11-26T15:19:14"))
        assert result.findings[0].pointer == "/timestamp"

    def test_an_unparseable_timestamp_is_a_format_finding_in_the_contract_s_words(self) -> None:
        # The schema stops such a record first; to_segment alone still says why, as it would.
        result = rejected(record(timestamp="2024-11-26T15:19:14"))
        assert result.findings == (
            Finding(
                "/timestamp",
                "timestamp: it has no UTC offset, so the instant is ambiguous: add Z or ±hh:mm",
                "format",
            ),
        )


# ---------------------------------------------------------------------------------------------
# integrations


class TestIntegrations:
    def test_loop_prevention_entries_are_always_false(self) -> None:
        assert convert(record())["integrations"] == LOOP_PREVENTION
        assert convert(profile())["integrations"] == LOOP_PREVENTION

    def test_configured_entries_are_merged(self) -> None:
        config = parse({"integrations": {"Mixpanel": False, "Amplitude": {"session_id": 1}}})
        expected = {**LOOP_PREVENTION, "Mixpanel": False, "Amplitude": {"session_id": 1}}
        assert convert(record(), config)["integrations"] == expected
        assert convert(profile(), config)["integrations"] == expected

    def test_restating_a_loop_prevention_entry_as_false_is_fine(self) -> None:
        config = parse({"integrations": {"Antavo (Actions)": False, "All": True}})
        assert convert(record(), config)["integrations"] == {**LOOP_PREVENTION, "All": True}

    @pytest.mark.parametrize("name", list(LOOP_PREVENTION))
    @pytest.mark.parametrize("value", [True, {"on": True}])
    def test_turning_a_loop_prevention_entry_on_is_a_config_error(
        self, name: str, value: Any
    ) -> None:
        with pytest.raises(ConfigError) as caught:
            parse({"integrations": {name: value}})
        assert name in str(caught.value)

    def test_messages_do_not_share_the_integrations_object(self) -> None:
        config = Config()
        first = convert(record(), config)
        first["integrations"]["Antavo (Actions)"] = True
        assert convert(record(), config)["integrations"] == LOOP_PREVENTION


# ---------------------------------------------------------------------------------------------
# messageId


class TestMessageId:
    # Pinned: this literal must never change, or every re-sent event duplicates in Segment.
    NAMESPACE = "338645ba-ba72-5cf6-b0d8-938ffdc975e3"
    PINNED_RECORD: ClassVar[dict[str, Any]] = {
        "customer": "cust-1",
        "action": "point_add",
        "data": {"points": 100},
        "timestamp": "2024-11-26T15:19:14Z",
        "id": "667c850e8ca0cb5f6e0abe03",
    }
    PINNED_ID = "0dbe9c01-e9bc-5bb7-88c7-848e3c743e6e"

    def test_namespace_is_the_documented_fixed_one(self) -> None:
        assert str(MESSAGE_ID_NAMESPACE) == self.NAMESPACE
        expected = uuid.uuid5(uuid.NAMESPACE_URL, "https://schemas.contract-kit.dev/message-id")
        assert expected == MESSAGE_ID_NAMESPACE

    def test_is_a_version_5_uuid_string(self) -> None:
        for rec in (record(), record(id="e1"), profile(), profile(id="e2")):
            message_id = convert(rec)["messageId"]
            assert isinstance(message_id, str)
            assert uuid.UUID(message_id).version == 5
            assert str(uuid.UUID(message_id)) == message_id

    def test_pinned_value_for_a_literal_record(self) -> None:
        name = "cust-1\n667c850e8ca0cb5f6e0abe03"
        independent = str(uuid.uuid5(uuid.UUID(self.NAMESPACE), name))
        assert independent == self.PINNED_ID
        assert convert(dict(self.PINNED_RECORD))["messageId"] == self.PINNED_ID

    def test_pinned_value_for_a_literal_record_without_id(self) -> None:
        rec = {
            "timestamp": "2024-11-26T15:19:14Z",
            "data": {"points": 100, "note": "Zoë"},
            "customer": "cust-1",
            "action": "point_add",
        }
        name = (
            '{"action":"point_add","customer":"cust-1",'
            '"data":{"note":"Zoë","points":100},"timestamp":"2024-11-26T15:19:14Z"}'
        )
        expected = "aff625fa-592c-52a0-85ae-a1b993c3801c"
        assert str(uuid.uuid5(uuid.UUID(self.NAMESPACE), name)) == expected
        assert convert(rec)["messageId"] == expected

    def test_with_id_it_is_customer_and_id_joined_by_newline(self) -> None:
        rec = record(customer="c-9", id="667c850e8ca0cb5f6e0abe03")
        expected = uuid.uuid5(MESSAGE_ID_NAMESPACE, "c-9\n667c850e8ca0cb5f6e0abe03")
        assert convert(rec)["messageId"] == str(expected)

    def test_resent_event_with_same_id_deduplicates(self) -> None:
        first = record(id="E1", timestamp="2024-11-26T15:19:14Z", data={"points": 1})
        again = record(id="E1", timestamp=1732700000, data={"points": 1}, account="x")
        assert convert(first)["messageId"] == convert(again)["messageId"]

    def test_same_id_for_another_customer_differs(self) -> None:
        assert (
            convert(record(id="E1"))["messageId"]
            != convert(record(id="E1", customer="cust-2"))["messageId"]
        )

    def test_without_id_it_is_the_canonical_json_of_the_record(self) -> None:
        rec = record(data={"points": 100, "note": "Zoë €"}, account="gold")
        expected = uuid.uuid5(MESSAGE_ID_NAMESPACE, canonical(rec))
        assert convert(rec)["messageId"] == str(expected)
        # not ASCII-escaped, not spaced
        escaped = json.dumps(rec, sort_keys=True, separators=(",", ":"))
        spaced = json.dumps(rec, sort_keys=True, ensure_ascii=False)
        assert convert(rec)["messageId"] != str(uuid.uuid5(MESSAGE_ID_NAMESPACE, escaped))
        assert convert(rec)["messageId"] != str(uuid.uuid5(MESSAGE_ID_NAMESPACE, spaced))

    def test_key_order_does_not_change_it(self) -> None:
        rec = record(data={"a": 1, "b": {"y": 2, "x": 3}}, account="gold")
        reordered = {key: rec[key] for key in reversed(list(rec))}
        reordered["data"] = {"b": {"x": 3, "y": 2}, "a": 1}
        assert convert(rec)["messageId"] == convert(reordered)["messageId"]

    @pytest.mark.parametrize(
        "change",
        [
            {"timestamp": "2024-11-26T15:19:15Z"},
            {"timestamp": "2024-11-26T16:19:14+01:00"},  # same instant, other record
            {"customer": "cust-2"},
            {"data": {"points": 101}},
            {"data": {"points": 100.0}},
            {"data": {"points": 100, "extra": None}},
            {"account": "gold"},
            {"attributes": {}},
            {"external_id": "x"},
            {"action": "point_sub"},
        ],
    )
    def test_any_change_to_the_record_changes_it(self, change: dict[str, Any]) -> None:
        assert convert(record())["messageId"] != convert(record(**change))["messageId"]

    def test_same_record_same_id_on_every_call(self) -> None:
        ids = {convert(record())["messageId"] for _ in range(3)}
        ids |= {convert(json.loads(json.dumps(record())))["messageId"]}
        assert len(ids) == 1

    def test_through_convert(self) -> None:
        rec = record(id="E1")
        [message] = contract_kit.convert([rec]).messages
        assert message["messageId"] == str(uuid.uuid5(MESSAGE_ID_NAMESPACE, "cust-1\nE1"))

    def test_a_lone_surrogate_in_customer_or_id_still_gives_a_message_id(self) -> None:
        # A Python caller's record may hold one (JSON's "\udc80"): its UTF-8 form, surrogate
        # passed through, is the name; the messageId is still the RFC 9562 version-5 UUID.
        rec = record(customer="c\udc80", id="E\ud800")
        name = "c\udc80\nE\ud800".encode("utf-8", "surrogatepass")
        digest = hashlib.sha1(MESSAGE_ID_NAMESPACE.bytes + name).digest()[:16]
        expected = uuid.UUID(bytes=digest, version=5)
        assert convert(rec)["messageId"] == str(expected)


# ---------------------------------------------------------------------------------------------
# account


class TestAccount:
    def test_account_becomes_properties_account_on_track(self) -> None:
        message = convert(record(account="gold"))
        assert message["properties"] == {"points": 100, "account": "gold"}
        assert "account" not in message

    def test_data_account_wins(self) -> None:
        message = convert(record(account="gold", data={"points": 1, "account": "silver"}))
        assert message["properties"]["account"] == "silver"
        message = convert(record(account="gold", data={"points": 1, "account": None}))
        assert message["properties"]["account"] is None

    def test_no_account_field_no_property(self) -> None:
        assert "account" not in convert(record())["properties"]

    def test_never_on_identify(self) -> None:
        message = convert(profile(account="gold"))
        assert "account" not in message["traits"]
        assert "account" not in message
        assert "account" not in json.dumps(message)


# ---------------------------------------------------------------------------------------------
# sync settings (§3)


class TestSyncSettings:
    def test_events_list_skips_other_actions(self) -> None:
        config = parse({"events": ["point_add"]})
        assert isinstance(to_segment(record(action="point_add"), config), Converted)
        result = to_segment(record(action="Visited Store", data={}), config)
        assert isinstance(result, Skipped)
        assert "Visited Store" in result.reason

    def test_star_means_all(self) -> None:
        config = parse({"events": ["*"]})
        for action in ("point_add", "Visited Store", "opt_in"):
            assert isinstance(
                to_segment(record(action=action, data={"points": 1}), config), Converted
            )

    def test_empty_events_list_skips_every_track(self) -> None:
        config = parse({"events": []})
        assert isinstance(to_segment(record(), config), Skipped)
        assert isinstance(to_segment(profile(), config), Converted)

    def test_events_uses_original_names_not_renames(self) -> None:
        config = parse({"events": ["point_add"], "event_names": {"point_add": "Points Added"}})
        assert convert(record(), config)["event"] == "Points Added"
        renamed_only = parse(
            {"events": ["Points Added"], "event_names": {"point_add": "Points Added"}}
        )
        assert isinstance(to_segment(record(), renamed_only), Skipped)

    def test_profile_updates_are_not_governed_by_events(self) -> None:
        config = parse({"events": ["point_add"]})
        assert convert(profile(), config)["type"] == "identify"

    def test_attributes_restrict_traits(self) -> None:
        rec = profile(data={"first_name": "Ada", "email": "a@b.c", "phone": None})
        message = convert(rec, attributes=["email", "phone", "not_there"])
        assert message["traits"] == {"email": "a@b.c", "phone": None}

    def test_attributes_do_not_restrict_track_properties(self) -> None:
        message = convert(record(data={"points": 1, "email": "a@b.c"}), attributes=["email"])
        assert message["properties"] == {"points": 1, "email": "a@b.c"}

    def test_profile_update_left_with_no_trait_is_skipped(self) -> None:
        result = to_segment(profile(data={"first_name": "Ada"}), parse({"attributes": ["email"]}))
        assert isinstance(result, Skipped)
        assert result.reason == "profile update with no synced attribute"

    def test_an_event_left_out_is_skipped_with_its_name(self) -> None:
        result = to_segment(record(action="Visited Store"), parse({"events": ["point_add"]}))
        assert result == Skipped("event 'Visited Store' is not synced")

    def test_profile_with_star_keeps_every_trait(self) -> None:
        data = {"first_name": "Ada", "custom": {"x": [1, 2.0]}}
        assert convert(profile(data=data), attributes=["*"])["traits"] == data

    def test_event_names_rename_the_event(self) -> None:
        config = parse({"event_names": {"point_add": "Points Added"}})
        assert convert(record(action="point_add"), config)["event"] == "Points Added"
        assert convert(record(action="point_sub"), config)["event"] == "point_sub"

    def test_empty_event_name_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="event_names"):
            parse({"event_names": {"point_add": ""}})

    def test_skipped_records_are_counted_not_errors(self) -> None:
        records = [record(), record(action="Visited Store", data={}), profile(data={"x": 1})]
        config = parse({"events": ["point_add"], "attributes": ["email"]})
        result = contract_kit.convert(records, config=config)
        assert result.ok
        assert [m["event"] for m in result.messages] == ["point_add"]
        assert (result.report.converted, result.report.skipped) == (1, 2)


# ---------------------------------------------------------------------------------------------
# shape of the output


class TestOutputShape:
    def test_track_key_order(self) -> None:
        message = convert(record(account="gold"), integrations={"Mixpanel": True})
        assert list(message) == [
            "type",
            "event",
            "userId",
            "timestamp",
            "messageId",
            "properties",
            "integrations",
        ]

    def test_identify_key_order(self) -> None:
        message = convert(profile(account="gold", external_id="x", attributes={"a": 1}))
        assert list(message) == [
            "type",
            "userId",
            "timestamp",
            "messageId",
            "traits",
            "integrations",
        ]

    def test_key_order_survives_serialisation_through_convert(self) -> None:
        result = contract_kit.convert([record(), profile()])
        lines = [json.dumps(m) for m in result.messages]
        assert lines[0].startswith('{"type": "track", "event": "point_add", "userId": ')
        assert lines[1].startswith('{"type": "identify", "userId": ')

    @pytest.mark.parametrize(
        "rec",
        [
            record(id="x", external_id="e", account="a", attributes={"crm_id": "c"}),
            profile(id="x", external_id="e", account="a", attributes={"crm_id": "c"}),
        ],
        ids=["track", "identify"],
    )
    def test_nothing_else_is_invented(self, rec: dict[str, Any]) -> None:
        message = convert(rec)
        for invented in (
            "anonymousId",
            "sentAt",
            "context",
            "originalTimestamp",
            "receivedAt",
            "id",
            "external_id",
            "attributes",
            "customer",
            "action",
            "data",
        ):
            assert invented not in message
        assert len(message) == (7 if message["type"] == "track" else 6)


# ---------------------------------------------------------------------------------------------
# end to end


class TestConvertEndToEnd:
    def test_messages_in_input_order_with_violations_and_skips_reported(self) -> None:
        records = [
            record(customer="a", action="point_add", data={"points": 1}),  # 0 converted
            record(customer="b", action="point_add", data={"points": "x"}),  # 1 invalid data
            profile(customer="c", data={"email": "c@example.com"}),  # 2 converted
            record(customer="d", action="Ignored", data={}),  # 3 skipped
            record(customer="e", action="point_sub", data={"points": 2}, acton="x"),  # 4 unknown
            record(customer="f", action="refund", data={"transaction_id": "T"}),  # 5 converted
            record(customer="g", timestamp="2024-11-26T15:19:14"),  # 6 naive timestamp
        ]
        config = parse({"events": ["point_add", "point_sub", "refund"]})
        result = contract_kit.convert(records, config=config)

        assert [m["userId"] for m in result.messages] == ["a", "c", "f"]
        assert [m["type"] for m in result.messages] == ["track", "identify", "track"]
        assert not result.ok
        assert sorted({v.record for v in result.violations}) == [1, 4, 6]
        pointers = {(v.record, v.pointer) for v in result.violations}
        assert (1, "/data/points") in pointers
        assert (6, "/timestamp") in pointers
        assert any(v.record == 4 and "acton" in (v.pointer + v.message) for v in result.violations)
        report = result.report
        assert (report.records, report.converted, report.skipped, report.rejected) == (7, 3, 1, 3)

    def test_all_valid_is_ok(self) -> None:
        result = contract_kit.convert([record(), profile(), record(timestamp=1732634354.123)])
        assert result.ok
        assert result.violations == ()
        assert [m["timestamp"] for m in result.messages] == [
            "2024-11-26T15:19:14.000Z",
            "2024-11-26T15:19:14.000Z",
            "2024-11-26T15:19:14.123Z",
        ]

    def test_single_record_and_default_config(self) -> None:
        result = contract_kit.convert(record(data={"points": 5}, account="gold"))
        assert result.messages == [
            {
                "type": "track",
                "event": "point_add",
                "userId": "cust-1",
                "timestamp": "2024-11-26T15:19:14.000Z",
                "messageId": str(
                    uuid.uuid5(
                        MESSAGE_ID_NAMESPACE, canonical(record(data={"points": 5}, account="gold"))
                    )
                ),
                "properties": {"points": 5, "account": "gold"},
                "integrations": LOOP_PREVENTION,
            }
        ]

    def test_float_survives_end_to_end(self) -> None:
        result = contract_kit.convert([record(action="Paid", data={"amount": 5.0})])
        [message] = result.messages
        assert json.dumps(message["properties"]) == '{"amount": 5.0}'


@example("c\ud800", "e1")  # a lone surrogate: both sides write it as UTF-8 can (surrogatepass)
@given(st.text(), st.text())
def test_an_event_key_is_the_same_from_the_hash_or_from_the_message_id(
    customer: str, event_id: str
) -> None:
    """validate keys an Antavo id from the hash, convert from the messageId it wrote: one run
    holds only one of them, but both must name (customer, id) alike."""
    written = transform.event_message_id(customer, event_id)
    assert transform.event_key(customer, event_id) == transform.message_key(written)
    assert transform.event_key(customer, event_id) < 2**62
