"""`contract-kit diff`: inputs against their goldens, and --update."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TextIO

import click

from contract_kit.cli import reports
from contract_kit.cli.main import Failure, cli, examples, finish, usage_errors
from contract_kit.cli.options import config_option, format_option, load_config
from contract_kit.running.report import EXIT_ENVIRONMENT, EXIT_OK, EXIT_VIOLATIONS

FORMATS = ["text", "json"]


@cli.command(
    name="diff",
    short_help="Compare converted Antavo files with their golden files.",
    epilog=examples(
        "contract-kit diff fixtures/antavo fixtures/golden",
        "contract-kit diff fixtures/antavo fixtures/golden --update",
        "contract-kit diff fixtures/antavo fixtures/golden --format json --report text=diff.txt",
    ),
)
@click.argument("input_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("golden_dir", type=click.Path(path_type=Path, file_okay=False))
@config_option
@click.option("--update", is_flag=True, help="Write changed and missing goldens, remove orphans.")
@click.option(
    "--force", is_flag=True, help="Allow --update when the CI environment variable is set."
)
@format_option("Report format.", FORMATS)
@reports.report_file_option(FORMATS)
def diff_command(
    input_dir: Path, golden_dir: Path, config_path: Path | None, update: bool, force: bool,
    output_format: str, report_files: tuple[reports.ReportFile, ...],
) -> None:  # fmt: skip
    """Compare each Antavo file under INPUT_DIR with its golden under GOLDEN_DIR.

    The golden of INPUT_DIR/a/x.json is GOLDEN_DIR/a/x.json. Exit 1 on any difference, missing
    golden, orphaned golden or invalid input, with the command that fixes it.
    """
    from contract_kit.goldens import snapshots as golden
    from contract_kit.reporters import golden_text

    if update and golden.in_ci() and not force:
        raise Failure(
            "refusing to --update goldens with CI set: goldens are reviewed changes; add --force"
        )

    loaded = load_config(config_path)
    reports.refuse_overwrites(
        reports.outputs(report_files), (), loaded.origin, [input_dir, golden_dir]
    )
    done: list[golden.Update] = []
    with usage_errors():
        report = golden.check(input_dir, golden_dir, loaded.config)
        if update:
            done = golden.update(report, golden_dir)
    fix = shlex.join(["contract-kit", "diff", str(input_dir), str(golden_dir), "--update"])
    if config_path is not None:
        fix += f" --config {shlex.quote(str(config_path))}"

    def render(name: str, out: TextIO) -> None:
        if name == "json":
            from contract_kit.reporters import golden_json

            golden_json.report(report, done if update else [], None if update else fix, out)
        elif update:
            golden_text.report_update(report, done, out)
        else:
            golden_text.report_check(report, fix, out)

    reports.write_each(report_files, render)
    render(output_format, sys.stdout)
    if report.unreadable:
        finish(EXIT_ENVIRONMENT)
    if update:
        finish(EXIT_VIOLATIONS if report.count("invalid") else EXIT_OK)
    finish(EXIT_OK if report.ok else EXIT_VIOLATIONS)
