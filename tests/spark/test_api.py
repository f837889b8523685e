"""contract_kit.spark's Python API and `contract-kit spark` in-process, on one local session:
the same report and messages as the CLI's own run of the same input, file by file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pytest

from contract_kit import api
from contract_kit import spark as on_spark
from contract_kit.reporters import REPORTERS
from contract_kit.running.report import Report
from tests.helpers import FIXTURES, INVALID, RECORD, run, write

from .corpus import CONFIG, write_corpus

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _same_report(spark_report: Report, cli_report: Report) -> None:
    assert spark_report.violations == cli_report.violations
    assert spark_report == cli_report


FOLDERS = [FIXTURES / "antavo", INVALID, FIXTURES / "golden", FIXTURES / "plan-violations"]


@pytest.mark.parametrize("folder", FOLDERS)
def test_validate_reports_what_the_cli_reports(spark: SparkSession, folder: Path) -> None:
    _same_report(on_spark.validate(spark, folder), api.validate(folder))


def test_convert_gives_the_messages_and_report_of_the_cli(spark: SparkSession) -> None:
    folders = [str(FIXTURES / "antavo"), str(INVALID)]
    conversion = on_spark.convert(spark, folders)
    expected = api.convert(folders)
    _same_report(conversion.report, expected.report)
    messages = sorted(row.value.encode() for row in conversion.messages.collect())
    assert messages == sorted(orjson.dumps(message) for message in expected.messages) != []
    rejected = [orjson.loads(row.value) for row in conversion.rejects.collect()]
    assert {(r["file"], r["record"]) for r in rejected} == {
        (v.file, v.record) for v in expected.report.errors
    }
    conversion.unpersist()


EDGE_FILES: dict[str, bytes] = {
    "empty.ndjson": b"",
    "bom-alone.ndjson": b"\xef\xbb\xbf",
    "blank.ndjson": b"  \n\t\n\xe3\x80\x80\n",
    "empty.json": b"",
    "with bom.ndjson": b"\xef\xbb\xbf" + orjson.dumps(RECORD) + b"\n",
    "crlf, no last newline.jsonl": orjson.dumps(RECORD) + b"\r\n\r\n" + orjson.dumps(RECORD),
    "not utf-8.ndjson": orjson.dumps(RECORD) + b'\n{"customer":"\xff"}\n',
    "a [1] {b} *.ndjson": orjson.dumps(RECORD) + b"\n[]\n",
    "pretty.json": b'[\n  {"customer": "c",\n   "action": "point_add"}\n]\n',
    "bulk body.json": orjson.dumps({"events": [RECORD, RECORD, {"action": 1}]}),
}


def test_every_kind_of_file_is_read_as_the_cli_reads_it(
    spark: SparkSession, tmp_path: Path
) -> None:
    for name, data in EDGE_FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "unnamed").write_bytes(orjson.dumps(RECORD) + b"\n" + orjson.dumps(RECORD))
    given = ["unnamed", "."]  # a file named alone, read by its content; the folder searched
    cli = api.validate(given)
    assert {v.message for v in cli.violations} >= {
        "the file is empty: it holds no record",
        "the file is white space only: it holds no record",
        "the file is empty",
    }
    _same_report(on_spark.validate(spark, given), cli)


def test_a_dataframe_of_records_is_read_as_lines(spark: SparkSession, tmp_path: Path) -> None:
    """A column of raw records (from Kafka, a table) gives what a file of the same lines gives:
    the report names it <dataframe>, and its rows are its lines, in order."""
    corpus = tmp_path / "events.ndjson"
    write_corpus(corpus, 3_000)
    lines = corpus.read_bytes().decode().splitlines()
    rows = spark.sparkContext.parallelize([(line,) for line in lines], 3)  # in order, 3 parts
    frame = spark.createDataFrame(rows, "record string")
    conversion = on_spark.convert(spark, frame)
    expected = api.convert(corpus)
    renamed = [replace(v, file=on_spark.FRAME_NAME) for v in expected.violations]
    assert list(conversion.report.violations) == renamed != []
    assert conversion.report.records == expected.report.records
    messages = sorted(row.value.encode() for row in conversion.messages.collect())
    assert messages == sorted(orjson.dumps(message) for message in expected.messages)
    conversion.unpersist()


def test_a_dataframe_of_more_than_one_column_is_refused(spark: SparkSession) -> None:
    frame = spark.createDataFrame([("{}", 1)], "record string, n int")
    with pytest.raises(ValueError, match="one column"):
        on_spark.validate(spark, frame)


@pytest.mark.parametrize("report_format", sorted(REPORTERS))
def test_spark_validate_prints_each_format_as_validate_does(
    spark: SparkSession, report_format: str
) -> None:
    given = [str(FIXTURES / "antavo" / "containers"), str(INVALID)]
    expected = run("validate", "--format", report_format, *given)
    done = run("spark", "validate", "--format", report_format, *given)
    assert (done.exit_code, done.stdout) == (expected.exit_code, expected.stdout)
    assert done.exit_code == 1


def test_spark_convert_writes_part_files_and_the_report(
    spark: SparkSession, tmp_path: Path
) -> None:
    write(tmp_path / "pyproject.toml", CONFIG)
    write_corpus(tmp_path / "events.ndjson", 2_000)
    expected = run("convert", "events.ndjson", "-o", "cli.ndjson", "--rejects", "cli-r.ndjson")
    done = run(
        "spark", "convert", "events.ndjson", "-o", "out", "--rejects", "rejected",
        "--report", "junit=junit.xml",
    )  # fmt: skip
    assert (done.exit_code, done.stderr) == (expected.exit_code, expected.stderr)
    assert sorted(_parts(tmp_path / "out")) == sorted(_lines(tmp_path / "cli.ndjson"))
    assert sorted(_parts(tmp_path / "rejected")) == sorted(_lines(tmp_path / "cli-r.ndjson"))
    assert (tmp_path / "junit.xml").read_text().count("<failure") > 10

    again = run("spark", "convert", "events.ndjson", "-o", "out")
    assert again.exit_code == 2
    assert again.stderr.splitlines()[-1] == (
        "contract-kit: error: out: already exists; remove it, or give --overwrite"
    )
    replaced = run("spark", "convert", "events.ndjson", "-o", "out", "--overwrite")
    assert replaced.exit_code == 1
    assert sorted(_parts(tmp_path / "out")) == sorted(_lines(tmp_path / "cli.ndjson"))


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["missing.ndjson"], "missing.ndjson: no such file or directory"),
        (["-o", "x", "--rejects", "x/", "."], "-o x and --rejects x/ name the same folder"),
        (["--conf", "novalue", "."], "Invalid value for '--conf': 'novalue' is not KEY=VALUE"),
    ],
)
def test_what_cannot_run_is_said_in_one_line(
    spark: SparkSession, tmp_path: Path, args: list[str], said: str
) -> None:
    write(tmp_path / "a.ndjson", orjson.dumps(RECORD).decode())
    command = ["spark", "convert", *args] if "-o" in args else ["spark", "validate", *args]
    done = run(*command)
    assert done.exit_code == 2
    assert said in done.stderr.splitlines()[-1]
    assert "Traceback" not in done.output
    assert not (tmp_path / "x").exists()


def _parts(folder: Path) -> list[bytes]:
    return [line for part in sorted(folder.glob("part-*")) for line in _lines(part)]


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()
