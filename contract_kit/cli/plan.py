"""`contract-kit plan`: import, export, check and coverage of a tracking-plan folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from contract_kit.cli import progress, reports
from contract_kit.cli.main import cli, examples, finish, usage_errors
from contract_kit.cli.options import (
    DEFAULT_PLAN_HELP,
    STDOUT,
    config_option,
    exclude_option,
    exclusions,
    format_option,
    jobs_option,
    plan_config,
    plan_folder_option,
    plan_named_by,
    processes,
    progress_option,
)  # fmt: skip
from contract_kit.outputs import atomic
from contract_kit.reading.paths import collect
from contract_kit.running import driver
from contract_kit.running.context import RunContext
from contract_kit.running.report import EXIT_OK, EXIT_VIOLATIONS

COVERAGE_FORMATS = ["text", "json"]


@cli.group(
    name="plan",
    short_help="Tracking plans: import, export, check, coverage.",
    epilog=examples(
        "contract-kit plan check --plan fixtures/tracking-plan",
        "contract-kit plan coverage fixtures/antavo --plan fixtures/tracking-plan",
        "contract-kit plan import segment-plan.json --plan tracking-plan",
    ),
)
def plan_group() -> None:
    """Tracking plans: per-event schemas kept as files, checked by validate and convert.

    A plan folder holds common.schema.json (the whole message), identify.schema.json (traits)
    and track/<event>.schema.json (properties of one event).
    """


@plan_group.command(
    name="import",
    short_help="Turn a Segment tracking-plan export into a plan folder.",
    epilog=examples(
        "contract-kit plan import segment-plan.json",
        "contract-kit plan import segment-plan.json --plan tracking-plan",
    ),
)
@click.argument("export_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@plan_folder_option(
    "Folder to write (default: plan in the configuration, else tracking-plan beside it). A plan "
    "folder already there is replaced; a folder holding anything else is refused."
)
@config_option
def plan_import(export_file: Path, folder: Path | None, config_path: Path | None) -> None:
    """Turn a Segment tracking-plan export into a plan folder.

    FILE is the Public API's rules ({"data": {"rules": [...]}} or a bare list of rules) or a
    legacy Config API plan (rules.events, rules.identify_traits). Each rule's schema is unwrapped
    into its file; everything else is kept in plan.json, so that `plan export` gives the same
    document back.
    """
    from contract_kit import tracking_plan

    _, target = plan_config(config_path, folder)
    with usage_errors():
        plan = tracking_plan.import_file(export_file, target)
    for rule in plan.rules:
        name = rule.type if rule.key is None else f"{rule.type} {rule.key!r}"
        kept = "" if rule.placement.checked else "  (kept; only identify and track are checked)"
        click.echo(f"wrote {target.as_posix()}/{rule.file}: {name} version {rule.version}{kept}")
    if plan.document is not None:
        click.echo(f"wrote {target.as_posix()}/plan.json: what Segment keeps besides the schemas")
    events = len(plan.events())
    click.echo(
        f"imported {len(plan.rules)} rules ({events} track events) from {export_file} "
        f"into {target.as_posix()}"
    )


@plan_group.command(
    name="export",
    short_help="Write the plan folder as a Segment tracking-plan export.",
    epilog=examples(
        "contract-kit plan export --plan fixtures/tracking-plan",
        "contract-kit plan export --plan fixtures/tracking-plan --form rules -o segment-plan.json",
    ),
)
@plan_folder_option(DEFAULT_PLAN_HELP)
@config_option
@click.option(
    "--form",
    type=click.Choice(["public-api", "rules", "config-api"]),
    default=None,
    help='public-api: {"data": {"rules": [...]}}; rules: a bare list; config-api: the legacy '
    "Config API plan. Default: the form it was imported from, else public-api.",
)
@click.option("-o", "--output", default=STDOUT, metavar="FILE", help="Write to FILE (atomically).")
def plan_export(
    folder: Path | None, config_path: Path | None, form: str | None, output: str
) -> None:
    """Write the plan folder as a Segment tracking-plan export (JSON)."""
    from contract_kit import tracking_plan

    loaded, target = plan_config(config_path, folder)
    if output != STDOUT:
        reports.refuse_overwrites([(f"-o {output}", Path(output))], (), loaded.origin, [target])
    with usage_errors(), plan_named_by(loaded):
        document = tracking_plan.export(target, form)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output == STDOUT:
            click.echo(text, nl=False)
        else:
            atomic.write_text(Path(output), text)


@plan_group.command(
    name="check",
    short_help="Check the plan folder itself.",
    epilog=examples(
        "contract-kit plan check",
        "contract-kit plan check --plan fixtures/tracking-plan",
    ),
)
@plan_folder_option(DEFAULT_PLAN_HELP)
@config_option
def plan_check(folder: Path | None, config_path: Path | None) -> None:
    """Check the plan folder itself: every file valid JSON and a valid schema of its dialect,
    every $ref resolvable without the network, one file per rule version."""
    from contract_kit import tracking_plan

    loaded, target = plan_config(config_path, folder)
    with usage_errors(), plan_named_by(loaded):
        plan = tracking_plan.load(target)
    click.echo(
        f"ok: {target.as_posix()}: {len(plan.rules)} rules, "
        f"{len(plan.events())} track events, all valid"
    )


@plan_group.command(
    name="coverage",
    short_help="Count the records that exercise each planned event.",
    epilog=examples(
        "contract-kit plan coverage fixtures/antavo --plan fixtures/tracking-plan",
        "contract-kit plan coverage fixtures/golden --plan fixtures/tracking-plan --require-all",
        "contract-kit plan coverage fixtures --plan fixtures/tracking-plan --format json",
    ),
)
@click.argument("paths", nargs=-1, required=True)
@config_option
@plan_folder_option(DEFAULT_PLAN_HELP)
@click.option(
    "--require-all", is_flag=True, help="Exit 1 when a planned event has no record exercising it."
)
@exclude_option
@format_option("Report format.", COVERAGE_FORMATS)
@reports.report_file_option(COVERAGE_FORMATS)
@jobs_option
@progress_option
def plan_coverage(
    paths: tuple[str, ...], config_path: Path | None, folder: Path | None, require_all: bool,
    excluded: tuple[str, ...], output_format: str, report_files: tuple[reports.ReportFile, ...],
    jobs: int | None, no_progress: bool,
) -> None:  # fmt: skip
    """Show, per planned event, how many records of PATHS exercise it.

    PATHS hold Antavo records (converted with the configuration, as convert would) or Segment
    messages (goldens), or both. Exit 1 with --require-all when a planned event is not covered.
    """
    from contract_kit import tracking_plan
    from contract_kit.reporters import coverage_json, coverage_text
    from contract_kit.tracking_plan.coverage import Coverage

    loaded, target = plan_config(config_path, folder, announce=output_format == "text")
    with usage_errors(), plan_named_by(loaded):
        plan = tracking_plan.load(target, unplanned="warn", unplanned_properties="allow")
        written = reports.outputs(report_files)
        inputs = collect(paths, exclusions(loaded, excluded, plan, written))
    reports.refuse_overwrites(written, inputs, loaded.origin, [Path(plan.folder)])
    context = RunContext.converting(loaded.config, kind="auto", plan=plan, jobs=processes(jobs))
    with progress.for_run(sys.stderr, inputs, enabled=not no_progress) as shown:
        report = driver.drive(context, inputs, shown.advance_by)
    coverage = Coverage(plan, report.planned, report.files, report.records, report.rejected)

    def write(name: str, out: TextIO) -> None:
        (coverage_json if name == "json" else coverage_text).report(coverage, require_all, out)

    reports.write_each(report_files, write)
    write(output_format, sys.stdout)
    finish(EXIT_VIOLATIONS if require_all and coverage.uncovered() else EXIT_OK)
