"""Which JSON Schema dialect a plan file is written in, and whether it is a valid schema of it.

Segment writes draft-07 (and puts `id` where draft-07 has `$id`: an unknown keyword there, so it
is accepted and ignored); hand-written plans may be 2020-12. A file without `$schema` takes the
dialect of its Segment envelope, else draft-07, Protocols' dialect.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from contract_kit.jsontext import pointers

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

DRAFT_07 = "http://json-schema.org/draft-07/schema#"

#: `$schema` (without a trailing `#`, either scheme) to jsonschema's validator class name.
_DIALECTS = {
    "json-schema.org/draft-04/schema": "Draft4Validator",
    "json-schema.org/draft-06/schema": "Draft6Validator",
    "json-schema.org/draft-07/schema": "Draft7Validator",
    "json-schema.org/draft/2019-09/schema": "Draft201909Validator",
    "json-schema.org/draft/2020-12/schema": "Draft202012Validator",
}


def _key(uri: str) -> str:
    return uri.split("://", 1)[-1].rstrip("#")


def dialect_of(schema: Any, envelope: Any = None) -> str:
    """The `$schema` that governs `schema`: its own, its envelope's, or draft-07."""
    for holder in (schema, envelope):
        if isinstance(holder, dict) and isinstance(holder.get("$schema"), str):
            return str(holder["$schema"])
    return DRAFT_07


def known(dialect: str) -> bool:
    return _key(dialect) in _DIALECTS


def defines_uuid(dialect: str) -> bool:
    """Whether the dialect defines the `uuid` format (2019-09 and 2020-12 do)."""
    return "/draft/20" in _key(dialect)


@cache
def validator_class(dialect: str) -> type[Validator]:
    """jsonschema's class for `dialect`, with its patterns (`pattern`, `patternProperties`, and
    `additionalProperties` and `unevaluatedProperties`, which consult them) run in linear time
    with ECMA-262 `$` (patterns.py), and `multipleOf` in decimals (engines.py)."""
    import jsonschema
    from jsonschema import validators

    from contract_kit.checking import patterns
    from contract_kit.tracking_plan.engines import multiple_of

    base = getattr(jsonschema, _DIALECTS[_key(dialect)])
    keywords = {**patterns.keywords(base), "multipleOf": multiple_of}
    extended: type[Validator] = validators.extend(base, keywords)  # type: ignore[no-untyped-call]
    return extended


def metaschema_problem(schema: Any, dialect: str) -> tuple[str, str] | None:
    """(pointer, message) of what the dialect's metaschema refuses in `schema`, or None."""
    if not isinstance(schema, dict | bool):
        return "", "a schema must be a JSON object (or true / false)"
    if not known(dialect):
        names = "draft-07 or 2020-12 (also draft-04, draft-06, 2019-09)"
        return "/$schema", f"$schema {dialect!r} is not a dialect contract-kit knows: use {names}"
    from jsonschema.exceptions import best_match

    cls = validator_class(dialect)
    error = best_match(cls(cls.META_SCHEMA).iter_errors(schema))
    if error is not None:
        where = pointers.join(error.absolute_path)
        return where, f"not a valid {_short(dialect)} schema: {error.message}"
    return None


def _short(dialect: str) -> str:
    key = _key(dialect)
    return key.rsplit("/", 2)[-2] if key.endswith("/schema") else key
