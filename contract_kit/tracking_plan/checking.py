"""A Segment message against the tracking plan: findings marked `layer="plan"`, and the rule met.

For each identify or track message:
1. the current COMMON rule, against the whole message;
2. the message's own rule (TRACK by `event`, IDENTIFY), in the version that
   `context.protocols.event_version` names, else the highest: its Segment envelope (if imported)
   against the whole message, its file against `properties` (or `traits`);
3. what the plan does not name: an unplanned event, and properties (traits) that the rule's
   schema does not declare, reported as the `unplanned` settings say (allow, warn, block; omit
   is a warning here: `omit_unplanned` is what takes them out of a message before it is
   written, and then this finds none).

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
from contract_kit.tracking_plan.policy import EventPolicy, PropertyPolicy
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
    versions = _versions(message, plan)
    event = message.get("event")
    if not versions and message["type"] == "track" and isinstance(event, str):
        findings += _unplanned_event(event, plan)
        return Outcome(findings, None, event)
    if not versions:  # no identify rule; or no event name, which the contract reports
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


def omit_unplanned(
    message: dict[str, Any], plan: TrackingPlan
) -> tuple[dict[str, Any], list[Finding]]:
    """The message as `unplanned_properties = "omit"` has it written: without the members of
    `properties` (`traits`) that `check` reports as unplanned, the others in their order, and
    a warning for each one left out. A new message: `message` and its members are not changed
    (a member may be the very `data` of the record it came from). A message with nothing to
    leave out (or no rule to say so) comes back as it is."""
    versions = _versions(message, plan) if message.get("type") in CHECKED_TYPES else {}
    rule = _version(message, versions, plan)[0] if versions else None
    if rule is None:
        return message, []  # nothing declares anything; `check` reports why
    member = rule.placement.member
    assert member is not None
    value = message.get(member)
    declared = _declared_by(rule, _cache(plan))
    if not isinstance(value, dict) or declared is None:
        return message, []
    left_out = [
        _unplanned(rule, member, name, declared, plan, "omit", "omitted from the message")
        for name in value
        if name not in declared
    ]
    if not left_out:
        return message, []
    kept = {name: item for name, item in value.items() if name in declared}
    return {**message, member: kept}, left_out


def _versions(message: dict[str, Any], plan: TrackingPlan) -> dict[int, Rule]:
    """The versions of the message's own rule (TRACK by `event`, IDENTIFY); empty when the plan
    does not name it."""
    if message["type"] == "identify":
        return plan.versions("IDENTIFY")
    event = message.get("event")
    return plan.versions("TRACK", event) if isinstance(event, str) else {}


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
    pointer: str,
    message: str,
    keyword: str,
    schema: str,
    severity: EventPolicy | PropertyPolicy = "block",
) -> Finding:
    """A finding of the plan's own checks (not of a schema); `block` makes it an error, any
    other policy a warning."""
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
    """A finding for each member of `value` the rule does not declare, as the policy says. A
    message `validate` reads under omit is not changed: it hears what convert would do."""
    plan = checked.plan
    policy = plan.unplanned_properties
    if policy == "allow":
        return []
    declared = _declared_by(rule, checked.cache)
    if declared is None:
        return []
    note = "convert would omit it" if policy == "omit" else ""
    return [
        _unplanned(rule, member, name, declared, plan, policy, note)
        for name in value
        if name not in declared
    ]


def _unplanned(
    rule: Rule,
    member: str,
    name: str,
    declared: frozenset[str],
    plan: TrackingPlan,
    policy: PropertyPolicy,
    note: str,
) -> Finding:
    """The finding for one undeclared member `name` of `member`, with what became of it."""
    noun = "trait" if member == "traits" else "property"
    close = difflib.get_close_matches(name, sorted(declared), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    owner = "identify calls" if rule.key is None else repr(rule.key)
    text = f"{noun} {name!r} is not in the tracking plan for {owner}{hint}"
    keyword = "unplannedTrait" if noun == "trait" else "unplannedProperty"
    where = pointers.join([member, name])
    return _plan_finding(
        where, f"{text}; {note}" if note else text, keyword, plan.file_path(rule), policy
    )


def _declared_by(rule: Rule, cache: _PlanCache) -> frozenset[str] | None:
    """`_declared` of the rule's schema, worked out once per plan and process."""
    known = cache.declared
    if _rule_id(rule) not in known:
        known[_rule_id(rule)] = _declared(rule.schema)
    return known[_rule_id(rule)]


#: Keywords with which a schema says itself what members beyond its `properties` it takes.
_TAKES_OTHERS = ("additionalProperties", "patternProperties", "unevaluatedProperties")


def _declared(schema: Any) -> frozenset[str] | None:
    """The member names a schema plans (describes in `properties`, lists in `required`, or
    names in its conditions: `dependencies`, `dependentRequired`, `dependentSchemas`), at its
    root, in root `allOf` / `anyOf` / `oneOf` / `if` / `then` / `else` branches, dependent
    schemas and behind local `$ref`s; None when it says itself what else it takes
    (additionalProperties, patternProperties, unevaluatedProperties)."""
    if not isinstance(schema, dict):
        return None
    names: set[str] = set()
    seen: list[Any] = []
    parts: list[tuple[Any, bool]] = [(schema, False)]
    while parts:
        part, condition_only = parts.pop()
        if any(part is done for done in seen):
            continue
        seen.append(part)
        # an `if` is only a condition: the names it tests are planned, but what else it would
        # accept never admits a member, and a reference it makes out of reach hides none
        if not condition_only and any(keyword in part for keyword in _TAKES_OTHERS):
            return None
        properties = part.get("properties")
        if isinstance(properties, dict):
            names.update(properties)
        required = part.get("required")
        if isinstance(required, list):
            names.update(name for name in required if isinstance(name, str))
        names.update(_conditioned(part))
        branches = _branches(part, schema)
        if branches is None:
            if condition_only:
                continue
            return None  # a reference this cannot follow: it may plan anything
        parts += [(branch, condition_only) for branch in branches]
        if isinstance(part.get("if"), dict):
            parts.append((part["if"], True))
    return frozenset(names)


def _conditioned(part: dict[str, Any]) -> set[str]:
    """The member names a schema's own conditions name: the keys of `dependencies`,
    `dependentRequired` and `dependentSchemas`, and the names those keys make required.
    Leaving one out would change what the schema says of the message."""
    names: set[str] = set()
    for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
        conditions = part.get(keyword)
        if not isinstance(conditions, dict):
            continue
        names.update(conditions)
        for wanted in conditions.values():
            if isinstance(wanted, list):
                names.update(name for name in wanted if isinstance(name, str))
    return names


def _branches(part: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Subschemas that may plan members of the same object (`then`, `else` and the dependent
    schemas too; `if`, a condition only, is _declared's to follow); None if one is out of
    reach."""
    found = [
        branch
        for keyword in ("allOf", "anyOf", "oneOf")
        for branch in part.get(keyword, [])
        if isinstance(branch, dict)
    ]
    found += [part[k] for k in ("then", "else") if isinstance(part.get(k), dict)]
    found += [
        branch
        for keyword in ("dependencies", "dependentSchemas")
        if isinstance(part.get(keyword), dict)
        for branch in part[keyword].values()
        if isinstance(branch, dict)
    ]
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
