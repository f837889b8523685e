"""Instants: the contract's reading of RFC 3339 strings and Unix seconds, and Segment's form.

Python's `datetime.fromisoformat` accepts far more than RFC 3339 (naive times, week dates), so
the grammar is checked here, once, for the schemas' `date-time` format and for the transformer.
"""

from __future__ import annotations

import functools
import re
import time
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_FLOOR, Decimal

# re.ASCII throughout: \d alone would also match other scripts' digits (fullwidth digits, say).
_RFC3339 = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<off_hour>\d{2}):(?P<off_minute>\d{2}))",
    re.ASCII,
)
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: Unix seconds must be below this: 10000-01-01T00:00:00Z.
UNIX_SECONDS_LIMIT = 253402300800


class InstantError(ValueError):
    """Why a value is not an instant the contract accepts."""


def parse_rfc3339(text: str) -> datetime:
    """An aware UTC datetime, truncated to milliseconds. Raises InstantError."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        if _NAIVE.fullmatch(text):
            raise InstantError("it has no UTC offset, so the instant is ambiguous: add Z or ±hh:mm")
        raise InstantError("it is not an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm))")
    part = match.group
    if part("second") == "60":
        raise InstantError("leap seconds (:60) cannot be stored by Segment and most destinations")
    off_hour, off_minute = int(part("off_hour") or 0), int(part("off_minute") or 0)
    if off_hour > 23 or off_minute > 59:
        raise InstantError("its UTC offset is out of range")
    offset = timedelta(hours=off_hour, minutes=off_minute)
    if part("sign") == "-":
        offset = -offset
    milliseconds = int((part("fraction") or "0")[:3].ljust(3, "0"))
    try:
        local = datetime(
            int(part("year")), int(part("month")), int(part("day")),
            int(part("hour")), int(part("minute")), int(part("second")),
            milliseconds * 1000, tzinfo=timezone(offset),
        )  # fmt: skip
    except ValueError as error:
        raise InstantError(f"it is not a real date and time ({error})") from None
    try:
        return local.astimezone(UTC)
    except OverflowError:
        raise InstantError("it lies outside 0001-01-01 … 9999-12-31 UTC") from None


def from_unix_seconds(seconds: int | float) -> datetime:
    """Unix seconds (0 ≤ t < 253402300800) as UTC, truncated to milliseconds.

    A float is read through its shortest decimal form (`repr`), so `1732634354.123` gives
    .123, not the .122999… its binary value would truncate to.
    """
    if isinstance(seconds, bool) or not 0 <= seconds < UNIX_SECONDS_LIMIT:
        raise InstantError(f"Unix seconds must satisfy 0 ≤ t < {UNIX_SECONDS_LIMIT}")
    milliseconds = int((Decimal(repr(seconds)) * 1000).to_integral_value(ROUND_FLOOR))
    return _EPOCH + timedelta(milliseconds=milliseconds)


def to_segment(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.sssZ` in UTC, digits beyond milliseconds truncated."""
    if moment.tzinfo is None:
        raise InstantError("a naive datetime is ambiguous: give it a timezone")
    moment = moment.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}."
        f"{moment.microsecond // 1000:03d}Z"
    )


#: Already in UTC and in range: Segment's form is a matter of cutting and padding digits.
#: Hours 00-23 and minutes 00-59 here: any other time goes to parse_rfc3339, which refuses it.
_UTC = re.compile(
    r"((?!0000|0001|9999)[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]"
    r"((?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])(?:\.([0-9]+))?[Zz]"
)


def normalise(value: str | int | float) -> str:
    """An Antavo `timestamp` (RFC 3339 string or Unix seconds) in Segment's form."""
    if isinstance(value, str):
        utc = _UTC.fullmatch(value)
        if utc is not None and _real_day(utc.group(1)):
            date_part, time_part, fraction = utc.groups()
            return f"{date_part}T{time_part}.{(fraction or '')[:3].ljust(3, '0')}Z"
        return to_segment(parse_rfc3339(value))
    if type(value) is int and 0 <= value < UNIX_SECONDS_LIMIT:
        return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(value))  # years 1970+: 4 digits
    return to_segment(from_unix_seconds(value))


def normalise_valid(value: str | int | float) -> str:
    """`normalise`, for the timestamp of a record that passed the record schema: a string with
    `T`, `.` and `Z` where Segment's 24-character form has them is already in that form (the
    schema has proven it a real instant, seconds below 60), and a Unix integer is one day of a
    few, cached."""
    if type(value) is str:
        if len(value) == 24 and value[23] == "Z" and value[19] == "." and value[10] == "T":
            return value
        shifted = _OFFSET.fullmatch(value)
        if shifted is not None:
            return _shifted(*shifted.groups()) or normalise(value)
        return normalise(value)
    if type(value) is int and 0 <= value < UNIX_SECONDS_LIMIT:
        days, seconds = divmod(value, 86400)
        hours, seconds = divmod(seconds, 3600)
        minutes, seconds = divmod(seconds, 60)
        return f"{_unix_day(days)}T{hours:02d}:{minutes:02d}:{seconds:02d}.000Z"
    return normalise(value)


#: A valid instant with a numeric offset: date, hours, minutes, seconds, fraction, offset.
_OFFSET = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"([+-][0-9]{2}):([0-9]{2})"
)


def _shifted(
    day: str,
    hour: str,
    minute: str,
    second: str,
    fraction: str | None,
    off_hour: str,
    off_minute: str,
) -> str | None:
    """A valid instant with an offset, in UTC and Segment's form, by arithmetic on minutes;
    None when the day moves out of 0001…9999 (normalise then says so)."""
    offset = int(off_hour) * 60 + (int(off_minute) if off_hour[0] == "+" else -int(off_minute))
    days, minutes = divmod(int(hour) * 60 + int(minute) - offset, 1440)
    utc_day = _day_after(day, days) if days else day
    if utc_day is None:
        return None
    milliseconds = (fraction or "")[:3].ljust(3, "0")
    return f"{utc_day}T{minutes // 60:02d}:{minutes % 60:02d}:{second}.{milliseconds}Z"


@functools.lru_cache(maxsize=4096)
def _day_after(day: str, days: int) -> str | None:
    try:
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except OverflowError:
        return None


@functools.lru_cache(maxsize=4096)
def _unix_day(days: int) -> str:
    """`YYYY-MM-DD` of the day `days` after 1970-01-01."""
    return (date(1970, 1, 1) + timedelta(days=days)).isoformat()


@functools.lru_cache(maxsize=4096)
def _real_day(text: str) -> bool:
    """`YYYY-MM-DD` names a day that exists (cached: many records share a day)."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_rfc3339(value: object) -> bool:
    """The `date-time` format check. Non-strings pass: `type` is checked elsewhere."""
    if not isinstance(value, str):
        return True
    try:
        parse_rfc3339(value)
    except InstantError:
        return False
    return True


def is_full_date(value: object) -> bool:
    """The `date` format check: `YYYY-MM-DD` and a day that exists."""
    if not isinstance(value, str):
        return True
    return _DATE.fullmatch(value) is not None and _real_day(value)
