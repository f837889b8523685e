"""Paths, directories and stdin into records that know their file, index and place.

A file holds one record, a JSON array of records, an envelope (an Antavo bulk body
`{"events": [...]}` or a Segment batch `{"batch": [...]}`), or, when named `.ndjson` / `.jsonl`,
one record a line. Standard input has no name: it is read as NDJSON when it holds one JSON value
a line, else as a document.
"""

from __future__ import annotations

import fnmatch
import io
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple

from contract_kit.checking import validation
from contract_kit.jsontext import jsonio, pointers
from contract_kit.violations import Finding, Violation

STDIN = "-"
STDIN_NAME = "<stdin>"
JSON_SUFFIXES = (".json",)
LINE_SUFFIXES = (".ndjson", ".jsonl")
SUFFIXES = JSON_SUFFIXES + LINE_SUFFIXES
#: Keyword of a violation that is an environment problem (unreadable file): exit code 2.
IO_KEYWORD = "io"

Kind = Literal["antavo", "segment"]


@dataclass(frozen=True)
class Envelope:
    """A body that wraps records: the key holding them, their kind, the body's own schema."""

    key: str
    kind: Kind
    schema: str


ENVELOPES = (
    Envelope("events", "antavo", "antavo/bulk"),
    Envelope("batch", "segment", "segment/batch"),
)


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
    unlisted: str | None = None
    """Why this folder, met while searching, was not read (it cannot be listed, or it is a
    symbolic link): reported as an unreadable input (exit 2), never skipped in silence."""

    @property
    def is_lines(self) -> bool:
        return self.path is not None and self.path.suffix.lower() in LINE_SUFFIXES

    @property
    def is_stdin(self) -> bool:
        return self.path is None and self.text is None

    @property
    def form_unnamed(self) -> bool:
        """Nothing in the name says document or lines: standard input, or a path without a
        known suffix (`<(zcat events.ndjson.gz)` is /dev/fd/63). Its content decides."""
        if self.text is not None:
            return False
        return self.path is None or self.path.suffix.lower() not in SUFFIXES


_stdin_data: list[bytes] = []
"""Standard input, once read: it cannot be read twice, and a late violation may need it."""
_last_read: list[tuple[Source, jsonio.TextIndex]] = []
"""The last source read again by locate_again, kept for the next violation in it."""


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
    directory that was removed)."""
    try:
        return path.resolve()
    except OSError:
        return path


NOTHING_EXCLUDED = Exclusions()


def collect(
    paths: Sequence[str | os.PathLike[str]], exclusions: Exclusions = NOTHING_EXCLUDED
) -> list[Source]:
    """Files as given, `*.json`, `*.ndjson`, `*.jsonl` below directories (sorted, hidden folders
    and `exclusions` skipped), `-` for stdin. Named pipes and devices given by name are read
    like files."""
    sources: list[Source] = []
    stdin_seen = False
    _stdin_data.clear()  # a new run reads standard input anew
    _last_read.clear()
    for given in paths:
        if str(given) == "":
            raise UsageError("an empty path was given")
        if str(given) == STDIN:
            if stdin_seen:
                raise UsageError("standard input can be read only once: '-' was given twice")
            stdin_seen = True
            sources.append(Source(STDIN_NAME, None))
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
    return sources


def files_below(root: Path, exclusions: Exclusions = NOTHING_EXCLUDED) -> Iterator[Source]:
    """Matching regular files below `root`, sorted; hidden folders (.git, .venv), caches and
    `exclusions` skipped. A folder that cannot be listed is yielded as a Source that says so
    (`unlisted`). Named pipes, sockets and devices are not read from a search: a pipe with no
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
                    unlisted="a symbolic link to a folder outside this one is not searched; "
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
        yield Source(str(folder), folder, relative, unlisted=why)
    errors.clear()


def _regular_or_broken(file: Path) -> bool:
    """A regular file (or a link to one), or a broken link, which is reported when read."""
    try:
        return stat.S_ISREG(file.stat().st_mode)
    except FileNotFoundError:
        return file.is_symlink()
    except OSError:
        return True  # cannot tell: reading it will say why


Place = tuple[int, tuple[str, ...] | None, int]
"""Where a record is: (its first line, the pointer of its array or None, its element)."""


class Record:
    """One JSON value that should be a record (or message), with its origin.

    Its place in the text is kept as raw facts; line and column are worked out only for a
    record that has a violation.
    """

    __slots__ = (
        "_array",
        "_element",
        "_text",
        "file",
        "findings",
        "index",
        "kind",
        "line",
        "value",
    )

    def __init__(
        self,
        file: str,
        index: int,
        value: Any,
        *,
        text: str | bytes | jsonio.TextIndex,
        line: int = 1,
        array: tuple[str, ...] | None = None,
        element: int = 0,
        kind: Kind | None = None,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        self.file = file
        self.index = index
        self.value = value
        self.kind = kind
        """Known from the envelope (bulk: antavo, batch: segment); else decided per record."""
        self.findings = findings
        """Problems the parser found inside it: duplicate keys, numbers a double cannot hold."""
        self.line = line
        """The line the record's text starts on (NDJSON) or 1 (a document)."""
        self._text = text
        self._array = array
        self._element = element

    @property
    def place(self) -> Place:
        """Enough to find the record again in its file: (line, array pointer tokens, element)."""
        return (self.line, self._array, self._element)

    def text(self) -> str:
        """The record as written in its input, character for character."""
        index = self._index()
        if self._array is None:
            return index.text.strip()
        start = index.element_start(self._array, self._element)
        return index.text[start : jsonio.skip_value(index.text, start)]

    def _index(self) -> jsonio.TextIndex:
        if isinstance(self._text, bytes):  # an NDJSON line, decoded only when a place is needed
            self._text = self._text.removesuffix(b"\r").decode("utf-8", "surrogatepass")
        if not isinstance(self._text, jsonio.TextIndex):
            self._text = jsonio.TextIndex(self._text, self.line)
        return self._text

    def position(self, pointer: str) -> tuple[int, int]:
        """Line and column where the value at `pointer` (inside the record) starts."""
        index = self._index()
        start = 0 if self._array is None else index.element_start(self._array, self._element)
        return index.line_column(index.locate(pointers.split(pointer), start))

    def violation(
        self,
        finding: Finding,
        found_in: Literal["input", "output"] = "input",
        at: str | None = None,
    ) -> Violation:
        """The finding placed in this record's file. A finding in the converted message
        (`output`) is placed at `at`, a pointer into the record, else at the record itself."""
        pointer = finding.pointer if found_in == "input" else at or ""
        line, column = self.position(pointer)
        return Violation(
            self.file, line, column, self.index, finding.pointer, finding.message,
            finding.keyword, finding.schema, found_in, finding.severity, finding.layer,
        )  # fmt: skip


class Unreadable(NamedTuple):
    """A line (or file) that yields no record, with its text where it is text at all."""

    violation: Violation
    text: str | None


def file_violation(
    file: str, finding: Finding, index: jsonio.TextIndex | None = None, offset: int | None = None
) -> Violation:
    """A problem of the whole file (`record` None), at `offset` or else at its pointer."""
    if index is None:
        return Violation(file, 1, 1, None, finding.pointer, finding.message, finding.keyword)
    if offset is None:
        offset = index.locate(pointers.split(finding.pointer))
    line, column = index.line_column(offset)
    return Violation(
        file, line, column, None, finding.pointer, finding.message, finding.keyword, finding.schema
    )


@dataclass(frozen=True)
class Work:
    """A piece of one input, small enough to hand to another process: whole NDJSON lines or a
    whole document, as bytes. Reading a large NDJSON file never holds more than a few pieces.

    Records are numbered from 0 within a piece; the pipeline adds the count of the pieces
    before it, so no reader has to count lines ahead of the workers.
    """

    file: str
    data: bytes
    lines: bool
    first_line: int = 1
    source: int = 0
    """The position of its source among the run's inputs (a file may be given twice)."""


#: Bytes of NDJSON per piece of work (whole lines: a piece ends at a newline).
BYTES_PER_WORK = 1 << 20
_BOM = b"\xef\xbb\xbf"


def plan(source: Source, number: int = 0) -> Iterator[Work | Violation]:
    """The pieces of work one source (the run's input `number`) makes, in order, or the
    violation that stops its reading."""
    if source.unlisted is not None:
        problem = source.unlisted
        yield file_violation(source.name, Finding("", problem, IO_KEYWORD))
        return
    try:
        if source.text is not None:
            data = source.text.encode("utf-8", "surrogatepass")
            if source.is_lines:  # a golden's text, read the way its suffix says
                yield from _plan_lines(source.name, io.BytesIO(data), number)
            else:
                yield Work(source.name, data, lines=False, source=number)
        elif source.path is not None and source.is_lines:
            with source.path.open("rb") as stream:
                yield from _plan_lines(source.name, stream, number)
        else:
            data = _read_all(source).removeprefix(_BOM)
            if source.form_unnamed and _holds_lines(data):
                yield from _plan_lines(source.name, io.BytesIO(data), number)
            else:
                yield Work(source.name, data, lines=False, source=number)
    except OSError as error:
        problem = error.strerror or str(error)
        if source.path is not None and _broken_link(source.path):
            problem = "broken symbolic link"
        yield file_violation(source.name, Finding("", f"cannot read: {problem}", IO_KEYWORD))


def _broken_link(path: Path) -> bool:
    try:
        return path.is_symlink() and not path.exists()
    except OSError:
        return False


def _read_all(source: Source) -> bytes:
    if source.text is not None:
        return source.text.encode("utf-8", "surrogatepass")
    if source.path is not None:
        return source.path.read_bytes()
    if _stdin_data:
        return _stdin_data[0]
    if sys.stdin is None:
        raise OSError(0, "standard input is closed")
    _stdin_data.append(sys.stdin.buffer.read())
    return _stdin_data[0]


def _plan_lines(name: str, stream: BinaryIO, number: int = 0) -> Iterator[Work | Violation]:
    """Pieces of about BYTES_PER_WORK, cut after a newline (\n only: not U+2028 in strings).
    A line longer than a piece is gathered in parts and joined once."""
    first_line, parts, started, anything, seen = 1, [], False, False, False
    while True:
        chunk = stream.read(BYTES_PER_WORK)
        if not started:
            chunk, started = chunk.removeprefix(_BOM), True
        seen = seen or bool(chunk)
        cut = chunk.rfind(b"\n") + 1 if chunk else len(chunk)
        if chunk and cut == 0:
            parts.append(chunk)  # no line ends here yet
            continue
        piece = b"".join([*parts, chunk[:cut]]) if chunk else b"".join(parts)
        parts = [chunk[cut:]] if chunk and cut < len(chunk) else []
        if _holds_text(piece):
            anything = True
            yield Work(name, piece, True, first_line, number)
        first_line += piece.count(b"\n")
        if not chunk:
            break
    if not anything:
        what = "white space only" if seen else "empty"
        yield file_violation(name, Finding("", f"the file is {what}: it holds no record", "empty"))


def _holds_text(piece: bytes) -> bool:
    """More than white space, Unicode's included (a line of no-break spaces is blank)."""
    if not piece.strip():
        return False
    return piece.isascii() or bool(piece.decode("utf-8", "replace").strip())


def _holds_lines(data: bytes) -> bool:
    """One JSON value a line (NDJSON) rather than one document: the first value ends on its
    first line, and another starts on a new line. (Pretty-printed values one after another,
    as `jq .` writes them, are not NDJSON: read as one document, they get one violation that
    says so.) Bytes that are not UTF-8 are replaced for this question: a line that is not
    UTF-8 is a problem of that line, not of the file's form."""
    text = data.decode("utf-8", "replace")
    try:
        jsonio.parse(text)
    except jsonio.ExtraDataError as error:
        return error.on_new_line and "\n" not in text[: error.offset].strip()
    except jsonio.JSONSyntaxError:
        return False
    return False


def read(source: Source) -> Iterator[Record | Violation]:
    """Every record of one source, in order (in this process: see pipeline for --jobs)."""
    for work in plan(source):
        if isinstance(work, Violation):
            yield work
            continue
        for item in records(work):
            yield item.violation if isinstance(item, Unreadable) else item


def records(work: Work) -> Iterator[Record | Unreadable]:
    """The records of one piece of work, in order, or violations where there is no record."""
    if work.lines:
        yield from _line_records(work)
    else:
        yield from _document_records(work)


def _line_records(work: Work) -> Iterator[Record | Unreadable]:
    name, index = work.file, 0
    quick_load, unusual = jsonio.quick_load, jsonio.UNUSUAL
    for number, raw in enumerate(work.data.split(b"\n"), start=work.first_line):
        if not raw.strip():
            continue
        value = quick_load(raw)
        if value is not unusual:
            yield Record(name, index, value, text=raw, line=number)
        else:
            item = _strict_line(name, index, number, raw)
            if item is None:
                continue  # Unicode white space only: a blank line
            yield item
        index += 1


def _strict_line(name: str, index: int, number: int, raw: bytes) -> Record | Unreadable | None:
    try:
        line = raw.removesuffix(b"\r").decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded"
        column = len(raw[: error.start].decode("utf-8", "replace")) + 1  # characters, not bytes
        violation = Violation(name, number, column, index, "", message, "encoding")
        return Unreadable(violation, raw.removesuffix(b"\r").decode("utf-8", "backslashreplace"))
    if not line.strip():
        return None
    try:
        parsed = jsonio.parse(line, what="line")
    except jsonio.JSONSyntaxError as error:
        violation = Violation(name, number, error.offset + 1, index, "", error.message, "parse")
        return Unreadable(violation, line)
    return Record(name, index, parsed.value, text=line, line=number, findings=parsed.findings)


def _document_records(work: Work) -> Iterator[Record | Unreadable]:
    name = work.file
    try:
        text = work.data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = (
            f"not UTF-8 text: byte 0x{work.data[error.start]:02x} at byte offset "
            f"{error.start} cannot be decoded"
        )
        text = work.data.decode("utf-8", "backslashreplace")
        yield Unreadable(file_violation(name, Finding("", message, "encoding")), text)
        return
    index = jsonio.TextIndex(text)
    value = jsonio.quick_load(work.data)
    if value is jsonio.UNUSUAL:
        try:
            parsed = jsonio.parse(text)
        except jsonio.JSONSyntaxError as error:
            keyword = "parse" if text.strip() else "empty"
            violation = file_violation(
                name, Finding("", error.message, keyword), index, error.offset
            )
            yield Unreadable(violation, text)
            return
        value, found = parsed.value, parsed.findings
    else:
        found = ()
    envelope = _envelope_of(value)
    if isinstance(value, list):
        array: tuple[str, ...] = ()
        items, kind = value, None
    elif envelope is not None:
        items, kind, array = value[envelope.key], envelope.kind, (envelope.key,)
        for finding in _envelope_findings(envelope, value, found):
            yield Unreadable(file_violation(name, finding, index), None)
        if not isinstance(items, list):
            return
    elif isinstance(value, dict):
        yield Record(name, 0, value, text=index, findings=found)
        return
    else:
        message = "expected a record (a JSON object), an array of records, or a bulk or batch body"
        yield Unreadable(file_violation(name, Finding("", message, "type"), index), text)
        return
    for position, item in enumerate(items):
        own = _findings_below(found, pointers.join((*array, position))) if found else ()
        yield Record(
            name, position, item, text=index, array=array, element=position, kind=kind, findings=own
        )


def locate_again(source: Source, place: Place, pointer: str) -> tuple[int, int]:
    """Line and column of `pointer` in a record found earlier, by reading its source again.

    For the rare violation found after a piece of work was done (a shared event id). The text
    of the last source read this way is kept, so that many such violations in one file cost
    one read.
    """
    line, array, element = place
    index = _index_again(source)
    if index is None:
        return line, 1
    start = index.line_start(line) if array is None else index.element_start(array, element)
    return index.line_column(index.locate(pointers.split(pointer), start))


def _index_again(source: Source) -> jsonio.TextIndex | None:
    if _last_read and _last_read[0][0] is source:
        return _last_read[0][1]
    try:
        text = _read_all(source).removeprefix(_BOM).decode("utf-8", "surrogatepass")
    except (OSError, UnicodeDecodeError):
        return None
    index = jsonio.TextIndex(text)
    _last_read[:] = [(source, index)]
    return index


def text_again(source: Source, place: Place) -> str | None:
    """The text of a record found earlier (see locate_again), or None if it cannot be read."""
    line, array, element = place
    index = _index_again(source)
    if index is None:
        return None
    if array is not None:
        start = index.element_start(array, element)
        return index.text[start : jsonio.skip_value(index.text, start)]
    if source.is_lines or (source.form_unnamed and _holds_lines(_read_all(source))):
        start = index.line_start(line)
        end = index.text.find("\n", start)
        return index.text[start : len(index.text) if end < 0 else end].rstrip("\r")
    return index.text.strip()


def _envelope_of(value: Any) -> Envelope | None:
    if not isinstance(value, dict):
        return None
    for envelope in ENVELOPES:
        # A record or message has `action` / `type`; an envelope has neither.
        if envelope.key in value and "action" not in value and "type" not in value:
            return envelope
    return None


def _envelope_findings(
    envelope: Envelope, body: dict[str, Any], parsed: Sequence[Finding]
) -> list[Finding]:
    """The body's own problems: its schema (records left out: each is checked on its own),
    what the parser found outside the records, and Segment's batch limits."""
    records = pointers.join((envelope.key,)) + "/"
    outside = [f for f in parsed if not f.pointer.startswith(records)]
    if outside:
        return outside  # the body is not what its text says: check no further
    items = body[envelope.key]
    shell = {**body, envelope.key: []} if isinstance(items, list) else body
    findings = validation.check(shell, envelope.schema)
    if envelope.kind == "segment" and isinstance(items, list):
        findings += validation.check_batch_limits(body)
    return findings


def _findings_below(findings: Sequence[Finding], prefix: str) -> tuple[Finding, ...]:
    """The findings inside one record, their pointers made relative to it."""
    return tuple(
        Finding(f.pointer[len(prefix) :], f.message, f.keyword, f.schema)
        for f in findings
        if f.pointer == prefix or f.pointer.startswith(prefix + "/")
    )
