"""A tracking plan as values: its rules, the file each lives in, and which rule a message meets.

Segment's rule types, and what each one's schema file checks in a message:

| type     | file                          | checks                |
|----------|-------------------------------|-----------------------|
| COMMON   | `common.schema.json`          | the whole message     |
| IDENTIFY | `identify.schema.json`        | `traits`              |
| TRACK    | `track/<event>.schema.json`   | `properties`          |
| GROUP, PAGE, SCREEN | `group.schema.json`, `page/<name>…`, `screen/<name>…` | kept, not checked |

A version other than the current one lives beside it as `<name>@<version>.schema.json`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from urllib.parse import unquote

from contract_kit.tracking_plan.policy import (
    EVENT_POLICIES,
    PROPERTY_POLICIES,
    EventPolicy,
    PropertyPolicy,
)

RuleType = Literal["COMMON", "IDENTIFY", "GROUP", "TRACK", "PAGE", "SCREEN"]
RULE_TYPES: tuple[RuleType, ...] = get_args(RuleType)

SUFFIX = ".schema.json"
MANIFEST = "plan.json"
"""Written by `plan import`: what Segment knows of each rule besides its schema."""


@dataclass(frozen=True)
class Placement:
    """Where a rule type's schema file sits in the folder, and what it checks."""

    type: RuleType
    name: str
    """The file stem of a one-of-a-kind rule (common), or the folder of keyed rules (track)."""
    keyed: bool
    """One rule per key (an event name) rather than one for the whole plan."""
    inner: tuple[str, ...]
    """Where the file's schema sits in Segment's whole-event `jsonSchema` (() = it is all)."""
    checked: bool
    """contract-kit checks identify and track calls only."""

    @property
    def member(self) -> str | None:
        """The message member the schema applies to; None for the whole message."""
        return self.inner[-1] if self.inner else None


PLACEMENTS: dict[RuleType, Placement] = {
    "COMMON": Placement("COMMON", "common", False, (), True),
    "IDENTIFY": Placement("IDENTIFY", "identify", False, ("properties", "traits"), True),
    "GROUP": Placement("GROUP", "group", False, ("properties", "traits"), False),
    "TRACK": Placement("TRACK", "track", True, ("properties", "properties"), True),
    "PAGE": Placement("PAGE", "page", True, ("properties", "properties"), False),
    "SCREEN": Placement("SCREEN", "screen", True, ("properties", "properties"), False),
}


@dataclass(frozen=True)
class Rule:
    """One rule of the plan: a schema for one kind of message, in one version."""

    type: RuleType
    key: str | None
    """The event (or page, screen) name; None for common, identify and group."""
    version: int
    schema: Any
    """The schema in the rule's file: of `properties`, of `traits`, or of the whole message."""
    file: str
    """Its path inside the plan folder, with forward slashes."""
    envelope: Any = None
    """The rest of Segment's whole-event `jsonSchema`, with None where the file's schema goes;
    None for a rule written by hand (or a COMMON rule, whose schema is the whole)."""
    entry: dict[str, Any] | None = None
    """Segment's record of the rule (key, type, version, description, dates...), with None
    where its schema goes; None for a rule written by hand."""

    @property
    def placement(self) -> Placement:
        return PLACEMENTS[self.type]

    def envelope_schema(self) -> Any:
        """The rest of Segment's whole-event schema, the file's place taken by `true` (it is
        checked on its own); None for a rule without an envelope."""

        def fill(node: Any, path: tuple[str, ...]) -> Any:
            if not path or not isinstance(node, dict) or path[0] not in node:
                return node
            inner = node[path[0]]
            replaced = True if inner is None and len(path) == 1 else fill(inner, path[1:])
            return {**node, path[0]: replaced}

        return fill(self.envelope, self.placement.inner)

    @property
    def label(self) -> str:
        """How reports name it: `track/point_add`, `identify`, `track/point_add@1`."""
        return self.placement.name if self.key is None else f"{self.placement.name}/{self.key}"


@dataclass(frozen=True)
class Document:
    """What a Segment export held around its rules, to write it back as it was."""

    form: str
    """`public-api`, `rules` (a bare list) or `config-api` (the legacy form)."""
    skeleton: Any
    """The export with its rules taken out."""


@dataclass(frozen=True)
class TrackingPlan:
    """Every rule of one plan folder, and what to do with what it does not name."""

    folder: str
    """As reports show it."""
    rules: tuple[Rule, ...]
    document: Document | None = None
    unplanned: EventPolicy = "warn"
    unplanned_properties: PropertyPolicy = "warn"
    compiled: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    """What checking works out once per plan and process (compiled validators): a copy sent to
    a worker process, or changed with dataclasses.replace, starts without it."""
    _by_name: dict[tuple[RuleType, str | None], dict[int, Rule]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for name, policy, choices in (
            ("unplanned", self.unplanned, EVENT_POLICIES),
            ("unplanned_properties", self.unplanned_properties, PROPERTY_POLICIES),
        ):
            if policy not in choices:
                raise ValueError(f"{name} must be one of {', '.join(choices)}, got {policy!r}")
        for rule in self.rules:
            self._by_name.setdefault((rule.type, rule.key), {})[rule.version] = rule

    def versions(self, type_: RuleType, key: str | None = None) -> dict[int, Rule]:
        """The rule's versions, by number; empty when the plan does not name it."""
        return self._by_name.get((type_, key), {})

    def current(self, type_: RuleType, key: str | None = None) -> Rule | None:
        """The highest version of a rule, or None."""
        versions = self.versions(type_, key)
        return versions[max(versions)] if versions else None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "compiled": {}}

    def events(self) -> list[str]:
        """The planned track events, sorted."""
        return sorted(key for (kind, key) in self._by_name if kind == "TRACK" and key is not None)

    def file_path(self, rule: Rule) -> str:
        return f"{self.folder.rstrip('/')}/{rule.file}"


# File names: an event name may hold any character; the few a file name cannot (or that the
# layout itself uses: `@` before a version, `%` for escapes) are percent-escaped.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f%/\\@:*?"<>|]|^\.|\.$|^\s|\s$')
_VERSIONED = re.compile(r"^(?P<name>.*)@(?P<version>[1-9][0-9]*)$")


def escape_name(name: str) -> str:
    """A file stem for `name`: `Order Completed` stays, `a/b` becomes `a%2Fb`."""
    return _UNSAFE.sub(lambda match: "".join(f"%{byte:02X}" for byte in match[0].encode()), name)


def unescape_name(stem: str) -> str:
    """The name a file stem stands for (the inverse of escape_name)."""
    try:
        return unquote(stem, errors="strict")
    except UnicodeDecodeError:
        return stem


def file_for(type_: RuleType, key: str | None, version: int | None) -> str:
    """The file of a rule: `track/point_add.schema.json`, `common@2.schema.json`."""
    placement = PLACEMENTS[type_]
    at = "" if version is None else f"@{version}"
    if placement.keyed:
        return f"{placement.name}/{escape_name(key or '')}{at}{SUFFIX}"
    return f"{placement.name}{at}{SUFFIX}"


@dataclass(frozen=True)
class FileName:
    """What a file's place in the folder says: its rule type, key and (explicit) version."""

    type: RuleType
    key: str | None
    version: int | None


def parse_file_name(relative: str) -> FileName | None:
    """The rule a file holds by its path in the folder, or None if the layout has no such file."""
    parts = relative.split("/")
    if not parts[-1].endswith(SUFFIX) or len(parts) > 2:
        return None
    stem = parts[-1][: -len(SUFFIX)]
    versioned = _VERSIONED.match(stem)
    version = int(versioned["version"]) if versioned else None
    name = versioned["name"] if versioned else stem
    for placement in PLACEMENTS.values():
        if placement.keyed and len(parts) == 2 and parts[0] == placement.name and name:
            return FileName(placement.type, unescape_name(name), version)
        if not placement.keyed and len(parts) == 1 and name == placement.name:
            return FileName(placement.type, None, version)
    return None


#: Keywords whose values are data, not schemas: a `pattern` member inside an example is not a
#: pattern. And keywords whose values map names to schemas: a property may be named `enum`.
DATA_KEYWORDS = frozenset({"examples", "default", "const", "enum"})
NAMED_SCHEMAS = frozenset(
    {"properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"}
)


def schema_keywords(schema: Any) -> Iterator[tuple[tuple[str | int, ...], str, Any]]:
    """Every (path, keyword, value) of a schema and its subschemas: `path` leads to the
    keyword. Data (examples, defaults, enum values) is not looked into."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), schema)]
    while stack:
        path, node = stack.pop()
        if not isinstance(node, dict):
            continue
        for keyword, value in node.items():
            here = (*path, keyword)
            yield here, keyword, value
            if keyword in DATA_KEYWORDS:
                continue
            if keyword in NAMED_SCHEMAS and isinstance(value, dict):
                stack.extend(((*here, name), subschema) for name, subschema in value.items())
            elif isinstance(value, dict):
                stack.append((here, value))
            elif isinstance(value, list):
                stack.extend(((*here, index), item) for index, item in enumerate(value))
