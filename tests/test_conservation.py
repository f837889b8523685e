"""Nothing is lost: every input record ends in exactly one of the output, the rejects, the
skipped count; a rejected record is written as it was, with its violations."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from contract_kit.cli import cli


def mixed_corpus(count: int, seed: int = 5) -> list[str]:
    """Valid records, invalid ones of every kind, lines that are not JSON, skipped events and
    shared ids, in random order."""
    generator = random.Random(seed)
    lines = []
    for index in range(count):
        base = {"customer": f"c{index % 300}", "action": "point_add", "data": {"points": index},
                "timestamp": 1_700_000_000 + index}  # fmt: skip
        kind = generator.randrange(10)
        if kind == 0:
            lines.append(json.dumps(dict(base, data={"points": "x"})))  # schema violation
        elif kind == 1:
            lines.append(json.dumps(base)[:-5])  # truncated: not JSON
        elif kind == 2:
            lines.append(json.dumps(base).replace('"points"', '"points": 1, "points"'))  # duplicate
        elif kind == 3:
            lines.append(json.dumps(dict(base, action="daily_login")))  # skipped by the settings
        elif kind == 4:
            lines.append(json.dumps(dict(base, id=f"e{index % 40}")))  # some share an id
        elif kind == 5:
            lines.append(json.dumps(dict(base, timestamp="2024-11-26 15:19:14")))  # naive
        else:
            lines.append(json.dumps(base))
    return lines


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_output_plus_rejects_plus_skipped_is_the_input(tmp_path: Path, jobs: str) -> None:
    lines = mixed_corpus(10_000)
    source = tmp_path / "in.ndjson"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "contract-kit.toml").write_text('events = ["point_add"]\n', encoding="utf-8")
    output, rejects = tmp_path / "out.ndjson", tmp_path / "rejects.ndjson"
    result = CliRunner().invoke(
        cli, ["convert", "--jobs", jobs, "--config", str(tmp_path / "contract-kit.toml"),
              "--format", "json", "-o", str(output), "--rejects", str(rejects), str(source)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 1
    report = json.loads(result.stderr)
    converted = output.read_text(encoding="utf-8").splitlines()
    rejected = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert report["records"] == 10_000
    assert len(converted) == report["converted"]
    assert len(converted) + len(rejected) + report["skipped"] == 10_000
    assert report["skipped"] > 0 and len(rejected) > 0
    for reject in rejected:
        assert reject["text"] == lines[reject["record"]]  # verbatim
        assert reject["violations"] and all(
            v["record"] == reject["record"] for v in reject["violations"]
        )
    assert {v["keyword"] for r in rejected for v in r["violations"]} >= {
        "type", "parse", "duplicateKeys", "format", "uniqueEventId",
    }  # fmt: skip


def test_rejects_of_a_document_are_its_elements_as_written(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    good = '{"customer": "c", "action": "x", "data": {}, "timestamp": 0}'
    bad = (
        '{\n    "customer": "c", "action": "point_add",\n'
        '    "data": {"points": null}, "timestamp": 0\n  }'
    )
    source.write_text(f"[\n  {good},\n  {bad}\n]\n", encoding="utf-8")
    rejects = tmp_path / "rejects.ndjson"
    result = CliRunner().invoke(cli, ["convert", "--rejects", str(rejects), str(source)])
    assert result.exit_code == 1
    (reject,) = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert reject["record"] == 1 and reject["text"] == bad
    assert reject["violations"][0]["pointer"] == "/data/points"
