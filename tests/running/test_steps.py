"""The unit of work's two routes give one verdict and the same bytes.

A usual NDJSON line (compact, as orjson writes it) takes the flat loop; the same record written
with spaces after its separators differs from what orjson writes back, so it takes the careful
route (a Record, the reference validator). Both must say the same of every record, valid or
broken, and write the same messages; and checking each message only by construction (its size)
must never let through what the Antavo source profile refuses.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from contract_kit.checking.messages import check_message
from contract_kit.mapping import transform
from contract_kit.reading.pieces import Piece
from contract_kit.running import steps
from contract_kit.running.context import RunContext, constants_meet_the_profile
from contract_kit.running.results import PieceResult
from contract_kit.settings.config import Config

from ..checking.test_fast_path import EXAMPLES, RECORDS, _mutate


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
