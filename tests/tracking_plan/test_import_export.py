"""`contract-kit plan import` and `plan export`: a Segment tracking-plan export turned into a plan
folder and back, as a user sees it (files written, documents printed, errors on one line)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from contract_kit import tracking_plan

from ..helpers import (
    DATA,
    SAMPLE_PLAN,
    counting_server,
    load_json,
    one_error_line,
    run,
    write_json,
)

SEGMENT_PLANS = DATA / "segment-plans"
PUBLIC_API = SEGMENT_PLANS / "public-api-response.json"
RULES_LIST = SEGMENT_PLANS / "rules-list.json"
CONFIG_API = SEGMENT_PLANS / "config-api-legacy.json"
EXPORTS = [PUBLIC_API, RULES_LIST, CONFIG_API]
DRAFT_07 = "http://json-schema.org/draft-07/schema#"


# helpers ----------------------------------------------------------------------------------


def ordered(value: Any) -> str:
    """The value as text, keys in their own order: equal texts mean equal key order too."""
    return json.dumps(value, ensure_ascii=False)


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder`, with its bytes (None for a folder)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


def import_ok(source: Path, folder: str = "plan") -> Result:
    result = run("plan", "import", str(source), "--plan", folder)
    assert result.exit_code == 0, result.output
    return result


def export_ok(folder: str = "plan", *options: str) -> Any:
    result = run("plan", "export", "--plan", folder, *options)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def public_rules() -> list[dict[str, Any]]:
    return load_json(PUBLIC_API)["data"]["rules"]


def rule_at(rules: list[dict[str, Any]], type_: str, key: str | None, version: int) -> Any:
    (found,) = [
        r
        for r in rules
        if r["type"] == type_ and r.get("key") == key and r.get("version", 1) == version
    ]
    return found


def schemas_by_identity(folder: Path) -> dict[tuple[str, str | None, int], Any]:
    plan = tracking_plan.load(folder)
    found = {(r.type, r.key, r.version): r.schema for r in plan.rules}
    assert len(found) == len(plan.rules)
    return found


def track_rule(key: str, properties: Any, version: int = 1) -> dict[str, Any]:
    """A Public API TRACK rule, its properties' schema at jsonSchema.properties.properties."""
    return {
        "type": "TRACK",
        "key": key,
        "version": version,
        "jsonSchema": {
            "$schema": DRAFT_07,
            "type": "object",
            "properties": {"properties": properties},
        },
    }


# 1. round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("source", EXPORTS, ids=lambda p: p.stem)
def test_import_then_export_gives_the_same_document_in_the_same_key_order(source: Path) -> None:
    import_ok(source)
    original = load_json(source)
    exported = export_ok()
    assert exported == original
    assert ordered(exported) == ordered(original)


@pytest.mark.parametrize("source", EXPORTS, ids=lambda p: p.stem)
def test_export_to_a_file_writes_the_same_document_and_leaves_no_temporary_file(
    source: Path, tmp_path: Path
) -> None:
    import_ok(source)
    out = tmp_path / "out"
    out.mkdir()
    result = run("plan", "export", "--plan", "plan", "-o", str(out / "export.json"))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["export.json"]
    assert ordered(load_json(out / "export.json")) == ordered(load_json(source))


def test_group_and_screen_rules_round_trip_too(tmp_path: Path) -> None:
    rules = [
        {
            "type": "GROUP",
            "version": 1,
            "jsonSchema": {"type": "object", "properties": {"traits": {"type": "object"}}},
        },
        {
            "type": "SCREEN",
            "key": "Rewards",
            "version": 3,
            "jsonSchema": {"type": "object", "properties": {"properties": {"type": "object"}}},
        },
    ]
    source = write_json(tmp_path / "export.json", rules)
    result = import_ok(source)
    assert files_in(tmp_path / "plan") == {
        "group.schema.json",
        "screen/Rewards.schema.json",
        "plan.json",
    }
    assert "kept" in result.stdout
    assert ordered(export_ok()) == ordered(rules)


@pytest.mark.parametrize(
    "json_schema", [{}, {"$schema": DRAFT_07, "type": "object"}], ids=["empty", "no-properties"]
)
def test_a_rule_whose_schema_has_no_properties_member_round_trips(
    tmp_path: Path, json_schema: dict[str, Any]
) -> None:
    rules = [{"type": "TRACK", "key": "ping", "version": 1, "jsonSchema": json_schema}]
    import_ok(write_json(tmp_path / "export.json", rules))
    assert ordered(export_ok()) == ordered(rules)


def test_a_schema_written_into_the_file_of_such_a_rule_is_exported(tmp_path: Path) -> None:
    rules = [{"type": "TRACK", "key": "ping", "version": 1, "jsonSchema": {"type": "object"}}]
    import_ok(write_json(tmp_path / "export.json", rules))
    assert load_json(tmp_path / "plan/track/ping.schema.json") == {}
    planned = {"type": "object", "required": ["n"]}
    write_json(tmp_path / "plan/track/ping.schema.json", planned)
    (rule,) = export_ok()
    assert rule["jsonSchema"] == {"type": "object", "properties": {"properties": planned}}


def test_import_leaves_only_the_plan_folder_beside_it(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    import_ok(RULES_LIST)  # a replacement too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


# 2. the files import writes ---------------------------------------------------------------

PUBLIC_API_FILES = {
    "common.schema.json",
    "identify.schema.json",
    "track/point_add.schema.json",
    "track/point_add@1.schema.json",
    "track/review_submit.schema.json",
    "track/checkout.schema.json",
    "track/Order Completed.schema.json",
    "page/Home.schema.json",
    "plan.json",
}


def test_import_writes_one_file_per_rule_and_plan_json(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    assert files_in(tmp_path / "plan") == PUBLIC_API_FILES


@pytest.mark.parametrize(
    ("file", "type_", "key", "version"),
    [
        ("track/point_add.schema.json", "TRACK", "point_add", 2),
        ("track/point_add@1.schema.json", "TRACK", "point_add", 1),
        ("track/review_submit.schema.json", "TRACK", "review_submit", 1),
        ("track/checkout.schema.json", "TRACK", "checkout", 1),
        ("track/Order Completed.schema.json", "TRACK", "Order Completed", 1),
        ("page/Home.schema.json", "PAGE", "Home", 1),
    ],
)
def test_a_keyed_rules_file_is_its_unwrapped_properties_schema(
    tmp_path: Path, file: str, type_: str, key: str, version: int
) -> None:
    import_ok(PUBLIC_API)
    expected = rule_at(public_rules(), type_, key, version)["jsonSchema"]["properties"]
    expected = expected["properties"]
    written = load_json(tmp_path / "plan" / file)
    assert ordered(written) == ordered(expected)


def test_point_add_files_keep_segments_id_members_and_differ_by_version(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    current = load_json(tmp_path / "plan/track/point_add.schema.json")
    older = load_json(tmp_path / "plan/track/point_add@1.schema.json")
    assert current["id"] == "/properties/properties"
    assert current["properties"]["points"]["id"] == "/properties/properties/properties/points"
    assert current["required"] == ["points", "reason"]  # version 2
    assert older["required"] == ["points"]  # version 1


def test_identify_file_is_the_traits_schema_and_common_file_is_the_whole(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    rules = public_rules()
    identify = rule_at(rules, "IDENTIFY", "", 1)["jsonSchema"]["properties"]["traits"]
    common = rule_at(rules, "COMMON", None, 1)["jsonSchema"]
    assert ordered(load_json(tmp_path / "plan/identify.schema.json")) == ordered(identify)
    assert ordered(load_json(tmp_path / "plan/common.schema.json")) == ordered(common)


def test_import_output_names_every_file_and_says_page_rules_are_not_checked() -> None:
    result = import_ok(PUBLIC_API)
    lines = result.stdout.splitlines()
    for file in PUBLIC_API_FILES:
        assert any(line.startswith(f"wrote plan/{file}:") for line in lines), file
    (page,) = [line for line in lines if line.startswith("wrote plan/page/Home.schema.json")]
    assert "PAGE" in page
    assert "kept" in page
    assert "checked" in page
    track = next(line for line in lines if line.startswith("wrote plan/track/checkout."))
    assert "kept" not in track
    assert lines[-1].startswith("imported 8 rules (4 track events)")


# 3. an edited file shows up in the export -------------------------------------------------


def test_a_property_added_to_a_schema_file_is_exported_in_its_rule_only(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    file = tmp_path / "plan/track/point_add.schema.json"
    edited = load_json(file)
    edited["properties"]["campaign"] = {"type": "string", "description": "Campaign code."}
    write_json(file, edited)

    exported = export_ok()
    expected = load_json(PUBLIC_API)
    target = rule_at(expected["data"]["rules"], "TRACK", "point_add", 2)
    target["jsonSchema"]["properties"]["properties"]["properties"]["campaign"] = {
        "type": "string",
        "description": "Campaign code.",
    }
    assert ordered(exported) == ordered(expected)
    older = rule_at(exported["data"]["rules"], "TRACK", "point_add", 1)
    assert "campaign" not in older["jsonSchema"]["properties"]["properties"]["properties"]


def test_an_edited_identify_file_is_exported_at_properties_traits(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    file = tmp_path / "plan/identify.schema.json"
    edited = load_json(file)
    edited["required"] = ["email"]
    write_json(file, edited)
    exported = export_ok()
    identify = rule_at(exported["data"]["rules"], "IDENTIFY", "", 1)
    assert identify["jsonSchema"]["properties"]["traits"]["required"] == ["email"]
    assert identify["jsonSchema"]["required"] == ["traits"]  # the envelope is as it was


# 4. exporting a hand-written plan ---------------------------------------------------------


def sample_file(relative: str) -> Any:
    return load_json(SAMPLE_PLAN / relative)


def test_hand_written_plan_exports_as_public_api_by_default() -> None:
    exported = export_ok(str(SAMPLE_PLAN))
    assert list(exported) == ["data"]
    assert list(exported["data"]) == ["rules"]
    rules = exported["data"]["rules"]
    assert len(rules) == 22
    point_add = rule_at(rules, "TRACK", "point_add", 1)
    expected = {
        "key": "point_add",
        "type": "TRACK",
        "version": 1,
        "jsonSchema": {
            "$schema": DRAFT_07,
            "type": "object",
            "properties": {"properties": sample_file("track/point_add.schema.json")},
        },
    }
    assert ordered(point_add) == ordered(expected)
    common = rule_at(rules, "COMMON", None, 1)
    assert common["jsonSchema"] == sample_file("common.schema.json")
    identify = rule_at(rules, "IDENTIFY", None, 1)
    assert identify["jsonSchema"]["properties"]["traits"] == sample_file("identify.schema.json")
    tracked = sorted(r["key"] for r in rules if r["type"] == "TRACK")
    assert tracked == sorted(
        p.name.removesuffix(".schema.json") for p in SAMPLE_PLAN.glob("track/*")
    )


def test_hand_written_plan_exports_as_a_bare_rules_list() -> None:
    listed = export_ok(str(SAMPLE_PLAN), "--form", "rules")
    assert isinstance(listed, list)
    assert listed == export_ok(str(SAMPLE_PLAN))["data"]["rules"]


def test_hand_written_plan_exports_as_a_config_api_plan() -> None:
    exported = export_ok(str(SAMPLE_PLAN), "--form", "config-api")
    rules = exported["rules"]
    assert rules["global"] == sample_file("common.schema.json")
    events = rules["events"]
    assert len(events) == 20
    (point_add,) = [e for e in events if e["name"] == "point_add"]
    assert list(point_add) == ["name", "version", "rules"]
    assert point_add["version"] == 1
    inner = point_add["rules"]["properties"]["properties"]
    assert inner == sample_file("track/point_add.schema.json")
    (identify,) = rules["identify_traits"]
    traits = identify["rules"]["properties"]["traits"]
    assert traits == sample_file("identify.schema.json")


@pytest.mark.parametrize("form", ["public-api", "rules", "config-api"])
def test_exporting_a_hand_written_plan_and_importing_it_again_keeps_every_schema(
    tmp_path: Path, form: str
) -> None:
    result = run("plan", "export", "--plan", str(SAMPLE_PLAN), "--form", form, "-o", "out.json")
    assert result.exit_code == 0, result.output
    import_ok(tmp_path / "out.json", "again")
    assert schemas_by_identity(tmp_path / "again") == schemas_by_identity(SAMPLE_PLAN)
    assert {p.replace("@1", "") for p in files_in(tmp_path / "again")} - {"plan.json"} == (
        files_in(SAMPLE_PLAN)
    )


# 5. across forms --------------------------------------------------------------------------


def test_a_page_rule_cannot_be_exported_in_the_config_api_form() -> None:
    import_ok(PUBLIC_API)
    result = run("plan", "export", "--plan", "plan", "--form", "config-api")
    line = one_error_line(result)
    assert "plan/page/Home.schema.json" in line
    assert "PAGE" in line
    assert result.stdout == ""


def test_config_api_export_to_a_file_that_fails_writes_nothing(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    result = run("plan", "export", "--plan", "plan", "--form", "config-api", "-o", "out.json")
    one_error_line(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_public_api_import_exported_as_rules_has_the_same_schemas() -> None:
    import_ok(PUBLIC_API)
    listed = export_ok("plan", "--form", "rules")
    assert isinstance(listed, list)

    def essentials(rules: list[dict[str, Any]]) -> list[Any]:
        return [(r["type"], r.get("key") or None, r["version"], r["jsonSchema"]) for r in rules]

    assert essentials(listed) == essentials(public_rules())


@pytest.mark.parametrize(
    ("source", "form"),
    [(PUBLIC_API, "rules"), (RULES_LIST, "public-api")],
    ids=["to-rules", "to-public-api"],
)
def test_public_api_and_rules_forms_hold_the_same_rule_objects(source: Path, form: str) -> None:
    import_ok(source)
    exported = export_ok("plan", "--form", form)
    original = load_json(source)
    rules = exported if form == "rules" else exported["data"]["rules"]
    expected = original if isinstance(original, list) else original["data"]["rules"]
    assert ordered(rules) == ordered(expected)


# 6. import errors -------------------------------------------------------------------------


def mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = copy.deepcopy(load_json(PUBLIC_API))
    change(document)
    return document


def _set(index: int, name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["data"]["rules"][index].__setitem__(name, value)


def _drop_key(d: dict[str, Any]) -> None:
    del d["data"]["rules"][2]["key"]


def _duplicate(d: dict[str, Any]) -> None:
    d["data"]["rules"].append(copy.deepcopy(d["data"]["rules"][2]))


def _integr(d: dict[str, Any]) -> None:
    properties = d["data"]["rules"][2]["jsonSchema"]["properties"]["properties"]
    properties["properties"]["rating"]["type"] = "integr"


def assert_nothing_written(tmp_path: Path, *kept: str) -> None:
    assert not (tmp_path / "plan").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        (_set(2, "type", "BANANA"), "/data/rules/2/type", "BANANA"),
        (_drop_key, "/data/rules/2/key", "key"),
        (_set(2, "key", ""), "/data/rules/2/key", "key"),
        (_set(2, "version", 0), "/data/rules/2/version", "0"),
        (_set(2, "version", "1"), "/data/rules/2/version", "'1'"),
        (_set(2, "version", True), "/data/rules/2/version", "True"),
        (_duplicate, "/data/rules/8", "review_submit"),
        (_integr, "/data/rules/2/", "integr"),
    ],
    ids=[
        "type-banana",
        "track-without-key",
        "track-empty-key",
        "version-0",
        "version-string",
        "version-bool",
        "same-type-key-version-twice",
        "invalid-draft-07",
    ],
)
def test_a_bad_rule_is_refused_on_one_line_naming_file_and_pointer(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], pointer: str, words: str
) -> None:
    source = write_json(tmp_path / "export.json", mutated(change))
    result = run("plan", "import", str(source), "--plan", "plan")
    line = one_error_line(result)
    assert line.startswith(f"contract-kit: error: {source}: {pointer}")
    assert words in line
    assert result.stdout == ""
    assert_nothing_written(tmp_path, "export.json")


def test_a_duplicate_names_the_first_place_too(tmp_path: Path) -> None:
    source = write_json(tmp_path / "export.json", mutated(_duplicate))
    line = one_error_line(run("plan", "import", str(source), "--plan", "plan"))
    assert "/data/rules/2" in line


def test_an_invalid_schema_is_named_at_its_place_inside_json_schema(tmp_path: Path) -> None:
    source = write_json(tmp_path / "export.json", mutated(_integr))
    line = one_error_line(run("plan", "import", str(source), "--plan", "plan"))
    pointer = "/data/rules/2/jsonSchema/properties/properties/properties/rating/type"
    assert line.startswith(f"contract-kit: error: {source}: {pointer}: ")


def test_an_invalid_legacy_schema_is_named_at_its_place_inside_rules(tmp_path: Path) -> None:
    document = load_json(CONFIG_API)
    document["rules"]["events"][1]["rules"]["properties"]["properties"]["properties"]["total"][
        "type"
    ] = "integr"
    source = write_json(tmp_path / "export.json", document)
    line = one_error_line(run("plan", "import", str(source), "--plan", "plan"))
    pointer = "/rules/events/1/rules/properties/properties/properties/total/type"
    assert line.startswith(f"contract-kit: error: {source}: {pointer}: ")


def test_an_export_that_is_not_json_is_named_with_line_and_column(tmp_path: Path) -> None:
    source = tmp_path / "export.json"
    source.write_text('{\n  "data": nope\n}\n', encoding="utf-8")
    result = run("plan", "import", str(source), "--plan", "plan")
    line = one_error_line(result)
    assert line.startswith(f"contract-kit: error: {source}:2:11: ")
    assert_nothing_written(tmp_path, "export.json")


def test_json_that_is_no_export_is_refused(tmp_path: Path) -> None:
    source = write_json(tmp_path / "export.json", {"foo": 1})
    line = one_error_line(run("plan", "import", str(source), "--plan", "plan"))
    assert line.startswith(f"contract-kit: error: {source}: ")
    assert "not a Segment tracking-plan export" in line
    assert_nothing_written(tmp_path, "export.json")


def test_a_missing_export_file_is_a_usage_error(tmp_path: Path) -> None:
    line = one_error_line(run("plan", "import", "missing.json", "--plan", "plan"))
    assert "missing.json" in line
    assert_nothing_written(tmp_path)


def test_a_ref_to_an_http_url_is_refused_without_fetching_it(tmp_path: Path) -> None:
    with counting_server({"type": "integer"}) as (base, asked):
        url = f"{base}/points.json"
        rule = track_rule("x", {"type": "object", "properties": {"n": {"$ref": url}}})
        source = write_json(tmp_path / "export.json", {"data": {"rules": [rule]}})
        result = run("plan", "import", str(source), "--plan", "plan")
    line = one_error_line(result)
    assert line.startswith(f"contract-kit: error: {source}: /data/rules/0/jsonSchema/")
    assert url in line
    assert asked == []
    assert_nothing_written(tmp_path, "export.json")


def test_an_error_in_a_nested_target_creates_no_parent_folder(tmp_path: Path) -> None:
    source = write_json(tmp_path / "export.json", mutated(_set(0, "type", "BANANA")))
    one_error_line(run("plan", "import", str(source), "--plan", "a/b/plan"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"]


# 7. replacing, and the default folder -----------------------------------------------------


def test_importing_over_a_plan_replaces_it(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    assert (tmp_path / "plan/track/checkout.schema.json").is_file()
    import_ok(RULES_LIST)
    assert files_in(tmp_path / "plan") == {
        "plan.json",
        "identify.schema.json",
        "track/point_sub.schema.json",
        "track/daily_login.schema.json",
        "track/coupon_redeem.schema.json",
    }
    assert ordered(export_ok()) == ordered(load_json(RULES_LIST))


def test_importing_over_a_hand_written_plan_replaces_it(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    write_json(plan / "track/stale.schema.json", {"type": "object"})
    write_json(plan / "common.schema.json", {"type": "object"})
    import_ok(RULES_LIST)
    assert not (plan / "track/stale.schema.json").exists()
    assert "common.schema.json" not in files_in(plan)


@pytest.mark.parametrize("other", ["src/app.py", "extra.json", "track/draft.json"])
def test_importing_into_a_folder_holding_other_files_is_refused(tmp_path: Path, other: str) -> None:
    import_ok(PUBLIC_API)
    (tmp_path / "plan" / other).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "plan" / other).write_text("keep me\n", encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("plan", "import", str(RULES_LIST), "--plan", "plan")
    line = one_error_line(result)
    assert "plan" in line
    assert other.split("/")[0] in line
    assert snapshot(tmp_path) == before


def test_notes_beside_the_schemas_survive_a_new_import(tmp_path: Path) -> None:
    import_ok(PUBLIC_API)
    (tmp_path / "plan" / "README.md").write_text("Owned by the data team.\n", encoding="utf-8")
    (tmp_path / "plan" / "track" / "NOTES.txt").write_text("point_add v3 soon\n", encoding="utf-8")
    import_ok(RULES_LIST)
    assert (tmp_path / "plan" / "README.md").read_text() == "Owned by the data team.\n"
    assert (tmp_path / "plan" / "track" / "NOTES.txt").read_text() == "point_add v3 soon\n"
    assert "track/point_add@1.schema.json" not in files_in(tmp_path / "plan")


def test_an_import_that_cannot_be_written_is_one_line_naming_the_file(tmp_path: Path) -> None:
    long_name = "e" * 300  # longer than a file name may be
    rules = [track_rule(long_name, {"type": "object"})]
    result = run("plan", "import", str(write_json(tmp_path / "x.json", rules)), "--plan", "plan")
    line = one_error_line(result)
    assert "cannot write" in line and "plan" in line
    assert not (tmp_path / "plan").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_importing_into_a_non_plan_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "project/src").mkdir(parents=True)
    (tmp_path / "project/src/app.py").write_text("print('hi')\n", encoding="utf-8")
    before = snapshot(tmp_path)
    one_error_line(run("plan", "import", str(RULES_LIST), "--plan", "project"))
    assert snapshot(tmp_path) == before


def test_import_writes_tracking_plan_in_the_working_directory_by_default(tmp_path: Path) -> None:
    result = run("plan", "import", str(RULES_LIST))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tracking-plan/track/point_sub.schema.json").is_file()
    assert result.stdout.splitlines()[-1].endswith("into tracking-plan")
    # export and check find it there too
    assert ordered(json.loads(run("plan", "export").stdout)) == ordered(load_json(RULES_LIST))


def test_import_writes_the_configured_plan_folder(tmp_path: Path) -> None:
    (tmp_path / "contract-kit.toml").write_text('plan = "plans/segment"\n', encoding="utf-8")
    result = run("plan", "import", str(RULES_LIST))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plans/segment/track/point_sub.schema.json").is_file()
    assert not (tmp_path / "tracking-plan").exists()
    assert ordered(json.loads(run("plan", "export").stdout)) == ordered(load_json(RULES_LIST))


def test_the_configured_plan_folder_is_relative_to_the_configuration_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf/contract-kit.toml").write_text('plan = "plans/segment"\n', encoding="utf-8")
    result = run("plan", "import", str(RULES_LIST), "--config", "conf/contract-kit.toml")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "conf/plans/segment/track/point_sub.schema.json").is_file()
    assert not (tmp_path / "plans").exists()


# 8. event names a file name cannot hold as they are ---------------------------------------


@pytest.mark.parametrize(
    "key", ["a/b", "x@2", "50%", "a%2Fb", ".hidden", "a:b", " padded ", "Ü-ber"]
)
def test_an_event_name_needing_escapes_round_trips(tmp_path: Path, key: str) -> None:
    properties = {"type": "object", "properties": {"n": {"type": "integer"}}}
    document = {"data": {"rules": [track_rule(key, properties), track_rule("plain", properties)]}}
    source = write_json(tmp_path / "export.json", document)
    import_ok(source)
    (written,) = files_in(tmp_path / "plan/track") - {"plain.schema.json"}
    assert "/" not in written
    assert "@" not in written  # `@` marks a version in a file name
    assert export_ok() == document
    plan = tracking_plan.load(tmp_path / "plan")
    assert plan.events() == sorted([key, "plain"])


def test_escaped_names_keep_their_keys_without_plan_json(tmp_path: Path) -> None:
    properties = {"type": "object"}
    document = {"data": {"rules": [track_rule("a/b", properties), track_rule("x@2", properties)]}}
    import_ok(write_json(tmp_path / "export.json", document))
    (tmp_path / "plan/plan.json").unlink()
    plan = tracking_plan.load(tmp_path / "plan")
    assert {(r.key, r.version) for r in plan.rules} == {("a/b", 1), ("x@2", 1)}
    keys = [r["key"] for r in export_ok()["data"]["rules"]]
    assert sorted(keys) == ["a/b", "x@2"]
