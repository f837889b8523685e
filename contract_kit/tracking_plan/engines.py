"""The two validators of a plan schema, and where they may disagree.

The compiled validator (jsonschema-rs) answers valid or invalid, fast; the reference validator
(jsonschema) words and places violations. A message is trusted to the compiled answer only
where the two read the same way, so that a value gets one verdict whatever path it takes:

- instants and dates (`date-time`, `date`): the contract's reader refuses leap seconds, year 0
  and naive times, which the compiled one accepts: a message holding a date-like string that
  is not plainly fine goes to the reference;
- patterns with `\\s`, `\\b`, `\\p` (or their negations): the engines' classes differ beyond
  ASCII and on a few control characters (the compiled `\\b` is Unicode's, the reference's ASCII;
  Unicode versions differ): such text goes to the reference (with `\\d` and `\\w` too, which
  both read as ASCII: a margin that costs only time);
- `multipleOf` with a fractional step: the reference reads decimals exactly (19.99 is a
  multiple of 0.01), as the compiled one does;
- `$` in `pattern` and in `patternProperties` names means the end of the string (ECMA-262), in
  both; both run patterns in linear time (the `regex` crate, RE2: patterns.py), and a pattern
  that needs backtracking (lookaround, a backreference) is refused when the plan loads;
- formats: the reference checks `date-time`, `date` (the contract's rules), `email` (looser
  than the compiled check), `ipv4`, `ipv6` and, from 2019-09 on, `uuid`; others (`uri`, ...)
  it does not check, so it never refuses what the compiled one accepts. A schema with `ipv4`,
  `ipv6` or `uuid`, or with any format under `not`, `oneOf`, `anyOf`, `if` or `contains`
  (where failing is a way to pass), or with a pattern with inline flags, leaves every verdict
  to the reference: there the engines might read a value apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from functools import cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from contract_kit.checking import compiled as contract_compiled
from contract_kit.jsontext import jsonio, pointers
from contract_kit.tracking_plan import dialects
from contract_kit.tracking_plan.model import schema_keywords

if TYPE_CHECKING:
    from jsonschema.protocols import Validator


class CompileError(Exception):
    """A schema that cannot be used, and the pointer of the keyword at fault."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer


def schema_problem(schema: Any, dialect: str) -> tuple[str, str] | None:
    """(pointer, message) of the first thing that makes `schema` unusable, or None: refused by
    its dialect's metaschema, a `$ref` that leads nowhere, a pattern either engine refuses (one
    that needs backtracking among them)."""
    problem = dialects.metaschema_problem(schema, dialect)
    if problem is not None:
        return problem
    try:
        compile_schema(schema, dialect)
    except CompileError as error:
        return error.pointer, f"cannot be used as a schema: {error}"
    return None


def compile_schema(schema: Any, dialect: str) -> jsonschema_rs.Validator:
    """The compiled validator (nothing is fetched over the network). Raises CompileError."""
    for path, pattern in _patterns(schema):
        _check_pattern(pattern, path)
    try:
        return _compiled(schema, dialect)
    except ValueError as error:
        message = str(error).splitlines()[0]
        refs = [
            path
            for path, keyword, value in schema_keywords(schema)
            if keyword == "$ref" and isinstance(value, str) and f"'{value.lstrip('#')}'" in message
        ]
        raise CompileError(message, pointers.join(refs[0]) if refs else "") from None


def _compiled(schema: Any, dialect: str) -> jsonschema_rs.Validator:
    document = {"$schema": dialect, **schema} if isinstance(schema, dict) else schema
    return jsonschema_rs.validator_for(
        document, validate_formats=True, offline=True, pattern_options=contract_compiled.LINEAR
    )


def _patterns(schema: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every regular expression of a schema, by the path to it."""
    for path, keyword, value in schema_keywords(schema):
        if keyword == "pattern" and isinstance(value, str):
            yield path, value
        if keyword == "patternProperties" and isinstance(value, dict):
            for pattern in value:
                yield (*path, pattern), pattern


def _check_pattern(pattern: str, path: tuple[str | int, ...]) -> None:
    """A pattern both engines can run in linear time, or CompileError at its place."""
    from contract_kit.checking import patterns

    try:
        patterns.compiled(pattern)
    except patterns.PatternError as error:
        raise CompileError(f"pattern {pattern!r} {error}", pointers.join(path)) from None
    try:
        _compiled({"pattern": pattern}, dialects.DRAFT_07)
    except ValueError:
        message = f"pattern {pattern!r} is not a regular expression the compiled validator reads"
        raise CompileError(message, pointers.join(path)) from None


_CLASS_ESCAPE = re.compile(r"\\[dDwWsSbBpP]")


@dataclass(frozen=True)
class Engines:
    """A schema's two validators, and which strings they may judge apart under it."""

    fast: jsonschema_rs.Validator
    reference: Validator
    dates: bool
    """A `date` or `date-time` format is used."""
    classes: bool
    """A pattern uses a character class escape."""
    class_paths: tuple[tuple[str, ...], ...] | None = None
    """Where in the value those patterns apply, when only `properties` lead to them (a
    `userId` pattern need not send a message with accented names to the reference); None:
    anywhere."""
    reference_only: bool = False
    """The engines may disagree on any value (see the module's docstring)."""

    def trusts(self, value: Any, odd: Oddities) -> bool:
        """Whether the compiled answer alone says `value` is valid."""
        if self.reference_only or (self.dates and odd.dates):
            return False
        if self.classes and odd.text:
            if self.class_paths is None:
                return False
            if any(_odd_string(_member(value, path)) for path in self.class_paths):
                return False
        return bool(self.fast.is_valid(value))


def build(schema: Any, dialect: str) -> Engines:
    with_classes = [path for path, pattern in _patterns(schema) if _CLASS_ESCAPE.search(pattern)]
    refers = any(keyword in _REFERENCES for _, keyword, _ in schema_keywords(schema))
    formats = [(path, value) for path, key, value in schema_keywords(schema) if key == "format"]
    reference_only = any(_INLINE_FLAGS.search(pattern) for _, pattern in _patterns(schema)) or any(
        value in _READ_APART_FORMATS or any(step in _MAY_INVERT for step in path)
        for path, value in formats
    )
    reference = dialects.validator_class(dialect)(
        schema, format_checker=format_checker(dialects.defines_uuid(dialect))
    )
    return Engines(
        compile_schema(schema, dialect),
        reference,
        dates=any(
            keyword == "format" and value in ("date", "date-time")
            for _, keyword, value in schema_keywords(schema)
        ),
        classes=bool(with_classes),
        class_paths=None if refers else _instance_paths(with_classes),
        reference_only=reference_only,
    )


#: Formats both engines check, not quite alike (see format_checker).
_READ_APART_FORMATS = frozenset({"ipv4", "ipv6", "uuid"})
#: Keywords under which a subschema's failure can make the whole pass.
_MAY_INVERT = frozenset({"not", "oneOf", "anyOf", "if", "contains"})
#: Keywords that reuse a subschema elsewhere in the value.
_REFERENCES = frozenset({"$ref", "$dynamicRef", "$recursiveRef"})
_INLINE_FLAGS = re.compile(r"\(\?[a-zA-Z]")


def _instance_paths(
    schema_paths: list[tuple[str | int, ...]],
) -> tuple[tuple[str, ...], ...] | None:
    """The value paths that `pattern` keywords at `schema_paths` apply to, when each is reached
    through `properties` only (`properties/userId/pattern` applies to `userId`); else None."""
    found = []
    for path in schema_paths:
        *steps, last = path
        if (
            last != "pattern"
            or len(steps) % 2
            or any(steps[i] != "properties" for i in range(0, len(steps), 2))
        ):
            return None
        found.append(tuple(str(name) for name in steps[1::2]))
    return tuple(found)


def _member(value: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _odd_string(value: Any) -> bool:
    """Text the engines' character classes may read apart: not ASCII, or U+001C-U+001F."""
    return isinstance(value, str) and (
        not value.isascii() or contract_compiled.DISPUTED_SPACE.search(value) is not None
    )


@dataclass(frozen=True)
class Oddities:
    """Which strings of one message the engines may read apart, found once in its JSON."""

    dates: bool
    """A string that starts like a date but is not a plain date or instant."""
    text: bool
    """Text that is not ASCII, or holds U+001C-U+001F (white space to Python, not to Rust)."""

    @classmethod
    def of(cls, serialised: bytes) -> Oddities:
        dates = any(
            not _plain_date_or_instant(found.decode("ascii", "replace"))
            for found in _DATE_STRING.findall(serialised)
        )
        text = not serialised.isascii() or _ODD_SPACE.search(serialised) is not None
        return cls(dates, text)

    @classmethod
    def of_value(cls, value: Any) -> Oddities:
        return cls.of(jsonio.dumps(value))


_DATE_STRING = re.compile(rb'"([0-9]{4}-[0-9]{2}-[0-9]{2}[^"]*)"')
_ODD_SPACE = re.compile(rb"\\u001[c-fC-F]")  # compiled.DISPUTED_SPACE, as JSON escapes them
_PLAIN_DATE = re.compile(r"(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _plain_date_or_instant(text: str) -> bool:
    """A date or instant both engines read alike: not a leap second, not year 0, an offset
    that keeps it within 0001-9999."""
    return bool(contract_compiled.PLAIN_INSTANT.fullmatch(text) or _PLAIN_DATE.fullmatch(text))


@cache
def format_checker(uuid: bool = False) -> Any:
    """The contract's `date-time` and `date`; `email` (jsonschema's check only asks for an @,
    which every address the compiled validator accepts has); `ipv4` and `ipv6` (Python's
    ipaddress); `uuid` where the dialect defines it."""
    from jsonschema import FormatChecker

    from contract_kit.checking import schemas

    names = ("email", "idn-email", "ipv4", "ipv6") + (("uuid",) if uuid else ())
    checker = FormatChecker(formats=names)
    contract = schemas.format_checker()
    for name in ("date-time", "date"):
        checker.checkers[name] = contract.checkers[name]
    return checker


def multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """`multipleOf` read in decimals, as written: 19.99 is a multiple of 0.01 (in binary
    floating point it is not)."""
    from jsonschema import ValidationError

    if not validator.is_type(instance, "number"):
        return
    try:
        with localcontext() as context:
            context.prec = 1000  # enough digits for any quotient of two doubles
            exact = Decimal(repr(instance)) % Decimal(repr(step)) == 0
    except InvalidOperation:  # beyond even that: what floating point says
        quotient = float(instance) / float(step)
        exact = math.isfinite(quotient) and quotient == int(quotient)
    if not exact:
        yield ValidationError(f"{instance!r} is not a multiple of {step!r}")
