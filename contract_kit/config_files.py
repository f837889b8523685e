"""Where the configuration is found, and its TOML read: `--config FILE`, else
`contract-kit.toml`, else `[tool.contract-kit]` in `pyproject.toml`. No pydantic here, so that
a command with no configuration file does not pay for importing it."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

CONFIG_FILE = "contract-kit.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "contract-kit")
#: The tracking-plan folder used when the configuration names none and it exists.
DEFAULT_PLAN = "tracking-plan"


class ConfigError(Exception):
    """A configuration that cannot be used: names the file, the key and what was expected."""


def find(explicit: Path | None = None, directory: Path | None = None) -> Path | None:
    """The configuration file to use, or None for the defaults."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        return explicit
    directory = directory or Path()  # relative, so reports name ./contract-kit.toml as such
    own = directory / CONFIG_FILE
    if own.is_file():
        return own
    pyproject = directory / PYPROJECT
    if pyproject.is_file() and _table(pyproject, _read_toml(pyproject)) is not None:
        return pyproject
    return None


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
