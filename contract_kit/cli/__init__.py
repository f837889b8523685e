"""The `contract-kit` command: options in, the driver called, reports rendered, exit code out."""

from contract_kit.cli.commands import cli, main

__all__ = ["cli", "main"]
