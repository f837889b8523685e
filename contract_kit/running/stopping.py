"""How a run stops before its end, as any Unix tool stops.

- Ctrl-C (SIGINT) and SIGTERM: one line on stderr, exit 128 + the signal's number (130, 143).
- A closed standard output (`contract-kit convert big.ndjson | head -1`): no word, exit 141,
  what the shell reports for `cat` or `grep` stopped by SIGPIPE.

Either way the stop travels up as an exception, so that everything on the way out cleans up:
the atomic writers remove their temporary files (nothing half-written is left) and the worker
pool is terminated. Worker processes ignore SIGINT: the terminal sends it to the whole process
group, and only the main process decides what a stop means.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType

EXIT_PIPE_CLOSED = 128 + signal.SIGPIPE

_SAID = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


class Stopped(BaseException):
    """The run was stopped from outside. A BaseException, so that no `except Exception` on the
    way up swallows it."""

    def __init__(self, exit_code: int, said: str | None) -> None:
        super().__init__(said or "standard output closed")
        self.exit_code = exit_code
        self.said = said


def pipe_closed() -> Stopped:
    return Stopped(EXIT_PIPE_CLOSED, None)


def install() -> None:
    """Signals become Stopped in the main process (at start-up; again is harmless). A signal
    already ignored stays ignored: a job started with `nohup` or `cmd &` in a script must not
    be stopped by the terminal's Ctrl-C."""
    for number in _SAID:
        if signal.getsignal(number) not in (signal.SIG_IGN, _stop):
            signal.signal(number, _stop)


@contextlib.contextmanager
def blocked() -> Iterator[None]:
    """Stop signals held back while worker processes are forked: a Stopped raised inside
    `Pool()` would escape its clean-up and leave a worker running for ever. Whatever arrived
    meanwhile is delivered when the block ends. Workers unblock in `in_worker`."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _SAID)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


_raised: list[Stopped] = []
"""The stop a signal raised in this process. Python drops an exception raised inside a weakref
callback or a `__del__` ("Exception ignored in ..."), and the handler has by then set the
signals to be ignored: without this record, a Ctrl-C arriving at such a moment (the import
system runs weakref callbacks) would be lost, and the run would go on to exit 0."""


def _stop(number: int, frame: FrameType | None) -> None:
    # A second Ctrl-C while the first one is being cleaned up must not cut the clean-up short.
    for each in _SAID:
        signal.signal(each, signal.SIG_IGN)
    stop = Stopped(128 + number, _SAID[signal.Signals(number)])
    _raised.append(stop)
    raise stop


def raise_if_stopped() -> None:
    """Raise again a stop a signal raised where Python could not deliver it (see _raised):
    called after start-up's imports, before each piece of work and before a run's end."""
    if _raised:
        raise _raised[0]


def in_worker() -> None:
    """Pool initializer: a worker leaves SIGINT to the main process and dies quietly on
    SIGTERM (which is how the pool ends it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SAID)


def finish(stop: Stopped) -> None:
    """Say why the run stopped (nothing for a closed pipe) and exit with its code."""
    if stop.said is None:
        # Whatever is still buffered for the closed pipe must not be flushed at exit (Python
        # would print "Exception ignored ... BrokenPipeError").
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    else:
        print(f"contract-kit: {stop.said}", file=sys.stderr, flush=True)
    sys.exit(stop.exit_code)
