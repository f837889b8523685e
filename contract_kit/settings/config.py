"""The outbound settings Antavo's UI holds, as a file (contract §3), and where they are found."""

from __future__ import annotations

import datetime
import difflib
import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from contract_kit.settings import discovery as config_files
from contract_kit.settings.discovery import ConfigError
from contract_kit.tracking_plan.policy import EventPolicy, PropertyPolicy

if TYPE_CHECKING:
    from contract_kit.tracking_plan import TrackingPlan

#: Always in a message's `integrations`: stops events flowing back into Salesforce and Antavo.
LOOP_PREVENTION: dict[str, bool] = {
    "Salesforce (Actions)": False,
    "Salesforce Marketing Cloud (Actions)": False,
    "Antavo (Actions)": False,
}


@dataclass(frozen=True)
class Meaning:
    """Annotation metadata: what a value stands for, said after the expected type in errors
    ("expected a non-empty string (a folder)")."""

    what: str


NonEmpty = Annotated[str, Field(min_length=1)]
Folder = Annotated[NonEmpty, Meaning("a folder")]


#: The origin of a setting nobody gave (see LoadedConfig.origins).
DEFAULT = "default"


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
    plan: Folder | None = None
    """The tracking-plan folder, relative to the configuration file; default: ./tracking-plan
    when it exists."""
    unplanned: EventPolicy = "warn"
    """Track events the plan does not name."""
    unplanned_properties: PropertyPolicy = "warn"
    """Properties (and traits) that the plan's schema for the event does not name; `omit`
    leaves them out of the messages `convert` writes."""
    exclude: list[NonEmpty] = Field(default_factory=list)
    """Globs of files and folders that folder searches skip (as --exclude does)."""

    @field_validator("unplanned", mode="before")
    @classmethod
    def _events_are_not_omitted(cls, value: Any) -> Any:
        """`omit` is a policy for properties only; said plainly rather than as a bad choice."""
        if value == "omit":
            raise ValueError(
                "omit is for unplanned_properties only: an unplanned event can be allowed, "
                "warned about or blocked"
            )
        return value

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


def _all_default() -> dict[str, str]:
    return dict.fromkeys(Config.model_fields, DEFAULT)


@dataclass(frozen=True)
class LoadedConfig:
    """The configuration, the file it came from (None: the defaults), and where each setting
    came from. `origins` maps every Config key to "default", to the file's `label` (its path:
    `contract-kit.toml`, `conf/settings.toml`, or `pyproject.toml [tool.contract-kit]` for a
    pyproject.toml) or to "option --flag" for a command-line option."""

    config: Config
    origin: Path | None
    origins: dict[str, str] = field(default_factory=_all_default)
    why: str = ""
    """Why `origin` is the file used (or why there is none), for `config show`."""

    @property
    def folder(self) -> Path:
        """The project's folder: the configuration file's, else the working directory."""
        return Path() if self.origin is None else self.origin.parent

    def plan_folder(self) -> Path | None:
        """The tracking-plan folder: `plan` (relative to the configuration file; to the working
        directory when given as an option), else `tracking-plan` in the project's folder when it
        exists, else None."""
        if self.config.plan is not None:
            from_option = self.origins.get("plan", DEFAULT).startswith(OPTION)
            return (Path() if from_option else self.folder) / self.config.plan
        default = self.folder / config_files.DEFAULT_PLAN
        return default if default.is_dir() else None


#: The start of the origin of a setting given as a command-line option: "option --plan".
OPTION = "option "


def plan_in(folder: Path, config: Config) -> TrackingPlan:
    """The tracking plan in `folder`, checked, with the configuration's settings for what it
    does not name: how the CLI and the Python API both load one. Raises PlanError."""
    from contract_kit import tracking_plan

    return tracking_plan.load(
        folder, unplanned=config.unplanned, unplanned_properties=config.unplanned_properties
    )


def option_flag(key: str) -> str:
    """The command-line option that sets `key`: `--unplanned-properties`."""
    return "--" + key.replace("_", "-")


def load(
    explicit: Path | None = None,
    directory: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    discovery: config_files.Discovery | None = None,
) -> LoadedConfig:
    """`explicit` if given; else the nearest `contract-kit.toml` or `[tool.contract-kit]` in
    `pyproject.toml`, from `directory` (the working directory by default) up to the repository
    root (see config_files.discover); else the defaults. `discovery`: that search, when the
    caller has already made it.

    `overrides` are settings given as command-line options (key: value, the option being
    `option_flag(key)`); they win over the file. The file is checked on its own first, so a bad
    file is an error even where an option overrides the bad key."""
    discovery = discovery or config_files.discover(explicit, directory)
    found = discovery.path
    settings = {} if found is None else config_files.settings(found)
    source = "configuration" if found is None else config_files.label(found)
    config = parse(settings, source)
    given = dict(overrides or {})
    if given:
        flags = {key: option_flag(key) for key in given}
        config = _validate({**settings, **given}, source, flags)
    origins = _all_default()
    origins.update(dict.fromkeys(settings, source))
    origins.update({key: f"{OPTION}{option_flag(key)}" for key in given})
    return LoadedConfig(config, found, origins, discovery.why)


def parse(settings: Mapping[str, Any], source: str = "configuration") -> Config:
    """A Config from a mapping, with errors that name `source`, the key and what was expected."""
    return _validate(settings, source, {})


def _validate(settings: Mapping[str, Any], source: str, flags: Mapping[str, str]) -> Config:
    """Errors about keys in `flags` name the option (`flags[key]`), the others `source`."""
    try:
        return Config.model_validate(dict(settings))
    except ValidationError as error:
        lines = [_explain(source, flags, item) for item in error.errors()]
        # A union reports once per member (integrations.X: a boolean, a table): say it once.
        raise ConfigError("\n".join(dict.fromkeys(lines))) from None


def _explain(source: str, flags: Mapping[str, str], item: ErrorDetails) -> str:
    loc = item["loc"]
    if not loc:  # not a table at all
        return f"{source}: {item['msg']}"
    name = str(loc[0])
    if item["type"] == "extra_forbidden":
        where = f"{OPTION}{flags[name]}" if name in flags else source
        known = ", ".join(Config.model_fields)
        close = difflib.get_close_matches(name, Config.model_fields, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{where}: unknown key {name!r}{hint} (known keys: {known})"
    path, expected, of_key = _locate(loc)
    where = f"{source}: key '{path}'"
    if name in flags:
        where = f"{OPTION}{flags[name]}" + ("" if path == name else f": key '{path}'")
    given = item["input"]
    if item["type"] in ("value_error", "assertion_error"):  # a validator's own words
        message = str(item["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return f"{where}: {message} (got {toml_value(given)})"
    wanted = describe(expected) + (" for each key" if of_key else "")
    if item["type"] not in _SAID_BY_THE_TYPE:
        wanted += f" ({str(item['msg'])[:1].lower()}{str(item['msg'])[1:]})"
    return f"{where}: expected {wanted}, got {_got(given, item['type'])}"


#: Pydantic error types that `describe` of the annotation says in full: the others also get
#: pydantic's message after the expected type.
_SAID_BY_THE_TYPE = frozenset(
    {
        "string_type",
        "string_too_short",
        "list_type",
        "dict_type",
        "bool_type",
        "int_type",
        "float_type",
        "literal_error",
        "missing",
    }
)
#: Errors about a value of the right type: "got" shows the value without naming its type.
_VALUE_ERRORS = frozenset({"literal_error", "string_too_short", "string_too_long"})


def _locate(loc: tuple[int | str, ...]) -> tuple[str, Any, bool]:
    """Where an error is, as a TOML key (`integrations.Mixpanel`, `events[0]`), the annotation
    expected there, and whether it is about a table's key rather than a value."""
    annotation: Any = Config.model_fields[str(loc[0])].rebuild_annotation()
    path = toml_key(str(loc[0]))
    for at, part in enumerate(loc[1:], start=2):
        inner, _ = _unwrap(annotation)
        origin = get_origin(inner)
        if origin is list and isinstance(part, int):
            annotation, path = get_args(inner)[0], f"{path}[{part}]"
        elif origin is dict and loc[at : at + 1] == ("[key]",):  # the key `part` is wrong
            return path, get_args(inner)[0], True
        elif origin is dict:
            annotation, path = get_args(inner)[1], f"{path}.{toml_key(str(part))}"
        else:  # a member of a union: the whole union is what was expected
            break
    return path, annotation, False


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type under Annotated and Optional, and the metadata found on the way (a nested
    Field's own metadata included)."""
    metadata: list[Any] = []
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *more = get_args(annotation)
            for item in more:
                metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif get_origin(annotation) in (typing.Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation, metadata
            annotation = members[0]
        else:
            return annotation, metadata


_NOUNS: dict[Any, tuple[str, str]] = {
    str: ("a string", "strings"),
    bool: ("a boolean", "booleans"),
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    Any: ("any value", "any values"),
}


def describe(annotation: Any, plural: bool = False) -> str:
    """An annotation in plain words: `list[NonEmpty]` is "a list of non-empty strings"."""
    inner, metadata = _unwrap(annotation)
    origin = get_origin(inner)
    if origin in (typing.Union, types.UnionType):
        words = " or ".join(
            describe(arg, plural) for arg in get_args(inner) if arg is not type(None)
        )
    elif origin is Literal:
        choices = ", ".join(toml_value(choice) for choice in get_args(inner))
        words = f"{'each ' if plural else ''}one of {choices}"
    elif origin is list:
        words = f"{'lists' if plural else 'a list'} of {describe(get_args(inner)[0], True)}"
    elif origin is dict or inner is dict:
        words = "tables" if plural else "a table"
        value = get_args(inner)[1] if get_args(inner) else Any
        if value is not Any:
            words += f" of {describe(value, True)}"
    else:
        words = _NOUNS.get(inner, (f"a {inner}", f"{inner} values"))[plural]
    if any(getattr(item, "min_length", None) == 1 for item in metadata) and inner is str:
        words = "non-empty strings" if plural else "a non-empty string"
    for item in metadata:
        if isinstance(item, Meaning):
            words += f" ({item.what})"
    return words


def _got(value: Any, error_type: str) -> str:
    """The value a message says it got: its TOML type and its value (`integer 3`), or only the
    value when the type was right and the value was not (`"blok"`)."""
    shown = toml_value(value)
    if len(shown) > 60:
        shown = shown[:59] + "…"
    if value is None or (isinstance(value, str) and error_type in _VALUE_ERRORS):
        return shown
    return f"{_kind(value)} {shown}"


def _kind(value: Any) -> str:
    """The TOML name of a value's type."""
    if isinstance(value, bool):
        return "boolean"
    for kind, name in (
        (int, "integer"),
        (float, "float"),
        (str, "string"),
        (datetime.datetime, "date-time"),
        (datetime.date, "date"),
        (datetime.time, "time"),
        (Mapping, "table"),
        (list | tuple, "list"),
    ):
        if isinstance(value, kind):
            return name
    return type(value).__name__


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """A value as TOML writes it inline: `"x"`, `true`, `["*"]`, `{ Mixpanel = false }`
    (None, which TOML cannot say, as `None`)."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)  # TOML's own nan, inf and -inf too
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        pairs = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return f"{{ {pairs} }}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return repr(value)
