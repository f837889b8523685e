"""`contract-kit schema`: the bundled schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from contract_kit.cli.main import Failure, cli, examples

if TYPE_CHECKING:  # click imports it only when completing: start-up stays short
    from click.shell_completion import CompletionItem


def _schema_names(
    context: click.Context, parameter: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Completion of `schema show NAME`: the bundled schemas' names."""
    from click.shell_completion import CompletionItem

    from contract_kit.checking import schemas

    return [CompletionItem(name) for name in schemas.names() if name.startswith(incomplete)]


@cli.group(
    short_help="The bundled JSON Schemas: list them, print one.",
    epilog=examples("contract-kit schema list", "contract-kit schema show segment/track"),
)
def schema() -> None:
    """The bundled JSON Schemas (the contract, readable without Python)."""


@schema.command(
    name="list",
    short_help="Name and title of each bundled schema.",
    epilog=examples("contract-kit schema list", "contract-kit schema show antavo/record"),
)
def schema_list() -> None:
    """Name and title of each bundled schema."""
    from contract_kit.checking import schemas

    names = schemas.names()
    width = max(len(name) for name in names)
    for name in names:
        title = schemas.document(name).get("title", "")
        click.echo(f"{name:<{width}}  {title}")


@schema.command(
    name="show",
    short_help="Print one bundled schema as JSON.",
    epilog=examples(
        "contract-kit schema show antavo/record",
        "contract-kit schema show segment/identify",
        "contract-kit schema show contract-kit/report",
    ),
)
@click.argument("name", shell_complete=_schema_names)
def schema_show(name: str) -> None:
    """Print the schema NAME (e.g. antavo/record) as JSON."""
    from contract_kit.checking import schemas

    if name not in schemas.names():
        raise Failure(f"unknown schema {name!r}; known: {', '.join(schemas.names())}")
    click.echo(schemas.path_of(name).read_text(encoding="utf-8"), nl=False)
