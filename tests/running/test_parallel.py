"""Large inputs: read in pieces, on any number of processes, with the same output and report."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from contract_kit.reading import pieces
from contract_kit.running import pool
from contract_kit.violations import Violation

from ..helpers import run_process, violations


def record(index: int) -> dict[str, object]:
    return {
        "customer": f"c-{index % 97}",
        "action": "point_add" if index % 3 else "review_submit",
        "data": {"points": index, "note": "x" * (index % 50), "text": "Árvíztűrő 🙂"},
        "timestamp": 1_700_000_000 + index,
        "id": f"e-{index}",
    }


@pytest.fixture(scope="module")
def big_ndjson(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    """More than PARALLEL_MIN_BYTES of NDJSON, with invalid records and a shared id far apart."""
    path = tmp_path_factory.mktemp("big") / "events.ndjson"
    bad_lines = []
    lines = []
    for index in range(40_000):
        value = record(index)
        if index % 9_973 == 5:
            value.update(action="point_add", data={"points": "many"})
            bad_lines.append(len(lines) + 1)
        if index == 39_000:
            value = dict(record(17), action="point_sub")  # reuses id e-17 of another event
            bad_lines.append(len(lines) + 1)
        lines.append(json.dumps(value, ensure_ascii=False))
        if index % 5_000 == 0:
            lines.append("")  # blank lines are not records
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > pool.PARALLEL_MIN_BYTES
    return path, bad_lines


def contract_kit(*args: str) -> subprocess.CompletedProcess[bytes]:
    return run_process(*args, timeout=300)


@pytest.mark.parametrize("command", ["convert", "validate"])
def test_jobs_change_nothing_but_speed(big_ndjson: tuple[Path, list[int]], command: str) -> None:
    path, bad_lines = big_ndjson
    extra = ["--format", "json"] if command == "validate" else []
    one = contract_kit(command, "--jobs", "1", *extra, str(path))
    two = contract_kit(command, "--jobs", "2", *extra, str(path))
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr
    if command == "validate":
        report = json.loads(one.stdout)
        assert report["records"] == 40_000
        assert [v["line"] for v in report["violations"]] == bad_lines
        (shared,) = [v for v in report["violations"] if v["pointer"] == "/id"]
        assert shared["record"] == 39_000
        assert "shared with a different event (record 17)" in shared["message"]
    else:
        assert len(one.stdout.splitlines()) == 40_000 - len(bad_lines)


def test_pieces_end_at_newlines_and_keep_line_numbers() -> None:
    long_line = json.dumps(
        {"customer": "c", "action": "x", "timestamp": 0, "data": {"t": "y" * 3_000_000}}
    )
    data = ("\n" * 3 + long_line + "\n" + long_line + "\n" + '{"broken": \n').encode()
    works = [
        work
        for work in pieces._line_pieces("f.ndjson", io.BytesIO(data))
        if isinstance(work, pieces.Piece)
    ]
    assert len(works) >= 2
    assert b"".join(work.data for work in works) == data[3:]  # leading blank lines are not records
    assert all(work.data.endswith(b"\n") for work in works)
    assert [work.first_line for work in works] == [
        4,
        *(4 + sum(w.data.count(b"\n") for w in works[:i]) for i in range(1, len(works))),
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"", "empty"), (b" \n\n\t\n", "white space only"), (b"\xef\xbb\xbf", "empty")],
)
def test_an_ndjson_without_records_is_one_violation(data: bytes, words: str) -> None:
    (violation,) = list(pieces._line_pieces("f.ndjson", io.BytesIO(data)))
    assert isinstance(violation, Violation)
    assert words in violation.message


# Review findings -------------------------------------------------------------------------------


def test_the_same_file_twice_is_numbered_from_zero_each_time(tmp_path: Path) -> None:
    path = tmp_path / "b.ndjson"
    path.write_text(
        "\n".join(json.dumps(record(i)) for i in range(2)) + '\n{"customer": 1}\n', encoding="utf-8"
    )
    report = json.loads(contract_kit("validate", "--format", "json", str(path), str(path)).stdout)
    assert [v["record"] for v in report["violations"]] == [2, 2]


def test_shared_ids_on_stdin_are_located_exactly() -> None:
    first, other = record(1), dict(record(1), action="point_sub")
    text = json.dumps(first) + "\n" + json.dumps(other) + "\n"
    done = run_process("validate", "--format", "json", "-", stdin=text.encode(), timeout=60)
    (violation,) = violations(done)
    assert (violation["line"], violation["column"]) == (2, json.dumps(other).index('"e-1"') + 1)


def test_many_shared_ids_are_located_without_rereading_the_file_each_time(tmp_path: Path) -> None:
    path = tmp_path / "conflicts.ndjson"
    lines = [json.dumps(dict(record(i), id=f"e{i % 50}", customer="c")) for i in range(3_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = json.loads(contract_kit("validate", "--format", "json", str(path)).stdout)
    assert len(report["violations"]) == 2_950
    last = report["violations"][-1]
    assert (last["line"], last["column"]) == (3_000, lines[-1].index('"e49"') + 1)


def test_a_line_of_unicode_white_space_is_blank(tmp_path: Path) -> None:
    path = tmp_path / "nbsp.ndjson"
    path.write_text(
        json.dumps(record(1)) + "\n\u00a0\n\u2028\n" + json.dumps({"customer": 5}) + "\n",
        encoding="utf-8",
    )
    report = json.loads(contract_kit("validate", "--format", "json", str(path)).stdout)
    assert report["records"] == 2
    assert [v["record"] for v in report["violations"]] == [1]
    only = tmp_path / "only.ndjson"
    only.write_text("\u00a0\n", encoding="utf-8")
    assert "white space only" in contract_kit("validate", str(only)).stdout.decode()


def test_the_column_of_an_undecodable_byte_counts_characters(tmp_path: Path) -> None:
    path = tmp_path / "u.ndjson"
    path.write_bytes(
        b'{"customer":"c","action":"x","data":{"\xc3\xa9\xc3\xa9\xc3\xa9":"\xff"},"timestamp":1}\n'
    )
    report = json.loads(contract_kit("validate", "--format", "json", str(path)).stdout)
    (violation,) = report["violations"]
    assert violation["column"] == 45
