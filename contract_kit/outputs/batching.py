"""Segment HTTP API batch bodies: messages grouped in order, none over Segment's limits.

A body is `{"batch":[message,…]}` as compact UTF-8 JSON, at most MAX_BATCH_MESSAGES messages
and MAX_BATCH_BYTES bytes. A message never exceeds a body on its own: `convert` rejects any
message over 32 KB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from contract_kit.checking.validation import MAX_BATCH_BYTES, MAX_BATCH_MESSAGES

_OPEN, _CLOSE, _COMMA = b'{"batch":[', b"]}", b","
_EMPTY = len(_OPEN) + len(_CLOSE)


class Batcher:
    """Takes messages (compact JSON) one at a time, in order, and hands each body to `write`
    as soon as the next message would not fit; `close` hands over the last one."""

    def __init__(
        self,
        write: Callable[[bytes], object],
        max_messages: int = MAX_BATCH_MESSAGES,
        max_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        self._write = write
        self._max_messages, self._max_bytes = max_messages, max_bytes
        self._current: list[bytes] = []
        self._size = _EMPTY

    def add(self, message: bytes) -> None:
        grown = self._size + len(message) + (len(_COMMA) if self._current else 0)
        if self._current and (len(self._current) == self._max_messages or grown > self._max_bytes):
            self._flush()
            grown = _EMPTY + len(message)
        self._current.append(message)
        self._size = grown

    def close(self) -> None:
        if self._current:
            self._flush()

    def _flush(self) -> None:
        self._write(_OPEN + _COMMA.join(self._current) + _CLOSE)
        self._current, self._size = [], _EMPTY


def bodies(
    messages: Iterable[bytes],
    max_messages: int = MAX_BATCH_MESSAGES,
    max_bytes: int = MAX_BATCH_BYTES,
) -> list[bytes]:
    """All the bodies for `messages` at once."""
    found: list[bytes] = []
    batcher = Batcher(found.append, max_messages, max_bytes)
    for message in messages:
        batcher.add(message)
    batcher.close()
    return found
