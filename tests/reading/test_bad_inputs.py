"""Every kind of bad input gets one clear line, the right exit code, and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .. import helpers
from ..helpers import run_process

RECORD = json.dumps(helpers.RECORD).encode()


def validate(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    done = run_process("validate", *args, stdin=stdin, timeout=60)
    output = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")
    assert "Traceback" not in output and "internal error" not in output, output
    return subprocess.CompletedProcess(done.args, done.returncode, output, "")


@pytest.mark.parametrize(
    ("name", "content", "place", "words"),
    [
        ("empty.json", b"", ":1:1:", "the file is empty"),
        ("blank.json", b"  \n\t\n", ":1:1:", "holds only white space"),
        ("blank.ndjson", b"\n \n", ":1:1:", "white space only"),
        (
            "bom.json",
            b"\xef\xbb\xbf" + RECORD.replace(b"1}", b"null}"),
            "null",
            "must be an integer",
        ),
        ("latin1.json", '{"customer": "é"}'.encode("latin-1"), ":1:1:", "not UTF-8 text"),
        ("binary.json", bytes(range(256)), ":1:1:", "not UTF-8 text"),
        ("truncated.json", RECORD[:30], '"p', "Unterminated string"),
        ("trailing-comma.json", b'{"a": 1,}', ":1:9:", "trailing comma"),
        ("comment.json", b'// note\n{"a": 1}', ":1:1:", "comments are not JSON"),
        ("nan.json", RECORD.replace(b"1}", b"NaN}"), "NaN", "NaN is not a number"),
        (
            "infinity.json",
            RECORD.replace(b"1}", b"-Infinity}"),
            "-Infinity",
            "-Infinity is not a number",
        ),
        (
            "duplicate.json",
            RECORD.replace(b'"points": 1', b'"points": 1, "points": 2'),
            "2}",
            "duplicate key 'points'",
        ),
        ("huge.json", RECORD.replace(b"1}", b"1e400}"), "1e400", "1e400 is not a number"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, ":1:501:", "more than 500 levels"),
        ("not-object.ndjson", RECORD + b"\n[1, 2]\n", ":2:1:", "expected a JSON object"),
    ],
)
def test_bad_file_is_one_clear_violation(
    tmp_path: Path, name: str, content: bytes, place: str, words: str
) -> None:
    target = tmp_path / name
    target.write_bytes(content)
    done = validate(str(target))
    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if line.startswith(str(target)))
    if not place.startswith(":"):  # a marker: the column is where its last occurrence starts
        text = content.decode("utf-8").removeprefix("\ufeff")
        place = f":1:{text.rindex(place) + 1}:"
    assert place in line and words in line, line


def test_missing_path_and_empty_directory_are_usage_errors(tmp_path: Path) -> None:
    assert validate(str(tmp_path / "nope.json")).returncode == 2
    (tmp_path / "empty").mkdir()
    done = validate(str(tmp_path / "empty"))
    assert done.returncode == 2 and "no *.json, *.ndjson or *.jsonl files" in done.stdout


def test_unreadable_file_and_symlink_loop_are_environment_errors(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    done = validate(str(loop))
    assert done.returncode == 2 and "cannot read" in done.stdout
    if os.geteuid() != 0:  # root reads anything: the mode cannot make a file unreadable
        locked = tmp_path / "locked.json"
        locked.write_bytes(RECORD)
        locked.chmod(0)
        assert validate(str(locked)).returncode == 2


def test_a_directory_with_a_symlink_loop_is_searched_once(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "one.json").write_bytes(RECORD)
    (tmp_path / "d" / "again").symlink_to(tmp_path / "d")
    done = validate(str(tmp_path / "d"))
    assert done.returncode == 0 and "1 record in 1 file" in done.stdout


def test_stdin_is_read_as_a_file_named_stdin() -> None:
    done = validate("-", stdin=b"{")
    assert done.returncode == 1 and done.stdout.startswith("<stdin>:1:2:")
