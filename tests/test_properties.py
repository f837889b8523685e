"""The contract's promises as properties, on generated records (hypothesis).

`make test` runs a bounded number of examples; `make fuzz` runs seeded rounds of
FUZZ_EXAMPLES a property for FUZZ_SECONDS and reports how many were tried.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contract_kit
from contract_kit.checking import timestamps, validation
from contract_kit.jsontext import pointers

from .checking.test_fast_path import RECORDS, _mutate

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip


def _exists(value: Any, pointer: str) -> bool:
    for token in pointers.split(pointer):
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return False
    return True


@PROPERTY
@given(st.lists(RECORDS, max_size=5))
def test_every_record_is_converted_skipped_or_rejected_never_an_exception(
    records: list[Any],
) -> None:
    conversion = contract_kit.convert(records)
    report = conversion.report
    assert report.records == len(records)
    assert report.converted + report.rejected + report.skipped == len(records)
    assert len(conversion.messages) == report.converted
    for message in conversion.messages:
        assert validation.check(message, "segment/antavo-source") == []


def _event(record: Any) -> str:
    """What a messageId stands for: the customer and Antavo id, or else the whole record."""
    if "id" in record:
        return json.dumps([record["customer"], record["id"]])
    return json.dumps(record, sort_keys=True)


@PROPERTY
@given(st.lists(RECORDS, min_size=1, max_size=5, unique_by=_event))
def test_conversion_is_deterministic_and_message_ids_are_distinct(records: list[Any]) -> None:
    """Distinct events get distinct messageIds (the same event re-sent keeps its id)."""
    first, second = (
        contract_kit.convert(records),
        contract_kit.convert(json.loads(json.dumps(records))),
    )
    assert first.messages == second.messages
    ids = [message["messageId"] for message in first.messages]
    assert len(ids) == len(set(ids))


@PROPERTY
@given(RECORDS, st.data())
def test_violations_point_into_the_record(record: Any, data: st.DataObject) -> None:
    broken = _mutate(record, data)
    for violation in contract_kit.validate(broken, kind="antavo").violations:
        parent = violation.pointer.rsplit("/", 1)[0]
        assert _exists(broken, violation.pointer) or _exists(broken, parent), violation


@PROPERTY
@given(RECORDS)
def test_every_accepted_instant_is_the_same_instant_in_the_output(record: Any) -> None:
    conversion = contract_kit.convert(record)
    if not conversion.messages:
        return
    given_instant = record["timestamp"]
    if isinstance(given_instant, str):
        expected = timestamps.parse_rfc3339(given_instant)
    else:
        expected = timestamps.from_unix_seconds(given_instant)
    output = conversion.messages[0]["timestamp"]
    assert timestamps.parse_rfc3339(output) == expected
