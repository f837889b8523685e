"""Tracking plans: per-event contracts kept as files, imported from and exported to Segment.

- `model`: rules and plans as values, and the folder layout;
- `folder`: a plan folder read (every file checked) and written;
- `dialects`: which JSON Schema dialect a file is in, and whether it is a valid schema;
- `segment`: Segment's export forms to rules and back;
- `checking`: a message against the plan;
- `coverage`: which planned events a set of fixtures exercises.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .folder import PlanError, load
from .model import Policy, Rule, TrackingPlan

__all__ = ["PlanError", "Policy", "Rule", "TrackingPlan", "export", "import_file", "load"]


def import_file(source: Path, folder: Path) -> TrackingPlan:
    """Turn the Segment export in `source` into the plan folder `folder` (replacing a plan
    folder there). Raises PlanError."""
    from . import folder as folders
    from . import segment

    document, _ = folders.read_json(source)
    plan = segment.read(document, str(source))
    plan = dataclasses.replace(plan, folder=folder.as_posix())
    folders.write(plan, folder)
    return plan


def export(folder: Path, form: str | None = None) -> Any:
    """The plan in `folder` as a Segment export (see segment.write)."""
    from . import segment

    return segment.write(load(folder), form)
