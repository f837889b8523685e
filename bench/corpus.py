"""A seeded, realistic corpus of Antavo records for `make bench`: the same bytes on every run."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson

FIRST = ["Anna", "Bence", "Tünde", "Jean", "Zoë", "Kenji", "Marta", "Örs", "Lucía", "Ahmed"]
LAST = ["Kovács", "Nagy", "Smith", "Dubois", "Tanaka", "García", "Müller", "Szabó"]
PRODUCTS = [
    ("SKU-JKT-1001", "Vintage Leather Jacket", 189.9),
    ("SKU-SNK-2002", "Trail Runner Sneakers", 119.0),
    ("SKU-BAG-2210", "Canvas Tote Bag", 39.5),
    ("SKU-CUP-0007", "Ceramic Mug 「朝」", 14.25),
    ("SKU-TEA-0420", "Earl Grey Tea, 100 g", 7.99),
]
CUSTOM = ["review_submit", "daily_login", "referral", "coupon_redeem", "quiz_complete"]


def record(generator: random.Random, index: int) -> dict[str, Any]:
    customer = f"{generator.getrandbits(96):024x}"
    action = generator.choices(
        ["point_add", "checkout", "profile", "point_spend", "checkout_item", "refund", "custom"],
        weights=[30, 20, 15, 8, 7, 5, 15],
    )[0]
    data: dict[str, Any]
    if action == "point_add":
        data = {"points": generator.randint(1, 5000), "reason": "Purchase bonus"}
    elif action == "point_spend":
        data = {"points": generator.randint(10, 900)}
    elif action in ("checkout", "checkout_item"):
        items = [
            {
                "product_id": sku,
                "product_name": name,
                "price": price,
                "quantity": generator.randint(1, 3),
            }
            for sku, name, price in generator.sample(PRODUCTS, generator.randint(1, 3))
        ]
        total = round(sum(item["price"] * item["quantity"] for item in items), 2)
        data = {"transaction_id": f"tx-{index:09d}", "total": total, "currency": "EUR"}
        if action == "checkout":
            data["items"] = items
        else:
            data.update(items[0])
    elif action == "refund":
        data = {"transaction_id": f"tx-{index - 7:09d}"}
    elif action == "profile":
        first, last = generator.choice(FIRST), generator.choice(LAST)
        data = {"first_name": first, "last_name": last, "email": f"user{index}@example.com",
                "language": "en", "country": "HU"}  # fmt: skip
    else:
        action = generator.choice(CUSTOM)
        data = {"source": "web", "rating": generator.randint(1, 5), "note": "Szép napot! 🙂"}
    seconds = 1_700_000_000 + index * 13
    stamp = generator.random()
    timestamp: str | int | float
    if stamp < 0.6:
        timestamp = _utc(seconds) + f".{index % 1000:03d}Z"
    elif stamp < 0.8:
        timestamp = _utc(seconds - 7200) + "+02:00"
    else:
        timestamp = seconds
    result: dict[str, Any] = {
        "customer": customer,
        "action": action,
        "data": data,
        "timestamp": timestamp,
    }
    if generator.random() < 0.5:
        result["id"] = f"{generator.getrandbits(96):024x}"
    if generator.random() < 0.2:
        result["account"] = "main_account"
    return result


def _utc(seconds: int) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


INVALID_TIMESTAMP = -1_700_000_000  # the schema allows Unix seconds in [0, 253402300800)


def write_ndjson(
    path: Path,
    count: int,
    seed: int = 20261129,
    invalid_at: int | None = None,
    invalid_every: int | None = None,
) -> None:
    """`count` records, one a line. With `invalid_at`, record number `invalid_at` (0-based, so
    line invalid_at + 1) gets a negative Unix timestamp, which the Antavo record schema rejects;
    every other line is the same as without it. With `invalid_every`, every such record (the
    first at invalid_every // 2) is broken in one of three ways in turn: that timestamp, a
    timestamp without an offset, no `customer`."""
    generator = random.Random(seed)
    broken = 0
    with path.open("wb") as stream:
        for index in range(count):
            item = record(generator, index)
            if index == invalid_at:
                item["timestamp"] = INVALID_TIMESTAMP
            if invalid_every and index % invalid_every == invalid_every // 2:
                _break(item, broken)
                broken += 1
            stream.write(orjson.dumps(item) + b"\n")


def _break(item: dict[str, Any], kind: int) -> None:
    if kind % 3 == 0:
        item["timestamp"] = INVALID_TIMESTAMP
    elif kind % 3 == 1:
        item["timestamp"] = "2024-11-26 15:19:14"
    else:
        del item["customer"]


def write_files(folder: Path, count: int, seed: int = 7) -> list[Path]:
    generator = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"record-{index:05d}.json"
        path.write_bytes(orjson.dumps(record(generator, index), option=orjson.OPT_INDENT_2))
        paths.append(path)
    return paths
