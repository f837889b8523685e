"""--color, NO_COLOR, -q, -v and --max-errors: how much of the report is shown, and how."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..helpers import FIXTURES, INVALID, cli_environment, run

VALID = FIXTURES / "antavo" / "containers"
ESCAPE = "\x1b["


def test_colour_only_when_asked_or_on_a_terminal() -> None:
    assert ESCAPE in run("validate", "--color", "always", str(INVALID / "nan.json")).stdout
    assert ESCAPE not in run("validate", "--color", "never", str(INVALID / "nan.json")).stdout
    assert ESCAPE not in run("validate", str(INVALID / "nan.json")).stdout  # not a terminal


def test_no_color_turns_colour_off_on_a_terminal() -> None:
    script = (
        "import pty, os, sys\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        "    command = [sys.executable, '-m', 'contract_kit', 'validate', sys.argv[1]]\n"
        "    os.execv(sys.executable, command)\n"
        "out = b''\n"
        "while True:\n"
        "    try:\n"
        "        chunk = os.read(fd, 4096)\n"
        "    except OSError:\n"
        "        break\n"
        "    if not chunk:\n"
        "        break\n"
        "    out += chunk\n"
        "sys.stdout.write(repr(out))\n"
    )
    environment = cli_environment()
    environment.pop("NO_COLOR", None)
    target = str(INVALID / "nan.json")
    command = [sys.executable, "-c", script, target]
    colored = subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=60, check=False
    )
    plain = subprocess.run(
        command, capture_output=True, text=True, env={**environment, "NO_COLOR": "1"}, timeout=60,
        check=False,
    )  # fmt: skip
    assert "\\x1b[" in colored.stdout
    assert "\\x1b[" not in plain.stdout and "nan.json" in plain.stdout


def test_quiet_shows_only_violations() -> None:
    assert run("validate", "-q", str(VALID)).stdout == ""
    quiet = run("validate", "-q", str(INVALID / "nan.json")).stdout.splitlines()
    assert len(quiet) == 1 and quiet[0].startswith(str(INVALID / "nan.json"))


def test_verbose_names_every_valid_file() -> None:
    lines = run("validate", "--verbose", str(VALID)).stdout.splitlines()
    assert f"{VALID / 'bulk-body.json'}: ok" in lines
    assert lines[-1].startswith("ok: ")


@pytest.mark.parametrize("command", ["validate", "convert"])
def test_max_errors_stops_early_and_says_so(command: str) -> None:
    result = run(command, "--max-errors", "3", str(INVALID))
    assert result.exit_code == 1
    report = result.stdout if command == "validate" else result.stderr
    violations = [line for line in report.splitlines() if line.startswith(str(INVALID))]
    assert len(violations) == 3
    assert "3 violations" in report and "(stopped at --max-errors" in report
