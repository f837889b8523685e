"""JSON Schema `pattern` with ECMA-262 anchors, as the specification (and ajv) reads them.

jsonschema tests patterns with Python's `re.search`, where `$` also matches before a final
newline: `^[A-Z]{3}$` would accept "EUR\\n", and `"point_add\\n"` would reach Segment as an event
name. Translating an unescaped `$` outside a character class into `\\Z` gives the ECMA meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import ValidationError  # imported only with the reference validator


def to_python(pattern: str) -> str:
    """`^a$` -> `^a\\Z`; escaped `\\$` and `[$]` are left alone."""
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            out.append(r"\Z")
            continue
        out.append(char)
    return "".join(out)


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(to_python(pattern))


def keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """The `pattern` keyword, for jsonschema.validators.extend."""
    if validator.is_type(instance, "string") and not compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")
