"""Paths, folders and standard input into the run's inputs (`Source`s), in order.

A file holds one record, a JSON array of records, an envelope (an Antavo bulk body
`{"events": [...]}` or a Segment batch `{"batch": [...]}`), or, when named `.ndjson` / `.jsonl`,
one record a line. Standard input has no name: it is read as NDJSON when it holds one JSON value
a line, else as a document. It is read once, when the inputs are collected (after every path is
checked), and travels with its Source.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

STDIN = "-"
STDIN_NAME = "<stdin>"
JSON_SUFFIXES = (".json",)
LINE_SUFFIXES = (".ndjson", ".jsonl")
SUFFIXES = JSON_SUFFIXES + LINE_SUFFIXES
#: Keyword of a violation that is an environment problem (unreadable file): exit code 2.
IO_KEYWORD = "io"


class UsageError(Exception):
    """A path that cannot be used at all: the command stops before it starts (exit 2)."""


@dataclass(frozen=True)
class Source:
    """One input: a file, or standard input. `name` is how reports show it."""

    name: str
    path: Path | None
    relative: Path | None = None
    """The path below the directory it was found in (for goldens)."""
    text: str | None = None
    """The document itself, for values given in memory through the Python API."""
    unreadable: str | None = None
    """Why this input cannot be read (a folder met while searching that cannot be listed or is
    a symbolic link out of the tree; standard input that failed): reported as an unreadable
    input (exit 2), never skipped in silence."""
    data: bytes | None = None
    """The bytes already read: standard input (read once when the inputs are collected), or a
    file a Spark task was handed whole."""

    @property
    def is_lines(self) -> bool:
        return self.path is not None and self.path.suffix.lower() in LINE_SUFFIXES

    @property
    def form_unnamed(self) -> bool:
        """Nothing in the name says document or lines: standard input, or a path without a
        known suffix (`<(zcat events.ndjson.gz)` is /dev/fd/63). Its content decides."""
        if self.text is not None:
            return False
        return self.path is None or self.path.suffix.lower() not in SUFFIXES

    @property
    def in_file(self) -> bool:
        """Read from its file (not from bytes or text in memory)."""
        return self.path is not None and self.text is None and self.data is None

    def read(self) -> bytes:
        """All the bytes of this input (raises OSError)."""
        if self.text is not None:
            return self.text.encode("utf-8", "surrogatepass")
        if self.data is not None:
            return self.data
        if self.path is None:
            raise OSError(0, "standard input is closed")
        return self.path.read_bytes()


@dataclass(frozen=True)
class Exclusions:
    """What folder searches skip: globs (`--exclude`, `exclude` in the configuration), folders
    (the tracking plan in use: its schemas are not payloads) and files (convert's own `-o` and
    `--rejects`, which a second run would read back). Files named on the command line are
    always read: naming one is the user's choice, as with ruff and pre-commit.

    A glob matches a file or folder by its name, its path below the searched folder, its path
    as reports show it (`fixtures/invalid`), its absolute path, or its path relative to the
    folder the glob was given in (the configuration file's folder for `exclude`, the working
    directory for `--exclude`), so that a configuration means the same from any subfolder.
    `*` also matches `/`.
    """

    globs: tuple[tuple[str, Path], ...] = ()
    """(glob, the resolved folder it is relative to)."""
    folders: frozenset[Path] = frozenset()
    files: frozenset[Path] = frozenset()
    """Resolved paths."""

    @classmethod
    def of(
        cls,
        globs: Iterable[tuple[str, Path]] = (),
        folders: Iterable[Path] = (),
        files: Iterable[Path] = (),
    ) -> Exclusions:
        cleaned = tuple(
            (glob.removeprefix("./").rstrip("/") or glob, _resolved(base)) for glob, base in globs
        )
        return cls(cleaned, frozenset(map(_resolved, folders)), frozenset(map(_resolved, files)))

    def skips(self, path: Path, relative: Path, folder: bool = False) -> bool:
        named = self.folders if folder else self.files
        if not self.globs and not named:
            return False
        absolute = _resolved(path)
        if absolute in named:
            return True
        forms = [path.name, relative.as_posix(), path.as_posix().removeprefix("./")]
        forms.append(absolute.as_posix())
        for glob, base in self.globs:
            if absolute.is_relative_to(base):
                forms.append(absolute.relative_to(base).as_posix())
            if any(fnmatch.fnmatchcase(form, glob) for form in forms):
                return True
        return False


def _resolved(path: Path) -> Path:
    """`path` made absolute, links resolved; as given where that cannot be done (a working
    directory that was removed, a loop of links: RuntimeError before Python 3.13)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


NOTHING_EXCLUDED = Exclusions()


def collect(
    paths: Sequence[str | os.PathLike[str]], exclusions: Exclusions = NOTHING_EXCLUDED
) -> list[Source]:
    """Files as given, `*.json`, `*.ndjson`, `*.jsonl` below directories (sorted, hidden folders
    and `exclusions` skipped), `-` for stdin. Named pipes and devices given by name are read
    like files."""
    sources: list[Source] = []
    stdin_seen, stdin_at = False, 0
    for given in paths:
        if str(given) == "":
            raise UsageError("an empty path was given")
        if str(given) == STDIN:
            if stdin_seen:
                raise UsageError("standard input can be read only once: '-' was given twice")
            stdin_seen, stdin_at = True, len(sources)
            sources.append(Source(STDIN_NAME, None))  # read below, once every path is checked
            continue
        path = Path(given)
        try:
            is_dir, exists = path.is_dir(), path.exists() or path.is_symlink()
        except OSError:  # a name too long, a folder on the way that cannot be read
            is_dir, exists = False, True  # reported when read, with the path and why
        if is_dir:
            found = list(files_below(path, exclusions))
            if not found:
                excluded = " that are not excluded" if exclusions.globs else ""
                raise UsageError(
                    f"{path}: no *.json, *.ndjson or *.jsonl files in this directory{excluded}"
                )
            sources.extend(found)
        elif exists:  # a broken symbolic link too: reported when read
            sources.append(Source(str(path), path, Path(path.name)))
        else:
            raise UsageError(f"{path}: no such file or directory")
    if stdin_seen:
        sources[stdin_at] = _stdin()
    return sources


def _stdin() -> Source:
    """Standard input as a Source holding its bytes, or saying why they cannot be read."""
    if sys.stdin is None:
        return Source(STDIN_NAME, None, unreadable="cannot read: standard input is closed")
    try:
        return Source(STDIN_NAME, None, data=sys.stdin.buffer.read())
    except OSError as error:
        return Source(STDIN_NAME, None, unreadable=f"cannot read: {error.strerror or error}")


def files_below(root: Path, exclusions: Exclusions = NOTHING_EXCLUDED) -> Iterator[Source]:
    """Matching regular files below `root`, sorted; hidden folders (.git, .venv), caches and
    `exclusions` skipped. A folder that cannot be listed is yielded as a Source that says so
    (`unreadable`). Named pipes, sockets and devices are not read from a search: a pipe with no
    writer would block the run for ever (one named on the command line is read)."""
    unlisted: list[OSError] = []
    inside = _resolved(root)
    for folder, subfolders, files in os.walk(root, onerror=unlisted.append):
        yield from _unlisted(unlisted, root)
        here = Path(folder)
        subfolders[:] = sorted(
            s
            for s in subfolders
            if not s.startswith(".")
            and s != "__pycache__"
            and not exclusions.skips(here / s, (here / s).relative_to(root), folder=True)
        )
        for linked in [s for s in subfolders if (here / s).is_symlink()]:
            subfolders.remove(linked)  # not followed: a link may loop, or lead out of the tree
            if not _resolved(here / linked).is_relative_to(inside):  # inside: searched anyway
                yield Source(
                    str(here / linked), here / linked, (here / linked).relative_to(root),
                    unreadable="a symbolic link to a folder outside this one is not searched; "
                    "name it to read it",
                )  # fmt: skip
        for name in sorted(files):
            if Path(name).suffix.lower() in SUFFIXES:
                file = here / name
                relative = file.relative_to(root)
                if not exclusions.skips(file, relative) and _regular_or_broken(file):
                    yield Source(str(file), file, relative)
    yield from _unlisted(unlisted, root)


def _unlisted(errors: list[OSError], root: Path) -> Iterator[Source]:
    """The folders os.walk could not list since the last call, as sources that say why."""
    for error in errors:
        folder = Path(error.filename) if error.filename else root
        relative = folder.relative_to(root) if folder != root else Path()
        why = f"cannot list this folder: {error.strerror or error}"
        yield Source(str(folder), folder, relative, unreadable=why)
    errors.clear()


def _regular_or_broken(file: Path) -> bool:
    """A regular file (or a link to one), or a broken link, which is reported when read."""
    try:
        return stat.S_ISREG(file.stat().st_mode)
    except FileNotFoundError:
        return file.is_symlink()
    except OSError:
        return True  # cannot tell: reading it will say why
