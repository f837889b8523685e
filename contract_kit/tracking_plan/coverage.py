"""Which planned events a set of fixtures exercises: so a CI can insist each has a golden.

The counting happens while the run checks messages (each is counted under the rule it met,
see Report.planned); this module says what is covered and what is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contract_kit.tracking_plan.model import TrackingPlan

UNPLANNED = "unplanned:"


@dataclass(frozen=True)
class Coverage:
    """Messages per planned rule (by label and version) and per unplanned event, and the
    counts of the run that found them."""

    plan: TrackingPlan
    met: Mapping[tuple[str, int], int]
    files: int = 0
    records: int = 0
    records_with_violations: int = 0

    def events(self) -> dict[str, dict[int, int]]:
        """Every planned track event, with the messages that met each of its versions."""
        return {
            event: {
                version: self.met.get((rule.label, version), 0)
                for version, rule in sorted(self.plan.versions("TRACK", event).items())
            }
            for event in self.plan.events()
        }

    def identify(self) -> int | None:
        """Identify calls checked against the plan's identify rule; None without one."""
        versions = self.plan.versions("IDENTIFY")
        if not versions:
            return None
        return sum(self.met.get((rule.label, version), 0) for version, rule in versions.items())

    def uncovered(self) -> list[str]:
        """Planned events no message met, and `identify` if the plan has an identify rule that
        no identify call met."""
        events = [event for event, counts in self.events().items() if not sum(counts.values())]
        return events + (["identify"] if self.identify() == 0 else [])

    def unplanned(self) -> dict[str, int]:
        return {
            label.removeprefix(UNPLANNED): count
            for (label, _), count in sorted(self.met.items())
            if label.startswith(UNPLANNED)
        }
