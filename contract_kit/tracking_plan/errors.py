"""The error of a tracking plan that cannot be used (its own module: the CLI catches it on every
run, and importing the plan machinery costs start-up time only when a plan is used)."""

from __future__ import annotations


class PlanError(Exception):
    """A tracking plan that cannot be used: names the file and the problem (exit code 2)."""


class PlanFolderError(PlanError):
    """The plan folder itself cannot be used (missing, not a folder, unreadable): the CLI adds
    where the folder was named (the configuration's `plan` key, or --plan)."""
