"""Hostile inputs and faults, through real processes: nothing vanishes, nothing hangs, nothing
is misattributed, and no input can forge a line of a report.

Where a test bounds time (timeout=...), it proves termination, not speed: the bounds are ten
times what the run takes here."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract_kit.reporters import REPORTERS
from contract_kit.violations import shortened

from ..helpers import (
    FIXTURES,
    POINT_ADD,
    RECORD,
    cli_command,
    cli_environment,
    run_cli,
    unprivileged,
)

PROFILE = FIXTURES / "antavo" / "actions" / "profile.json"


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder the unprivileged user can use (pytest's own tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="contract-kit-"))
    folder.chmod(0o777)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o777)
    shutil.rmtree(folder)


def open_to_all(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)


# 1. nothing vanishes ---------------------------------------------------------------------------


def tree_with_a_locked_folder(root: Path) -> tuple[Path, Path]:
    """in/a/point-add.json, in/b/profile.json (b locked: mode 000), and their goldens."""
    inputs, goldens = root / "in", root / "golden"
    for name, fixture in (("a", POINT_ADD), ("b", PROFILE)):
        (inputs / name).mkdir(parents=True)
        shutil.copy(fixture, inputs / name / fixture.name)
    assert run_cli("diff", "in", "golden", "--update", cwd=root).returncode == 0
    open_to_all(root)
    (inputs / "b").chmod(0)
    return inputs, goldens


def test_a_folder_that_cannot_be_listed_is_an_error_not_a_silence(shared_tmp: Path) -> None:
    tree_with_a_locked_folder(shared_tmp)
    for command in (["convert", "in"], ["validate", "in"]):
        done = run_cli(*command, cwd=shared_tmp, prefix=unprivileged())
        assert done.returncode == 2, done.stdout + done.stderr
        assert "in/b:1:1: (root): cannot list this folder: Permission denied" in (
            done.stdout + done.stderr
        )


def test_update_removes_no_golden_in_a_run_that_could_not_read_every_path(
    shared_tmp: Path,
) -> None:
    _, goldens = tree_with_a_locked_folder(shared_tmp)
    done = run_cli("diff", "in", "golden", "--update", cwd=shared_tmp, prefix=unprivileged())
    assert done.returncode == 2
    assert "kept golden/b/profile.json: orphaned, but not every path could be read" in done.stdout
    assert (goldens / "b" / "profile.json").is_file()


def test_a_golden_folder_that_cannot_be_listed_is_an_error(shared_tmp: Path) -> None:
    _, goldens = tree_with_a_locked_folder(shared_tmp)
    (shared_tmp / "in" / "b").chmod(0o777)
    (goldens / "b").chmod(0)
    done = run_cli("diff", "in", "golden", cwd=shared_tmp, prefix=unprivileged())
    assert done.returncode == 2
    assert "golden/b:1:1: (root): cannot list this folder: Permission denied" in done.stdout


def test_a_named_pipe_met_while_searching_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(POINT_ADD, tmp_path / "in" / "point-add.json")
    os.mkfifo(tmp_path / "in" / "pipe.json")  # no writer: reading it would block for ever
    done = run_cli("convert", "in", cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "converted 1 of 1 record in 1 file" in done.stderr


def test_a_named_pipe_named_on_the_command_line_is_read(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.ndjson"
    os.mkfifo(pipe)
    process = subprocess.Popen(
        cli_command("validate", str(pipe)), stdout=subprocess.PIPE, env=cli_environment()
    )
    pipe.write_text(json.dumps(RECORD) + "\n")
    stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert stdout.decode().strip() == "ok: 1 record in 1 file, all valid"


# 3. locating stays linear ---------------------------------------------------------------------


def record_with_unknown_keys(path: Path, count: int) -> Path:
    path.write_text(json.dumps({**RECORD, **{f"k{n}": n for n in range(count)}}))
    return path


def test_a_record_with_100000_unknown_keys_is_reported(tmp_path: Path) -> None:
    record = record_with_unknown_keys(tmp_path / "r.json", 100_000)
    done = run_cli("validate", str(record), timeout=120)  # 7 s here; 4,000 keys took 37 s
    lines = done.stdout.splitlines()
    assert done.returncode == 1
    assert len(lines) == 100_001
    assert lines[0].startswith(f"{record}:1:")
    assert "/k0: unknown field 'k0'" in lines[0]
    assert "/k99999: unknown field 'k99999'" in lines[-2]


def test_max_errors_bounds_the_work_inside_one_record(tmp_path: Path) -> None:
    record = record_with_unknown_keys(tmp_path / "r.json", 100_000)
    done = run_cli("validate", str(record), "--max-errors", "3", timeout=60)
    assert done.returncode == 1
    first = done.stdout.splitlines()[:3]
    assert [line.split(": record 0: ")[1].split(":")[0] for line in first] == ["/k0", "/k1", "/k2"]
    assert done.stdout.splitlines()[-1].startswith("failed: 1 record in 1 file; 3 violations")


# 4. stdin is read like a file ------------------------------------------------------------------

NOT_UTF8 = (
    json.dumps(RECORD).encode()
    + b"\n"
    + json.dumps(dict(RECORD, customer="X")).encode().replace(b"X", b"\xe9")
    + b"\n"
    + json.dumps(dict(RECORD, customer="d")).encode()
    + b"\n"
)


def test_stdin_a_named_file_and_a_process_substitution_read_alike(tmp_path: Path) -> None:
    source = tmp_path / "events.ndjson"
    source.write_bytes(NOT_UTF8)
    named = run_cli("convert", str(source), cwd=tmp_path)
    stdin = run_cli("convert", "-", stdin=NOT_UTF8, cwd=tmp_path)
    substituted = subprocess.run(
        ["bash", "-c", f"{' '.join(cli_command('convert'))} <(cat {source})"],
        capture_output=True, text=True, env=cli_environment(), timeout=60, check=False,
    )  # fmt: skip
    for done, name in ((named, str(source)), (stdin, "<stdin>"), (substituted, "/dev/fd/")):
        assert done.returncode == 1, done.stderr
        assert len(done.stdout.splitlines()) == 2
        line, summary = done.stderr.splitlines()
        assert line.startswith(name)
        assert line.endswith(":2:15: record 1: (root): not UTF-8 text: byte 0xe9 cannot be decoded")
        assert summary.startswith("failed: converted 2 of 3 records in 1 file; 1 rejected")


# 5. errors say what failed, where --------------------------------------------------------------


def test_a_name_too_long_is_an_input_error_naming_the_path(tmp_path: Path) -> None:
    name = "y" * 300 + ".json"
    done = run_cli("validate", name, cwd=tmp_path)
    assert done.returncode == 2
    shown = shortened(name, 300)  # the text report cuts a path past 300 characters
    assert done.stdout.splitlines()[0] == f"{shown}:1:1: (root): cannot read: File name too long"
    assert "cannot write" not in done.stdout + done.stderr


def test_a_file_under_an_unreadable_folder_is_an_input_error(shared_tmp: Path) -> None:
    (shared_tmp / "locked").mkdir()
    shutil.copy(POINT_ADD, shared_tmp / "locked" / "x.json")
    (shared_tmp / "locked").chmod(0)
    done = run_cli("validate", "locked/x.json", cwd=shared_tmp, prefix=unprivileged())
    assert done.returncode == 2
    expected = "locked/x.json:1:1: (root): cannot read: Permission denied"
    assert done.stdout.splitlines()[0] == expected


def limited_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))  # Python ignores SIGXFSZ


@pytest.mark.parametrize(
    ("outputs", "failing"),
    [
        (["-o", "out.ndjson"], "-o out.ndjson"),
        (["-o", "-", "--rejects", "r.ndjson"], "--rejects r.ndjson"),
    ],
)
def test_a_failed_write_names_the_output_and_leaves_nothing(
    tmp_path: Path, outputs: list[str], failing: str
) -> None:
    source = tmp_path / "in.ndjson"
    good, bad = json.dumps(RECORD), json.dumps(dict(RECORD, acton=1))
    source.write_text("\n".join([good, bad] * 2_000) + "\n")
    done = subprocess.run(
        cli_command("convert", str(source), *outputs), cwd=tmp_path, capture_output=True,
        text=True, env=cli_environment(), preexec_fn=limited_file_size, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    error = done.stderr.splitlines()[-1]
    assert error == f"contract-kit: error: cannot write {failing}: File too large"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.ndjson"]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('plan = "nope"', "contract-kit.toml: key 'plan': nope: tracking-plan folder not found"),
        ('plan = "in.json"', "contract-kit.toml: key 'plan': in.json: not a folder"),
        (f'plan = "{"x" * 5000}"', "contract-kit.toml: key 'plan': xxx"),
    ],
)
def test_a_bad_plan_value_names_the_file_and_the_key(
    tmp_path: Path, setting: str, expected: str
) -> None:
    shutil.copy(POINT_ADD, tmp_path / "in.json")
    (tmp_path / "contract-kit.toml").write_text(setting + "\n")
    done = run_cli("convert", "in.json", cwd=tmp_path)
    assert done.returncode == 2
    error = done.stderr.splitlines()[-1]
    assert error.startswith(f"contract-kit: error: {expected}")
    assert len(error) < 400  # a few hundred characters of user data at most


# 6. reports cannot be forged by data -----------------------------------------------------------

FORGED_KEY = "x\n::error file=evil.py,line=1::injected"


@pytest.mark.parametrize("report", sorted(REPORTERS))
def test_no_line_of_a_report_can_be_forged_by_a_key(tmp_path: Path, report: str) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({**RECORD, FORGED_KEY: 1, "y\x1b[2J": 2}))
    done = run_cli("validate", str(source), "--format", report)
    assert done.returncode == 1
    for line in done.stdout.splitlines():
        assert not line.lstrip().startswith("::error file=evil.py"), line
        assert "\x1b" not in line
    if report in ("text", "github"):
        assert "x\\n::error file=evil.py" in done.stdout.replace("%3A", ":").replace("%2C", ",")


#: The bidirectional controls of "Trojan Source" (CVE-2021-42574): embeddings, overrides,
#: isolates and marks, which reorder how the text around them is displayed.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("report", sorted(REPORTERS))
def test_no_report_shows_a_key_reordered_by_bidi_controls(tmp_path: Path, report: str) -> None:
    """A reader sees a key as written, escapes and all; the JSON report carries it as data."""
    key = "admin" + "".join(f"{c}{i}" for i, c in enumerate(BIDI))
    source = tmp_path / "in.json"
    source.write_text(json.dumps({**RECORD, key: 1}))
    done = run_cli("validate", str(source), "--format", report)
    assert done.returncode == 1
    shown = done.stdout
    if report == "json":
        [pointer] = [v["pointer"] for v in json.loads(shown)["violations"]]
        assert pointer == "/" + key
        return
    if report == "sarif":  # the message is shown; the properties are data
        [result] = json.loads(shown)["runs"][0]["results"]
        assert result["properties"]["pointer"] == "/" + key
        shown = result["message"]["text"]
    assert not any(c in shown for c in BIDI), report
    escaped = "admin" + "".join(f"\\u{ord(c):04x}{i}" for i, c in enumerate(BIDI))
    assert escaped in shown.replace("\\\\", "\\"), report  # markdown escapes the backslash


@pytest.mark.parametrize("name", ["r\u200fx.json", "a,b:c%d.json"])
def test_a_github_annotation_names_the_real_file(tmp_path: Path, name: str) -> None:
    """`file=` is the path GitHub matches against the repository's files: escaped only as
    GitHub decodes it, never shown as escapes (the message text is)."""
    (tmp_path / name).write_text(json.dumps({**RECORD, "stray": 1}))
    done = run_cli("validate", name, "--format", "github", cwd=tmp_path)
    assert done.returncode == 1
    [annotation] = [line for line in done.stdout.splitlines() if line.startswith("::error")]
    encoded = annotation.split("file=", 1)[1].split(",line=", 1)[0]
    decoded = encoded.replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    assert decoded == name


def test_the_rejects_file_is_valid_utf8_json_even_for_a_lone_surrogate(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    source.write_text('{"customer": "c", "action": "point_add", "\\udc00": 1}\n')
    done = run_cli("convert", str(source), "--rejects", "rejects.ndjson", cwd=tmp_path)
    assert done.returncode == 1
    raw = (tmp_path / "rejects.ndjson").read_bytes()
    reject = json.loads(raw.decode("utf-8"))  # strict UTF-8: no raw ED B0 80
    assert reject["record"] == 0
    assert "\\udc00" in raw.decode("utf-8")


# 7. Ctrl-C, again and again --------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_repeated_ctrl_c_while_work_is_in_flight_is_still_one_clean_stop(
    tmp_path: Path, jobs: str
) -> None:
    source = tmp_path / "in.ndjson"
    slow = dict(RECORD, acton=1, timestamp="2024-01-01 00:00")  # three violations a record
    source.write_text((json.dumps(slow) + "\n") * 60_000)
    process = subprocess.Popen(
        cli_command("convert", str(source), "--jobs", jobs, "-o", "out.ndjson",
                    "--report", "junit=junit.xml", "--report", "text=report.txt"), cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_environment(),
        start_new_session=True,
    )  # fmt: skip
    time.sleep(2.0)
    assert process.poll() is None, "the run ended before the signals could be sent"
    for _ in range(3):
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(0.05)
    _, stderr = process.communicate(timeout=60)  # never a hang
    assert (process.returncode, stderr.decode()) == (130, "contract-kit: interrupted\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.ndjson"]


# found by review -------------------------------------------------------------------------------


def test_a_symlinked_folder_in_a_searched_tree_is_said_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(POINT_ADD, tmp_path / "elsewhere" / "point-add.json")
    (tmp_path / "in").mkdir()
    shutil.copy(PROFILE, tmp_path / "in" / "profile.json")
    (tmp_path / "in" / "linked").symlink_to(tmp_path / "elsewhere")
    done = run_cli("validate", "in", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout.splitlines()[0] == (
        "in/linked:1:1: (root): a symbolic link to a folder outside this one is not searched; "
        "name it to read it"
    )
    named = run_cli("validate", "in/linked", cwd=tmp_path)
    assert named.returncode == 0, named.stdout


def test_no_line_of_a_golden_diff_can_be_forged_by_a_key(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    record = dict(RECORD, data={"points": 1})
    (tmp_path / "in" / "r.json").write_text(json.dumps(record))
    assert run_cli("diff", "in", "golden", "--update", cwd=tmp_path).returncode == 0
    record["data"] = {"points": 1, "x\nok: 1 input file; 1 same\u2028\x1b[31m": 1}
    (tmp_path / "in" / "r.json").write_text(json.dumps(record))
    done = run_cli("diff", "in", "golden", cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.split("\n")
    assert not any(line.startswith("ok:") for line in lines), done.stdout
    assert "\x1b" not in done.stdout and "\u2028" not in done.stdout
    assert "x\\nok: 1 input file; 1 same\\u2028\\u001b[31m" in done.stdout


def test_a_very_long_key_is_shortened_in_the_text_report(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps({**RECORD, "K" * 100_000: 1}))
    done = run_cli("validate", str(source))
    assert done.returncode == 1
    assert max(len(line) for line in done.stdout.split("\n")) < 600


def test_a_pretty_printed_stream_on_stdin_is_one_document_not_27_records() -> None:
    pretty = "".join(
        json.dumps(json.loads(line), indent=2) + "\n"
        for line in (FIXTURES / "antavo" / "containers" / "records.ndjson").read_text().splitlines()
        if line.strip()
    )
    done = run_cli("validate", "-", stdin=pretty.encode())
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 2, done.stdout
    assert "extra data after the first value" in done.stdout


def test_max_errors_bounds_the_plan_checks_too(tmp_path: Path) -> None:
    """A message with 100,000 properties its plan forbids: with --max-errors 3 the plan's
    findings are cut where the contract's are (1.4 s here; 5.9 s when they were not)."""
    (tmp_path / "plan" / "track").mkdir(parents=True)
    (tmp_path / "plan" / "track" / "buy.schema.json").write_text(
        '{"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}'
    )
    message = {
        "type": "track", "event": "buy", "userId": "u", "messageId": "m",
        "timestamp": "2024-11-26T15:19:14.000Z",
        "properties": {f"p{n}": n for n in range(100_000)},
    }  # fmt: skip
    (tmp_path / "m.json").write_text(json.dumps(message))
    done = run_cli(
        "validate", "m.json", "--plan", "plan", "--max-errors", "3",
        "--unplanned-properties", "allow", cwd=tmp_path, timeout=60,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert done.returncode == 1
    assert [line.split(": record 0: ")[1].split(":")[0] for line in lines[:3]] == [
        "(root)", "/properties/p0", "/properties/p1",
    ]  # fmt: skip  # (root): the message is over Segment's 32 KB, which the contract says
    assert lines[-1].startswith("failed: 1 record in 1 file; 3 violations in 1 record (stopped")
