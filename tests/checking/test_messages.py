"""Violation messages say what was seen and what was expected, once, in the right words."""

from __future__ import annotations

from typing import Any

import contract_kit
from contract_kit.checking import validation

from ..helpers import RECORD

MESSAGE = {"type": "track", "event": "e", "userId": "u"}


def messages(value: Any, schema: str) -> list[tuple[str, str]]:
    return [(f.pointer, f.message) for f in validation.check(value, schema)]


def test_an_optional_unix_timestamp_out_of_range_is_not_told_to_be_null() -> None:
    record = dict(RECORD, data={"points": 1, "effective_timestamp": -5})
    ((pointer, message),) = messages(record, "antavo/record")
    assert pointer == "/data/effective_timestamp"
    assert "out of range" in message and "null" not in message


def test_an_object_where_false_is_needed_is_called_an_object() -> None:
    message = dict(MESSAGE, messageId="m", timestamp="2024-11-26T15:19:14.000Z")
    message["integrations"] = {
        "Salesforce (Actions)": False,
        "Salesforce Marketing Cloud (Actions)": False,
        "Antavo (Actions)": {},
    }
    ((pointer, text),) = messages(message, "segment/antavo-source")
    assert pointer == "/integrations/Antavo (Actions)"
    assert "got an object" in text


def test_a_type_that_is_not_a_string_is_a_type_error() -> None:
    ((pointer, text),) = messages(dict(MESSAGE, type=5), "segment/message")
    assert pointer == "/type"
    assert text == "type must be a string, got integer 5"


def test_a_value_of_the_wrong_type_is_reported_once() -> None:
    ((pointer, text),) = messages(dict(RECORD, timestamp=True), "antavo/record")
    assert pointer == "/timestamp"
    assert text == "timestamp must be a string or a number, got boolean true"


def test_only_plausible_milliseconds_are_called_milliseconds() -> None:
    ((_, huge),) = messages(dict(RECORD, timestamp=1e300), "antavo/record")
    assert "milliseconds" not in huge
    ((_, millis),) = messages(dict(RECORD, timestamp=1732634354000), "antavo/record")
    assert "looks like milliseconds" in millis


def test_an_empty_user_id_beside_an_anonymous_id_is_a_violation() -> None:
    ((pointer, text),) = messages(dict(MESSAGE, userId="", anonymousId="a"), "segment/message")
    assert pointer == "/userId"
    assert "must not be empty" in text


def test_violations_come_in_pointer_order_with_numeric_indices() -> None:
    items = [{"price": 1}] * 11
    items[2] = items[10] = {"price": "x"}
    record = dict(RECORD, action="checkout", data={"transaction_id": "t", "items": items})
    pointers = [v.pointer for v in contract_kit.validate(record).violations]
    assert pointers == ["/data/items/2/price", "/data/items/10/price"]
