"""The CLI as a user runs it: a real process, its exit code, stdout and stderr as text.

Every test that must prove a behaviour "through a real process" uses `run_cli`; it also asserts
that no traceback and no internal error reached the user, whatever the test checks besides.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from .conftest import REPO


def cli_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a test process gets: this checkout importable, CI unset."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    environment.pop("CI", None)
    environment.update(extra or {})
    return environment


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "contract_kit", *args]


def run_cli(
    *args: str,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`contract-kit ARGS...` in `cwd`; stdout and stderr decoded as UTF-8."""
    done = subprocess.run(
        cli_command(*args),
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
        env=cli_environment(env),
    )
    stdout = done.stdout.decode("utf-8", "backslashreplace")
    stderr = done.stderr.decode("utf-8", "backslashreplace")
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return subprocess.CompletedProcess(done.args, done.returncode, stdout, stderr)
