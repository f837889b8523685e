"""RFC 6901 JSON Pointers: building and splitting them."""

from __future__ import annotations

from collections.abc import Iterable


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(tokens: Iterable[str | int]) -> str:
    """`("data", "items", 3)` -> `/data/items/3`; no tokens -> "" (the whole value)."""
    return "".join("/" + escape(token) for token in tokens)


def split(pointer: str) -> list[str]:
    """`/data/a~1b` -> `["data", "a/b"]`."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON Pointer: {pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]
