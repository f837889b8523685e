"""The contract-kit command as users run it: click's runner for behaviour, a real process for
the console script and for 'never a traceback'."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from contract_kit import __version__

from ..helpers import (
    FIXTURES,
    INVALID,
    POINT_ADD,
    REPO,
    cli_command,
    cli_environment,
    ndjson,
    record,
    run,
    run_process,
    write,
)

VALID = FIXTURES / "antavo"
RECORD = record(data={"points": 10})


# validate ---------------------------------------------------------------------------------


def test_validate_bundled_fixtures_passes_with_a_summary() -> None:
    result = run("validate", str(VALID))
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: ")
    assert "55 files, all valid" in result.stdout


def test_validate_reports_file_line_column_pointer_and_message() -> None:
    target = INVALID / "point-add-null-points.json"
    result = run("validate", str(target))
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first == (
        f"{target}:5:15: record 0: /data/points: points in the data of a 'point_add' event "
        "must be an integer, got null"
    )
    assert result.stdout.splitlines()[-1] == "failed: 1 record in 1 file; 1 violation in 1 record"


def test_validate_json_format_is_one_documented_object() -> None:
    result = run("validate", "--format", "json", str(INVALID / "leap-second.json"), str(POINT_ADD))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["ok"], report["files"], report["records"]) == (False, 2, 2)
    (violation,) = report["violations"]
    assert set(violation) >= {"file", "line", "column", "record", "pointer", "message"}
    assert (violation["line"], violation["column"], violation["record"]) == (8, 16, 0)
    assert violation["pointer"] == "/timestamp"


def test_validate_json_format_when_all_valid() -> None:
    report = json.loads(run("validate", "--format", "json", str(POINT_ADD)).stdout)
    assert report == {"ok": True, "files": 1, "records": 1, "warnings": 0, "violations": []}


def test_validate_reads_stdin_as_a_file_named_stdin() -> None:
    result = run(
        "validate", "-", stdin='{"customer": "c", "action": "x", "data": 1, "timestamp": 0}'
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:1:")
    assert "/data" in result.stdout


def test_validate_reads_ndjson_from_stdin_as_one_document() -> None:
    assert run("validate", "-", stdin=json.dumps(RECORD)).exit_code == 0


def test_auto_kind_tells_records_from_messages_per_record(tmp_path: Path) -> None:
    message = {"type": "track", "event": "point_add", "userId": "u1", "properties": {}}
    mixed = write(tmp_path / "mixed.json", json.dumps([RECORD, message, {"hello": 1}]))
    result = run("validate", str(mixed))
    assert result.exit_code == 1
    assert result.stdout.count("record 2: (root): neither an Antavo record") == 1
    assert "record 0" not in result.stdout and "record 1" not in result.stdout


def test_kind_option_forces_the_schema(tmp_path: Path) -> None:
    message = write(tmp_path / "m.json", json.dumps({"type": "track", "event": "e", "userId": "u"}))
    assert run("validate", "--kind", "segment", str(message)).exit_code == 0
    forced = run("validate", "--kind", "antavo", str(message))
    assert forced.exit_code == 1
    assert "(root): this is a Segment message ('type', no 'action')" in forced.stdout
    typo = write(tmp_path / "t.json", json.dumps({"type": "track", "action": "e"}))
    both = run("validate", "--kind", "antavo", str(typo))  # not clearly the other kind
    assert "/customer: 'customer' is required" in both.stdout


def test_strict_applies_the_antavo_source_profile(tmp_path: Path) -> None:
    message = write(
        tmp_path / "m.json",
        json.dumps(
            {"type": "track", "event": "e", "userId": "u", "timestamp": "2024-11-26T15:15:49.000Z"}
        ),
    )
    assert run("validate", str(message)).exit_code == 0
    strict = run("validate", "--strict", str(message))
    assert strict.exit_code == 1
    assert "/messageId: 'messageId' is required" in strict.stdout
    assert "/integrations: 'integrations' is required" in strict.stdout


def test_segment_batch_body_is_read_message_by_message(tmp_path: Path) -> None:
    batch = {"batch": [{"type": "identify", "userId": "u"}, {"type": "track", "userId": "u"}]}
    result = run("validate", str(write(tmp_path / "b.json", json.dumps(batch, indent=2))))
    assert result.exit_code == 1
    assert ":7:5: record 1: /event: 'event' is required" in result.stdout


def test_directories_are_searched_recursively_for_json_ndjson_jsonl(tmp_path: Path) -> None:
    write(tmp_path / "a" / "one.json", json.dumps(RECORD))
    write(tmp_path / "a" / "b" / "two.ndjson", ndjson(RECORD, RECORD))
    write(tmp_path / "a" / "b" / "three.jsonl", ndjson(RECORD))
    write(tmp_path / "a" / "notes.txt", "not json")
    result = run("validate", str(tmp_path / "a"))
    assert result.exit_code == 0
    assert "ok: 4 records in 3 files" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["validate", "no/such/file.json"], "no/such/file.json: no such file or directory"),
        (["validate", "--kind", "page", "x.json"], "Invalid value for '--kind'"),
        (["validate"], "Missing argument"),
        (["validate", "--bogus", "x"], "No such option"),
        (["schema", "show", "antavo/nope"], "unknown schema 'antavo/nope'"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_message(args: list[str], words: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_a_directory_without_matching_files_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "empty" / "readme.txt", "")
    result = run("validate", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert "no *.json, *.ndjson or *.jsonl files" in result.stderr


def test_bad_configuration_is_a_usage_error_naming_file_and_key(tmp_path: Path) -> None:
    config = write(tmp_path / "contract-kit.toml", "user_id_attribute = 5\n")
    result = run("convert", "--config", str(config), str(POINT_ADD))
    assert result.exit_code == 2
    assert f"{config}: key 'user_id_attribute'" in result.stderr


# convert ----------------------------------------------------------------------------------


def test_convert_writes_ndjson_in_input_order(tmp_path: Path) -> None:
    records = [dict(RECORD, customer=f"c-{index}") for index in range(5)]
    result = run("convert", str(write(tmp_path / "in.ndjson", ndjson(*records))))
    assert result.exit_code == 0
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    assert [message["userId"] for message in messages] == [f"c-{index}" for index in range(5)]
    assert all(line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))
               for line in result.stdout.splitlines())  # fmt: skip
    assert "converted 5 of 5 records in 1 file; 0 rejected, 0 skipped" in result.stderr


def test_convert_reports_an_invalid_record_and_still_converts_the_others(tmp_path: Path) -> None:
    bad = dict(RECORD, data={"points": "ten"})
    source = write(tmp_path / "in.ndjson", ndjson(RECORD, bad, dict(RECORD, customer="c-3")))
    result = run("convert", str(source))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2
    assert f"{source}:2:" in result.stderr
    assert "record 1: /data/points" in result.stderr
    assert "converted 2 of 3 records in 1 file; 1 rejected" in result.stderr


def test_convert_counts_records_skipped_by_the_sync_settings(tmp_path: Path) -> None:
    write(tmp_path / "contract-kit.toml", 'events = ["checkout"]\n')
    result = run("convert", str(write(tmp_path / "in.ndjson", ndjson(RECORD, RECORD))))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "0 rejected, 2 skipped by the sync settings" in result.stderr
    assert "configuration: " in result.stderr and "contract-kit.toml" in result.stderr


def test_convert_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "out" / "messages.ndjson"
    result = run("convert", "-o", str(target), str(POINT_ADD))
    assert result.exit_code == 0
    assert result.stdout == ""
    (line,) = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["event"] == "point_add"
    assert sorted(path.name for path in target.parent.iterdir()) == ["messages.ndjson"]


def test_convert_output_into_a_directory_is_a_usage_error_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "out").mkdir()
    result = run("convert", "-o", str(tmp_path / "out"), str(POINT_ADD))
    assert result.exit_code == 2
    assert list((tmp_path / "out").iterdir()) == []


def test_convert_refuses_segment_messages_as_input(tmp_path: Path) -> None:
    message = write(tmp_path / "m.json", json.dumps({"type": "track", "event": "e", "userId": "u"}))
    result = run("convert", str(message))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{message}:1:1: record 0: (root): this is a Segment message ('type', no 'action'), not "
        "an Antavo record; check Segment messages with contract-kit validate --kind segment",
        "failed: converted 0 of 1 record in 1 file; 1 rejected, 0 skipped by the sync settings; "
        "1 violation",
    ]


# schema, version --------------------------------------------------------------------------


def test_schema_list_names_every_bundled_schema() -> None:
    result = run("schema", "list")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == [
        "antavo/bulk", "antavo/record", "contract-kit/report", "segment/antavo-source",
        "segment/batch", "segment/common", "segment/identify", "segment/message", "segment/track",
    ]  # fmt: skip


def test_schema_show_prints_the_schema_file() -> None:
    result = run("schema", "show", "segment/track")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$id"] == "https://schemas.contract-kit.dev/segment/track.json"
    assert result.stdout == (REPO / "schemas" / "segment" / "track.json").read_text(
        encoding="utf-8"
    )


def test_version() -> None:
    assert run("--version").stdout.strip() == f"contract-kit, version {__version__}"


# real processes ---------------------------------------------------------------------------


def test_console_script_is_installed_and_works_from_any_directory(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "contract-kit"
    done = subprocess.run(
        [str(script), "validate", str(VALID)],
        capture_output=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"all valid" in done.stdout


def test_invalid_corpus_never_yields_a_traceback(tmp_path: Path) -> None:
    for command in (["validate"], ["convert"], ["validate", "--strict", "--format", "json"]):
        done = run_process(*command, str(INVALID), cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert b"Traceback" not in done.stdout + done.stderr


def test_random_bytes_never_yield_a_traceback(tmp_path: Path) -> None:
    generator = random.Random(20261129)
    for index in range(40):
        size = generator.choice([0, 1, 3, 17, 200])
        blob = bytes(generator.randrange(256) for _ in range(size))
        if index % 2:
            blob = b'{"customer": "c", "action": "' + blob + b'", "data": {}, "timestamp": 0}'
        suffix = ".ndjson" if index % 3 == 0 else ".json"
        (tmp_path / f"blob{index}{suffix}").write_bytes(blob)
    done = run_process("validate", str(tmp_path))
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr
    assert b"internal error" not in done.stderr
    piped = run_process("convert", "-", stdin=b"\xff\xfe{not json")
    assert piped.returncode == 1 and b"<stdin>:1:1: (root): not UTF-8 text" in piped.stderr


def test_the_goldens_themselves_pass_the_strict_segment_profile() -> None:
    result = run("validate", "--strict", "--kind", "segment", str(FIXTURES / "golden"))
    assert result.exit_code == 0, result.stdout
    assert "all valid" in result.stdout


# bad input and odd environments: a report or a usage error, never an internal error ---------


def test_a_lone_surrogate_in_a_key_is_reported_printably(tmp_path: Path) -> None:
    source = write(
        tmp_path / "s.json",
        '{"customer": "c", "action": "x", "data": {"\\udc00": 1}, "timestamp": 0}',
    )
    for output_format in ("text", "json"):
        done = run_process("validate", "--format", output_format, str(source))
        assert done.returncode == 1, done.stderr
        assert b"\\udc00" in done.stdout
        assert b"internal error" not in done.stderr


@pytest.mark.parametrize(
    "toml",
    [
        b"integrations = { M = { a = 2024-01-01T00:00:00Z } }\n",
        b"integrations = { M = { a = nan } }\n",
        b"\xff = 1\n",
    ],
)
def test_odd_configuration_files_are_usage_errors(tmp_path: Path, toml: bytes) -> None:
    (tmp_path / "contract-kit.toml").write_bytes(toml)
    done = run_process("convert", str(POINT_ADD), cwd=tmp_path)
    assert done.returncode == 2
    assert b"contract-kit.toml" in done.stderr
    assert b"internal error" not in done.stderr


def test_output_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    source = VALID / "edge" / "unicode-cjk-product.json"
    done = run_process("convert", str(source), env={"PYTHONIOENCODING": "latin-1"}, timeout=60)
    assert done.returncode == 0, done.stderr
    message = json.loads(done.stdout.decode("utf-8"))
    assert message["properties"] == json.loads(source.read_text(encoding="utf-8"))["data"]
    ascii_report = run_process(
        "validate", str(INVALID / "unix-milliseconds.json"),
        env={"PYTHONIOENCODING": "ascii"}, timeout=60,
    )  # fmt: skip
    assert ascii_report.returncode == 1
    assert "0 ≤ t" in ascii_report.stdout.decode("utf-8")


def test_an_unreadable_file_is_an_environment_error(tmp_path: Path) -> None:
    done = run_process("validate", "/proc/self/mem")
    assert done.returncode == 2
    assert b"cannot read" in done.stdout
    assert b"internal error" not in done.stderr


def test_a_closed_stdin_is_an_environment_error() -> None:
    done = subprocess.run(
        cli_command("validate", "-"),
        capture_output=True, stdin=subprocess.DEVNULL, timeout=60, check=False,
        env=cli_environment(),
        preexec_fn=lambda: os.close(0),
    )  # fmt: skip
    assert done.returncode == 2
    assert b"internal error" not in done.stderr


def test_a_full_disk_on_stdout_is_an_environment_error() -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            cli_command("convert", str(POINT_ADD)),
            stdout=full, stderr=subprocess.PIPE, timeout=60, check=False,
            env=cli_environment(),
        )  # fmt: skip
    assert done.returncode == 2
    assert b"cannot write" in done.stderr
    assert b"internal error" not in done.stderr


def test_output_dash_means_stdout(tmp_path: Path) -> None:
    result = run("convert", "-o", "-", str(POINT_ADD))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["event"] == "point_add"
    assert not (tmp_path / "-").exists()


def test_validate_says_which_configuration_it_read(tmp_path: Path) -> None:
    write(tmp_path / "contract-kit.toml", 'events = ["*"]\n')
    write(tmp_path / "pyproject.toml", '[tool.contract-kit]\nevents = ["x"]\n')
    result = run("validate", str(POINT_ADD))
    assert "configuration: contract-kit.toml" in result.stderr


# paths --------------------------------------------------------------------------------------


def test_ndjson_can_come_from_stdin() -> None:
    result = run("convert", "-", stdin=ndjson(RECORD, dict(RECORD, customer="c-2")))
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_stdin_given_twice_is_a_usage_error() -> None:
    result = run("validate", "-", "-", stdin=json.dumps(RECORD))
    assert result.exit_code == 2
    assert "standard input can be read only once" in result.stderr


def test_an_empty_path_is_a_usage_error() -> None:
    result = run("validate", "")
    assert result.exit_code == 2
    assert "empty path" in result.stderr


def test_named_pipes_and_devices_are_read(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m contract_kit validate <(cat {POINT_ADD})"],
        capture_output=True, timeout=60, check=False, env=cli_environment(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert b"ok: 1 record in 1 file" in done.stdout


def test_directory_search_skips_hidden_folders_and_reports_broken_links(tmp_path: Path) -> None:
    write(tmp_path / "d" / "one.json", json.dumps(RECORD))
    write(tmp_path / "d" / ".venv" / "lib" / "junk.json", "not json")
    write(tmp_path / "d" / ".git" / "x.json", "not json")
    (tmp_path / "d" / "gone.json").symlink_to(tmp_path / "nowhere.json")
    result = run("validate", str(tmp_path / "d"))
    assert "junk.json" not in result.stdout and ".git" not in result.stdout
    assert "gone.json" in result.stdout and "broken symbolic link" in result.stdout
    assert result.exit_code == 2


# contract gaps --------------------------------------------------------------------------------


def test_two_different_events_sharing_an_antavo_id_are_a_violation(tmp_path: Path) -> None:
    first = dict(RECORD, id="e1")
    resent = dict(first, timestamp="2024-11-27T10:00:00Z")
    other = dict(RECORD, id="e1", action="point_sub")
    result = run("convert", str(write(tmp_path / "in.ndjson", ndjson(first, resent, other))))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 2
    assert (
        "record 2: /id: Antavo id 'e1' of customer 'c-1' is shared with a different event (record 0"
        in result.stderr
    )


def test_segment_batch_limits_are_checked(tmp_path: Path) -> None:
    message = {"type": "track", "event": "e", "userId": "u"}
    many = write(tmp_path / "many.json", json.dumps({"batch": [message] * 2501}))
    result = run("validate", str(many))
    assert result.exit_code == 1
    assert "/batch: the batch holds 2501 messages; Segment accepts at most 2500" in result.stdout
    assert (
        run(
            "validate", str(write(tmp_path / "ok.json", json.dumps({"batch": [message] * 2500})))
        ).exit_code
        == 0
    )
    big = dict(message, properties={"p": "x" * 30_000})
    heavy = write(tmp_path / "heavy.json", json.dumps({"batch": [big] * 18}))
    result = run("validate", str(heavy))
    assert result.exit_code == 1
    assert "Segment accepts at most 512000 bytes (500 KB)" in result.stdout


def test_the_batch_envelope_is_checked_by_its_schema(tmp_path: Path) -> None:
    body = {
        "batch": [{"type": "identify", "userId": "u"}],
        "sentAt": "garbage",
        "context": 5,
        "writeKey": 7,
    }
    result = run("validate", str(write(tmp_path / "b.json", json.dumps(body, indent=2))))
    assert result.exit_code == 1
    for pointer in ("/sentAt", "/context", "/writeKey"):
        assert f": {pointer}: " in result.stdout
