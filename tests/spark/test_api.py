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
    "two boms.ndjson": b"\xef\xbb\xbf\xef\xbb\xbf" + orjson.dumps(RECORD) + b"\n",
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
        (["-o", "x", "--rejects", "x/", "."], "-o x and --rejects x/ overlap"),
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


def test_a_folder_is_searched_as_the_cli_searches_it(spark: SparkSession, tmp_path: Path) -> None:
    """The plan's folder, the configuration's `exclude`, a --report file, a broken link and a
    link out of the tree: the same report as the CLI's, byte for byte."""
    import shutil

    shutil.copytree(FIXTURES / "tracking-plan", tmp_path / "tracking-plan")
    write(tmp_path / "pyproject.toml", '[tool.contract-kit]\nexclude = ["drafts"]\n')
    write(tmp_path / "drafts" / "x.json", "{not json")
    write(tmp_path / "events" / "a.ndjson", orjson.dumps(RECORD).decode())
    (tmp_path / "events" / "gone.json").symlink_to(tmp_path / "nowhere.json")
    (tmp_path / "outside").mkdir()
    write(tmp_path / "outside" / "b.json", "{}")
    (tmp_path / "events" / "out").symlink_to(tmp_path / "outside")
    args = ["--format", "json", "--report", "json=report.json", "."]
    expected = run("validate", *args)
    done = run("spark", "validate", *args)
    assert (done.exit_code, done.stdout) == (expected.exit_code, expected.stdout)
    assert done.exit_code == 2  # the broken link
    assert "drafts" not in done.stdout and "tracking-plan/" not in done.stdout


@pytest.mark.parametrize(
    ("files", "args", "said"),
    [
        (["a.ndjson"], ["a.ndjson", "a.ndjson"], "a.ndjson: named twice (also as a.ndjson)"),
        (["d/a.ndjson"], ["d", "d/a.ndjson"], "d/a.ndjson: named twice (also as d/a.ndjson)"),
        (["d/_a.ndjson"], ["d"], "d/_a.ndjson: Spark does not read a file whose name starts"),
        (["d/.a.json"], ["d/.a.json"], "d/.a.json: Spark does not read a file whose name starts"),
    ],
)
def test_files_spark_would_not_read_are_refused(
    spark: SparkSession, tmp_path: Path, files: list[str], args: list[str], said: str
) -> None:
    """Spark's readers skip `_` and `.` names and read a file once: said, never lost."""
    for name in files:
        write(tmp_path / name, orjson.dumps(RECORD).decode())
    done = run("spark", "validate", *args)
    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1].startswith(f"contract-kit: error: {said}")


def test_names_and_globs_are_read_as_given(spark: SparkSession, tmp_path: Path) -> None:
    """A name with glob characters names its own file (as a shell passes it); a quoted glob
    is expanded here, sorted."""
    write(tmp_path / "g" / "e1.ndjson", orjson.dumps(RECORD).decode())
    write(tmp_path / "g" / "e[1].ndjson", '{"action": 1}')
    given = ["g/e1.ndjson", "g/e[1].ndjson"]
    _same_report(on_spark.validate(spark, given), api.validate(given))
    _same_report(on_spark.validate(spark, "g/e*.ndjson"), api.validate(given))


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["-o", "out", "--rejects", "./out/r"], "-o out and --rejects ./out/r overlap"),
        (["-o", "data", "--overwrite"], "-o data holds "),
        (["-o", "out", "--report", "json=data/a.ndjson"], "--report json=data/a.ndjson names a"),
    ],
)
def test_an_output_never_replaces_an_input(
    spark: SparkSession, tmp_path: Path, args: list[str], said: str
) -> None:
    write(tmp_path / "data" / "a.ndjson", orjson.dumps(RECORD).decode())
    before = (tmp_path / "data" / "a.ndjson").read_bytes()
    done = run("spark", "convert", "data/a.ndjson", *args)
    assert done.exit_code == 2
    assert said in done.stderr.splitlines()[-1]
    assert (tmp_path / "data" / "a.ndjson").read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_a_null_row_is_reported_and_an_empty_dataframe_too(spark: SparkSession) -> None:
    rows = [(orjson.dumps(RECORD).decode(),), (None,)]
    report = on_spark.validate(spark, spark.createDataFrame(rows, "record string"))
    assert [(v.line, v.record, v.message) for v in report.violations] == [
        (2, 1, "expected a JSON object (a record), got null")
    ]
    empty = on_spark.validate(spark, spark.createDataFrame([], "record string"))
    assert [v.message for v in empty.violations] == ["the DataFrame is empty: it holds no record"]
