"""The fast path: compiled validators (jsonschema-rs) that answer valid or invalid, nothing more.

Every record is checked here first; only the records that fail are checked again by the
reference validator (jsonschema, in validation.py), which words the violations and locates them.
The compiled validator reads `date-time` more loosely than the contract (it accepts leap seconds,
and offsets that move an instant out of 0001…9999): a guard sends any instant that is not
plainly fine to the reference validator. tests/checking/test_fast_path.py proves that the two agree.
"""

from __future__ import annotations

# jsonschema-rs imports these standard modules from Rust when it is imported, and panics if an
# import fails: a Ctrl-C arriving just then (our handler raises Stopped) ended the run with a
# Rust panic and exit 1. Imported here first, they are never imported from Rust.
# tests/running/test_stopping.py stops runs at every moment of start-up.
import collections.abc  # noqa: F401
import decimal  # noqa: F401
import email.utils  # noqa: F401
import enum  # noqa: F401
import re
from functools import cache
from typing import Any

import jsonschema_rs

from contract_kit.checking import schemas

#: Instants the compiled check may judge alone: seconds 00-59, offsets within ±23:59, and a year
#: far enough from 0001 and 9999 that no offset moves the instant out of range.
PLAIN_INSTANT = re.compile(
    r"(?!0000|0001|9999)[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)

#: The `regex` crate for every pattern: linear time. jsonschema-rs's default (fancy-regex)
#: backtracks on lookaround and backreferences, up to a limit that turns into a wrong verdict.
LINEAR = jsonschema_rs.RegexOptions()

#: Where each schema has date-time values (top-level members).
_INSTANT_MEMBERS = {
    "antavo/record": ("timestamp",),
    "segment/message": ("timestamp", "originalTimestamp", "sentAt", "receivedAt"),
    "segment/antavo-source": ("timestamp", "originalTimestamp", "sentAt", "receivedAt"),
}


@cache
def _registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry(
        [(document["$id"], document) for document in map(schemas.document, schemas.names())]
    )


@cache
def validator(name: str) -> jsonschema_rs.Validator:
    return _compile(schemas.document(name))


def _compile(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(
        schema, registry=_registry(), validate_formats=True, pattern_options=LINEAR
    )


@cache
def _record_validators() -> tuple[dict[str, jsonschema_rs.Validator], jsonschema_rs.Validator]:
    """antavo/record split by action, for speed: the record's `allOf` holds one `if action is
    …, then data is …` rule per documented action, and evaluating every `if` for every record
    is a third of the time. Each action gets the record schema with only its own rule; any other
    action (custom events) the record schema with none; a rule that does not select on the
    action alone stays in every variant. Derived from the schema, not copied."""
    record = schemas.document("antavo/record")
    plain = {key: value for key, value in record.items() if key != "allOf"}
    rules = record.get("allOf", [])
    common = [rule for rule in rules if actions_of(rule) is None]  # kept in every variant

    def variant(uri: str, own: list[dict[str, Any]]) -> jsonschema_rs.Validator:
        chosen = own + common
        return _compile({**plain, "$id": uri, **({"allOf": chosen} if chosen else {})})

    rules_of: dict[str, list[dict[str, Any]]] = {}
    for rule in rules:
        for action in actions_of(rule) or []:
            rules_of.setdefault(action, []).append(rule)
    by_action = {
        action: variant(f"{schemas.BASE_URI}antavo/record-by-action/{action}.json", own)
        for action, own in rules_of.items()
    }
    return by_action, variant(f"{schemas.BASE_URI}antavo/record-custom.json", [])


def actions_of(rule: Any) -> list[str] | None:
    """The actions a rule `{"if": {"required": ["action"], "properties": {"action": {"enum"
    or "const": ...}}}, "then": ...}` applies to (and nothing else: no `else`, no keyword
    beside them); None for a rule of any other shape (one the split keeps for every action).
    rust/src/check.rs reads rules the same way."""
    if not isinstance(rule, dict) or not set(rule) <= {"if", "then"}:
        return None
    condition = rule.get("if")
    if not isinstance(condition, dict) or not set(condition) <= {"properties", "required"}:
        return None
    properties, required = condition.get("properties"), condition.get("required", [])
    if not isinstance(properties, dict) or set(properties) != {"action"}:
        return None
    action = properties["action"]
    if not isinstance(required, list) or any(name != "action" for name in required):
        return None
    if not isinstance(action, dict) or len(action) != 1:
        return None
    names = action.get("enum", [action["const"]] if "const" in action else None)
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        return None
    return names


#: Characters the engines disagree on as white space (Python's `\s` has them, Rust's and
#: ECMA-262's do not all): a pattern with `\s` over such a string is left to the reference.
DISPUTED_SPACE = re.compile("[\x1c-\x1f\x85]")


def is_valid_record(record: dict[str, Any]) -> bool:
    """`is_valid(record, "antavo/record")`, faster."""
    by_action, custom = _record_validators()
    action = record.get("action")
    chosen = by_action.get(action, custom) if isinstance(action, str) else custom
    if not chosen.is_valid(record):
        return False
    if chosen is custom and DISPUTED_SPACE.search(str(action)):  # documented ones have none
        return False
    birth_date = record["data"].get("birth_date")
    if isinstance(birth_date, str) and birth_date.startswith("0000"):
        return False  # jsonschema-rs accepts year 0, which no calendar has
    instant = record.get("timestamp")
    return not isinstance(instant, str) or plain_instant(instant)


def is_valid(value: Any, schema_name: str) -> bool:
    """True when `value` surely satisfies the schema; False means: ask the reference validator."""
    if not validator(schema_name).is_valid(value):
        return False
    for member in _INSTANT_MEMBERS.get(schema_name, ()):
        instant = value.get(member)
        if isinstance(instant, str) and not plain_instant(instant):
            return False
    user_id = value.get("userId") if isinstance(value, dict) else None
    return not (isinstance(user_id, str) and DISPUTED_SPACE.search(user_id))


_EDGE_YEARS = frozenset({"0000", "0001", "9999"})


def plain_instant(text: str) -> bool:
    """PLAIN_INSTANT's verdict on a date-time the compiled validator accepted: our schemas'
    patterns have then fixed its shape (`YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm)`, ASCII digits), so
    a few characters tell the rest: seconds below 60, the offset in range, a year far from
    0001 and 9999. tests/checking/test_fast_path.py holds the two to the same verdicts."""
    if text[:4] in _EDGE_YEARS or text[17] > "5":
        return False
    if text[-1] in "Zz":
        return True
    return text[-5:-3] <= "23" and text[-2] <= "5"
