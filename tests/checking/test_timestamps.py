"""contract_kit.checking.timestamps: the contract's reading of instants (§1) and Segment's form
(§2)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from contract_kit.checking import validation
from contract_kit.checking.timestamps import (
    UNIX_SECONDS_LIMIT,
    InstantError,
    from_unix_seconds,
    is_full_date,
    is_rfc3339,
    normalise,
    normalise_valid,
    parse_rfc3339,
    to_segment,
)

from ..helpers import RECORD

#: Local zones every test here runs under: the machine's own must never leak into an instant.
#: POSIX TZ strings (no tz database needed): UTC, UTC+05:30 (Asia/Kolkata), UTC-03:30.
ZONES = {"UTC": "UTC0", "plus-0530": "<+0530>-05:30", "minus-0330": "<-0330>+03:30"}


@pytest.fixture(autouse=True, params=list(ZONES.values()), ids=list(ZONES))
def local_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs the test with TZ set to each of ZONES (time.tzset makes the process read it)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_the_local_zone_is_really_set(local_zone: str) -> None:
    offset = datetime(2024, 11, 26, 12).astimezone().utcoffset()
    expected = {"UTC0": timedelta(0), "<+0530>-05:30": timedelta(hours=5, minutes=30)}
    assert offset == expected.get(local_zone, -timedelta(hours=3, minutes=30))


class TestParseRfc3339:
    def test_z_is_utc(self) -> None:
        assert parse_rfc3339("2024-11-26T15:19:14Z") == datetime(
            2024, 11, 26, 15, 19, 14, tzinfo=UTC
        )

    def test_result_is_aware_utc(self) -> None:
        moment = parse_rfc3339("2024-11-26T16:19:14+01:00")
        assert moment.utcoffset() == timedelta(0)
        assert moment == datetime(2024, 11, 26, 15, 19, 14, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2024-11-26T10:49:14-04:30", datetime(2024, 11, 26, 15, 19, 14, tzinfo=UTC)),
            ("2024-11-27T00:30:00+01:00", datetime(2024, 11, 26, 23, 30, tzinfo=UTC)),
            ("2024-11-26T15:19:14+00:00", datetime(2024, 11, 26, 15, 19, 14, tzinfo=UTC)),
            ("2024-11-26T15:19:14-00:00", datetime(2024, 11, 26, 15, 19, 14, tzinfo=UTC)),
            ("2024-11-26T15:19:14+23:59", datetime(2024, 11, 25, 15, 20, 14, tzinfo=UTC)),
            ("2024-11-26t15:19:14z", datetime(2024, 11, 26, 15, 19, 14, tzinfo=UTC)),
            ("2024-02-29T00:00:00Z", datetime(2024, 2, 29, tzinfo=UTC)),
        ],
    )
    def test_offsets_are_converted_to_utc(self, text: str, expected: datetime) -> None:
        assert parse_rfc3339(text) == expected

    @pytest.mark.parametrize(
        ("fraction", "microsecond"),
        [
            (".1", 100_000),
            (".12", 120_000),
            (".123", 123_000),
            (".1239", 123_000),
            (".999999", 999_000),
            (".9999999", 999_000),
            (".0009", 0),
        ],
    )
    def test_fraction_truncated_to_milliseconds(self, fraction: str, microsecond: int) -> None:
        moment = parse_rfc3339(f"2024-12-31T23:59:59{fraction}Z")
        assert moment == datetime(2024, 12, 31, 23, 59, 59, microsecond, tzinfo=UTC)

    @pytest.mark.parametrize(
        "text",
        ["2024-11-26T15:19:14", "2024-11-26 15:19:14", "2024-11-26T15:19", "2024-11-26T15:19:14.5"],
    )
    def test_naive_is_ambiguous(self, text: str) -> None:
        with pytest.raises(InstantError, match="offset"):
            parse_rfc3339(text)

    @pytest.mark.parametrize(
        "text",
        [
            "2024-11-26T15:19:14+24:00",
            "2024-11-26T15:19:14-24:00",
            "2024-11-26T15:19:14+01:60",
            "2024-11-26T15:19:14+99:99",
        ],
    )
    def test_offset_out_of_range(self, text: str) -> None:
        with pytest.raises(InstantError, match="offset"):
            parse_rfc3339(text)

    @pytest.mark.parametrize("text", ["2016-12-31T23:59:60Z", "2016-12-31T23:59:60.5+00:00"])
    def test_leap_second_is_rejected(self, text: str) -> None:
        with pytest.raises(InstantError, match="leap second"):
            parse_rfc3339(text)

    @pytest.mark.parametrize(
        "text",
        [
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-11-26T24:00:00Z",
            "2024-11-26T15:60:00Z",
            "0000-01-01T00:00:00Z",
        ],
    )
    def test_impossible_date_or_time(self, text: str) -> None:
        with pytest.raises(InstantError, match="not a real date"):
            parse_rfc3339(text)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "now",
            "2024-11-26",
            "2024-11-26T15:19:14.Z",
            "2024-11-26T15:19:14+0100",
            "2024-11-26T15:19:14+01",
            "24-11-26T15:19:14Z",
            "2024-11-26T15:19:14Z ",
            " 2024-11-26T15:19:14Z",
            "2024-11-26T15:19:14Z\n",
            "2024-W48-2T15:19:14Z",
            "2024-11-26T15:19:14UTC",
            "2024-11-26T15:19:14,5Z",
            "+2024-11-26T15:19:14Z",
        ],
    )
    def test_not_rfc3339(self, text: str) -> None:
        with pytest.raises(InstantError, match="RFC 3339"):
            parse_rfc3339(text)

    @pytest.mark.parametrize(
        "text",
        [
            "\uff12\uff10\uff12\uff14-11-26T15:19:14Z",  # fullwidth digits
            "2024-11-26T15:19:14.\u0661\u0662\u0663Z",  # Arabic-Indic digits
            "2024-11-26T15:19:14+\u0660\u0661:00",  # Arabic-Indic digits
        ],
        ids=["fullwidth-year", "arabic-indic-fraction", "arabic-indic-offset"],
    )
    def test_only_ascii_digits(self, text: str) -> None:
        # RFC 3339's grammar (and the schemas' [0-9] pattern) allows ASCII digits only.
        with pytest.raises(InstantError):
            parse_rfc3339(text)

    def test_years_below_1000(self) -> None:
        assert parse_rfc3339("0001-01-01T01:00:00+01:00") == datetime(1, 1, 1, tzinfo=UTC)
        assert parse_rfc3339("0999-06-15T12:00:00Z") == datetime(999, 6, 15, 12, tzinfo=UTC)

    def test_the_last_representable_instant(self) -> None:
        assert parse_rfc3339("9999-12-31T23:59:59.999999Z") == datetime(
            9999, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC
        )

    @pytest.mark.parametrize(
        "text",
        [
            "0001-01-01T00:00:00+01:00",
            "0001-01-01T00:59:59.999+01:00",
            "9999-12-31T23:59:59-01:00",
            "9999-12-31T23:00:00-23:59",
        ],
    )
    def test_instants_outside_the_range_are_errors_not_crashes(self, text: str) -> None:
        with pytest.raises(InstantError) as caught:
            parse_rfc3339(text)
        message = str(caught.value)
        assert "0001-01-01" in message and "9999-12-31" in message

    def test_error_is_a_value_error(self) -> None:
        assert issubclass(InstantError, ValueError)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                "2024-11-26T15:19:14",
                "it has no UTC offset, so the instant is ambiguous: add Z or ±hh:mm",
            ),
            (
                "2024-11-26",
                "it is not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm))",
            ),
            (
                "2016-12-31T23:59:60Z",
                "leap seconds (:60) cannot be stored by Segment and most destinations",
            ),
            # ±24:00 is ours to refuse, not Python's ("offset must be a timedelta strictly ...")
            ("2024-11-26T15:19:14+24:00", "its UTC offset is out of range"),
            ("2024-11-26T15:19:14-24:00", "its UTC offset is out of range"),
            ("2024-11-26T15:19:14+01:60", "its UTC offset is out of range"),
            ("2024-11-26T15:19:14+99:99", "its UTC offset is out of range"),
            ("0001-01-01T00:00:00+01:00", "it lies outside 0001-01-01 … 9999-12-31 UTC"),
            ("9999-12-31T23:59:59-01:00", "it lies outside 0001-01-01 … 9999-12-31 UTC"),
        ],
    )
    def test_errors_are_worded_by_the_contract(self, text: str, message: str) -> None:
        with pytest.raises(InstantError) as caught:
            parse_rfc3339(text)
        assert str(caught.value) == message

    @pytest.mark.parametrize(
        "text", ["2024-11-26T15:19:14Z", "2024-11-26T20:49:14+05:30", "2024-11-26T11:49:14-03:30"]
    )
    def test_the_result_is_in_utc_whatever_the_local_zone(self, text: str) -> None:
        moment = parse_rfc3339(text)
        assert moment.utcoffset() == timedelta(0)
        assert (moment.hour, moment.minute) == (15, 19)


class TestFromUnixSeconds:
    def test_integer(self) -> None:
        assert from_unix_seconds(1732634354) == datetime(2024, 11, 26, 15, 19, 14, tzinfo=UTC)

    def test_zero_is_the_epoch(self) -> None:
        assert from_unix_seconds(0) == datetime(1970, 1, 1, tzinfo=UTC)
        assert from_unix_seconds(0.0) == datetime(1970, 1, 1, tzinfo=UTC)

    def test_float_uses_its_shortest_decimal_form(self) -> None:
        # 1732634354.123 is stored as 1732634354.12299990654...; the contract means .123
        moment = from_unix_seconds(1732634354.123)
        assert moment == datetime(2024, 11, 26, 15, 19, 14, 123_000, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("seconds", "millisecond"),
        [
            (1732634354.9999, 999),
            (1732634354.0005, 0),
            (1732634354.5, 500),
            (0.0015, 1),
            (1.5e-07, 0),
            (1732634354.001, 1),
        ],
    )
    def test_float_truncated_never_rounded(self, seconds: float, millisecond: int) -> None:
        assert from_unix_seconds(seconds).microsecond == millisecond * 1000

    def test_result_is_aware_utc(self) -> None:
        assert from_unix_seconds(1).utcoffset() == timedelta(0)

    def test_upper_bound_is_exclusive(self) -> None:
        assert UNIX_SECONDS_LIMIT == 253402300800
        assert from_unix_seconds(253402300799) == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
        assert to_segment(from_unix_seconds(253402300799.999)) == "9999-12-31T23:59:59.999Z"
        with pytest.raises(InstantError, match="253402300800"):
            from_unix_seconds(253402300800)
        with pytest.raises(InstantError):
            from_unix_seconds(253402300800.0)

    @pytest.mark.parametrize(
        "seconds",
        [-1, -0.001, 1732634354123, 10**20, float("nan"), float("inf"), float("-inf")],
        ids=["negative", "negative-fraction", "milliseconds", "huge", "nan", "inf", "-inf"],
    )
    def test_out_of_bounds(self, seconds: float) -> None:
        with pytest.raises(InstantError, match="Unix seconds"):
            from_unix_seconds(seconds)

    @pytest.mark.parametrize("flag", [True, False])
    def test_booleans_are_not_seconds(self, flag: bool) -> None:
        with pytest.raises(InstantError):
            from_unix_seconds(flag)


class TestToSegment:
    def test_milliseconds_and_z(self) -> None:
        moment = datetime(2024, 11, 26, 15, 19, 14, tzinfo=UTC)
        assert to_segment(moment) == "2024-11-26T15:19:14.000Z"

    def test_truncates_microseconds(self) -> None:
        moment = datetime(2024, 11, 26, 15, 19, 14, 999_999, tzinfo=UTC)
        assert to_segment(moment) == "2024-11-26T15:19:14.999Z"

    def test_converts_other_zones_to_utc(self) -> None:
        moment = datetime(2024, 11, 27, 0, 30, 0, 5_000, tzinfo=timezone(timedelta(hours=1)))
        assert to_segment(moment) == "2024-11-26T23:30:00.005Z"

    def test_local_zone_plays_no_part(self) -> None:
        moment = datetime(2024, 11, 26, 20, 49, 14, 250_000, tzinfo=timezone(timedelta(hours=5.5)))
        assert to_segment(moment) == "2024-11-26T15:19:14.250Z"
        assert to_segment(datetime(2024, 11, 26, 15, 19, 14, tzinfo=UTC)) == (
            "2024-11-26T15:19:14.000Z"
        )

    def test_years_below_1000_have_four_digits(self) -> None:
        assert to_segment(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00.000Z"
        assert to_segment(datetime(999, 2, 3, 4, 5, 6, 7_000, tzinfo=UTC)) == (
            "0999-02-03T04:05:06.007Z"
        )


class TestNormalise:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2024-11-26T15:19:14Z", "2024-11-26T15:19:14.000Z"),
            ("2024-11-26T16:19:14.25+01:00", "2024-11-26T15:19:14.250Z"),
            ("2024-12-31T23:59:59.9999999+00:00", "2024-12-31T23:59:59.999Z"),
            ("2024-11-26t15:19:14.1z", "2024-11-26T15:19:14.100Z"),
            ("0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00.000Z"),
            ("0010-05-05T05:05:05Z", "0010-05-05T05:05:05.000Z"),
            ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999Z"),
            ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59.000Z"),
            (1732634354, "2024-11-26T15:19:14.000Z"),
            (1732634354.123, "2024-11-26T15:19:14.123Z"),
            (0, "1970-01-01T00:00:00.000Z"),
        ],
    )
    def test_segment_form(self, value: Any, expected: str) -> None:
        assert normalise(value) == expected

    @pytest.mark.parametrize(
        "value",
        [
            "2024-11-26T15:19:14",
            "2016-12-31T23:59:60Z",
            "2024-02-30T00:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "2024-11-26T15:19:14+24:00",
            -1,
            253402300800,
            True,
            float("nan"),
        ],
    )
    def test_errors_are_instant_errors(self, value: Any) -> None:
        with pytest.raises(InstantError):
            normalise(value)

    @pytest.mark.parametrize(
        "text",
        [
            "2024-01-01T25:61:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T23:60:00Z",
            "2024-01-01T99:00:00.5Z",
            "2024-01-01T00:99:00z",
        ],
    )
    def test_impossible_times_in_utc_are_errors_not_normalised(self, text: str) -> None:
        # The schema stops these first; normalise alone must not turn them into Segment's form.
        with pytest.raises(InstantError, match=r"^it is not a real date and time \("):
            normalise(text)


def test_to_segment_refuses_a_naive_datetime() -> None:
    from datetime import datetime

    from contract_kit.checking.timestamps import InstantError, to_segment

    with pytest.raises(InstantError, match="naive"):
        to_segment(datetime(2024, 11, 26, 15, 19, 14))


def test_a_naive_datetime_is_refused_in_the_contract_s_words() -> None:
    with pytest.raises(InstantError) as caught:
        to_segment(datetime(2024, 11, 26, 15, 19, 14))
    assert str(caught.value) == "a naive datetime is ambiguous: give it a timezone"


# ---------------------------------------------------------------------------------------------
# the schemas' `date-time` and `date` formats

MESSAGE = {"type": "track", "event": "e", "userId": "u", "timestamp": "2024-11-26T15:19:14Z"}


@pytest.mark.parametrize("value", [None, 5, 1.5, True, [], {}])
def test_the_formats_leave_non_strings_to_the_type_check(value: Any) -> None:
    assert is_rfc3339(value) is True
    assert is_full_date(value) is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-05-17", True),
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("1990-5-17", False),
        ("1990-05-17T00:00:00Z", False),
        ("", False),
    ],
)
def test_full_date_is_the_form_and_a_day_that_exists(value: str, expected: bool) -> None:
    assert is_full_date(value) is expected


@pytest.mark.parametrize("birth_date", [None, "1990-05-17", "2024-02-29"])
def test_a_null_or_real_birth_date_is_no_violation(birth_date: str | None) -> None:
    record = dict(RECORD, action="profile", data={"birth_date": birth_date, "email": "a@b.c"})
    assert validation.check(record, "antavo/record") == []


def test_a_non_string_timestamp_is_one_type_violation_not_also_a_format_one() -> None:
    findings = validation.check(dict(MESSAGE, timestamp=5), "segment/message")
    assert [(f.pointer, f.message) for f in findings] == [
        ("/timestamp", "timestamp must be a string, got integer 5")
    ]


def _written(moment: datetime, fraction: str, offset: int | None, t: str, z: str) -> str:
    """An RFC 3339 instant as a record may hold it; years 0001 and 9999 included, where an
    offset moves the instant out of range."""
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{t}"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}{fraction}"
    )
    if offset is None:
        return text + z
    sign = "+" if offset >= 0 else "-"
    return f"{text}{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


VALID_INSTANTS = st.builds(
    _written,
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59)),
    st.sampled_from(["", ".5", ".123", ".123456789"]),
    st.none() | st.integers(-(23 * 60 + 59), 23 * 60 + 59),
    st.sampled_from("Tt"),
    st.sampled_from("Zz"),
)


@example("0001-01-01T00:30:00+01:00")  # shifted before year 1: InstantError from both
@example("9999-12-31T23:30:00-01:00")
@given(VALID_INSTANTS | st.integers(0, UNIX_SECONDS_LIMIT - 1) | st.floats(0, 2e9))
def test_the_fast_forms_of_a_valid_records_timestamp_agree_with_normalise(value: Any) -> None:
    """normalise_valid takes short cuts for a timestamp the record schema has passed (Segment's
    form already, an offset shifted by minutes, Unix integers by day): the same answer."""
    try:
        expected: Any = normalise(value)
    except InstantError as error:
        expected = str(error)
    try:
        fast: Any = normalise_valid(value)
    except InstantError as error:
        fast = str(error)
    assert fast == expected
