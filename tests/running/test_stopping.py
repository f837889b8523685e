"""Stopping a run as any Unix tool stops: Ctrl-C is exit 130 with one line, a closed pipe ends
it quietly, and nothing half-written is left behind. Real processes, real signals.

The waits below prove that the signal lands while work is in flight; they bound nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contract_kit.reading.pieces import Piece
from contract_kit.running import pool, stopping

from ..helpers import cli_command, cli_environment, run_cli

SLOW_RECORD = {  # invalid in four places: the slow path (the reference validator) for each
    "customer": "c",
    "action": "point_add",
    "data": {"points": None, "effective_timestamp": "x"},
    "timestamp": "2024-11-26 15:19:14",
    "acton": 1,
}


def slow_input(path: Path, count: int = 60_000) -> Path:
    """Enough invalid NDJSON (over PARALLEL_MIN_BYTES) to keep both jobs busy for a while."""
    line = json.dumps(SLOW_RECORD) + "\n"
    path.write_text(line * count)
    assert path.stat().st_size > pool.PARALLEL_MIN_BYTES
    return path


def started(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    """The CLI in a process group of its own, as a shell starts a foreground job."""
    return subprocess.Popen(
        cli_command(*args), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=cli_environment(), start_new_session=True,
    )  # fmt: skip


def signalled(process: subprocess.Popen[bytes], number: int) -> tuple[int, str]:
    time.sleep(2.0)  # past start-up, into the work
    assert process.poll() is None, "the run ended before the signal could be sent"
    os.killpg(process.pid, number)  # the whole group, as the terminal does for Ctrl-C
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr.decode("utf-8", "replace")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_is_exit_130_with_one_line_and_nothing_half_written(
    tmp_path: Path, jobs: str
) -> None:
    source = slow_input(tmp_path / "in.ndjson")
    out = tmp_path / "out"
    out.mkdir()
    args = ["convert", str(source), "--jobs", jobs, "-o", str(out / "messages.ndjson"),
            "--rejects", str(out / "rejects.ndjson")]  # fmt: skip
    code, stderr = signalled(started(args, tmp_path), signal.SIGINT)
    assert (code, stderr) == (130, "contract-kit: interrupted\n")
    assert list(out.iterdir()) == []  # no partial output, no temporary file


def test_sigterm_is_exit_143_with_one_line(tmp_path: Path) -> None:
    source = slow_input(tmp_path / "in.ndjson")
    code, stderr = signalled(started(["validate", str(source), "--jobs", "2"], tmp_path), 15)
    assert (code, stderr) == (143, "contract-kit: terminated\n")


def test_a_closed_pipe_ends_the_run_quietly(tmp_path: Path) -> None:
    record = dict(SLOW_RECORD, data={"points": 5}, timestamp="2024-11-26T15:19:14Z")
    record.pop("acton")
    source = tmp_path / "in.ndjson"
    source.write_text((json.dumps(record) + "\n") * 200_000)
    process = started(["convert", str(source)], tmp_path)
    assert process.stdout is not None
    first = process.stdout.readline()  # as `| head -1` does
    process.stdout.close()
    process.wait(timeout=120)
    assert json.loads(first)["type"] == "track"
    assert process.stderr is not None
    assert process.stderr.read() == b""
    assert process.returncode == 128 + signal.SIGPIPE


def test_max_errors_with_two_jobs_reports_what_one_job_reports(tmp_path: Path) -> None:
    source = slow_input(tmp_path / "in.ndjson")
    one = run_cli("validate", str(source), "--jobs", "1", "--max-errors", "3", cwd=tmp_path)
    two = run_cli("validate", str(source), "--jobs", "2", "--max-errors", "3", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    # the work stops with the output: one record checked of 60,000, not a whole piece of them
    assert two.stdout.splitlines()[-1] == (
        "failed: 1 record in 1 file; 3 violations in 1 record "
        "(stopped at --max-errors: there may be more)"
    )


def test_a_full_piece_of_ndjson_is_a_task_of_its_own() -> None:
    """The first result from the pool (and so a --max-errors stop) waits for one piece of work,
    not two: a piece a few bytes under TASK_BYTES used to share its task with the next one."""
    almost = Piece("f", b"x" * (pool.TASK_BYTES - 2), lines=True)
    small = Piece("g", b"{}\n", lines=True)
    tasks = list(pool.tasks(iter([almost, almost, small, small])))
    assert [len(task) for task in tasks] == [1, 1, 2]


def catches_sigterm(pid: int) -> bool:
    """Whether the process has a handler for SIGTERM: Python has none of its own, so this is
    the moment contract-kit's entry point has installed its handlers."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    caught = next(line for line in status if line.startswith("SigCgt:")).split()[1]
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


def test_ctrl_c_during_start_up_is_the_same_clean_stop(tmp_path: Path) -> None:
    """Signals are caught before the heavy imports (about 0.3 s): Ctrl-C at any moment of
    start-up from the entry point on is exit 130 and one line, never a KeyboardInterrupt
    traceback. (Before it, in Python's own few milliseconds of start-up, Python answers.)"""
    source = slow_input(tmp_path / "in.ndjson")
    for delay in (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3):
        process = started(["validate", str(source)], tmp_path)
        deadline = time.monotonic() + 30
        while not catches_sigterm(process.pid):
            assert time.monotonic() < deadline, "the handlers were never installed"
            time.sleep(0.001)
        loaded = Path(f"/proc/{process.pid}/maps").read_text()
        assert "jsonschema_rs" not in loaded, "the handlers came after the heavy imports"
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert (process.returncode, stderr.decode()) == (130, "contract-kit: interrupted\n"), delay


def test_a_run_that_ignores_sigint_is_not_stopped_by_it(tmp_path: Path) -> None:
    """`nohup` and `cmd &` in a script start a job with SIGINT ignored: it stays ignored."""
    source = tmp_path / "in.ndjson"
    source.write_text(json.dumps(dict(SLOW_RECORD, acton=None)) + "\n")
    process = subprocess.Popen(
        cli_command("validate", str(source)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=cli_environment(), start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert b"interrupted" not in stderr
    assert stdout.splitlines()[-1].startswith(b"failed: 1 record in 1 file")


def test_the_modules_the_compiled_validator_imports_from_rust_are_imported_first() -> None:
    """jsonschema-rs imports `decimal` and `email.utils` from Rust when it is imported, and
    panics if a Ctrl-C interrupts that; they must be imported (in Python) before it is."""
    probe = (
        "import sys, importlib.abc\n"
        "class Watch(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'jsonschema_rs':\n"
        "            print('decimal' in sys.modules and 'email.utils' in sys.modules)\n"
        "sys.meta_path.insert(0, Watch())\n"
        "import contract_kit.checking.compiled\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        env=cli_environment(),
    )  # fmt: skip
    assert result.stdout.strip() == "True"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_stop_python_could_not_deliver_is_raised_at_the_next_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python drops an exception raised in a `__del__` or a weakref callback (the import
    system runs those); the stop a signal raised there must still end the run."""
    monkeypatch.setattr(stopping, "_raised", [])
    monkeypatch.setattr(stopping.signal, "signal", lambda *args: None)  # keep our handlers

    class DropsItsException:
        def __del__(self) -> None:
            stopping._stop(signal.SIGINT, None)

    DropsItsException()  # Python prints "Exception ignored in ..." and goes on
    with pytest.raises(stopping.Stopped) as raised:
        stopping.raise_if_stopped()
    assert raised.value.exit_code == 130
