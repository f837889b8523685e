"""Atomic file writes: a temporary file beside the target, renamed over it when complete.

Readers see the old file or the new one, never half of one; on any error the temporary file is
removed and the target is left as it was. A symbolic link is followed (its target is replaced,
the link stays), an existing file keeps its mode, a new one gets the usual 0666 & ~umask, and a
target that is not a regular file (a directory, a device such as /dev/stdout) is refused.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO


class NotAFileError(OSError):
    """The target exists and is not a regular file."""


@contextmanager
def byte_writer(path: Path) -> Iterator[BinaryIO]:
    """Yield a byte stream; `path` is replaced by what was written only if the block succeeds."""
    target = Path(os.path.realpath(path))
    mode = _mode_for(target, shown=path)
    target.parent.mkdir(parents=True, exist_ok=True)
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
