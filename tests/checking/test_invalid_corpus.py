"""Each file of fixtures/invalid holds one problem: the report names it at its exact place."""

from __future__ import annotations

import pytest

import contract_kit

from ..helpers import INVALID

# file -> (line, column, record, pointer, keyword, words the message must contain)
EXPECTED: dict[str, tuple[int, int, int | None, str, str, str]] = {
    "action-surrounding-whitespace.json": (3, 13, 0, "/action", "pattern", "white space"),
    "action-too-long.json": (3, 13, 0, "/action", "maxLength", "256 characters"),
    "bulk-unknown-key.json": (13, 12, None, "/extra", "additionalProperties", "'extra'"),
    "challenge-reset-missing-challenge.json": (4, 11, 0, "/data/challenge", "required", "'challenge' is required"),
    "checkout-item-bad-price.json": (18, 18, 0, "/data/items/1/price", "type", "must be a number"),
    "checkout-missing-transaction-id.json": (4, 11, 0, "/data/transaction_id", "required", "'transaction_id' is required"),
    "checkout-no-total-no-items.json": (4, 11, 0, "/data", "anyOf", "needs 'total' (a number) or 'items' (an array)"),
    "data-not-object.json": (4, 11, 0, "/data", "type", "must be an object"),
    "duplicate-key.json": (7, 15, 0, "/data/points", "duplicateKeys", "duplicate key 'points'"),
    "empty-customer.json": (2, 15, 0, "/customer", "minLength", "must not be empty"),
    "empty.json": (1, 1, None, "", "empty", "empty"),
    "huge-number.json": (8, 16, 0, "/timestamp", "number", "1e400"),
    "impossible-date.json": (8, 16, 0, "/timestamp", "format", "not a real date"),
    "labels-not-strings.json": (9, 7, 0, "/data/labels/1", "type", "must be a string"),
    "leap-second.json": (8, 16, 0, "/timestamp", "format", "leap second"),
    "missing-action.json": (1, 1, 0, "", "kind", "neither an Antavo record"),
    "missing-customer.json": (1, 1, 0, "/customer", "required", "guest event"),
    "missing-data.json": (1, 1, 0, "/data", "required", "'data' is required"),
    "missing-timestamp.json": (1, 1, 0, "/timestamp", "required", "'timestamp' is required"),
    "multi-line-json.json": (2, 1, None, "", "parse", ".ndjson"),
    "naive-timestamp-t.json": (8, 16, 0, "/timestamp", "format", "no UTC offset"),
    "naive-timestamp.json": (8, 16, 0, "/timestamp", "format", "no UTC offset"),
    "nan.json": (5, 15, 0, "/data/points", "number", "NaN"),
    "negative-unix.json": (8, 16, 0, "/timestamp", "minimum", "0 ≤ t < 253402300800"),
    "not-an-object.ndjson": (2, 1, 1, "", "type", "expected a JSON object"),
    "point-add-fraction-points.json": (5, 15, 0, "/data/points", "type", "must be an integer, got number 12.5"),
    "point-add-missing-points.json": (4, 11, 0, "/data/points", "required", "'points' is required in the data of a 'point_add' event"),
    "point-add-null-points.json": (5, 15, 0, "/data/points", "type", "must be an integer, got null"),
    "point-add-string-points.json": (5, 15, 0, "/data/points", "type", 'got string "100"'),
    "profile-bad-birth-date.json": (7, 19, 0, "/data/birth_date", "format", "1990-02-31"),
    "profile-bad-country.json": (7, 16, 0, "/data/country", "pattern", "ISO 3166-1 alpha-2"),
    "profile-bad-currency.json": (7, 17, 0, "/data/currency", "pattern", "ISO 4217"),
    "profile-bad-language.json": (7, 17, 0, "/data/language", "pattern", "ISO 639-1"),
    "profile-empty-data.json": (4, 11, 0, "/data", "minProperties", "at least 1 attribute"),
    "reserve-points-missing-points.json": (4, 11, 0, "/data/points", "required", "'points' is required"),
    "timestamp-out-of-range.json": (8, 16, 0, "/timestamp", "format", "outside 0001-01-01"),
    "top-level-scalar.json": (1, 1, None, "", "type", "expected a record"),
    "trailing-comma.json": (7, 3, None, "", "parse", "trailing comma"),
    "truncated.json": (6, 15, None, "", "parse", "Unterminated string"),
    "unix-milliseconds.json": (8, 16, 0, "/timestamp", "exclusiveMaximum", "looks like milliseconds"),
    "unknown-field-typo.json": (4, 13, 0, "/acount", "additionalProperties", "did you mean 'account'?"),
    "whitespace-only.json": (1, 1, None, "", "empty", "white space"),
    "segment/bad-timestamp.json": (9, 16, 0, "/timestamp", "format", "not an RFC 3339 date-time"),
    "segment/integrations-not-object.json": (11, 19, 0, "/integrations", "type", "must be an object"),
    "segment/integrations-value-string.json": (15, 17, 0, "/integrations/Mixpanel", "type", "a boolean or an object"),
    "segment/message-id-too-long.json": (10, 16, 0, "/messageId", "maxLength", "101 characters"),
    "segment/no-user-or-anonymous-id.json": (1, 1, 0, "", "anyOf", "'userId' (a non-empty string) or 'anonymousId'"),
    "segment/page-call.json": (2, 11, 0, "/type", "enum", "only identify and track"),
    "segment/track-missing-event.json": (1, 1, 0, "/event", "required", "track call"),
}  # fmt: skip


def test_every_invalid_fixture_has_an_expectation() -> None:
    files = {path.relative_to(INVALID).as_posix() for path in INVALID.rglob("*") if path.is_file()}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_is_reported_at_its_exact_place(name: str) -> None:
    line, column, record, pointer, keyword, words = EXPECTED[name]
    report = contract_kit.validate(INVALID / name)
    assert not report.ok
    assert len(report.violations) == 1, report.violations
    violation = report.violations[0]
    assert violation.file == str(INVALID / name)
    assert (violation.line, violation.column) == (line, column)
    assert violation.record == record
    assert violation.pointer == pointer
    assert violation.keyword == keyword
    assert words in violation.message
