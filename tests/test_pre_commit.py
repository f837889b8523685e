"""The pre-commit hooks work in a user's repository, as pre-commit installs them: the validate
hook through `pre-commit try-repo`, the plan-check and diff hooks through the README's
`.pre-commit-config.yaml` (try-repo cannot give the diff hook its folders in `args:`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import FIXTURES, REPO, write

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


NEEDS_PRE_COMMIT = pytest.mark.skipif(
    not PRE_COMMIT.exists(), reason="pre-commit is a test dependency: make test installs it"
)

# pre-commit installs the hooks as a user's machine would: `pip install` of a clone, which
# maturin compiles. The clone sits at a new path each time, so cargo compiles its crate anew
# (with the release profile's fat LTO: minutes, in each test and each pass of `make test`).
# These tests check the hooks, not the core's speed: they build unoptimised, without LTO, in a
# target folder of their own in this checkout (its dependencies compiled once, then reused).
CARGO = {
    "CARGO_TARGET_DIR": str(REPO / "rust" / "target" / "hooks"),
    "CARGO_PROFILE_RELEASE_OPT_LEVEL": "0",
    "CARGO_PROFILE_RELEASE_LTO": "off",
    "CARGO_PROFILE_RELEASE_CODEGEN_UNITS": "256",
    "CARGO_PROFILE_RELEASE_INCREMENTAL": "true",
}


def git(repository: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repository, check=True, capture_output=True, text=True, timeout=60
    )
    return done.stdout


@NEEDS_PRE_COMMIT
def test_hook_passes_valid_files_and_fails_invalid_ones(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    (sample / "events").mkdir(parents=True)
    shutil.copy(FIXTURES / "antavo" / "actions" / "point-add.json", sample / "events" / "ok.json")
    # Not payloads: the hook's `files`/`exclude` must leave them alone (validate would fail them).
    (sample / "package.json").write_text('{"name": "web", "version": "1.0.0"}\n')
    shutil.copytree(FIXTURES / "tracking-plan", sample / "fixtures" / "tracking-plan")
    git(sample, "init", "-q")
    git(sample, "add", ".")
    environment = {**os.environ, **CARGO, "PRE_COMMIT_HOME": str(tmp_path / "cache"),
                   "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip
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


def pinned_checkout(into: Path) -> tuple[str, str]:
    """This repository as a `repo:` and a commit for `rev:`, its uncommitted changes to tracked
    files included (as try-repo takes them): a clone with those changes committed."""
    head = git(REPO, "rev-parse", "HEAD").strip()
    changes = git(REPO, "diff", "HEAD", "--binary")
    if not changes:
        return str(REPO), head
    git(into.parent, "clone", "-q", "--no-checkout", str(REPO), str(into))
    git(into, "checkout", "-q", head)
    subprocess.run(["git", "apply", "--whitespace=nowarn"], input=changes, text=True, cwd=into,
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    git(into, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "changes")
    return str(into), git(into, "rev-parse", "HEAD").strip()


def readme_config(repo: str, rev: str) -> str:
    """The README's `.pre-commit-config.yaml`, pointed at `repo` and `rev`."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "rev:" in b]
    config = yaml.safe_load(block)
    (entry,) = config["repos"]
    assert (entry["repo"], entry["rev"]) == (
        "https://github.com/<owner>/contract-kit",
        "<40-hex sha>",
    )
    ids = [hook["id"] for hook in entry["hooks"]]
    assert ids == ["contract-kit-validate", "contract-kit-plan-check", "contract-kit-diff"]
    entry.update(repo=repo, rev=rev)
    return yaml.safe_dump(config)


def outcomes(output: str) -> dict[str, str]:
    """Each hook's result line of `pre-commit run`, by hook name: Passed, Failed, Skipped."""
    found = re.findall(r"^(contract-kit [a-z ]+?)\.+(?:\(no files to check\))?(\w+)$", output, re.M)
    return dict(found)


def section(output: str, hook_id: str) -> str:
    """What one hook printed, from its `- hook id:` line to the next hook's result line."""
    return output.split(f"- hook id: {hook_id}\n", 1)[1].split("\ncontract-kit ", 1)[0]


@NEEDS_PRE_COMMIT
def test_plan_check_and_diff_hooks_run_when_their_files_change(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    shutil.copytree(FIXTURES / "antavo", sample / "fixtures" / "antavo")
    shutil.copytree(FIXTURES / "golden", sample / "fixtures" / "golden")
    shutil.copytree(FIXTURES / "tracking-plan", sample / "tracking-plan")
    write(sample / "docs" / "notes.md", "# notes\n")
    write(sample / "app" / "settings.json", '{"debug": true}\n')
    write(sample / ".pre-commit-config.yaml", readme_config(*pinned_checkout(tmp_path / "hooks")))
    git(sample, "init", "-q")
    git(sample, "add", ".")
    environment = {**os.environ, **CARGO, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(PRE_COMMIT), "run", *args], cwd=sample, capture_output=True,
                              text=True, env=environment, timeout=600, check=False)  # fmt: skip

    good = pre_commit("--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert outcomes(good.stdout) == {"contract-kit validate": "Passed",
        "contract-kit plan check": "Passed", "contract-kit diff": "Passed"}  # fmt: skip

    unrelated = pre_commit("--files", "docs/notes.md", "app/settings.json")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    assert outcomes(unrelated.stdout) == dict.fromkeys(outcomes(good.stdout), "Skipped")

    plan_file = "tracking-plan/track/point_add.schema.json"
    write(sample / plan_file, "{\n")
    golden = sample / "fixtures" / "golden" / "actions" / "point-add.json"
    golden.write_text(golden.read_text(encoding="utf-8").replace('"points": 250', '"points": 25'))
    broken = pre_commit("--files", plan_file, "fixtures/golden/actions/point-add.json")
    assert broken.returncode == 1
    results = outcomes(broken.stdout)
    assert results["contract-kit plan check"] == results["contract-kit diff"] == "Failed"
    assert f"{plan_file}:2:1: invalid JSON" in section(broken.stdout, "contract-kit-plan-check")
    differences = section(broken.stdout, "contract-kit-diff")
    assert "fixtures/golden/actions/point-add.json: differs" in differences
    assert "- 25\n" in differences and "+ 250\n" in differences
