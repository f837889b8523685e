"""The `contract-kit` command: options in, the driver called, reports rendered, exit code out.

One module a command group; `main` holds the group itself, `options` what they share.
"""

from contract_kit.cli import check, completion, config, goldens, plan, schema, spark  # noqa: F401
from contract_kit.cli.main import cli, main

__all__ = ["cli", "main"]
