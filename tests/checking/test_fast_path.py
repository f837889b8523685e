"""The fast path (orjson + jsonschema-rs) and the reference path (json + jsonschema) agree.

Every record is judged by the compiled validator first and by the reference validator only when
it fails, so contract-kit's verdict is the reference's as long as the fast path never passes
what the reference refuses. The corpus: records of every kind of action the schema treats
apart, generated with hypothesis (mostly valid), and the same records deliberately broken.
(hypothesis-jsonschema cannot be used: its last release fails on current hypothesis, and on
this schema's if/then rules with older ones.)
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_kit.checking import compiled, validation
from contract_kit.jsontext import jsonio

EXAMPLES = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TEXT = st.text(max_size=12)
NUMBERS = st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False))
ITEM = st.fixed_dictionaries(
    {},
    optional={
        "product_id": st.one_of(TEXT, st.none()),
        "product_name": TEXT,
        "price": st.one_of(NUMBERS, st.none()),
        "quantity": NUMBERS,
        "currency": st.sampled_from(["EUR", "HUF", "usd", None]),
    },
)
DATA_BY_ACTION = {
    "point_add": st.fixed_dictionaries(
        {"points": st.integers(-10, 10**6)},
        optional={"effective_timestamp": st.one_of(st.none(), st.integers(0, 2**35))},
    ),
    "point_spend": st.fixed_dictionaries({"points": st.integers()}),
    "checkout": st.fixed_dictionaries(
        {"transaction_id": TEXT},
        optional={
            "total": NUMBERS,
            "items": st.lists(ITEM, max_size=3),
            "currency": st.sampled_from(["EUR", "HU"]),
        },
    ),
    "checkout_item": st.fixed_dictionaries(
        {"transaction_id": TEXT}, optional={"price": NUMBERS, "product_name": TEXT}
    ),
    "refund": st.fixed_dictionaries({"transaction_id": TEXT}),
    "reserve_points": st.fixed_dictionaries({"transaction_id": TEXT, "points": st.integers()}),
    "challenge_reset": st.fixed_dictionaries({"challenge": TEXT}),
    "profile": st.fixed_dictionaries(
        {},
        optional={
            "first_name": st.one_of(TEXT, st.none()),
            "email": TEXT,
            "birth_date": st.sampled_from(["1990-02-28", "1990-02-31", "1990-2-1"]),
            "language": st.sampled_from(["en", "hu", "EN", "eng"]),
            "country": st.sampled_from(["HU", "hun", "hu"]),
            "labels": st.lists(TEXT, max_size=2),
            "favourite": st.integers(),
        },
    ),
    "review_submit": st.dictionaries(TEXT, st.one_of(TEXT, NUMBERS, st.none()), max_size=3),
}
INSTANTS = st.sampled_from(
    [
        "2024-11-26T15:19:14Z",
        "2024-11-26t15:19:14.5z",
        "2016-12-31T23:59:60Z",
        "2024-02-30T10:00:00Z",
        "0001-01-01T00:30:00+01:00",
        "0001-01-01T01:00:00+01:00",
        "9999-12-31T23:59:59-00:01",
        "2024-11-26T15:19:14+24:00",
        "2024-11-26T15:19:14+23:59",
        "2024-11-26 15:19:14",
        "2024-11-26T15:19:14",
        "\uff12\uff10\uff12\uff14-11-26T15:19:14Z",
        "2024-11-26T24:00:00Z",
        "2024-11-26T15:60:00Z",
        "2024-11-26T15:19:14.123456789-05:30",
    ]
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """Records across every kind of action the schema treats apart, mostly valid."""
    action = draw(st.sampled_from(sorted(DATA_BY_ACTION)))
    record: dict[str, Any] = {
        "customer": draw(st.one_of(st.just("c-1"), TEXT)),
        "action": action,
        "data": draw(DATA_BY_ACTION[action]),
        "timestamp": draw(st.one_of(INSTANTS, st.integers(0, 253402300799), st.floats(0, 2e9))),
    }
    for name, values in (
        ("id", TEXT),
        ("external_id", TEXT),
        ("account", TEXT),
        ("attributes", st.dictionaries(TEXT, TEXT, max_size=2)),
    ):
        if draw(st.booleans()):
            record[name] = draw(values)
    return record


RECORDS = records()
ACTIONS = st.sampled_from([*sorted(DATA_BY_ACTION), "opt_in", "point_sub", " padded", "x\n"])
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.just(" padded "),
    st.just("point_add\n"),
    st.just(""),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    INSTANTS,
)
MESSAGES = st.fixed_dictionaries(
    {"type": st.sampled_from(["track", "identify", "page"])},
    optional={
        "event": TEXT,
        "userId": st.one_of(TEXT, st.none()),
        "anonymousId": st.one_of(TEXT, st.none()),
        "messageId": st.text(max_size=120),
        "timestamp": INSTANTS,
        "properties": st.dictionaries(TEXT, TEXT, max_size=2),
        "traits": st.dictionaries(TEXT, TEXT, max_size=2),
        "integrations": st.dictionaries(
            st.sampled_from(
                [
                    "Salesforce (Actions)",
                    "Salesforce Marketing Cloud (Actions)",
                    "Antavo (Actions)",
                    "All",
                ]
            ),
            st.one_of(st.booleans(), st.just({})),
        ),
    },
)


def _mutate(record: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    record = json.loads(json.dumps(record))
    choice = data.draw(st.integers(0, 5))
    if choice == 0 and record:
        record.pop(data.draw(st.sampled_from(sorted(record))))
    elif choice == 1:
        record[data.draw(st.sampled_from([*sorted(record), "acton", "type"]))] = data.draw(
            ODD_VALUES
        )
    elif choice == 2:
        record["timestamp"] = data.draw(st.one_of(INSTANTS, st.integers(-5, 10**13), st.floats()))
    elif choice == 3:
        record["action"] = data.draw(ACTIONS)
    elif choice == 4 and isinstance(record.get("data"), dict):
        target = record["data"]
        key = data.draw(
            st.sampled_from(
                [
                    *sorted(target),
                    "points",
                    "transaction_id",
                    "items",
                    "total",
                    "currency",
                    "language",
                    "birth_date",
                ]
            )
        )
        target[key] = data.draw(ODD_VALUES)
    else:
        record["data"] = data.draw(
            st.dictionaries(st.sampled_from(["points", "challenge", "email"]), ODD_VALUES)
        )
    return record


def _agree(record: Any, schema: str) -> None:
    """contract-kit's verdict (valid when the fast path says so, else the reference's) is the
    reference's verdict: the fast path may send a valid record on to the reference (it is
    stricter about instants near the range's ends), never pass an invalid one."""
    if schema == "antavo/record":
        fast = compiled.is_valid_record(record)
    else:
        fast = compiled.is_valid(record, schema)
    reference = not validation.check(record, schema)
    assert (fast or reference) == reference, (
        f"fast path passed what the reference refuses: {record!r}"
    )


@EXAMPLES
@given(RECORDS)
def test_generated_records_are_judged_alike(record: dict[str, Any]) -> None:
    _agree(record, "antavo/record")


@EXAMPLES
@given(RECORDS, st.data())
def test_broken_records_are_judged_alike(record: dict[str, Any], data: st.DataObject) -> None:
    _agree(_mutate(record, data), "antavo/record")


@EXAMPLES
@given(MESSAGES, st.data())
def test_segment_messages_are_judged_alike(message: dict[str, Any], data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        message = dict(message)
        key = data.draw(
            st.sampled_from(
                ["timestamp", "userId", "anonymousId", "type", "event", "messageId", "integrations"]
            )
        )
        message[key] = data.draw(ODD_VALUES)
    for schema in ("segment/message", "segment/antavo-source"):
        _agree(message, schema)


@pytest.mark.parametrize(
    "instant",
    [
        "2016-12-31T23:59:60Z",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:59:59-00:01",
        "2024-11-26T15:19:14+24:00",
        "2024-02-30T10:00:00Z",
        "2024-11-26T15:19:14Z",
    ],
)
def test_instants_the_compiled_check_reads_loosely_are_decided_by_the_reference(
    instant: str,
) -> None:
    record = {"customer": "c", "action": "x", "data": {}, "timestamp": instant}
    valid = instant == "2024-11-26T15:19:14Z"
    assert (not validation.check(record, "antavo/record")) == valid
    assert compiled.is_valid_record(record) == valid


# The reader: orjson where the text is plain, the strict reader for everything else -----------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


@EXAMPLES
@given(JSON_VALUES, st.sampled_from(["compact", "spaced", "ascii", "pretty", "duplicate"]))
def test_quick_reading_gives_the_strict_readers_value_or_steps_aside(
    value: Any, style: str
) -> None:
    if style == "duplicate":
        text = json.dumps({"k": value, "x": 1})[:-1] + ', "k": 2}'
    elif style == "pretty":
        text = json.dumps(value, indent=2, ensure_ascii=False)
    else:
        separators = (",", ":") if style == "compact" else (", ", " : ")
        text = json.dumps(value, separators=separators, ensure_ascii=style == "ascii")
    strict = jsonio.parse(text)
    quick = jsonio.quick_load(text.encode("utf-8", "surrogatepass"))
    if quick is jsonio.UNUSUAL:
        return
    assert not strict.findings, f"quick reader missed {strict.findings} in {text!r}"
    assert jsonio.dumps(quick) == jsonio.dumps(strict.value)
    assert type(quick) is type(strict.value)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"a" : 1, "a": 2}',
        '{"a":12345678901234567890123}',
        '{"a":NaN}',
        '{"a":1e400}',
        '{"a":"\\ud800"}',
        '{"a\\u0022":1,"a\\"":2}',
        "[" * 2000 + "]" * 2000,
    ],
)
def test_texts_only_the_strict_reader_can_judge_are_left_to_it(text: str) -> None:
    assert jsonio.quick_load(text.encode()) is jsonio.UNUSUAL


# Review findings: each of these once passed the fast path while the reference refused it ---------


@pytest.mark.parametrize(
    "text",
    [
        b'[{"customer":"c1","customer":"c2","action":"x","data":{"n":"\\"\\u003a"},"timestamp":1}]',
        b'{"customer":"c1","customer":"c2","action":"x","data":{"n":"\\"\\u003A"},"timestamp":1}',
    ],
)
def test_an_escaped_colon_cannot_hide_a_duplicate_key(text: bytes) -> None:
    assert jsonio.quick_load(text) is jsonio.UNUSUAL


def test_a_negative_integer_below_minus_two_to_the_63_keeps_its_digits() -> None:
    raw = b'{"n":-9223372036854775809}'
    value = jsonio.quick_load(raw)
    assert value is jsonio.UNUSUAL or value == {"n": -9223372036854775809}
    assert jsonio.parse(raw.decode()).value == {"n": -9223372036854775809}


@pytest.mark.parametrize("odd", ["\x1c", "\x1f", "\x85"])
def test_white_space_the_engines_disagree_on_is_judged_by_the_reference(odd: str) -> None:
    record = {"customer": "c", "action": f"custom{odd}", "data": {}, "timestamp": 0}
    _agree(record, "antavo/record")
    message = {"type": "track", "event": "e", "userId": odd, "messageId": "m",
               "timestamp": "2024-11-26T15:19:14.000Z",
               "integrations": {"Salesforce (Actions)": False,
                                "Salesforce Marketing Cloud (Actions)": False,
                                "Antavo (Actions)": False}}  # fmt: skip
    _agree(message, "segment/antavo-source")


def test_a_birth_date_in_year_zero_is_refused() -> None:
    record = {
        "customer": "c",
        "action": "profile",
        "data": {"birth_date": "0000-01-01"},
        "timestamp": 0,
    }
    _agree(record, "antavo/record")
    assert validation.check(record, "antavo/record")


DIGITS = st.text("0123456789", min_size=2, max_size=2)
SHAPED_INSTANTS = st.builds(
    lambda year, parts, t, fraction, zone: (
        f"{year}-{parts[0]}-{parts[1]}{t}{parts[2]}:{parts[3]}:{parts[4]}{fraction}{zone}"
    ),
    st.text("0123456789", min_size=4, max_size=4) | st.sampled_from(["0000", "0001", "9999"]),
    st.lists(DIGITS, min_size=5, max_size=5),
    st.sampled_from("Tt"),
    st.sampled_from(["", ".5", ".123456"]),
    st.sampled_from("Zz")
    | st.builds(lambda s, h, m: f"{s}{h}:{m}", st.sampled_from("+-"), DIGITS, DIGITS),
)


@EXAMPLES
@given(SHAPED_INSTANTS)
def test_a_few_characters_decide_a_shaped_instant_as_the_full_pattern_does(text: str) -> None:
    """compiled.plain_instant reads only a few characters of a date-time whose shape the
    schema's pattern has fixed; it must say what PLAIN_INSTANT says of the whole string."""
    assert compiled.plain_instant(text) == bool(compiled.PLAIN_INSTANT.fullmatch(text))
