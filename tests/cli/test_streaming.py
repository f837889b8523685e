"""The text report prints each piece's violations as soon as the piece is done, in input order,
for any --jobs: the first violation of a long run does not wait for its end.

The input is a named pipe whose writer keeps it open after the first piece: a report written
only at the end could not appear until the pipe is closed, so the test needs no clock.
"""

from __future__ import annotations

import os
import select
import subprocess
import threading
from pathlib import Path

import orjson
import pytest

from contract_kit.reading.pieces import BYTES_PER_PIECE

from ..helpers import cli_command, cli_environment, record

INVALID = {**record(), "timestamp": -1}


def _first_piece() -> bytes:
    line = orjson.dumps(record()) + b"\n"
    return orjson.dumps(INVALID) + b"\n" + line * (2 * BYTES_PER_PIECE // len(line))


@pytest.mark.parametrize("jobs", ["1", "2"])  # a pipe has no size: --jobs 2 runs here too
def test_the_first_violation_is_printed_while_the_input_is_still_open(
    tmp_path: Path, jobs: str
) -> None:
    fifo = tmp_path / "events.ndjson"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        cli_command("validate", str(fifo), "--jobs", jobs),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_environment(),
    )
    writer = open(fifo, "wb")  # noqa: SIM115  (closed below, after the first line came)
    feeding = threading.Thread(target=writer.write, args=(_first_piece(),), daemon=True)
    feeding.start()
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 60)
    assert ready, "no violation was printed while the input stayed open"
    first = process.stdout.readline().decode()
    assert process.poll() is None  # still reading: the pipe is open
    assert first.startswith(f"{fifo}:1:") and "record 0: /timestamp" in first
    feeding.join(timeout=60)
    writer.close()
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert out.decode().splitlines()[-1].startswith("failed:")
