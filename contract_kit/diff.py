"""Structural difference of two JSON values, as pointer-addressed changes.

Values are compared as JSON sees them: `5` and `5.0` differ, and so do `1` and `true`.

Two lists of messages line up by `messageId` when every element on both sides is an object with
a string `messageId` and no side repeats one; otherwise lists compare by position. A record added
to, removed from or moved in a fixture then reads as one change, not a cascade of every message
after it. Aligned by messageId:

- a message only in the new list is one `add` at its index in the new list;
- a message only in the old list (the golden) is one `remove` at the index it had there;
- a message in both is compared field by field, its pointers using its index in the new list;
- a message is `moved` when it falls outside one longest run of shared messages that keep their
  relative order (a longest increasing subsequence of old indices, taken in the new order): moving
  one message is one move, inserting or removing one moves nothing. A move is reported at the new
  index with the old one in `from_pointer`, before that message's own field changes.

Changes come in the order of the messages' positions; at one index a removed message (its old
index) comes before the message now there.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Literal

from . import pointers

Op = Literal["add", "remove", "replace", "move"]
Tokens = tuple[str | int, ...]
"""Where a value is: the pointer tokens leading to it."""
#: The key that identifies a Segment message, and so lines up two lists of messages.
KEY = "messageId"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """At `pointer`, `old` became `new` (MISSING where there was or is nothing). A `move` has
    neither: the message now at `pointer` was at `from_pointer`."""

    pointer: str
    op: Op
    old: Any = MISSING
    new: Any = MISSING
    from_pointer: str | None = None


def compare(old: Any, new: Any) -> list[Change]:
    changes: list[Change] = []
    _walk(old, new, (), changes)
    return changes


def _walk(old: Any, new: Any, path: Tokens, changes: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        _walk_objects(old, new, path, changes)
    elif isinstance(old, list) and isinstance(new, list):
        old_ids, new_ids = _ids(old), _ids(new)
        if old_ids is not None and new_ids is not None:
            _walk_by_id(old, new, (old_ids, new_ids), path, changes)
        else:
            _walk_by_position(old, new, path, changes)
    elif type(old) is not type(new) or old != new:
        changes.append(Change(pointers.join(path), "replace", old=old, new=new))


def _walk_objects(
    old: dict[str, Any], new: dict[str, Any], path: Tokens, changes: list[Change]
) -> None:
    for key in old:
        if key in new:
            _walk(old[key], new[key], (*path, key), changes)
        else:
            changes.append(Change(pointers.join((*path, key)), "remove", old=old[key]))
    for key in new:
        if key not in old:
            changes.append(Change(pointers.join((*path, key)), "add", new=new[key]))


def _walk_by_position(old: list[Any], new: list[Any], path: Tokens, changes: list[Change]) -> None:
    for index, (before, after) in enumerate(zip(old, new, strict=False)):
        _walk(before, after, (*path, index), changes)
    for index in range(len(new), len(old)):
        changes.append(Change(pointers.join((*path, index)), "remove", old=old[index]))
    for index in range(len(old), len(new)):
        changes.append(Change(pointers.join((*path, index)), "add", new=new[index]))


def _ids(items: list[Any]) -> dict[str, int] | None:
    """Each element's index by its messageId, or None when the ids cannot line the list up."""
    ids: dict[str, int] = {}
    for index, item in enumerate(items):
        key = item.get(KEY) if isinstance(item, dict) else None
        if not isinstance(key, str) or key in ids:
            return None
        ids[key] = index
    return ids


def _walk_by_id(
    old: list[Any],
    new: list[Any],
    ids: tuple[dict[str, int], dict[str, int]],
    path: Tokens,
    changes: list[Change],
) -> None:
    old_ids, new_ids = ids
    placed: list[tuple[int, int, list[Change]]] = []  # (index, removal first, its changes)
    for key, index in old_ids.items():
        if key not in new_ids:
            placed.append((index, 0, [Change(_at(path, index), "remove", old=old[index])]))
    moved = _moved(old_ids, new_ids)
    for key, index in new_ids.items():
        own: list[Change] = []
        if key not in old_ids:
            own.append(Change(_at(path, index), "add", new=new[index]))
        else:
            before = old_ids[key]
            if key in moved:
                own.append(Change(_at(path, index), "move", from_pointer=_at(path, before)))
            _walk(old[before], new[index], (*path, index), own)
        placed.append((index, 1, own))
    placed.sort(key=lambda item: item[:2])
    for _, _, own in placed:
        changes.extend(own)


def _at(path: Tokens, index: int) -> str:
    return pointers.join((*path, index))


def _moved(old_ids: dict[str, int], new_ids: dict[str, int]) -> set[str]:
    """The shared messages outside one longest run that keeps its relative order."""
    shared = [key for key in new_ids if key in old_ids]
    kept = _longest_increasing([old_ids[key] for key in shared])
    return {key for position, key in enumerate(shared) if position not in kept}


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence of `values` (patience sorting,
    O(n log n): a golden may hold thousands of messages)."""
    tails: list[int] = []  # the smallest last value of a run of each length
    ends: list[int] = []  # the position of that last value
    previous = [-1] * len(values)
    for position, value in enumerate(values):
        length = bisect_left(tails, value)
        previous[position] = ends[length - 1] if length else -1
        if length == len(tails):
            tails.append(value)
            ends.append(position)
        else:
            tails[length], ends[length] = value, position
    kept: set[int] = set()
    position = ends[-1] if ends else -1
    while position >= 0:
        kept.add(position)
        position = previous[position]
    return kept
