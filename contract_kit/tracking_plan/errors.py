"""The error of a tracking plan that cannot be used (its own module: the CLI catches it on every
run, and importing the plan machinery costs start-up time only when a plan is used)."""

from __future__ import annotations


class PlanError(Exception):
    """A tracking plan that cannot be used: names the file and the problem (exit code 2)."""
