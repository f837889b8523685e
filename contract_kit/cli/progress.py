"""One line of progress on a terminal's stderr: records done, records a second, % of input bytes.

Shown only where a person watches (stderr is a terminal that understands escapes) and only
once a run has lasted `CONTRACT_KIT_PROGRESS_AFTER` seconds (default 1): a short run never
flickers. Redrawn at most ten times a second, in as many whole parts as stderr's terminal
is wide, erased before any output that may reach the screen (a terminal, a pipe) and at the
end, so that reports, messages and the summary never share a line with it.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Callable, Sequence
from typing import BinaryIO, TextIO

from contract_kit.reading.paths import Source
from contract_kit.running.results import PieceResult

ERASE = "\r\x1b[K"
"""Back to the start of the line, and clear it (ECMA-48 EL)."""
INTERVAL = 0.1
"""Seconds between two redraws at least: ten a second at most."""
AFTER = 1.0
"""Seconds a run lasts before its progress shows."""


class Progress:
    """Counts pieces as they are done, and draws the line when it is due."""

    def __init__(
        self,
        stream: TextIO | None,
        total_bytes: int | None,
        clock: Callable[[], float] = time.monotonic,
        after: float = AFTER,
    ) -> None:
        self.stream = stream
        """None: progress is off, and every method does nothing."""
        self.total_bytes = total_bytes
        """None when an input's size cannot be known (a pipe): no percentage then."""
        self.clock = clock
        self.started = clock()
        self.after = after
        self.records = self.done_bytes = 0
        self.drawn_at: float | None = None
        self.visible = False

    def advance(self, records: int, size: int) -> None:
        """One more piece done: `records` records from `size` bytes of input."""
        if self.stream is None:
            return
        self.records += records
        self.done_bytes += size
        now = self.clock()
        if now - self.started < self.after:
            return
        if self.drawn_at is not None and now - self.drawn_at < INTERVAL:
            return
        self.drawn_at = now
        line = self._line(now - self.started)
        self.visible = bool(line)  # before the write: a stop during it still erases the line
        self.stream.write(ERASE + line)
        self.stream.flush()

    def advance_by(self, result: PieceResult) -> None:
        """`advance` by a finished piece."""
        self.advance(result.records, result.size)

    def clear_before(self, stream: TextIO | BinaryIO) -> None:
        """Erase the line before `stream` writes, unless what it writes cannot reach the screen
        (a regular file, /dev/null): a terminal shows it, and so, as a rule, does the reader of
        a pipe (`convert | jq`, `validate | tee`)."""
        if self.stream is None or not _may_reach_the_screen(stream):
            return
        self.clear()
        if not _is_terminal(stream):
            # a pipe's reader prints when it gets to it: give it an interval before the next
            # frame, or that frame and its text could share a line
            self.drawn_at = self.clock()

    def clear(self) -> None:
        """Erase the line (before other output, and at the end)."""
        if self.stream is not None and self.visible:
            self.stream.write(ERASE)
            self.stream.flush()
            self.visible = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exception: object) -> None:
        """Erased however the run ends: a stop (Ctrl-C, a closed pipe) leaves no half line."""
        self.clear()

    def _line(self, elapsed: float) -> str:
        """As many of its parts as the terminal's width holds, each whole: a part cut short
        would show a wrong figure."""
        rate = self.records / elapsed if elapsed > 0 else 0.0
        parts = [f"contract-kit: {self.records:,} records", f"{rate:,.0f} records/s"]
        if self.total_bytes:
            share = min(100.0, 100.0 * self.done_bytes / self.total_bytes)
            parts.append(f"{share:.0f}% of {_size(self.total_bytes)}")
        width = self._width() - 1  # the last column would wrap the line on some terminals
        line = ""
        for part in parts:
            longer = f"{line}, {part}" if line else part
            if len(longer) > width:
                break
            line = longer
        return line

    def _width(self) -> int:
        """The columns of the terminal the line is drawn on (stderr's, not stdout's)."""
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns  # type: ignore[union-attr]
        except (OSError, ValueError, AttributeError):
            columns = 0
        return columns or shutil.get_terminal_size().columns  # 0: not set; COLUMNS, else 80


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:,.1f} MB"
    if count >= 1_000:
        return f"{count / 1_000:.0f} kB"
    return f"{count} bytes"


def for_run(stream: TextIO, inputs: Sequence[Source], enabled: bool) -> Progress:
    """The progress of a run over `inputs` on `stream`: drawn only if `enabled` (not -q, not
    --no-progress) and `stream` is a terminal that understands escapes."""
    if not enabled or not _is_terminal(stream):
        return Progress(None, None)
    after = os.environ.get("CONTRACT_KIT_PROGRESS_AFTER", "")
    try:
        delay = float(after) if after else AFTER
    except ValueError:
        delay = AFTER
    return Progress(stream, total_size(inputs), after=delay)


def _is_terminal(stream: TextIO | BinaryIO) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except ValueError:  # a closed stream
        return False


def _may_reach_the_screen(stream: TextIO | BinaryIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):  # closed, or not a file at all: be safe
        return True
    if stat.S_ISREG(mode):
        return False
    return not (stat.S_ISCHR(mode) and not stream.isatty())  # /dev/null and the like


def total_size(inputs: Sequence[Source]) -> int | None:
    """Bytes of all inputs, or None if one of them has no size known in advance (a pipe)."""
    total = 0
    for source in inputs:
        if source.data is not None:
            total += len(source.data)
        elif source.text is not None:
            total += len(source.text.encode("utf-8", "surrogatepass"))
        elif source.path is not None:
            try:
                status = source.path.stat()
            except OSError:
                continue  # unreadable: reported as such, and never read
            if not stat.S_ISREG(status.st_mode):
                return None
            total += status.st_size
    return total
