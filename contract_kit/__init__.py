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
    "Config": "settings.config",
    "ConfigError": "settings.discovery",
    "Conversion": "api",
    "MESSAGE_ID_NAMESPACE": "mapping.transform",
    "PlanError": "tracking_plan",
    "Report": "running.report",
    "TrackingPlan": "tracking_plan",
    "UsageError": "reading.paths",
    "Violation": "violations",
    "convert": "api",
    "load_config": "api",
    "load_plan": "tracking_plan",
    "validate": "api",
}

if TYPE_CHECKING:
    from contract_kit.api import Conversion, convert, load_config, validate
    from contract_kit.mapping.transform import MESSAGE_ID_NAMESPACE
    from contract_kit.reading.paths import UsageError
    from contract_kit.running.report import Report
    from contract_kit.settings.config import Config
    from contract_kit.settings.discovery import ConfigError
    from contract_kit.tracking_plan import PlanError, TrackingPlan
    from contract_kit.tracking_plan import load as load_plan
    from contract_kit.violations import Violation


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
