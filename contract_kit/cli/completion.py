"""`contract-kit completion SHELL`: the shell's completion script.

The script calls `contract-kit` back with `_CONTRACT_KIT_COMPLETE` set, and click answers with
the commands, options, choices (`--format`) and schema names that fit what was typed.
"""

from __future__ import annotations

import click

from contract_kit.cli.main import Failure, cli, examples

SHELLS = ["bash", "zsh", "fish"]
COMPLETE_VARIABLE = "_CONTRACT_KIT_COMPLETE"


@cli.command(
    short_help="Print the shell completion script (bash, zsh, fish).",
    epilog=examples(
        "contract-kit completion bash > ~/.local/share/bash-completion/completions/contract-kit",
        "contract-kit completion zsh > ~/.contract-kit-complete.zsh",
        "contract-kit completion fish > ~/.config/fish/completions/contract-kit.fish",
    ),
)
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the completion script for SHELL, to install as the README says: commands,
    options, --format values and schema names complete with Tab.

    For zsh, source the file from ~/.zshrc (`source ~/.contract-kit-complete.zsh`).
    """
    from click.shell_completion import get_completion_class

    script = get_completion_class(shell)
    assert script is not None  # every choice is a shell click knows
    try:
        source = script(cli, {}, "contract-kit", COMPLETE_VARIABLE).source()
    except RuntimeError as error:  # bash older than 4.4, which cannot run the script
        raise Failure(str(error)) from None
    click.echo(source)
