"""A plan folder read into a TrackingPlan, every file checked; and a TrackingPlan written out.

A plan that cannot be used is a usage error (PlanError), named by file, line and column: a file
that is not JSON, a schema its dialect's metaschema refuses, a `$ref` that leads nowhere, two
files for one version of a rule, a `.json` file the layout has no place for.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from contract_kit.jsontext import jsonio, pointers
from contract_kit.outputs import atomic
from contract_kit.tracking_plan import dialects, engines
from contract_kit.tracking_plan.errors import PlanError, PlanFolderError
from contract_kit.tracking_plan.model import (
    MANIFEST,
    PLACEMENTS,
    RULE_TYPES,
    SUFFIX,
    Document,
    Rule,
    RuleType,
    TrackingPlan,
    file_for,
    parse_file_name,
)
from contract_kit.tracking_plan.policy import EventPolicy, PropertyPolicy
from contract_kit.violations import shortened

MANIFEST_FORMAT = "contract-kit tracking plan 1"
#: The Segment export forms (segment.py reads and writes them).
FORMS = ("public-api", "rules", "config-api")


def load(
    folder: Path | str,
    *,
    unplanned: EventPolicy = "warn",
    unplanned_properties: PropertyPolicy = "warn",
) -> TrackingPlan:
    """Every rule in `folder`, checked. Raises PlanError (and ValueError for a policy that is
    not one of its choices)."""
    folder = Path(folder)
    try:
        problem = None
        if not folder.is_dir():
            problem = "not a folder" if folder.exists() else "tracking-plan folder not found"
    except OSError as error:  # a name too long, a folder above it that cannot be read
        problem = f"cannot read: {error.strerror or error}"
    if problem is not None:
        raise PlanFolderError(f"{shortened(str(folder))}: {problem}")
    shown = folder.as_posix()
    manifest = _read_manifest(folder)
    listed = {
        record["file"]: {**record, "index": index}
        for index, record in enumerate(manifest.get("rules", []))
    }
    found = sorted(_plan_files(folder))
    missing = sorted(set(listed) - set(found))
    if missing:
        raise PlanError(f"{folder / MANIFEST}: names {missing[0]}, which is not in the folder")
    order = [*listed, *(name for name in found if name not in listed)]
    rules: list[Rule] = []
    seen: dict[tuple[RuleType, str | None, int], str] = {}
    for relative in order:
        rule = _read_rule(folder, relative, listed.get(relative))
        identity = (rule.type, rule.key, rule.version)
        if identity in seen:
            raise PlanError(
                f"{shown}/{relative}: version {rule.version} of {rule.label} is also in "
                f"{seen[identity]}; keep one file per version"
            )
        seen[identity] = relative
        rules.append(rule)
    document = None
    if "form" in manifest:
        document = Document(manifest["form"], manifest.get("document"))
    return TrackingPlan(shown, tuple(rules), document, unplanned, unplanned_properties)


def _plan_files(folder: Path) -> list[str]:
    """The `.json` files of the folder (the manifest aside), as layout paths. Symbolic links to
    folders are followed (a shared `track/`), each folder once."""
    names = []
    visited: set[str] = set()
    for root, directories, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in visited:
            directories[:] = []
            continue
        visited.add(real)
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        for name in files:
            if not name.endswith(".json"):
                continue  # notes and READMEs may live beside the schemas
            relative = (Path(root) / name).relative_to(folder).as_posix()
            if relative == MANIFEST:
                continue
            if parse_file_name(relative) is None:
                raise PlanError(
                    f"{folder.as_posix()}/{relative}: not a file of a tracking plan: expected "
                    f"common{SUFFIX}, identify{SUFFIX} or track/<event>{SUFFIX} "
                    f"(a version other than the current one: track/<event>@<version>{SUFFIX})"
                )
            names.append(relative)
    return names


def read_json(path: Path) -> tuple[Any, str]:
    """A JSON file, strictly (duplicate keys, NaN...), and its text. Raises PlanError naming
    the file, line and column."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise PlanError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise PlanError(f"{path}: cannot read: {error.strerror}") from None
    text = text.removeprefix("\ufeff")
    try:
        parsed = jsonio.parse(text)
    except jsonio.JSONSyntaxError as error:
        line, column = jsonio.line_column(text, error.offset)
        raise PlanError(f"{path}:{line}:{column}: {error}") from None
    if parsed.findings:
        finding = parsed.findings[0]
        raise PlanError(_at(path, text, finding.pointer, finding.message))
    return parsed.value, text


def _at(path: Path, text: str, pointer: str, message: str) -> str:
    """`path:line:column: pointer: message`, the pointer located in the file's text."""
    line, column = jsonio.line_column(text, jsonio.locate(text, pointers.split(pointer)))
    return f"{path}:{line}:{column}: {pointer or '(root)'}: {message}"


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    value, text = read_json(path)
    problem = _manifest_problem(value)
    if problem is not None:
        raise PlanError(_at(path, text, *problem))
    return dict(value)


def _manifest_problem(value: Any) -> tuple[str, str] | None:
    """(pointer, message) of the first thing wrong with a plan.json's shape, or None."""
    if not isinstance(value, dict):
        return "", "plan.json must be a JSON object"
    if value.get("form") not in FORMS:
        known = ", ".join(FORMS)
        return "/form", f"plan.json needs 'form', the Segment export it came from: one of {known}"
    rules = value.get("rules")
    if not isinstance(rules, list):
        return "/rules", "plan.json needs 'rules', a list"
    for index, record in enumerate(rules):
        where = f"/rules/{index}"
        if not isinstance(record, dict) or not isinstance(record.get("file"), str):
            return where, "each rule needs 'file', the schema file's path in the folder"
        if record.get("type") not in RULE_TYPES:
            return f"{where}/type", f"'type' must be one of {', '.join(RULE_TYPES)}"
        version = record.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            return f"{where}/version", "'version' must be a positive integer"
        if not isinstance(record.get("entry"), dict | None):
            return f"{where}/entry", "'entry' (Segment's record of the rule) must be an object"
        if not isinstance(record.get("envelope"), dict | bool | None):
            return f"{where}/envelope", "'envelope' (the rest of the rule's schema) must be one"
    return None


def _read_rule(folder: Path, relative: str, record: dict[str, Any] | None) -> Rule:
    path = folder / relative
    schema, text = read_json(path)
    named = parse_file_name(relative)
    assert named is not None  # _plan_files let only layout files through
    record = record or {}
    version = named.version or record.get("version") or 1
    if record and (record["type"], record.get("key")) != (named.type, named.key):
        raise PlanError(
            f"{folder / MANIFEST}: {relative} is listed as {record['type']} "
            f"{record.get('key')!r}, but its name makes it {named.type} {named.key!r}"
        )
    envelope = record.get("envelope")
    rule = Rule(named.type, named.key, version, schema, relative, envelope, record.get("entry"))
    if envelope is not None:
        problem = engines.schema_problem(rule.envelope_schema(), dialects.dialect_of(envelope))
        if problem is not None:
            manifest = folder / MANIFEST
            where = f"/rules/{record['index']}/envelope{problem[0]}"
            raise PlanError(_at(manifest, read_json(manifest)[1], where, problem[1]))
    problem = engines.schema_problem(schema, dialects.dialect_of(schema, envelope))
    if problem is not None:
        raise PlanError(_at(path, text, *problem))
    return rule


def write(plan: TrackingPlan, folder: Path) -> None:
    """Write `plan` as a folder, replacing a plan folder already there as one step: the new
    folder is made beside it and renamed into place. Notes beside the schemas (files that are
    not JSON) are carried across; a folder holding anything else is refused. A symbolic link
    to a folder is followed: the plan is written where it leads. Raises PlanError."""
    if folder.is_symlink():
        folder = Path(os.path.realpath(folder))
    kept = _notes_in_plan_folder(folder) if folder.exists() else []
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; a plan folder is not
    except OSError as error:
        raise PlanError(f"{folder}: cannot write: {error.strerror or error}") from None
    try:
        for rule in plan.rules:
            _write_file(staging, rule.file, jsonio.dump_pretty(rule.schema), folder)
        if plan.document is not None:
            manifest = {
                "format": MANIFEST_FORMAT,
                "form": plan.document.form,
                "document": plan.document.skeleton,
                "rules": [_manifest_record(rule) for rule in plan.rules],
            }
            _write_file(staging, MANIFEST, jsonio.dump_pretty(manifest), folder)
        for note in kept:
            (staging / note).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / note, staging / note, follow_symlinks=False)
        _swap_in(staging, folder)
    except OSError as error:
        raise PlanError(f"{folder}: cannot write: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_file(staging: Path, relative: str, text: str, folder: Path) -> None:
    target = staging / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(target, text)
    except OSError as error:
        raise PlanError(
            f"{folder.as_posix()}/{relative}: cannot write: {error.strerror or error}"
        ) from None


def _manifest_record(rule: Rule) -> dict[str, Any]:
    return {
        "file": rule.file,
        "type": rule.type,
        "key": rule.key,
        "version": rule.version,
        "entry": rule.entry,
        "envelope": rule.envelope,
    }


_LAYOUT_FOLDERS = frozenset(p.name for p in PLACEMENTS.values() if p.keyed)


def _notes_in_plan_folder(folder: Path) -> list[str]:
    """The files of an existing plan folder that are neither schemas nor plan.json (a README,
    notes), to carry across; PlanError if it holds anything a plan folder does not."""
    if not folder.is_dir():
        raise PlanError(f"{folder}: exists and is not a folder")
    notes = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        top = relative.split("/")[0]
        if path.is_dir() and relative in _LAYOUT_FOLDERS:
            continue
        layout = relative == MANIFEST or parse_file_name(relative) is not None
        in_layout_place = "/" not in relative or top in _LAYOUT_FOLDERS
        if path.is_file() and in_layout_place and (layout or not relative.endswith(".json")):
            if not layout:
                notes.append(relative)
            continue
        raise PlanError(
            f"{folder}: holds {relative}, which is not part of a tracking plan; "
            "refusing to replace the folder (import into a new or plan-only folder)"
        )
    return notes


def _swap_in(staging: Path, folder: Path) -> None:
    """Put `staging` where `folder` is: the old plan is moved aside, then removed."""
    if not folder.exists():
        staging.rename(folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent))
    old.rmdir()
    folder.rename(old)
    try:
        staging.rename(folder)
    except OSError:
        old.rename(folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def rule_file(type_: RuleType, key: str | None, version: int, current: int) -> str:
    """The file a rule is written to: the current version without a version in its name."""
    return file_for(type_, key, None if version == current else version)
