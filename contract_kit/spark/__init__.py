"""contract-kit on Apache Spark (`pip install "contract-kit[spark]"`): the same verdicts, by the
same code, over inputs one machine cannot hold.

    >>> from contract_kit import spark as ck_spark
    >>> conversion = ck_spark.convert(spark, "s3a://bucket/antavo/2026-11/")
    >>> conversion.messages.write.text("s3a://bucket/segment/2026-11/")
    >>> conversion.report.ok

Each task runs the CLI's own unit of work (running.steps.process) on the pieces of its
partition; the run-wide event-id check is a shuffle on the Antavo id (see run and event_ids).
Nothing here imports pyspark until a function is called.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from contract_kit.api import PathInput, loaded_plan
from contract_kit.running.context import KindOption, RunContext
from contract_kit.running.report import Report
from contract_kit.settings.config import Config
from contract_kit.spark.inputs import listed
from contract_kit.spark.run import FRAME_NAME, SparkRun, run
from contract_kit.tracking_plan import TrackingPlan

if TYPE_CHECKING:
    from typing import TypeAlias

    from pyspark.sql import DataFrame, SparkSession

    Records: TypeAlias = PathInput | Sequence[PathInput] | DataFrame

__all__ = ["FRAME_NAME", "SparkConversion", "convert", "validate"]


@dataclass(frozen=True)
class SparkConversion:
    """The messages and the rejected records, as DataFrames of one column `value` (NDJSON
    lines: write them with `.write.text(folder)`), and the report. Their rows are cached:
    `unpersist()` frees them once written."""

    messages: DataFrame
    rejects: DataFrame
    report: Report
    _run: SparkRun

    @property
    def ok(self) -> bool:
        return self.report.ok

    def unpersist(self) -> None:
        self._run.unpersist()


def convert(
    spark: SparkSession,
    source: Records,
    config: Config | None = None,
    plan: PathInput | TrackingPlan | None = None,
) -> SparkConversion:
    """Convert Antavo records into Segment messages on Spark: `source` is paths (anything
    Spark reads: folders, globs, `s3a://`, `hdfs://`) or a DataFrame of one column of JSON
    records, one a row. Invalid records are in the report and in `rejects`."""
    config = config or Config()
    context = RunContext.converting(config, plan=loaded_plan(plan, config), keep_rejects=True)
    done = _run(spark, context, source)
    return SparkConversion(done.messages, done.rejects, done.report, done)


def validate(
    spark: SparkSession,
    source: Records,
    *,
    kind: KindOption = "auto",
    strict: bool = False,
    plan: PathInput | TrackingPlan | None = None,
) -> Report:
    """Check records and messages against the contract on Spark (`source` as for convert)."""
    context = RunContext("validate", kind=kind, strict=strict, plan=loaded_plan(plan))
    done = _run(spark, context, source)
    done.unpersist()
    return done.report


def _run(spark: SparkSession, context: RunContext, source: Records) -> SparkRun:
    if isinstance(source, str | os.PathLike):
        return run(spark, context, listed(spark, [os.fspath(source)]))
    if isinstance(source, Sequence):
        return run(spark, context, listed(spark, [os.fspath(path) for path in source]))
    return run(spark, context, frame=source)
