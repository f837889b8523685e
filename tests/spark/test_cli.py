"""`contract-kit spark` as a real process: how it fails and how it stops."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from tests.helpers import cli_command, cli_environment, run_cli

from .conftest import require_java
from .corpus import write_corpus


def test_without_java_it_says_so_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_text("{}\n")
    done = run_cli("spark", "validate", "a.ndjson", cwd=tmp_path, env={"JAVA_HOME": "/nowhere"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "contract-kit: error: Spark needs Java 17 or later: no java on PATH, JAVA_HOME unset"
    ]


def test_ctrl_c_while_writing_leaves_no_output_folder(tmp_path: Path) -> None:
    """Stopped while Spark writes the part files: exit 130, one line, and neither output
    folder is left half-written."""
    require_java()
    write_corpus(tmp_path / "events.ndjson", 150_000)
    command = cli_command(
        "spark", "convert", "events.ndjson", "-o", "out", "--rejects", "rejected",
        "--master", "local[2]",
    )  # fmt: skip
    process = subprocess.Popen(
        command, cwd=tmp_path, env=cli_environment(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, preexec_fn=_default_sigint,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not (tmp_path / "out").exists() and process.poll() is None:
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr.decode()
    assert stderr.decode().splitlines()[-1] == "contract-kit: interrupted"
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "rejected").exists()


def test_ctrl_c_while_spark_starts_is_one_clean_stop(tmp_path: Path) -> None:
    """PySpark puts its own Ctrl-C handler in place while its JVM starts: a Ctrl-C then must
    still be contract-kit's stop (exit 130, one line, no traceback), not PySpark's."""
    require_java()
    (tmp_path / "a.ndjson").write_text("{}\n")
    process = subprocess.Popen(
        cli_command("spark", "validate", "a.ndjson", "--master", "local[1]"), cwd=tmp_path,
        env=cli_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )  # fmt: skip
    time.sleep(4)  # Python has started, the JVM and the session are on their way
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr.decode().splitlines()) == (
        130,
        ["contract-kit: interrupted"],
    )


def _default_sigint() -> None:
    """A child of pytest (which may run in the background) gets Ctrl-C as a terminal sends it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
