"""Structural difference of two JSON values, as pointer-addressed changes.

Values are compared as JSON sees them: `5` and `5.0` differ, and so do `1` and `true`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from . import pointers

Op = Literal["add", "remove", "replace"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """At `pointer`, `old` became `new` (MISSING where there was or is nothing)."""

    pointer: str
    op: Op
    old: Any = MISSING
    new: Any = MISSING


def compare(old: Any, new: Any) -> list[Change]:
    changes: list[Change] = []
    _walk(old, new, (), changes)
    return changes


def _walk(old: Any, new: Any, path: tuple[str | int, ...], changes: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key in new:
                _walk(old[key], new[key], (*path, key), changes)
            else:
                changes.append(Change(pointers.join((*path, key)), "remove", old=old[key]))
        for key in new:
            if key not in old:
                changes.append(Change(pointers.join((*path, key)), "add", new=new[key]))
    elif isinstance(old, list) and isinstance(new, list):
        for index, (before, after) in enumerate(zip(old, new, strict=False)):
            _walk(before, after, (*path, index), changes)
        for index in range(len(new), len(old)):
            changes.append(Change(pointers.join((*path, index)), "remove", old=old[index]))
        for index in range(len(old), len(new)):
            changes.append(Change(pointers.join((*path, index)), "add", new=new[index]))
    elif type(old) is not type(new) or old != new:
        changes.append(Change(pointers.join(path), "replace", old=old, new=new))
