"""Schema patterns are read with ECMA-262 anchors, as ajv and the specification read them."""

from __future__ import annotations

import pytest

import contract_kit
from contract_kit import patterns


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        ("^[A-Z]{3}$", r"^[A-Z]{3}\Z"),
        (r"^a\$$", r"^a\$\Z"),  # an escaped dollar is a literal
        ("^[$]+$", r"^[$]+\Z"),  # so is one inside a class
        (r"^[\]$]$", r"^[\]$]\Z"),  # an escaped ] does not close the class
        (r"\S", r"\S"),
    ],
)
def test_dollar_becomes_end_of_string(pattern: str, python: str) -> None:
    assert patterns.to_python(pattern) == python


def test_a_trailing_newline_does_not_slip_into_an_event_name() -> None:
    record = {"customer": "c", "action": "my_event\n", "data": {}, "timestamp": 0}
    conversion = contract_kit.convert(record)
    assert conversion.messages == []
    (violation,) = conversion.violations
    assert violation.pointer == "/action"


def test_nan_given_through_the_api_is_a_violation_not_a_crash() -> None:
    record = {"customer": "c", "action": "x", "data": {}, "timestamp": float("nan")}
    (violation,) = contract_kit.validate(record).violations
    assert (violation.pointer, violation.keyword) == ("/timestamp", "number")
