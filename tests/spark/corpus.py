"""A seeded corpus of Antavo records for the Spark tests: the same bytes on every run, with every
kind of record whose fate must not depend on where a Spark task's split falls."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson

#: The configuration the corpus is converted with: custom events, and profile updates without
#: a synced attribute, are skipped by the sync settings.
CONFIG = """\
[tool.contract-kit]
events = ["point_add", "point_spend", "checkout"]
attributes = ["first_name", "loyalty_tier"]
"""

FIRST_SHARED_AT = 7
"""The record whose Antavo id later records reuse: some as a different event (a conflict,
in a later split), some as the same event re-sent with another timestamp (no conflict)."""


def write_corpus(path: Path, count: int, seed: int = 15) -> dict[str, int]:
    """`count` records, one a line (with a blank line and CRLF endings here and there); the
    numbers of each kind planted, for the test to check the corpus holds them."""
    generator = random.Random(seed)
    planted = {"invalid": 0, "conflicting": 0, "re-sent": 0}
    first: dict[str, Any] | None = None
    lines = []
    for index in range(count):
        item = _record(generator, index)
        if index == FIRST_SHARED_AT:
            first = dict(item, id="shared-id-1", action="point_add", data={"points": 17})
            item = first
        elif first is not None and index % 9_000 == 8_000:
            # another event (one the sync settings keep), with the same id
            item.update(customer=first["customer"], id=first["id"], action="point_spend")
            item["data"] = {"points": 5}
            planted["conflicting"] += 1
        elif first is not None and index % 11_000 == 5_000:
            item = dict(first, timestamp=1_700_000_000 + index)  # the same event, re-sent
            planted["re-sent"] += 1
        elif index % 97 == 41:
            _break(item, index)
            planted["invalid"] += 1
        line = orjson.dumps(item)
        lines.append(line + (b"\r\n" if index % 501 == 0 else b"\n"))
        if index % 1_999 == 0:
            lines.append(b"   \n")  # a blank line: not a record, but it moves the line numbers
    path.write_bytes(b"".join(lines))
    return planted


def _record(generator: random.Random, index: int) -> dict[str, Any]:
    customer = f"cust-{generator.randrange(20_000):05d}"
    action = generator.choice(["point_add", "point_spend", "checkout", "profile", "review"])
    data: dict[str, Any]
    if action in ("point_add", "point_spend"):
        data = {"points": generator.randint(1, 5_000)}
    elif action == "checkout":
        data = {"transaction_id": f"tx-{index}", "total": round(generator.random() * 300, 2)}
    elif action == "profile":
        data = generator.choice([{"first_name": "Zoë"}, {"email": f"u{index}@example.com"}])
    else:
        data = {"rating": generator.randint(1, 5), "note": "Szép napot! 🙂"}
    item: dict[str, Any] = {
        "customer": customer,
        "action": action,
        "data": data,
        "timestamp": f"2026-11-{1 + index % 28:02d}T10:{index % 60:02d}:00.000Z",
    }
    if generator.random() < 0.6:
        item["id"] = f"ev-{index}"
    return item


def _break(item: dict[str, Any], index: int) -> None:
    kind = index % 3
    if kind == 0:
        item["timestamp"] = "2026-11-26 15:19:14"  # no offset
    elif kind == 1:
        del item["customer"]
    else:
        item["data"] = "not an object"
