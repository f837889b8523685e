"""What a Spark task hands the unit of work: whole lines in pieces of the CLI's size, from
Arrow batches (no Spark needed)."""

from __future__ import annotations

import pyarrow as pa

from contract_kit.reading.pieces import BYTES_PER_PIECE
from contract_kit.spark.tasks import spans


def _batch(lines: list[bytes], spans_of: list[tuple[str, int]]) -> pa.RecordBatch:
    paths, starts = zip(*spans_of, strict=True)
    return pa.RecordBatch.from_arrays(
        [pa.array(lines, pa.binary()), pa.array(paths), pa.array(starts, pa.int64())],
        names=["line", "path", "start"],
    )


def test_a_batch_of_long_lines_is_cut_into_pieces_of_about_a_mebibyte() -> None:
    lines = [bytes([65 + index % 26]) * 20_000 for index in range(1_000)]  # 20 MB in one batch
    batch = _batch(lines, [("f", 0)] * len(lines))
    ((key, found),) = [(key, list(chunks)) for key, chunks in spans([batch])]
    assert key == ("f", 0)
    assert b"".join(found) == b"".join(line + b"\n" for line in lines)
    assert all(chunk.endswith(b"\n") for chunk in found)
    assert max(map(len, found)) <= BYTES_PER_PIECE + 20_001 and len(found) >= 19


def test_the_spans_of_a_partition_come_apart_in_order_across_batches() -> None:
    keys = [("a", 0)] * 3 + [("a", 128)] * 2 + [("b", 0)] * 4
    lines = [f"{index}".encode() for index in range(len(keys))]
    batches = [_batch(lines[:4], keys[:4]), _batch(lines[4:], keys[4:])]
    found = [(key, b"".join(chunks)) for key, chunks in spans(batches)]
    assert found == [
        (("a", 0), b"0\n1\n2\n"),
        (("a", 128), b"3\n4\n"),
        (("b", 0), b"5\n6\n7\n8\n"),
    ]
