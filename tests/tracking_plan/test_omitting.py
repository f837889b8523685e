"""`unplanned_properties = "omit"`: what checking.omit_unplanned takes out of a message, and
that it is exactly what `warn` warns about."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_kit import tracking_plan
from contract_kit.jsontext import pointers
from contract_kit.tracking_plan import checking

from ..checking.test_fast_path import EXAMPLES
from ..helpers import LOOP_PREVENTION, SAMPLE_PLAN, write_json

OMIT = tracking_plan.load(SAMPLE_PLAN, unplanned_properties="omit")
WARN = dataclasses.replace(OMIT, unplanned_properties="warn")
UNPLANNED = ("unplannedProperty", "unplannedTrait")


def message(kind: str, members: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A Segment message as the mapping writes it: `members` are a track call's properties
    (of `event`, default point_add) or an identify call's traits."""
    head: dict[str, Any] = {"type": kind}
    if kind == "track":
        head["event"] = extra.pop("event", "point_add")
    member = "properties" if kind == "track" else "traits"
    return {**head, "userId": "u-1", "timestamp": "2024-11-26T15:19:14.000Z",
            "messageId": "m-1", member: members, "integrations": LOOP_PREVENTION,
            **extra}  # fmt: skip


def test_undeclared_top_level_properties_go_and_the_rest_keeps_its_order() -> None:
    properties = {"campaign": "w", "points": 40, "zz": [1], "reason": "Review bonus"}
    given_message = message("track", properties)
    before = copy.deepcopy(given_message)
    written, warnings = checking.omit_unplanned(given_message, OMIT)
    assert list(written) == list(given_message)  # the same members, in the same order
    assert list(written["properties"].items()) == [("points", 40), ("reason", "Review bonus")]
    assert {**written, "properties": properties} == given_message
    assert given_message == before  # a new message: the record's own data is not changed
    assert [(w.pointer, w.keyword, w.severity, w.layer) for w in warnings] == [
        ("/properties/campaign", "unplannedProperty", "warning", "plan"),
        ("/properties/zz", "unplannedProperty", "warning", "plan"),
    ]
    assert warnings[0].message == (
        "property 'campaign' is not in the tracking plan for 'point_add'; omitted from the message"
    )
    assert warnings[0].schema == f"{OMIT.folder}/track/point_add.schema.json"


def test_undeclared_traits_of_an_identify_call_go() -> None:
    written, warnings = checking.omit_unplanned(
        message("identify", {"first_name": "Ada", "shoe_size": 38}), OMIT
    )
    assert written["traits"] == {"first_name": "Ada"}
    assert [(w.pointer, w.keyword) for w in warnings] == [("/traits/shoe_size", "unplannedTrait")]
    assert warnings[0].message == (
        "trait 'shoe_size' is not in the tracking plan for identify calls; omitted from the message"
    )


def test_nested_members_are_the_schemas_business() -> None:
    """Only top-level members are planned or not, as `warn` reads it: what a declared property
    holds is kept whole, and checked by its schema."""
    items = [{"product_id": "p", "not_in_any_schema": 1}]
    properties = {"transaction_id": "t", "total": 1, "items": items, "extra": {"a": 1}}
    written, warnings = checking.omit_unplanned(
        message("track", properties, event="checkout"), OMIT
    )
    assert written["properties"]["items"] == items
    assert "extra" not in written["properties"]
    assert [w.pointer for w in warnings] == ["/properties/extra"]


def test_a_message_with_nothing_to_omit_comes_back_as_it_is(tmp_path: Path) -> None:
    open_schema = {"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}
    write_json(tmp_path / "track" / "open.schema.json", open_schema)
    open_plan = tracking_plan.load(tmp_path, unplanned_properties="omit")
    for plan, given_message in [
        (OMIT, message("track", {"points": 1, "reason": "r"})),  # all declared
        (OMIT, message("track", {"anything": 1}, event="wishlist_add")),  # no rule: no plan
        (open_plan, message("track", {"b": 1}, event="open")),  # the schema takes others
        (OMIT, message("track", {"x": 1}, context={"protocols": {"event_version": 9}})),
        (OMIT, {"type": "page", "properties": {"x": 1}}),  # not checked at all
    ]:
        written, warnings = checking.omit_unplanned(given_message, plan)
        assert written is given_message
        assert warnings == []


MEMBERS = st.dictionaries(
    st.one_of(
        st.sampled_from(["points", "reason", "account", "first_name", "email", "favourite_store"]),
        st.text(max_size=6),
    ),
    st.one_of(st.integers(), st.text(max_size=3), st.none()),
    max_size=6,
)


@EXAMPLES
@given(st.sampled_from(["track", "identify"]), MEMBERS)
def test_omit_removes_exactly_what_warn_warns_about(kind: str, members: dict[str, Any]) -> None:
    given_message = message(kind, members)
    warned = [
        f.pointer for f in checking.check(given_message, WARN).findings if f.keyword in UNPLANNED
    ]
    written, warnings = checking.omit_unplanned(given_message, OMIT)
    assert [w.pointer for w in warnings] == warned
    member = "properties" if kind == "track" else "traits"
    kept = {k: v for k, v in members.items() if pointers.join([member, k]) not in warned}
    assert written[member] == kept
    after = checking.check(written, OMIT).findings
    assert [f for f in after if f.keyword in UNPLANNED] == []


#: A schema whose own conditions name members it does not describe under `properties`.
CONDITIONS = {
    "properties": {"total": {}},
    "if": {"properties": {"payment": {"const": "card"}}, "required": ["payment"]},
    "then": {"required": ["card_last4"]},
    "dependencies": {"coupon": ["discount"], "gift": {"properties": {"wrap": {}}}},
    "dependentRequired": {"voucher": ["voucher_code"]},
    "dependentSchemas": {"bundle": {"required": ["bundle_id"]}},
}


@pytest.fixture
def conditions(tmp_path: Path) -> tracking_plan.TrackingPlan:
    write_json(tmp_path / "track" / "pay.schema.json", CONDITIONS)
    return tracking_plan.load(tmp_path, unplanned_properties="omit")


def test_names_the_schema_refers_to_in_its_conditions_are_declared(
    conditions: tracking_plan.TrackingPlan,
) -> None:
    """`if`, `dependencies`, `dependentRequired` and `dependentSchemas` plan the members they
    name: omitting one would change what the plan says of the message (here the if/then rule
    would no longer apply)."""
    named = ["total", "payment", "card_last4", "coupon", "discount", "gift", "wrap",
             "voucher", "voucher_code", "bundle", "bundle_id"]  # fmt: skip
    given_message = message("track", {name: 1 for name in named} | {"stray": 1}, event="pay")
    written, warnings = checking.omit_unplanned(given_message, conditions)
    assert list(written["properties"]) == named
    assert [w.pointer for w in warnings] == ["/properties/stray"]
    warn = dataclasses.replace(conditions, unplanned_properties="warn")
    found = checking.check(given_message, warn).findings
    assert [f.pointer for f in found if f.keyword in UNPLANNED] == ["/properties/stray"]


def test_the_plans_condition_still_applies_to_what_omit_writes(
    conditions: tracking_plan.TrackingPlan,
) -> None:
    given_message = message("track", {"total": 5, "payment": "card", "coupon": "X"}, event="pay")
    written, warnings = checking.omit_unplanned(given_message, conditions)
    assert written is given_message and warnings == []
    errors = [f for f in checking.check(written, conditions).findings if f.severity == "error"]
    assert sorted(f.keyword for f in errors) == ["dependencies", "required"]


@pytest.mark.parametrize(
    "condition",
    [
        {"properties": {"total": {"minimum": 100}}, "additionalProperties": True},
        {"patternProperties": {"^x": {}}},
    ],
    ids=["additionalProperties", "patternProperties"],
)
def test_an_if_admits_no_member_it_only_tests(tmp_path: Path, condition: dict[str, Any]) -> None:
    """An `if` is a condition: what else it would accept never plans a member, so warn still
    warns and omit still omits."""
    schema = {"properties": {"total": {}}, "if": condition, "then": {"required": ["total"]}}
    write_json(tmp_path / "track" / "pay.schema.json", schema)
    plan = tracking_plan.load(tmp_path, unplanned_properties="omit")
    given_message = message("track", {"total": 500, "stray": 1}, event="pay")
    written, warnings = checking.omit_unplanned(given_message, plan)
    assert list(written["properties"]) == ["total"]
    assert [w.pointer for w in warnings] == ["/properties/stray"]
