"""The pytest plugin (entry point `pytest11`, name `contract_kit`): `contract-kit diff` as a test.

    def test_goldens(contract_kit_goldens):
        contract_kit_goldens.assert_match("fixtures/antavo", "fixtures/golden")

fails with the report `contract-kit diff fixtures/antavo fixtures/golden` prints, and
`pytest --snapshot-update` writes what `contract-kit diff --update` writes. Paths are relative to
pytest's rootdir, and the configuration is found from there, so a test gives the answer the CLI
gives when run in the rootdir; in a project with a pytest configuration file (which fixes the
rootdir) that is wherever pytest is started.

pytest imports this module in every session of an environment that has contract-kit installed,
whether or not a test uses the fixture: it imports nothing heavy (no pydantic, no jsonschema,
no syrupy) until a test asks for a comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from contract_kit.goldens.snapshots import GoldenReport, Update

UPDATE_FLAG = "--snapshot-update"
FORCE_FLAG = "--contract-kit-force"
UPDATE_HELP = "Rewrite the goldens contract_kit_goldens compares (contract-kit diff --update)."
FORCE_HELP = "Let --snapshot-update rewrite contract-kit goldens with CI set (diff's --force)."


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("contract-kit").addoption(
        FORCE_FLAG, action="store_true", default=False, help=FORCE_HELP
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser) -> None:
    """--snapshot-update is syrupy's flag, and contract-kit answers to it too. argparse refuses
    a flag defined twice, so it is defined here only when no plugin can define it: by now every
    installed plugin has added its options; syrupy, if installed and not blocked with
    `-p no:syrupy`, may still be loaded by a conftest.py (`pytest_plugins`)."""
    pluginmanager = early_config.pluginmanager
    syrupy_may_come = find_spec("syrupy") is not None and not pluginmanager.is_blocked("syrupy")
    if syrupy_may_come and not pluginmanager.has_plugin("syrupy"):
        return
    with contextlib.suppress(argparse.ArgumentError):  # syrupy's or another plugin's: honoured
        parser.getgroup("contract-kit").addoption(
            UPDATE_FLAG,
            action="store_true",
            default=False,
            dest="update_snapshots",  # syrupy's, so that code reading either finds it
            help=UPDATE_HELP,
        )


_UPDATES = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_UPDATES] = []


_WORKER_OUTPUT = "contract_kit_goldens_updated"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker's summary is not shown: what its tests wrote goes to the controller in
    the worker's output (`config.workeroutput`, which only a worker has)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if isinstance(workeroutput, dict):
        written: list[str] = session.config.stash.get(_UPDATES, [])
        workeroutput[_WORKER_OUTPUT] = list(written)


@pytest.hookimpl(optionalhook=True)  # xdist's hook: without xdist, never called
def pytest_testnodedown(node: object, error: object) -> None:
    """On the xdist controller: a worker is done; its updates join the controller's summary."""
    workeroutput = getattr(node, "workeroutput", None)
    config = getattr(node, "config", None)
    if isinstance(workeroutput, dict) and isinstance(config, pytest.Config):
        config.stash.setdefault(_UPDATES, []).extend(workeroutput.get(_WORKER_OUTPUT, []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What --snapshot-update wrote, as `contract-kit diff --update` says it: a passing test
    shows nothing of its own."""
    written = terminalreporter.config.stash.get(_UPDATES, [])
    if written:
        terminalreporter.write_sep("-", "contract-kit goldens updated")
        for text in written:
            terminalreporter.write(text)


@pytest.fixture
def contract_kit_goldens(request: pytest.FixtureRequest) -> Goldens:
    """Compares Antavo fixtures with their goldens: see Goldens.assert_match."""
    config = request.config
    return Goldens(
        root=config.rootpath,
        update=bool(config.getoption(UPDATE_FLAG, default=False)),
        force=bool(config.getoption(FORCE_FLAG, default=False)),
        rerun=_rerun(request.node, config.invocation_params.dir),
        written=config.stash[_UPDATES].append,
    )


def _rerun(item: pytest.Item, started_in: Path) -> str:
    """The pytest command that accepts the new output of `item`, to be run where pytest was
    started: a node id is relative to the rootdir, which need not be that folder."""
    _, _, within = item.nodeid.partition("::")  # the test in its file: test_x, TestX::test_y
    try:
        test_file = os.path.relpath(item.path, started_in)
    except ValueError:  # another drive (Windows): no relative path leads there
        test_file = str(item.path)
    return shlex.join(["pytest", f"{test_file}::{within}", UPDATE_FLAG])


@dataclass(frozen=True, repr=False)
class Goldens:
    """`contract-kit diff` from `root`; with `update`, `contract-kit diff --update`."""

    root: Path
    update: bool = False
    force: bool = False
    rerun: str = f"pytest {UPDATE_FLAG}"
    """The command that accepts the new output, for the report's last line."""
    written: Callable[[str], None] = field(default=lambda text: None)
    """Called with what an update wrote (the terminal summary shows it)."""

    def __repr__(self) -> str:  # what pytest shows of the fixture in a failing test
        return f"Goldens(root={str(self.root)!r}, update={self.update})"

    def assert_match(self, inputs: str | os.PathLike[str], goldens: str | os.PathLike[str]) -> None:
        """Each Antavo file under the folder `inputs` converts to its golden at the same
        relative path under `goldens`, and no golden is orphaned; or the file `inputs` converts
        to the file `goldens`. Relative paths start at pytest's rootdir.

        Fails with `contract-kit diff`'s report; a configuration or path that cannot be used
        fails with what is wrong with it."""
        __tracebackhide__ = True
        outcome = self._run(Path(inputs), Path(goldens))
        if outcome.error:
            pytest.fail(outcome.text)
        if not outcome.ok:
            raise AssertionError(outcome.text)
        if outcome.wrote:
            self.written(outcome.text)

    def _run(self, inputs: Path, goldens: Path) -> _Outcome:
        from contract_kit.goldens import snapshots
        from contract_kit.reading.paths import UsageError
        from contract_kit.settings import config as settings
        from contract_kit.settings.discovery import ConfigError
        from contract_kit.violations import printable

        if self.update and snapshots.in_ci() and not self.force:
            return _Outcome.failure(
                f"refusing to {UPDATE_FLAG} goldens with CI set: goldens are reviewed changes; "
                f"add {FORCE_FLAG}"
            )
        with contextlib.chdir(self.root):
            try:
                loaded = settings.load()
                if inputs.is_dir():
                    report = snapshots.check(inputs, goldens, loaded.config)
                else:
                    report = snapshots.check_file(inputs, goldens, loaded.config)
                done = snapshots.update(report, goldens) if self.update else None
            except (ConfigError, UsageError, OSError) as error:
                why = _why(error)
                if not (inputs.is_absolute() or inputs.exists() or inputs.is_symlink()):
                    # Started elsewhere, a user expects paths from where they are.
                    why += f" (paths start at pytest's rootdir {self.root})"
                lines = why.split("\n")  # a configuration may have several problems
                return _Outcome.failure("\n".join(printable(line) for line in lines))
        shown = "" if loaded.origin is None else f"configuration: {loaded.origin}\n"
        return _Outcome.of(report, done, shown, self.rerun)


def _why(error: Exception) -> str:
    """An OSError the library did not word (a golden that cannot be written) names the path
    and the reason, as the CLI does."""
    if isinstance(error, OSError) and error.strerror:
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror}"
    return str(error)


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    text: str
    error: bool = False
    wrote: bool = False

    @staticmethod
    def failure(why: str) -> _Outcome:
        return _Outcome(False, f"contract-kit: error: {why}", error=True)

    @staticmethod
    def of(report: GoldenReport, done: list[Update] | None, shown: str, rerun: str) -> _Outcome:
        """The outcome `contract-kit diff` (`done` None) or `diff --update` would exit with, and
        its text report after the configuration line it prints on stderr."""
        from contract_kit.reporters import golden_text

        out = io.StringIO()
        out.write(shown)
        if done is None:
            golden_text.report_check(report, rerun, out)
            return _Outcome(report.ok and not report.unreadable, out.getvalue())
        golden_text.report_update(report, done, out)
        ok = not report.count("invalid") and not report.unreadable
        return _Outcome(ok, out.getvalue(), wrote=bool(done))
