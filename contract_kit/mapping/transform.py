"""The Antavo → Segment mapping (contract §2): a pure function of a valid record and the config."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from contract_kit.checking import timestamps
from contract_kit.jsontext import jsonio, pointers
from contract_kit.violations import Finding

if TYPE_CHECKING:
    from contract_kit.settings.config import Config

#: messageIds are version-5 UUIDs under this namespace; it is
#: uuid5(NAMESPACE_URL, "https://schemas.contract-kit.dev/message-id") and never changes.
MESSAGE_ID_NAMESPACE = uuid.UUID("338645ba-ba72-5cf6-b0d8-938ffdc975e3")

PROFILE_ACTION = "profile"
ENVELOPE_ATTRIBUTES = ("customer", "external_id")

Message = dict[str, Any]


# Named tuples, not dataclasses: one of them is made for every record converted.


class Converted(NamedTuple):
    message: Message


class Skipped(NamedTuple):
    """Left out by the sync settings: counted, not an error."""

    reason: str


class Rejected(NamedTuple):
    findings: tuple[Finding, ...]


Result = Converted | Skipped | Rejected


@dataclass(frozen=True)
class MappingSettings:
    """The configuration in the form the mapping reads it: worked out once per run."""

    user_id_attribute: str
    all_events: bool
    events: frozenset[str]
    all_attributes: bool
    attributes: frozenset[str]
    event_names: Mapping[str, str]
    integrations: dict[str, Any]
    """The loop-prevention object: one value shared by every message (messages are written,
    not changed)."""

    @classmethod
    def of(cls, config: Config) -> MappingSettings:
        return cls(
            config.user_id_attribute,
            "*" in config.events,
            frozenset(config.events),
            "*" in config.attributes,
            frozenset(config.attributes),
            dict(config.event_names),
            config.integrations_object(),
        )


def to_segment(record: Mapping[str, Any], settings: MappingSettings) -> Result:
    """The Segment message for a record that passed the Antavo schema."""
    action = record["action"]
    is_profile = action == PROFILE_ACTION
    data = record["data"]
    if is_profile:
        if settings.all_attributes:
            traits = data
        else:
            traits = {key: value for key, value in data.items() if key in settings.attributes}
        if not traits:
            return Skipped("profile update with no synced attribute")
    elif not (settings.all_events or action in settings.events):
        return Skipped(f"event {action!r} is not synced")

    user_id = resolve_user_id(record, settings.user_id_attribute)
    if isinstance(user_id, Finding):
        return Rejected((user_id,))
    try:
        timestamp = timestamps.normalise_valid(record["timestamp"])
    except timestamps.InstantError as problem:
        return Rejected((Finding("/timestamp", f"timestamp: {problem}", "format"),))

    message: Message
    if is_profile:
        message = {"type": "identify", "userId": user_id}
    else:
        event = settings.event_names.get(action, action)
        message = {"type": "track", "event": event, "userId": user_id}
    message["timestamp"] = timestamp
    message["messageId"] = message_id(record)
    if is_profile:
        message["traits"] = traits
    elif "account" in record and "account" not in data:
        message["properties"] = {**data, "account": record["account"]}
    else:
        message["properties"] = data
    message["integrations"] = settings.integrations
    return Converted(message)


def message_id(record: Mapping[str, Any]) -> str:
    """Same record, same messageId, on every machine and run.

    With an Antavo `id`, the name is `customer` and `id` joined by a newline, so a re-sent event
    deduplicates in Segment; without one, the record's canonical JSON.
    """
    if "id" in record:
        return event_message_id(record["customer"], record["id"])
    return uuid5(jsonio.dumps(record, sort_keys=True))


def event_message_id(customer: str, event_id: str) -> str:
    """The messageId of every record with this customer and Antavo id."""
    return uuid5(f"{customer}\n{event_id}".encode("utf-8", "surrogatepass"))


#: An event key is 62 bits of the SHA-1 hash behind the messageId (its last 8 bytes, without
#: the two variant bits): the same number from the hash, or from the messageId written out.
_KEY_BITS = (1 << 62) - 1


def event_key(customer: str, event_id: str) -> int:
    """The key of (customer, Antavo id): `message_key(event_message_id(customer, event_id))`,
    without writing the messageId out."""
    hashed = _NAMESPACE_HASH.copy()
    hashed.update(f"{customer}\n{event_id}".encode("utf-8", "surrogatepass"))
    return int.from_bytes(hashed.digest()[8:16], "big") & _KEY_BITS


def message_key(message_id: str) -> int:
    """The event key a messageId carries (see event_key)."""
    return int(message_id[19:23] + message_id[24:], 16) & _KEY_BITS


_NAMESPACE_BYTES = MESSAGE_ID_NAMESPACE.bytes
#: SHA-1 with the namespace already hashed: copying it costs less than starting anew.
_NAMESPACE_HASH = hashlib.sha1(_NAMESPACE_BYTES)


def uuid5(name: bytes) -> str:
    """`str(uuid.uuid5(MESSAGE_ID_NAMESPACE, name))`, four times faster (RFC 9562 §5.5): the
    hex digits of SHA-1 of namespace and name, with the version (5) and the variant (RFC)
    written into the 13th and 17th digits."""
    hashed = _NAMESPACE_HASH.copy()
    hashed.update(name)
    hexed = hashed.hexdigest()
    variant = _VARIANT[hexed[16]]
    return f"{hexed[:8]}-{hexed[8:12]}-5{hexed[13:16]}-{variant}{hexed[17:20]}-{hexed[20:32]}"


#: The 17th hex digit with its two high bits set to 10 (the RFC variant).
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def resolve_user_id(record: Mapping[str, Any], attribute: str) -> str | Finding:
    """The `userId` named by `user_id_attribute`, or why there is none.

    `customer` and `external_id` name envelope fields; any other name is looked up in `data`
    (profile updates only: the new value wins), then in `attributes`. A key present with null
    is a violation, not a reason to look further.
    """
    if attribute in ENVELOPE_ATTRIBUTES:  # the common case, first and cheap
        plain = record.get(attribute)
        if isinstance(plain, str) and plain.strip():
            return plain
    where: tuple[str, ...]
    if attribute in ENVELOPE_ATTRIBUTES:
        where = (attribute,)
        found = attribute in record
    else:
        data, known = record.get("data", {}), record.get("attributes")
        if record["action"] == PROFILE_ACTION and attribute in data:
            where, found = ("data", attribute), True
        elif isinstance(known, dict) and attribute in known:
            where, found = ("attributes", attribute), True
        else:
            where, found = ("attributes", attribute), False
    pointer = pointers.join(where)
    if not found:
        return Finding(pointer, f"userId: attribute {attribute!r} is missing", "userId")
    value: Any = record
    for key in where:
        value = value[key]
    return _as_user_id(value, attribute, pointer)


def _as_user_id(value: Any, attribute: str, pointer: str) -> str | Finding:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # JSON Schema counts 12345.0 as an integer
    if value is None:
        problem = "is null"
    elif isinstance(value, str):
        problem = "is empty" if not value else "holds only white space"
    else:
        problem = f"is {jsonio.dump_compact(value)[:40]}, neither a string nor an integer"
    return Finding(pointer, f"userId: attribute {attribute!r} {problem}", "userId")
