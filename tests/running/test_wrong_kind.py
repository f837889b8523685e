"""The wrong kind of file gets one sentence a record, not every schema rule it breaks; and the
violations of one record come in the order of their place in the file."""

from __future__ import annotations

import json
from pathlib import Path

from ..helpers import FIXTURES, run_cli, write_ndjson

MESSAGE = {"type": "track", "event": "point_add", "userId": "u-1", "properties": {"points": 5}}
AS_SEGMENT = (
    "(root): this is a Segment message ('type', no 'action'), not an Antavo record; check "
    "Segment messages with contract-kit validate --kind segment"
)
AS_ANTAVO = (
    "(root): this is an Antavo record ('action', no 'type'), not a Segment message; check "
    "Antavo records with contract-kit validate --kind antavo, or turn them into Segment "
    "messages with contract-kit convert"
)


def segment_messages(path: Path, count: int) -> Path:
    return write_ndjson(path, *({**MESSAGE, "messageId": f"m-{n}"} for n in range(count)))


def test_convert_on_segment_messages_says_so_once_a_record(tmp_path: Path) -> None:
    messages = segment_messages(tmp_path / "messages.ndjson", 300)
    done = run_cli("convert", str(messages), "-o", str(tmp_path / "out.ndjson"))
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 301, lines[:12]
    assert lines[0] == f"{messages}:1:1: record 0: {AS_SEGMENT}"
    assert all(AS_SEGMENT in line for line in lines[:300])
    assert lines[-1].endswith("300 rejected, 0 skipped by the sync settings; 300 violations")


def test_validate_as_antavo_on_segment_messages_says_so_once_a_record(tmp_path: Path) -> None:
    messages = segment_messages(tmp_path / "messages.ndjson", 3)
    done = run_cli("validate", "--kind", "antavo", str(messages))
    assert done.returncode == 1
    assert done.stdout.splitlines()[:3] == [
        f"{messages}:{n + 1}:1: record {n}: {AS_SEGMENT}" for n in range(3)
    ]


def test_validate_as_segment_on_antavo_records_says_so_once_a_record(tmp_path: Path) -> None:
    records = FIXTURES / "antavo" / "containers" / "array-of-records.json"
    count = len(json.loads(records.read_text()))
    done = run_cli("validate", "--kind", "segment", str(records))
    assert done.returncode == 1
    found = done.stdout.splitlines()[:-1]
    assert len(found) == count
    assert all(line.endswith(AS_ANTAVO) for line in found)


def test_a_batch_body_of_antavo_records_given_to_validate_says_so(tmp_path: Path) -> None:
    body = tmp_path / "batch.json"
    record = json.loads((FIXTURES / "antavo" / "actions" / "point-add.json").read_text())
    body.write_text(json.dumps({"batch": [record]}))
    done = run_cli("validate", str(body))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].endswith(AS_ANTAVO)


def test_violations_of_one_record_come_in_the_order_of_their_place(tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    record.write_text(
        '{"acton": 1, "timestamp": "2024-11-26 15:19:14", "customer": "c", "action": '
        '"point_add", "data": {"points": null, "effective_timestamp": "x"}, "id": ""}\n'
    )
    done = run_cli("validate", str(record))
    assert done.returncode == 1
    places = [line.split(": record 0: ")[0].split(":")[-2:] for line in done.stdout.splitlines()]
    columns = [int(column) for _, column in places[:-1]]
    assert columns == [11, 27, 109, 138, 150]


def test_an_object_with_any_other_type_is_checked_by_the_schema(tmp_path: Path) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "object", "properties": {}}')
    done = run_cli("validate", "--kind", "antavo", str(schema))
    assert done.returncode == 1
    assert "this is a Segment message" not in done.stdout
    assert "/customer: 'customer' is required" in done.stdout
