"""The files of a Spark run: PATHs listed through Hadoop's file systems (local folders,
`file://`, `s3a://`, `hdfs://`, globs), in the order and under the names the CLI gives them.

The driver lists them itself, rather than letting Spark find them, so that every file gets the
number the CLI gives it (a record's place names its file, and the event-id check orders records
by file), a file that holds nothing is reported rather than skipped, and a name is shown as the
user wrote it (`events/day1.ndjson`, not `file:/home/…/events/day1.ndjson`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from contract_kit.reading.paths import LINE_SUFFIXES, SUFFIXES, UsageError

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

    @property
    def lines(self) -> bool:
        """Named as NDJSON: read as lines, split across tasks. Any other file is read whole
        and, like the CLI, read by its name's suffix or else by its content."""
        return PurePosixPath(self.path).suffix.lower() in LINE_SUFFIXES


_GLOB = re.compile(r"[*?\[\]{}]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def listed(
    spark: SparkSession, given: Sequence[str], excluded: Sequence[str] = ()
) -> list[SparkInput]:
    """The files of `given` (files, folders searched for *.json, *.ndjson and *.jsonl with
    hidden folders skipped, globs), in the CLI's order; files below `excluded` (the run's own
    output folders) are skipped. Raises UsageError for a path that matches nothing."""
    jvm: Any = spark._jvm
    conf = spark._jsc.hadoopConfiguration()
    hadoop_path = jvm.org.apache.hadoop.fs.Path
    skipped = [_qualified(hadoop_path(located(spark, folder)), conf) + "/" for folder in excluded]
    found: list[SparkInput] = []
    for path in given:
        if path == "":
            raise UsageError("an empty path was given")
        if path == "-":
            raise UsageError("standard input cannot be read on Spark: name files or folders")
        pattern = hadoop_path(located(spark, path))
        matches = pattern.getFileSystem(conf).globStatus(pattern)
        if not matches:
            raise UsageError(f"{path}: no such file or directory")
        for status in matches:
            found += _files_of(status, path, conf, skipped)
    return found


def located(spark: SparkSession, path: str) -> str:
    """`path` as Hadoop must be given it: a relative local path is made absolute here, where
    the user gave it (a session's JVM keeps the working folder it started in); on a cluster
    whose default file system is not local (HDFS), Hadoop resolves it, in the user's home."""
    if _SCHEME.match(path) or os.path.isabs(path):
        return path
    default = spark._jsc.hadoopConfiguration().get("fs.defaultFS", "file:///")
    return os.path.abspath(path) if str(default).startswith("file:") else path


def _files_of(status: Any, given: str, conf: Any, skipped: list[str]) -> list[SparkInput]:
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
        if wanted and not hidden and not _below(each.getPath().toString(), skipped):
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


def _qualified(path: Any, conf: Any) -> str:
    return str(path.getFileSystem(conf).makeQualified(path).toString()).rstrip("/")


def _below(path: str, folders: list[str]) -> bool:
    return any(path.startswith(folder) for folder in folders)


def same_file(uri: str) -> tuple[str, str, str]:
    """A file's URI in a form that compares equal whichever way Hadoop wrote it
    (`file:///a%20b` from a listing, `file:/a%20b` from Spark's `_metadata.file_path`)."""
    parts = urlsplit(uri)
    return parts.scheme, parts.netloc, unquote(parts.path)


def escaped(path: str) -> str:
    """`path` with Hadoop's glob characters escaped: Spark globs every path it is given, and a
    file may be named `events[1].ndjson`."""
    return _GLOB.sub(lambda match: "\\" + match.group(0), path)
