"""The unit of work's two routes give one verdict and the same bytes.

A usual NDJSON line (compact, as orjson writes it) takes the flat loop; the same record written
with spaces after its separators differs from what orjson writes back, so it takes the careful
route (a Record, the reference validator). Both must say the same of every record, valid or
broken, and write the same messages; and checking each message only by construction (its size)
must never let through what the Antavo source profile refuses. Under `unplanned_properties =
"omit"` both routes leave out the same properties, and what is written is what the record would
give without them.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from contract_kit import tracking_plan
from contract_kit.checking import validation
from contract_kit.checking.messages import check_message
from contract_kit.mapping import transform
from contract_kit.reading.pieces import Piece
from contract_kit.running import steps
from contract_kit.running.context import RunContext, constants_meet_the_profile
from contract_kit.running.results import PieceResult
from contract_kit.settings.config import Config

from ..checking.test_fast_path import EXAMPLES, RECORDS, _mutate
from ..helpers import SAMPLE_PLAN, write_json


def _lines(records: list[Any], spaced: bool) -> bytes:
    """One record a line, compact (as orjson writes it) or with spaces after separators."""
    separators = (", ", ": ") if spaced else (",", ":")
    return b"".join(
        json.dumps(record, ensure_ascii=False, separators=separators).encode(
            "utf-8", "surrogatepass"
        )
        + b"\n"
        for record in records
    )


def _verdict(result: PieceResult) -> list[tuple[Any, ...]]:
    return [(v.record, v.line, v.pointer, v.message, v.keyword) for v in result.violations]


def _both_routes(records: list[Any], context: RunContext) -> None:
    flat = steps.process(Piece("f.ndjson", _lines(records, False), True), context)
    careful = steps.process(Piece("f.ndjson", _lines(records, True), True), context)
    assert _verdict(flat) == _verdict(careful)
    assert flat.output == careful.output
    assert (flat.records, flat.skipped, flat.converted) == (
        careful.records, careful.skipped, careful.converted,
    )  # fmt: skip
    assert flat.event_ids.entries == careful.event_ids.entries


@EXAMPLES
@given(st.lists(RECORDS, min_size=1, max_size=4), st.data())
def test_the_flat_loop_and_the_careful_route_agree(records: list[Any], data: st.DataObject) -> None:
    broken = [_mutate(record, data) if data.draw(st.booleans()) else record for record in records]
    _both_routes(broken, RunContext("validate"))
    _both_routes(broken, RunContext.converting(Config()))


def _with_plan(policy: tracking_plan.PropertyPolicy, folder: Path = SAMPLE_PLAN) -> RunContext:
    plan = tracking_plan.load(folder, unplanned_properties=policy)
    return RunContext.converting(Config(), plan=plan, keep_rejects=True)


OMITTING = _with_plan("omit")
WARNING = _with_plan("warn")


@EXAMPLES
@given(st.lists(RECORDS, min_size=1, max_size=4), st.data())
def test_the_routes_agree_when_unplanned_properties_are_omitted(
    records: list[Any], data: st.DataObject
) -> None:
    """The generated records hold traits and properties the sample plan does not declare
    (`favourite`, review_submit's free keys, an `account` where the event plans none)."""
    broken = [_mutate(record, data) if data.draw(st.booleans()) else record for record in records]
    _both_routes(broken, OMITTING)


def _converted(context: RunContext, *records: dict[str, Any]) -> PieceResult:
    return steps.process(Piece("f.ndjson", _lines(list(records), False), True), context)


POINTS = {"customer": "c-1", "action": "point_add", "id": "e-1", "account": "main",
          "timestamp": "2024-11-26T15:19:14Z"}  # fmt: skip


def test_omit_writes_what_the_record_gives_without_the_unplanned_properties() -> None:
    """Same bytes, key order and messageId (it names the Antavo event, not the content); the
    event id is logged as under warn, so a re-sent event is still recognised."""
    record = {**POINTS, "data": {"campaign": "w", "points": 40, "reason": "r", "zz": 0}}
    omitted = _converted(OMITTING, record)
    without = _converted(WARNING, {**record, "data": {"points": 40, "reason": "r"}})
    assert without.violations == []
    assert omitted.output == without.output
    line = _lines([record], False)
    assert [(v.pointer, v.severity, v.line, v.column) for v in omitted.violations] == [
        ("/properties/campaign", "warning", 1, line.index(b'"w"') + 1),
        ("/properties/zz", "warning", 1, line.index(b"0}") + 1),
    ]
    assert all(v.message.endswith("; omitted from the message") for v in omitted.violations)
    assert omitted.event_ids.entries == _converted(WARNING, record).event_ids.entries


def test_the_size_limit_applies_to_the_message_written() -> None:
    record = {**POINTS, "data": {"points": 1, "notes": "x" * validation.MAX_MESSAGE_BYTES}}
    warned = _converted(WARNING, record)
    assert warned.converted == 0
    assert [v.severity for v in warned.violations] == ["error"]  # over 32 KB: rejected
    omitted = _converted(OMITTING, record)
    assert omitted.converted == 1
    assert len(omitted.output) < 1_000
    assert [(v.pointer, v.severity) for v in omitted.violations] == [
        ("/properties/notes", "warning")
    ]


def test_a_message_the_omission_breaks_is_rejected_not_written(tmp_path: Path) -> None:
    """A plan can refuse what omit leaves (here: fewer than two properties). The message
    written is the one checked, so it is withheld, with the warning that explains why."""
    write_json(tmp_path / "track" / "point_add.schema.json",
               {"properties": {"points": {}}, "minProperties": 2})  # fmt: skip
    record = {**POINTS, "data": {"points": 1, "account": "main", "extra": 2}}
    assert _converted(_with_plan("warn", tmp_path), record).converted == 1
    result = _converted(_with_plan("omit", tmp_path), record)
    assert (result.records, result.converted, result.skipped) == (1, 0, 0)
    found = [(v.pointer, v.keyword, v.severity) for v in result.violations]
    assert found == [
        ("/properties", "minProperties", "error"),
        ("/properties/account", "unplannedProperty", "warning"),
        ("/properties/extra", "unplannedProperty", "warning"),
    ]
    [reject] = result.rejects
    assert reject.violations == tuple(result.violations)
    assert result.event_ids.entries[-1] == -1  # its id still counts, with no message


def test_an_identify_call_left_without_traits_is_skipped() -> None:
    """As the mapping skips a profile update with no synced attribute."""
    profile = {"customer": "c-1", "action": "profile", "timestamp": 0}
    only_unplanned = {**profile, "data": {"favourite": 1}}
    also_planned = {**profile, "data": {"favourite": 1, "first_name": "Ada"}}
    result = _converted(OMITTING, only_unplanned, also_planned)
    assert (result.records, result.converted, result.skipped) == (2, 1, 1)
    [message] = result.messages()
    assert json.loads(message)["traits"] == {"first_name": "Ada"}
    assert [(v.record, v.severity) for v in result.violations] == [(0, "warning"), (1, "warning")]
    assert result.violations[0].message.endswith(
        "; omitted from the message; no planned trait is left, so no identify call is sent"
    )
    assert result.rejects == []


@EXAMPLES
@given(RECORDS)
def test_a_message_checked_by_construction_meets_the_profile(record: dict[str, Any]) -> None:
    mapping = transform.MappingSettings.of(Config())
    assert constants_meet_the_profile(mapping)
    outcome = transform.to_segment(record, mapping)
    if isinstance(outcome, transform.Converted):
        assert check_message(outcome.message, strict=True) == []


def test_constants_that_break_the_profile_are_checked_on_every_message() -> None:
    """A loop-prevention entry turned on (which the configuration itself refuses) breaks every
    message: the run then checks each one."""
    mapping = transform.MappingSettings.of(Config())
    broken = {**mapping.integrations, "Salesforce (Actions)": True}
    context = RunContext(
        "convert", "antavo", mapping=dataclasses.replace(mapping, integrations=broken)
    )
    assert not context.output_checked_by_construction
    line = b'{"customer":"c","action":"point_add","data":{"points":1},"timestamp":0}\n'
    result = steps.process(Piece("f.ndjson", line, True), context)
    assert result.converted == 0
    assert [v.pointer for v in result.violations] == ["/integrations/Salesforce (Actions)"]


def test_records_carry_their_final_numbers_from_the_piece() -> None:
    line = b'{"customer":"c","action":"point_add","data":{},"timestamp":-1}\n'
    result = steps.process(Piece("f.ndjson", line * 2, True, 41, 0, 40), RunContext("validate"))
    assert {(v.record, v.line) for v in result.violations} == {(40, 41), (41, 42)}
