"""Golden snapshots (contract §6): pair inputs with goldens, compare, update atomically.

Each Antavo file under the input folder has its golden at the same relative path under the golden
folder. A `.json` golden is a pretty-printed array of the messages (two-space indent, trailing
newline); an `.ndjson` / `.jsonl` golden holds one compact message a line, as NDJSON must.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from . import atomic, diff, jsonio, pipeline, sources
from .config import Config
from .sources import Source
from .violations import Violation

Status = Literal["same", "differs", "missing", "orphan", "invalid"]


@dataclass(frozen=True)
class GoldenCheck:
    """One input file and its golden, or an orphaned golden (`input` None)."""

    golden: Path
    status: Status
    input: Source | None = None
    expected: str | None = None
    """The golden text the input produces now."""
    changes: tuple[diff.Change, ...] = ()
    violations: tuple[Violation, ...] = ()
    skipped: int = 0
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "same"


@dataclass(frozen=True)
class GoldenReport:
    checks: list[GoldenCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def count(self, status: Status) -> int:
        return sum(1 for check in self.checks if check.status == status)


def render(messages: Sequence[dict[str, Any]], suffix: str) -> str:
    """The golden text for `messages` in a file ending with `suffix`."""
    if suffix.lower() in sources.LINE_SUFFIXES:
        return "".join(jsonio.dump_compact(message) + "\n" for message in messages)
    return jsonio.dump_pretty(list(messages))


def expected_output(source: Source, config: Config) -> tuple[str | None, list[Violation], int]:
    """What the golden of `source` should hold; None when the input has violations."""
    messages: list[dict[str, Any]] = []
    violations: list[Violation] = []
    skipped = 0
    for outcome in pipeline.convert([source], config=config):
        violations.extend(outcome.violations)
        if outcome.message is not None:
            messages.append(outcome.message)
        skipped += outcome.status == "skipped"
    suffix = source.path.suffix if source.path else ".json"
    return (None if violations else render(messages, suffix)), violations, skipped


def check(input_dir: Path, golden_dir: Path, config: Config) -> GoldenReport:
    """Compare each input's conversion with its golden; find missing and orphaned goldens."""
    inputs = sources.collect([input_dir])
    report = GoldenReport()
    wanted = set()
    for source in inputs:
        assert source.relative is not None
        golden = golden_dir / source.relative
        wanted.add(golden.resolve())
        report.checks.append(_check_one(source, golden, config))
    if golden_dir.is_dir():
        for path in _golden_files(golden_dir):
            if path.resolve() not in wanted:
                report.checks.append(GoldenCheck(path, "orphan"))
    return report


def _check_one(source: Source, golden: Path, config: Config) -> GoldenCheck:
    expected, violations, skipped = expected_output(source, config)
    if expected is None:
        return GoldenCheck(golden, "invalid", source, violations=tuple(violations))
    if not golden.is_file():
        return GoldenCheck(golden, "missing", source, expected, skipped=skipped)
    actual = golden.read_text(encoding="utf-8")
    if actual == expected:
        return GoldenCheck(golden, "same", source, expected, skipped=skipped)
    try:
        before = _parse_golden(actual, golden.suffix)
    except jsonio.JSONSyntaxError as error:
        unreadable = f"the golden is not valid JSON ({error.message})"
        return GoldenCheck(golden, "differs", source, expected, skipped=skipped, note=unreadable)
    changes = diff.compare(before, _parse_golden(expected, golden.suffix))
    formatting = None if changes else "same values, but not in the canonical form (formatting)"
    return GoldenCheck(
        golden, "differs", source, expected, tuple(changes), skipped=skipped, note=formatting
    )


def _parse_golden(text: str, suffix: str) -> Any:
    if suffix.lower() in sources.LINE_SUFFIXES:
        return [jsonio.parse(line, what="line").value for line in text.split("\n") if line.strip()]
    return jsonio.parse(text).value


def _golden_files(golden_dir: Path) -> Iterator[Path]:
    for path in sorted(golden_dir.rglob("*")):
        if path.is_file() and path.suffix.lower() in sources.SUFFIXES:
            yield path


@dataclass(frozen=True)
class Update:
    path: Path
    action: Literal["created", "updated", "removed"]


def update(report: GoldenReport, golden_dir: Path) -> list[Update]:
    """Write what changed and remove orphans. Inputs with violations are left alone."""
    done = []
    for item in report.checks:
        if item.status in ("missing", "differs") and item.expected is not None:
            atomic.write_text(item.golden, item.expected)
            done.append(Update(item.golden, "created" if item.status == "missing" else "updated"))
        elif item.status == "orphan":
            item.golden.unlink()
            _remove_empty_parents(item.golden.parent, stop=golden_dir)
            done.append(Update(item.golden, "removed"))
    return done


def _remove_empty_parents(folder: Path, stop: Path) -> None:
    """Folders that held only removed orphans go too, up to (not including) `stop`."""
    while folder != stop and stop in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
