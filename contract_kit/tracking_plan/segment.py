"""Segment's tracking-plan exports into rules, and rules back into the export they came from.

Three forms are read:
- `public-api`: the Public API's response, `{"data": {"rules": [...], ...}}`; each rule has
  `type`, `key`, `version` and a `jsonSchema` that wraps the whole event (the properties' schema
  sits at `properties.properties`, the traits' at `properties.traits`);
- `rules`: the same rules as a bare list;
- `config-api`: the legacy Config API plan, `{"rules": {"global": schema, "events": [...],
  "identify_traits": [...], "group_traits": [...]}}`, whose entries hold `name`, `version` and
  a whole-event schema under `rules`.

Import unwraps each schema into the file a person edits and keeps everything else (the rest of
the envelope, every member of the rule, the document around the rules) in plan.json, so that
exporting in the same form gives back the same document.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any, NamedTuple

from contract_kit.tracking_plan import dialects, engines
from contract_kit.tracking_plan import folder as folders
from contract_kit.tracking_plan.errors import PlanError
from contract_kit.tracking_plan.folder import rule_file
from contract_kit.tracking_plan.model import (
    PLACEMENTS,
    RULE_TYPES,
    Document,
    Rule,
    RuleType,
    TrackingPlan,
)

PUBLIC_API_FORMS = ("public-api", "rules")
#: Legacy Config API lists and the rule type of their entries.
_LEGACY_LISTS: dict[str, RuleType] = {
    "events": "TRACK",
    "identify_traits": "IDENTIFY",
    "group_traits": "GROUP",
}


def read(document: Any, source: str) -> TrackingPlan:
    """The rules of a Segment export (`source` names it in errors). Raises PlanError."""
    form, skeleton, located = _split(document, source)
    rules: list[Rule] = []
    seen: dict[tuple[RuleType, str | None, int], str] = {}
    for found in located:
        identity = (found.type, found.key, found.version)
        if identity in seen:
            raise PlanError(
                f"{source}: {found.where}: {found.type} {found.key!r} version {found.version} "
                f"is also at {seen[identity]}"
            )
        seen[identity] = found.where
        schema, envelope = _unwrap(found.type, found.whole)
        rule = Rule(found.type, found.key, found.version, schema, "", envelope, found.entry)
        if envelope is not None:  # the rest of the event's schema must be usable too
            problem = engines.schema_problem(rule.envelope_schema(), dialects.dialect_of(envelope))
            if problem is not None:
                raise PlanError(f"{source}: {found.schema_at}{problem[0]}: {problem[1]}")
        problem = engines.schema_problem(schema, dialects.dialect_of(schema, envelope))
        if problem is not None:
            inner = "/".join(PLACEMENTS[found.type].inner)
            at = f"{found.schema_at}{'/' + inner if inner else ''}{problem[0]}"
            raise PlanError(f"{source}: {at}: {problem[1]}")
        rules.append(rule)
    return TrackingPlan("", tuple(_name_files(rules)), Document(form, skeleton))


def _name_files(rules: list[Rule]) -> list[Rule]:
    """Each rule's file: the highest version of a rule without a version in its name."""
    highest: dict[tuple[RuleType, str | None], int] = {}
    for rule in rules:
        name = (rule.type, rule.key)
        highest[name] = max(highest.get(name, 0), rule.version)
    return [
        Rule(r.type, r.key, r.version, r.schema,
             rule_file(r.type, r.key, r.version, highest[(r.type, r.key)]), r.envelope, r.entry)
        for r in rules
    ]  # fmt: skip


class Located(NamedTuple):
    """A rule as found in an export."""

    where: str
    """The rule's pointer in the export."""
    schema_at: str
    """Its whole-event schema's pointer."""
    type: RuleType
    key: str | None
    version: int
    whole: Any
    """The whole-event schema."""
    entry: dict[str, Any] | None
    """The rule's record, None where its schema was."""


def _split(document: Any, source: str) -> tuple[str, Any, list[Located]]:
    if isinstance(document, list):
        return (
            "rules",
            None,
            [_public_rule(rule, f"/{i}", source) for i, rule in enumerate(document)],
        )
    if isinstance(document, dict):
        data = document.get("data")
        if isinstance(data, dict) and isinstance(data.get("rules"), list):
            skeleton = copy.deepcopy(document)
            skeleton["data"]["rules"] = None
            located = [
                _public_rule(rule, f"/data/rules/{i}", source)
                for i, rule in enumerate(data["rules"])
            ]
            return "public-api", skeleton, located
        rules = document.get("rules")
        if isinstance(rules, dict) and isinstance(rules.get("events"), list):
            return "config-api", *_legacy(document, source)
    raise PlanError(
        f"{source}: not a Segment tracking-plan export: expected the Public API's "
        '{"data": {"rules": [...]}}, a list of rules, or a Config API plan with rules.events'
    )


def _public_rule(rule: Any, where: str, source: str) -> Located:
    if not isinstance(rule, dict):
        raise PlanError(f"{source}: {where}: a rule must be an object")
    type_ = rule.get("type")
    if type_ not in RULE_TYPES:
        raise PlanError(
            f"{source}: {where}/type: must be one of {', '.join(RULE_TYPES)}, got {type_!r}"
        )
    key = rule.get("key")
    if PLACEMENTS[type_].keyed and not (isinstance(key, str) and key):
        raise PlanError(f"{source}: {where}/key: a {type_} rule needs a non-empty 'key'")
    if "jsonSchema" not in rule:
        raise PlanError(f"{source}: {where}: the rule has no 'jsonSchema'")
    version = _version(rule.get("version", 1), f"{where}/version", source)
    entry = _emptied(rule, "jsonSchema")
    key = key if PLACEMENTS[type_].keyed else None
    return Located(where, f"{where}/jsonSchema", type_, key, version, rule["jsonSchema"], entry)


def _version(value: Any, where: str, source: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise PlanError(f"{source}: {where}: a version is a positive integer, got {value!r}")


def _legacy(document: dict[str, Any], source: str) -> tuple[Any, list[Located]]:
    skeleton = copy.deepcopy(document)
    located: list[Located] = []
    rules = document["rules"]
    if "global" in rules:
        located.append(
            Located("/rules/global", "/rules/global", "COMMON", None, 1, rules["global"], None)
        )
        skeleton["rules"]["global"] = None
    for name, type_ in _LEGACY_LISTS.items():
        entries = rules.get(name)
        if name not in rules:
            continue
        if not isinstance(entries, list):
            raise PlanError(f"{source}: /rules/{name}: must be a list")
        skeleton["rules"][name] = []
        for index, entry in enumerate(entries):
            where = f"/rules/{name}/{index}"
            if not isinstance(entry, dict) or "rules" not in entry:
                raise PlanError(f"{source}: {where}: an entry needs 'rules', its JSON Schema")
            key = entry.get("name")
            if type_ == "TRACK" and not (isinstance(key, str) and key):
                raise PlanError(f"{source}: {where}/name: an event needs a non-empty 'name'")
            version = _version(entry.get("version", 1), f"{where}/version", source)
            kept = _emptied(entry, "rules")
            key = key if type_ == "TRACK" else None
            located.append(
                Located(where, f"{where}/rules", type_, key, version, entry["rules"], kept)
            )
    return skeleton, located


def _unwrap(type_: RuleType, whole: Any) -> tuple[Any, Any]:
    """(the file's schema, the envelope with None in its place); COMMON is all file."""
    inner = PLACEMENTS[type_].inner
    if not inner:
        return whole, None
    envelope = copy.deepcopy(whole)
    node = envelope
    for token in inner[:-1]:
        node = node.get(token) if isinstance(node, dict) else None
    if isinstance(node, dict) and inner[-1] in node:
        schema = node[inner[-1]]
        node[inner[-1]] = None
        return schema, envelope
    return {}, envelope  # the event's schema says nothing of its properties


def wrap(rule: Rule) -> Any:
    """Segment's whole-event `jsonSchema` for a rule: its envelope with the file put back, or
    (a rule written by hand) a draft-07 object schema holding it where Segment expects it.
    An envelope that had no place for the file gets one only if the file now says something."""
    inner = rule.placement.inner
    if not inner:
        return rule.schema
    if rule.envelope is None:
        envelope: Any = {"$schema": dialects.DRAFT_07, "type": "object"}
    else:
        envelope = copy.deepcopy(rule.envelope)
        if not _has_place(envelope, inner) and rule.schema == {}:
            return envelope
    node = envelope
    for token in inner[:-1]:
        if not isinstance(node, dict):
            return envelope
        node = node.setdefault(token, {})
    if isinstance(node, dict):
        node[inner[-1]] = rule.schema
    return envelope


def _has_place(envelope: Any, inner: tuple[str, ...]) -> bool:
    """Whether the envelope holds the None that import left where the file's schema was."""
    node = envelope
    for token in inner[:-1]:
        node = node.get(token) if isinstance(node, dict) else None
    return isinstance(node, dict) and inner[-1] in node and node[inner[-1]] is None


def write(plan: TrackingPlan, form: str | None = None) -> Any:
    """The plan as a Segment export: in `form`, else the form it was imported from, else the
    Public API's."""
    origin = plan.document.form if plan.document is not None else None
    form = form or origin or "public-api"
    same = form == origin
    if form == "config-api":
        return _write_legacy(plan, same)
    # The Public API's response and a bare list hold the same rule objects.
    rules = [_public_entry(rule, origin in PUBLIC_API_FORMS) for rule in plan.rules]
    if form == "rules":
        return rules
    skeleton = copy.deepcopy(plan.document.skeleton) if same and plan.document else None
    if not isinstance(skeleton, dict) or not isinstance(skeleton.get("data"), dict):
        skeleton = {"data": {"rules": None}}
    skeleton["data"]["rules"] = rules
    return skeleton


def _public_entry(rule: Rule, same_form: bool) -> dict[str, Any]:
    if same_form and rule.entry is not None:
        return _refilled(rule.entry, "jsonSchema", rule)
    entry: dict[str, Any] = {} if rule.key is None else {"key": rule.key}
    entry.update(type=rule.type, version=rule.version)
    description = (rule.entry or {}).get("description")
    if description is not None:
        entry["description"] = description
    entry["jsonSchema"] = wrap(rule)
    return entry


def _write_legacy(plan: TrackingPlan, same_form: bool) -> dict[str, Any]:
    skeleton = copy.deepcopy(plan.document.skeleton) if same_form and plan.document else None
    if not isinstance(skeleton, dict) or not isinstance(skeleton.get("rules"), dict):
        skeleton = {"rules": {"events": []}}
    rules = skeleton["rules"]
    commons = [rule for rule in plan.rules if rule.type == "COMMON"]
    if len(commons) > 1:
        raise PlanError(
            f"{plan.file_path(commons[1])}: the Config API form holds one global schema, and "
            f"the plan has {len(commons)} versions of common; export with --form public-api"
        )
    lists = {type_: name for name, type_ in _LEGACY_LISTS.items()}
    for rule in plan.rules:
        if rule.type == "COMMON":
            rules["global"] = wrap(rule)
            continue
        if rule.type not in lists:
            raise PlanError(
                f"{plan.file_path(rule)}: the Config API form has no place for "
                f"{rule.type} rules; export with --form public-api"
            )
        rules.setdefault(lists[rule.type], []).append(_legacy_entry(rule, same_form))
    return skeleton


def _emptied(entry: dict[str, Any], member: str) -> dict[str, Any]:
    """Segment's record of a rule with None where its schema (`member`) was: the schema lives
    in its file; _refilled puts it back."""
    return {name: None if name == member else value for name, value in entry.items()}


def _refilled(entry: dict[str, Any], member: str, rule: Rule) -> dict[str, Any]:
    """Segment's record of a rule as imported, its schema back in `member` (import left None
    there), every other member as it was, in its order."""
    return {
        name: wrap(rule) if name == member and value is None else value
        for name, value in entry.items()
    }


def _legacy_entry(rule: Rule, same_form: bool) -> dict[str, Any]:
    if same_form and rule.entry is not None:
        return _refilled(rule.entry, "rules", rule)
    entry: dict[str, Any] = {} if rule.key is None else {"name": rule.key}
    description = (rule.entry or {}).get("description")
    if description is not None:
        entry["description"] = description
    entry.update(version=rule.version, rules=wrap(rule))
    return entry


def import_file(source: Path, folder: Path) -> TrackingPlan:
    """Turn the Segment export in `source` into the plan folder `folder` (replacing a plan
    folder there). Raises PlanError."""
    document, _ = folders.read_json(source)
    plan = dataclasses.replace(read(document, str(source)), folder=folder.as_posix())
    folders.write(plan, folder)
    return plan


def export(folder: Path, form: str | None = None) -> Any:
    """The plan in `folder` as a Segment export (see write)."""
    return write(folders.load(folder), form)
