"""`--unplanned-properties omit` and `unplanned_properties = "omit"`, through a real process:
convert writes the messages without the properties (traits) the plan does not declare and
warns where each one was; validate warns; allow, warn and block are as they were."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ..helpers import SAMPLE_PLAN, run_cli, write, write_json, write_ndjson

#: Line 1 holds a property the sample plan does not declare, line 2 a trait; line 3 nothing.
RECORDS = [
    {"customer": "c-1", "action": "point_add", "id": "e-1",
     "data": {"points": 40, "campaign": "winter", "reason": "Review bonus"},
     "timestamp": "2024-12-11T09:12:41Z"},
    {"customer": "c-1", "action": "profile", "id": "e-2",
     "data": {"first_name": "Ada", "shoe_size": 38}, "timestamp": "2024-12-11T09:13:00Z"},
    {"customer": "c-1", "action": "review_submit", "id": "e-3",
     "data": {"item": "SKU-1", "review_id": "r-1", "rating": 5},
     "timestamp": "2024-12-11T09:14:00Z"},
]  # fmt: skip
PLANNED = [
    {**RECORDS[0], "data": {"points": 40, "reason": "Review bonus"}},
    {**RECORDS[1], "data": {"first_name": "Ada"}},
    RECORDS[2],
]
PLAN = ("--plan", str(SAMPLE_PLAN))


def contract_kit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, timeout=120)


def members(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The properties (traits) of each message convert wrote."""
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    return [message.get("properties", message.get("traits")) for message in messages]


def column(text: str, line: int, value: str) -> int:
    """The column of `value` on `line` (1-based) of `text`."""
    return text.splitlines()[line - 1].index(value) + 1


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    write_ndjson(tmp_path / "in.ndjson", *RECORDS)
    write_ndjson(tmp_path / "planned.ndjson", *PLANNED)
    return tmp_path


def test_convert_writes_the_messages_without_them_and_says_where_each_was(inputs: Path) -> None:
    result = contract_kit(
        inputs, "convert", "in.ndjson", *PLAN, "--unplanned-properties", "omit",
        "--rejects", "rejects.ndjson",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert members(result) == [
        {"points": 40, "reason": "Review bonus"},
        {"first_name": "Ada"},
        {"item": "SKU-1", "review_id": "r-1", "rating": 5},
    ]
    # byte for byte what the records give without those members, messageIds included
    planned = contract_kit(inputs, "convert", "planned.ndjson", *PLAN)
    assert planned.returncode == 0 and "warning" not in planned.stderr
    assert result.stdout == planned.stdout
    text = (inputs / "in.ndjson").read_text(encoding="utf-8")
    campaign, shoe_size = column(text, 1, '"winter"'), column(text, 2, "38")
    assert result.stderr.splitlines()[1:] == [
        f"in.ndjson:1:{campaign}: record 0: /properties/campaign: warning: "
        "plan: in the converted message: property 'campaign' is not in the tracking plan for "
        "'point_add'; omitted from the message",
        f"in.ndjson:2:{shoe_size}: record 1: /traits/shoe_size: warning: plan: in "
        "the converted message: trait 'shoe_size' is not in the tracking plan for identify "
        "calls; omitted from the message",
        "ok: converted 3 of 3 records in 1 file; 0 rejected, 0 skipped by the sync settings "
        "or the plan's omissions; 0 violations; 2 warnings",
    ]
    assert (inputs / "rejects.ndjson").read_text(encoding="utf-8") == ""  # nothing lost


def test_the_json_report_marks_each_omission_as_a_plan_warning(inputs: Path) -> None:
    result = contract_kit(
        inputs, "convert", "in.ndjson", *PLAN, "--unplanned-properties", "omit",
        "--format", "json",
    )  # fmt: skip
    found = json.loads(result.stderr)["violations"]
    assert [(v["pointer"], v["severity"], v["layer"], v["found_in"]) for v in found] == [
        ("/properties/campaign", "warning", "plan", "output"),
        ("/traits/shoe_size", "warning", "plan", "output"),
    ]


def test_members_the_plans_conditions_name_are_kept_and_the_conditions_apply(
    tmp_path: Path,
) -> None:
    """The review's case: omitting `payment` and `coupon` made the plan's if/then and
    dependencies rules pass a record they reject."""
    schema = {
        "properties": {"total": {}},
        "if": {"properties": {"payment": {"const": "card"}}, "required": ["payment"]},
        "then": {"required": ["card_last4"]},
        "dependencies": {"coupon": ["discount"]},
    }
    write_json(tmp_path / "plan" / "track" / "pay.schema.json", schema)
    data = {"total": 5, "payment": "card", "coupon": "X"}
    write_ndjson(tmp_path / "in.ndjson", {**RECORDS[0], "action": "pay", "data": data})
    result = contract_kit(
        tmp_path, "convert", "in.ndjson", "--plan", "plan", "--unplanned-properties", "omit",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    found = json.loads(result.stderr)["violations"]
    assert sorted((v["keyword"], v["severity"]) for v in found) == [
        ("dependencies", "error"),
        ("required", "error"),
    ]


def test_an_identify_call_omit_leaves_empty_is_counted_as_skipped_by_the_plan_too(
    tmp_path: Path,
) -> None:
    """Its record is skipped, not by the sync settings alone: the summary says so under omit
    (and only then), and every record is still counted once."""
    only_unplanned = {**RECORDS[1], "data": {"shoe_size": 38}}
    write_ndjson(tmp_path / "in.ndjson", RECORDS[0], only_unplanned, RECORDS[2])
    omit = ("convert", "in.ndjson", *PLAN, "--rejects", "rejects.ndjson")
    result = contract_kit(tmp_path, *omit, "--unplanned-properties", "omit")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "ok: converted 2 of 3 records in 1 file; 0 rejected, 1 skipped by the sync settings "
        "or the plan's omissions; 0 violations; 2 warnings"
    )
    assert len(result.stdout.splitlines()) == 2
    assert (tmp_path / "rejects.ndjson").read_text(encoding="utf-8") == ""
    report = json.loads(
        contract_kit(tmp_path, *omit, "--unplanned-properties", "omit", "--format", "json").stderr
    )
    assert (report["converted"], report["skipped"], report["records"]) == (2, 1, 3)
    warned = contract_kit(tmp_path, *omit)
    assert warned.stderr.splitlines()[-1] == (
        "ok: converted 3 of 3 records in 1 file; 0 rejected, 0 skipped by the sync settings; "
        "0 violations; 2 warnings"
    )


def test_validate_warns_what_convert_would_omit_and_changes_nothing(inputs: Path) -> None:
    message = json.loads(contract_kit(inputs, "convert", "in.ndjson").stdout.splitlines()[0])
    path = write_ndjson(inputs / "messages.ndjson", message)
    before = path.read_bytes()
    result = contract_kit(
        inputs, "validate", "messages.ndjson", *PLAN, "--unplanned-properties", "omit"
    )
    assert result.returncode == 0
    assert (
        "record 0: /properties/campaign: warning: plan: property 'campaign' is not in the "
        "tracking plan for 'point_add'; convert would omit it"
    ) in result.stdout
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("policy", "code", "written", "warnings"),
    [
        ("allow", 0, [r["data"] for r in RECORDS], 0),
        ("warn", 0, [r["data"] for r in RECORDS], 2),
        ("block", 1, [RECORDS[2]["data"]], 0),
    ],
)
def test_the_other_policies_are_as_they_were(
    inputs: Path, policy: str, code: int, written: list[dict[str, Any]], warnings: int
) -> None:
    result = contract_kit(inputs, "convert", "in.ndjson", *PLAN, "--unplanned-properties", policy)
    assert result.returncode == code
    assert members(result) == written
    assert result.stderr.count(": warning: ") == warnings
    assert "omitted" not in result.stderr


def test_the_configuration_sets_it_and_the_option_wins(inputs: Path) -> None:
    write(inputs / "contract-kit.toml", f'plan = "{SAMPLE_PLAN}"\nunplanned_properties = "omit"\n')
    from_file = contract_kit(inputs, "convert", "in.ndjson")
    assert from_file.returncode == 0
    assert members(from_file)[0] == {"points": 40, "reason": "Review bonus"}
    overridden = contract_kit(inputs, "convert", "in.ndjson", "--unplanned-properties", "warn")
    assert members(overridden)[0] == RECORDS[0]["data"]
    write(inputs / "contract-kit.toml", f'plan = "{SAMPLE_PLAN}"\nunplanned_properties = "block"\n')
    omitting = contract_kit(inputs, "convert", "in.ndjson", "--unplanned-properties", "omit")
    assert omitting.returncode == 0
    assert omitting.stdout == from_file.stdout


def test_a_bad_value_is_exit_2_saying_what_is_accepted(inputs: Path) -> None:
    typo = contract_kit(inputs, "convert", "in.ndjson", "--unplanned-properties", "omitt")
    assert typo.returncode == 2
    assert typo.stdout == ""
    assert (
        "Error: Invalid value for '--unplanned-properties': 'omitt' is not one of 'allow', "
        "'warn', 'block', 'omit'.\n"
    ) in typo.stderr
    events = contract_kit(inputs, "convert", "in.ndjson", "--unplanned", "omit")
    assert events.returncode == 2
    assert "'omit' is not one of 'allow', 'warn', 'block'.\n" in events.stderr
    write(inputs / "contract-kit.toml", 'unplanned = "omit"\n')
    in_file = contract_kit(inputs, "convert", "in.ndjson")
    assert in_file.returncode == 2
    assert in_file.stderr == (
        "contract-kit: error: contract-kit.toml: key 'unplanned': omit is for "
        "unplanned_properties only: an unplanned event can be allowed, warned about or blocked "
        '(got "omit")\n'
    )


def test_any_number_of_jobs_writes_and_reports_the_same(tmp_path: Path) -> None:
    """200 files are enough for worker processes (running.pool.PARALLEL_MIN_FILES)."""
    for index in range(210):
        record = {**RECORDS[index % 3], "id": f"e-{index}"}
        write_ndjson(tmp_path / "in" / f"{index:03}.ndjson", record)
    omit = ("convert", "in", *PLAN, "--unplanned-properties", "omit")
    one = contract_kit(tmp_path, *omit, "--jobs", "1")
    two = contract_kit(tmp_path, *omit, "--jobs", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr
    assert one.stderr.count("omitted from the message") == 140
    assert "campaign" not in one.stdout and "shoe_size" not in one.stdout
