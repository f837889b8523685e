"""The options the commands share, and what they load: configuration, plan, exclusions."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from contract_kit import reporters
from contract_kit.cli.main import usage_errors
from contract_kit.reading.paths import Exclusions
from contract_kit.running.pool import default_jobs
from contract_kit.settings import discovery as config_files
from contract_kit.tracking_plan.errors import PlanError, PlanFolderError
from contract_kit.tracking_plan.policy import EVENT_POLICIES, PROPERTY_POLICIES

if TYPE_CHECKING:
    from contract_kit.settings.config import LoadedConfig
    from contract_kit.tracking_plan import TrackingPlan

# Modules that only some commands need (pydantic for the configuration, the golden machinery,
# jsonschema for the reference validator) are imported where used: start-up stays short.

F = TypeVar("F", bound=Callable[..., Any])
STDOUT = "-"


def jobs_option(command: F) -> F:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Workers to use on large inputs (default: the number of cores): threads where "
        "the compiled core takes the input, else processes. Output and report are the same "
        "for any number.",
    )(command)


def kind_options(command: F) -> F:
    """--kind and --strict: what validate reads the records as."""
    command = click.option(
        "--strict", is_flag=True, help="Also apply the Antavo source profile to Segment messages."
    )(command)
    return click.option(
        "--kind",
        type=click.Choice(["auto", "antavo", "segment"]),
        default="auto",
        show_default=True,
        help="What the records are. auto: an Antavo record has 'action', a Segment message 'type'.",
    )(command)


def format_option(help_text: str, choices: list[str] | None = None) -> Callable[[F], F]:
    """--format: one of `choices`, by default the registered reporters."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices or sorted(reporters.REPORTERS)),
        default="text",
        show_default=True,
        help=help_text,
    )


def display_options(command: F) -> F:
    """--color, -q and -v: how much of the report to show, and how."""
    for option in reversed(
        [
            click.option(
                "--color",
                type=click.Choice(["auto", "always", "never"]),
                default="auto",
                show_default=True,
                help="Colour the text report; auto: on a terminal or with FORCE_COLOR set, "
                "never with NO_COLOR set.",
            ),
            click.option(
                "-q", "--quiet", is_flag=True, help="Only the violations, no summary line."
            ),
            click.option("-v", "--verbose", is_flag=True, help="Also name every file found valid."),
        ]
    ):
        command = option(command)
    return command


def report_options(command: F) -> F:
    """The display options and --max-errors."""
    command = click.option(
        "--max-errors",
        type=click.IntRange(min=1),
        default=None,
        help="Stop after N violations (the exit code is then 1).",
    )(command)
    return display_options(command)


def exclude_option(command: F) -> F:
    return click.option(
        "--exclude",
        "excluded",
        multiple=True,
        metavar="GLOB",
        help="Skip files and folders matching GLOB when searching folders (repeatable; adds to "
        "exclude in the configuration). Matched against the name and the path; * matches /. "
        "The tracking-plan folder in use is always skipped.",
    )(command)


def exclusions(
    loaded: LoadedConfig | None,
    excluded: tuple[str, ...],
    plan: TrackingPlan | None,
    outputs: Sequence[tuple[str, Path]] = (),
) -> Exclusions:
    """What folder searches skip: the configuration's `exclude` (relative to its folder),
    --exclude (relative to the working directory), the plan and the run's own output files
    (labelled, as reports.outputs gives them)."""
    from_file = [] if loaded is None else [(glob, loaded.folder) for glob in loaded.config.exclude]
    globs = [*from_file, *((glob, Path()) for glob in excluded)]
    written = [path for _, path in outputs]
    return Exclusions.of(globs, [] if plan is None else [Path(plan.folder)], written)


def reporter(name: str, color: str, quiet: bool, verbose: bool, stream: Any) -> reporters.Reporter:
    return reporters.get(name, color=colored(color, stream), verbosity=verbosity(quiet, verbose))


def verbosity(quiet: bool, verbose: bool) -> int:
    return -1 if quiet else 1 if verbose else 0


def colored(color: str, stream: Any) -> bool:
    """--color always or never; auto: NO_COLOR (set and not empty) turns colour off,
    FORCE_COLOR turns it on, else a terminal has it (Python's own order, no-color.org and
    force-color.org)."""
    if color != "auto":
        return color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(stream.isatty())


def progress_option(command: F) -> F:
    return click.option(
        "--no-progress",
        is_flag=True,
        help="No progress line (shown on a terminal's stderr when a run lasts over a second, "
        "never with -q).",
    )(command)


def config_option(command: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Settings file: contract-kit.toml or a pyproject.toml with [tool.contract-kit]. "
        "Default: the nearest of these from the working directory up to the repository root.",
    )(command)


def plan_options(command: F) -> F:
    """--plan, --unplanned and --unplanned-properties: the tracking-plan settings, which win
    over the configuration file's. None: not given."""
    for option in reversed(
        [
            click.option(
                "--plan",
                type=click.Path(path_type=Path, file_okay=False),
                default=None,
                metavar="DIR",
                help="Tracking-plan folder (default: plan in the configuration, else "
                "tracking-plan beside the configuration file, or in the working directory, if "
                "it exists).",
            ),
            click.option(
                "--unplanned",
                type=click.Choice(EVENT_POLICIES),
                default=None,
                help="Track events the plan does not name: allow, warn (default) or block.",
            ),
            click.option(
                "--unplanned-properties",
                type=click.Choice(PROPERTY_POLICIES),
                default=None,
                help="Properties and traits the plan does not name: allow, warn (default), "
                "block, or omit (convert leaves them out of the messages, with a warning).",
            ),
        ]
    ):
        command = option(command)
    return command


def option_overrides(
    plan: Path | None, unplanned: str | None, unplanned_properties: str | None
) -> dict[str, Any]:
    """The configuration keys given as options (see plan_options), for load_config."""
    given = {
        "plan": None if plan is None else str(plan),
        "unplanned": unplanned,
        "unplanned_properties": unplanned_properties,
    }
    return {key: value for key, value in given.items() if value is not None}


def load_config(
    path: Path | None,
    announce: bool = True,
    overrides: Mapping[str, Any] | None = None,
    discovery: config_files.Discovery | None = None,
) -> LoadedConfig:
    """The configuration, with `overrides` (options) over the file's settings; says which file
    it came from, unless the report says it (json)."""
    from contract_kit.settings.config import load as load_config

    with usage_errors():
        loaded = load_config(path, overrides=overrides, discovery=discovery)
    if loaded.origin is not None and announce:
        click.echo(f"configuration: {loaded.origin}", err=True)
    return loaded


def validation_settings(
    config_path: Path | None, overrides: Mapping[str, Any], announce: bool
) -> tuple[LoadedConfig | None, TrackingPlan | None]:
    """What validate reads: the configuration if there is one (only to check it and to find
    the plan: its rules apply when converting), and the plan it names or ./tracking-plan."""
    tracking, loaded = None, None
    with usage_errors():
        discovery = config_files.discover(config_path)
        if overrides or discovery.path is not None:
            loaded = load_config(config_path, announce, overrides, discovery)
            tracking = load_plan(loaded, announce)
        elif Path(config_files.DEFAULT_PLAN).is_dir():
            tracking = load_plan(None, announce)
    return loaded, tracking


def load_plan(loaded: LoadedConfig | None, announce: bool) -> TrackingPlan | None:
    """The tracking plan the configuration (or, with none, ./tracking-plan) names, checked;
    says which folder it came from. Raises PlanError."""
    from contract_kit.settings.config import Config, plan_in

    if loaded is None:
        folder: Path | None = Path(config_files.DEFAULT_PLAN)
        config = Config()
    else:
        folder, config = loaded.plan_folder(), loaded.config
    if folder is None:
        return None
    with plan_named_by(loaded):
        plan = plan_in(folder, config)
    if announce:
        click.echo(f"tracking plan: {plan.folder} ({len(plan.events())} events)", err=True)
    return plan


@contextmanager
def plan_named_by(loaded: LoadedConfig | None) -> Iterator[None]:
    """A plan folder that cannot be used is named with where it was set:
    `contract-kit.toml: key 'plan': nope: tracking-plan folder not found`, `option --plan: …`."""
    try:
        yield
    except PlanFolderError as error:
        if loaded is None:
            raise
        from contract_kit.settings.config import DEFAULT, OPTION

        origin = loaded.origins["plan"]
        if origin == DEFAULT:
            raise
        where = origin if origin.startswith(OPTION) else f"{origin}: key 'plan'"
        raise PlanError(f"{where}: {error}") from None


DEFAULT_PLAN_HELP = (
    "Plan folder (default: plan in the configuration, else tracking-plan beside it)."
)


def plan_folder_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--plan",
        "folder",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        metavar="DIR",
        help=help_text,
    )


def plan_config(
    config_path: Path | None, folder: Path | None, announce: bool = False
) -> tuple[LoadedConfig, Path]:
    """The configuration, and the plan folder: --plan, else the configuration's `plan`, else
    tracking-plan beside the configuration file (or in the working directory), whether it
    exists or not: the command says so."""
    overrides = {} if folder is None else {"plan": str(folder)}
    loaded = load_config(config_path, announce, overrides)
    return loaded, loaded.plan_folder() or loaded.folder / config_files.DEFAULT_PLAN


def processes(given: int | None) -> int:
    """--jobs, else the number of cores."""
    return given if given is not None else default_jobs()
