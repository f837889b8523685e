"""The outbound settings Antavo's UI holds, as a file (contract §3), and where they are found."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import config_files
from .config_files import ConfigError

#: Always in a message's `integrations`: stops events flowing back into Salesforce and Antavo.
LOOP_PREVENTION: dict[str, bool] = {
    "Salesforce (Actions)": False,
    "Salesforce Marketing Cloud (Actions)": False,
    "Antavo (Actions)": False,
}

NonEmpty = Annotated[str, Field(min_length=1)]
Policy = Literal["allow", "warn", "block"]
"""What to do with what the tracking plan does not name: nothing, a warning, or an error."""

#: The tracking-plan folder used when the configuration names none and it exists.
DEFAULT_PLAN = "tracking-plan"


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
    plan: NonEmpty | None = None
    """The tracking-plan folder, relative to the configuration file; default: ./tracking-plan
    when it exists."""
    unplanned: Policy = "warn"
    """Track events the plan does not name."""
    unplanned_properties: Policy = "warn"
    """Properties (and traits) that the plan's schema for the event does not name."""

    @field_validator("integrations")
    @classmethod
    def _keep_loop_prevention(
        cls, value: dict[str, bool | dict[str, Any]]
    ) -> dict[str, bool | dict[str, Any]]:
        try:
            json.dumps(value, allow_nan=False)
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

    def plan_folder(self) -> Path | None:
        """The tracking-plan folder: `plan` (relative to the configuration file), else
        ./tracking-plan when it exists, else None (no plan)."""
        if self.config.plan is not None:
            base = Path() if self.origin is None else self.origin.parent
            return base / self.config.plan
        default = Path(DEFAULT_PLAN)
        return default if default.is_dir() else None


def load(explicit: Path | None = None, directory: Path | None = None) -> LoadedConfig:
    """`explicit` if given; else `contract-kit.toml`, else `[tool.contract-kit]` in
    `pyproject.toml`, in `directory` (the working directory by default); else the defaults."""
    found = config_files.find(explicit, directory)
    if found is None:
        return LoadedConfig(Config(), None)
    return LoadedConfig(parse(config_files.settings(found), source=str(found)), found)


def parse(settings: dict[str, Any], source: str = "configuration") -> Config:
    """A Config from a mapping, with errors that name `source` and the key."""
    try:
        return Config.model_validate(settings)
    except ValidationError as error:
        raise ConfigError("\n".join(_explain(source, item) for item in error.errors())) from None


def _explain(source: str, item: Any) -> str:
    key = ".".join(str(part) for part in item["loc"])
    if item["type"] == "extra_forbidden":
        known = ", ".join(Config.model_fields)
        return f"{source}: unknown key {key!r} (known keys: {known})"
    message = str(item["msg"]).removeprefix("Value error, ")
    return f"{source}: key {key!r}: {message} (got {item['input']!r})"
