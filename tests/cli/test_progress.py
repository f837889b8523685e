"""The progress line: on a terminal's stderr only, at most ten frames a second, erased before any
other output and at the end; never with -q, --no-progress or a stderr that is not a terminal.

Runs go through a pseudo-terminal, as a person would see them. CONTRACT_KIT_PROGRESS_AFTER=0
shows the line from the first piece on, so that no test depends on how fast this machine is.
"""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from contract_kit.cli.progress import ERASE, INTERVAL, Progress, _size, total_size
from contract_kit.reading.paths import Source
from contract_kit.reading.pieces import BYTES_PER_PIECE

from ..helpers import RECORD, cli_command, cli_environment, ndjson, record

NOW = {"CONTRACT_KIT_PROGRESS_AFTER": "0"}
FRAME = re.compile(r"contract-kit: ([\d,]+) records, ([\d,]+) records/s, (\d+)% of 4\.2 MB")


def on_terminal(
    *args: str,
    env: dict[str, str] | None = None,
    columns: int | None = None,
    stdout: Path | None = None,
) -> tuple[int, str]:
    """`contract-kit ARGS` with stdout and stderr on one pseudo-terminal (or stdout to the file
    `stdout`), `columns` wide: its exit code and everything the terminal received."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: its standard streams are the terminal
        if columns is not None:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        if stdout is not None:
            os.dup2(os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
        os.environ.clear()
        os.environ.update(cli_environment({"TERM": "xterm", **(env or {})}))
        os.environ.pop("COLUMNS", None)
        os.execv(sys.executable, cli_command(*args))
    received = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    return os.waitstatus_to_exitcode(status), received.decode("utf-8", "replace")


def screen(received: str) -> list[str]:
    """The lines left on the screen once every erase has been applied."""
    lines = [""]
    for part in received.replace("\r\n", "\n").split("\n"):
        lines[-1] += part
        lines[-1] = lines[-1].rsplit(ERASE, 1)[-1]
        lines.append("")
    return [line for line in lines if line]


@pytest.fixture(scope="module")
def several_pieces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About four pieces of valid records, the invalid ones spread among them."""
    folder = tmp_path_factory.mktemp("progress")
    line = ndjson(RECORD)
    count = 4 * BYTES_PER_PIECE // len(line)
    text = "".join(
        ndjson(record(timestamp=-1)) if number % 20_000 == 1 else line for number in range(count)
    )
    path = folder / "events.ndjson"
    path.write_text(text)
    return path


@pytest.mark.parametrize("command", ["validate", "convert"])
def test_a_run_on_a_terminal_shows_records_rate_and_share_then_erases_it(
    several_pieces: Path, command: str, tmp_path: Path
) -> None:
    extra = ["-o", str(tmp_path / "out.ndjson")] if command == "convert" else []
    code, received = on_terminal(
        command, str(several_pieces), "--jobs", "1", "--color", "never", *extra, env=NOW
    )
    assert code == 1
    frames = [FRAME.fullmatch(frame) for frame in received.split(ERASE) if "records/s" in frame]
    assert len(frames) >= 2 and all(frames), received[-2000:]
    done = [int(frame[1].replace(",", "")) for frame in frames if frame is not None]
    shares = [int(frame[3]) for frame in frames if frame is not None]
    assert done == sorted(done) and shares == sorted(shares) and 0 < shares[-1] <= 100
    visible = screen(received)
    assert not any("records/s" in line for line in visible), visible  # erased, every time
    violations = [line for line in visible if "record " in line and "/timestamp" in line]
    assert violations and all(line.startswith(str(several_pieces)) for line in violations)
    assert visible[-1].startswith("failed: ")


@pytest.fixture
def one_piece(tmp_path: Path) -> Path:
    path = tmp_path / "small.ndjson"
    path.write_text(ndjson(RECORD, RECORD))
    return path


@pytest.mark.parametrize(
    ("options", "env", "shown"),
    [([], NOW, True), (["-q"], NOW, False), (["--no-progress"], NOW, False), ([], {}, False)],
    ids=["shown", "quiet", "no-progress", "a short run"],
)
def test_no_progress_when_asked_or_when_the_run_is_short(
    one_piece: Path, options: list[str], env: dict[str, str], shown: bool
) -> None:
    _, received = on_terminal("validate", str(one_piece), *options, env=env)
    assert ("records/s" in received) is shown
    assert (ERASE in received) is shown


def test_no_progress_when_stderr_is_not_a_terminal(one_piece: Path) -> None:
    done = subprocess.run(
        cli_command("validate", str(one_piece)), capture_output=True,
        env=cli_environment({**NOW, "TERM": "xterm"}), timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert b"records/s" not in done.stderr and b"\x1b[" not in done.stderr


def test_plan_coverage_shows_progress_too(one_piece: Path) -> None:
    plan = Path(__file__).resolve().parents[2] / "fixtures" / "tracking-plan"
    code, received = on_terminal("plan", "coverage", str(one_piece), "--plan", str(plan), env=NOW)
    assert code == 0 and "contract-kit: 2 records" in received
    assert not any("records/s" in line for line in screen(received))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_at_most_ten_frames_a_second_and_none_in_the_first_second() -> None:
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream, total_bytes=1000, clock=clock)
    for _ in range(300):  # three seconds, a piece every 10 ms
        clock.now += 0.01
        progress.advance(records=10, size=3)
    frames = stream.getvalue().split(ERASE)[1:]
    assert 19 <= len(frames) <= 21  # seconds 1 to 3 at ten a second
    assert frames[-1].startswith("contract-kit: 3,000 records, 1,000 records/s, 90% of 1 kB")


def test_clear_erases_only_what_is_shown() -> None:
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream, total_bytes=None, clock=clock, after=0)
    progress.clear()
    assert stream.getvalue() == ""
    clock.now = 1
    progress.advance(records=5, size=10)
    assert "%" not in stream.getvalue()  # no size known: no share
    progress.clear()
    progress.clear()
    assert stream.getvalue().endswith(ERASE) and stream.getvalue().count(ERASE) == 2


def test_a_pipe_has_no_size_known_in_advance(tmp_path: Path) -> None:
    assert total_size([Source("-", None, data=b"abc")]) == 3
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert total_size([Source(str(fifo), fifo)]) is None


def test_the_line_fits_stderrs_terminal_in_whole_parts(
    several_pieces: Path, tmp_path: Path
) -> None:
    """Its width is stderr's terminal's, even with stdout a file (where a terminal size
    lookup by stdout gives 80): a wrapped line could not be erased."""
    _, received = on_terminal("validate", str(several_pieces), "-j", "1", "--color", "never",
                              env=NOW, columns=52, stdout=tmp_path / "report.txt")  # fmt: skip
    frames = [frame for frame in received.split(ERASE) if frame.startswith("contract-kit: ")]
    assert frames, received[-500:]
    assert all(len(frame) <= 51 for frame in frames), frames
    assert all(frame.endswith(" records/s") for frame in frames), frames  # the share left out


def test_messages_into_a_file_do_not_erase_the_line(several_pieces: Path, tmp_path: Path) -> None:
    """Only output to the terminal erases it: with -o FILE each frame replaces the last, and
    the line is erased once, at the end (invalid records: their violations erase it too)."""
    valid = tmp_path / "valid.ndjson"
    valid.write_text(ndjson(RECORD) * 60_000)
    _, received = on_terminal("convert", str(valid), "-j", "1", "-o", str(tmp_path / "m.ndjson"),
                              env=NOW)  # fmt: skip
    frames = [frame for frame in received.split(ERASE) if frame.startswith("contract-kit: ")]
    assert len(frames) >= 2
    assert received.count(ERASE) == len(frames) + 1, received[-600:]


def test_sizes_read_as_people_write_them() -> None:
    assert [_size(count) for count in (999, 45_000, 95_600_000)] == [
        "999 bytes", "45 kB", "95.6 MB",
    ]  # fmt: skip


def test_output_that_may_reach_the_screen_erases_the_line_first(tmp_path: Path) -> None:
    """A pipe's reader prints on the same terminal as a rule (`convert | jq`): the line is
    erased before output to a pipe, and the next frame waits an interval so that the reader
    prints first; a regular file or /dev/null leaves it alone."""
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream, total_bytes=None, clock=clock, after=0)
    reader, writer = os.pipe()
    with (
        open(writer, "wb") as pipe,
        open(tmp_path / "f", "wb") as file,
        open(os.devnull, "wb") as null,
    ):
        for quiet in (file, null):
            clock.now += 1
            progress.advance(records=1, size=1)
            progress.clear_before(quiet)
            assert progress.visible
        progress.clear_before(pipe)
        assert not progress.visible and stream.getvalue().endswith(ERASE)
        clock.now += INTERVAL / 2
        progress.advance(records=1, size=1)
        assert not progress.visible  # the pipe's reader goes first
        clock.now += INTERVAL
        progress.advance(records=1, size=1)
        assert progress.visible
    os.close(reader)
