"""The configuration is found from a subfolder, as ruff, black and pytest find theirs: upward from
the working directory to the first folder holding one, never past the repository root."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from ..helpers import FIXTURES, cli_command, cli_environment, run_cli, unprivileged

RENAME = '[tool.contract-kit]\nevent_names = { point_add = "Points Added" }\n'


def project(root: Path, pyproject: str = RENAME) -> Path:
    """A repository (with .git) whose pyproject.toml holds `pyproject`, and a fixture below it."""
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n\n' + pyproject)
    fixtures = root / "fixtures" / "antavo"
    fixtures.mkdir(parents=True)
    (fixtures / "point-add.json").write_bytes(
        (FIXTURES / "antavo" / "actions" / "point-add.json").read_bytes()
    )
    return fixtures


def test_convert_from_a_subfolder_uses_the_pyproject_above(tmp_path: Path) -> None:
    fixtures = project(tmp_path / "repo")
    done = run_cli("convert", "point-add.json", cwd=fixtures)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["event"] == "Points Added"
    assert done.stderr.startswith("configuration: ../../pyproject.toml\n")


def test_config_show_says_which_file_and_why(tmp_path: Path) -> None:
    fixtures = project(tmp_path / "repo")
    shown = run_cli("config", "show", cwd=fixtures)
    assert shown.stdout.splitlines()[0] == (
        "configuration: ../../pyproject.toml (found in a folder 2 levels above)"
    )
    assert "# ../../pyproject.toml [tool.contract-kit]" in shown.stdout
    nearer = run_cli("config", "show", cwd=fixtures.parent)
    assert nearer.stdout.splitlines()[0] == (
        "configuration: ../pyproject.toml (found in the parent folder)"
    )


def test_the_nearest_file_wins(tmp_path: Path) -> None:
    fixtures = project(tmp_path / "repo")
    (fixtures.parent / "contract-kit.toml").write_text('event_names = { point_add = "Near" }\n')
    done = run_cli("convert", str(fixtures / "point-add.json"), cwd=fixtures)
    assert json.loads(done.stdout)["event"] == "Near"
    assert done.stderr.startswith("configuration: ../contract-kit.toml\n")


def test_the_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "contract-kit.toml").write_text('event_names = { point_add = "Outside" }\n')
    fixtures = project(tmp_path / "repo", pyproject="")  # no [tool.contract-kit] inside the repo
    done = run_cli("convert", "point-add.json", cwd=fixtures)
    assert json.loads(done.stdout)["event"] == "point_add"
    assert "configuration:" not in done.stderr
    shown = run_cli("config", "show", cwd=fixtures)
    assert shown.stdout.splitlines()[0] == (
        "configuration: none, the defaults (no contract-kit.toml and no pyproject.toml with "
        f"[tool.contract-kit] from the working directory up to the repository root "
        f"{(tmp_path / 'repo').resolve()})"
    )


def test_paths_in_the_file_stay_relative_to_the_file(tmp_path: Path) -> None:
    fixtures = project(tmp_path / "repo", RENAME + 'plan = "plans"\n')
    plan = tmp_path / "repo" / "plans"
    (plan / "track").mkdir(parents=True)
    (plan / "track" / "Points Added.schema.json").write_text(
        '{"type": "object", "properties": {"points": {"maximum": 10}}}'
    )
    done = run_cli("convert", "point-add.json", cwd=fixtures)
    assert done.returncode == 1, done.stderr
    assert "tracking plan: ../../plans (1 events)" in done.stderr
    assert "/properties/points: plan:" in done.stderr


def test_the_default_plan_folder_is_the_one_beside_the_configuration(tmp_path: Path) -> None:
    fixtures = project(tmp_path / "repo")
    (tmp_path / "repo" / "tracking-plan" / "track").mkdir(parents=True)
    shown = run_cli("config", "show", cwd=fixtures)
    assert shown.stdout.splitlines()[-1] == (
        "tracking plan: ../../tracking-plan (no plan set; the default folder tracking-plan "
        "beside the configuration)"
    )


def test_outside_a_repository_the_search_ends_at_the_file_systems_root() -> None:
    outside = Path(tempfile.mkdtemp(prefix="contract-kit-no-repo-"))
    try:
        shown = run_cli("config", "show", cwd=outside)
        assert shown.stdout.splitlines()[0].endswith("up to the file system's root)")
    finally:
        outside.rmdir()


def test_a_working_directory_removed_under_the_run_still_reads_stdin(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    done = subprocess.run(
        ["bash", "-c", f"cd {gone} && rmdir {gone} && {' '.join(cli_command('validate', '-'))}"],
        input=(FIXTURES / "antavo" / "actions" / "point-add.json").read_bytes(),
        capture_output=True, env=cli_environment(), timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"ok: 1 record in 1 file, all valid\n"


def test_an_unreadable_pyproject_above_the_working_directory_is_passed_over() -> None:
    outside = Path(tempfile.mkdtemp(prefix="contract-kit-others-"))
    try:
        outside.chmod(0o777)
        (outside / "pyproject.toml").write_text("[tool.contract-kit]\nevents = 3\n")
        (outside / "pyproject.toml").chmod(0)
        (outside / "mine").mkdir(mode=0o777)
        (outside / "mine").chmod(0o777)
        shown = run_cli("config", "show", cwd=outside / "mine", prefix=unprivileged())
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith("configuration: none, the defaults")
    finally:
        (outside / "pyproject.toml").unlink()
        (outside / "mine").rmdir()
        outside.rmdir()
