"""Strict reading and exact locations: what users see when a file is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import contract_kit
from contract_kit.jsontext import jsonio, pointers

from ..helpers import RECORD


def place(text: str, pointer: str) -> tuple[int, int]:
    return jsonio.line_column(text, jsonio.locate(text, pointers.split(pointer)))


@pytest.mark.parametrize(
    ("text", "pointer", "expected"),
    [
        ('{"a": 1}', "/a", (1, 7)),
        ('{\r\n  "a": {\r\n\t"b": [10, 20]}}', "/a/b/1", (3, 12)),
        ('{"é€😀": "x", "k": 2}', "/k", (1, 19)),  # characters, not bytes
        ('[1, {"a": 1, "a": 2}]', "/1/a", (1, 19)),  # duplicate key: the one JSON readers keep
        ('{"a": {"b": 1}}', "/a/missing", (1, 7)),  # missing member: the object that lacks it
        ('{"a~b/c": 5}', "/a~0b~1c", (1, 11)),
        ("  [ ]", "/0", (1, 3)),
    ],
)
def test_locate_finds_where_the_value_starts(
    text: str, pointer: str, expected: tuple[int, int]
) -> None:
    assert place(text, pointer) == expected


def test_bom_is_ignored_and_columns_count_from_the_first_character(tmp_path: Path) -> None:
    target = tmp_path / "bom.json"
    target.write_bytes(b"\xef\xbb\xbf" + json.dumps(dict(RECORD, data={"points": "x"})).encode())
    (violation,) = contract_kit.validate(target).violations
    assert (violation.line, violation.column, violation.pointer) == (1, 61, "/data/points")


@pytest.mark.parametrize(
    ("value", "keyword", "pointer"),
    [
        ('{"a": 1, "a": 2}', "duplicateKeys", "/a"),
        ('{"a": NaN}', "number", "/a"),
        ('{"a": -Infinity}', "number", "/a"),
        ('{"a": [1e400]}', "number", "/a/0"),
        ('{"a": 1' + "0" * 400 + "}", "number", "/a"),
        ('{"a": "\\ud800"}', "unicode", "/a"),
    ],
)
def test_values_json_readers_would_silently_change_are_findings(
    value: str, keyword: str, pointer: str
) -> None:
    (finding,) = jsonio.parse(value).findings
    assert (finding.keyword, finding.pointer) == (keyword, pointer)


def test_a_proper_surrogate_pair_is_fine() -> None:
    assert jsonio.parse('{"a": "\\ud83d\\ude00"}') == jsonio.Parsed({"a": "😀"}, ())


def test_numbers_pass_through_unchanged() -> None:
    parsed = jsonio.parse('{"a": 5.0, "b": 19.99, "c": 12345678901234567890}').value
    assert jsonio.dump_compact(parsed) == '{"a":5.0,"b":19.99,"c":12345678901234567890}'


@pytest.mark.parametrize(
    ("text", "words", "offset"),
    [
        ("", "the file is empty", 0),
        (" \n\t", "holds only white space", 0),
        ('{"a": 1,}', "trailing comma", 8),
        ("[1, 2,]", "trailing comma", 6),
        ('{"a": 1} // note', "extra data", 9),
        ('{"a": 1}\n{"a": 2}\n', ".ndjson", 9),
        ("[" * 100_000, "invalid JSON", 0),
    ],
)
def test_parse_errors_say_what_and_where(text: str, words: str, offset: int) -> None:
    with pytest.raises(jsonio.JSONSyntaxError) as raised:
        jsonio.parse(text)
    assert words in raised.value.message
    if offset:
        assert raised.value.offset == offset


def test_ndjson_blank_lines_are_not_records_and_lines_are_exact(tmp_path: Path) -> None:
    target = tmp_path / "r.ndjson"
    bad = json.dumps(dict(RECORD, data={"points": None}))
    target.write_text(
        f"{json.dumps(RECORD)}\n\n   \n{bad}\r\n{json.dumps(RECORD)}", encoding="utf-8"
    )
    report = contract_kit.validate(target)
    assert report.records == 3
    (violation,) = report.violations
    assert (violation.record, violation.line, violation.column) == (1, 4, bad.index("null") + 1)


def test_ndjson_lines_keep_unicode_line_separators_inside_strings(tmp_path: Path) -> None:
    target = tmp_path / "r.jsonl"
    record = dict(RECORD, data={"points": 1, "note": "a\u2028b\x1cc"})
    target.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert contract_kit.validate(target).records == 1


@pytest.mark.parametrize("text", ["[]", '{"events": []}', '{"batch": []}'])
def test_empty_containers_are_valid_and_hold_no_record(tmp_path: Path, text: str) -> None:
    target = tmp_path / "e.json"
    target.write_text(text, encoding="utf-8")
    report = contract_kit.validate(target)
    assert report.ok and report.records == 0


def test_bulk_events_must_be_an_array(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_text('{\n  "events": {"customer": "c"}\n}', encoding="utf-8")
    (violation,) = contract_kit.validate(target).violations
    assert (violation.line, violation.column, violation.record, violation.pointer) == (
        2,
        13,
        None,
        "/events",
    )


def test_invalid_utf8_is_a_file_violation(tmp_path: Path) -> None:
    target = tmp_path / "latin1.json"
    target.write_bytes('{"customer": "Árvíz"}'.encode("latin-1"))
    (violation,) = contract_kit.validate(target).violations
    assert violation.record is None
    assert "not UTF-8 text: byte 0xc1 at byte offset 14" in violation.message


@pytest.mark.parametrize(
    ("text", "pointer", "keyword"),
    [
        ('{"events": [RECORD, RECORD], "events": [RECORD]}', "/events", "duplicateKeys"),
        ('{"batch": [], "batch": []}', "/batch", "duplicateKeys"),
        ('{"batch": [], "sentAt": NaN}', "/sentAt", "number"),
    ],
)
def test_envelope_level_findings_are_file_violations(
    tmp_path: Path, text: str, pointer: str, keyword: str
) -> None:
    target = tmp_path / "envelope.json"
    target.write_text(text.replace("RECORD", json.dumps(RECORD)), encoding="utf-8")
    report = contract_kit.validate(target)
    assert not report.ok
    (violation,) = [v for v in report.violations if v.record is None]
    assert (violation.pointer, violation.keyword) == (pointer, keyword)


def test_deep_nesting_with_a_finding_inside_is_reported_not_crashed(tmp_path: Path) -> None:
    depth = 500
    data = '{"a": ' * depth + '{"x": 1, "x": 2}' + "}" * depth
    target = tmp_path / "deep.json"
    target.write_text(
        '{"customer": "c", "action": "x", "timestamp": 0, "data": ' + data + "}", encoding="utf-8"
    )
    report = contract_kit.convert(target)
    (violation,) = report.violations
    assert violation.keyword == "duplicateKeys"
    assert violation.pointer == "/data" + "/a" * depth + "/x"


def test_many_violations_in_one_file_are_located_in_linear_time(tmp_path: Path) -> None:
    bad = dict(RECORD, data={"points": None})
    target = tmp_path / "many.json"
    text = json.dumps([bad] * 5_000, indent=1)
    target.write_text(text, encoding="utf-8")
    report = contract_kit.validate(target)  # quadratic locating took minutes at this size
    assert len(report.violations) == 5_000
    last = report.violations[-1]
    offset = text.rindex("null")
    column = offset - text.rindex("\n", 0, offset)
    assert (last.record, last.line, last.column) == (4_999, text.count("\n", 0, offset) + 1, column)
