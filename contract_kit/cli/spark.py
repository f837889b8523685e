"""`contract-kit spark validate` and `contract-kit spark convert`: a run on Apache Spark, with
the report the CLI prints. Spark is imported only when one of them runs (the `spark` extra)."""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO, TypeVar, cast

import click

from contract_kit import reporters
from contract_kit.cli import progress, reports
from contract_kit.cli.main import Failure, cli, examples, finish, usage_errors
from contract_kit.cli.options import (
    config_option,
    display_options,
    exclusions,
    format_option,
    kind_options,
    load_config,
    load_plan,
    option_overrides,
    plan_options,
    reporter,
    validation_settings,
    verbosity,
)  # fmt: skip
from contract_kit.cli.rendering import Outputs, render_events
from contract_kit.reading.paths import Source
from contract_kit.running.context import KindOption, RunContext
from contract_kit.running.report import Report

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from contract_kit.settings.config import LoadedConfig
    from contract_kit.spark.run import SparkRun
    from contract_kit.tracking_plan import TrackingPlan

T = TypeVar("T")


@cli.group(
    short_help="Validate and convert on Apache Spark (the spark extra).",
    epilog=examples(
        "contract-kit spark validate fixtures/antavo --format junit > junit.xml",
        "contract-kit spark convert fixtures/antavo -o messages --rejects rejects --overwrite",
    ),
)
def spark() -> None:
    """Validate and convert on Apache Spark: the same verdicts, messages and report as the
    CLI, over inputs one machine cannot hold (pip install "contract-kit[spark]", Java 17).

    Under spark-submit, the session spark-submit made is used (see the README).
    """


def _spark_options(command: click.decorators.FC) -> click.decorators.FC:
    """--master and --conf: the session a command starts (not under spark-submit)."""
    command = click.option(
        "--conf",
        "conf",
        multiple=True,
        metavar="KEY=VALUE",
        help="A Spark setting for the session (repeatable), as spark-submit's --conf.",
    )(command)
    return click.option(
        "--master",
        default=None,
        metavar="URL",
        help="Spark master to run on [default: local[*]]; under spark-submit, give it to "
        "spark-submit instead.",
    )(command)


@spark.command(
    "validate",
    short_help="Check records and messages against the contract, on Spark.",
    epilog=examples(
        "contract-kit spark validate fixtures/antavo --format junit > junit.xml",
        "contract-kit spark validate 'fixtures/antavo/*/*.json' --master 'local[2]'",
    ),
)
@click.argument("paths", nargs=-1, required=True)
@kind_options
@config_option
@plan_options
@format_option("Report format.")
@reports.report_file_option(sorted(reporters.REPORTERS))
@_spark_options
@display_options
def spark_validate(
    paths: tuple[str, ...], kind: KindOption, strict: bool, config_path: Path | None,
    plan: Path | None, unplanned: str | None, unplanned_properties: str | None,
    output_format: str, report_files: tuple[reports.ReportFile, ...], master: str | None,
    conf: tuple[str, ...], color: str, quiet: bool, verbose: bool,
) -> None:  # fmt: skip
    """Check records and messages against the contract on Spark, as `contract-kit validate`.

    PATHS are anything Spark reads: files, folders (searched for *.json, *.ndjson, *.jsonl;
    hidden folders are skipped), globs, file://, s3a://, hdfs:// URLs. NDJSON files are split
    across tasks; other files are read whole.
    """
    announce = output_format == "text"
    overrides = option_overrides(plan, unplanned, unplanned_properties)
    loaded, tracking = validation_settings(config_path, overrides, announce)
    context = RunContext(
        "validate", kind, strict, plan=tracking,
        configuration=None if loaded is None or loaded.origin is None else str(loaded.origin),
    )  # fmt: skip

    guard = _Guard(loaded, tracking, reports.outputs(report_files), [])

    def validate_on(session: SparkSession) -> SparkRun:
        done = _run(session, context, paths, guard)
        done.unpersist()
        return done

    done = _on_spark(master, _settings(conf), validate_on)
    report = _render(done, output_format, color, quiet, verbose, report_files, sys.stdout)
    finish(report.exit_code)


@spark.command(
    "convert",
    short_help="Convert Antavo records into Segment messages (NDJSON part files), on Spark.",
    epilog=examples(
        "contract-kit spark convert fixtures/antavo -o messages --rejects rejects --overwrite",
        "contract-kit spark convert 'fixtures/antavo/*/*.ndjson' -o lines --overwrite",
    ),
)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="OUTPUT_DIR",
    help="Folder to write the messages to, as NDJSON part files (part-*.txt); it must not "
    "exist, unless --overwrite.",
)
@click.option(
    "--rejects",
    metavar="DIR",
    help="Also write every rejected record, as `convert --rejects` writes it, as NDJSON part "
    "files in DIR: output + rejects + skipped = input.",
)
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT_DIR and DIR if they exist.")
@config_option
@plan_options
@format_option("Format of the report on stderr (the messages are always NDJSON).")
@reports.report_file_option(sorted(reporters.REPORTERS))
@_spark_options
@display_options
def spark_convert(
    paths: tuple[str, ...], output: str, rejects: str | None, overwrite: bool,
    config_path: Path | None, plan: Path | None, unplanned: str | None,
    unplanned_properties: str | None, output_format: str,
    report_files: tuple[reports.ReportFile, ...], master: str | None, conf: tuple[str, ...],
    color: str, quiet: bool, verbose: bool,
) -> None:  # fmt: skip
    """Convert Antavo records into Segment messages on Spark, as `contract-kit convert`:
    the messages as NDJSON part files under OUTPUT_DIR, the report on stderr.

    PATHS are as for `contract-kit spark validate`. Part files hold the messages of each
    piece of input in order; the order of the part files is Spark's.
    """
    announce = output_format == "text"
    overrides = option_overrides(plan, unplanned, unplanned_properties)
    loaded = load_config(config_path, announce, overrides)
    with usage_errors():
        tracking = load_plan(loaded, announce)
    context = RunContext.converting(
        loaded.config, plan=tracking, keep_rejects=rejects is not None,
        configuration=None if loaded.origin is None else str(loaded.origin),
    )  # fmt: skip
    folders = [output] if rejects is None else [output, rejects]
    labelled = [(f"-o {output}", output)]
    if rejects is not None:
        labelled.append((f"--rejects {rejects}", rejects))
    guard = _Guard(loaded, tracking, reports.outputs(report_files), labelled)

    def convert_on(session: SparkSession) -> SparkRun:
        _refuse_existing(session, folders, overwrite)
        done = _run(session, context, paths, guard)
        with _written(session, folders):
            session.sparkContext.setJobDescription("contract-kit: write the messages")
            _write(session, done.messages, output, overwrite)
            if rejects is not None:
                session.sparkContext.setJobDescription("contract-kit: write the rejects")
                _write(session, done.rejects, rejects, overwrite)
        done.unpersist()
        return done

    done = _on_spark(master, _settings(conf), convert_on)
    report = _render(done, output_format, color, quiet, verbose, report_files, sys.stderr)
    finish(report.exit_code)


def _settings(given: Sequence[str]) -> dict[str, str]:
    settings = {}
    for each in given:
        key, equals, value = each.partition("=")
        if not equals or not key:
            raise click.BadParameter(f"{each!r} is not KEY=VALUE", param_hint="'--conf'")
        settings[key] = value
    return settings


def _on_spark(master: str | None, settings: dict[str, str], work: Callable[[SparkSession], T]) -> T:
    """`work` done in the command's Spark session (stopped at the end if started here), in a
    thread of its own. A Ctrl-C then reaches the main thread while it waits, not in the middle
    of a call into the JVM (which would leave the JVM's answer unread, for the next call to
    read as its own): the jobs are cancelled, the work winds down (removing what it had begun
    to write) and the run stops. A failure of Spark itself is said in one line (exit 2)."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    from contract_kit.running import stopping
    from contract_kit.spark.session import SparkUnavailable, session, under_spark_submit

    if master is not None and under_spark_submit():
        raise Failure("--master: under spark-submit, give the master to spark-submit")
    with stopping.blocked():  # a Ctrl-C while Spark starts is delivered once it has started
        try:
            started, owned = session(master, settings)
        except SparkUnavailable as error:
            raise Failure(str(error)) from None
        except Exception as error:  # a bad --master or --conf: the JVM said why on stderr
            if os.environ.get("CONTRACT_KIT_DEBUG"):
                raise
            raise Failure(f"Spark could not start: {_first_line(error)}") from None
        stopping.install()  # PySpark put its own Ctrl-C handler in place of ours
        if not os.environ.get("CONTRACT_KIT_DEBUG"):
            started.sparkContext.setLogLevel("OFF")  # a failure is said in one line, below
    outcome: list[tuple[bool, Any]] = []

    def in_thread() -> None:
        try:
            outcome.append((True, work(started)))
        except BaseException as error:  # handed to the main thread, which decides
            outcome.append((False, error))

    thread = threading.Thread(target=in_thread, name="contract-kit-spark", daemon=True)
    try:
        stopping.raise_if_stopped()
        thread.start()
        while thread.is_alive():
            thread.join(0.2)
    except stopping.Stopped:
        started.sparkContext.setLogLevel("OFF")  # the cancelled jobs' errors are no news
        while thread.is_alive():  # a job the work starts after a cancel is cancelled too
            started.sparkContext.cancelAllJobs()
            thread.join(0.5)
        raise
    finally:
        if owned:
            started.stop()
    succeeded, value = outcome[0]
    if succeeded:
        return cast(T, value)
    if isinstance(value, PySparkException | Py4JError) and not os.environ.get("CONTRACT_KIT_DEBUG"):
        raise Failure(f"Spark failed: {_first_line(value)}") from None
    raise value


def _first_line(error: Exception) -> str:
    """What a Spark failure says, in one line: the Java exception and its message (py4j
    writes it after `: ` below its own line), without the stack trace."""
    lines = [line.strip().removeprefix(": ") for line in str(error).splitlines() if line.strip()]
    java = [
        line
        for line in lines
        if re.match(r"^(java|javax|org|py4j)\.[\w.$]+(Exception|Error)\b", line)
    ]
    return (java or lines or [type(error).__name__])[0]


class _Guard(NamedTuple):
    """What a run must not read or overwrite: the configuration, the plan, the report files,
    and (convert) its output folders, each labelled as the user named it."""

    loaded: LoadedConfig | None
    plan: TrackingPlan | None
    reports: list[tuple[str, Path]]
    folders: list[tuple[str, str]]


def _run(
    session: SparkSession, context: RunContext, paths: Sequence[str], guard: _Guard
) -> SparkRun:
    """The inputs found (skipping what the CLI's search skips, and the run's own outputs),
    checked against the outputs, then the run."""
    from contract_kit.spark.inputs import listed, located

    local = [
        (label, Path(located(session, folder)).resolve())
        for label, folder in guard.folders
        if Path(located(session, folder)).is_absolute()
    ]
    for (label, folder), (other, inside) in itertools.combinations(local, 2):
        if folder == inside or folder in inside.parents or inside in folder.parents:
            raise Failure(f"{label} and {other} overlap: each needs a folder of its own")
    skipped = exclusions(guard.loaded, (), guard.plan, guard.reports)
    skipped = dataclasses.replace(skipped, folders=skipped.folders | {f for _, f in local})
    with usage_errors():
        inputs = listed(session, paths, skipped)
    read = [file.local_path for file in inputs if file.local_path is not None]
    origin = None if guard.loaded is None else guard.loaded.origin
    reports.refuse_overwrites(
        guard.reports, [Source(str(path), path) for path in read], origin,
        [] if guard.plan is None else [Path(guard.plan.folder)],
    )  # fmt: skip
    if origin is not None:
        read.append(Path(origin).resolve())
    if guard.plan is not None:
        read.append(Path(guard.plan.folder).resolve())
    for label, folder in local:
        for path in read:
            if path == folder or folder in path.parents:
                raise Failure(f"{label} holds {path}, which this run reads: name another folder")
    from contract_kit.spark.run import run

    return run(session, context, inputs)


def _refuse_existing(session: SparkSession, folders: list[str], overwrite: bool) -> None:
    """An output folder that exists is refused (exit 2) unless --overwrite: Spark writes a
    folder whole, and a second run must not mix its part files into the first's."""
    if overwrite:
        return
    for folder in folders:
        file_system, path = _file_system(session, folder)
        if file_system.exists(path):
            raise Failure(f"{folder}: already exists; remove it, or give --overwrite")


@contextmanager
def _written(session: SparkSession, folders: list[str]) -> Iterator[None]:
    """Nothing half-written: if writing fails or is stopped, the output folders are removed."""
    try:
        yield
    except BaseException:
        for folder in folders:
            file_system, path = _file_system(session, folder)
            file_system.delete(path, True)
        raise


def _file_system(session: SparkSession, folder: str) -> tuple[Any, Any]:
    from contract_kit.spark.inputs import located

    jvm: Any = session._jvm
    path = jvm.org.apache.hadoop.fs.Path(located(session, folder))
    return path.getFileSystem(session._jsc.hadoopConfiguration()), path


def _write(session: SparkSession, frame: DataFrame, folder: str, overwrite: bool) -> None:
    from contract_kit.spark.inputs import located

    writer = frame.write.mode("overwrite" if overwrite else "errorifexists")
    writer.text(located(session, folder))


def _render(
    done: SparkRun, output_format: str, color: str, quiet: bool, verbose: bool,
    report_files: tuple[reports.ReportFile, ...], stream: TextIO,
) -> Report:  # fmt: skip
    """The report, in the CLI's formats, to `stream` and the --report files."""
    terminal = reporter(output_format, color, quiet, verbose, stream)
    level = verbosity(quiet, verbose)
    with reports.opened(report_files) as files:
        outputs = Outputs(
            terminal, stream, [(reporters.get(f.file.format, verbosity=level), f) for f in files],
            progress.for_run(stream, [], enabled=False),
        )  # fmt: skip
        return render_events(done.events, outputs)
