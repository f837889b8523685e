"""The outbound settings Antavo's UI holds, as a file (contract §3), and where they are found."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import jsonio

#: Always in a message's `integrations`: stops events flowing back into Salesforce and Antavo.
LOOP_PREVENTION: dict[str, bool] = {
    "Salesforce (Actions)": False,
    "Salesforce Marketing Cloud (Actions)": False,
    "Antavo (Actions)": False,
}

CONFIG_FILE = "contract-kit.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "contract-kit")

NonEmpty = Annotated[str, Field(min_length=1)]


class ConfigError(Exception):
    """A configuration that cannot be used: names the file, the key and what was expected."""


class Config(BaseModel):
    """Outbound settings. Unknown keys and wrong types are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    user_id_attribute: NonEmpty = "customer"
    """The attribute that becomes `userId`."""
    events: list[NonEmpty] = Field(default_factory=lambda: ["*"])
    """Event sync: actions (original names) sent as track calls; `*` means all."""
    attributes: list[NonEmpty] = Field(default_factory=lambda: ["*"])
    """Customer field sync: attributes sent as identify traits; `*` means all."""
    event_names: dict[str, NonEmpty] = Field(default_factory=dict)
    """Renames of track events, by original action name."""
    integrations: dict[str, bool | dict[str, Any]] = Field(default_factory=dict)
    """Entries merged over the loop-prevention object."""

    @field_validator("integrations")
    @classmethod
    def _keep_loop_prevention(
        cls, value: dict[str, bool | dict[str, Any]]
    ) -> dict[str, bool | dict[str, Any]]:
        try:
            jsonio.dump_compact(value)
        except (TypeError, ValueError) as error:
            # TOML has dates and nan; a Segment message has neither.
            raise ValueError(f"destination options must be JSON values ({error})") from None
        for name in LOOP_PREVENTION:
            if name in value and value[name] is not False:
                raise ValueError(
                    f"{name!r} is a loop-prevention entry and must stay false: "
                    "turning it on sends events back into Salesforce or Antavo"
                )
        return value

    def syncs_event(self, action: str) -> bool:
        return "*" in self.events or action in self.events

    def syncs_attribute(self, name: str) -> bool:
        return "*" in self.attributes or name in self.attributes

    def event_name(self, action: str) -> str:
        return self.event_names.get(action, action)

    def integrations_object(self) -> dict[str, bool | dict[str, Any]]:
        return {**LOOP_PREVENTION, **self.integrations}


@dataclass(frozen=True)
class LoadedConfig:
    """The configuration and the file it came from (None: the defaults)."""

    config: Config
    origin: Path | None


def load(explicit: Path | None = None, directory: Path | None = None) -> LoadedConfig:
    """`explicit` if given; else `contract-kit.toml`, else `[tool.contract-kit]` in
    `pyproject.toml`, in `directory` (the working directory by default); else the defaults."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        return LoadedConfig(_from_file(explicit), explicit)
    directory = directory or Path()  # relative, so reports name ./contract-kit.toml as such
    own = directory / CONFIG_FILE
    if own.is_file():
        return LoadedConfig(_from_file(own), own)
    pyproject = directory / PYPROJECT
    if pyproject.is_file() and _table(pyproject, _read_toml(pyproject)) is not None:
        return LoadedConfig(_from_file(pyproject), pyproject)
    return LoadedConfig(Config(), None)


def _from_file(path: Path) -> Config:
    settings = _table(path, _read_toml(path)) if path.name == PYPROJECT else _read_toml(path)
    return parse(settings or {}, source=str(path))


def parse(settings: dict[str, Any], source: str = "configuration") -> Config:
    """A Config from a mapping, with errors that name `source` and the key."""
    try:
        return Config.model_validate(settings)
    except ValidationError as error:
        raise ConfigError("\n".join(_explain(source, item) for item in error.errors())) from None


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


def _explain(source: str, item: Any) -> str:
    key = ".".join(str(part) for part in item["loc"])
    if item["type"] == "extra_forbidden":
        known = ", ".join(Config.model_fields)
        return f"{source}: unknown key {key!r} (known keys: {known})"
    message = str(item["msg"]).removeprefix("Value error, ")
    return f"{source}: key {key!r}: {message} (got {item['input']!r})"
