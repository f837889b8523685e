"""The run-wide event-id check on Spark: one shuffle on the Antavo id, across every partition.

The CLI settles each piece's ids against one table, in input order (running.event_ids). Here the
ids of every piece (rows EVENT_ID: key, fingerprint, file, record) are shuffled on their key,
which mapping.transform derives from (customer, id), and ordered within a key by (file, record):
the first record in input order holds the id, and each later record with a different
fingerprint is in conflict with it, as the CLI's table decides. Conflicts are few (each is a
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
    record, in the order of the piece's log; `names` are the run's input names."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    ids = rows.where(F.col("kind") == EVENT_ID)
    in_input_order = Window.partitionBy("key").orderBy("source", "record")
    first = {
        column: F.first(column).over(in_input_order)
        for column in ("fingerprint", "source", "record")
    }
    placed = ids.select(
        "source", "line", "number", "fingerprint",
        first["fingerprint"].alias("first_fingerprint"),
        first["source"].alias("first_source"),
        first["record"].alias("first_record"),
    )  # fmt: skip
    later = placed.where(F.col("fingerprint") != F.col("first_fingerprint")).select(
        "source", "line", "number", "first_source", "first_record"
    )
    found: dict[tuple[int, int], list[Conflict]] = defaultdict(list)
    for source, line, index, first_source, first_record in later.collect():
        found[(source, line)].append(Conflict(index, names[first_source], first_record))
    for piece in found.values():
        piece.sort(key=lambda conflict: conflict.entry)
    return dict(found)
