"""The compiled core (`contract_kit._core`, Rust): whether it serves this run, and its inputs.

The core reads a piece of NDJSON in one pass and vouches for the records it can (checked
against the same schema file, converted, their messages written); every other line it leaves
to the Python path, which stays the reference: it words and locates every violation
(steps._core_lines merges the two in record order). tests/running/test_core.py checks, on
generated, mutated and hand-written records, every fixture and the bench corpus, that both
paths give the same verdicts and the same bytes.

`CONTRACT_KIT_CORE=0` (or false, no, off) runs everything on the Python path;
`CONTRACT_KIT_CORE=1` (or true, yes, on) stops any command before it starts when the core
cannot be loaded; unset, the core is used when it is there.
"""

from __future__ import annotations

import importlib
import json
import os
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: the CLI imports this module at start-up (`require`)
    from contract_kit import _core
    from contract_kit.running.context import RunContext

SWITCH = "CONTRACT_KIT_CORE"
_OFF = frozenset({"0", "false", "no", "off"})


_ON = frozenset({"1", "true", "yes", "on"})


class CoreMissing(RuntimeError):
    """CONTRACT_KIT_CORE=1 asked for the core, and it cannot be loaded (the CLI checks this
    before a command starts: exit 2, one line)."""


def _wanted() -> str:
    return os.environ.get(SWITCH, "").strip().lower()


def require() -> None:
    """Raise CoreMissing when CONTRACT_KIT_CORE=1 and the core cannot be loaded."""
    if _wanted() in _ON:
        module()


@cache
def module() -> ModuleType | None:
    """`contract_kit._core`, once a process; None on the Python path."""
    wanted = _wanted()
    if wanted in _OFF:
        return None
    try:
        return importlib.import_module("contract_kit._core")
    except ImportError as error:
        if wanted in _ON:
            why = f"{SWITCH}={wanted}, but the compiled core cannot be loaded: {error}"
            raise CoreMissing(why) from None
        return None


@cache
def checker() -> _core.Checker | None:
    """The record schema compiled by the core, once a process; None on the Python path."""
    from contract_kit.checking import schemas

    loaded = module()
    if loaded is None:
        return None
    checker: _core.Checker = loaded.Checker(json.dumps(schemas.document("antavo/record")))
    return checker


def id_table() -> _core.IdTable | None:
    """A table for the run's Antavo ids in the core, when the core is already at work in this
    process (a piece went through it); else None: a run the core does not serve (a document, a
    plan) does not load it for its ids alone, so its start-up does not grow."""
    if checker.cache_info().currsize == 0 or checker() is None:
        return None
    loaded = module()
    assert loaded is not None
    table: _core.IdTable = loaded.IdTable()
    return table


def serves(run: RunContext) -> bool:
    """Whether the core may vouch for records of this run: it checks and converts Antavo
    records; a tracking plan (and its omissions) and a configuration whose constants do not
    meet the Segment profile stay with the Python path when converting."""
    if run.kind not in ("auto", "antavo"):
        return False
    if run.mode == "validate":
        return True  # the plan applies to Segment messages only, which the core never vouches for
    return run.plan is None and run.output_checked_by_construction


def mapping(run: RunContext) -> _core.Mapping | None:
    """The run's mapping settings in the core's form (None when validating)."""
    loaded = module()
    if run.mode != "convert" or run.mapping is None or loaded is None:
        return None
    settings = run.mapping
    names = {action: _text(name) for action, name in settings.event_names.items()}
    arguments: tuple[Any, ...] = (
        settings.user_id_attribute,
        settings.all_events,
        sorted(settings.events),
        settings.all_attributes,
        sorted(settings.attributes),
        names,
        _text(settings.integrations),
    )
    mapping: _core.Mapping = loaded.Mapping(arguments)
    return mapping


def _text(value: Any) -> str:
    from contract_kit.jsontext import jsonio

    return jsonio.dumps(value).decode("utf-8")
