"""Atomic file writes: a temporary file beside the target, renamed over it when complete.

Readers see the old file or the new one, never half of one; on any error (even SIGKILL, on
Linux) no temporary file is left and the target is as it was. A symbolic link is followed (its
target is replaced, the link stays), an existing file keeps its mode, a new one gets the usual
0666 & ~umask, and a target that is not a regular file (a directory, /dev/stdout) is refused.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import BinaryIO, TextIO


class NotAFileError(OSError):
    """The target exists and is not a regular file."""


@contextmanager
def byte_writer(path: Path) -> Iterator[BinaryIO]:
    """Yield a byte stream; `path` is replaced by what was written only if the block succeeds.

    On Linux the data goes to an anonymous file (O_TMPFILE) that gets a name only when it is
    complete, so even a process killed with SIGKILL leaves no stray temporary file behind.
    """
    target = Path(os.path.realpath(path))
    mode = _mode_for(target, shown=path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = _anonymous_file(target.parent, mode)
    if handle is None:
        with _named_temporary(target, mode) as stream:
            yield stream
        return
    with os.fdopen(handle, "wb") as stream:
        yield stream
        stream.flush()
        os.fsync(handle)
        temporary = target.parent / f".{target.name}.{os.getpid()}.{id(stream):x}.tmp"
        try:  # a stop (Ctrl-C) between naming and renaming must not leave the name behind
            _name(handle, temporary)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


_AT_FDCWD, _AT_SYMLINK_FOLLOW = -100, 0x400


def _anonymous_file(folder: Path, mode: int) -> int | None:
    """A file descriptor of an unnamed file in `folder`, or None where that is not supported."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or _linkat() is None or not Path("/proc/self/fd").is_dir():
        return None
    try:
        handle = os.open(folder, flag | os.O_WRONLY, mode)
    except OSError:
        return None
    os.fchmod(handle, mode)  # the umask applied to open(); the mode chosen already accounts for it
    return handle


def _name(handle: int, path: Path) -> None:
    """Give the unnamed file `handle` the name `path` (linkat through /proc, as open(2) says:
    os.link does not follow the /proc link)."""
    linkat = _linkat()
    assert linkat is not None
    source = f"/proc/self/fd/{handle}".encode()
    if linkat(_AT_FDCWD, source, _AT_FDCWD, os.fsencode(path), _AT_SYMLINK_FOLLOW) != 0:
        import ctypes

        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number), str(path))


@cache
def _linkat() -> Callable[[int, bytes, int, bytes, int], int] | None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[[int, bytes, int, bytes, int], int] = libc.linkat
    except (ImportError, OSError, AttributeError):
        return None
    return function


@contextmanager
def _named_temporary(target: Path, mode: int) -> Iterator[BinaryIO]:
    """Elsewhere: a named temporary file beside the target, removed on any error."""
    import tempfile  # only here: most runs write no file

    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        os.chmod(temporary, mode)
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def writer(path: Path) -> Iterator[TextIO]:
    """Yield a UTF-8 text stream, with byte_writer's guarantees."""
    with byte_writer(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n", write_through=True)
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # byte_writer closes the file


def write_text(path: Path, text: str) -> None:
    with byte_writer(path) as stream:
        stream.write(text.encode("utf-8"))


def _mode_for(target: Path, shown: Path) -> int:
    try:
        status = target.stat()
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    if not stat.S_ISREG(status.st_mode):
        raise NotAFileError(f"{shown}: not a regular file; refusing to replace it")
    return stat.S_IMODE(status.st_mode)
