"""`contract-kit config show`: every setting in effect, where it comes from, and the
tracking-plan folder; a bad configuration is exit 2 naming the file, the key and the type."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from contract_kit.cli import cli
from contract_kit.settings.config import Config

from .. import helpers
from ..helpers import run_process, write

KEYS = list(Config.model_fields)
LINE = re.compile(r"^(?P<key>\w+) +=(?P<value>.*?) +# (?P<origin>.*)$")


def run(*args: str) -> Result:
    return helpers.run("config", "show", *args)


def settings(result: Result) -> dict[str, tuple[str, str]]:
    """key: (value as shown, origin) from the text output, which must show every key once."""
    assert result.exit_code == 0, result.stderr
    shown: dict[str, tuple[str, str]] = {}
    for line in result.stdout.splitlines()[1:-1]:
        match = LINE.match(line)
        assert match is not None, line
        assert match["key"] not in shown
        shown[match["key"]] = (match["value"].strip(), match["origin"])
    assert list(shown) == KEYS
    return shown


def test_defaults_when_there_is_no_file(tmp_path: Path) -> None:
    result = run()
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "configuration: none, the defaults (no contract-kit.toml and no pyproject.toml with "
        "[tool.contract-kit] from the working directory up to the repository root "
        f"{tmp_path.parent})\n"  # conftest marks the folder of all the tests' folders
        'user_id_attribute    = "customer"  # default\n'
        'events               = ["*"]       # default\n'
        'attributes           = ["*"]       # default\n'
        "event_names          = {}          # default\n"
        "integrations         = {}          # default\n"
        "plan                 = (not set)   # default\n"
        'unplanned            = "warn"      # default\n'
        'unplanned_properties = "warn"      # default\n'
        "exclude              = []          # default\n"
        "tracking plan: none (no plan set and no ./tracking-plan folder)\n"
    )


def test_values_from_contract_kit_toml(tmp_path: Path) -> None:
    write(
        tmp_path / "contract-kit.toml",
        'user_id_attribute = "crm_id"\nevents = ["point_add", "checkout"]\n'
        '[event_names]\npoint_add = "Points Added"\n'
        '[integrations]\nMixpanel = false\n"Google Analytics 4" = { client_id = "x" }\n',
    )
    result = run()
    assert result.stdout.splitlines()[0] == (
        "configuration: contract-kit.toml (found in the working directory)"
    )
    assert settings(result) == {
        "user_id_attribute": ('"crm_id"', "contract-kit.toml"),
        "events": ('["point_add", "checkout"]', "contract-kit.toml"),
        "attributes": ('["*"]', "default"),
        "event_names": ('{ point_add = "Points Added" }', "contract-kit.toml"),
        "integrations": (
            '{ Mixpanel = false, "Google Analytics 4" = { client_id = "x" } }',
            "contract-kit.toml",
        ),
        "plan": ("(not set)", "default"),
        "unplanned": ('"warn"', "default"),
        "unplanned_properties": ('"warn"', "default"),
        "exclude": ("[]", "default"),
    }


def test_values_from_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.contract-kit]\nunplanned = "block"\n',
    )
    result = run()
    assert result.stdout.splitlines()[0] == (
        "configuration: pyproject.toml (found in the working directory)"
    )
    shown = settings(result)
    assert shown["unplanned"] == ('"block"', "pyproject.toml [tool.contract-kit]")
    assert shown["unplanned_properties"] == ('"warn"', "default")


def test_contract_kit_toml_is_shown_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.contract-kit]\nunplanned = "block"\n')
    write(tmp_path / "contract-kit.toml", 'unplanned = "allow"\n')
    shown = settings(run())
    assert shown["unplanned"] == ('"allow"', "contract-kit.toml")


def test_options_win_over_the_file_and_say_so(tmp_path: Path) -> None:
    write(tmp_path / "contract-kit.toml", 'unplanned = "block"\nplan = "from-file"\n')
    result = run("--unplanned", "allow", "--plan", "mine", "--unplanned-properties", "block")
    shown = settings(result)
    assert shown["unplanned"] == ('"allow"', "option --unplanned")
    assert shown["unplanned_properties"] == ('"block"', "option --unplanned-properties")
    assert shown["plan"] == ('"mine"', "option --plan")
    assert result.stdout.splitlines()[-1] == (
        "tracking plan: mine (from option --plan; no such folder)"
    )


def test_omit_is_shown_from_the_file_and_from_the_option(tmp_path: Path) -> None:
    write(tmp_path / "contract-kit.toml", 'unplanned_properties = "omit"\n')
    assert settings(run())["unplanned_properties"] == ('"omit"', "contract-kit.toml")
    write(tmp_path / "contract-kit.toml", 'unplanned_properties = "block"\n')
    shown = settings(run("--unplanned-properties", "omit"))
    assert shown["unplanned_properties"] == ('"omit"', "option --unplanned-properties")
    document = json.loads(run("--format", "json", "--unplanned-properties", "omit").stdout)
    assert document["settings"]["unplanned_properties"]["value"] == "omit"


SHOW_SCHEMA = {
    "type": "object",
    "required": ["configuration", "found", "settings", "plan_folder"],
    "additionalProperties": False,
    "properties": {
        "configuration": {"type": ["string", "null"]},
        "found": {"type": "string", "minLength": 1},
        "plan_folder": {"type": ["string", "null"]},
        "settings": {
            "type": "object",
            "required": KEYS,
            "additionalProperties": False,
            "patternProperties": {
                ".*": {
                    "type": "object",
                    "required": ["value", "origin"],
                    "additionalProperties": False,
                    "properties": {"value": {}, "origin": {"type": "string"}},
                }
            },
        },
    },
}


def test_json_format(tmp_path: Path) -> None:
    write(tmp_path / "contract-kit.toml", 'events = ["point_add"]\nplan = "plans"\n')
    (tmp_path / "plans").mkdir()
    result = run("--format", "json", "--unplanned", "block")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, SHOW_SCHEMA)
    assert document["configuration"] == "contract-kit.toml"
    assert document["found"] == "found in the working directory"
    assert document["plan_folder"] == "plans"
    assert document["settings"]["events"] == {"value": ["point_add"], "origin": "contract-kit.toml"}
    assert document["settings"]["unplanned"] == {"value": "block", "origin": "option --unplanned"}
    assert document["settings"]["integrations"] == {"value": {}, "origin": "default"}
    assert list(document["settings"]) == KEYS


def test_json_format_without_a_file() -> None:
    document = json.loads(run("--format", "json").stdout)
    jsonschema.validate(document, SHOW_SCHEMA)
    assert document["configuration"] is None
    assert document["plan_folder"] is None
    assert document["settings"]["plan"] == {"value": None, "origin": "default"}
    assert {entry["origin"] for entry in document["settings"].values()} == {"default"}


def test_a_bad_value_in_the_file_names_file_key_and_expected_type(tmp_path: Path) -> None:
    write(tmp_path / "contract-kit.toml", 'events = "point_add"\n')
    result = run()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "contract-kit: error: contract-kit.toml: key 'events': "
        'expected a list of non-empty strings, got string "point_add"\n'
    )


def test_a_bad_value_in_pyproject_names_its_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.contract-kit]\nplan = 3\n")
    result = run("--format", "json")
    assert result.exit_code == 2
    assert result.stderr == (
        "contract-kit: error: pyproject.toml [tool.contract-kit]: key 'plan': "
        "expected a non-empty string (a folder), got integer 3\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--unplanned", "blok"], "'blok' is not one of 'allow', 'warn', 'block'."),
        (["--unplanned", "omit"], "'omit' is not one of 'allow', 'warn', 'block'."),
        (["--unplanned-properties", "no"], "'no' is not one of 'allow', 'warn', 'block', 'omit'."),
        (["--format", "yaml"], "'yaml' is not one of 'text', 'json'"),
    ],
)
def test_a_bad_option_value_is_exit_2(args: list[str], said: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert said in result.stderr
    assert result.stdout == ""


def test_plan_option_must_not_be_a_file(tmp_path: Path) -> None:
    write(tmp_path / "plans", "")
    result = run("--plan", "plans")
    assert result.exit_code == 2
    assert "is a file" in result.stderr


def test_a_missing_config_file_is_exit_2() -> None:
    result = run("--config", "nope.toml")
    assert result.exit_code == 2
    assert result.stderr == "contract-kit: error: nope.toml: configuration file not found\n"


def test_plan_is_relative_to_the_config_file_named_by_config(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "contract-kit.toml", 'plan = "plans"\n')
    (tmp_path / "conf" / "plans").mkdir()
    (tmp_path / "plans").mkdir()  # the working directory's, which must not be used
    result = run("--config", "conf/contract-kit.toml")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "configuration: conf/contract-kit.toml (given with --config)"
    assert settings(result)["plan"] == ('"plans"', "conf/contract-kit.toml")
    assert lines[-1] == "tracking plan: conf/plans (from plan in conf/contract-kit.toml)"
    document = json.loads(run("--config", "conf/contract-kit.toml", "--format", "json").stdout)
    assert document["plan_folder"] == "conf/plans"


def test_plan_option_is_relative_to_the_working_directory(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "contract-kit.toml", 'plan = "plans"\n')
    (tmp_path / "mine").mkdir()
    result = run("--config", "conf/contract-kit.toml", "--plan", "mine")
    assert result.stdout.splitlines()[-1] == "tracking plan: mine (from option --plan)"


def test_the_default_tracking_plan_folder_when_it_exists(tmp_path: Path) -> None:
    (tmp_path / "tracking-plan").mkdir()
    result = run()
    assert result.stdout.splitlines()[-1] == (
        "tracking plan: tracking-plan (no plan set; ./tracking-plan exists)"
    )


def test_a_plan_that_does_not_exist_is_said(tmp_path: Path) -> None:
    write(tmp_path / "contract-kit.toml", 'plan = "gone"\n')
    assert run().stdout.splitlines()[-1] == (
        "tracking plan: gone (from plan in contract-kit.toml; no such folder)"
    )


def test_config_is_listed_in_the_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert re.search(r"^  config +The configuration the commands use\.$", result.stdout, re.M)


def test_as_a_process_a_bad_configuration_is_one_line_and_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "contract-kit.toml", 'unplanned = "blok"\n')
    done = run_process("config", "show", cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode("utf-8") == (
        "contract-kit: error: contract-kit.toml: key 'unplanned': "
        'expected one of "allow", "warn", "block", got "blok"\n'
    )
