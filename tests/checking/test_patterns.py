"""Schema patterns are read with ECMA-262 anchors, as ajv and the specification read them, and
run in linear time (RE2) with the meaning Python's `re` gave them."""

from __future__ import annotations

import array
import random
import re
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft201909Validator, Draft202012Validator, validators

import contract_kit
from contract_kit.checking import patterns


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


# the linear engine (RE2) reads patterns as before, `\d \w \b` as ECMA-262 ---------------------


@pytest.mark.parametrize(
    ("pattern", "spelled"),
    [
        ("^[A-Z]{3}$", r"^[A-Z]{3}\z"),
        (r"^a\$$", r"^a\$\z"),
        ("^[$]+$", r"^[$]+\z"),
        (r"^[\]$]$", r"^[\]$]\z"),
        ("^[]$]$", r"^[]$]\z"),  # a `]` right after `[` is a character, so `$` is too
        ("^[^]$]$", r"^[^]$]\z"),
        (r"\u00e9\U0001F600", r"\x{00e9}\x{0001F600}"),
        ("[[:alpha:]]", r"[\[:alpha:]]"),  # not RE2's POSIX class: the characters, as in `re`
        (r"[\b]\b", r"[\x{8}]\b"),  # a backspace in a class, a word boundary outside
        ("\udc80", r"\x{dc80}"),  # a lone surrogate UTF-8 cannot carry
        (r"^\d\w\D\W$", r"^\d\w\D\W\z"),  # RE2's own: ASCII, as ECMA-262's
        (r"[\s-]", r"[\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
                   r"\x{2028}-\x{2029}\x{202f}\x{205f}\x{3000}\-]"),
    ],
)  # fmt: skip
def test_patterns_are_spelled_for_re2(pattern: str, spelled: str) -> None:
    assert patterns.translate(pattern, "re2") == spelled


def test_to_python_keeps_a_leading_bracket_in_its_class() -> None:
    assert patterns.to_python("^[]$]$") == r"^[]$]\Z"


def every_code_point() -> str:
    every = array.array("I", range(0x110000))
    if array.array("I", [1]).tobytes()[0] != 1:
        every.byteswap()
    return every.tobytes().decode("utf-32-le", "surrogatepass")


def test_white_space_is_pythons_over_all_of_unicode() -> None:
    runs = tuple((m.start(), m.end() - 1) for m in re.finditer(r"\s+", every_code_point()))
    assert runs == patterns.PYTHON_SPACE


def sample_code_points() -> list[int]:
    edges = {0, 0x10FFFF, *range(0x3100), *range(0xD7F0, 0xE010)}
    for low, high in patterns.PYTHON_SPACE:
        edges |= {low - 1, low, high, high + 1}
    edges |= set(random.Random(11).sample(range(0x110000), 20_000))
    return sorted(edges)


#: RE2's class escape (ECMA-262's meaning, in Python's `re`: `\s` is Python's own).
CLASSES = {
    r"\d": "[0-9]", r"\D": "[^0-9]", r"\w": "[0-9A-Za-z_]", r"\W": "[^0-9A-Za-z_]",
    r"\s": r"\s", r"\S": r"\S", r"[\d]": "[0-9]", r"[^\d]": "[^0-9]", r"[\w]": "[0-9A-Za-z_]",
    r"[^\w]": "[^0-9A-Za-z_]", r"[\s]": r"[\s]", r"[^\s]": r"[^\s]", r"[#\S]": r"[#\S]",
    r"[^\W\d_]": "[A-Za-z]", r"[\d\s]": r"[0-9\s]",
}  # fmt: skip


@pytest.mark.parametrize(("ecma", "python"), CLASSES.items(), ids=list(CLASSES))
def test_class_escapes_read_alike_over_unicode(ecma: str, python: str) -> None:
    text = "".join(map(chr, sample_code_points()))
    data = text.encode("utf-8", "surrogatepass")
    offsets = [0]
    for char in text[:-1]:
        offsets.append(offsets[-1] + len(char.encode("utf-8", "surrogatepass")))
    expected = [offsets[m.start()] for m in re.finditer(python, text)]
    found = [m.start() for m in patterns.compiled(ecma).finditer(data)]
    assert found == expected


#: Patterns without `\d \w \b`: RE2 reads them as Python's `re` did (with ECMA-262's `$`).
AS_BEFORE = [
    "^[A-Z]{3}$", "^[a-z]{2}$", r"^\S(?:[\s\S]*\S)?$", r"\S", r"^.$", r"^.*$", "(?i)^k$",
    r"^\u00e9+$", r"^[^$]$", "a|b$", r"^(?:\s*[0-9]){2}$", "^$", "(?s)^.$", r"^\x41$",
    r"^[^\s]+$", "^[é-ú]+$", r"^\S+@\S+$",
]  # fmt: skip
TEXTS = [
    "", "EUR", "EUR\n", "eur", "a", "ab", "a\n", "\n", "١٢٣", "12", "é", "éé", "K", "k", "\u212a",
    "a b", "a\x1c", "\x85", "\u00a0", "\u3000x", "x\u2028", "\r", "$", "_", "a.b@c-d.ef", "\udc80",
    "A", "\U0001d7d8\U0001d7d9", "\ufeff", "a\x0b", "1 2", " 1 2", "ñ", "a@b", "x@\x1f",
]  # fmt: skip


def test_re2_reads_patterns_without_ascii_classes_as_python_did() -> None:
    for pattern in AS_BEFORE:
        for text in TEXTS:
            expected = re.search(patterns.to_python(pattern), text) is not None
            assert patterns.search(pattern, text) == expected, (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "text", "now", "before"),
    [
        (r"^\d+$", "١٢٣", False, True),  # Arabic-Indic digits are not `[0-9]`
        (r"^\w+$", "éé", False, True),
        (r"^\W$", "é", True, False),
        (r"\bé", " é", False, True),  # nor is é a word character to `\b`
        (r"^[^\W\d_]+$", "ñ", False, True),
        (r"^\d+$", "12", True, True),
    ],
)
def test_ascii_classes_read_as_ecma_262(pattern: str, text: str, now: bool, before: bool) -> None:
    """The reading that changed (docs/decisions.md): as ajv, Segment and the compiled validator."""
    assert patterns.search(pattern, text) is now
    assert (re.search(patterns.to_python(pattern), text) is not None) is before


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(a)\1", "backtracking"),
        ("(?=a)", "backtracking"),
        ("(?<=a)b", "backtracking"),
        ("(?!a)", "backtracking"),
        ("(?P<n>a)(?P=n)", "backtracking"),
        ("([", "not a regular expression"),
        ("a{1001}", "not a regular expression"),
    ],
)
def test_what_re2_cannot_run_is_refused_with_the_reason(pattern: str, words: str) -> None:
    with pytest.raises(patterns.PatternError, match=words):
        patterns.compiled(pattern)


def test_a_lone_surrogate_in_the_text_is_a_code_point() -> None:
    assert patterns.search(r"^\S$", "\udc80")
    assert not patterns.search(r"^\s$", "\udc80")
    assert patterns.search("^\udc80$", "\udc80")


# jsonschema's keywords that consult patterns: ours give jsonschema's answers -----------------

SAFE = "^x_"  # a pattern both engines read alike
OVERRIDDEN_SCHEMAS = [
    {"patternProperties": {SAFE: {"type": "integer"}}},
    {"patternProperties": {SAFE: {"type": "integer"}, "y": True}, "additionalProperties": False},
    {"properties": {"a": True}, "patternProperties": {SAFE: True},
     "additionalProperties": {"type": "string"}},
    {"patternProperties": {SAFE: True}, "unevaluatedProperties": False},
    {"allOf": [{"patternProperties": {SAFE: True}}], "unevaluatedProperties": {"type": "string"}},
    {"$defs": {"d": {"patternProperties": {SAFE: True}}}, "$ref": "#/$defs/d",
     "unevaluatedProperties": False},
    {"if": {"required": ["a"]}, "then": {"patternProperties": {SAFE: True}},
     "else": {"properties": {"b": True}}, "unevaluatedProperties": False},
    {"dependentSchemas": {"a": {"patternProperties": {SAFE: True}}},
     "properties": {"a": True}, "unevaluatedProperties": False},
    {"anyOf": [{"properties": {"a": {"type": "integer"}}}, {"patternProperties": {SAFE: True}}],
     "unevaluatedProperties": {"type": "integer"}},
    {"propertyNames": {"pattern": SAFE}},
    {"additionalProperties": {"type": "integer"}, "unevaluatedProperties": False},
]  # fmt: skip
OVERRIDDEN_INSTANCES = [
    {}, {"x_1": 1}, {"x_1": "s"}, {"a": 1, "x_1": 1, "z": "s"}, {"a": "s", "b": 2},
    {"y": 1, "x_y": 2}, {"z": 1, "zz": "s"}, {"a": 1}, "not an object",
]  # fmt: skip


@pytest.mark.parametrize("base", [Draft202012Validator, Draft201909Validator, Draft7Validator])
def test_the_overridden_keywords_answer_as_jsonschemas(base: Any) -> None:
    ours = validators.extend(base, patterns.keywords(base))  # type: ignore[no-untyped-call]
    for schema in OVERRIDDEN_SCHEMAS:
        for instance in OVERRIDDEN_INSTANCES:
            expected = [(e.message, list(e.path)) for e in base(schema).iter_errors(instance)]
            found = [(e.message, list(e.path)) for e in ours(schema).iter_errors(instance)]
            assert found == expected, (schema, instance)


def test_draft_07_does_not_gain_unevaluated_properties() -> None:
    assert set(patterns.keywords(Draft7Validator)) == {
        "pattern", "patternProperties", "additionalProperties"
    }  # fmt: skip
