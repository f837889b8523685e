"""A tracking plan applied by validate and convert: violations reported like the contract's,
marked as the plan's; unplanned events and properties as the settings say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from contract_kit import tracking_plan
from contract_kit.cli import cli
from contract_kit.tracking_plan import checking, engines

from ..helpers import (
    DATA,
    FIXTURES,
    LOOP_PREVENTION,
    REPO,
    SAMPLE_PLAN,
    run,
    violations,
    write_ndjson,
)

EXPORTS = DATA / "segment-plans"
PROTOCOLS = EXPORTS / "public-api-response.json"
MESSAGES = EXPORTS / "protocols-violations.ndjson"


def track(event: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "event": event,
        "userId": "u-1",
        "timestamp": "2024-11-26T15:19:14.000Z",
        "messageId": "m-1",
        "properties": properties,
        "integrations": LOOP_PREVENTION,
        **extra,
    }


@pytest.fixture
def protocols_plan(tmp_path: Path) -> Path:
    """The hand-written Protocols-style export (draft-07, `id` members, properties wrapped in
    properties.properties), imported as users would."""
    folder = tmp_path / "tracking-plan"
    assert run("plan", "import", str(PROTOCOLS), "--plan", str(folder)).exit_code == 0
    return folder


# what validate reports ----------------------------------------------------------------------


def test_protocols_export_finds_exactly_the_planted_violations(protocols_plan: Path) -> None:
    result = run("validate", str(MESSAGES), "--plan", str(protocols_plan), "--format", "json")
    assert result.exit_code == 1
    found = [(v["record"], v["pointer"], v["keyword"], v["severity"]) for v in violations(result)]
    assert found == [
        (1, "/properties/points", "type", "error"),
        (2, "/properties/transaction_id", "required", "error"),
        (3, "/event", "unplannedEvent", "warning"),
        (4, "/properties/channel", "unplannedProperty", "warning"),
        (6, "/traits/language", "pattern", "error"),
        (7, "/properties/rating", "maximum", "error"),
    ]
    assert {v["layer"] for v in violations(result)} == {"plan"}


def test_plan_violations_have_line_column_and_the_plan_file(protocols_plan: Path) -> None:
    result = run("validate", str(MESSAGES), "--plan", str(protocols_plan), "--format", "json")
    points = violations(result)[0]
    line = MESSAGES.read_text(encoding="utf-8").splitlines()[points["line"] - 1]
    assert points["line"] == 2
    assert line[points["column"] - 1 :].startswith('"10"')
    assert points["schema"] == f"{protocols_plan.as_posix()}/track/point_add.schema.json"
    assert points["message"] == 'points must be an integer, got string "10"'


def test_text_report_marks_plan_violations_and_warnings(protocols_plan: Path) -> None:
    result = run("validate", str(MESSAGES), "--plan", str(protocols_plan))
    lines = result.stdout.splitlines()
    assert (
        f"{MESSAGES}:2:198: record 1: /properties/points: plan: points must be an integer"
        in (lines[0])
    )
    assert (
        "record 3: /event: warning: plan: event 'mystery_event' is not in the tracking"
        in (lines[2])
    )
    assert lines[-1] == "failed: 8 records in 1 file; 4 violations in 4 records; 2 warnings"


def test_event_version_picks_the_rule_else_the_highest(
    protocols_plan: Path, tmp_path: Path
) -> None:
    v1_only = track("point_add", {"points": 5})  # v2 also requires reason
    files = {
        "latest": write_ndjson(tmp_path / "a.ndjson", v1_only),
        "v1": write_ndjson(
            tmp_path / "b.ndjson", {**v1_only, "context": {"protocols": {"event_version": 1}}}
        ),
        "v9": write_ndjson(
            tmp_path / "c.ndjson", {**v1_only, "context": {"protocols": {"event_version": 9}}}
        ),
    }
    latest = run(
        "validate", str(files["latest"]), "--plan", str(protocols_plan), "--format", "json"
    )
    assert [(v["pointer"], v["keyword"]) for v in violations(latest)] == [
        ("/properties/reason", "required")
    ]
    assert run("validate", str(files["v1"]), "--plan", str(protocols_plan)).exit_code == 0
    unknown = run("validate", str(files["v9"]), "--plan", str(protocols_plan), "--format", "json")
    assert unknown.exit_code == 1
    [problem] = violations(unknown)
    assert problem["pointer"] == "/context/protocols/event_version"
    assert "versions: 1, 2" in problem["message"]


def test_common_schema_applies_to_every_message(protocols_plan: Path, tmp_path: Path) -> None:
    common = json.loads((protocols_plan / "common.schema.json").read_text(encoding="utf-8"))
    common.setdefault("required", []).append("anonymousId")
    (protocols_plan / "common.schema.json").write_text(json.dumps(common), encoding="utf-8")
    path = write_ndjson(
        tmp_path / "m.ndjson", track("point_add", {"points": 5, "reason": "birthday_bonus"})
    )
    result = run("validate", str(path), "--plan", str(protocols_plan), "--format", "json")
    assert [(v["pointer"], v["keyword"]) for v in violations(result)] == [
        ("/anonymousId", "required")
    ]


def test_without_a_plan_validate_is_unchanged(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "m.ndjson", track("anything", {"points": "many"}))
    result = run("validate", str(path), "--format", "json")
    assert result.exit_code == 0
    assert "plan" not in json.loads(result.stdout)


# unplanned = allow | warn | block ------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "exit_code", "reported"),
    [("allow", 0, []), ("warn", 0, ["warning"]), ("block", 1, ["error"])],
)
def test_unplanned_events_follow_the_setting(
    protocols_plan: Path, tmp_path: Path, policy: str, exit_code: int, reported: list[str]
) -> None:
    path = write_ndjson(tmp_path / "m.ndjson", track("mystery_event", {}))
    result = run(
        "validate", str(path), "--plan", str(protocols_plan), "--unplanned", policy,
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == exit_code
    assert [v["severity"] for v in violations(result)] == reported
    assert json.loads(result.stdout)["ok"] is (exit_code == 0)


@pytest.mark.parametrize(
    ("policy", "exit_code", "reported", "said"),
    [
        ("allow", 0, [], ""),
        ("warn", 0, ["warning"], ""),
        ("block", 1, ["error"], ""),
        ("omit", 0, ["warning"], "; convert would omit it"),
    ],
)
def test_unplanned_properties_follow_the_setting(
    protocols_plan: Path, tmp_path: Path, policy: str, exit_code: int, reported: list[str],
    said: str,
) -> None:  # fmt: skip
    """validate writes nothing, so under omit it warns as under warn, saying what convert does."""
    message = track("point_add", {"points": 5, "reason": "birthday_bonus", "chanel": "web"})
    path = write_ndjson(tmp_path / "m.ndjson", message)
    result = run(
        "validate", str(path), "--plan", str(protocols_plan), "--unplanned-properties", policy,
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == exit_code
    assert [v["severity"] for v in violations(result)] == reported
    if reported:
        [found] = violations(result)
        assert found["pointer"] == "/properties/chanel"
        assert found["message"] == (
            f"property 'chanel' is not in the tracking plan for 'point_add'{said}"
        )


def test_unplanned_settings_come_from_the_configuration(
    protocols_plan: Path, tmp_path: Path
) -> None:
    (tmp_path / "contract-kit.toml").write_text(
        f'plan = "{protocols_plan.name}"\nunplanned = "block"\n', encoding="utf-8"
    )
    path = write_ndjson(tmp_path / "m.ndjson", track("mystery_event", {}))
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "/event: plan: event 'mystery_event' is not in the tracking plan" in result.stdout
    # an option wins over the file
    assert run("validate", str(path), "--unplanned", "warn").exit_code == 0


def test_a_near_miss_event_name_gets_a_suggestion(protocols_plan: Path, tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "m.ndjson", track("point_ad", {"points": 1}))
    result = run("validate", str(path), "--plan", str(protocols_plan))
    assert "event 'point_ad' is not in the tracking plan (did you mean 'point_add'?)" in (
        result.stdout
    )


def test_a_schema_allowing_other_members_has_no_unplanned_ones(
    protocols_plan: Path, tmp_path: Path
) -> None:
    file = protocols_plan / "track" / "point_add.schema.json"
    schema = json.loads(file.read_text(encoding="utf-8"))
    file.write_text(json.dumps({**schema, "additionalProperties": True}), encoding="utf-8")
    message = track("point_add", {"points": 5, "reason": "birthday_bonus", "channel": "web"})
    result = run("validate", str(write_ndjson(tmp_path / "m.ndjson", message)), "--plan",
                 str(protocols_plan), "--format", "json")  # fmt: skip
    assert violations(result) == []


# convert ----------------------------------------------------------------------------------


def antavo(tmp_path: Path, *records: dict[str, Any]) -> Path:
    path = tmp_path / "records.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def record(action: str, data: dict[str, Any], customer: str = "c-1") -> dict[str, Any]:
    return {"customer": customer, "action": action, "data": data,
            "timestamp": "2024-11-26T15:19:14Z"}  # fmt: skip


def test_convert_withholds_messages_the_plan_rejects(tmp_path: Path) -> None:
    inputs = antavo(
        tmp_path,
        record("point_add", {"points": 10, "reason": "ok"}),
        record("review_submit", {"item": "SKU-1", "review_id": "r-1", "rating": 6}),  # max 5
        record("mystery", {"x": 1}),  # unplanned: a warning, still converted
    )
    result = CliRunner().invoke(
        cli, ["convert", str(inputs), "--plan", str(SAMPLE_PLAN), "--rejects", "rejects.ndjson"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 1
    events = [json.loads(line)["properties"] for line in result.stdout.splitlines()]
    assert events == [{"points": 10, "reason": "ok"}, {"x": 1}]
    assert "converted 2 of 3 records in 1 file; 1 rejected" in result.stderr
    assert "1 warning" in result.stderr
    [reject] = [json.loads(line) for line in Path("rejects.ndjson").read_text().splitlines()]
    assert reject["record"] == 1
    assert [v["pointer"] for v in reject["violations"]] == ["/properties/rating"]


def test_convert_places_a_plan_violation_at_the_input_value(tmp_path: Path) -> None:
    inputs = antavo(tmp_path, record("review_submit", {"item": "S", "review_id": "r", "rating": 0}))
    result = CliRunner().invoke(
        cli, ["convert", str(inputs), "--plan", str(SAMPLE_PLAN), "--format", "json"],
        catch_exceptions=False,
    )  # fmt: skip
    [problem] = json.loads(result.stderr)["violations"]
    line = inputs.read_text(encoding="utf-8")
    assert problem["found_in"] == "output"
    assert problem["layer"] == "plan"
    assert line[problem["column"] - 1 :].startswith("0}")
    assert problem["pointer"] == "/properties/rating"
    assert problem["message"].startswith("in the converted message: rating 0 is out of range")


def test_an_account_from_the_envelope_is_placed_at_the_envelope(tmp_path: Path) -> None:
    """The mapping copies the record's `account` into properties when `data` has none: a
    finding about it points at that `account`, not at the start of the record."""
    data = {"item": "S", "review_id": "r", "rating": 5}
    inputs = antavo(tmp_path, {**record("review_submit", data), "account": "main"})
    result = run("convert", str(inputs), "--plan", str(SAMPLE_PLAN), "--format", "json")
    [problem] = json.loads(result.stderr)["violations"]
    assert problem["pointer"] == "/properties/account"
    line = inputs.read_text(encoding="utf-8")
    assert line[problem["column"] - 1 :].startswith('"main"')


def test_convert_of_the_bundled_fixtures_meets_the_sample_plan() -> None:
    result = run("convert", str(FIXTURES / "antavo"), "--plan", str(SAMPLE_PLAN))
    assert result.exit_code == 0
    assert "0 violations" in result.stderr
    assert "warning" not in result.stderr


def test_goldens_meet_the_sample_plan_with_no_warning() -> None:
    result = run("validate", str(FIXTURES / "golden"), "--plan", str(SAMPLE_PLAN))
    assert result.stdout.splitlines()[-1] == "ok: 59 records in 55 files, all valid"


# reporters -------------------------------------------------------------------------------


def test_github_annotations_mark_warnings_and_the_plan(protocols_plan: Path) -> None:
    result = run("validate", str(MESSAGES), "--plan", str(protocols_plan), "--format", "github")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"::error file={MESSAGES},line=2,col=198,")
    assert "title=contract-kit plan%3A type::" in lines[0]
    assert lines[2].startswith("::warning ")


def test_sarif_levels_and_junit_keep_warnings_out_of_failures(protocols_plan: Path) -> None:
    sarif = json.loads(
        run("validate", str(MESSAGES), "--plan", str(protocols_plan), "--format", "sarif").stdout
    )
    results = sarif["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "error", "warning", "warning", "error",
                                             "error"]  # fmt: skip
    assert {r["properties"]["layer"] for r in results} == {"plan"}
    junit = run("validate", str(MESSAGES), "--plan", str(protocols_plan), "--format", "junit")
    assert 'failures="4"' in junit.stdout
    assert "<system-out>" in junit.stdout and "mystery_event" in junit.stdout


def test_json_report_meets_its_schema_with_plan_members(protocols_plan: Path) -> None:
    from contract_kit.checking import schemas

    report = json.loads(
        run("validate", str(MESSAGES), "--plan", str(protocols_plan), "--format", "json").stdout
    )
    assert report["plan"] == protocols_plan.as_posix()
    assert report["warnings"] == 2
    assert list(schemas.validator("contract-kit/report").iter_errors(report)) == []


def test_max_errors_counts_errors_not_warnings(protocols_plan: Path) -> None:
    result = run(
        "validate", str(MESSAGES), "--plan", str(protocols_plan), "--max-errors", "3",
        "--format", "json",
    )  # fmt: skip
    assert [v["severity"] for v in violations(result)] == ["error", "error", "warning", "warning",
                                                            "error"]  # fmt: skip


# the compiled check and the reference agree ------------------------------------------------


TRICKY = [
    "2016-12-31T23:59:60Z",  # a leap second: the compiled engine accepts it
    "2024-11-26T15:19:14",  # no offset
    "0000-01-01",  # year 0
    "2024-11-26T15:19:14.000Z",
    "١٢٣",  # Arabic-Indic digits: \\d differs between engines
    "abc\x1f",  # white space to Python, not to Rust
    "plain",
]


@pytest.mark.parametrize("text", TRICKY)
def test_compiled_and_reference_agree_on_tricky_strings(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "plan"
    (folder / "track").mkdir(parents=True)
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "digits": {"type": "string", "pattern": "^\\d+$"},
            "word": {"type": "string", "pattern": "^\\S+$"},
            "words": {"type": "array", "items": {"type": "string", "pattern": "^\\S+$"}},
        },
    }
    (folder / "track" / "e.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    plan = tracking_plan.load(folder)
    for member in ("when", "day", "digits", "word", "words"):
        properties: dict[str, Any] = {member: [text] if member == "words" else text}
        reference = engines.build(schema, engines.dialects.DRAFT_07).reference
        expected = [e.message for e in reference.iter_errors(properties)]
        found = checking.check(track("e", properties), plan).findings
        assert bool(found) == bool(expected), (member, text, expected)


def test_the_readme_worked_example_is_what_convert_prints(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(REPO)
    result = run(
        "convert", "fixtures/plan-violations/new-events.ndjson", "--plan",
        "fixtures/tracking-plan", "-o", str(tmp_path / "out.ndjson"),
    )  # fmt: skip
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 5
    for line in result.stderr.splitlines():
        assert f"\n{line}\n" in readme, line


def test_the_readme_omit_example_is_what_convert_prints(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(REPO)
    result = run(
        "convert", "fixtures/plan-violations/new-events.ndjson", "--plan",
        "fixtures/tracking-plan", "--unplanned-properties", "omit", "-o", str(tmp_path / "o"),
    )  # fmt: skip
    command = (
        "$ contract-kit convert fixtures/plan-violations/new-events.ndjson --plan "
        "fixtures/tracking-plan --unplanned-properties omit -o out.ndjson\n"
    )
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    assert result.exit_code == 1
    assert shown.splitlines() == result.stderr.splitlines()  # all of it, not an excerpt
    assert sum("omitted from the message" in line for line in shown.splitlines()) == 1
    written = [json.loads(line) for line in (tmp_path / "o").read_text().splitlines()]
    assert written[0]["properties"] == {"points": 40, "reason": "Review bonus"}


def test_the_python_api_takes_a_plan_folder(tmp_path: Path) -> None:
    import contract_kit

    report = contract_kit.validate(track("point_add", {"points": "ten"}), plan=SAMPLE_PLAN)
    assert [(v.pointer, v.layer) for v in report.violations] == [("/properties/points", "plan")]
    plan = contract_kit.load_plan(SAMPLE_PLAN, unplanned="block")
    rejected = contract_kit.convert(record("wishlist_add", {"item": "x"}), plan=plan)
    assert rejected.messages == []
    assert [v.keyword for v in rejected.violations] == ["unplannedEvent"]
    with pytest.raises(contract_kit.PlanError, match="tracking-plan folder not found"):
        contract_kit.validate(track("x", {}), plan=tmp_path / "nowhere")
