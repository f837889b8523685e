"""The GitHub Action (action.yml) as the runner runs it, without GitHub.

The check step's script is run with bash the way the runner runs a `shell: bash` step (`bash
--noprofile --norc -eo pipefail FILE`), with its `env:` filled in from the inputs, and the
contract-kit installed beside this Python on PATH: installing it (the step before) would take
too long for a test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import INVALID, POINT_ADD, REPO, cli_environment, load_json, ndjson, write

ACTION = REPO / "action.yml"
BIN = Path(sys.executable).parent
INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return loaded


def step(name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = action()["runs"]["steps"]
    (found,) = [each for each in steps if each.get("name") == name]
    return found


def test_the_action_is_composite_with_its_three_inputs() -> None:
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert set(spec["inputs"]) == {"paths", "args", "python-version"}
    assert spec["inputs"]["paths"]["required"] is True
    assert spec["inputs"]["args"]["default"] == ""
    setup, key, cache, install, check = spec["runs"]["steps"]
    assert setup["uses"].startswith("actions/setup-python@v")
    assert setup["with"] == {"python-version": "${{ inputs.python-version }}"}
    # cargo's build of the core is kept between runs, in the folder the install builds in
    assert cache["uses"].startswith("actions/cache@v")
    assert cache["with"]["key"] == "${{ steps.cargo-key.outputs.key }}"
    assert key["id"] == "cargo-key" and "$GITHUB_ACTION_PATH" in key["run"]
    target = "${{ runner.temp }}/contract-kit-target"
    assert target in cache["with"]["path"].split("\n")
    assert install["env"] == {"CARGO_TARGET_DIR": target}
    # installed from the action's own checkout, at the ref the workflow pinned
    assert install["name"] == "Install contract-kit"
    assert 'pip install --disable-pip-version-check --quiet "$GITHUB_ACTION_PATH"' in install["run"]
    assert (check["name"], check["shell"]) == ("contract-kit validate", "bash")


def test_no_script_interpolates_an_expression() -> None:
    """An input is data in `env:`; `${{ }}` inside a script would paste it into the code."""
    scripts = [s["run"] for s in action()["runs"]["steps"] if "run" in s]
    assert len(scripts) == 3
    assert all("${{" not in script for script in scripts)


@pytest.fixture(scope="module")
def contract_kit() -> Path:
    """The installed contract-kit the step runs. Never a skip: a missing install or a missing
    --report (the action writes its summary with it) fails these tests, saying which."""
    program = BIN / "contract-kit"
    if not program.exists():
        pytest.fail(
            f"{program} does not exist: the action's script runs the contract-kit installed "
            "beside this Python (`make test` installs it; so does `pip install -e .`)"
        )
    usage = subprocess.run(
        [str(program), "validate", "--help"], capture_output=True, text=True, timeout=60,
        env=cli_environment(), check=False,
    ).stdout  # fmt: skip
    assert "--report" in usage, "contract-kit validate has no --report: action.yml needs it"
    return program


def run_check(
    workspace: Path, summary: Path | None, **inputs: str
) -> subprocess.CompletedProcess[str]:
    """The check step, in `workspace`, with `inputs` (the others at their defaults)."""
    check = step("contract-kit validate")
    defaults = {name: spec.get("default", "") for name, spec in action()["inputs"].items()}
    values = {**defaults, **inputs}
    environment = cli_environment(
        {name: INPUT.sub(lambda found: values[found[1]], value)
         for name, value in check["env"].items()}
    )  # fmt: skip
    environment["PATH"] = f"{BIN}{os.pathsep}{environment['PATH']}"
    environment["RUNNER_TEMP"] = str(workspace.parent / "runner-temp")
    environment["GITHUB_ACTION_PATH"] = str(REPO)
    environment.pop("GITHUB_STEP_SUMMARY", None)
    if summary is not None:
        environment["GITHUB_STEP_SUMMARY"] = str(summary)
    script = workspace.parent / "step.sh"
    script.write_text(check["run"], encoding="utf-8")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
        env=environment, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A repository's checkout: two events (one invalid), a deep NDJSON file, and two files
    that no input names (one of them broken)."""
    root = tmp_path / "workspace"
    (root / "events").mkdir(parents=True)
    shutil.copy(POINT_ADD, root / "events" / "ok.json")
    shutil.copy(INVALID / "leap-second.json", root / "events" / "bad.json")
    write(root / "deep" / "a" / "b" / "c.ndjson", ndjson(load_json(POINT_ADD)))
    shutil.copy(POINT_ADD, root / "a.schema.json")
    write(root / "b.schema.json", "{")
    (tmp_path / "runner-temp").mkdir()
    return root


def test_a_violation_fails_the_step_annotates_its_line_and_appends_the_summary(
    contract_kit: Path, workspace: Path
) -> None:
    summary = write(workspace.parent / "step-summary.md", "An earlier step's line, unended")
    done = run_check(workspace, summary, paths="events/*.json\n  deep/**/*.ndjson")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error file=events/bad.json,line=8,col=16," in done.stdout
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("An earlier step's line, unended\n")  # appended to, not replaced
    assert "\n## contract-kit validate: failed\n" in text  # a heading of its own
    assert "| 3 | 3 | 1 | 0 |" in text  # ok.json, bad.json and c.ndjson: nothing else
    assert "| events/bad.json:8:16 | 0 | /timestamp |" in text
    assert list((workspace.parent / "runner-temp").iterdir()) == []


def test_a_clean_run_passes_without_a_summary_file_and_args_are_passed_as_written(
    contract_kit: Path, workspace: Path
) -> None:
    """`--exclude *.schema.json` reaches contract-kit as written: expanded by bash, the second
    name it matched (the broken b.schema.json) would be read as a path and fail the run."""
    done = run_check(
        workspace, None, paths="events/ok.json deep", args="--strict --exclude *.schema.json"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "ok: 2 records in 2 files, all valid"
    assert list((workspace.parent / "runner-temp").iterdir()) == []


def test_inputs_are_data_not_shell(contract_kit: Path, workspace: Path) -> None:
    done = run_check(workspace, None, paths="events/ok.json $(touch one) `touch two`;touch three")
    assert done.returncode == 2  # "$(touch" is no file: contract-kit says so
    assert "no such file" in done.stderr
    assert not [name for name in ("one", "two", "three") if (workspace / name).exists()]

    quoted = run_check(workspace, None, paths="events", args="--exclude '*.schema.json'")
    assert quoted.returncode == 2
    assert quoted.stdout.startswith("::error title=contract-kit::") and "quotes" in quoted.stdout
