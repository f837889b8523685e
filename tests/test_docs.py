"""docs/violations.md is generated from the fixtures: it must say what the code says."""

from __future__ import annotations

import importlib.util

import pytest

from .helpers import REPO


def test_violations_page_matches_the_fixtures_and_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    spec = importlib.util.spec_from_file_location(
        "generate_violations", REPO / "docs" / "generate_violations.py"
    )
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    page = (REPO / "docs" / "violations.md").read_text(encoding="utf-8")
    assert page == generator.render(), "docs/violations.md is stale: run `make docs`"
