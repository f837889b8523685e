"""The run-wide event-id check on Spark: one shuffle on the Antavo id, across every partition.

The CLI settles each piece's ids against one table, in input order (running.event_ids). Here the
ids of every piece (rows EVENT_ID: key, fingerprint, file, record) are shuffled on their key,
which mapping.transform derives from (customer, id): the first record of a key in input order
(file, record) holds the id, and each record with another fingerprint is in conflict with it,
as the CLI's table decides. Conflicts are few (each is a
violation), so they come back to the driver, which has the pieces that hold them processed
again and settled by running.event_ids.withdraw_conflicts, the CLI's own wording.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from contract_kit.running.event_ids import Conflict
from contract_kit.spark.tasks import EVENT_ID

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def conflicts(rows: DataFrame, names: Sequence[str]) -> dict[tuple[int, int], list[Conflict]]:
    """The conflicts of a run, by the piece (file number, first line) that holds the later
    record, in the order of the piece's log; `names` are the run's input names.

    One aggregation on the key (a shuffle of partial aggregates) finds the keys held by more
    than one fingerprint and the first record of each in input order; a second job fetches
    the entries of those keys only, which are few."""
    from pyspark.sql import functions as F

    ids = rows.where(F.col("kind") == EVENT_ID)
    per_key = ids.groupBy("key").agg(
        F.min("fingerprint").alias("low"),
        F.max("fingerprint").alias("high"),
        F.min_by(F.struct("fingerprint", "source", "record"), F.struct("source", "record")).alias(
            "first"
        ),
    )
    shared = per_key.where(F.col("low") != F.col("high")).select("key", "first").collect()
    if not shared:
        return {}
    firsts = {row.key: row.first for row in shared}
    entries = ids.where(F.col("key").isin(list(firsts))).select(
        "key", "fingerprint", "source", "line", "number"
    )
    found: dict[tuple[int, int], list[Conflict]] = defaultdict(list)
    for key, fingerprint, source, line, index in entries.collect():
        first = firsts[key]
        if fingerprint != first.fingerprint:  # the first's own, and re-sends of it, hold
            found[(source, line)].append(Conflict(index, names[first.source], first.record))
    for piece in found.values():
        piece.sort(key=lambda conflict: conflict.entry)
    return dict(found)
