"""`contract-kit spark convert` and `contract-kit convert`, both as real processes, on a seeded
corpus of 60,000 records cut into many splits: the same message lines, the same rejects, the
same report (every violation's file, line, column, record, pointer and message), and every
record accounted for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from tests.helpers import run_cli

from .conftest import SPLIT_BYTES
from .corpus import CONFIG, write_corpus

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

RECORDS = 60_000


def test_spark_convert_gives_what_convert_gives(tmp_path: Path, spark: SparkSession) -> None:
    corpus = tmp_path / "events.ndjson"
    planted = write_corpus(corpus, RECORDS)
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    assert _partitions_holding(spark, corpus, b"shared-id-1") >= 2

    local = run_cli(
        "convert", "events.ndjson", "-o", "cli.ndjson", "--rejects", "cli-rejects.ndjson",
        "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    on_spark = run_cli(
        "spark", "convert", "events.ndjson", "-o", "messages", "--rejects", "rejects",
        "--format", "json", "--master", "local[2]",
        "--conf", f"spark.sql.files.maxPartitionBytes={SPLIT_BYTES}",
        cwd=tmp_path, timeout=600,
    )  # fmt: skip

    assert (local.returncode, on_spark.returncode) == (1, 1), on_spark.stderr
    report = json.loads(local.stderr)
    assert json.loads(on_spark.stderr) == report
    messages = _lines(tmp_path / "messages")
    rejects = _lines(tmp_path / "rejects")
    assert sorted(messages) == sorted(_lines(tmp_path / "cli.ndjson"))
    assert sorted(rejects) == sorted(_lines(tmp_path / "cli-rejects.ndjson"))

    # what the corpus holds, so that the comparison above compares something
    kinds = [violation["keyword"] for violation in report["violations"]]
    assert kinds.count("uniqueEventId") == planted["conflicting"] >= 5
    assert len(report["violations"]) >= planted["invalid"] >= 500
    assert report["skipped"] > 10_000
    assert len(messages) + len(rejects) + report["skipped"] == report["records"] == RECORDS


def _partitions_holding(spark: SparkSession, corpus: Path, text: bytes) -> int:
    """How many of Spark's partitions of `corpus` hold a line with `text`."""
    from pyspark.sql import functions as F

    lines = spark.read.option("lineSep", "\n").text(str(corpus))
    holding = lines.where(F.col("value").contains(text.decode()))
    return holding.select(F.spark_partition_id()).distinct().count()


def _lines(path: Path) -> list[bytes]:
    """The lines of a file, or of every part file of a folder Spark wrote."""
    files = sorted(path.glob("part-*")) if path.is_dir() else [path]
    return [line for file in files for line in file.read_bytes().splitlines()]
