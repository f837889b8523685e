"""Where the configuration is found, and its TOML read: `--config FILE`, else the nearest
`contract-kit.toml` or `[tool.contract-kit]` in `pyproject.toml`, from the working directory up to
the repository root. No pydantic here, so that a command with no configuration file does not pay
for importing it."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

CONFIG_FILE = "contract-kit.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "contract-kit")
#: The tracking-plan folder used when the configuration names none and it exists.
DEFAULT_PLAN = "tracking-plan"


class ConfigError(Exception):
    """A configuration that cannot be used: names the file, the key and what was expected."""


class Discovery(NamedTuple):  # not a dataclass: ~1 ms less of every start-up
    """The configuration file a run uses (None: the defaults), and why that one, in words for
    `config show`: "given with --config", "found in the working directory", …"""

    path: Path | None
    why: str


def discover(explicit: Path | None = None, directory: Path | None = None) -> Discovery:
    """`explicit` if given; else, from `directory` (the working directory) upward, the first
    folder holding `contract-kit.toml` or a `pyproject.toml` with `[tool.contract-kit]`, as
    ruff, black and pytest look. The search stops at the repository root (a folder holding
    `.git`) and at the file system's root. Paths found above the working directory are named
    relative to it (`../pyproject.toml`), so that reports stay short and true."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        return Discovery(explicit, "given with --config")
    start = directory or Path()  # relative, so reports name ./contract-kit.toml as such
    folder, up = start, 0
    try:
        resolved = start.resolve()
    except OSError:  # a working directory removed under us: nothing to find above it
        return Discovery(_in_folder(start), "found in the working directory")
    while True:
        found = _in_folder(folder, above=up > 0)
        if found is not None:
            where = "the working directory" if up == 0 else _levels_up(up)
            return Discovery(found, f"found in {where}")
        if (resolved / ".git").exists():
            return Discovery(None, f"{_NOWHERE} up to the repository root {resolved}")
        if resolved.parent == resolved:
            return Discovery(None, f"{_NOWHERE} up to the file system's root")
        folder, resolved, up = folder / "..", resolved.parent, up + 1


_NOWHERE = (
    f"no {CONFIG_FILE} and no {PYPROJECT} with [tool.contract-kit] from the working directory"
)


def _levels_up(count: int) -> str:
    return "the parent folder" if count == 1 else f"a folder {count} levels above"


def _in_folder(folder: Path, above: bool = False) -> Path | None:
    """The configuration file in `folder`, if any. Above the working directory, a pyproject.toml
    this user may not read is passed over: it belongs to someone else's project (one that can
    be read but is not TOML is still an error: it is most likely the user's own)."""
    own = folder / CONFIG_FILE
    if own.is_file():
        return own
    pyproject = folder / PYPROJECT
    if not pyproject.is_file() or (above and not os.access(pyproject, os.R_OK)):
        return None
    return pyproject if _table(pyproject, _read_toml(pyproject)) is not None else None


def label(path: Path) -> str:
    """How messages name the settings in `path`: the path, with its table for a pyproject.toml
    (`pyproject.toml [tool.contract-kit]`)."""
    return f"{path} [{'.'.join(PYPROJECT_TABLE)}]" if path.name == PYPROJECT else str(path)


def settings(path: Path) -> dict[str, Any]:
    """The settings in `path`: its `[tool.contract-kit]` table for a pyproject.toml."""
    document = _read_toml(path)
    return (_table(path, document) or {}) if path.name == PYPROJECT else document


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None


def _table(path: Path, document: dict[str, Any]) -> dict[str, Any] | None:
    table: Any = document
    for key in PYPROJECT_TABLE:
        if not isinstance(table, dict) or key not in table:
            return None
        table = table[key]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.contract-kit] must be a table")
    return table
