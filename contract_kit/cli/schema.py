"""`contract-kit schema`: the bundled schemas."""

from __future__ import annotations

import click

from contract_kit.cli.main import Failure, cli


@cli.group()
def schema() -> None:
    """The bundled JSON Schemas (the contract, readable without Python)."""


@schema.command(name="list")
def schema_list() -> None:
    """Name and title of each bundled schema."""
    from contract_kit.checking import schemas

    names = schemas.names()
    width = max(len(name) for name in names)
    for name in names:
        title = schemas.document(name).get("title", "")
        click.echo(f"{name:<{width}}  {title}")


@schema.command(name="show")
@click.argument("name")
def schema_show(name: str) -> None:
    """Print the schema NAME (e.g. antavo/record) as JSON."""
    from contract_kit.checking import schemas

    if name not in schemas.names():
        raise Failure(f"unknown schema {name!r}; known: {', '.join(schemas.names())}")
    click.echo(schemas.path_of(name).read_text(encoding="utf-8"), nl=False)
