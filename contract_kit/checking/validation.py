"""Record in, findings out: applies a bundled schema and words each error for a person.

The schemas choose their branch with `if`/`then` on `action` (Antavo) and `type` (Segment), so
errors already come from the right branch; this module only turns jsonschema's errors into
messages that name the value seen and what was expected.
"""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from contract_kit.checking import schemas, timestamps
from contract_kit.jsontext import jsonio, pointers
from contract_kit.violations import Finding, shortened

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

#: Segment's HTTP API rejects a message larger than this (compact UTF-8 JSON).
MAX_MESSAGE_BYTES = 32 * 1024
#: ... and a batch body larger than this, or holding more messages than that.
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_MESSAGES = 2500

_WHY_REQUIRED = {
    ("antavo/record", "customer"): (
        "a record without a customer (an Antavo guest event) cannot be attributed to a Segment user"
    ),
    ("antavo/record", "timestamp"): (
        "without it Segment would stamp the event with the time it arrives"
    ),
    ("segment/track", "event"): "a track call names the action the user performed",
    ("segment/antavo-source", "userId"): "the Antavo source always identifies the customer",
    ("segment/antavo-source", "messageId"): "without it a re-sent event cannot be deduplicated",
    ("segment/antavo-source", "integrations"): (
        "its loop-prevention entries stop events flowing back into Salesforce and Antavo"
    ),
}


def check(value: Any, schema_name: str, limit: int | None = None) -> list[Finding]:
    """Every violation of the schema `schema_name` by `value`, one per problem, by pointer.
    `limit` (--max-errors) bounds the findings one schema error fans out into (100,000 unknown
    keys are one error): the first `limit` of them, in the record's order, are kept."""
    errors = schemas.validator(schema_name).iter_errors(value)
    return findings_from(errors, value, schema_name, limit=limit)


def findings_from(
    errors: Iterable[ValidationError],
    root: Any,
    schema_name: str,
    prefix: Sequence[str | int] = (),
    limit: int | None = None,
) -> list[Finding]:
    """jsonschema's errors as findings, worded and ordered. `prefix`: where the value checked
    sits in the record or message (a tracking plan checks a message's `properties`)."""
    findings: dict[str, list[Finding]] = {}
    for error in errors:
        for finding in itertools.islice(_findings(error, root, schema_name, prefix), limit):
            _keep(findings.setdefault(finding.pointer, []), finding)
    ordered = sorted(findings.items(), key=lambda item: _pointer_order(item[0]))
    return [finding for _, at_pointer in ordered for finding in at_pointer]


def _keep(at_pointer: list[Finding], finding: Finding) -> None:
    """One message per problem: a wrong type says it all (other keywords at the same value only
    follow from it), and two keywords can word the same thing (a timestamp's pattern and format).
    """
    if any(kept.keyword == "type" or kept.message == finding.message for kept in at_pointer):
        return
    if finding.keyword == "type":
        at_pointer.clear()
    at_pointer.append(finding)


def _pointer_order(pointer: str) -> list[tuple[int, int | str]]:
    """Sort key: array indices numerically (`/items/2` before `/items/10`)."""
    return [(0, int(token)) if token.isdigit() else (1, token) for token in pointers.split(pointer)]


def check_batch_limits(body: dict[str, Any]) -> list[Finding]:
    """Segment's limits on an HTTP API batch body: messages counted, bytes of compact JSON."""
    findings = []
    count = len(body["batch"])
    if count > MAX_BATCH_MESSAGES:
        findings.append(
            Finding(
                "/batch",
                f"the batch holds {count} messages; Segment accepts at most "
                f"{MAX_BATCH_MESSAGES} (and drops the others silently)",
                "maxBatchMessages",
            )
        )
    size = jsonio.compact_size(body)
    if size > MAX_BATCH_BYTES:
        findings.append(
            Finding(
                "",
                f"the batch body is {size} bytes as compact JSON; Segment accepts at most "
                f"{MAX_BATCH_BYTES} bytes (500 KB)",
                "maxBatchBytes",
            )
        )
    return findings


def check_message_size(message: Any) -> list[Finding]:
    size = jsonio.compact_size(message)
    if size <= MAX_MESSAGE_BYTES:
        return []
    return [
        Finding(
            "",
            f"the message is {size} bytes as compact JSON; Segment rejects messages over "
            f"{MAX_MESSAGE_BYTES} bytes (32 KB)",
            "maxMessageBytes",
        )
    ]


def _expected(error: ValidationError) -> Any:
    """The failed keyword's value in the schema (`["a", "b"]` for `required`)."""
    return error.validator_value


def _schema_of(error: ValidationError) -> dict[str, Any]:
    """The (sub)schema holding the failed keyword."""
    return dict(error.schema) if isinstance(error.schema, Mapping) else {}


def _additional(error: ValidationError) -> set[str]:
    """The members an `additionalProperties` error is about: those neither `properties` nor
    `patternProperties` names (a member a pattern names is not unknown)."""
    from contract_kit.checking import patterns

    instance = error.instance
    if not isinstance(instance, dict):
        return set()
    return set(patterns.unnamed_members(instance, _schema_of(error)))


def _findings(
    error: ValidationError, root: Any, schema_name: str, prefix: Sequence[str | int]
) -> Iterator[Finding]:
    path = [*prefix, *error.absolute_path]
    owner = _schema_name_of(error, schema_name)
    keyword = str(error.validator)
    value: Any = error.instance
    where = _where(path, root)

    if keyword == "required":
        present = value.keys() if isinstance(value, dict) else ()
        for name in _expected(error):
            if name in present:
                continue
            why = _WHY_REQUIRED.get((owner, name))
            text = f"{name!r} is required{where}" + (f": {why}" if why else "")
            yield Finding(pointers.join([*path, name]), text, keyword, owner)
        return
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        allowed = list(_schema_of(error).get("properties", {}))
        extra = set(value) if keyword == "unevaluatedProperties" else _additional(error)
        for name in value:
            if name in allowed or name not in extra:
                continue
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; allowed: {', '.join(allowed)}"
            shown = shortened(name, 80)  # a key is input: a 100,000-character one is cut
            yield Finding(
                pointers.join([*path, name]), f"unknown field {shown!r}{hint}", keyword, owner
            )
        return
    if len(path) == 1 and where:
        subject = where.removeprefix(" in ")  # "the data of a 'checkout' event"
    else:  # a message's property is named by the pointer already: `points`, not where it is
        subject = _subject(path, schema_name) + (where if path[:1] == ["data"] else "")
    if _is_instant_schema(error):
        keyword = "format"  # a date-time's pattern and format say the same thing: report one
    yield Finding(pointers.join(path), _describe(error, subject), keyword, owner)


#: What the schemas' patterns mean, in words.
_PATTERN_MEANINGS = {
    "^[A-Z]{3}$": "an ISO 4217 currency code (three upper-case letters)",
    "^[A-Z]{2}$": "an ISO 3166-1 alpha-2 country code (two upper-case letters)",
    "^[a-z]{2}$": "an ISO 639-1 language code (two lower-case letters)",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date in the form YYYY-MM-DD",
    "^\\S(?:[\\s\\S]*\\S)?$": "a name without surrounding white space",
    "\\S": "a string with more than white space",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$": (
        "a UTC timestamp with milliseconds and Z (YYYY-MM-DDThh:mm:ss.sssZ)"
    ),
}


def _describe(error: ValidationError, subject: str) -> str:
    keyword = str(error.validator)
    value: Any = error.instance
    expected = _expected(error)
    seen = show(value)
    if keyword == "type":
        wanted = " or ".join(TYPE_NAMES[t] for t in _as_list(expected))
        return f"{subject} must be {wanted}, got {_typed(value)}"
    if keyword in ("format", "pattern") and _is_instant_schema(error):
        return f"{subject} {seen} is not a valid date-time: {_instant_problem(value)}"
    if keyword == "format":
        return f"{subject} must be a valid {expected}, got {seen}"
    if keyword == "pattern":
        wanted = _PATTERN_MEANINGS.get(expected, f"a string matching {expected}")
        return f"{subject} must be {wanted}, got {seen}"
    if keyword == "minLength":
        if expected == 1:
            return f"{subject} must not be empty"
        return f"{subject} {seen} is shorter than {expected} characters"
    if keyword == "maxLength":
        return f"{subject} is {len(value)} characters long; at most {expected} are allowed"
    if keyword == "minProperties":
        return f"{subject} must hold at least {expected} attribute{'s' if expected != 1 else ''}"
    if keyword in ("minimum", "exclusiveMaximum", "maximum", "exclusiveMinimum"):
        return f"{subject} {seen} is out of range: {_range_hint(error)}"
    if keyword == "const":
        return f"{subject} must be {show(expected)}, got {_typed(value)}{_const_reason(error)}"
    if keyword == "enum":
        if list(error.absolute_path) == ["type"] and set(expected) == {"identify", "track"}:
            return f"type {seen} is out of scope: only identify and track calls are checked"
        return f"{subject} {seen} is not one of {', '.join(show(v) for v in expected)}"
    if keyword in ("anyOf", "oneOf"):
        return _describe_alternatives(error, subject)
    return f"{subject}: {error.message}"


def _describe_alternatives(error: ValidationError, subject: str) -> str:
    """`anyOf` of `required` branches reads as 'needs a or b'; anything else, the best match."""
    branches = _expected(error)
    wanted = []
    for branch in branches:
        required = branch.get("required", [])
        if len(required) != 1:
            from jsonschema.exceptions import best_match

            deepest = best_match(error.context or [])
            return _describe(deepest, subject) if deepest is not None else error.message
        name = required[0]
        constraint = branch.get("properties", {}).get(name, {})
        wanted.append(f"{name!r} ({_constraint_text(constraint)})")
    return f"{subject} needs {' or '.join(wanted)}"


def _constraint_text(constraint: dict[str, Any]) -> str:
    text = " or ".join(TYPE_NAMES[t] for t in _as_list(constraint.get("type", [])))
    if constraint.get("minLength") == 1:
        text = f"a non-empty {text.removeprefix('a ')}"
    return text or "any value"


#: JSON Schema type names, as a sentence says them.
TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def json_type(value: Any) -> str:
    """The JSON Schema type name of a parsed JSON value (`integer` before `number`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def show(value: Any, limit: int = 40) -> str:
    """A scalar as JSON, shortened to `limit` characters; a container by its kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _typed(value: Any) -> str:
    """'integer 5', 'string "x"', 'null', 'an object': what a type message says it got."""
    if value is None or isinstance(value, dict | list):
        return show(value)
    return f"{json_type(value)} {show(value)}"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _subject(path: list[Any], schema_name: str) -> str:
    """What the error is about: `points`, `item 3 of 'items'`, `the record`."""
    if not path:
        return "the record" if schema_name.startswith("antavo/") else "the message"
    last = path[-1]
    if isinstance(last, int):
        return f"item {last} of {path[-2]!r}" if len(path) > 1 else f"item {last}"
    return str(last)


def _where(path: list[Any], root: Any) -> str:
    """' in the data of a 'point_add' event' for errors below `data` of an Antavo record;
    ' in the properties of a 'point_add' event' below a track message's `properties`."""
    if not path or not isinstance(root, dict):
        return ""
    if path[0] == "data" and isinstance(root.get("action"), str):
        return f" in the data of a {root['action']!r} event"
    if path[0] == "properties" and isinstance(root.get("event"), str):
        return f" in the properties of a {root['event']!r} event"
    if path[0] == "traits" and root.get("type") == "identify":
        return " in the traits of an identify call"
    return ""


def _schema_name_of(error: ValidationError, default: str) -> str:
    """The bundled schema whose keyword failed: a `$ref` may lead into another file."""
    uri = _schema_of(error).get("$id")
    if isinstance(uri, str) and uri.startswith(schemas.BASE_URI):
        return uri.removeprefix(schemas.BASE_URI).removesuffix(".json")
    return default


def _is_instant_schema(error: ValidationError) -> bool:
    return _schema_of(error).get("format") == "date-time"


def _instant_problem(value: Any) -> str:
    try:
        timestamps.parse_rfc3339(value)
    except timestamps.InstantError as problem:
        return str(problem)
    return "it is not in the required form"


def _range_hint(error: ValidationError) -> str:
    value = error.instance
    if _schema_of(error).get("exclusiveMaximum") == timestamps.UNIX_SECONDS_LIMIT:
        limit = timestamps.UNIX_SECONDS_LIMIT
        hint = f"Unix seconds must satisfy 0 ≤ t < {limit} (year 10000)"
        if isinstance(value, int | float) and limit <= value < limit * 1000:
            hint += "; this looks like milliseconds"
        return hint
    return error.message


def _const_reason(error: ValidationError) -> str:
    if error.absolute_path and "integrations" in error.absolute_path:
        return ": this loop-prevention entry stops events flowing back into Salesforce and Antavo"
    return ""
