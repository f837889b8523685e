"""What one run does with every record, worked out once and then passed, never looked up.

The CLI, the Python API, the goldens and `plan coverage` all describe their run as a
RunContext and hand it to the driver. It is picklable: worker processes get the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from contract_kit.checking.messages import check_message
from contract_kit.mapping.transform import MappingSettings, event_message_id

if TYPE_CHECKING:
    from contract_kit.settings.config import Config
    from contract_kit.tracking_plan import TrackingPlan

Mode = Literal["validate", "convert"]
KindOption = Literal["auto", "antavo", "segment"]


@dataclass(frozen=True)
class RunContext:
    """The settings of one run."""

    mode: Mode
    kind: KindOption = "auto"
    """validate: what the records are. convert: `antavo` reads every record as an Antavo
    record; `auto` passes Segment messages through as they are (for `plan coverage`)."""
    strict: bool = False
    """validate: also apply the Antavo source profile to Segment messages."""
    mapping: MappingSettings | None = None
    """convert: the configuration, as the mapping reads it."""
    plan: TrackingPlan | None = None
    """The tracking plan applied to every Segment message (read, or converted)."""
    keep_rejects: bool = False
    """Keep the text of every rejected record, for `convert --rejects`."""
    max_errors: int | None = None
    """--max-errors: the run stops once it holds this many errors (warnings do not count)."""
    jobs: int = 1
    """Workers (threads or processes: see running.pool) to use on large inputs."""
    configuration: str | None = None
    """The configuration file the settings came from, as reports name it."""

    @classmethod
    def converting(
        cls,
        config: Config,
        *,
        kind: KindOption = "antavo",
        plan: TrackingPlan | None = None,
        keep_rejects: bool = False,
        max_errors: int | None = None,
        jobs: int = 1,
        configuration: str | None = None,
    ) -> RunContext:
        """A convert run (`kind` auto: Segment messages pass through, for coverage)."""
        return cls(
            "convert", kind, mapping=MappingSettings.of(config), plan=plan,
            keep_rejects=keep_rejects, max_errors=max_errors, jobs=jobs,
            configuration=configuration,
        )  # fmt: skip

    @cached_property
    def output_checked_by_construction(self) -> bool:
        """Whether every message the mapping builds from a valid record surely meets the
        Antavo source profile, so that only its size is left to check per message.

        Each field is derived by fixed code from a record that passed its schema (a userId
        that is not blank, Segment's timestamp form, a messageId); what the configuration adds
        (event names, the loop-prevention object) is checked here, once, on a probe message
        of each call type. tests/running/test_steps.py checks the claim against the schema.
        """
        if self.mapping is None:
            return False
        return constants_meet_the_profile(self.mapping)


def constants_meet_the_profile(mapping: MappingSettings) -> bool:
    """Whether what the configuration puts into every message (event names, the
    loop-prevention object) meets the Antavo source profile: checked on probe messages of
    each call type, whose other fields take the forms the mapping always gives them."""
    common = {
        "userId": "u",
        "timestamp": "2024-01-01T00:00:00.000Z",
        "messageId": event_message_id("c", "i"),
        "integrations": mapping.integrations,
    }
    probes: list[dict[str, Any]] = [{"type": "identify", **common, "traits": {}}]
    probes += [
        {"type": "track", "event": event, **common, "properties": {}}
        for event in mapping.event_names.values()
    ]
    return all(not check_message(probe, strict=True) for probe in probes)
