"""A Segment message against the tracking plan: findings marked `layer="plan"`, and the rule met.

For each identify or track message:
1. the current COMMON rule, against the whole message;
2. the message's own rule (TRACK by `event`, IDENTIFY), in the version that
   `context.protocols.event_version` names, else the highest: its Segment envelope (if imported)
   against the whole message, its file against `properties` (or `traits`);
3. what the plan does not name: an unplanned event, and properties (traits) that the rule's
   schema does not declare, reported as the `unplanned` settings say (allow, warn, block).

As with the contract, the compiled validator answers first; the reference validator words and
places the violations only when it says no (and for strings the two engines may read apart).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from .. import compiled as contract_compiled
from .. import jsonio, pointers, validation
from ..violations import Finding, Severity
from . import dialects
from .model import Policy, Rule, TrackingPlan, walk, walk_at

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

CHECKED_TYPES = ("identify", "track")


class CompileError(Exception):
    """A schema that cannot be used, and the pointer of the keyword at fault."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.pointer = pointer


@dataclass(frozen=True)
class Outcome:
    """What checking one message found, and which rule it met (for coverage)."""

    findings: list[Finding]
    rule: Rule | None
    unplanned_event: str | None = None


@dataclass(frozen=True)
class _Checked:
    """The message being checked, its plan, and which strings in it the engines may read
    apart (see _Built), found once in its compact JSON."""

    message: dict[str, Any]
    plan: TrackingPlan
    odd_dates: bool
    odd_text: bool


def check(message: Any, plan: TrackingPlan, serialised: bytes | None = None) -> Outcome:
    """`serialised`: the message's compact JSON, when the caller has already written it."""
    if not isinstance(message, dict) or message.get("type") not in CHECKED_TYPES:
        return Outcome([], None)
    text = serialised if serialised is not None else jsonio.dumps(message)
    odd_dates = any(
        not _plain_date_or_instant(found.decode("ascii", "replace"))
        for found in _DATE_STRING.findall(text)
    )
    odd_text = not text.isascii() or _ODD_SPACE.search(text) is not None
    checked = _Checked(message, plan, odd_dates, odd_text)
    findings: list[Finding] = []
    common = plan.current("COMMON")
    if common is not None:
        findings += _apply(common, common.schema, message, (), checked)
    if message["type"] == "track":
        event = message.get("event")
        if not isinstance(event, str):
            return Outcome(findings, None)  # the contract reports it
        versions = plan.versions("TRACK", event)
        if not versions:
            findings += _unplanned_event(event, plan)
            return Outcome(findings, None, event)
    else:
        versions = plan.versions("IDENTIFY")
        if not versions:
            return Outcome(findings, None)
    rule, problem = _version(message, versions, plan)
    if problem is not None:
        findings.append(problem)
        return Outcome(findings, None)
    assert rule is not None
    member = rule.placement.member
    assert member is not None
    if rule.envelope is not None:
        findings += _apply(rule, _whole_event(rule), message, (), checked, envelope=True)
    value = message.get(member, {})
    if isinstance(value, dict):
        findings += _apply(rule, rule.schema, value, (member,), checked)
        findings += _unplanned_members(rule, value, member, plan)
    return Outcome(findings, rule)


def _version(
    message: dict[str, Any], versions: dict[int, Rule], plan: TrackingPlan
) -> tuple[Rule | None, Finding | None]:
    """The rule in the version the message asks for (`context.protocols.event_version`), else
    the highest. Segment falls back to the oldest for a version it does not know; a check before
    shipping says so instead."""
    context = message.get("context")
    protocols = context.get("protocols") if isinstance(context, dict) else None
    if not isinstance(protocols, dict) or "event_version" not in protocols:
        return versions[max(versions)], None
    asked = protocols["event_version"]
    if isinstance(asked, int) and not isinstance(asked, bool) and asked in versions:
        return versions[asked], None
    some = next(iter(versions.values()))
    known = ", ".join(map(str, sorted(versions)))
    text = (
        f"event_version {validation.show(asked)} names no version of {some.label} in the "
        f"tracking plan (versions: {known})"
    )
    where = "/context/protocols/event_version"
    return None, _plan_finding(where, text, "eventVersion", plan.file_path(some))


def _plan_finding(
    pointer: str, message: str, keyword: str, schema: str, severity: Policy = "block"
) -> Finding:
    """A finding of the plan's own checks (not of a schema); `block` makes it an error."""
    level: Severity = "error" if severity == "block" else "warning"
    return Finding(pointer, message, keyword, schema, level, "plan")


def _unplanned_event(event: str, plan: TrackingPlan) -> list[Finding]:
    if plan.unplanned == "allow":
        return []
    planned = plan.events()
    close = difflib.get_close_matches(event, planned, n=1)
    hint = (
        f" (did you mean {close[0]!r}?)"
        if close
        else f"; plan it in {plan.folder}/track/{event}.schema.json"
    )
    text = f"event {event!r} is not in the tracking plan{hint}"
    return [_plan_finding("/event", text, "unplannedEvent", plan.folder, plan.unplanned)]


def _unplanned_members(
    rule: Rule, value: dict[str, Any], member: str, plan: TrackingPlan
) -> list[Finding]:
    policy = plan.unplanned_properties
    declared = _declared(rule.schema)
    if policy == "allow" or declared is None:
        return []
    noun = "trait" if member == "traits" else "property"
    found = []
    for name in value:
        if name in declared:
            continue
        close = difflib.get_close_matches(name, sorted(declared), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        owner = "identify calls" if rule.key is None else repr(rule.key)
        text = f"{noun} {name!r} is not in the tracking plan for {owner}{hint}"
        keyword = "unplannedTrait" if noun == "trait" else "unplannedProperty"
        where = pointers.join([member, name])
        found.append(_plan_finding(where, text, keyword, plan.file_path(rule), policy))
    return found


def _declared(schema: Any) -> set[str] | None:
    """The member names a schema plans; None when it takes any (`additionalProperties` or
    `patternProperties` given: the schema itself says what else is allowed)."""
    if not isinstance(schema, dict):
        return None
    names: set[str] = set()
    for part in [schema, *_branches(schema)]:
        if "additionalProperties" in part or "patternProperties" in part:
            return None
        properties = part.get("properties")
        if isinstance(properties, dict):
            names.update(properties)
    return names


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Subschemas at the root that may plan members too: allOf / anyOf / oneOf, then / else."""
    found = [
        branch
        for keyword in ("allOf", "anyOf", "oneOf")
        for branch in schema.get(keyword, [])
        if isinstance(branch, dict)
    ]
    found += [schema[k] for k in ("then", "else") if isinstance(schema.get(k), dict)]
    return found


def _whole_event(rule: Rule) -> Any:
    """The rule's envelope, its file's place taken by `true`: the rest of Segment's schema."""

    def fill(node: Any, path: tuple[str, ...]) -> Any:
        if not path or not isinstance(node, dict):
            return node
        head, *rest = path
        if head not in node:
            return node
        inner = node[head]
        replaced = True if inner is None and not rest else fill(inner, tuple(rest))
        return {**node, head: replaced}

    return fill(rule.envelope, rule.placement.inner)


@dataclass(frozen=True)
class _Built:
    """A schema's validators, built once per process, and which strings the engines may judge
    apart under it: instants and dates (a `date` / `date-time` format), and text that is not
    plain ASCII, or holds white space Python and Rust disagree on (a pattern with `\\d`,
    `\\w`, `\\s` or `\\b` and their negations)."""

    fast: jsonschema_rs.Validator
    reference: Validator
    dates: bool
    classes: bool


_CLASS_ESCAPE = re.compile(r"\\[dDwWsSbB]")
_built: dict[tuple[int, str, bool], _Built] = {}


def compile_schema(schema: Any, dialect: str) -> jsonschema_rs.Validator:
    """The compiled validator. Raises CompileError, with the pointer of the keyword at fault,
    for a schema either engine cannot use (a `$ref` that leads nowhere: nothing is fetched)."""
    for path, keyword, value in walk_at(schema):
        if keyword == "pattern" and isinstance(value, str):
            _python_pattern(value, path)
        if keyword == "patternProperties" and isinstance(value, dict):
            for pattern in value:
                _python_pattern(pattern, (*path, pattern))
    document = {"$schema": dialect, **schema} if isinstance(schema, dict) else schema
    try:
        return jsonschema_rs.validator_for(document, validate_formats=True, offline=True)
    except ValueError as error:
        message = str(error).splitlines()[0]
        refs = [
            path
            for path, keyword, value in walk_at(schema)
            if keyword == "$ref" and isinstance(value, str) and value.lstrip("#") in message
        ]
        raise CompileError(message, pointers.join(refs[0]) if refs else "") from None


def _python_pattern(pattern: str, path: tuple[str | int, ...]) -> None:
    from .. import patterns

    try:
        patterns.compiled(pattern)
    except re.error as error:
        message = f"pattern {pattern!r} is not a regular expression: {error}"
        raise CompileError(message, pointers.join(path)) from None


def _validators(rule: Rule, schema: Any, plan: TrackingPlan, envelope: bool) -> _Built:
    key = (plan.token, rule.file, envelope)
    built = _built.get(key)
    if built is None:
        dialect = dialects.dialect_of(schema, None if envelope else rule.envelope)
        patterns = [
            pattern
            for _, keyword, value in walk_at(schema)
            for pattern in (
                [value] if keyword == "pattern" and isinstance(value, str)
                else list(value) if keyword == "patternProperties" and isinstance(value, dict)
                else []
            )
        ]  # fmt: skip
        built = _built[key] = _Built(
            compile_schema(schema, dialect),
            dialects.validator_class(dialect)(schema, format_checker=_format_checker()),
            dates=any(k == "format" and v in ("date", "date-time") for k, v in walk(schema)),
            classes=any(_CLASS_ESCAPE.search(pattern) for pattern in patterns),
        )
    return built


def _apply(
    rule: Rule,
    schema: Any,
    value: Any,
    prefix: tuple[str, ...],
    checked: _Checked,
    envelope: bool = False,
) -> list[Finding]:
    """`value` (the message, or its member at `prefix`) against one schema of `rule`."""
    built = _validators(rule, schema, checked.plan, envelope)
    disputed = (built.dates and checked.odd_dates) or (built.classes and checked.odd_text)
    if built.fast.is_valid(value) and not disputed:
        return []
    label = checked.plan.file_path(rule)
    errors = built.reference.iter_errors(value)
    found = validation.findings_from(errors, checked.message, label, prefix)
    return [dataclasses.replace(finding, layer="plan") for finding in found]


#: In compact JSON: a string that starts like a date; U+001C-U+001F, white space to Python but
#: not to Rust (text that is not ASCII is the other string the engines may read apart).
_DATE_STRING = re.compile(rb'"([0-9]{4}-[0-9]{2}-[0-9]{2}[^"]*)"')
_ODD_SPACE = re.compile(rb"\\u001[c-fC-F]")
_PLAIN_DATE = re.compile(r"(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _plain_date_or_instant(text: str) -> bool:
    """A date or instant both engines read alike: not a leap second, not year 0, an offset
    that keeps it within 0001-9999."""
    return bool(contract_compiled.PLAIN_INSTANT.fullmatch(text) or _PLAIN_DATE.fullmatch(text))


def _format_checker() -> Any:
    """The contract's date-time and date, and the formats jsonschema checks without extra
    packages (email, IP addresses, uuid, regex)."""
    from jsonschema import FormatChecker

    from .. import schemas

    checker = FormatChecker(formats=("email", "idn-email", "ipv4", "ipv6", "uuid", "regex"))
    contract = schemas.format_checker()
    for name in ("date-time", "date"):
        checker.checkers[name] = contract.checkers[name]
    return checker
