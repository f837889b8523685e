"""contract-kit: prove that the messages Antavo sends into Segment are right, before they ship.

The Python API mirrors the CLI::

    import contract_kit
    report = contract_kit.validate("fixtures/antavo")
    result = contract_kit.convert({"customer": "c1", "action": "point_add", ...})

Names are imported on first use, so that `contract-kit --version` and a small validate start
fast (see `make bench`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Config": "config",
    "ConfigError": "config_files",
    "Conversion": "api",
    "MESSAGE_ID_NAMESPACE": "transform",
    "PlanError": "tracking_plan",
    "Report": "report",
    "TrackingPlan": "tracking_plan",
    "UsageError": "sources",
    "Violation": "violations",
    "convert": "api",
    "load_config": "api",
    "load_plan": "tracking_plan",
    "validate": "api",
}

if TYPE_CHECKING:
    from .api import Conversion, convert, load_config, validate
    from .config import Config
    from .config_files import ConfigError
    from .report import Report
    from .sources import UsageError
    from .tracking_plan import PlanError, TrackingPlan
    from .tracking_plan import load as load_plan
    from .transform import MESSAGE_ID_NAMESPACE
    from .violations import Violation


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'contract_kit' has no attribute {name!r}")
    attribute = "load" if name == "load_plan" else name
    return getattr(importlib.import_module(f".{module}", __name__), attribute)


__all__ = [
    "MESSAGE_ID_NAMESPACE",
    "Config",
    "ConfigError",
    "Conversion",
    "PlanError",
    "Report",
    "TrackingPlan",
    "UsageError",
    "Violation",
    "__version__",
    "convert",
    "load_config",
    "load_plan",
    "validate",
]
