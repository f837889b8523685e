"""`contract-kit config show`: the settings in effect and where each comes from."""

from __future__ import annotations

import json
from pathlib import Path

import click

from contract_kit.cli.main import cli, examples
from contract_kit.cli.options import (
    config_option,
    format_option,
    load_config,
    option_overrides,
    plan_options,
)


@cli.group(
    name="config",
    short_help="The configuration the commands use.",
    epilog=examples("contract-kit config show", "contract-kit config show --format json"),
)
def config_group() -> None:
    """The configuration the commands use."""


@config_group.command(
    name="show",
    short_help="Print every setting in effect and where it comes from.",
    epilog=examples(
        "contract-kit config show",
        "contract-kit config show --plan fixtures/tracking-plan --unplanned block",
        "contract-kit config show --format json",
    ),
)
@config_option
@plan_options
@format_option("Output format.", ["text", "json"])
def config_show(
    config_path: Path | None, plan: Path | None, unplanned: str | None,
    unplanned_properties: str | None, output_format: str,
) -> None:  # fmt: skip
    """Print every setting in effect and where it comes from (the file, an option or the
    default), and the tracking-plan folder that will be used."""
    from contract_kit.settings.config import OPTION, toml_value
    from contract_kit.settings.discovery import DEFAULT_PLAN

    overrides = option_overrides(plan, unplanned, unplanned_properties)
    loaded = load_config(config_path, announce=False, overrides=overrides)
    values = loaded.config.model_dump(mode="json")
    folder = loaded.plan_folder()
    file = None if loaded.origin is None else str(loaded.origin)
    if output_format == "json":
        document = {
            "configuration": file,
            "found": loaded.why,
            "settings": {
                key: {"value": value, "origin": loaded.origins[key]}
                for key, value in values.items()
            },
            "plan_folder": None if folder is None else str(folder),
        }
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    if file is None:
        click.echo(f"configuration: none, the defaults ({loaded.why})")
    else:
        click.echo(f"configuration: {file} ({loaded.why})")
    shown = {
        key: "(not set)" if value is None else toml_value(value) for key, value in values.items()
    }
    key_width = max(len(key) for key in shown)
    value_width = max((len(value) for value in shown.values() if len(value) <= 40), default=0)
    for key, value in shown.items():
        click.echo(f"{key:<{key_width}} = {value:<{value_width}}  # {loaded.origins[key]}")
    if folder is None:
        default = f"./{DEFAULT_PLAN}" if loaded.origin is None else loaded.folder / DEFAULT_PLAN
        click.echo(f"tracking plan: none (no plan set and no {default} folder)")
        return
    origin = loaded.origins["plan"]
    if loaded.config.plan is None and loaded.origin is None:
        why = f"no plan set; ./{DEFAULT_PLAN} exists"
    elif loaded.config.plan is None:
        why = f"no plan set; the default folder {DEFAULT_PLAN} beside the configuration"
    elif origin.startswith(OPTION):
        why = f"from {origin}"
    else:
        why = f"from plan in {origin}"
    if not folder.is_dir():
        why += "; no such folder"
    click.echo(f"tracking plan: {folder} ({why})")
