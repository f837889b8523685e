"""No pattern can stall a run (issue 11, item 2): every schema pattern runs in linear time.

`^(a+)+$` against 49 a's and a `!` never finished with Python's `re` (26 characters already took
seconds): a backtracking engine tries every way of splitting the a's. The tests run the real
command; their timeout proves that the run ends, not that it is fast (it takes well under a
second). A pattern only a backtracking engine can run is refused where the plan says it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contract_kit.checking import compiled, patterns, schemas
from contract_kit.tracking_plan.model import schema_keywords

from ..helpers import run_cli

EVIL = "^(a+)+$"
#: 49 a's took Python's `re` longer than anyone waits; 5,000 would take longer than the universe.
LONG = ["a" * 49 + "!", "a" * 5000 + "!"]
ENDS = 60  # seconds: proves termination, not speed
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"
CODE = "/properties/code"


def track(properties: dict[str, Any], number: int) -> dict[str, Any]:
    """A Segment track message for `buy` (messageId m-NUMBER)."""
    return {
        "type": "track",
        "event": "buy",
        "userId": "c-1",
        "timestamp": "2024-11-26T15:19:14.000Z",
        "messageId": f"m-{number}",
        "properties": properties,
        "integrations": {"All": True},
    }


def plan(folder: Path, schema: dict[str, Any]) -> str:
    """A plan with one event, `buy`: the text of its file."""
    text = json.dumps(schema, indent=2) + "\n"
    (folder / "plan" / "track").mkdir(parents=True)
    (folder / "plan" / "track" / "buy.schema.json").write_text(text, encoding="utf-8")
    return text


def lines(path: Path, values: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(value) + "\n" for value in values), encoding="utf-8")
    return path.name


def found(report: str) -> list[tuple[int, str, str]]:
    return [(v["record"], v["pointer"], v["keyword"]) for v in json.loads(report)["violations"]]


# a catastrophic pattern ends, and is reported -----------------------------------------------


def test_validate_with_a_catastrophic_pattern_ends_with_the_violations(tmp_path: Path) -> None:
    plan(tmp_path, {"properties": {"code": {"pattern": EVIL}}})
    messages = lines(
        tmp_path / "messages.ndjson", [track({"code": c}, i) for i, c in enumerate(LONG)]
    )
    args = ("validate", messages, "--plan", "plan")
    done = run_cli(*args, "--format", "json", cwd=tmp_path, timeout=ENDS)
    assert done.returncode == 1, done.stderr
    assert found(done.stdout) == [(0, CODE, "pattern"), (1, CODE, "pattern")]
    text = run_cli(*args, cwd=tmp_path, timeout=ENDS)
    assert text.returncode == 1
    first = "messages.ndjson:1:136: record 0: /properties/code: plan: code must be a string "
    assert first + "matching ^(a+)+$" in text.stdout


def test_convert_with_a_catastrophic_pattern_ends_with_the_violations(tmp_path: Path) -> None:
    plan(tmp_path, {"properties": {"code": {"pattern": EVIL}}})
    when = "2024-11-26T15:19:14Z"
    records = [
        {"customer": "c-1", "action": "buy", "data": {"code": c}, "timestamp": when} for c in LONG
    ]
    name = lines(tmp_path / "records.ndjson", records)
    args = ("convert", name, "--plan", "plan", "-o", "out.ndjson", "--format", "json")
    done = run_cli(*args, cwd=tmp_path, timeout=ENDS)
    assert done.returncode == 1, done.stderr
    assert found(done.stderr) == [(0, CODE, "pattern"), (1, CODE, "pattern")]
    assert (tmp_path / "out.ndjson").read_text(encoding="utf-8") == ""


NAMES = {
    "pattern-properties": (
        {"patternProperties": {EVIL: {"type": "integer"}}, "additionalProperties": False},
        # 49 a's and `!` matches no pattern: not allowed; 5,000 a's match: must be integers
        [{LONG[0]: 1}, {"a" * 5000: "x"}],
        [(0, f"/properties/{LONG[0]}", "additionalProperties"),
         (1, f"/properties/{'a' * 5000}", "type")],
    ),
    "property-names": (
        {"propertyNames": {"pattern": EVIL}},
        [{name: 1} for name in LONG],
        [(0, "/properties", "pattern"), (1, "/properties", "pattern")],  # the name's pattern
    ),
    "unevaluated-properties": (
        {"$schema": DRAFT_2020, "patternProperties": {EVIL: True}, "unevaluatedProperties": False},
        [{name: 1} for name in LONG],
        [(0, f"/properties/{LONG[0]}", "unevaluatedProperties"),
         (1, f"/properties/{LONG[1]}", "unevaluatedProperties")],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("schema", "properties", "expected"), NAMES.values(), ids=list(NAMES))
def test_a_catastrophic_pattern_on_member_names_ends_with_the_violations(
    tmp_path: Path,
    schema: dict[str, Any],
    properties: list[dict[str, Any]],
    expected: list[tuple[int, str, str]],
) -> None:
    plan(tmp_path, schema)
    messages = lines(tmp_path / "messages.ndjson", [track(p, i) for i, p in enumerate(properties)])
    args = ("validate", messages, "--plan", "plan", "--format", "json")
    done = run_cli(*args, cwd=tmp_path, timeout=ENDS)
    assert done.returncode == 1, done.stderr
    assert [f for f in found(done.stdout) if f[2] != "unplannedProperty"] == expected


# a pattern that needs backtracking is refused when the plan loads ----------------------------


@pytest.mark.parametrize("pattern", ["(a)\\1", "(?=a)a", "(?<!b)a", "(?P<x>a)(?P=x)"])
@pytest.mark.parametrize("command", ["plan-check", "validate"])
def test_a_pattern_that_needs_backtracking_is_refused_at_its_place(
    tmp_path: Path, pattern: str, command: str
) -> None:
    text = plan(tmp_path, {"type": "object", "properties": {"code": {"pattern": pattern}}})
    messages = lines(tmp_path / "messages.ndjson", [track({"code": "aa"}, 0)])
    args = ["plan", "check"] if command == "plan-check" else ["validate", messages]
    done = run_cli(*args, "--plan", "plan", cwd=tmp_path, timeout=ENDS)
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.splitlines()
    value = text.index(json.dumps(pattern))
    where = f"{text.count(chr(10), 0, value) + 1}:{value - text.rfind(chr(10), 0, value)}"
    assert line.startswith(
        f"contract-kit: error: plan/track/buy.schema.json:{where}: /properties/code/pattern: "
        f"cannot be used as a schema: pattern {pattern!r} needs a backtracking engine"
    ), line
    assert done.stdout == ""


def test_a_pattern_property_name_that_needs_backtracking_is_refused(tmp_path: Path) -> None:
    text = plan(tmp_path, {"patternProperties": {"^(?!x)": {"type": "string"}}})
    done = run_cli("plan", "check", "--plan", "plan", cwd=tmp_path, timeout=ENDS)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert text.splitlines()[2][14:] == "{"  # the place of a name is where its schema starts
    assert line.startswith(
        "contract-kit: error: plan/track/buy.schema.json:3:15: /patternProperties/^(?!x): "
        "cannot be used as a schema: pattern '^(?!x)' needs a backtracking engine"
    ), line


# the contract's own patterns ------------------------------------------------------------------


def bundled_patterns() -> list[tuple[str, str]]:
    found = []
    for name in schemas.names():
        for _path, keyword, value in schema_keywords(schemas.document(name)):
            if keyword == "pattern" and isinstance(value, str):
                found.append((name, value))
            if keyword == "patternProperties" and isinstance(value, dict):
                found += [(name, pattern) for pattern in value]
    return found


def test_every_bundled_schema_pattern_runs_on_the_linear_engines() -> None:
    found = bundled_patterns()
    assert len(found) >= 8  # the walk finds them: record, message, properties
    for name, pattern in found:
        program = patterns.compiled(pattern)  # raises PatternError where RE2 cannot run it
        assert type(program).__module__ == "re2", (name, pattern)
    for name in schemas.names():
        compiled.validator(name)  # jsonschema-rs with the `regex` crate: raises otherwise


def test_a_member_a_pattern_names_is_not_called_unknown(tmp_path: Path) -> None:
    """Review finding: with additionalProperties false, every member outside `properties` was
    worded as an unknown field, those `patternProperties` names included."""
    (tmp_path / "plan" / "track").mkdir(parents=True)
    (tmp_path / "plan" / "track" / "checkout.schema.json").write_text(
        '{"type": "object", "properties": {"transaction_id": {"type": "string"}}, '
        '"patternProperties": {"^[\\\\u00e0-\\\\u00ff]+x$": {"type": "string"}}, '
        '"additionalProperties": false}'
    )
    (tmp_path / "r.ndjson").write_text(
        '{"customer": "c", "action": "checkout", "timestamp": 0, '
        '"data": {"transaction_id": "t", "total": 1, "\\u00e0x": "s"}}\n'
    )
    done = run_cli("convert", "r.ndjson", "--plan", "plan", cwd=tmp_path)
    assert done.returncode == 1
    found = [line for line in done.stderr.splitlines() if "unknown field" in line]
    assert len(found) == 1 and "/properties/total:" in found[0], done.stderr
