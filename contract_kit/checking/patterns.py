"""JSON Schema patterns, run in linear time, with ECMA-262 anchors.

Every regular expression of a schema (the contract's own and a tracking plan's: `pattern`,
`patternProperties`, and through them `additionalProperties` and `unevaluatedProperties`) runs
on RE2 (google-re2): an automaton, without backtracking, so no pattern can stall a run whatever
text it meets (`^(a+)+$` against 49 a's and a `!` takes microseconds; Python's `re` would take
years). A pattern RE2 cannot run (a backreference, lookaround) is refused (PatternError): a
plan names its place (tracking_plan/engines.py), and every bundled schema's patterns compile
(tests/checking/test_pattern_time.py).

How patterns read (docs/decisions.md):

- `$` outside a character class is the end of the string, as in ECMA-262 (Python's and RE2's
  `$` would also match before a final newline: `^[A-Z]{3}$` would accept "EUR\\n");
- `\\d`, `\\w` and `\\b` (and their negations) are ASCII, as in ECMA-262 (and ajv, and the
  compiled validator): `\\d` is `[0-9]`. Python's `re`, which the reference validator used
  before, read them over all of Unicode; spelled out for RE2, those classes made a pattern such
  as `^\\w{1,255}$` take a third of a second to compile, and `^\\W{0,1000}$` too large to run;
- `\\s` and `\\S` keep Python's reading (U+001C-U+001F and U+0085 are white space, as the
  contract decided for an action's ends), spelled out for RE2, whose `\\s` is ASCII;
- `\\uXXXX` (ECMA-262) and `\\UXXXXXXXX` are code points, `[` inside a class is a character
  (RE2 would read `[[:alpha:]]` as a POSIX class), `[\\b]` is a backspace.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any, Literal

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information
from jsonschema import ValidationError  # imported only with the reference validator
from referencing.jsonschema import lookup_recursive_ref

Target = Literal["python", "re2"]


class PatternError(ValueError):
    """A pattern the linear engine cannot run; the message says why, after "pattern 'p' "."""


def translate(pattern: str, target: Target) -> str:
    """An ECMA-262 pattern in `target`'s syntax, with the meaning the module's docstring gives.

    For Python's `re`: `^a$` -> `^a\\Z` (and nothing else changes). For RE2: `^a$` -> `^a\\z`,
    and `\\s`, code point escapes and brackets inside a class are spelled out."""
    to_re2 = target == "re2"
    out: list[str] = []
    in_class = False
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        index += 1
        if char == "\\" and index < length:
            escape = pattern[index]
            index += 1
            if to_re2:
                if escape in "sS":
                    out.append(_space(negated=escape == "S", in_class=in_class))
                    if in_class and pattern.startswith("-", index):  # `[\s-z]`: `-` is literal
                        out.append("\\-")
                        index += 1
                    continue
                digits = {"u": 4, "U": 8}.get(escape, 0)
                code = pattern[index : index + digits]
                if digits and len(code) == digits and all(c in _HEX for c in code):
                    out.append(f"\\x{{{code}}}")
                    index += digits
                    continue
                if escape == "b" and in_class:
                    out.append("\\x{8}")
                    continue
            out.append(char + escape)
            continue
        if in_class:
            if char == "]":
                in_class = False
            elif char == "[" and to_re2:
                out.append("\\[")
                continue
        elif char == "[":
            in_class = True
            out.append(char)
            # Right after `[` or `[^`, a `]` is a character, not the end of the class.
            for optional in ("^", "]"):
                if pattern.startswith(optional, index):
                    out.append(optional)
                    index += 1
            continue
        elif char == "$":
            out.append("\\z" if to_re2 else "\\Z")
            continue
        if to_re2 and "\ud800" <= char <= "\udfff":  # UTF-8 cannot carry a lone surrogate
            out.append(f"\\x{{{ord(char):x}}}")
            continue
        out.append(char)
    return "".join(out)


def to_python(pattern: str) -> str:
    """`^a$` -> `^a\\Z`; escaped `\\$` and `[$]` are left alone."""
    return translate(pattern, "python")


_HEX = frozenset("0123456789abcdefABCDEF")

#: Python's `\\s` (str patterns): what `str.isspace` holds, U+001C-U+001F and U+0085 among it.
#: tests/checking/test_patterns.py checks it against `re` over the whole of Unicode.
PYTHON_SPACE = ((0x09, 0x0D), (0x1C, 0x20), (0x85, 0x85), (0xA0, 0xA0), (0x1680, 0x1680),
                (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F),
                (0x3000, 0x3000))  # fmt: skip
_LAST_CODE_POINT = 0x10FFFF


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    gaps, start = [], 0
    for low, high in ranges:
        if low > start:
            gaps.append((start, low - 1))
        start = high + 1
    if start <= _LAST_CODE_POINT:
        gaps.append((start, _LAST_CODE_POINT))
    return tuple(gaps)


@cache
def _space(negated: bool, in_class: bool) -> str:
    """Python's `\\s` (or `\\S`) in RE2's syntax: ranges inside a class, else a class."""
    ranges = _complement(PYTHON_SPACE) if negated and in_class else PYTHON_SPACE
    items = "".join(
        f"\\x{{{low:x}}}" + (f"-\\x{{{high:x}}}" if high > low else "") for low, high in ranges
    )
    if in_class:
        return items
    return f"[^{items}]" if negated else f"[{items}]"


#: Constructs that only a backtracking engine runs: lookaround, backreferences.
_BACKTRACKING = re.compile(r"\(\?<?[=!]|\\[1-9]|\\k<|\(\?P=")


@cache
def compiled(pattern: str) -> Any:
    """The RE2 program of a schema's pattern. Raises PatternError."""
    options = re2.Options()
    options.log_errors = False  # RE2 would also write the error to stderr
    try:
        return re2.compile(translate(pattern, "re2"), options)
    except re2.error as error:
        reason = error.args[0] if error.args else "unknown error"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        if _BACKTRACKING.search(pattern):
            raise PatternError(
                "needs a backtracking engine (lookaround or a backreference), which could take "
                f"years on some strings: contract-kit runs patterns in linear time ({reason})"
            ) from None
        raise PatternError(f"is not a regular expression contract-kit can run: {reason}") from None


def search(pattern: str, text: str) -> bool:
    """Whether `pattern` matches somewhere in `text` (as ECMA-262's `RegExp.test`)."""
    # A lone surrogate (a JSON "\\udc80") is a code point to the pattern, as it was to `re`.
    return compiled(pattern).search(text.encode("utf-8", "surrogatepass")) is not None


# jsonschema's keywords that run regular expressions on the instance, on RE2 --------------------


Keyword = Callable[[Any, Any, Any, Any], Iterator[ValidationError]]


def keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """The `pattern` keyword (and `propertyNames` patterns, which come through it)."""
    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def pattern_properties(
    validator: Any, pattern_schemas: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """`patternProperties`: jsonschema's, with `search` for `re.search`."""
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pattern_schemas.items():
        for name, value in instance.items():
            if search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def unnamed_members(instance: dict[str, Any], schema: dict[str, Any]) -> Iterator[str]:
    """The members of `instance` that neither `properties` nor `patternProperties` names."""
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    for name in instance:
        if name not in properties and not any(search(pattern, name) for pattern in patterns):
            yield name


def _listed(names: list[str]) -> tuple[str, str]:
    return ", ".join(repr(name) for name in names), "was" if len(names) == 1 else "were"


def additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """`additionalProperties`: jsonschema's, with `search` for `re.search`."""
    if not validator.is_type(instance, "object"):
        return
    extras = set(unnamed_members(instance, schema))
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            error = "Additional properties are not allowed (%s %s unexpected)"
            yield ValidationError(error % _listed(sorted(extras, key=str)))


def _valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None


def _evaluated_keys(validator: Any, instance: Any, schema: Any, legacy: bool) -> list[str]:
    """The members that `schema` evaluates, for `unevaluatedProperties`: jsonschema's
    `find_evaluated_property_keys_by_schema` (2020-12) and, with `legacy`, its 2019-09 one,
    with `search` for `re.search`."""
    if validator.is_type(schema, "boolean"):
        return []
    keys: list[str] = []
    references = [schema["$ref"]] if "$ref" in schema else []
    if not legacy and "$dynamicRef" in schema:
        references.append(schema["$dynamicRef"])
    resolved_schemas = [validator._resolver.lookup(reference) for reference in references]
    if legacy and "$recursiveRef" in schema:
        resolved_schemas.append(lookup_recursive_ref(validator._resolver))
    for resolved in resolved_schemas:
        evolved = validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
        keys += _evaluated_keys(evolved, instance, resolved.contents, legacy)

    if legacy:
        for name in ("properties", "additionalProperties", "unevaluatedProperties"):
            if name in schema:
                value = schema[name]
                if validator.is_type(value, "boolean") and value:
                    keys += instance.keys()
                elif validator.is_type(value, "object"):
                    keys += [member for member in value if member in instance]
    else:
        properties = schema.get("properties")
        if validator.is_type(properties, "object"):
            keys += properties.keys() & instance.keys()
        for name in ("additionalProperties", "unevaluatedProperties"):
            subschema = schema.get(name)
            if subschema is not None:
                keys += [
                    member
                    for member, value in instance.items()
                    if _valid(validator.descend(value, subschema))
                ]

    for pattern in schema.get("patternProperties", {}):
        keys += [member for member in instance if search(pattern, member)]

    for member, subschema in schema.get("dependentSchemas", {}).items():
        if member in instance:
            keys += _evaluated_keys(validator, instance, subschema, legacy)

    for name in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(name, []):
            if _valid(validator.descend(instance, subschema)):
                keys += _evaluated_keys(validator, instance, subschema, legacy)

    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys += _evaluated_keys(validator, instance, schema["if"], legacy)
            if "then" in schema:
                keys += _evaluated_keys(validator, instance, schema["then"], legacy)
        elif "else" in schema:
            keys += _evaluated_keys(validator, instance, schema["else"], legacy)
    return keys


def _unevaluated_properties(legacy: bool) -> Keyword:
    def unevaluated_properties(
        validator: Any, unevaluated: Any, instance: Any, schema: Any
    ) -> Iterator[ValidationError]:
        """`unevaluatedProperties`: jsonschema's, with `search` for `re.search`."""
        if not validator.is_type(instance, "object"):
            return
        evaluated = _evaluated_keys(validator, instance, schema, legacy)
        refused = [  # once per error, as jsonschema lists them
            member
            for member in instance
            if member not in evaluated
            for _ in validator.descend(
                instance[member], unevaluated, path=member, schema_path=member
            )
        ]
        if refused and unevaluated is False:
            error = "Unevaluated properties are not allowed (%s %s unexpected)"
            yield ValidationError(error % _listed(sorted(refused, key=str)))
        elif refused:
            error = (
                "Unevaluated properties are not valid under the given schema "
                "(%s %s unevaluated and invalid)"
            )
            yield ValidationError(error % _listed(refused))

    return unevaluated_properties


def keywords(base: Any) -> dict[str, Keyword]:
    """For `jsonschema.validators.extend(base, ...)`: the keywords of `base` (a jsonschema
    validator class) that run regular expressions on the instance, on RE2. No others: draft-07
    must not gain `unevaluatedProperties`."""
    ours: dict[str, Keyword] = {
        "pattern": keyword,
        "patternProperties": pattern_properties,
        "additionalProperties": additional_properties,
        # 2019-09 has `$recursiveRef`, and its own reading of evaluated properties
        "unevaluatedProperties": _unevaluated_properties("$recursiveRef" in base.VALIDATORS),
    }
    known: Mapping[str, Any] = base.VALIDATORS
    return {name: function for name, function in ours.items() if name in known}
