"""The files of a Spark run: PATHs listed through Hadoop's file systems (local folders,
`file://`, `s3a://`, `hdfs://`, globs), in the order and under the names the CLI gives them.

The driver lists them itself, rather than letting Spark find them, so that every file gets the
number the CLI gives it (a record's place names its file, and the event-id check orders records
by file), a file that holds nothing is reported rather than skipped, and a name is shown as the
user wrote it (`events/day1.ndjson`, not `file:/home/…/events/day1.ndjson`).
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from contract_kit.reading.paths import (
    LINE_SUFFIXES,
    NOTHING_EXCLUDED,
    SUFFIXES,
    Exclusions,
    Source,
    UsageError,
    collect,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass(frozen=True)
class SparkInput:
    """One file of the run."""

    name: str
    """As reports show it: as given for a local path (and the path below a folder given),
    else the file system's URI."""
    path: str
    """Hadoop's path (what Spark's binaryFile source calls `path`)."""
    uri: str
    """The path as a URI (what Spark's `_metadata.file_path` says)."""
    size: int
    unread: Source | None = None
    """A local input Spark cannot read (a broken link, a folder that cannot be listed, a named
    pipe): the driver reads it as the CLI does, and reports why it cannot (reading.pieces)."""

    @property
    def local_path(self) -> Path | None:
        """Where it is on this machine, for a `file:` URI."""
        parts = urlsplit(self.uri)
        return Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None

    @property
    def lines(self) -> bool:
        """Named as NDJSON: read as lines, split across tasks. Any other file is read whole
        and, like the CLI, read by its name's suffix or else by its content."""
        return PurePosixPath(self.path).suffix.lower() in LINE_SUFFIXES


_GLOB = re.compile(r"[*?\[\]{}]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def listed(
    spark: SparkSession, given: Sequence[str], exclusions: Exclusions = NOTHING_EXCLUDED
) -> list[SparkInput]:
    """The files of `given`, in the CLI's order. A local path is found by the CLI's own search
    (reading.paths.collect: the same folders skipped, the same `exclusions`, the same links
    followed or not); any other (`s3a://`, `hdfs://`, a glob) by Hadoop's listing, a folder's
    files sorted as the CLI sorts them. Raises UsageError for a path that matches nothing, for
    a file named twice (Spark reads a file once) and for a name Spark would not read."""
    jvm: Any = spark._jvm
    conf = spark._jsc.hadoopConfiguration()
    hadoop_path = jvm.org.apache.hadoop.fs.Path
    found: list[SparkInput] = []
    for path in given:
        if path == "":
            raise UsageError("an empty path was given")
        if path == "-":
            raise UsageError("standard input cannot be read on Spark: name files or folders")
        if _local(spark, path):
            named = [path] if os.path.lexists(path) or not _GLOB.search(path) else _globbed(path)
            sources = collect(named, exclusions)
            found += [_local_input(source, hadoop_path, conf) for source in sources]
            continue
        literal = hadoop_path(path)
        file_system = literal.getFileSystem(conf)
        if file_system.exists(literal):  # a name with [ or * in it names itself first
            matches = [file_system.getFileStatus(literal)]
        else:
            matches = file_system.globStatus(literal) or []
        if not matches:
            raise UsageError(f"{path}: no such file or directory")
        for status in matches:
            found += _files_of(status, path, conf)
    _refuse_what_spark_cannot_read(found)
    return found


def _globbed(pattern: str) -> list[str]:
    """A local glob's matches, sorted (the shell's work when the pattern is not quoted)."""
    matches = sorted(glob.glob(pattern))
    if not matches:
        raise UsageError(f"{pattern}: no such file or directory")
    return matches


def _local(spark: SparkSession, path: str) -> bool:
    """A path of this machine: no scheme (or `file:`), where the default file system is local."""
    if path.startswith("file:"):
        return False  # named as a URL: listed by Hadoop, named as given
    if _SCHEME.match(path):
        return False
    default = spark._jsc.hadoopConfiguration().get("fs.defaultFS", "file:///")
    return str(default).startswith("file:")


def _local_input(source: Source, hadoop_path: Any, conf: Any) -> SparkInput:
    assert source.path is not None
    absolute = os.path.abspath(source.path)
    path = hadoop_path(absolute)  # a path, not a pattern: Spark is given it escaped
    if source.unreadable is not None or not os.path.isfile(absolute):
        return SparkInput(source.name, path.toString(), path.toUri().toString(), 0, source)
    return _input(source.name, path.getFileSystem(conf).getFileStatus(path))


def _refuse_what_spark_cannot_read(inputs: Sequence[SparkInput]) -> None:
    """Spark's readers skip a file whose name starts with `_` or `.` (their own markers), even
    when it is named; and they read a file once. Either would lose records without a word."""
    seen: dict[tuple[str, str, str], str] = {}
    for file in inputs:
        if file.unread is not None:
            continue
        name = PurePosixPath(file.path).name
        if name.startswith(("_", ".")):
            raise UsageError(
                f"{file.name}: Spark does not read a file whose name starts with '_' or '.'; "
                "rename it"
            )
        key = same_file(file.uri)
        if key in seen:
            raise UsageError(
                f"{file.name}: named twice (also as {seen[key]}); Spark reads a file once"
            )
        seen[key] = file.name


def located(spark: SparkSession, path: str) -> str:
    """`path` as Hadoop must be given it: a relative local path is made absolute here, where
    the user gave it (a session's JVM keeps the working folder it started in); on a cluster
    whose default file system is not local (HDFS), Hadoop resolves it, in the user's home."""
    if _SCHEME.match(path) or os.path.isabs(path):
        return path
    default = spark._jsc.hadoopConfiguration().get("fs.defaultFS", "file:///")
    return os.path.abspath(path) if str(default).startswith("file:") else path


def _files_of(status: Any, given: str, conf: Any) -> list[SparkInput]:
    """The file `status` names, or the matching files below the folder it names, sorted as
    the CLI's search sorts them (a folder's files, then its folders, each by name)."""
    root = status.getPath()
    name = _shown(given, root)
    if not status.isDirectory():
        return [_input(name, status)]
    prefix = root.toString().rstrip("/") + "/"
    below = []
    files = root.getFileSystem(conf).listFiles(root, True)
    while files.hasNext():
        each = files.next()
        relative = PurePosixPath(each.getPath().toString().removeprefix(prefix))
        hidden = any(part.startswith(".") or part == "__pycache__" for part in relative.parts[:-1])
        wanted = relative.suffix.lower() in SUFFIXES and each.isFile()
        if wanted and not hidden:
            shown = f"{name}/{relative}" if _SCHEME.match(given) else str(Path(name, relative))
            below.append((_search_order(relative), _input(shown, each)))
    if not below:
        raise UsageError(f"{given}: no *.json, *.ndjson or *.jsonl files in this directory")
    return [file for _, file in sorted(below, key=lambda pair: pair[0])]


def _search_order(relative: PurePosixPath) -> tuple[tuple[int, str], ...]:
    """os.walk's order, as the CLI searches: a folder's own files before its subfolders."""
    return (*((1, folder) for folder in relative.parts[:-1]), (0, relative.name))


def _input(name: str, status: Any) -> SparkInput:
    path = status.getPath()
    return SparkInput(name, path.toString(), path.toUri().toString(), status.getLen())


def _shown(given: str, path: Any) -> str:
    """The name reports give `path`, matched by `given`: as given, for a local path without
    a glob (the CLI's name); relative to the working folder for a local glob's match; else the
    file system's own name for it."""
    if _SCHEME.match(given):
        return str(path.toString())
    if not _GLOB.search(given):
        return str(Path(given))
    local = str(path.toUri().getPath())
    relative = os.path.relpath(local)
    return local if relative.startswith("..") else relative


def same_file(uri: str) -> tuple[str, str, str]:
    """A file's URI in a form that compares equal whichever way Hadoop wrote it
    (`file:///a%20b` from a listing, `file:/a%20b` from Spark's `_metadata.file_path`)."""
    parts = urlsplit(uri)
    return parts.scheme, parts.netloc, unquote(parts.path)


def escaped(path: str) -> str:
    """`path` with Hadoop's glob characters escaped: Spark globs every path it is given, and a
    file may be named `events[1].ndjson`."""
    return _GLOB.sub(lambda match: "\\" + match.group(0), path)
