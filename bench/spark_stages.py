"""`make bench`'s Spark rows: `contract-kit spark convert` on local[N], with Spark's event log
read back to say where the time went (start-up, each job of the run, the shuffle)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

#: The jobs of a run, by the descriptions contract_kit.spark.run and the CLI give them.
PHASES = {
    "count": "contract-kit: count the lines and records of each split",
    "process": "contract-kit: check and convert every piece (cached for what follows)",
    "ids": "contract-kit: the event-id check, a shuffle on the Antavo id",
    "settle": "contract-kit: the pieces whose ids conflict, processed again and settled",
    "write": "contract-kit: write the messages",
}


@dataclass
class Breakdown:
    """Where one run's wall time went, from its event log."""

    wall: float
    startup: float
    """From the process's start to its first job: Python, the JVM, the session, the listing."""
    jobs: dict[str, float]
    """Seconds of each phase's jobs (PHASES), submission to completion."""
    task_seconds: dict[str, float]
    """Executor run time summed over the phase's tasks (what more cores would divide)."""
    shuffle_bytes: int
    """Bytes written to the shuffle (the event ids, and the small report rows)."""
    records: int

    @property
    def rest(self) -> float:
        """The driver's own work between and after the jobs: listing, the report, stopping."""
        return self.wall - self.startup - sum(self.jobs.values())


def event_log_settings(folder: Path) -> list[str]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    settings = {
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": str(folder),
        "spark.eventLog.compress": "false",  # one JSON event a line, read below
        "spark.eventLog.rolling.enabled": "false",
    }
    return [part for key, value in settings.items() for part in ("--conf", f"{key}={value}")]


def breakdown(folder: Path, started: float, wall: float, records: int) -> Breakdown:
    """Read the one event log in `folder` of a run that started at `started` (epoch seconds)."""
    (log,) = [
        path for path in folder.rglob("*") if path.is_file() and not path.name.startswith(".")
    ]
    by_description = {text: phase for phase, text in PHASES.items()}
    job_phase: dict[int, str] = {}
    job_start: dict[int, float] = {}
    stage_phase: dict[int, str] = {}
    jobs = dict.fromkeys(PHASES, 0.0)
    task_seconds = dict.fromkeys(PHASES, 0.0)
    shuffle = 0
    first_job: float | None = None
    for line in log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        kind = event["Event"]
        if kind == "SparkListenerJobStart":
            description = (event.get("Properties") or {}).get("spark.job.description", "")
            phase = by_description.get(description, "write" if "write" in description else "")
            job_phase[event["Job ID"]] = phase
            job_start[event["Job ID"]] = event["Submission Time"] / 1000
            if first_job is None:
                first_job = job_start[event["Job ID"]]
            for stage in event.get("Stage IDs", []):
                stage_phase[stage] = phase
        elif kind == "SparkListenerJobEnd":
            phase = job_phase.get(event["Job ID"], "")
            if phase:
                jobs[phase] += event["Completion Time"] / 1000 - job_start[event["Job ID"]]
        elif kind == "SparkListenerTaskEnd":
            metrics = event.get("Task Metrics") or {}
            phase = stage_phase.get(event["Stage ID"], "")
            if phase:
                task_seconds[phase] += metrics.get("Executor Run Time", 0) / 1000
            written = (metrics.get("Shuffle Write Metrics") or {}).get("Shuffle Bytes Written", 0)
            shuffle += written
    startup = (first_job or started) - started
    return Breakdown(wall, startup, jobs, task_seconds, shuffle, records)


def lines(local2: Breakdown, local1_wall: float, jobs2_rate: float) -> list[str]:
    """RESULTS.md's section on the Spark run: the table, and what it means for a cluster."""
    per_record = sum(local2.task_seconds.values()) / local2.records * 1e6
    work = sum(local2.jobs.values())
    rows = [
        "## Spark: where the time of `contract-kit spark convert` goes",
        "",
        f"One run of `contract-kit spark convert --master local[2]` on the {local2.records:,} "
        "records above, read back from Spark's event log. Jobs run one after the other; "
        "\"task time\" is the executors' run time summed over the job's tasks (on 2 cores it "
        "can reach twice the job's wall time).",
        "",
        "| phase | wall time (s) | share | task time (s) |",
        "|---|---:|---:|---:|",
        f"| start-up: Python, the JVM, the session, listing the files | {local2.startup:.1f} | "
        f"{local2.startup / local2.wall:.0%} | — |",
    ]
    for phase, text in PHASES.items():
        rows.append(
            f"| {text.removeprefix('contract-kit: ')} | {local2.jobs[phase]:.1f} | "
            f"{local2.jobs[phase] / local2.wall:.0%} | {local2.task_seconds[phase]:.1f} |"
        )
    rows += [
        f"| the driver between and after the jobs (numbering, the report, stopping) | "
        f"{local2.rest:.1f} | {local2.rest / local2.wall:.0%} | — |",
        f"| **total** | **{local2.wall:.1f}** | | |",
        "",
        f"- **Per record**: {per_record:.0f} µs of task time ({local2.records / work:,.0f} "
        f"records/s over the jobs' wall time); `convert --jobs 2` runs at {jobs2_rate:,.0f} "
        "records/s. Most of the task time is the unit of work itself, the same as the CLI's, "
        "plus moving each line and each message between the JVM and Python (Arrow batches) "
        "and caching the rows between the jobs.",
        f"- **The shuffle** moves {local2.shuffle_bytes / 1e6:.1f} MB: the event ids (five "
        "numbers each), never the messages; its job takes "
        f"{local2.jobs['ids']:.1f} s.",
        f"- **Start-up** ({local2.startup:.1f} s) is paid once per run, whatever its size.",
        f"- **Scaling**: local[1] took {local1_wall:.1f} s and local[2] {local2.wall:.1f} s "
        f"({local1_wall / local2.wall:.2f} times as fast). "
        "On this machine's 2 cores local[1] probably keeps both busy already (inferred, not "
        "measured): while its one Python worker runs the unit of work, the JVM reads the "
        "lines, converts them to and from Arrow and caches the rows, so a second task slot "
        "has no core of its own (the processing job's task time is twice its wall time, yet "
        "the run is hardly shorter). On a cluster every executor brings its own cores: every "
        "job but the driver's own steps is split into tasks (one per split of 128 MB, by "
        "default) that need nothing from each other, so with E executors of C cores the jobs'"
        " time divides by about E * C until there are fewer splits than cores. The start-up "
        "and the driver's steps stay as they are; the shuffle grows with the number of Antavo"
        " ids, not with the messages.",
    ]
    return rows
