"""`validate .` checks payloads, not the project's own files: the tracking plan in use is skipped,
and `--exclude GLOB` / `exclude = [...]` skip more when folders are searched."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..helpers import FIXTURES, run_cli


def payload_project(root: Path) -> Path:
    """A project with a tracking plan, a payload folder and one invalid fixture."""
    shutil.copytree(FIXTURES / "tracking-plan", root / "tracking-plan")
    (root / "events").mkdir(parents=True)
    shutil.copy(FIXTURES / "antavo" / "actions" / "point-add.json", root / "events" / "ok.json")
    (root / "broken").mkdir()
    (root / "broken" / "bad.json").write_text('{"customer": "c"}')
    return root


def test_validate_dot_skips_the_tracking_plan_in_use(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    (root / "broken" / "bad.json").unlink()
    done = run_cli("validate", ".", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok: 1 record in 1 file, all valid"


def test_a_plan_named_in_the_configuration_is_skipped_too(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    (root / "tracking-plan").rename(root / "plans")
    (root / "contract-kit.toml").write_text('plan = "plans"\nexclude = ["broken"]\n')
    done = run_cli("validate", ".", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok: 1 record in 1 file, all valid"


def test_exclude_option_skips_matching_folders_and_files(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    failing = run_cli("validate", ".", cwd=root)
    assert failing.returncode == 1
    assert "broken/bad.json" in failing.stdout
    for glob in ("broken", "broken/", "./broken", "bad.json", "*/bad.json", "b*"):
        done = run_cli("validate", ".", "--exclude", glob, cwd=root)
        assert done.returncode == 0, (glob, done.stdout)
    both = run_cli("convert", ".", "--exclude", "broken", "--exclude", "nothing", cwd=root)
    assert both.returncode == 0, both.stderr
    assert "converted 1 of 1 record in 1 file" in both.stderr


def test_exclude_in_the_configuration_adds_to_the_option(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    (root / "events" / "also-bad.json").write_text("{}")
    (root / "contract-kit.toml").write_text('exclude = ["broken"]\n')
    assert run_cli("validate", ".", cwd=root).returncode == 1  # events/also-bad.json
    done = run_cli("validate", ".", "--exclude", "also-*", cwd=root)
    assert done.returncode == 0, done.stdout


def test_a_file_named_on_the_command_line_is_read_even_if_excluded(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    done = run_cli("validate", "broken/bad.json", "--exclude", "broken", cwd=root)
    assert done.returncode == 1
    assert "broken/bad.json" in done.stdout


def test_a_folder_left_empty_by_exclusions_is_a_usage_error_that_says_so(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    done = run_cli("validate", "broken", "--exclude", "*.json", cwd=root)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "contract-kit: error: broken: no *.json, *.ndjson or *.jsonl files in this directory "
        "that are not excluded"
    )


def test_an_unknown_configuration_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "contract-kit.toml").write_text('exclud = ["broken"]\n')
    done = run_cli("config", "show", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown key 'exclud'; did you mean 'exclude'?" in done.stderr


def test_exclude_in_the_configuration_means_the_same_from_a_subfolder(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    (root / ".git").mkdir()
    (root / "data").mkdir()
    (root / "broken").rename(root / "data" / "invalid")
    shutil.copy(FIXTURES / "antavo" / "actions" / "profile.json", root / "data" / "ok.json")
    (root / "contract-kit.toml").write_text('exclude = ["data/invalid"]\n')
    for where in (root, root / "data"):
        done = run_cli("validate", ".", cwd=where)
        assert done.returncode == 0, (where, done.stdout)


def test_an_absolute_glob_matches(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    done = run_cli("validate", ".", "--exclude", str((root / "broken").resolve()), cwd=root)
    assert done.returncode == 0, done.stdout


def test_convert_does_not_read_back_its_own_output(tmp_path: Path) -> None:
    root = payload_project(tmp_path / "shop")
    (root / "broken" / "bad.json").unlink()
    (root / "broken").rmdir()
    args = ("convert", ".", "-o", "out.ndjson", "--rejects", "rejects.ndjson")
    first, second = run_cli(*args, cwd=root), run_cli(*args, cwd=root)
    assert first.returncode == second.returncode == 0, second.stderr
    assert second.stderr.splitlines()[-1] == first.stderr.splitlines()[-1]
    assert "converted 1 of 1 record in 1 file" in second.stderr
