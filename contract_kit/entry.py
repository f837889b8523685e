"""The console entry point. Stop signals are caught before anything heavy is imported, so that
Ctrl-C during start-up (about 0.3 s of imports) is the same clean stop as Ctrl-C during work."""

from __future__ import annotations

from contract_kit.running import stopping


def main() -> None:
    stopping.install()
    try:
        from contract_kit.cli import main as run

        stopping.raise_if_stopped()
    except stopping.Stopped as stop:
        stopping.finish(stop)
    run()
