"""The CLI as a user runs it: a real process, its exit code, stdout and stderr as text.

Every test that must prove a behaviour "through a real process" uses `run_cli`; it also asserts
that no traceback and no internal error reached the user, whatever the test checks besides.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
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


#: Root reads a folder of mode 000 all the same: tests of unreadable paths drop to `nobody`.
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def unprivileged() -> list[str]:
    """The prefix that runs a command without the right to read a mode-000 path: none for an
    ordinary user, setpriv to `nobody` for root."""
    return AS_NOBODY if os.geteuid() == 0 else []


def run_cli(
    *args: str,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """`contract-kit ARGS...` in `cwd` (run through `prefix`, e.g. `unprivileged()`); stdout
    and stderr decoded as UTF-8."""
    done = subprocess.run(
        [*prefix, *cli_command(*args)],
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
