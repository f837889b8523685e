"""The Python API: what the CLI does, as functions that return values. Both build a
RunContext and call the one driver (running.driver)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_kit.reading import paths
from contract_kit.running import driver
from contract_kit.running.context import KindOption, RunContext
from contract_kit.running.report import Report
from contract_kit.settings import config as config_file
from contract_kit.settings.config import Config
from contract_kit.tracking_plan import TrackingPlan
from contract_kit.violations import Violation

PathInput = str | os.PathLike[str]
Input = PathInput | Sequence[PathInput] | Mapping[str, Any] | Sequence[Mapping[str, Any]]

MEMORY_NAME = "<memory>"


@dataclass(frozen=True)
class Conversion:
    """The messages converted, in input order, and what kept the others out."""

    messages: list[dict[str, Any]]
    report: Report

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def violations(self) -> tuple[Violation, ...]:
        return self.report.violations


def validate(
    source: Input,
    *,
    kind: KindOption = "auto",
    strict: bool = False,
    plan: PathInput | TrackingPlan | None = None,
) -> Report:
    """Check files, directories or in-memory records/messages against the contract, and the
    Segment messages among them against the tracking `plan` (a folder, or a loaded plan).

    >>> validate("fixtures/antavo").ok
    True
    """
    context = RunContext("validate", kind=kind, strict=strict, plan=loaded_plan(plan))
    return driver.drive(context, _sources(source))


def convert(
    source: Input,
    *,
    config: Config | None = None,
    plan: PathInput | TrackingPlan | None = None,
) -> Conversion:
    """Convert Antavo records (files, directories or in-memory values) into Segment messages,
    checked against the tracking `plan` if one is given (a folder is loaded with the config's
    unplanned settings; a loaded plan keeps its own)."""
    config = config or Config()
    context = RunContext.converting(config, plan=loaded_plan(plan, config))
    messages: list[dict[str, Any]] = []
    report = driver.drive(context, _sources(source), driver.parsed_into(messages))
    return Conversion(messages, report)


def load_config(path: PathInput | None = None, directory: PathInput | None = None) -> Config:
    """The configuration the CLI would use: `path`, else `contract-kit.toml`, else
    `[tool.contract-kit]` in `pyproject.toml`, in `directory` (default: the working directory).
    Raises ConfigError naming the file, the key and the expected type."""
    explicit = Path(path) if path is not None else None
    return config_file.load(explicit, Path(directory) if directory is not None else None).config


def loaded_plan(
    given: PathInput | TrackingPlan | None, config: Config | None = None
) -> TrackingPlan | None:
    """A plan folder loaded (raising tracking_plan.PlanError), with the config's settings."""
    if given is None or isinstance(given, TrackingPlan):
        return given
    return config_file.plan_in(Path(given), config or Config())


def _sources(source: Input) -> list[paths.Source]:
    """Paths are read from disk (raising UsageError if missing); values are checked as one
    in-memory document named `<memory>`, so locations point into its pretty-printed JSON."""
    if isinstance(source, str | os.PathLike):
        return paths.collect([source])
    if (
        isinstance(source, Sequence)
        and source
        and all(isinstance(item, str | os.PathLike) for item in source)
    ):
        return paths.collect([Path(item) for item in source])  # type: ignore[arg-type]
    # NaN is written out as such, so that the strict reader reports it like any file's NaN.
    text = json.dumps(source, ensure_ascii=False, indent=2, allow_nan=True) + "\n"
    return [paths.Source(MEMORY_NAME, None, text=text)]
