"""The driver: one run as a stream of events, in input order, each piece final when it comes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from contract_kit.reading.paths import collect
from contract_kit.reading.pieces import BYTES_PER_PIECE
from contract_kit.running import driver, steps
from contract_kit.running.context import RunContext
from contract_kit.settings.config import Config

from ..helpers import record

INVALID = {**record(), "timestamp": -1}
#: Records of two pieces and more, written compactly (about 110 bytes a line).
COUNT = 2 * BYTES_PER_PIECE // 100


def write_ndjson(path: Path, records: list[Any]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(value) + b"\n" for value in records))
    return path


def _many(path: Path, count: int, first: dict[str, Any] | None = None) -> Path:
    records = [first or record()] + [record(id=f"e{n}") for n in range(count)]
    return write_ndjson(path, records)


def test_a_piece_is_reported_before_the_next_one_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first violation reaches the consumer after one piece's work, not the whole run's."""
    source = _many(tmp_path / "big.ndjson", COUNT, INVALID)
    processed: list[int] = []
    real = steps.process
    monkeypatch.setattr(
        driver, "process", lambda piece, run: processed.append(1) or real(piece, run)
    )
    events = driver.run(RunContext("validate"), collect([source]))
    assert isinstance(next(events), driver.Started)
    first = next(events)
    assert isinstance(first, driver.PieceDone)
    assert [v.record for v in first.result.violations] == [0]
    assert len(processed) == 1
    rest = list(events)
    assert len(processed) > 1 and isinstance(rest[-1], driver.Finished)
    assert rest[-1].report.records == 1 + COUNT


def test_max_errors_cuts_the_piece_and_ends_the_stream(tmp_path: Path) -> None:
    source = write_ndjson(tmp_path / "bad.ndjson", [INVALID] * 5)
    events = list(driver.run(RunContext("validate", max_errors=2), collect([source])))
    done = [event for event in events if isinstance(event, driver.PieceDone)]
    assert [v.record for v in done[0].result.violations] == [0, 1]
    report = events[-1].report  # type: ignore[union-attr]
    assert report.stopped and len(report.violations) == 2


def test_an_id_shared_across_pieces_is_reported_in_the_later_piece(tmp_path: Path) -> None:
    """The run-wide check settles each piece before it is handed out: what comes is final."""
    count = COUNT
    other = {**record(id="e0"), "data": {"points": 99}}
    records = [record(id=f"e{n}") for n in range(count)] + [other]
    source = write_ndjson(tmp_path / "ids.ndjson", records)
    context = RunContext.converting(Config())
    events = list(driver.run(context, collect([source])))
    done = [event.result for event in events if isinstance(event, driver.PieceDone)]
    assert len(done) > 1
    assert [v.record for v in done[-1].violations] == [count]
    assert not any(result.violations for result in done[:-1])
    assert sum(result.converted for result in done) == count
