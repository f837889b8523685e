"""Odd plans, odd exports, odd messages: one verdict whatever the path, never a traceback,
nothing silently ignored. Each test here was a defect found in review."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

import contract_kit
from contract_kit.tracking_plan import engines

from ..helpers import LOOP_PREVENTION, SAMPLE_PLAN, one_error_line, run, violations, write

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def write_json(path: Path, value: Any) -> Path:
    """`value` as compact JSON, non-ASCII escaped: the spelling these cases were found with."""
    return write(path, json.dumps(value))


def track(event: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "track", "event": event, "userId": "u", "messageId": "m",
            "timestamp": "2024-11-26T15:19:14.000Z", "properties": properties,
            "integrations": LOOP_PREVENTION, **extra}  # fmt: skip


def findings(plan: Path, message: dict[str, Any], *options: str) -> list[tuple[str, str]]:
    path = write_json(Path("message.json"), message)
    result = run("validate", str(path), "--plan", str(plan), "--format", "json", *options)
    assert result.exit_code in (0, 1), result.output
    return [(v["pointer"], v["keyword"]) for v in violations(result)]


def imported(rules: list[dict[str, Any]], folder: str) -> bool:
    source = write_json(Path("x.json"), rules)
    return run("plan", "import", str(source), "--plan", folder).exit_code == 0


# one verdict, whatever else the message holds ------------------------------------------------

BUY = {
    "type": "object",
    "properties": {
        "price": {"type": "number", "multipleOf": 0.01},
        "order": {"type": "string", "format": "uuid"},
        "re": {"type": "string", "format": "regex"},
        "link": {"type": "string", "format": "uri"},
        "qty": {"type": "integer"},
    },
}


@pytest.mark.parametrize("qty", [1, "1"], ids=["rest-valid", "rest-invalid"])
def test_a_value_gets_one_verdict_whatever_its_neighbours(qty: object) -> None:
    write_json(Path("plan/track/buy.schema.json"), {"$schema": DRAFT_07, **BUY})
    message = track(
        "buy", {"price": 19.99, "order": "nope", "re": "(?<y>\\d+)", "link": "no uri", "qty": qty}
    )
    found = findings(Path("plan"), message)
    assert found == ([] if qty == 1 else [("/properties/qty", "type")])


def test_multiple_of_a_decimal_step_is_exact() -> None:
    write_json(Path("plan/track/buy.schema.json"), BUY)
    assert findings(Path("plan"), track("buy", {"price": 19.99})) == []
    assert findings(Path("plan"), track("buy", {"price": 19.999})) == [
        ("/properties/price", "multipleOf")
    ]


# nothing silently ignored ----------------------------------------------------------------


def test_a_symlinked_track_folder_is_read() -> None:
    write_json(Path("shared/track/buy.schema.json"), BUY)
    Path("plan").mkdir()
    os.symlink("../shared/track", "plan/track")
    result = run("plan", "check", "--plan", "plan")
    assert result.stdout.startswith("ok: plan: 1 rules, 1 track events")
    assert findings(Path("plan"), track("buy", {"qty": "1"})) == [("/properties/qty", "type")]


def test_a_symlink_loop_in_the_plan_folder_is_not_followed_forever() -> None:
    write_json(Path("plan/track/buy.schema.json"), BUY)
    os.symlink("..", "plan/track/loop")
    assert run("plan", "check", "--plan", "plan").exit_code == 0


def export_with_context(context: Any) -> list[dict[str, Any]]:
    return [
        {"type": "TRACK", "key": "buy", "version": 1,
         "jsonSchema": {"$schema": DRAFT_07, "type": "object",
                        "properties": {"context": context, "properties": BUY}}}
    ]  # fmt: skip


def test_an_envelope_that_is_no_schema_is_refused_at_import() -> None:
    source = write_json(Path("x.json"), export_with_context({"type": "objekt"}))
    line = one_error_line(run("plan", "import", str(source), "--plan", "plan"))
    assert "x.json: /0/jsonSchema/properties/context/type: " in line
    assert not Path("plan").exists()


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda rule: rule.update(envelope={"type": "objekt"}), "/rules/0/envelope/type"),
        (lambda rule: rule.update(envelope=5), "/rules/0/envelope"),
        (lambda rule: rule.update(entry="oops"), "/rules/0/entry"),
        (
            lambda rule: rule["envelope"]["properties"].update(context={"$ref": "#/nope"}),
            "/rules/0/envelope/properties/context/$ref",
        ),
    ],
    ids=["bad-type", "not-a-schema", "entry-not-an-object", "dangling-ref"],
)
def test_a_broken_plan_json_is_a_plan_error_naming_it(change: Any, where: str) -> None:
    source = write_json(Path("x.json"), export_with_context({}))
    assert run("plan", "import", str(source), "--plan", "plan").exit_code == 0
    manifest = json.loads(Path("plan/plan.json").read_text(encoding="utf-8"))
    change(manifest["rules"][0])
    write_json(Path("plan/plan.json"), manifest)
    for command in (["plan", "check"], ["plan", "export"]):
        line = one_error_line(run(*command, "--plan", "plan"))
        assert "plan/plan.json" in line and where in line, line
    line = one_error_line(run("validate", str(write_json(Path("m.json"), track("buy", {}))),
                              "--plan", "plan"))  # fmt: skip
    assert "plan/plan.json" in line


def test_config_api_export_refuses_two_common_versions() -> None:
    rules = [
        {"type": "COMMON", "version": 2, "jsonSchema": {"required": ["userId"]}},
        {"type": "COMMON", "version": 1, "jsonSchema": {}},
    ]
    assert (
        run("plan", "import", str(write_json(Path("x.json"), rules)), "--plan", "p").exit_code == 0
    )
    line = one_error_line(run("plan", "export", "--plan", "p", "--form", "config-api"))
    assert "one global schema" in line


# unplanned --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "file"),
    [("a/b", "track/a%2Fb.schema.json"), ("v@2", "track/v%402.schema.json")],
)
def test_the_unplanned_event_hint_names_the_file_that_would_plan_it(event: str, file: str) -> None:
    write_json(Path("plan/track/other.schema.json"), {})
    path = write_json(Path("m.json"), track(event, {}))
    result = run("validate", str(path), "--plan", "plan")
    assert f"plan it in plan/{file}" in result.stdout
    write_json(Path("plan") / file, {})
    assert run("validate", str(path), "--plan", "plan", "--unplanned", "block").exit_code == 0


def test_properties_declared_through_a_local_ref_are_planned() -> None:
    schema = {"$ref": "#/definitions/buy", "definitions": {"buy": BUY}}
    write_json(Path("plan/track/buy.schema.json"), schema)
    message = track("buy", {"price": 1.5, "qty": 2, "extra": True})
    assert findings(Path("plan"), message) == [("/properties/extra", "unplannedProperty")]


def test_a_required_property_is_planned() -> None:
    """A schema that requires a member plans it, described under `properties` or not: it is
    not unplanned (and so `omit` never removes what the plan then says is missing)."""
    schema = {"required": ["points", "campaign"], "properties": {"points": {"type": "integer"}}}
    write_json(Path("plan/track/point_add.schema.json"), schema)
    message = track("point_add", {"points": 1, "campaign": "x", "extra": 2})
    found = findings(Path("plan"), message, "--unplanned-properties", "block")
    assert found == [("/properties/extra", "unplannedProperty")]


def test_unevaluated_properties_say_themselves_what_else_is_taken() -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **BUY,
              "unevaluatedProperties": {"type": "string"}}  # fmt: skip
    write_json(Path("plan/track/buy.schema.json"), schema)
    assert findings(Path("plan"), track("buy", {"qty": 2, "note": "x"})) == []


def test_example_data_in_a_schema_is_not_read_as_keywords() -> None:
    schema = {
        "type": "object",
        "properties": {
            "style": {"type": "object", "properties": {"pattern": {"type": "string"}},
                      "examples": [{"pattern": "*stripes*", "$ref": "#/nowhere"}]},
        },
    }  # fmt: skip
    write_json(Path("plan/track/buy.schema.json"), schema)
    assert run("plan", "check", "--plan", "plan").exit_code == 0


def test_event_version_one_point_zero_is_version_one() -> None:
    write_json(Path("plan/track/buy.schema.json"), {})
    write_json(Path("plan/track/buy@2.schema.json"), {"required": ["qty"]})
    message = track("buy", {}, context={"protocols": {"event_version": 1.0}})
    assert findings(Path("plan"), message) == []


# convert ------------------------------------------------------------------------------------


def test_a_record_the_plan_rejects_still_holds_its_antavo_id(tmp_path: Path) -> None:
    records = [
        {"customer": "c", "action": "review_submit", "id": "ev-1",
         "data": {"item": "S", "review_id": "r", "rating": rating},
         "timestamp": "2024-11-26T15:19:14Z"}
        for rating in (6, 5)
    ]  # fmt: skip
    path = tmp_path / "dup.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = run("convert", str(path), "--plan", str(SAMPLE_PLAN), "--format", "json")
    keywords = [v["keyword"] for v in json.loads(result.stderr)["violations"]]
    assert keywords == ["maximum", "uniqueEventId"]
    assert result.stdout == ""


# import writes a folder like any other ------------------------------------------------------


def test_an_imported_plan_folder_has_ordinary_permissions() -> None:
    rules = [{"type": "TRACK", "key": "buy", "version": 1, "jsonSchema": {}}]
    old = os.umask(0o022)
    try:
        assert (
            run("plan", "import", str(write_json(Path("x.json"), rules)), "--plan", "p").exit_code
            == 0
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE(Path("p").stat().st_mode) == 0o755


def test_import_into_a_symlinked_plan_folder_writes_where_it_leads() -> None:
    write_json(Path("real/track/old.schema.json"), {})
    os.symlink("real", "plan")
    rules = [{"type": "TRACK", "key": "buy", "version": 1, "jsonSchema": {}}]
    assert (
        run("plan", "import", str(write_json(Path("x.json"), rules)), "--plan", "plan").exit_code
        == 0
    )
    assert Path("plan").is_symlink()
    assert sorted(p.name for p in Path("real/track").iterdir()) == ["buy.schema.json"]
    assert sorted(p.name for p in Path().iterdir()) == ["plan", "real", "x.json"]


# the Python API ---------------------------------------------------------------------------


def test_a_changed_copy_of_a_plan_is_its_own_plan() -> None:
    write_json(Path("plan/track/buy.schema.json"), {"required": ["qty"]})
    plan = contract_kit.load_plan("plan")
    message = track("buy", {})
    assert not contract_kit.validate(message, plan=plan).ok
    lax = dataclasses.replace(
        plan, rules=tuple(dataclasses.replace(r, schema={}) for r in plan.rules)
    )
    assert contract_kit.validate(message, plan=lax).ok
    assert dataclasses.replace(plan, rules=()).events() == []
    assert plan.events() == ["buy"]


def test_an_unknown_policy_is_refused() -> None:
    write_json(Path("plan/track/buy.schema.json"), {})
    with pytest.raises(ValueError, match="unplanned"):
        contract_kit.load_plan("plan", unplanned="bogus")  # type: ignore[arg-type]
    # omit is a policy for properties; Protocols blocks or allows events, it cannot omit them
    with pytest.raises(ValueError, match="unplanned must be one of allow, warn, block, got 'omit'"):
        contract_kit.load_plan("plan", unplanned="omit")  # type: ignore[arg-type]
    assert contract_kit.load_plan("plan", unplanned_properties="omit").unplanned_properties == (
        "omit"
    )


def test_a_plan_setting_naming_a_file_says_it_is_not_a_folder() -> None:
    Path("plan").write_text("{}", encoding="utf-8")
    Path("contract-kit.toml").write_text('plan = "plan"\n', encoding="utf-8")
    line = one_error_line(run("plan", "check"))
    assert line == "contract-kit: error: contract-kit.toml: key 'plan': plan: not a folder"


# second review -------------------------------------------------------------------------------


def test_a_ref_to_an_anchor_is_no_internal_error() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#base",
        "$defs": {"base": {"$anchor": "base", "properties": {"points": {"type": "integer"}}}},
    }
    write_json(Path("plan/track/point_add.schema.json"), schema)
    assert findings(Path("plan"), track("point_add", {"points": 1, "x": 2})) == []


def test_a_percent_encoded_ref_still_plans_its_properties() -> None:
    schema = {"$ref": "#/definitions/a%20b",
              "definitions": {"a b": {"properties": {"points": {"type": "integer"}}}}}  # fmt: skip
    write_json(Path("plan/track/point_add.schema.json"), schema)
    message = track("point_add", {"points": 1})
    assert findings(Path("plan"), message, "--unplanned-properties", "block") == []


@pytest.mark.parametrize("long_id", [False, True], ids=["alone", "beside-a-violation"])
def test_a_format_under_one_of_gets_one_verdict(long_id: bool) -> None:
    common = {"properties": {
        "context": {"properties": {"ip": {"oneOf": [{"format": "ipv4"}, {"format": "ipv6"}]}}},
        "messageId": {"maxLength": 10},
    }}  # fmt: skip
    write_json(Path("plan/common.schema.json"), common)
    message = track("e", {}, context={"ip": "192.0.2.1"})
    message["messageId"] = "m" * (20 if long_id else 1)
    found = findings(Path("plan"), message, "--unplanned", "allow")
    assert found == ([("/messageId", "maxLength")] if long_id else [])


@pytest.mark.parametrize("other", [{}, {"total": "x"}], ids=["alone", "beside-a-violation"])
def test_pattern_properties_end_with_the_string_as_ecma_reads_them(other: dict[str, Any]) -> None:
    schema = {
        "properties": {"total": {"type": "number"}},
        "patternProperties": {"^utm_[a-z]+$": {"type": "string"}},
        "additionalProperties": False,
    }
    write_json(Path("plan/track/buy.schema.json"), schema)
    found = findings(Path("plan"), track("buy", {"utm_source\n": "x", **other}))
    assert ("/properties/utm_source\n", "additionalProperties") in found


@pytest.mark.parametrize("code", ["AB", "é"], ids=["neighbour-ascii", "neighbour-accented"])
def test_a_class_pattern_reused_through_a_ref_gets_one_verdict(code: str) -> None:
    schema = {"properties": {"code": {"pattern": "^\\D+$"},
                             "alt_code": {"$ref": "#/properties/code"}}}  # fmt: skip
    write_json(Path("plan/track/checkout.schema.json"), schema)
    found = findings(Path("plan"), track("checkout", {"code": code, "alt_code": "٣"}))
    reference = engines.build(schema, DRAFT_07).reference
    expected = sorted(pointer_of(e) for e in reference.iter_errors({"code": code, "alt_code": "٣"}))
    assert sorted(pointer for pointer, _ in found) == expected


def pointer_of(error: Any) -> str:
    return "/properties/" + "/".join(map(str, error.absolute_path))


@pytest.mark.parametrize(
    ("value", "step", "multiple"),
    [(1.7e308, 0.01, True), (10**19 + 1, 2, False), (19.99, 0.01, True), (0.3, 0.1, True)],
)
def test_multiple_of_holds_for_large_values(value: float, step: float, multiple: bool) -> None:
    schema = {"properties": {"n": {"multipleOf": step}, "m": {"type": "integer"}}}
    write_json(Path("plan/track/buy.schema.json"), schema)
    for neighbour, expected in ((1, []), ("x", [("/properties/m", "type")])):
        found = findings(Path("plan"), track("buy", {"n": value, "m": neighbour}))
        # in the order of their place in the file: n before m
        assert found == [*([] if multiple else [("/properties/n", "multipleOf")]), *expected]


def test_inline_flags_get_one_verdict() -> None:
    schema = {"properties": {"c": {"pattern": "^(?i:[^a-z])$"}, "n": {"type": "integer"}}}
    write_json(Path("plan/track/buy.schema.json"), schema)
    alone = findings(Path("plan"), track("buy", {"c": "İ", "n": 1}))
    beside = findings(Path("plan"), track("buy", {"c": "İ", "n": "x"}))
    assert [f for f in beside if f[0] != "/properties/n"] == alone


def test_two_rules_sharing_a_file_name_keep_their_own_validators() -> None:
    from contract_kit.tracking_plan import checking
    from contract_kit.tracking_plan.model import Rule, TrackingPlan

    rules = (
        Rule("TRACK", "a", 1, {"properties": {"n": {"type": "integer"}}}, ""),
        Rule("TRACK", "b", 1, {"properties": {"n": {"type": "string"}}}, ""),
    )
    plan = TrackingPlan("plan", rules)
    assert checking.check(track("a", {"n": 1}), plan).findings == []
    assert checking.check(track("b", {"n": "x"}), plan).findings == []


def test_a_plan_builds_its_validators_once_and_a_copy_sent_away_starts_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The compiled validators live on the plan (a worker process gets the plan once, with the
    run's context, when the pool starts it); a pickled copy carries none of them."""
    import pickle

    from contract_kit.tracking_plan import checking

    plan = contract_kit.load_plan(SAMPLE_PLAN)
    built: list[object] = []
    real = engines.build
    monkeypatch.setattr(engines, "build", lambda *a: built.append(a) or real(*a))
    for _ in range(3):
        checking.check(track("point_add", {"points": 1}), plan)
    assert len(built) == 2  # common and point_add, once
    copy = pickle.loads(pickle.dumps(plan))
    assert copy == plan and not copy.compiled
    checking.check(track("point_add", {"points": 1}), copy)
    assert len(built) == 4


def test_a_plan_json_naming_an_unknown_form_is_refused() -> None:
    source = write_json(Path("x.json"), [{"type": "TRACK", "key": "e", "version": 1,
                                          "jsonSchema": {}}])  # fmt: skip
    assert imported(json.loads(source.read_text()), "plan")
    manifest = json.loads(Path("plan/plan.json").read_text())
    write_json(Path("plan/plan.json"), {**manifest, "form": "foo"})
    line = one_error_line(run("plan", "export", "--plan", "plan"))
    assert "plan/plan.json" in line and "/form" in line
