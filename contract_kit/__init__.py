"""contract-kit: prove that the messages Antavo sends into Segment are right, before they ship.

The Python API mirrors the CLI::

    import contract_kit
    report = contract_kit.validate("fixtures/antavo")
    result = contract_kit.convert({"customer": "c1", "action": "point_add", ...})
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import Conversion, convert, load_config, validate
from .config import Config, ConfigError
from .report import Report
from .sources import UsageError
from .transform import MESSAGE_ID_NAMESPACE
from .violations import Violation

__all__ = [
    "MESSAGE_ID_NAMESPACE",
    "Config",
    "ConfigError",
    "Conversion",
    "Report",
    "UsageError",
    "Violation",
    "__version__",
    "convert",
    "load_config",
    "validate",
]
