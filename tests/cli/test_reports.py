"""`--report FORMAT=FILE`: one run, several reports, each file the same bytes as `--format`
would print, written atomically, while the terminal keeps its own report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contract_kit.reporters import REPORTERS

from ..helpers import FIXTURES, INVALID, RECORD, SAMPLE_PLAN, record, run, run_cli, write_ndjson

FORMATS = sorted(REPORTERS)


def _mixed(folder: Path) -> Path:
    """Three records, the second invalid."""
    return write_ndjson(folder / "in" / "events.ndjson", RECORD, record(timestamp=-1), RECORD)


@pytest.mark.parametrize("command", ["validate", "convert"])
def test_each_report_file_holds_what_its_format_prints(tmp_path: Path, command: str) -> None:
    source = str(_mixed(tmp_path))
    files = {name: tmp_path / "reports" / f"report.{name}" for name in FORMATS}
    asked = [item for name, path in files.items() for item in ("--report", f"{name}={path}")]
    both = run(command, source, *asked, "--no-progress")
    alone = run(command, source)
    assert both.exit_code == alone.exit_code == 1
    assert (both.stdout, both.stderr) == (alone.stdout, alone.stderr)  # the terminal's report
    for name, path in files.items():
        printed = run(command, source, "--format", name)
        expected = printed.stdout if command == "validate" else printed.stderr
        assert path.read_text(encoding="utf-8") == expected, name


def test_report_files_follow_quiet_and_verbose_but_never_colour(tmp_path: Path) -> None:
    source = str(_mixed(tmp_path))
    quiet = tmp_path / "quiet.txt"
    run("validate", source, "-q", "--color", "always", "--report", f"text={quiet}")
    assert quiet.read_text() == run("validate", source, "-q", "--color", "never").stdout
    assert "\x1b[" not in quiet.read_text()


def test_a_run_stopped_at_max_errors_still_writes_its_reports(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    done = run("validate", str(INVALID), "--max-errors", "2", "--report", f"json={report}")
    assert done.exit_code == 1
    assert report.read_text() == run("validate", str(INVALID), "--max-errors", "2",
                                     "--format", "json").stdout  # fmt: skip


def test_diff_and_coverage_write_their_reports_too(tmp_path: Path) -> None:
    antavo, golden = str(FIXTURES / "antavo"), str(FIXTURES / "golden")
    diff_json, diff_text = tmp_path / "diff.json", tmp_path / "diff.txt"
    done = run("diff", antavo, golden, "--report", f"json={diff_json}",
               "--report", f"text={diff_text}")  # fmt: skip
    assert done.exit_code == 0
    assert diff_json.read_text() == run("diff", antavo, golden, "--format", "json").stdout
    assert diff_text.read_text() == done.stdout

    coverage = tmp_path / "coverage.json"
    plan = ("--plan", str(SAMPLE_PLAN))
    done = run("plan", "coverage", antavo, *plan, "--report", f"json={coverage}")
    assert done.exit_code == 0 and done.stdout.startswith("event")
    expected = run("plan", "coverage", antavo, *plan, "--format", "json").stdout
    assert coverage.read_text() == expected


def test_diff_update_reports_what_it_wrote(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "antavo" / "actions", tmp_path / "in")
    report = tmp_path / "update.json"
    done = run("diff", str(tmp_path / "in"), str(tmp_path / "golden"), "--update",
               "--report", f"json={report}")  # fmt: skip
    assert done.exit_code == 0
    assert '"action": "created"' in report.read_text()


@pytest.mark.parametrize(
    ("report", "says"),
    [
        ("bogus=r.json", "unknown format 'bogus'"),
        ("json", "is not FORMAT=FILE"),
        ("json=", "is not FORMAT=FILE"),
        ("json=-", "cannot be the standard output"),
        ("yaml=r.yaml", "unknown format 'yaml'"),
    ],
)
def test_a_report_option_that_cannot_be_used_is_a_usage_error(
    tmp_path: Path, report: str, says: str
) -> None:
    done = run_cli("validate", str(FIXTURES / "antavo"), "--report", report, cwd=tmp_path)
    assert done.returncode == 2
    assert says in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "outputs",
    [
        ["--report", "json=same", "--report", "junit=same"],
        ["-o", "same", "--report", "json=same"],
        ["--rejects", "same", "--report", "text=./same"],
        ["-o", "same", "--rejects", "same"],
    ],
)
def test_two_outputs_of_one_run_cannot_name_one_file(tmp_path: Path, outputs: list[str]) -> None:
    done = run_cli("convert", str(FIXTURES / "antavo"), *outputs, cwd=tmp_path)
    assert done.returncode == 2
    assert "name the same file" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_report_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    done = run_cli("validate", str(FIXTURES / "antavo"), "--report", "json=taken", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith("contract-kit: error: ")
    assert "--report json=taken" in done.stderr


def test_a_report_written_into_a_searched_folder_is_not_read_back(tmp_path: Path) -> None:
    source = _mixed(tmp_path)
    report = source.parent / "report.json"
    first = run_cli("validate", str(source.parent), "--report", f"json={report}")
    again = run_cli("validate", str(source.parent), "--report", f"json={report}")
    assert first.stdout == again.stdout
    assert "3 records in 1 file" in again.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "in.ndjson", "--report", "json=in.ndjson"],
        ["validate", "in.ndjson", "-q", "--report", "text=./in.ndjson"],
        ["convert", "in.ndjson", "-o", "in.ndjson"],
        ["convert", "in.ndjson", "--rejects", "in.ndjson"],
        ["convert", "in.ndjson", "--report", "junit=in.ndjson"],
        ["plan", "coverage", "in.ndjson", "--plan", str(SAMPLE_PLAN), "--report", "json=in.ndjson"],
    ],
    ids=lambda command: " ".join(command[:2] + command[-2:]),
)
def test_an_output_that_names_an_input_is_refused_and_the_input_kept(
    tmp_path: Path, command: list[str]
) -> None:
    source = write_ndjson(tmp_path / "in.ndjson", RECORD, RECORD)
    before = source.read_bytes()
    done = run_cli(*command, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1].startswith("contract-kit: error: ")
    assert "in.ndjson" in done.stderr and "this run reads" in done.stderr
    assert source.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.ndjson"]


@pytest.mark.parametrize(
    "inside", ["in/actions/point-add.json", "golden/extra.json", "golden/r.txt"]
)
def test_a_diff_report_inside_its_folders_is_refused(tmp_path: Path, inside: str) -> None:
    shutil.copytree(FIXTURES / "antavo" / "actions", tmp_path / "in" / "actions")
    shutil.copytree(FIXTURES / "golden" / "actions", tmp_path / "golden" / "actions")
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    done = run_cli("diff", "in", "golden", "--report", f"text={inside}", cwd=tmp_path)
    assert done.returncode == 2
    assert f"--report text={inside}" in done.stderr and "inside" in done.stderr
    after = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert after == before


PLAN_FILE = "plan/track/point_add.schema.json"


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "ev.ndjson", "--report", "json=contract-kit.toml"],
        ["convert", "ev.ndjson", "-o", "contract-kit.toml"],
        ["convert", "ev.ndjson", "--plan", "plan", "-o", PLAN_FILE],
        ["validate", "ev.ndjson", "--plan", "plan", "--report", f"json={PLAN_FILE}"],
        ["plan", "coverage", "ev.ndjson", "--plan", "plan", "--report", f"json={PLAN_FILE}"],
        ["plan", "export", "--plan", "plan", "-o", PLAN_FILE],
        ["diff", "in", "golden", "--report", "text=contract-kit.toml"],
    ],
    ids=lambda command: " ".join(command),
)
def test_an_output_never_replaces_the_configuration_or_the_plan(
    tmp_path: Path, command: list[str]
) -> None:
    write_ndjson(tmp_path / "ev.ndjson", RECORD)
    (tmp_path / "contract-kit.toml").write_text('exclude = ["nothing"]\n')
    shutil.copytree(SAMPLE_PLAN, tmp_path / "plan")
    shutil.copytree(FIXTURES / "antavo" / "actions", tmp_path / "in")
    (tmp_path / "golden").mkdir()
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    done = run_cli(*command, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    error = done.stderr.splitlines()[-1]
    assert error.startswith("contract-kit: error: ") and ("reads" in error), error
    assert {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()} == before


def test_a_refusal_is_one_line_whatever_the_file_name(tmp_path: Path) -> None:
    write_ndjson(tmp_path / "ev.ndjson", RECORD)
    odd = "json=x\ny.json"
    done = run_cli("validate", "ev.ndjson", "--report", odd, "--report", odd, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "name the same file" in done.stderr


@pytest.mark.parametrize("option", [["--report", "json=loop"], ["-o", "loop"]])
def test_an_output_that_is_a_loop_of_links_is_one_error_line(
    tmp_path: Path, option: list[str]
) -> None:
    write_ndjson(tmp_path / "ev.ndjson", RECORD)
    (tmp_path / "loop").symlink_to("other")
    (tmp_path / "other").symlink_to("loop")
    done = run_cli("convert", "ev.ndjson", *option, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith("contract-kit: error: ")
