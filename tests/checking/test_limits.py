"""Segment's 32 KB message limit (contract §4), checked in code where JSON Schema cannot."""

from __future__ import annotations

import json
from typing import Any

import contract_kit
from contract_kit.checking.validation import MAX_MESSAGE_BYTES


def message_of_size(size: int) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "track",
        "event": "e",
        "userId": "u",
        "properties": {"p": ""},
    }
    overhead = len(json.dumps(message, separators=(",", ":")).encode())
    message["properties"]["p"] = "é" * ((size - overhead) // 2) + "x" * ((size - overhead) % 2)
    assert len(json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()) == size
    return message


def test_a_message_of_exactly_32768_bytes_passes() -> None:
    assert contract_kit.validate(message_of_size(MAX_MESSAGE_BYTES), kind="segment").ok


def test_one_byte_more_is_a_violation_counted_in_utf8_bytes() -> None:
    (violation,) = contract_kit.validate(
        message_of_size(MAX_MESSAGE_BYTES + 1), kind="segment"
    ).violations
    assert violation.keyword == "maxMessageBytes"
    assert "32769 bytes" in violation.message


def test_convert_rejects_a_record_whose_message_would_be_too_large() -> None:
    record = {"customer": "c", "action": "note", "data": {"text": "x" * 40_000}, "timestamp": 0}
    conversion = contract_kit.convert([record])
    assert conversion.messages == []
    (violation,) = conversion.violations
    assert violation.found_in == "output"
    assert violation.message.startswith("in the converted message: the message is")
