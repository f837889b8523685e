"""What `--help` promises: every command ends with two or three examples that really run, the
command lists are not cut, and completion works in a real bash."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from contract_kit import reporters
from contract_kit.cli import cli

from ..helpers import FIXTURES, cli_environment, run, run_cli

BIN = Path(sys.executable).parent


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command and group, the top level first."""
    yield path
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name)


def examples_of(path: tuple[str, ...]) -> list[str]:
    text = run(*path, "--help").stdout
    head, _, examples = text.rpartition("\n  Examples:\n")
    assert head, f"contract-kit {' '.join(path)} --help has no examples"
    return [line.strip() for line in examples.splitlines() if line.strip()]


ALL = list(commands())


@pytest.mark.parametrize("path", ALL, ids=lambda path: " ".join(path) or "contract-kit")
def test_every_help_ends_with_two_or_three_examples_of_itself(path: tuple[str, ...]) -> None:
    examples = examples_of(path)
    assert 2 <= len(examples) <= 3, examples
    own = " ".join(("contract-kit", *path))
    assert all(example.startswith("contract-kit ") for example in examples)
    assert any(example.startswith(own) for example in examples), examples


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project as the examples assume it: the fixtures, a tracking-plan folder, a
    Segment plan export, and a home folder for the completion scripts."""
    folder = tmp_path_factory.mktemp("examples")
    shutil.copytree(FIXTURES, folder / "fixtures")
    shutil.copytree(FIXTURES / "tracking-plan", folder / "tracking-plan")
    exported = run_cli("plan", "export", "--plan", str(FIXTURES / "tracking-plan"))
    (folder / "segment-plan.json").write_text(exported.stdout)
    for completions in (".local/share/bash-completion/completions", ".config/fish/completions"):
        (folder / "home" / completions).mkdir(parents=True)
    return folder


EXAMPLES = sorted({example for path in ALL for example in examples_of(path)})


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_runs(workspace: Path, example: str) -> None:
    """Each example as a user would paste it into a shell: no usage error, no traceback."""
    environment = cli_environment({"HOME": str(workspace / "home")})
    environment["PATH"] = f"{BIN}{os.pathsep}{environment['PATH']}"
    done = subprocess.run(["bash", "-c", example], cwd=workspace, capture_output=True, text=True,
                          env=environment, timeout=120, check=False)  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    assert "Usage:" not in done.stderr and "Traceback" not in done.stderr, done.stderr


GROUPS = [(), *((name,) for name, group in cli.commands.items() if isinstance(group, click.Group))]


@pytest.mark.parametrize("columns", ["50", "80", "200"])
@pytest.mark.parametrize("path", GROUPS, ids=lambda path: " ".join(path) or "contract-kit")
def test_command_lists_are_not_cut_at_any_width(path: tuple[str, ...], columns: str) -> None:
    """Each command has a summary of its own, which click wraps but never cuts with '...'."""
    shown = CliRunner(env={"COLUMNS": columns}).invoke(cli, [*path, "--help"]).stdout
    listing = shown.split("Commands:\n")[1].split("\n\n")[0]
    assert "..." not in listing, listing
    summaries = " ".join(listing.split())
    group = cli if not path else cli.commands[path[0]]
    assert isinstance(group, click.Group)
    for command in group.commands.values():
        assert command.short_help is not None and " ".join(command.short_help.split()) in summaries


def complete(*words: str) -> list[str]:
    """What Tab offers after `words` (the last one being typed), in a real bash that sourced
    `contract-kit completion bash`."""
    script = (
        "source <(contract-kit completion bash)\n"
        f"COMP_WORDS=({' '.join(shlex.quote(word) for word in words)})\n"
        "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
        "_contract_kit_completion contract-kit\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    environment = cli_environment()
    environment["PATH"] = f"{BIN}{os.pathsep}{environment['PATH']}"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                          env=environment, timeout=120, check=True)  # fmt: skip
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is needed to complete in bash")
def test_bash_completes_commands_formats_and_schema_names() -> None:
    assert complete("contract-kit", "val") == ["validate"]
    assert complete("contract-kit", "validate", "--format", "") == sorted(reporters.REPORTERS)
    assert complete("contract-kit", "schema", "show", "segment/i") == ["segment/identify"]
    assert complete("contract-kit", "diff", "--format", "") == ["text", "json"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_call_back_and_get_schema_names(shell: str) -> None:
    script = run_cli("completion", shell).stdout
    assert "_CONTRACT_KIT_COMPLETE" in script and f"{shell}_complete" in script
    environment = {
        "_CONTRACT_KIT_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": "contract-kit schema show antavo/",
        "COMP_CWORD": "3" if shell == "zsh" else "antavo/",  # fish gives the word being typed
    }
    done = subprocess.run([str(BIN / "contract-kit")], capture_output=True, text=True,
                          env=cli_environment(environment), timeout=60, check=True)  # fmt: skip
    assert "antavo/record" in done.stdout and "antavo/bulk" in done.stdout


def test_an_unknown_shell_is_a_usage_error() -> None:
    done = run_cli("completion", "tcsh")
    assert done.returncode == 2 and "'tcsh' is not one of" in done.stderr


@pytest.mark.parametrize(
    ("environment", "option", "coloured"),
    [
        ({"FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
        ({"FORCE_COLOR": ""}, [], False),
        ({}, ["--color", "always"], True),
    ],
)
def test_force_color_colours_a_report_that_is_not_on_a_terminal(
    environment: dict[str, str], option: list[str], coloured: bool
) -> None:
    base = {key: value for key, value in cli_environment().items()
            if key not in ("NO_COLOR", "FORCE_COLOR")}  # fmt: skip
    done = subprocess.run(
        [str(BIN / "contract-kit"), "validate", str(FIXTURES / "invalid" / "nan.json"), *option],
        capture_output=True, text=True, env={**base, **environment}, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert bool(re.search("\x1b\\[", done.stdout)) is coloured


def test_a_run_imports_no_completion_machinery() -> None:
    """Completion and the heavy libraries are imported when used, not at start-up; so is the
    compiled core, which JSON documents (with their Antavo ids) never need, and so is Spark
    (only `contract-kit spark …` needs it)."""
    script = (
        "import sys\n"
        "from contract_kit.cli import cli\n"
        "try:\n"
        f"    cli.main(['validate', {str(FIXTURES / 'antavo' / 'actions')!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in\n"
        "             ('pydantic', 'jsonschema', 'syrupy', 'pyspark', 'py4j', 'pyarrow')\n"
        "             or name in ('click.shell_completion', 'contract_kit._core')\n"
        "             or name.startswith('contract_kit.spark')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=cli_environment(), timeout=60, check=True)  # fmt: skip
    assert done.stdout.splitlines()[-1] == "[]"
