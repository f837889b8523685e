"""A shared Antavo id is worded and placed from the piece's own bytes, wherever the input came
from: a file with other unreadable lines, a pipe, standard input."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from ..helpers import cli_command, cli_environment, run

FIRST = b'{"customer":"c1","action":"point_add","id":"e1","data":{"points":5},"timestamp":1}'
OTHER = b'{"customer":"c1","action":"point_add","id":"e1","data":{"points":6},"timestamp":1}'
WORDS = "/id: Antavo id 'e1' of customer 'c1' is shared with a different event (record 0)"


def test_a_file_with_a_line_that_is_not_utf8_still_names_the_shared_id(tmp_path: Path) -> None:
    path = tmp_path / "shared.ndjson"
    path.write_bytes(FIRST + b"\n\xff\n" + OTHER + b"\n")
    lines = run("validate", str(path)).output.splitlines()
    assert any(line.startswith(f"{path}:3:44: record 2: {WORDS}") for line in lines)


@pytest.mark.parametrize("form", ["pipe", "stdin"])
def test_an_input_read_once_still_names_and_places_the_shared_id(tmp_path: Path, form: str) -> None:
    data = FIRST + b"\n" + OTHER + b"\n"
    if form == "stdin":
        result = subprocess.run(
            cli_command("validate", "-"), input=data, capture_output=True,
            env=cli_environment(), timeout=60, check=False,
        )  # fmt: skip
        name = "<stdin>"
    else:
        name = str(tmp_path / "events")  # no suffix: read whole, like <(zcat events.gz)
        os.mkfifo(name)
        feeding = threading.Thread(target=Path(name).write_bytes, args=(data,), daemon=True)
        feeding.start()
        result = subprocess.run(
            cli_command("validate", name), capture_output=True, env=cli_environment(),
            timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert any(line.startswith(f"{name}:2:44: record 1: {WORDS}") for line in lines)


def test_standard_input_is_read_only_after_every_path_is_checked() -> None:
    """`validate - typo.json` on a terminal must not wait for Ctrl-D to say typo.json is
    missing: here standard input is a pipe that is never closed."""
    process = subprocess.Popen(
        cli_command("validate", "-", "no-such.json"), stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_environment(),
    )  # fmt: skip
    try:
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 2
    assert "no-such.json: no such file or directory" in err.decode()
