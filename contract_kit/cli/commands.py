"""The `contract-kit` command: parse options, call the library, report, return the exit code.

Exit codes: 0 all valid (or no difference), 1 a violation or a golden difference, 2 a usage or
environment error (missing or unreadable file, bad configuration, bad flag).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shlex
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, NoReturn, TypeVar

import click

from contract_kit import __version__, reporters
from contract_kit.jsontext import jsonio
from contract_kit.outputs import atomic, batching
from contract_kit.reading import sources
from contract_kit.running import pipeline, stopping
from contract_kit.running.report import EXIT_ENVIRONMENT, EXIT_OK, EXIT_VIOLATIONS, collect
from contract_kit.settings import discovery as config_files
from contract_kit.settings.discovery import ConfigError
from contract_kit.tracking_plan.errors import PlanError, PlanFolderError
from contract_kit.tracking_plan.policy import POLICIES
from contract_kit.violations import printable, shortened

if TYPE_CHECKING:
    from contract_kit.settings.config import LoadedConfig
    from contract_kit.tracking_plan import TrackingPlan

# Modules that only some commands need (pydantic for the configuration, the golden machinery,
# jsonschema for the reference validator) are imported where used: start-up stays short.

F = TypeVar("F", bound=Callable[..., Any])
STDOUT = "-"


class Failure(click.ClickException):
    """A usage or environment error: printed as one line, exit code 2."""

    exit_code = EXIT_ENVIRONMENT

    def show(self, file: IO[Any] | None = None) -> None:
        """One line a problem (a configuration may have several), each printable: a path or
        key from input cannot start a line of its own."""
        first, *more = self.format_message().split("\n")
        lines = [f"contract-kit: error: {first}", *more]
        click.echo("\n".join(printable(line) for line in lines), err=True)


@contextmanager
def _usage_errors() -> Iterator[None]:
    """Library errors that mean 'this invocation cannot run' become exit code 2."""
    try:
        yield
    except (sources.UsageError, ConfigError, atomic.NotAFileError, PlanError) as error:
        raise Failure(str(error)) from None


def _jobs_option(command: F) -> F:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Processes to use on large inputs (default: the number of cores). "
        "Output and report are the same for any number.",
    )(command)


def _format_option(help_text: str, choices: list[str] | None = None) -> Callable[[F], F]:
    """--format: one of `choices`, by default the registered reporters."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices or sorted(reporters.REPORTERS)),
        default="text",
        show_default=True,
        help=help_text,
    )


def _report_options(command: F) -> F:
    """--color, -q, -v and --max-errors: how much of the report to show, and how."""
    for option in reversed(
        [
            click.option(
                "--color",
                type=click.Choice(["auto", "always", "never"]),
                default="auto",
                show_default=True,
                help="Colour the text report; auto: on a terminal, unless NO_COLOR is set.",
            ),
            click.option(
                "-q", "--quiet", is_flag=True, help="Only the violations, no summary line."
            ),
            click.option("-v", "--verbose", is_flag=True, help="Also name every file found valid."),
            click.option(
                "--max-errors",
                type=click.IntRange(min=1),
                default=None,
                help="Stop after N violations (the exit code is then 1).",
            ),
        ]
    ):
        command = option(command)
    return command


def _exclude_option(command: F) -> F:
    return click.option(
        "--exclude",
        "excluded",
        multiple=True,
        metavar="GLOB",
        help="Skip files and folders matching GLOB when searching folders (repeatable; adds to "
        "exclude in the configuration). Matched against the name and the path; * matches /. "
        "The tracking-plan folder in use is always skipped.",
    )(command)


def _exclusions(
    loaded: LoadedConfig | None,
    excluded: tuple[str, ...],
    plan: TrackingPlan | None,
    outputs: tuple[str | None, ...] = (),
) -> sources.Exclusions:
    """What folder searches skip: the configuration's `exclude` (relative to its folder),
    --exclude (relative to the working directory), the plan and convert's own output files."""
    from_file = [] if loaded is None else [(glob, loaded.folder) for glob in loaded.config.exclude]
    globs = [*from_file, *((glob, Path()) for glob in excluded)]
    written = [Path(output) for output in outputs if output is not None and output != STDOUT]
    return sources.Exclusions.of(globs, [] if plan is None else [Path(plan.folder)], written)


def _reporter(name: str, color: str, quiet: bool, verbose: bool, stream: Any) -> reporters.Reporter:
    if color == "auto":
        colored = stream.isatty() and not os.environ.get("NO_COLOR")
    else:
        colored = color == "always"
    return reporters.get(name, color=colored, verbosity=-1 if quiet else 1 if verbose else 0)


def _config_option(command: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Settings file: contract-kit.toml or a pyproject.toml with [tool.contract-kit]. "
        "Default: the nearest of these from the working directory up to the repository root.",
    )(command)


def _plan_options(command: F) -> F:
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
                type=click.Choice(POLICIES),
                default=None,
                help="Track events the plan does not name: allow, warn (default) or block.",
            ),
            click.option(
                "--unplanned-properties",
                type=click.Choice(POLICIES),
                default=None,
                help="Properties and traits the plan does not name: allow, warn (default) or "
                "block.",
            ),
        ]
    ):
        command = option(command)
    return command


def _option_overrides(
    plan: Path | None, unplanned: str | None, unplanned_properties: str | None
) -> dict[str, Any]:
    """The configuration keys given as options (see _plan_options), for _load_config."""
    given = {
        "plan": None if plan is None else str(plan),
        "unplanned": unplanned,
        "unplanned_properties": unplanned_properties,
    }
    return {key: value for key, value in given.items() if value is not None}


def _load_config(
    path: Path | None,
    announce: bool = True,
    overrides: Mapping[str, Any] | None = None,
    discovery: config_files.Discovery | None = None,
) -> LoadedConfig:
    """The configuration, with `overrides` (options) over the file's settings; says which file
    it came from, unless the report says it (json)."""
    from contract_kit.settings.config import load as load_config

    with _usage_errors():
        loaded = load_config(path, overrides=overrides, discovery=discovery)
    if loaded.origin is not None and announce:
        click.echo(f"configuration: {loaded.origin}", err=True)
    return loaded


def _load_plan(loaded: LoadedConfig | None, announce: bool) -> TrackingPlan | None:
    """The tracking plan the configuration (or, with none, ./tracking-plan) names, checked;
    says which folder it came from. Raises PlanError."""
    from contract_kit import tracking_plan

    if loaded is None:
        folder: Path | None = Path(config_files.DEFAULT_PLAN)
        policies: dict[str, Any] = {}
    else:
        folder = loaded.plan_folder()
        policies = {
            "unplanned": loaded.config.unplanned,
            "unplanned_properties": loaded.config.unplanned_properties,
        }
    if folder is None:
        return None
    with _plan_named_by(loaded):
        plan = tracking_plan.load(folder, **policies)
    if announce:
        click.echo(f"tracking plan: {plan.folder} ({len(plan.events())} events)", err=True)
    return plan


@contextmanager
def _plan_named_by(loaded: LoadedConfig | None) -> Iterator[None]:
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


def _finish(code: int) -> NoReturn:
    """Exit with `code` once stdout is flushed: a full disk is exit 2 (a closed pipe stops
    quietly: see stopping)."""
    try:
        sys.stdout.flush()
    except OSError as error:
        raise _cannot_write("the standard output", error) from None
    sys.exit(code)


class _Commands(click.Group):
    """The command group: a reader that closed our standard output (`| head -1`) stops the
    run the Unix way, whichever command was writing."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise stopping.pipe_closed() from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contract-kit")
def cli() -> None:
    """Prove that the messages Antavo sends into Segment are right, before they ship.

    Exit codes: 0 all valid, 1 violations or golden differences, 2 usage or environment errors.
    """
    for stream in (sys.stdout, sys.stderr):
        # Output is UTF-8 whatever the locale; a lone surrogate from the input prints as \\udc00.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--kind",
    type=click.Choice(["auto", "antavo", "segment"]),
    default="auto",
    show_default=True,
    help="What the records are. auto: an Antavo record has 'action', a Segment message 'type'.",
)
@click.option(
    "--strict", is_flag=True, help="Also apply the Antavo source profile to Segment messages."
)
@_config_option
@_plan_options
@_exclude_option
@_format_option("Report format.")
@_jobs_option
@_report_options
def validate(
    paths: tuple[str, ...], kind: pipeline.KindOption, strict: bool, config_path: Path | None,
    plan: Path | None, unplanned: str | None, unplanned_properties: str | None,
    excluded: tuple[str, ...], output_format: str, jobs: int | None, color: str, quiet: bool,
    verbose: bool, max_errors: int | None,
) -> None:  # fmt: skip
    """Check records and messages against the contract, and Segment messages against the
    tracking plan when there is one.

    PATHS are files, directories (searched for *.json, *.ndjson, *.jsonl; hidden folders are
    skipped) or - for stdin (a document, or NDJSON). The configuration is read only to check it
    (and to find the plan): its rules apply when converting.
    """
    announce = output_format == "text"
    overrides = _option_overrides(plan, unplanned, unplanned_properties)
    origin, tracking, loaded = None, None, None
    with _usage_errors():
        discovery = config_files.discover(config_path)
        if overrides or discovery.path is not None:
            loaded = _load_config(config_path, announce, overrides, discovery)
            origin, tracking = loaded.origin, _load_plan(loaded, announce)
        elif Path(config_files.DEFAULT_PLAN).is_dir():
            tracking = _load_plan(None, announce)
        inputs = sources.collect(paths, _exclusions(loaded, excluded, tracking))
    job = pipeline.Job("validate", kind=kind, strict=strict, plan=tracking, max_errors=max_errors)
    batches = pipeline.run(inputs, job, _jobs(jobs))
    report = collect("validate", inputs, batches, max_errors=max_errors)
    report = dataclasses.replace(
        report,
        configuration=None if origin is None else str(origin),
        plan=None if tracking is None else tracking.folder,
    )
    _reporter(output_format, color, quiet, verbose, sys.stdout).report(report, sys.stdout)
    _finish(report.exit_code)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_config_option
@click.option(
    "-o",
    "--output",
    default=STDOUT,
    metavar="FILE",
    help="Write the messages to FILE, atomically (a temporary file renamed into place), "
    "instead of stdout (-).",
)
@click.option(
    "--batch",
    is_flag=True,
    help='Write Segment HTTP API batch bodies ({"batch": [...]}, one a line) instead of '
    "messages, none over 2,500 messages or 500 KB.",
)
@click.option(
    "--rejects",
    metavar="FILE",
    help="Also write every rejected record, as written in its input and with its violations, "
    "to FILE (NDJSON, atomically): output + rejects + skipped = input.",
)
@_plan_options
@_exclude_option
@_format_option("Format of the report on stderr (the messages are always NDJSON).")
@_jobs_option
@_report_options
def convert(
    paths: tuple[str, ...], config_path: Path | None, output: str, batch: bool,
    rejects: str | None, plan: Path | None, unplanned: str | None,
    unplanned_properties: str | None, excluded: tuple[str, ...], output_format: str,
    jobs: int | None, color: str, quiet: bool, verbose: bool, max_errors: int | None,
) -> None:  # fmt: skip
    """Convert Antavo records into Segment messages (NDJSON, one per line, in input order).

    Invalid records are reported on stderr and not converted; the others still are, and the
    exit code is 1. Records left out by the sync settings are counted, not errors.
    """
    announce = output_format == "text"
    overrides = _option_overrides(plan, unplanned, unplanned_properties)
    loaded = _load_config(config_path, announce, overrides)
    with _usage_errors():
        tracking = _load_plan(loaded, announce)
        inputs = sources.collect(paths, _exclusions(loaded, excluded, tracking, (output, rejects)))
    job = pipeline.Job(
        "convert", kind="antavo", config=loaded.config, keep_rejects=rejects is not None,
        plan=tracking, max_errors=max_errors,
    )  # fmt: skip
    batches = pipeline.run(inputs, job, _jobs(jobs))
    try:
        with ExitStack() as files, _usage_errors():
            out_label = "the standard output" if output == STDOUT else f"-o {output}"
            out = (
                sys.stdout.buffer
                if output == STDOUT
                else files.enter_context(_output_file(Path(output), out_label))
            )
            reject_label = f"--rejects {rejects}"
            rejected = (
                None
                if rejects is None
                else files.enter_context(_output_file(Path(rejects), reject_label))
            )
            write = _line_writer(out, out_label)
            batcher = batching.Batcher(write) if batch else None
            report = collect(
                "convert", inputs, batches, write if batcher is None else batcher.add, max_errors,
                None if rejected is None else _reject_writer(rejected, reject_label),
            )  # fmt: skip
            if batcher is not None:
                batcher.close()
    except OSError as error:  # only the standard output is left unnamed by the writers
        raise _cannot_write("the standard output", error) from None
    origin = None if loaded.origin is None else str(loaded.origin)
    report = dataclasses.replace(
        report, configuration=origin, plan=None if tracking is None else tracking.folder
    )
    _reporter(output_format, color, quiet, verbose, sys.stderr).report(report, sys.stderr)
    _finish(report.exit_code)


def _cannot_write(label: str, error: OSError) -> BaseException:
    """A failed write, naming the output (`-o out.ndjson`, `--rejects r.ndjson`) and why; a
    reader that closed the pipe (`| head -1`) stops the run quietly instead (see stopping)."""
    if isinstance(error, BrokenPipeError):
        return stopping.pipe_closed()
    return Failure(f"cannot write {shortened(label)}: {error.strerror or error}")


@contextmanager
def _output_file(path: Path, label: str) -> Iterator[BinaryIO]:
    """An atomic output of convert whose failures (opening, committing) name it."""
    try:
        with atomic.byte_writer(path) as stream:
            yield stream
    except OSError as error:
        raise _cannot_write(label, error) from None


def _line_writer(stream: BinaryIO, label: str) -> Callable[[bytes], None]:
    """Writes one NDJSON line a message: the compact UTF-8 bytes and a newline."""
    write = stream.write

    def write_line(message: bytes) -> None:
        try:
            write(message + b"\n")
        except OSError as error:
            raise _cannot_write(label, error) from None

    return write_line


def _reject_writer(stream: BinaryIO, label: str) -> Callable[[pipeline.Reject], None]:
    """One NDJSON line a rejected record: its file, index, text and violations."""
    write = _line_writer(stream, label)

    def write_reject(reject: pipeline.Reject) -> None:
        first = reject.violations[0]
        line = {
            "file": first.file,
            "record": reject.record,
            "text": reject.text,
            "violations": [violation.as_dict() for violation in reject.violations],
        }
        write(jsonio.dumps(line))

    return write_reject


@cli.command(name="diff")
@click.argument("input_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("golden_dir", type=click.Path(path_type=Path, file_okay=False))
@_config_option
@click.option("--update", is_flag=True, help="Write changed and missing goldens, remove orphans.")
@click.option(
    "--force", is_flag=True, help="Allow --update when the CI environment variable is set."
)
@_format_option("Report format.", ["text", "json"])
def diff_command(
    input_dir: Path, golden_dir: Path, config_path: Path | None, update: bool, force: bool,
    output_format: str,
) -> None:  # fmt: skip
    """Compare each Antavo file under INPUT_DIR with its golden under GOLDEN_DIR.

    The golden of INPUT_DIR/a/x.json is GOLDEN_DIR/a/x.json. Exit 1 on any difference, missing
    golden, orphaned golden or invalid input, with the command that fixes it.
    """
    if update and _in_ci() and not force:
        raise Failure(
            "refusing to --update goldens with CI set: goldens are reviewed changes; add --force"
        )
    from contract_kit.goldens import snapshots as golden
    from contract_kit.reporters import golden_text

    loaded = _load_config(config_path)
    done: list[golden.Update] = []
    with _usage_errors():
        report = golden.check(input_dir, golden_dir, loaded.config)
        if update:
            done = golden.update(report, golden_dir)
    fix = shlex.join(["contract-kit", "diff", str(input_dir), str(golden_dir), "--update"])
    if config_path is not None:
        fix += f" --config {shlex.quote(str(config_path))}"
    if output_format == "json":
        from contract_kit.reporters import golden_json

        golden_json.report(report, done if update else [], None if update else fix, sys.stdout)
    elif update:
        golden_text.report_update(report, done, sys.stdout)
    else:
        golden_text.report_check(report, fix, sys.stdout)
    if report.unreadable:
        _finish(EXIT_ENVIRONMENT)
    if update:
        _finish(EXIT_VIOLATIONS if report.count("invalid") else EXIT_OK)
    _finish(EXIT_OK if report.ok else EXIT_VIOLATIONS)


def _jobs(given: int | None) -> int:
    return given if given is not None else pipeline.default_jobs()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@cli.group()
def schema() -> None:
    """The bundled JSON Schemas (the contract, readable without Python)."""


@schema.command(name="list")
def schema_list() -> None:
    """Name and title of each bundled schema."""
    from contract_kit.checking import schemas

    names = schemas.names()
    width = max(len(name) for name in names)
    for name in names:
        title = schemas.document(name).get("title", "")
        click.echo(f"{name:<{width}}  {title}")


@schema.command(name="show")
@click.argument("name")
def schema_show(name: str) -> None:
    """Print the schema NAME (e.g. antavo/record) as JSON."""
    from contract_kit.checking import schemas

    if name not in schemas.names():
        raise Failure(f"unknown schema {name!r}; known: {', '.join(schemas.names())}")
    click.echo(schemas.path_of(name).read_text(encoding="utf-8"), nl=False)


@cli.group(name="plan")
def plan_group() -> None:
    """Tracking plans: per-event schemas kept as files, checked by validate and convert.

    A plan folder holds common.schema.json (the whole message), identify.schema.json (traits)
    and track/<event>.schema.json (properties of one event).
    """


DEFAULT_PLAN_HELP = (
    "Plan folder (default: plan in the configuration, else tracking-plan beside it)."
)


def _plan_folder_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--plan",
        "folder",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        metavar="DIR",
        help=help_text,
    )


def _plan_config(
    config_path: Path | None, folder: Path | None, announce: bool = False
) -> tuple[LoadedConfig, Path]:
    """The configuration, and the plan folder: --plan, else the configuration's `plan`, else
    tracking-plan beside the configuration file (or in the working directory), whether it
    exists or not: the command says so."""
    overrides = {} if folder is None else {"plan": str(folder)}
    loaded = _load_config(config_path, announce, overrides)
    return loaded, loaded.plan_folder() or loaded.folder / config_files.DEFAULT_PLAN


@plan_group.command(name="import")
@click.argument("export_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@_plan_folder_option(
    "Folder to write (default: plan in the configuration, else tracking-plan beside it). A plan "
    "folder already there is replaced; a folder holding anything else is refused."
)
@_config_option
def plan_import(export_file: Path, folder: Path | None, config_path: Path | None) -> None:
    """Turn a Segment tracking-plan export into a plan folder.

    FILE is the Public API's rules ({"data": {"rules": [...]}} or a bare list of rules) or a
    legacy Config API plan (rules.events, rules.identify_traits). Each rule's schema is unwrapped
    into its file; everything else is kept in plan.json, so that `plan export` gives the same
    document back.
    """
    from contract_kit import tracking_plan

    _, target = _plan_config(config_path, folder)
    with _usage_errors():
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


@plan_group.command(name="export")
@_plan_folder_option(DEFAULT_PLAN_HELP)
@_config_option
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

    loaded, target = _plan_config(config_path, folder)
    with _usage_errors(), _plan_named_by(loaded):
        document = tracking_plan.export(target, form)
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output == STDOUT:
            click.echo(text, nl=False)
        else:
            atomic.write_text(Path(output), text)


@plan_group.command(name="check")
@_plan_folder_option(DEFAULT_PLAN_HELP)
@_config_option
def plan_check(folder: Path | None, config_path: Path | None) -> None:
    """Check the plan folder itself: every file valid JSON and a valid schema of its dialect,
    every $ref resolvable without the network, one file per rule version."""
    from contract_kit import tracking_plan

    loaded, target = _plan_config(config_path, folder)
    with _usage_errors(), _plan_named_by(loaded):
        plan = tracking_plan.load(target)
    click.echo(
        f"ok: {target.as_posix()}: {len(plan.rules)} rules, "
        f"{len(plan.events())} track events, all valid"
    )


@plan_group.command(name="coverage")
@click.argument("paths", nargs=-1, required=True)
@_config_option
@_plan_folder_option(DEFAULT_PLAN_HELP)
@click.option(
    "--require-all", is_flag=True, help="Exit 1 when a planned event has no record exercising it."
)
@_exclude_option
@_format_option("Report format.", ["text", "json"])
@_jobs_option
def plan_coverage(
    paths: tuple[str, ...], config_path: Path | None, folder: Path | None, require_all: bool,
    excluded: tuple[str, ...], output_format: str, jobs: int | None,
) -> None:  # fmt: skip
    """Show, per planned event, how many records of PATHS exercise it.

    PATHS hold Antavo records (converted with the configuration, as convert would) or Segment
    messages (goldens), or both. Exit 1 with --require-all when a planned event is not covered.
    """
    from contract_kit import tracking_plan
    from contract_kit.reporters import coverage_text
    from contract_kit.tracking_plan.coverage import Coverage

    loaded, target = _plan_config(config_path, folder, announce=output_format == "text")
    with _usage_errors(), _plan_named_by(loaded):
        plan = tracking_plan.load(target, unplanned="warn", unplanned_properties="allow")
        inputs = sources.collect(paths, _exclusions(loaded, excluded, plan))
    coverage = Coverage(plan)
    job = pipeline.Job("convert", kind="auto", config=loaded.config, plan=plan)
    batches = coverage.counting(pipeline.run(inputs, job, _jobs(jobs)))
    coverage.report = collect("convert", inputs, batches)
    if output_format == "json":
        click.echo(json.dumps(coverage.as_dict(require_all), ensure_ascii=False, indent=2))
    else:
        coverage_text.report(coverage, require_all, sys.stdout)
    _finish(EXIT_VIOLATIONS if require_all and coverage.uncovered() else EXIT_OK)


@cli.group(name="config")
def config_group() -> None:
    """The configuration the commands use."""


@config_group.command(name="show")
@_config_option
@_plan_options
@_format_option("Output format.", ["text", "json"])
def config_show(
    config_path: Path | None, plan: Path | None, unplanned: str | None,
    unplanned_properties: str | None, output_format: str,
) -> None:  # fmt: skip
    """Print every setting in effect and where it comes from (the file, an option or the
    default), and the tracking-plan folder that will be used."""
    from contract_kit.settings.config import OPTION, toml_value
    from contract_kit.settings.discovery import DEFAULT_PLAN

    overrides = _option_overrides(plan, unplanned, unplanned_properties)
    loaded = _load_config(config_path, announce=False, overrides=overrides)
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


def main() -> None:
    """Console entry point. Bad input is reported, never answered with a traceback; an
    unexpected exception is a bug in contract-kit and says so in one line. Signals are
    caught from start-up on (see entry)."""
    stopping.install()
    try:
        cli.main(prog_name="contract-kit")
    except stopping.Stopped as stop:
        stopping.finish(stop)
    except OSError as error:  # one the commands did not name: say the path, if there is one
        where = f"{shortened(str(error.filename))}: " if error.filename else ""
        click.echo(printable(f"contract-kit: error: {where}{error.strerror or error}"), err=True)
        sys.exit(EXIT_ENVIRONMENT)
    except Exception as error:
        if os.environ.get("CONTRACT_KIT_DEBUG"):
            traceback.print_exc()
        click.echo(
            "contract-kit: internal error (a bug in contract-kit, please report it; "
            f"CONTRACT_KIT_DEBUG=1 shows the traceback): {type(error).__name__}: {error}",
            err=True,
        )
        sys.exit(EXIT_ENVIRONMENT)
