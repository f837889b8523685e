"""The compiled core and the Python path give the same verdicts and the same bytes.

Each test runs a piece of NDJSON through `steps.process` twice: once with the core (it vouches
for the records it can and leaves the rest to the Python path), once on the Python path alone
(the reference). Everything a user could see must be the same: the counts, the messages byte for
byte, every violation (file, line, column, record, pointer, message), the rejects and the event
ids the run-wide check reads. The records come from hypothesis (valid, and broken by the same
mutations the fast-path tests use), from hand-written edge cases of the JSON text itself, from
every fixture, and from the bench's corpus. These tests build the core themselves, so they run
(and fail, never skip) under CONTRACT_KIT_CORE=0 too.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_kit import _core
from contract_kit.checking import compiled, schemas
from contract_kit.reading.paths import Source
from contract_kit.reading.pieces import Piece, pieces
from contract_kit.running import core, steps
from contract_kit.running.context import RunContext
from contract_kit.running.results import PieceResult
from contract_kit.settings.config import Config

from ..checking.test_fast_path import EXAMPLES, RECORDS, _mutate

ROOT = Path(__file__).resolve().parents[2]
CHECKER = _core.Checker(json.dumps(schemas.document("antavo/record")))

CONFIGS = {
    "default": Config(),
    "chosen": Config(
        user_id_attribute="external_id",
        events=["point_add", "checkout", "review_submit"],
        attributes=["email", "first_name", "favourite"],
        event_names={"point_add": "Points Added", "checkout": "Order Completed \u00e9\n"},
        integrations={"Salesforce": False, "Webhooks": {"loop": True}},
    ),
    "from data": Config(user_id_attribute="email"),
}
RUNS = {
    "validate": RunContext("validate"),
    "validate, max 2 errors": RunContext("validate", max_errors=2),
    **{f"convert, {name}": RunContext.converting(config) for name, config in CONFIGS.items()},
    "convert with rejects, max 1 error": RunContext.converting(
        Config(), keep_rejects=True, max_errors=1
    ),
}


@contextmanager
def _path(checker: _core.Checker | None) -> Iterator[None]:
    """The core (`CHECKER`) or the Python path (None), whatever CONTRACT_KIT_CORE says."""
    loaded = None if checker is None else _core
    with (
        mock.patch.object(core, "checker", lambda: checker),
        mock.patch.object(core, "module", lambda: loaded),
    ):
        yield


def _seen(result: PieceResult) -> dict[str, Any]:
    """All of a piece's result that a user or the run-wide checks could see."""
    return {
        "counts": (result.records, result.skipped, result.converted),
        "output": result.output,
        "violations": result.violations,
        "event ids": result.event_ids.entries.tolist(),
        "rejects": result.rejects,
        "planned": result.planned,
    }


def _agree(piece: Piece, run: RunContext) -> PieceResult:
    """The piece's result on both paths, asserted equal; the core's."""
    with _path(None):
        reference = steps.process(piece, run)
    with _path(CHECKER):
        compiled = steps.process(piece, run)
    assert _seen(compiled) == _seen(reference)
    return compiled


def _agree_everywhere(data: bytes, first_line: int = 1, first_record: int = 0) -> None:
    piece = Piece("f.ndjson", data, True, first_line, 0, first_record)
    for run in RUNS.values():
        _agree(piece, run)


def _compact(record: Any) -> bytes:
    """As orjson writes it (the form the core reads), or json's form where orjson refuses."""
    try:
        return orjson.dumps(record)
    except TypeError:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", "surrogatepass")


# --- generated records -------------------------------------------------------------------


@EXAMPLES
@given(st.lists(RECORDS, min_size=1, max_size=6), st.data())
def test_generated_and_broken_records_get_the_same_verdicts_and_bytes(
    records: list[Any], data: st.DataObject
) -> None:
    lines = []
    for record in records:
        if data.draw(st.booleans()):
            record = _mutate(record, data)
        spaced = data.draw(st.sampled_from([False, False, False, True]))
        separators = (", ", ": ") if spaced else (",", ":")
        line = (
            json.dumps(record, ensure_ascii=False, separators=separators).encode(
                "utf-8", "surrogatepass"
            )
            if spaced
            else _compact(record)
        )
        lines.append(line)
    _agree_everywhere(b"\n".join(lines) + b"\n")


@EXAMPLES
@given(RECORDS, st.integers(0, 10_000), st.binary(max_size=3), st.data())
def test_a_line_with_bytes_changed_gets_the_same_verdict(
    record: dict[str, Any], at: int, inserted: bytes, data: st.DataObject
) -> None:
    """Any text near a valid record: cut, spliced or with bytes put in (most are not JSON,
    some are JSON the core does not write, some are other records)."""
    line = _compact(record)
    at %= len(line) + 1
    cut = data.draw(st.integers(0, 3))
    changed = line[:at] + inserted + line[at + cut :]
    _agree_everywhere(line + b"\n" + changed.replace(b"\n", b" ") + b"\n" + line + b"\n")


VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=6),
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@EXAMPLES
@given(
    st.dictionaries(st.text(max_size=6), VALUES, max_size=4),
    st.sampled_from(["profile", "point_add", "quiz"]),
)
def test_any_data_is_copied_into_the_message_as_orjson_writes_it(
    data: dict[str, Any], action: str
) -> None:
    """Floats of every size, integers beyond 64 bits, control characters and surrogates in
    keys and values: what the core copies as written must be what orjson writes."""
    record = {"customer": "c", "action": action, "data": data, "timestamp": 1700000000}
    _agree_everywhere(_compact(record) + b"\n" + _compact({**record, "id": "e"}) + b"\n")


# --- the JSON text and the timestamps, case by case ----------------------------------------

BASE = (
    '{"customer":"c-1","action":"point_add","data":{"points":5},'
    '"timestamp":"2024-11-26T15:19:14.123Z"'
)
EDGE_LINES = [
    BASE + "}",
    BASE + ',"id":"e-1","account":"main"}',
    BASE + ',"id":"e-1","account":"main"}\r',  # CRLF
    BASE + ',"customer":"c-2"}',  # a duplicate key
    BASE.replace('"points":5', '"points":5,"points":6') + "}",
    BASE.replace("5}", '5,"note":"\\u00e9\\/\\u001f\\n\\ud800"}') + "}",
    BASE.replace("5}", '5,"note":"\\ud83d\\ude00"}') + "}",
    BASE.replace("5}", '5,"big":123456789012345678901234567890,"u64":18446744073709551615}') + "}",
    BASE.replace("5}", '5,"f":1e16,"g":1.0E5,"h":-0,"i":-0.0,"j":0.1,"k":1.50,"l":1e-5}') + "}",
    BASE.replace("5}", '5,"n":NaN}') + "}",
    BASE.replace("5}", '5,"x":1e400}') + "}",
    BASE.replace(":5", ": 5") + "}",
    BASE.replace("c-1", "   ") + "}",  # a blank userId
    BASE.replace("c-1", "\u3000") + "}",
    BASE.replace("point_add", "profile").replace('"points":5', "") + "}",  # no attribute
    BASE.replace("point_add", "profile").replace('"points":5', '"email":"a@b","x\\n":1') + "}",
    BASE.replace("point_add", "quiz\\u001f") + "}",
    BASE.replace("point_add", "quiz\u0085") + "}",
    BASE.replace("5}", "5," + ",".join(f'"k{i}":"{"x" * 1000}"' for i in range(33)) + "}") + "}",
    '{"customer":"c","action":"point_add","data":{"points":5},"timestamp":"x"}',
    '{"type":"track","event":"e","userId":"u","timestamp":"2024-01-01T00:00:00.000Z"}',
    BASE.replace('"points":5', '"points":5,"deep":' + "[" * 300 + "]" * 300) + "}",
    BASE.replace('"points":5', '"points":5,"deep":' + "[" * 2000 + "]" * 2000) + "}",
    "[1,2]",
    "   ",
    "\u3000\u00a0",
    "\x1c",
    "\xff{",
    "not json",
]
TIMESTAMPS = [
    "2024-11-26T15:19:14Z", "2024-11-26t15:19:14.5z", "2024-11-26T15:19:14.123456Z",
    "2024-12-31T23:30:00.5-01:00", "2024-03-01T00:30:00+01:00", "2024-03-01t00:30:00+01:00",
    "2023-02-29T00:00:00Z", "2024-02-29T23:59:59-23:59", "0001-01-01T00:30:00+01:00",
    "0001-01-01T01:00:00+01:00", "0002-01-01T00:00:00+23:59", "9999-12-31T23:59:59-00:01",
    "9998-12-31T23:59:59-00:01", "9999-01-01T00:00:00Z", "2016-12-31T23:59:60Z",
    "2024-11-26T15:19:14+24:00", "2024-11-26T15:19:14.999999999+05:45", 0, 86399, 86400,
    253402300799, 253402300800, -1, 1732634354.123, 1732634354.0, 5e-324,
]  # fmt: skip


@pytest.mark.parametrize("line", EDGE_LINES, ids=range(len(EDGE_LINES)))
def test_edge_cases_of_the_json_text(line: str) -> None:
    _agree_everywhere(f'{BASE}}}\n{line}\n{BASE},"id":"e-1"}}\n'.encode(errors="surrogateescape"))


@pytest.mark.parametrize("timestamp", TIMESTAMPS, ids=[str(t) for t in TIMESTAMPS])
def test_every_form_of_timestamp(timestamp: Any) -> None:
    record = {"customer": "c", "action": "point_add", "data": {"points": 1}, "timestamp": timestamp}
    _agree_everywhere(_compact(record) + b"\n")


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("email", "u@x"), ("email", 42), ("email", 12345.0), ("email", 1.5), ("email", None),
     ("email", " "), ("email", True), ("email", 2**64 - 1), ("email", -0.0)],
)  # fmt: skip
def test_every_form_of_user_id(attribute: str, value: Any) -> None:
    for action in ("profile", "point_add"):
        record = {"customer": "c", "action": action, "data": {attribute: value, "points": 1},
                  "timestamp": 0, "attributes": {attribute: value}}  # fmt: skip
        _agree_everywhere(_compact(record) + b"\n")


def test_pieces_that_start_anywhere_in_a_file_number_their_records_alike() -> None:
    _agree_everywhere(f'{BASE}}}\n\n \n{BASE},"id":"a"}}\nbad\n'.encode(), 1001, 500)


# --- the fixtures and the bench corpus ---------------------------------------------------


def _files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*") if p.suffix in (".ndjson", ".jsonl"))


@pytest.mark.parametrize(
    "path", _files("fixtures/antavo") + _files("fixtures/invalid"), ids=lambda p: p.name
)
def test_every_ndjson_fixture(path: Path) -> None:
    for run in RUNS.values():
        for piece in pieces(Source(path.name, path)):
            if isinstance(piece, Piece):
                _agree(piece, run)


def _bench_corpus() -> Any:
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_corpus", module)
    spec.loader.exec_module(module)
    return module


def test_the_bench_corpus_with_one_record_in_twenty_broken() -> None:
    """The bench's own records (as `make bench` writes them), every twentieth broken: the core
    vouches for every valid one and leaves exactly the broken ones to the Python path."""
    corpus = _bench_corpus()
    generator = random.Random(14)
    lines = []
    for index in range(6_000):
        record = corpus.record(generator, index)
        if index % 20 == 7:
            record["timestamp"] = "2024-11-26 15:19:14" if index % 40 == 7 else -5
        lines.append(orjson.dumps(record))
    data = b"\n".join(lines) + b"\n"
    piece = Piece("corpus.ndjson", data, True)
    for run in RUNS.values():
        result = _agree(piece, run)
        if run.max_errors is None:
            assert result.records == 6_000
        else:  # stopped after the error that reached the limit, on both paths alike
            assert result.records == 7 + 20 * (run.max_errors - 1) + 1
    for run in (RUNS["validate"], RUNS["convert, default"]):
        with _path(CHECKER):
            mapping = core.mapping(run)
        assert (mapping is None) == (run.mode == "validate")
        _, _, _, deferred, vouched, _ = CHECKER.run(mapping, data, 1, 0)
        assert [record for _, _, _, record, *_ in deferred] == list(range(7, 6_000, 20))
        assert vouched == 6_000 - 300


def test_the_core_is_what_the_suite_runs_unless_switched_off() -> None:
    """`make test` runs the suite twice: once with the core, once with CONTRACT_KIT_CORE=0."""
    import os

    core.module.cache_clear()
    core.checker.cache_clear()
    try:
        loaded = core.checker()
        assert (loaded is None) == (os.environ.get(core.SWITCH) == "0")
    finally:
        core.module.cache_clear()
        core.checker.cache_clear()


@pytest.mark.parametrize(("switch", "used"), [("off", False), ("FALSE", False), ("", True)])
def test_the_switch_reads_the_usual_words(
    switch: str, used: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(core.SWITCH, switch)
    core.module.cache_clear()
    try:
        assert (core.module() is not None) == used
    finally:
        core.module.cache_clear()


@pytest.mark.parametrize("command", [["validate"], ["convert", "-o", "out.ndjson"], ["convert"]])
def test_asking_for_a_core_that_cannot_be_loaded_is_one_line_and_exit_2(
    command: list[str], tmp_path: Path
) -> None:
    import os
    import subprocess

    path = tmp_path / "a.ndjson"
    path.write_bytes(f"{BASE}}}\n".encode())
    code = (  # as if the core had not been built
        "import sys; sys.modules['contract_kit._core'] = None; "
        "from contract_kit.entry import main; "
        f"sys.argv = ['contract-kit', *{command!r}, {str(path)!r}]; main()"
    )
    environment = {**os.environ, core.SWITCH: "1"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, env=environment, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith(
        "contract-kit: error: CONTRACT_KIT_CORE=1, but the compiled core cannot be loaded"
    )
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "out.ndjson").exists()


@EXAMPLES
@given(
    st.lists(
        st.lists(
            st.tuples(st.integers(0, 5), st.integers(0, 2), st.integers(0, 2**40 - 1)),
            max_size=12,
        ),
        max_size=4,
    )
)
def test_the_cores_id_table_finds_the_conflicts_the_reference_finds(
    logs: list[list[tuple[int, int, int]]],
) -> None:
    """Keys, fingerprints and records from a few values, so that re-sent events (same key,
    same fingerprint) and conflicts (same key, another fingerprint) are common; key 0 included,
    which the reference stores as 1."""
    from array import array

    from contract_kit.running.event_ids import _IdTable

    compiled, reference = _core.IdTable(), _IdTable()
    for file_number, log in enumerate(logs):
        entries = array("q", [n for key, fp, record in log for n in (key, fp, record, 1, -1)])
        data = entries.tobytes()
        assert compiled.conflicts(data, file_number) == reference.conflicts(data, file_number)


NEEDS_EXTERNAL_ID = {"required": ["external_id"]}
ODD_RULES = {
    "not on the action": {"if": {"required": ["id"]}, "then": NEEDS_EXTERNAL_ID},
    "with an else": {
        "if": {"required": ["action"], "properties": {"action": {"const": "refund"}}},
        "then": {},
        "else": NEEDS_EXTERNAL_ID,
    },
    "with a keyword beside": {
        "if": {"required": ["action"], "properties": {"action": {"const": "refund"}}},
        "then": {},
        **NEEDS_EXTERNAL_ID,
    },
    "a second rule for an action": {
        "if": {"required": ["action"], "properties": {"action": {"enum": ["quiz", "point_add"]}}},
        "then": NEEDS_EXTERNAL_ID,
    },
}


@pytest.mark.parametrize("action", ["quiz", "point_add"])
@pytest.mark.parametrize("odd", ODD_RULES, ids=list(ODD_RULES))
def test_a_rule_the_split_cannot_give_to_one_action_alone_still_applies(
    action: str, odd: str
) -> None:
    """The split by action must not drop a rule: one it cannot place goes into every variant,
    and an action named by two rules gets both (both splitters, Rust and Python)."""
    schema = schemas.document("antavo/record")
    rule = ODD_RULES[odd]
    checker = _core.Checker(json.dumps({**schema, "allOf": [*schema["allOf"], rule]}))
    line = b'{"customer":"c","action":"%s","data":{"points":1},"timestamp":0,"id":"e"}\n' % (
        action.encode()
    )
    *_, deferred, vouched, _ = checker.run(None, line, 1, 0)
    assert (len(deferred), vouched) == (1, 0)
    with_it = line.replace(b'"id":"e"', b'"id":"e","external_id":"x"')
    *_, deferred, vouched, _ = checker.run(None, with_it, 1, 0)
    assert (len(deferred), vouched) == (0, 1)
    if odd == "a second rule for an action":
        assert compiled.actions_of(rule) == ["quiz", "point_add"]
    else:
        assert compiled.actions_of(rule) is None
    assert compiled.actions_of(True) is None
    assert all(compiled.actions_of(rule) for rule in schema["allOf"])  # today's rules all split


@pytest.mark.parametrize(("spaced", "workers"), [(False, "threads"), (True, "processes")])
def test_jobs_take_threads_only_where_the_core_takes_the_input(
    spaced: bool, workers: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text not in orjson's form is Python work: threads would take turns at the GIL."""
    from contract_kit.running import pool

    used: list[str] = []

    def recorded(name: str) -> Any:
        def run_here(work: Any, run: RunContext, jobs: int) -> Iterator[Any]:
            used.append(name)
            for task in work:
                yield from zip(task, steps.process_all(task, run), strict=True)

        return run_here

    monkeypatch.setattr(pool, "_in_threads", recorded("threads"))
    monkeypatch.setattr(pool, "_in_processes", recorded("processes"))
    record = json.loads(BASE + "}")
    text = json.dumps(record) if spaced else json.dumps(record, separators=(",", ":"))
    data = (text + "\n").encode() * 5_000
    pieces = [Piece("f.ndjson", data, True), Piece("f.ndjson", data, True, 5_001, 0, 5_000)]
    with _path(CHECKER):
        done = list(pool.in_pool(iter(pieces), RunContext("validate"), 2))
    assert [result.records for _, result in done] == [5_000, 5_000]
    assert used == [workers]
