"""A Segment message against the contract: the spec layer, and the Antavo source profile."""

from __future__ import annotations

from typing import Any

from contract_kit.checking import compiled, validation
from contract_kit.jsontext import jsonio
from contract_kit.violations import Finding

SEGMENT_SCHEMA = "segment/message"
STRICT_SEGMENT_SCHEMA = "segment/antavo-source"


def check_message(
    message: Any, *, strict: bool, size: int | None = None, limit: int | None = None
) -> list[Finding]:
    """A Segment message against the spec layer (and the Antavo source profile if strict).
    `size`: its compact JSON size, when the caller has already written it. `limit`: see
    validation.check."""
    schema = STRICT_SEGMENT_SCHEMA if strict else SEGMENT_SCHEMA
    if size is None:
        size = jsonio.compact_size(message)
    if compiled.is_valid(message, schema) and size <= validation.MAX_MESSAGE_BYTES:
        return []
    return validation.check(message, schema, limit) + validation.check_message_size(message)
