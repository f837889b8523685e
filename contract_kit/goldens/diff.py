"""Structural difference of two JSON values, as pointer-addressed changes.

Values are compared as JSON sees them: `5` and `5.0` differ, and so do `1` and `true`.

Two lists of messages line up by `messageId` when every element on both sides is an object with
a string `messageId` (a repeated one is told apart by its occurrence: a re-sent event); otherwise
lists compare by position. A record added to, removed from or moved in a fixture then reads as
one change, not a cascade of every message after it. Aligned by messageId:

- a message in both lists is compared field by field, its pointers using its index in the new
  list;
- a message is `moved` when it falls outside one longest run of shared messages that keep their
  relative order (a longest increasing subsequence of old indices, taken in the new order): moving
  one message is one move, inserting or removing one moves nothing. A move is reported at the new
  index with the old one in `from_pointer`, before that message's own field changes;
- between two messages kept in order, a message only in the golden and one only in the new list
  are the same record edited (a record without an Antavo `id` gets a new messageId with any
  change): compared field by field, `messageId` included, at the new index;
- any other message only in the new list is one `add` at its index in the new list, and one only
  in the golden one `remove` at the index it had there.

Changes come in the order of the messages' positions; at one index a removed message (its old
index) comes before the message now there. The pointers of removals point into the golden and
all others into the new list: the changes describe, they are not an RFC 6902 patch to apply.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Literal

from contract_kit.jsontext import pointers

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


Key = tuple[str, int]
"""A message's messageId and which occurrence of it this is (a re-sent event repeats one)."""


def _ids(items: list[Any]) -> dict[Key, int] | None:
    """Each element's index by (messageId, occurrence), or None when an element has no string
    messageId to line the list up by."""
    ids: dict[Key, int] = {}
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        message_id = item.get(KEY) if isinstance(item, dict) else None
        if not isinstance(message_id, str):
            return None
        occurrence = seen[message_id] = seen.get(message_id, -1) + 1
        ids[(message_id, occurrence)] = index
    return ids


def _walk_by_id(
    old: list[Any],
    new: list[Any],
    ids: tuple[dict[Key, int], dict[Key, int]],
    path: Tokens,
    changes: list[Change],
) -> None:
    old_ids, new_ids = ids
    shared = [key for key in new_ids if key in old_ids]
    kept = _longest_increasing([old_ids[key] for key in shared])
    moved = {key for position, key in enumerate(shared) if position not in kept}
    anchors = [(old_ids[shared[position]], new_ids[shared[position]]) for position in sorted(kept)]
    gone = sorted(index for key, index in old_ids.items() if key not in new_ids)
    came = sorted(index for key, index in new_ids.items() if key not in old_ids)
    edited = _paired_in_gaps(gone, came, [*anchors, (len(old), len(new))])
    edited_old = set(edited.values())
    placed: list[tuple[int, int, list[Change]]] = []  # (index, removal first, its changes)
    for index in gone:
        if index not in edited_old:
            placed.append((index, 0, [Change(_at(path, index), "remove", old=old[index])]))
    for key, index in new_ids.items():
        own: list[Change] = []
        if key in old_ids:
            before = old_ids[key]
            if key in moved:
                own.append(Change(_at(path, index), "move", from_pointer=_at(path, before)))
            _walk(old[before], new[index], (*path, index), own)
        elif index in edited:
            _walk(old[edited[index]], new[index], (*path, index), own)
        else:
            own.append(Change(_at(path, index), "add", new=new[index]))
        placed.append((index, 1, own))
    placed.sort(key=lambda item: item[:2])
    for _, _, own in placed:
        changes.extend(own)


def _paired_in_gaps(
    gone: list[int], came: list[int], anchors: list[tuple[int, int]]
) -> dict[int, int]:
    """New index -> old index of messages that stand in the same place between two messages
    kept in order (`anchors`, ending with the lists' ends): an edited record whose messageId
    changed with its content (a record without an Antavo `id`) reads as its field changes, not
    as a removal and an addition."""
    paired: dict[int, int] = {}
    bounds = [(-1, -1), *anchors]
    at_gone = at_came = 0
    for (old_low, new_low), (old_high, new_high) in itertools.pairwise(bounds):
        olds, news = [], []
        while at_gone < len(gone) and gone[at_gone] < old_high:
            if gone[at_gone] > old_low:
                olds.append(gone[at_gone])
            at_gone += 1
        while at_came < len(came) and came[at_came] < new_high:
            if came[at_came] > new_low:
                news.append(came[at_came])
            at_came += 1
        paired.update(zip(news, olds, strict=False))
    return paired


def _at(path: Tokens, index: int) -> str:
    return pointers.join((*path, index))


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
