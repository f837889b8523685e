"""`contract-kit diff` through a real process: every golden kind gets the same pointer-level
diff, and messages line up by messageId, so one new, removed or moved record is one change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..helpers import FIXTURES, run_cli

CONTAINERS = Path("containers")
RENAMES = 'event_names = { point_add = "Points Added", checkout_accept = "Order Completed" }\n'
NEW_RECORD = {
    "customer": "6571f3c2a9e4b81d2c0f5e3a",
    "action": "point_add",
    "data": {"points": 7, "reason": "Inserted for the test"},
    "timestamp": "2024-12-10T07:00:00Z",
}


def copy_pair(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """One container fixture and its golden, below `in/` and `golden/` in tmp_path."""
    inputs, goldens = tmp_path / "in", tmp_path / "golden"
    for source, target in ((FIXTURES / "antavo", inputs), (FIXTURES / "golden", goldens)):
        (target / CONTAINERS).mkdir(parents=True, exist_ok=True)
        shutil.copy(source / CONTAINERS / name, target / CONTAINERS / name)
    return inputs / CONTAINERS / name, goldens / CONTAINERS / name


def change_lines(stdout: str) -> list[str]:
    """The indented lines under the one golden that differs: its note and its changes."""
    return [line for line in stdout.splitlines() if line.startswith("  ")]


def diff(tmp_path: Path, *extra: str) -> tuple[int, str]:
    done = run_cli("diff", "in", "golden", *extra, cwd=tmp_path)
    return done.returncode, done.stdout


# A. Every golden kind, NDJSON and JSON Lines included, is diffed structurally.

RENAMED = [
    ("single-record.json", "/0/event", "point_add", "Points Added"),
    ("array-of-records.json", "/1/event", "point_add", "Points Added"),
    ("bulk-body.json", "/0/event", "point_add", "Points Added"),
    ("records.ndjson", "/1/event", "point_add", "Points Added"),
    ("records.jsonl", "/1/event", "checkout_accept", "Order Completed"),
]


@pytest.mark.parametrize(("name", "pointer", "old", "new"), RENAMED, ids=[r[0] for r in RENAMED])
def test_every_golden_kind_gets_a_pointer_level_diff(
    tmp_path: Path, name: str, pointer: str, old: str, new: str
) -> None:
    copy_pair(tmp_path, name)
    (tmp_path / "contract-kit.toml").write_text(RENAMES, encoding="utf-8")
    code, stdout = diff(tmp_path)
    assert code == 1, stdout
    header = f"golden/containers/{name}: differs from the conversion of in/containers/{name}"
    assert stdout.splitlines()[0] == header
    assert change_lines(stdout) == [f"  @ {pointer}", f'  - "{old}"', f'  + "{new}"']
    assert "unreadable" not in stdout


def test_an_unreadable_ndjson_golden_says_so_and_names_the_line(tmp_path: Path) -> None:
    _, golden = copy_pair(tmp_path, "records.ndjson")
    lines = golden.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '{"type": "track", "event":\n'
    golden.write_text("".join(lines), encoding="utf-8")
    code, stdout = diff(tmp_path)
    assert code == 1
    (note,) = change_lines(stdout)
    assert note.startswith("  the golden is unreadable: line 2, column ")
    assert "invalid JSON" in note


# B. Messages line up by messageId: one record added, removed or moved is one change.

LISTS = ["records.ndjson", "array-of-records.json"]


def read_records(source: Path) -> list[dict[str, object]]:
    """The records of an input, or the messages of a golden, as JSON values."""
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".ndjson":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    records: list[dict[str, object]] = json.loads(text)
    return records


def write_records(source: Path, records: list[dict[str, object]]) -> None:
    if source.suffix == ".ndjson":
        text = "".join(json.dumps(record) + "\n" for record in records)
    else:
        text = json.dumps(records, indent=2) + "\n"
    source.write_text(text, encoding="utf-8")


def converted(tmp_path: Path, record: dict[str, object]) -> dict[str, object]:
    """The message `convert` makes of `record`, as a real process prints it."""
    single = tmp_path / "single.json"
    single.write_text(json.dumps(record), encoding="utf-8")
    done = run_cli("convert", str(single), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    message: dict[str, object] = json.loads(done.stdout)
    return message


@pytest.mark.parametrize("name", LISTS)
def test_a_record_inserted_at_the_top_is_one_added_message(tmp_path: Path, name: str) -> None:
    source, _ = copy_pair(tmp_path, name)
    write_records(source, [NEW_RECORD, *read_records(source)])
    code, stdout = diff(tmp_path)
    assert code == 1, stdout
    at, added = change_lines(stdout)
    assert at == "  @ /0"
    assert added.startswith("  + ")
    assert json.loads(added.removeprefix("  + ")) == converted(tmp_path, NEW_RECORD)
    assert "failed: 1 input file; 0 same, 1 differ" in stdout


@pytest.mark.parametrize("name", LISTS)
def test_a_removed_middle_record_is_one_removed_message(tmp_path: Path, name: str) -> None:
    source, golden = copy_pair(tmp_path, name)
    records = read_records(source)
    write_records(source, [records[0], records[2]])
    code, stdout = diff(tmp_path)
    assert code == 1, stdout
    at, removed = change_lines(stdout)
    assert at == "  @ /1"
    assert removed.startswith("  - ")
    assert json.loads(removed.removeprefix("  - ")) == read_records(golden)[1]


@pytest.mark.parametrize("name", LISTS)
def test_a_record_moved_to_the_top_is_one_move(tmp_path: Path, name: str) -> None:
    source, _ = copy_pair(tmp_path, name)
    first, second, third = read_records(source)
    write_records(source, [third, first, second])
    code, stdout = diff(tmp_path)
    assert code == 1, stdout
    assert change_lines(stdout) == ["  @ /0 (moved from /2)"]


@pytest.mark.parametrize("name", LISTS)
def test_reversed_records_are_moves_without_field_changes(tmp_path: Path, name: str) -> None:
    source, _ = copy_pair(tmp_path, name)
    write_records(source, read_records(source)[::-1])
    code, stdout = diff(tmp_path)
    assert code == 1, stdout
    lines = change_lines(stdout)
    assert len(lines) == 2  # one message keeps its place; the other two moved
    assert all(" (moved from /" in line and line.startswith("  @ /") for line in lines)


def test_a_moved_and_renamed_message_is_a_move_then_its_field_change(tmp_path: Path) -> None:
    source, _ = copy_pair(tmp_path, "records.ndjson")
    first, second, third = read_records(source)  # the second is point_add
    write_records(source, [second, first, third])
    (tmp_path / "contract-kit.toml").write_text(RENAMES, encoding="utf-8")
    code, stdout = diff(tmp_path)
    assert code == 1, stdout
    assert change_lines(stdout) == [
        "  @ /0 (moved from /1)", "  @ /0/event", '  - "point_add"', '  + "Points Added"',
    ]  # fmt: skip


def test_the_json_report_carries_moves_adds_and_removes(tmp_path: Path) -> None:
    source, golden = copy_pair(tmp_path, "records.ndjson")
    first, _, third = read_records(source)
    write_records(source, [NEW_RECORD, third, first])
    code, stdout = diff(tmp_path, "--format", "json")
    assert code == 1, stdout
    (report,) = json.loads(stdout)["goldens"]
    assert report["note"] is None
    assert report["changes"] == [
        {"pointer": "/0", "op": "add", "new": converted(tmp_path, NEW_RECORD)},
        {"pointer": "/1", "op": "remove", "old": read_records(golden)[1]},
        {"pointer": "/1", "op": "move", "from": "/2"},
    ]


@pytest.mark.parametrize("name", LISTS)
def test_an_edited_record_reads_as_its_field_changes(tmp_path: Path, name: str) -> None:
    """A record without an Antavo `id` gets a new messageId with any change: standing in the
    same place, it is compared field by field, not removed and added whole."""
    source, golden = copy_pair(tmp_path, name)
    records = read_records(source)
    index = next(i for i, record in enumerate(records) if record["action"] == "point_add")
    assert "id" not in records[index]
    data = records[index]["data"]
    assert isinstance(data, dict)
    data["points"] = 5000
    write_records(source, records)
    code, stdout = diff(tmp_path)
    assert code == 1, stdout
    old_id = read_records(golden)[index]["messageId"]
    new_id = converted(tmp_path, records[index])["messageId"]
    old_points = read_records(golden)[index]["properties"]["points"]  # type: ignore[index]
    assert change_lines(stdout) == [
        f"  @ /{index}/messageId", f'  - "{old_id}"', f'  + "{new_id}"',
        f"  @ /{index}/properties/points", f"  - {old_points}", "  + 5000",
    ]  # fmt: skip


def test_repeated_message_ids_still_line_up(tmp_path: Path) -> None:
    """A re-sent event repeats its messageId; the list still lines up (by occurrence)."""
    source, _ = copy_pair(tmp_path, "records.ndjson")
    first, second, third = read_records(source)
    write_records(source, [first, first, second, third])
    (tmp_path / "golden" / CONTAINERS / "records.ndjson").unlink()
    assert run_cli("diff", "in", "golden", "--update", cwd=tmp_path).returncode == 0
    write_records(source, [NEW_RECORD, first, first, second, third])
    code, stdout = diff(tmp_path)
    assert code == 1, stdout
    at, added = change_lines(stdout)
    assert at == "  @ /0"
    assert json.loads(added.removeprefix("  + ")) == converted(tmp_path, NEW_RECORD)
