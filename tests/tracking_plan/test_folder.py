"""A tracking-plan folder as users keep it: `contract-kit plan check` says whether it can be used
(and, if not, which file, where, and why), and `contract-kit validate` applies it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from contract_kit import tracking_plan

from ..helpers import (
    DATA,
    LOOP_PREVENTION,
    SAMPLE_PLAN,
    counting_server,
    one_error_line,
    run,
    run_cli,
    violations,
    write,
    write_json,
)

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


# helpers ----------------------------------------------------------------------------------


def track(event: str, properties: dict[str, Any], event_version: int | None = None) -> Any:
    """A complete Segment track message, as the Antavo source sends it."""
    message: dict[str, Any] = {
        "type": "track",
        "event": event,
        "userId": "c-1",
        "timestamp": "2024-11-26T15:19:14.000Z",
        "messageId": "6f1c7c1e-8a4b-5d39-9a51-3f0f6b8e2d10",
        "properties": properties,
        "integrations": dict(LOOP_PREVENTION),
    }
    if event_version is not None:
        message["context"] = {"protocols": {"event_version": event_version}}
    return message


def validate(*args: str, message: Any, name: str = "message.json") -> Result:
    write_json(Path(name), message)
    return run("validate", "--kind", "segment", *args, name)


def line_column(text: str, needle: str) -> str:
    """`line:column` (1-based) of the first `needle` in `text`."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


POINTS = {
    "$schema": DRAFT_07,
    "type": "object",
    "required": ["points"],
    "properties": {"points": {"type": "integer"}},
}


def base_plan(folder: Path = Path("plan")) -> Path:
    """A small valid plan: one track event, point_add."""
    write_json(folder / "track/point_add.schema.json", POINTS)
    return folder


# 1. the sample plan -----------------------------------------------------------------------


def test_the_sample_plan_checks_clean() -> None:
    result = run("plan", "check", "--plan", str(SAMPLE_PLAN))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: {SAMPLE_PLAN.as_posix()}: 22 rules, 20 track events, all valid\n"


def test_the_sample_plan_loads_its_rules_by_file_name() -> None:
    plan = tracking_plan.load(SAMPLE_PLAN)
    assert len(plan.rules) == 22
    assert len(plan.events()) == 20
    assert {r.type for r in plan.rules} == {"COMMON", "IDENTIFY", "TRACK"}
    assert {r.version for r in plan.rules} == {1}
    current = plan.current("TRACK", "point_add")
    assert current is not None
    assert current.file == "track/point_add.schema.json"


def test_the_sample_plan_is_applied_by_validate() -> None:
    ok = validate("--plan", str(SAMPLE_PLAN), message=track("point_add", {"points": 10}))
    assert ok.exit_code == 0, ok.output
    bad = validate(
        "--plan", str(SAMPLE_PLAN), "--format", "json", message=track("point_add", {"points": "10"})
    )
    assert bad.exit_code == 1, bad.output
    (violation,) = violations(bad)
    assert (violation["pointer"], violation["layer"]) == ("/properties/points", "plan")
    assert violation["schema"] == f"{SAMPLE_PLAN.as_posix()}/track/point_add.schema.json"


# 2. dialects ------------------------------------------------------------------------------


def test_draft_07_files_with_segments_id_members_are_accepted_and_applied() -> None:
    schema = {
        "$schema": DRAFT_07,
        "id": "/properties/properties",
        "type": "object",
        "definitions": {"positive": {"type": "integer", "minimum": 1}},
        "properties": {
            "points": {
                "id": "/properties/properties/properties/points",
                "allOf": [{"$ref": "#/definitions/positive"}],
            }
        },
        "required": ["points"],
    }
    write_json(Path("plan/track/point_add.schema.json"), schema)
    assert run("plan", "check", "--plan", "plan").exit_code == 0
    assert validate("--plan", "plan", message=track("point_add", {"points": 3})).exit_code == 0
    bad = validate("--plan", "plan", message=track("point_add", {"points": 0}))
    assert bad.exit_code == 1, bad.output
    assert "/properties/points" in bad.stdout
    assert "minimum" in bad.stdout


def test_a_2020_12_file_with_defs_is_accepted_and_applied() -> None:
    schema = {
        "$schema": DRAFT_2020,
        "$defs": {"positive": {"type": "integer", "minimum": 1}},
        "type": "object",
        "properties": {"points": {"$ref": "#/$defs/positive"}},
        "required": ["points"],
    }
    write_json(Path("plan/track/point_add.schema.json"), schema)
    checked = run("plan", "check", "--plan", "plan")
    assert checked.exit_code == 0, checked.output
    assert validate("--plan", "plan", message=track("point_add", {"points": 3})).exit_code == 0
    bad = validate("--plan", "plan", "--format", "json", message=track("point_add", {"points": 0}))
    assert bad.exit_code == 1, bad.output
    (violation,) = violations(bad)
    assert violation["pointer"] == "/properties/points"
    assert violation["keyword"] == "minimum"
    assert violation["schema"] == "plan/track/point_add.schema.json"
    assert violation["layer"] == "plan"


def test_a_2020_12_keyword_is_applied_where_draft_07_would_ignore_it() -> None:
    schema = {
        "$schema": DRAFT_2020,
        "type": "object",
        "properties": {"codes": {"type": "array", "prefixItems": [{"type": "integer"}]}},
    }
    write_json(Path("plan/track/point_add.schema.json"), schema)
    bad = validate("--plan", "plan", message=track("point_add", {"codes": ["x"]}))
    assert bad.exit_code == 1, bad.output
    assert "/properties/codes/0" in bad.stdout


# 3. a plan that cannot be used ------------------------------------------------------------

NOT_JSON = '{\n  "type": "object",\n  "required": [\n}\n'
DUPLICATE = '{\n  "type": "object",\n  "required": [],\n  "type": "array"\n}\n'
INTEGR = '{\n  "type": "object",\n  "properties": {\n    "points": {"type": "integr"}\n  }\n}\n'
UNKNOWN_DIALECT = '{\n  "$schema": "http://example.com/my-schema",\n  "type": "object"\n}\n'
MISSING_DEF = (
    '{\n  "type": "object",\n  "properties": {\n    "points": {"$ref": "#/definitions/nope"}\n'
    "  }\n}\n"
)
BAD_PATTERN = (
    '{\n  "type": "object",\n  "properties": {\n'
    '    "code": {"type": "string", "pattern": "(["}\n  }\n}\n'
)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (NOT_JSON, "4:1", ["invalid JSON"]),
        (DUPLICATE, line_column(DUPLICATE, '"array"'), ["/type", "duplicate key 'type'"]),
        (INTEGR, line_column(INTEGR, '"integr"'), ["/properties/points/type", "integr"]),
        (
            UNKNOWN_DIALECT,
            line_column(UNKNOWN_DIALECT, '"http://example.com/my-schema"'),
            ["/$schema", "http://example.com/my-schema", "draft-07"],
        ),
        (
            MISSING_DEF,
            line_column(MISSING_DEF, '"#/definitions/nope"'),
            ["/properties/points/$ref", "/definitions/nope"],
        ),
        (BAD_PATTERN, line_column(BAD_PATTERN, '"(["'), ["/properties/code/pattern", "(["]),
    ],
    ids=["not-json", "duplicate-key", "type-integr", "unknown-dialect", "missing-ref", "pattern"],
)
def test_a_bad_schema_file_is_one_line_naming_file_position_and_problem(
    text: str, where: str | None, words: list[str]
) -> None:
    base_plan()
    write(Path("plan/track/x.schema.json"), text)
    line = one_error_line(run("plan", "check", "--plan", "plan"))
    if where is not None:
        assert line.startswith(f"contract-kit: error: plan/track/x.schema.json:{where}: ")
    else:
        assert line.startswith("contract-kit: error: plan/track/x.schema.json")
    for word in words:
        assert word in line


def test_the_same_bad_file_is_a_usage_error_for_validate_too() -> None:
    base_plan()
    write(Path("plan/track/x.schema.json"), INTEGR)
    result = validate("--plan", "plan", message=track("point_add", {"points": 1}))
    line = one_error_line(result)
    where = line_column(INTEGR, '"integr"')
    assert f"plan/track/x.schema.json:{where}: " in line
    assert result.stdout == ""


def test_a_ref_to_an_https_url_is_refused_without_fetching_it() -> None:
    base_plan()
    write_json(
        Path("plan/track/x.schema.json"),
        {"type": "object", "properties": {"n": {"$ref": "https://example.com/n.schema.json"}}},
    )
    line = one_error_line(run("plan", "check", "--plan", "plan"))
    assert line.startswith("contract-kit: error: plan/track/x.schema.json")
    assert "https://example.com/n.schema.json" in line


def test_a_ref_to_a_reachable_http_url_is_still_not_fetched() -> None:
    base_plan()
    with counting_server({"type": "integer"}) as (base, asked):
        url = f"{base}/n.schema.json"
        write_json(
            Path("plan/track/x.schema.json"),
            {"type": "object", "properties": {"n": {"$ref": url}}},
        )
        check = run("plan", "check", "--plan", "plan")
        checked_validate = validate("--plan", "plan", message=track("x", {"n": 1}))
    line = one_error_line(check)
    assert url in line
    one_error_line(checked_validate)
    assert asked == []


@pytest.mark.parametrize(
    "misplaced",
    ["track/point_add.json", "extra/foo.schema.json", "common.json", "track/a/b.schema.json"],
)
def test_a_json_file_the_layout_has_no_place_for_is_refused(misplaced: str) -> None:
    base_plan()
    write_json(Path("plan") / misplaced, {"type": "object"})
    line = one_error_line(run("plan", "check", "--plan", "plan"))
    assert line.startswith(f"contract-kit: error: plan/{misplaced}: ")
    assert "track/<event>.schema.json" in line


def test_two_files_for_one_version_are_refused() -> None:
    base_plan()
    write_json(Path("plan/track/x.schema.json"), {"type": "object"})
    write_json(Path("plan/track/x@1.schema.json"), {"type": "object"})
    line = one_error_line(run("plan", "check", "--plan", "plan"))
    assert line.startswith("contract-kit: error: plan/track/x@1.schema.json: ")
    assert "track/x.schema.json" in line
    assert "version 1" in line


def test_plan_json_naming_a_missing_file_is_refused(tmp_path: Path) -> None:
    result = run(
        "plan", "import", str(DATA / "segment-plans/rules-list.json"),
        "--plan", "plan",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    Path("plan/track/daily_login.schema.json").unlink()
    line = one_error_line(run("plan", "check", "--plan", "plan"))
    assert line.startswith("contract-kit: error: plan/plan.json: ")
    assert "track/daily_login.schema.json" in line


def test_a_missing_plan_folder_given_with_plan_is_refused() -> None:
    line = one_error_line(run("plan", "check", "--plan", "nowhere"))
    assert "nowhere" in line
    line = one_error_line(validate("--plan", "nowhere", message=track("point_add", {"points": 1})))
    assert "nowhere" in line


def test_a_configured_plan_folder_that_does_not_exist_is_refused() -> None:
    write(Path("contract-kit.toml"), 'plan = "nope"\n')
    line = one_error_line(run("plan", "check"))
    assert "nope" in line
    result = validate("--format", "json", message=track("point_add", {"points": 1}))
    line = one_error_line(result)  # json: no "configuration:" line before it
    assert "nope" in line
    assert result.stdout == ""


def test_files_that_are_not_json_are_ignored() -> None:
    base_plan()
    write(Path("plan/README.md"), "# Our plan\n")
    write(Path("plan/track/NOTES.txt"), "point_add: ask the loyalty team\n")
    result = run("plan", "check", "--plan", "plan")
    assert result.exit_code == 0, result.output
    assert "1 rules, 1 track events" in result.stdout


@pytest.mark.parametrize(
    ("name", "text"),
    [("x.schema.json", INTEGR), ("x.schema.json", NOT_JSON), ("x.json", "{}")],
)
def test_a_bad_plan_never_shows_a_traceback_from_the_real_command(
    tmp_path: Path, name: str, text: str
) -> None:
    base_plan()
    write(Path("plan/track") / name, text)
    done = run_cli("plan", "check", "--plan", "plan", cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"contract-kit: error: plan/track/{name}")
    assert "Traceback" not in done.stderr


# 4. versions by file name -----------------------------------------------------------------


@pytest.fixture
def two_versions() -> Path:
    """track/x.schema.json is version 1 (needs `old`), track/x@2.schema.json version 2 (needs
    `points`)."""
    write_json(
        Path("plan/track/x.schema.json"),
        {"type": "object", "required": ["old"], "properties": {"old": {"type": "string"}}},
    )
    write_json(
        Path("plan/track/x@2.schema.json"),
        {"type": "object", "required": ["points"], "properties": {"points": {"type": "integer"}}},
    )
    return Path("plan")


def test_a_message_without_event_version_meets_the_highest_version(two_versions: Path) -> None:
    assert validate("--plan", "plan", message=track("x", {"points": 1})).exit_code == 0
    old = validate("--plan", "plan", "--format", "json", message=track("x", {"old": "a"}))
    assert old.exit_code == 1, old.output
    violations = json.loads(old.stdout)["violations"]
    errors = [v["pointer"] for v in violations if v["severity"] == "error"]
    assert errors == ["/properties/points"]
    assert {v["schema"] for v in violations} == {"plan/track/x@2.schema.json"}


def test_event_version_1_meets_the_file_without_a_version(two_versions: Path) -> None:
    assert validate("--plan", "plan", message=track("x", {"old": "a"}, 1)).exit_code == 0
    new = validate("--plan", "plan", message=track("x", {"points": 1}, 1))
    assert new.exit_code == 1, new.output
    assert "'old' is required" in new.stdout


def test_event_version_2_meets_the_versioned_file(two_versions: Path) -> None:
    assert validate("--plan", "plan", message=track("x", {"points": 1}, 2)).exit_code == 0


def test_an_unknown_event_version_is_a_violation_naming_the_known_ones(
    two_versions: Path,
) -> None:
    result = validate("--plan", "plan", "--format", "json", message=track("x", {"points": 1}, 3))
    assert result.exit_code == 1, result.output
    (violation,) = violations(result)
    assert violation["pointer"] == "/context/protocols/event_version"
    assert "versions: 1, 2" in violation["message"]
    assert violation["severity"] == "error"


def test_plan_check_counts_versions_as_rules_of_one_event(two_versions: Path) -> None:
    result = run("plan", "check", "--plan", "plan")
    assert result.exit_code == 0, result.output
    assert "2 rules, 1 track events" in result.stdout


# 5. ./tracking-plan by default ------------------------------------------------------------


def test_validate_applies_tracking_plan_by_default_and_says_so() -> None:
    base_plan(Path("tracking-plan"))
    write_json(Path("tracking-plan/track/other.schema.json"), {"type": "object"})
    ok = validate(message=track("point_add", {"points": 1}))
    assert ok.exit_code == 0, ok.output
    assert "tracking plan: tracking-plan (2 events)" in ok.stderr
    bad = validate(message=track("point_add", {"points": "many"}))
    assert bad.exit_code == 1, bad.output
    assert "/properties/points" in bad.stdout


def test_validate_json_report_names_the_default_plan() -> None:
    base_plan(Path("tracking-plan"))
    result = validate("--format", "json", message=track("point_add", {"points": 1}))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plan"] == "tracking-plan"


def test_without_a_tracking_plan_folder_no_plan_is_applied() -> None:
    result = validate("--format", "json", message=track("point_add", {"points": "many"}))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout).get("plan") is None
