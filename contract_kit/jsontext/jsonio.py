"""Strict JSON reading and writing, and mapping a JSON Pointer to a line and column.

One way to read JSON for every command. Beyond what `json` rejects, a record is refused when it
has duplicate keys (one value would be lost silently), `NaN` / `Infinity`, or a number too large
for a double (`1e400`): these are reported as findings with the pointer of the offending value.
Positions are worked out lazily, only for values that have a problem.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import orjson

from contract_kit.jsontext import pointers
from contract_kit.violations import Finding

#: json's own string scanner (C when available): steps over a key while locating.
_scan_string: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WHITESPACE = " \t\n\r"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONSyntaxError(Exception):
    """Text that is not JSON. `offset` is where it breaks (0-based, in characters)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class ExtraDataError(JSONSyntaxError):
    """A complete JSON value followed by more: on a new line, the text is probably NDJSON."""

    def __init__(self, message: str, offset: int, on_new_line: bool) -> None:
        super().__init__(message, offset)
        self.on_new_line = on_new_line


class _DuplicateKeys(dict[str, Any]):
    """An object whose text repeats keys; `duplicates` names them."""

    duplicates: list[str]


@dataclass(frozen=True)
class _BadNumber:
    """Stands in for a number that has no double value (NaN, Infinity, 1e400)."""

    text: str


class _StrictDecoder(json.JSONDecoder):
    """Decodes like `json`, but marks duplicate keys and numbers a double cannot hold."""

    def __init__(self) -> None:
        super().__init__(
            object_pairs_hook=self._object,
            parse_float=self._float,
            parse_int=self._int,
            parse_constant=self._constant,
        )
        self.suspicious = False

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) == len(pairs):
            return result
        self.suspicious = True
        seen: set[str] = set()
        marked = _DuplicateKeys(result)
        marked.duplicates = []
        for key, _ in pairs:
            if key in seen and key not in marked.duplicates:
                marked.duplicates.append(key)
            seen.add(key)
        return marked

    def _float(self, text: str) -> float | _BadNumber:
        value = float(text)
        if value in (float("inf"), float("-inf")):
            self.suspicious = True
            return _BadNumber(text)
        return value

    def _int(self, text: str) -> int | _BadNumber:
        # Python refuses to build ints of more than 4300 digits; a double overflows long before.
        if len(text) > 309:
            self.suspicious = True
            return _BadNumber(text if len(text) <= 20 else text[:12] + "…")
        value = int(text)
        try:
            float(value)
        except OverflowError:
            self.suspicious = True
            return _BadNumber(text)
        return value

    def _constant(self, text: str) -> _BadNumber:
        self.suspicious = True
        return _BadNumber(text)


class Parsed(NamedTuple):  # not a dataclass: ~1 ms less of every start-up
    """A parsed JSON text. `findings` hold duplicate keys and bad numbers, by pointer."""

    value: Any
    findings: tuple[Finding, ...]


def parse(text: str, *, what: str = "file") -> Parsed:
    """Parse a whole JSON text (one value, surrounded by white space only)."""
    decoder = _StrictDecoder()
    start = _skip_whitespace(text, 0)
    if start == len(text):
        raise JSONSyntaxError(
            f"the {what} is empty" if not text else f"the {what} holds only white space", 0
        )
    try:
        value, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as error:
        raise JSONSyntaxError(f"invalid JSON: {_explain(text, error)}", error.pos) from None
    except RecursionError:
        depth, offset = _deepest(text, start)
        levels = f"more than {depth} levels of arrays and objects"
        message = f"invalid JSON: nested too deeply to read ({levels})"
        raise JSONSyntaxError(message, offset) from None
    rest = _skip_whitespace(text, end)
    if rest < len(text):
        on_new_line = text[rest] in "{[" and "\n" in text[end:rest]
        hint = "; a file with one record a line is NDJSON: name it .ndjson or .jsonl"
        message = "invalid JSON: extra data after the first value" + (hint if on_new_line else "")
        raise ExtraDataError(message, rest, on_new_line)
    suspicious = decoder.suspicious or _SURROGATE_ESCAPE.search(text, start, end) is not None
    findings = tuple(_suspicious_values(value)) if suspicious else ()
    return Parsed(value, findings)


def _deepest(text: str, start: int, limit: int = 500) -> tuple[int, int]:
    """Where nesting first goes past `limit` levels (or as deep as it gets): the place to show."""
    depth, deepest, at = 0, 0, start
    for token in _CONTAINER_TOKEN.finditer(text, start):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest, at = depth, token.start()
            if depth > limit:
                return limit, token.start()
        elif mark in ("]", "}"):
            depth -= 1
    return deepest, at


def _explain(text: str, error: json.JSONDecodeError) -> str:
    """json's message, with the common human mistakes named."""
    before = text[: error.pos].rstrip(_WHITESPACE)
    if before.endswith(",") and text[error.pos : error.pos + 1] in "}]":
        return "trailing comma before the closing bracket (JSON allows none)"
    if text.startswith(("//", "/*"), error.pos) or text.startswith("#", error.pos):
        return "comments are not JSON"
    return error.msg


def _suspicious_values(root: Any) -> Iterator[Finding]:
    """Bad numbers, duplicate keys and lone surrogates, by pointer, in document order.

    Iterative: a record nested a thousand levels deep must not overflow Python's stack here.
    """
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), root)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                yield Finding(
                    pointers.join(path),
                    "the string holds a lone UTF-16 surrogate (\\ud800-\\udfff), which UTF-8 "
                    "cannot encode",
                    "unicode",
                )
        elif isinstance(value, _BadNumber):
            yield Finding(
                pointers.join(path),
                f"{value.text} is not a number a double can hold (NaN, Infinity or out of range)",
                "number",
            )
        elif isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                yield Finding(
                    pointers.join((*path, key)),
                    f"duplicate key {key!r}: all but the last value would be lost silently",
                    "duplicateKeys",
                )
            children: list[tuple[tuple[str | int, ...], Any]] = []
            for key, item in value.items():
                if _SURROGATE.search(key):
                    children.append(((*path, key), key))
                children.append(((*path, key), item))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in reversed(list(enumerate(value))))


def _skip_whitespace(text: str, offset: int) -> int:
    length = len(text)
    while offset < length and text[offset] in _WHITESPACE:
        offset += 1
    return offset


# Stepping over values while locating (the text was parsed already): a string, a bracket, or a
# scalar's characters. Iterative, so that deep nesting cannot exhaust Python's stack.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_CONTAINER_TOKEN = re.compile(_STRING + r"|[\[\]{}]")
_SCALAR = re.compile(_STRING + r"|[^,:\]}\s]+")


def skip_value(text: str, offset: int) -> int:
    """Offset just after the JSON value that starts at `offset`."""
    if text[offset] not in "[{":
        match = _SCALAR.match(text, offset)
        return match.end() if match else offset + 1
    depth = 0
    for token in _CONTAINER_TOKEN.finditer(text, offset):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
        elif mark in ("]", "}"):
            depth -= 1
            if depth == 0:
                return token.end()
    return len(text)


def locate(text: str, tokens: Sequence[str], start: int = 0) -> int:
    """Offset where the value at `tokens` starts in `text` (a valid JSON value from `start`).

    A missing member resolves to the object or array that lacks it, the deepest value that
    exists on the path. With duplicate keys, the last one (the one JSON readers keep) is used.
    One lookup; for many in one text, keep a TextIndex.
    """
    return TextIndex(text).locate(tokens, start)


def _member_offsets(text: str, offset: int) -> dict[str, int]:
    """Where the value of each member of the object at `offset` starts (the last one of a
    repeated key, as JSON readers keep it)."""
    members: dict[str, int] = {}
    offset = _skip_whitespace(text, offset + 1)
    while offset < len(text) and text[offset] == '"':
        key, offset = _scan_string(text, offset + 1)
        offset = _skip_whitespace(text, offset)
        offset = _skip_whitespace(text, offset + 1)  # past ':'
        members[key] = offset
        offset = _skip_whitespace(text, skip_value(text, offset))
        if offset < len(text) and text[offset] == ",":
            offset = _skip_whitespace(text, offset + 1)
        else:
            break
    return members


class TextIndex:
    """One JSON text and the indexes that make locating cheap, built on first use.

    Many violations in one large file cost one pass over the text, not one pass each.
    """

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.first_line = first_line
        self._line_starts: list[int] | None = None
        self._members: dict[int, dict[str, int]] = {}
        """Offset of an object -> where each of its members' values starts."""
        self._items: dict[int, list[int]] = {}
        """Offset of an array -> where each of its elements starts."""

    def locate(self, tokens: Sequence[str], start: int = 0) -> int:
        """See the module's `locate`. Each object and array on the way is scanned once for all
        the lookups in it: a record with 100,000 unknown keys is located in one pass, not one
        pass a key."""
        text = self.text
        offset = _skip_whitespace(text, start)
        for token in tokens:
            opener = text[offset] if offset < len(text) else ""
            found: int | None = None
            if opener == "{":
                members = self._members.get(offset)
                if members is None:
                    members = self._members[offset] = _member_offsets(text, offset)
                found = members.get(token)
            elif opener == "[" and token.isdigit():
                items = self._items_at(offset)
                index = int(token)
                found = items[index] if index < len(items) else None
            if found is None:
                return offset
            offset = found
        return offset

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column, in characters, of `offset`."""
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            found = find("\n")
            while found != -1:
                starts.append(found + 1)
                found = find("\n", found + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return self.first_line + line, offset - self._line_starts[line] + 1

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based `line`."""
        self.line_column(0)  # builds the line index
        assert self._line_starts is not None
        return self._line_starts[min(max(line - self.first_line, 0), len(self._line_starts) - 1)]

    def element_start(self, array: tuple[str, ...], index: int) -> int:
        """Offset of element `index` of the array at pointer tokens `array`."""
        return self._items_at(self.locate(array))[index]

    def _items_at(self, offset: int) -> list[int]:
        items = self._items.get(offset)
        if items is None:
            items = self._items[offset] = _element_offsets(self.text, offset)
        return items


def _element_offsets(text: str, offset: int) -> list[int]:
    offsets: list[int] = []
    offset = _skip_whitespace(text, offset + 1)
    if offset < len(text) and text[offset] == "]":
        return offsets
    while offset < len(text):
        offsets.append(offset)
        offset = _skip_whitespace(text, skip_value(text, offset))
        if offset >= len(text) or text[offset] != ",":
            break
        offset = _skip_whitespace(text, offset + 1)
    return offsets


def line_column(text: str, offset: int, first_line: int = 1) -> tuple[int, int]:
    """1-based line and column, in characters, of `offset` in `text` (one-off; see TextIndex)."""
    line_start = text.rfind("\n", 0, offset) + 1
    return first_line + text.count("\n", 0, offset), offset - line_start + 1


# Writing: orjson, the one serialiser for output, goldens and messageIds (and the fastest).
# Python's json writes what orjson cannot (integers beyond 64 bits), in the same layout.


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """Compact UTF-8 JSON bytes, keys in the order given (or sorted). Always valid UTF-8: a lone
    surrogate (a rejected record's key, written to --rejects) is written as its `\\udc80`
    escape, the same JSON value."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:
        text = json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, sort_keys=sort_keys
        )
        return _LONE_SURROGATE.sub(_escaped, text).encode("utf-8")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dump_compact(value: Any) -> str:
    """Compact JSON, keys in the order given: the NDJSON output form."""
    return dumps(value).decode("utf-8", "surrogatepass")


def dump_pretty(value: Any) -> str:
    """Two-space indent and a trailing newline: the golden file form."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def compact_size(value: Any) -> int:
    """Size in bytes of the compact UTF-8 JSON: how Segment measures its 32 KB limit."""
    return len(dumps(value))


# Reading fast: orjson, when the text is plain enough that it reads exactly as the strict reader
# would. Anything else (NaN, 1e400, lone surrogates, huge integers, deep nesting, duplicate keys)
# is left to `parse`, which names the problem.

#: A key written with white space before its colon, an escaped quote or colon that could hide a
#: key's end, or a run of 19+ digits (an integer orjson might read as a float): left to the
#: strict reader.
_SPACED_KEY = re.compile(rb'"\s+:')
_ESCAPES_THAT_WRITE_BACK_AS_KEY_ENDS = (b"\\u0022", b"\\u003a", b"\\u003A")
_DIGIT_RUN = b"0" * 19  # orjson reads integers beyond 64 bits (20 digits, or -2^63 - 1) as floats
_DIGITS_AS_ZERO = bytes(48 if 48 <= byte <= 57 else 46 for byte in range(256))
_KEY_END = b'":'
UNUSUAL: Any = object()
"""Returned by `quick_load` when only the strict reader can tell what the text holds."""


def _plain(raw: bytes) -> bool:
    if any(escape in raw for escape in _ESCAPES_THAT_WRITE_BACK_AS_KEY_ENDS):
        return False  # an escaped " or : written back could stand in for a lost key end
    if _DIGIT_RUN in raw.translate(_DIGITS_AS_ZERO):
        return False
    if b"\n" in raw:  # a document: white space after a quote is common, so ask the regex
        return _SPACED_KEY.search(raw) is None
    # One NDJSON line: a quote followed by white space is rare enough to send to the strict reader.
    return not (b'" ' in raw or b'"\t' in raw or b'"\r' in raw)


def quick_load(raw: bytes) -> Any:
    """The value of a plain JSON text, or UNUSUAL.

    Duplicate keys are caught without a hook: every key is followed by `":` in a plain text, and
    orjson keeps one value per key, so writing the value back holds fewer `":` exactly when a
    key was repeated.
    """
    if not _plain(raw):
        return UNUSUAL
    try:
        value = orjson.loads(raw)
        written = orjson.dumps(value)
    except (orjson.JSONDecodeError, TypeError):  # TypeError: nested deeper than orjson writes
        return UNUSUAL
    if raw.count(_KEY_END) != written.count(_KEY_END):
        return UNUSUAL
    return value
