"""`contract-kit diff`: goldens compared structurally, fixed with the command it prints."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from contract_kit.cli import cli

from ..helpers import FIXTURES, run, write, write_json

UPDATE_FIX = "--update"


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of a few bundled fixtures and their goldens."""
    inputs, goldens = tmp_path / "in", tmp_path / "golden"
    for relative in ("actions/point-add.json", "actions/profile.json", "containers/records.ndjson"):
        for source, target in ((FIXTURES / "antavo", inputs), (FIXTURES / "golden", goldens)):
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source / relative, target / relative)
    return inputs, goldens


def diff(inputs: Path, goldens: Path, *extra: str) -> Result:
    return run("diff", str(inputs), str(goldens), *extra)


def test_bundled_fixtures_match_their_goldens() -> None:
    result = diff(FIXTURES / "antavo", FIXTURES / "golden")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 55 input files; 55 same")


def test_goldens_are_the_mappings_messages_whatever_the_plan_omits(
    tree: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """diff converts without the tracking plan, as it never applied the plan's checks: a
    configuration that omits unplanned properties leaves goldens as they are, and validating
    them with the plan says what convert would leave out."""
    inputs, goldens = tree
    write_json(tmp_path / "plan" / "track" / "point_add.schema.json", {"properties": {}})
    write(tmp_path / "contract-kit.toml", 'plan = "plan"\nunplanned_properties = "omit"\n')
    monkeypatch.chdir(tmp_path)
    assert diff(inputs, goldens).exit_code == 0
    validated = run("validate", str(goldens / "actions" / "point-add.json"))
    assert validated.exit_code == 0
    assert (
        "/properties/points: warning: plan: property 'points' is not in the tracking plan "
        "for 'point_add'; convert would omit it" in validated.stdout
    )


def test_a_changed_value_is_shown_by_pointer_with_old_and_new(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    golden = goldens / "actions" / "point-add.json"
    messages = json.loads(golden.read_text(encoding="utf-8"))
    points = messages[0]["properties"]["points"]
    messages[0]["properties"]["points"] = points + 1
    messages[0]["properties"]["stale"] = True
    golden.write_text(json.dumps(messages, indent=2) + "\n", encoding="utf-8")
    result = diff(inputs, goldens)
    assert result.exit_code == 1
    assert (
        f"{golden}: differs from the conversion of {inputs / 'actions' / 'point-add.json'}"
        in result.stdout
    )
    assert f"  @ /0/properties/points\n  - {points + 1}\n  + {points}\n" in result.stdout
    assert "  @ /0/properties/stale\n  - true\n" in result.stdout
    assert (
        f"to accept the new output, run: contract-kit diff {inputs} {goldens} --update"
        in result.stdout
    )


def test_numbers_of_another_type_differ(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    golden = goldens / "actions" / "point-add.json"
    text = golden.read_text(encoding="utf-8")
    points = json.loads(text)[0]["properties"]["points"]
    golden.write_text(
        text.replace(f'"points": {points}', f'"points": {points}.0'), encoding="utf-8"
    )
    result = diff(inputs, goldens)
    assert result.exit_code == 1
    assert f"  - {points}.0\n  + {points}\n" in result.stdout


def test_formatting_only_difference_is_named(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    golden = goldens / "actions" / "profile.json"
    golden.write_text(json.dumps(json.loads(golden.read_text(encoding="utf-8"))), encoding="utf-8")
    result = diff(inputs, goldens)
    assert result.exit_code == 1
    assert "not in the canonical form (formatting)" in result.stdout


def test_missing_and_orphaned_goldens_fail_with_the_fixing_command(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    (goldens / "actions" / "profile.json").unlink()
    orphan = goldens / "old" / "gone.ndjson"
    orphan.parent.mkdir()
    orphan.write_text("{}\n", encoding="utf-8")
    result = diff(inputs, goldens)
    assert result.exit_code == 1
    assert f"{goldens / 'actions' / 'profile.json'}: missing golden for" in result.stdout
    assert f"{orphan}: orphaned golden, no input file produces it" in result.stdout
    assert "failed: 3 input files; 2 same, 1 missing, 1 orphaned" in result.stdout
    assert UPDATE_FIX in result.stdout


def test_update_writes_only_what_changed_and_removes_orphans(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    (goldens / "actions" / "profile.json").unlink()
    changed = goldens / "containers" / "records.ndjson"
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("point_add", "points_add"), encoding="utf-8"
    )
    orphan = goldens / "orphan.json"
    orphan.write_text("[]\n", encoding="utf-8")
    untouched = goldens / "actions" / "point-add.json"
    before = untouched.stat().st_mtime_ns
    result = diff(inputs, goldens, "--update")
    assert result.exit_code == 0, result.output
    assert f"created {goldens / 'actions' / 'profile.json'}" in result.stdout
    assert f"updated {changed}" in result.stdout
    assert f"removed {orphan}" in result.stdout
    assert untouched.stat().st_mtime_ns == before
    assert not orphan.exists()
    assert diff(inputs, goldens).exit_code == 0
    assert sorted(p.name for p in goldens.rglob("*") if p.name.startswith(".")) == []


def test_update_is_refused_in_ci_unless_forced(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, goldens = tree
    (goldens / "actions" / "profile.json").unlink()
    monkeypatch.setenv("CI", "true")
    refused = diff(inputs, goldens, "--update")
    assert refused.exit_code == 2
    assert "refusing to --update goldens with CI set" in refused.stderr
    assert not (goldens / "actions" / "profile.json").exists()
    assert diff(inputs, goldens, "--update", "--force").exit_code == 0
    assert (goldens / "actions" / "profile.json").exists()


def test_an_invalid_fixture_fails_diff_and_gets_no_golden(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    bad = inputs / "actions" / "bad.json"
    bad.write_text(
        '{"customer": "c", "action": "point_add", "data": {}, "timestamp": 0}\n', encoding="utf-8"
    )
    for extra in ((), ("--update",)):
        result = diff(inputs, goldens, *extra)
        assert result.exit_code == 1
        assert f"{bad}: invalid input, golden not compared" in result.stdout
        assert f"  {bad}:1:50: record 0: /data/points: 'points' is required" in result.stdout
    assert not (goldens / "actions" / "bad.json").exists()


def test_records_skipped_by_the_sync_settings_are_absent_from_the_golden(
    tree: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, goldens = tree
    config = tmp_path / "contract-kit.toml"
    config.write_text('events = ["daily_login"]\nattributes = ["email"]\n', encoding="utf-8")
    assert diff(inputs, goldens, "--config", str(config), "--update").exit_code == 0
    records = (goldens / "containers" / "records.ndjson").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event"] for line in records] == ["daily_login"]
    assert json.loads((goldens / "actions" / "point-add.json").read_text(encoding="utf-8")) == []
    traits = json.loads((goldens / "actions" / "profile.json").read_text(encoding="utf-8"))[0][
        "traits"
    ]
    assert list(traits) == ["email"]


def test_diff_reads_the_configuration_like_every_command(
    tree: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, goldens = tree
    (tmp_path / "contract-kit.toml").write_text(
        'event_names = {point_add = "Points Added"}\n', encoding="utf-8"
    )
    result = diff(inputs, goldens)
    assert result.exit_code == 1
    assert '  - "point_add"\n  + "Points Added"' in result.stdout
    assert "configuration: contract-kit.toml" in result.stderr
    records = goldens / "containers" / "records.ndjson"  # an NDJSON golden: diffed the same way
    assert (
        f"{records}: differs from the conversion of {inputs / 'containers' / 'records.ndjson'}\n"
        '  @ /1/event\n  - "point_add"\n  + "Points Added"\n'
    ) in result.stdout
    assert "unreadable" not in result.stdout


@pytest.mark.parametrize("golden_below", ["same", "inside-input", "input-inside"])
def test_overlapping_folders_are_refused_before_anything_is_touched(
    tmp_path: Path, golden_below: str
) -> None:
    root = tmp_path / "fx"
    shutil.copytree(FIXTURES / "antavo" / "actions", root / "antavo")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    inputs = root / "antavo"
    goldens = {"same": inputs, "inside-input": inputs / "golden", "input-inside": root}[
        golden_below
    ]
    for extra in ((), ("--update",)):
        result = diff(inputs, goldens, *extra)
        assert result.exit_code == 2
        assert "must not overlap" in result.stderr
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_the_fixing_command_is_quoted_for_the_shell(tmp_path: Path) -> None:
    inputs, goldens = tmp_path / "my in", tmp_path / "my golden"
    shutil.copytree(FIXTURES / "antavo" / "custom", inputs)
    result = diff(inputs, goldens)
    assert f"run: contract-kit diff '{inputs}' '{goldens}' --update" in result.stdout


def test_a_golden_that_is_not_utf8_differs_and_is_repaired(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    golden = goldens / "actions" / "profile.json"
    golden.write_bytes(b"\xff\xfe[]")
    result = diff(inputs, goldens)
    assert result.exit_code == 1
    assert "not UTF-8" in result.stdout
    assert diff(inputs, goldens, "--update").exit_code == 0


def test_a_golden_path_that_is_a_directory_is_a_usage_error(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    golden = goldens / "actions" / "profile.json"
    golden.unlink()
    golden.mkdir()
    result = diff(inputs, goldens, "--update")
    assert result.exit_code == 2
    assert "not a regular file" in result.stderr


def test_diff_json_lists_every_golden_with_its_changes(tree: tuple[Path, Path]) -> None:
    inputs, goldens = tree
    (goldens / "actions" / "profile.json").unlink()
    golden = goldens / "actions" / "point-add.json"
    messages = json.loads(golden.read_text(encoding="utf-8"))
    points = messages[0]["properties"]["points"]
    messages[0]["properties"]["points"] = points + 1
    golden.write_text(json.dumps(messages, indent=2) + "\n", encoding="utf-8")
    result = diff(inputs, goldens, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["inputs"] == 3
    assert report["counts"] == {"same": 1, "differs": 1, "missing": 1, "orphan": 0, "invalid": 0}
    (changed,) = [g for g in report["goldens"] if g["status"] == "differs"]
    assert changed["changes"] == [
        {"pointer": "/0/properties/points", "op": "replace", "old": points + 1, "new": points}
    ]
    assert report["fix"].endswith("--update")
    updated = json.loads(diff(inputs, goldens, "--format", "json", "--update").stdout)
    assert sorted(u["action"] for u in updated["updated"]) == ["created", "updated"]
    assert updated["ok"] is True and updated["fix"] is None


def test_convert_report_formats_go_to_stderr(tree: tuple[Path, Path]) -> None:
    inputs, _ = tree
    result = CliRunner().invoke(
        cli, ["convert", "--format", "json", str(inputs / "actions" / "point-add.json")],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(result.stdout)["type"] == "track"
    assert json.loads(result.stderr) == {"ok": True, "files": 1, "records": 1, "converted": 1,
                                         "skipped": 0, "warnings": 0, "violations": []}  # fmt: skip


@pytest.mark.parametrize("link", ["folder", "file"])
def test_a_golden_cannot_be_written_outside_the_golden_folder(
    tree: tuple[Path, Path], tmp_path: Path, link: str
) -> None:
    inputs, goldens = tree
    outside = tmp_path / "outside"
    outside.mkdir()
    if link == "folder":
        shutil.rmtree(goldens / "actions")
        (goldens / "actions").symlink_to(outside, target_is_directory=True)
    else:
        (goldens / "actions" / "profile.json").unlink()
        (goldens / "actions" / "profile.json").symlink_to(outside / "profile.json")
    result = diff(inputs, goldens, "--update")
    assert result.exit_code == 2
    assert "leads outside" in result.stderr
    assert list(outside.iterdir()) == []
