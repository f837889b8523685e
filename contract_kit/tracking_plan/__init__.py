"""Tracking plans: per-event contracts kept as files, imported from and exported to Segment.

- `model`: rules and plans as values, and the folder layout;
- `folder`: a plan folder read (every file checked) and written;
- `dialects`: which JSON Schema dialect a file is in, and whether it is a valid schema;
- `segment`: Segment's export forms to rules and back;
- `checking`: a message against the plan;
- `engines`: the compiled and the reference validator of a schema, and where they may disagree;
- `coverage`: which planned events a set of fixtures exercises.

Names are imported on first use: the CLI catches PlanError on every run, and loading the
plan machinery should cost start-up time only when a plan is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from contract_kit.tracking_plan.errors import PlanError
from contract_kit.tracking_plan.policy import EventPolicy, PropertyPolicy

if TYPE_CHECKING:
    from contract_kit.tracking_plan.folder import load
    from contract_kit.tracking_plan.model import Rule, TrackingPlan
    from contract_kit.tracking_plan.segment import export, import_file

_LAZY = {
    "Rule": "model",
    "TrackingPlan": "model",
    "export": "segment",
    "import_file": "segment",
    "load": "folder",
}

__all__ = [
    "EventPolicy",
    "PlanError",
    "PropertyPolicy",
    "Rule",
    "TrackingPlan",
    "export",
    "import_file",
    "load",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
