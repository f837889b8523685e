"""Reporters: one class per output format, chosen by name from one registry."""

from __future__ import annotations

from .base import Reporter
from .json import JSONReporter
from .text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    TextReporter.name: TextReporter,
    JSONReporter.name: JSONReporter,
}


def get(name: str) -> Reporter:
    return REPORTERS[name]()


__all__ = ["REPORTERS", "Reporter", "get"]
