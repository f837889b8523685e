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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from contract_kit.checking import validation
from contract_kit.jsontext import pointers
from contract_kit.tracking_plan import dialects, engines
from contract_kit.tracking_plan.model import Rule, TrackingPlan, file_for
from contract_kit.tracking_plan.policy import Policy
from contract_kit.violations import Finding, Severity

CHECKED_TYPES = ("identify", "track")


@dataclass(frozen=True)
class Outcome:
    """What checking one message found, and which rule it met (for coverage)."""

    findings: list[Finding]
    rule: Rule | None
    unplanned_event: str | None = None


@dataclass(frozen=True)
class _Checked:
    """The message being checked, its plan (and what is worked out once for it), and which of
    its strings the engines may read apart."""

    message: dict[str, Any]
    plan: TrackingPlan
    cache: _PlanCache
    odd: engines.Oddities
    limit: int | None = None
    """--max-errors: see validation.check."""


def check(
    message: Any, plan: TrackingPlan, serialised: bytes | None = None, limit: int | None = None
) -> Outcome:
    """`serialised`: the message's compact JSON, when the caller has already written it.
    `limit` (--max-errors) bounds the findings one schema error fans out into."""
    if not isinstance(message, dict) or message.get("type") not in CHECKED_TYPES:
        return Outcome([], None)
    odd = (
        engines.Oddities.of(serialised)
        if serialised is not None
        else engines.Oddities.of_value(message)
    )
    checked = _Checked(message, plan, _cache(plan), odd, limit)
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
        findings += _apply(rule, rule.envelope_schema(), message, (), checked, envelope=True)
    value = message.get(member, {})
    if isinstance(value, dict):
        findings += _apply(rule, rule.schema, value, (member,), checked)
        findings += _unplanned_members(rule, value, member, checked)
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
    if isinstance(asked, float) and asked.is_integer():
        asked = int(asked)  # JSON Schema counts 1.0 as the integer 1
    if isinstance(asked, int) and not isinstance(asked, bool) and asked in versions:
        return versions[asked], None
    some = next(iter(versions.values()))
    known = ", ".join(map(str, sorted(versions)))
    text = (
        f"event_version {validation.show(asked)} names no version of {some.label} in the "
        f"tracking plan (versions: {known})"
    )
    where = "/context/protocols/event_version"
    return None, _plan_finding(where, text, "eventVersion", plan.folder)


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
        else f"; plan it in {plan.folder}/{file_for('TRACK', event, None)}"
    )
    text = f"event {event!r} is not in the tracking plan{hint}"
    return [_plan_finding("/event", text, "unplannedEvent", plan.folder, plan.unplanned)]


def _unplanned_members(
    rule: Rule, value: dict[str, Any], member: str, checked: _Checked
) -> list[Finding]:
    plan = checked.plan
    policy = plan.unplanned_properties
    if policy == "allow":
        return []
    cache = checked.cache.declared
    if _rule_id(rule) not in cache:
        cache[_rule_id(rule)] = _declared(rule.schema)
    declared = cache[_rule_id(rule)]
    if declared is None:
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


#: Keywords with which a schema says itself what members beyond its `properties` it takes.
_TAKES_OTHERS = ("additionalProperties", "patternProperties", "unevaluatedProperties")


def _declared(schema: Any) -> frozenset[str] | None:
    """The member names a schema plans (describes in `properties`, or lists in `required`), at
    its root, in root `allOf` / `anyOf` / `oneOf` / `then` / `else` branches and behind local
    `$ref`s; None when it says itself what else it takes (additionalProperties,
    patternProperties, unevaluatedProperties)."""
    if not isinstance(schema, dict):
        return None
    names: set[str] = set()
    seen: list[Any] = []
    parts = [schema]
    while parts:
        part = parts.pop()
        if any(part is done for done in seen):
            continue
        seen.append(part)
        if any(keyword in part for keyword in _TAKES_OTHERS):
            return None
        properties = part.get("properties")
        if isinstance(properties, dict):
            names.update(properties)
        required = part.get("required")
        if isinstance(required, list):
            names.update(name for name in required if isinstance(name, str))
        branches = _branches(part, schema)
        if branches is None:
            return None  # a reference this cannot follow: it may plan anything
        parts += branches
    return frozenset(names)


def _branches(part: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Subschemas that may plan members of the same object; None if one is out of reach."""
    found = [
        branch
        for keyword in ("allOf", "anyOf", "oneOf")
        for branch in part.get(keyword, [])
        if isinstance(branch, dict)
    ]
    found += [part[k] for k in ("then", "else") if isinstance(part.get(k), dict)]
    if any(keyword in part for keyword in ("$dynamicRef", "$recursiveRef")):
        return None
    if "$ref" in part:
        target = _local_ref(part["$ref"], root)
        if target is None:
            return None
        found += [target] if isinstance(target, dict) else []
    return found


def _local_ref(ref: Any, root: dict[str, Any]) -> Any:
    """What a `#/…` reference (percent-encoded, as a URI fragment is) points at in `root`;
    None for any other reference (an anchor, another document)."""
    if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
        return None
    node: Any = root
    for token in pointers.split(unquote(ref[1:])):
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return node


RuleId = tuple[str, str | None, int]
"""A rule's type, key and version: what names it within its plan."""


@dataclass
class _PlanCache:
    """What is worked out once per plan and process, kept on the plan (TrackingPlan.compiled)."""

    engines: dict[tuple[RuleId, bool], engines.Engines] = field(default_factory=dict)
    """By rule, and whether for the envelope."""
    declared: dict[RuleId, frozenset[str] | None] = field(default_factory=dict)
    """The member names each rule plans (see _declared)."""


def _cache(plan: TrackingPlan) -> _PlanCache:
    cache = plan.compiled.get("checking")
    if cache is None:
        cache = plan.compiled["checking"] = _PlanCache()
    assert isinstance(cache, _PlanCache)
    return cache


def _rule_id(rule: Rule) -> RuleId:
    return (rule.type, rule.key, rule.version)


def _engines(rule: Rule, schema: Any, checked: _Checked, envelope: bool) -> engines.Engines:
    by_rule = checked.cache.engines
    built = by_rule.get((_rule_id(rule), envelope))
    if built is None:
        dialect = dialects.dialect_of(schema, None if envelope else rule.envelope)
        built = by_rule[(_rule_id(rule), envelope)] = engines.build(schema, dialect)
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
    built = _engines(rule, schema, checked, envelope)
    if built.trusts(value, checked.odd):
        return []
    label = checked.plan.file_path(rule)
    errors = built.reference.iter_errors(value)
    found = validation.findings_from(errors, checked.message, label, prefix, checked.limit)
    return [dataclasses.replace(finding, layer="plan") for finding in found]
