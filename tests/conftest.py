from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import REPO, build_wheel


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(autouse=True)
def _no_ci_and_no_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests run in an empty working directory, with CI unset unless a test sets it. The folder
    above every test's own is marked as a repository root (`.git`), so that the search for a
    configuration stops there and a stray contract-kit.toml in /tmp cannot change a result."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    (tmp_path_factory.getbasetemp() / ".git").mkdir(exist_ok=True)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built once for the tests that install it."""
    return build_wheel(tmp_path_factory.mktemp("wheel"))
