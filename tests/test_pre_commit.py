"""The pre-commit hook works in a user's repository, as `pre-commit try-repo` installs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import FIXTURES, REPO

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def git(repository: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repository, check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(
    not PRE_COMMIT.exists(), reason="pre-commit is a test dependency: make test installs it"
)
def test_hook_passes_valid_files_and_fails_invalid_ones(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    (sample / "events").mkdir(parents=True)
    shutil.copy(FIXTURES / "antavo" / "actions" / "point-add.json", sample / "events" / "ok.json")
    # Not payloads: the hook's `files`/`exclude` must leave them alone (validate would fail them).
    (sample / "package.json").write_text('{"name": "web", "version": "1.0.0"}\n')
    shutil.copytree(FIXTURES / "tracking-plan", sample / "fixtures" / "tracking-plan")
    git(sample, "init", "-q")
    git(sample, "add", ".")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
                   "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                   "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
    command = [str(PRE_COMMIT), "try-repo", str(REPO), "contract-kit-validate", "--all-files"]
    passing = subprocess.run(command, cwd=sample, capture_output=True, text=True, env=environment,
                             timeout=600, check=False)  # fmt: skip
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "contract-kit validate" in passing.stdout and "Passed" in passing.stdout

    bad = dict(
        json.loads((sample / "events" / "ok.json").read_text(encoding="utf-8")),
        data={"points": None},
    )
    (sample / "events" / "bad.json").write_text(json.dumps(bad, indent=2), encoding="utf-8")
    git(sample, "add", ".")
    failing = subprocess.run(command, cwd=sample, capture_output=True, text=True, env=environment,
                             timeout=600, check=False)  # fmt: skip
    assert failing.returncode == 1
    assert "events/bad.json:" in failing.stdout and "/data/points" in failing.stdout
