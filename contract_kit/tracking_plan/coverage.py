"""Which planned events a set of fixtures exercises: so a CI can insist each has a golden.

The counting happens in the pipeline (every message checked against the plan is counted under
the rule it met); this module sums the batches and says what is covered and what is not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from contract_kit.running.pipeline import Batch
from contract_kit.running.report import Report
from contract_kit.tracking_plan.model import TrackingPlan

UNPLANNED = "unplanned:"


@dataclass
class Coverage:
    """Messages per planned rule (by label and version) and per unplanned event."""

    plan: TrackingPlan
    met: Counter[tuple[str, int]] = field(default_factory=Counter)
    report: Report | None = None

    def counting(self, batches: Iterable[Batch]) -> Iterator[Batch]:
        """Pass `batches` through, adding up what each met."""
        for batch in batches:
            self.met.update(batch.planned)
            yield batch

    def events(self) -> dict[str, dict[int, int]]:
        """Every planned track event, with the messages that met each of its versions."""
        return {
            event: {
                version: self.met[(rule.label, version)]
                for version, rule in sorted(self.plan.versions("TRACK", event).items())
            }
            for event in self.plan.events()
        }

    def identify(self) -> int | None:
        """Identify calls checked against the plan's identify rule; None without one."""
        versions = self.plan.versions("IDENTIFY")
        if not versions:
            return None
        return sum(self.met[(rule.label, version)] for version, rule in versions.items())

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

    def as_dict(self, require_all: bool = False) -> dict[str, Any]:
        """The JSON report; `ok` is what the exit code says (uncovered events fail only with
        --require-all), `complete` whether every planned event is covered."""
        report = self.report
        return {
            "plan": self.plan.folder,
            "ok": not (require_all and self.uncovered()),
            "complete": not self.uncovered(),
            "files": report.files if report else 0,
            "records": report.records if report else 0,
            "records_with_violations": report.rejected if report else 0,
            "events": {
                event: {
                    "records": sum(counts.values()),
                    "versions": {str(v): n for v, n in counts.items()},
                }
                for event, counts in self.events().items()
            },
            "identify": self.identify(),
            "uncovered": self.uncovered(),
            "unplanned": self.unplanned(),
        }
