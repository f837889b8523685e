"""`make bench`: throughput, start-up and memory of contract-kit against baselines measured in
the same run, on this machine. Writes bench/RESULTS.md. Never part of `make test`.

Every figure is the median of REPEAT runs of a separate process (wall time; peak RSS from the
kernel's accounting of that process and its children).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import corpus

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
RECORDS = int(os.environ.get("BENCH_RECORDS", "200000"))
NAIVE_RECORDS = int(os.environ.get("BENCH_NAIVE_RECORDS", "20000"))
FILES = int(os.environ.get("BENCH_FILES", "2000"))
BIG_RECORDS = int(os.environ.get("BENCH_BIG_RECORDS", "1000000"))
BIN = Path(sys.executable).parent
PYTHON = sys.executable


@dataclass
class Measure:
    name: str
    seconds: float
    rss_mb: float
    records: int

    @property
    def rate(self) -> float:
        return self.records / self.seconds


def run_once(command: list[str]) -> tuple[float, float]:
    # stderr goes to a file: a pipe nobody reads while waiting would fill up and stall the run
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"bench: {' '.join(command[:4])}… exited {code}:\n{stderr[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def measure(name: str, command: list[str], records: int, repeat: int = REPEAT) -> Measure:
    runs = [run_once(command) for _ in range(repeat)]
    seconds = statistics.median(run[0] for run in runs)
    rss = max(run[1] for run in runs)
    result = Measure(name, seconds, rss, records)
    rate = f"{result.rate:>11,.0f} rec/s" if records > 1 else " " * 17
    print(f"  {name:<44} {seconds:8.3f} s  {rate}  {rss:7.1f} MB", flush=True)
    return result


def main() -> None:
    WORK.mkdir(exist_ok=True)
    ndjson, small = WORK / "corpus.ndjson", WORK / "files"
    naive_input, big = WORK / "naive.ndjson", WORK / "big.ndjson"
    print(f"corpus: {RECORDS:,} records, {FILES:,} small files (seeded)", flush=True)
    if not ndjson.exists():
        corpus.write_ndjson(ndjson, RECORDS)
    with ndjson.open("rb") as source, naive_input.open("wb") as target:
        for _, line in zip(range(NAIVE_RECORDS), source, strict=False):
            target.write(line)
    if not small.exists():
        corpus.write_files(small, FILES)
    files = sorted(str(path) for path in small.glob("*.json"))
    ck = str(BIN / "contract-kit")
    out = str(WORK / "out.ndjson")

    print("throughput (NDJSON):", flush=True)
    floor = measure(
        "(a) I/O floor: orjson read-parse-dump-write",
        [PYTHON, str(HERE / "floor.py"), str(ndjson), out],
        RECORDS,
    )
    convert = measure(
        "(b) contract-kit convert --jobs 1",
        [ck, "convert", "--jobs", "1", "-o", out, str(ndjson)],
        RECORDS,
    )
    validate = measure(
        "(c) contract-kit validate --jobs 1", [ck, "validate", "--jobs", "1", str(ndjson)], RECORDS
    )
    plan = str(bench_plan(WORK / "plan"))
    with_plan = measure(
        "(g) contract-kit convert --jobs 1 --plan (sample plan)",
        [ck, "convert", "--jobs", "1", "--plan", plan, "--unplanned", "allow",
         "--unplanned-properties", "allow", "-o", out, str(ndjson)],
        RECORDS,
    )  # fmt: skip
    convert2 = measure(
        "(d) contract-kit convert --jobs 2",
        [ck, "convert", "--jobs", "2", "-o", out, str(ndjson)],
        RECORDS,
    )
    validate2 = measure(
        "(d) contract-kit validate --jobs 2", [ck, "validate", "--jobs", "2", str(ndjson)], RECORDS
    )
    naive = measure(
        f"(e) naive json + jsonschema pipeline ({NAIVE_RECORDS:,})",
        [PYTHON, str(HERE / "naive.py"), str(naive_input), out],
        NAIVE_RECORDS,
        repeat=1,
    )

    print(f"{FILES:,} small files:", flush=True)
    checker = shutil.which("check-jsonschema", path=str(BIN)) or "check-jsonschema"
    schema = str(HERE.parent / "schemas" / "antavo" / "record.json")
    check_js = measure("(f) check-jsonschema", [checker, "--schemafile", schema, *files], FILES)
    ck_files = measure("(f) contract-kit validate", [ck, "validate", *files], FILES)
    print("start-up:", flush=True)
    version = measure("contract-kit --version", [ck, "--version"], 1, repeat=5)
    one_file = measure("contract-kit validate (one file)", [ck, "validate", files[0]], 1, repeat=5)
    cj_one = measure(
        "check-jsonschema (one file)", [checker, "--schemafile", schema, files[0]], 1, repeat=5
    )

    print(f"memory: convert {BIG_RECORDS:,} records", flush=True)
    if not big.exists():
        corpus.write_ndjson(big, BIG_RECORDS, seed=11)
    big_convert = measure(
        f"convert --jobs 1, {BIG_RECORDS:,} records",
        [ck, "convert", "--jobs", "1", "-o", out, str(big)],
        BIG_RECORDS,
        repeat=1,
    )
    big_convert2 = measure(
        f"convert --jobs 2, {BIG_RECORDS:,} records",
        [ck, "convert", "--jobs", "2", "-o", out, str(big)],
        BIG_RECORDS,
        repeat=1,
    )

    targets = [
        ("convert / I/O floor (single process)", convert.rate / floor.rate, ">= 0.333"),
        ("validate / I/O floor (single process)", validate.rate / floor.rate, ">= 0.7"),
        ("convert --jobs 2 / --jobs 1", convert2.rate / convert.rate, ">= 1.6"),
        ("validate --jobs 2 / --jobs 1", validate2.rate / validate.rate, ">= 1.6"),
        ("convert / naive jsonschema pipeline", convert.rate / naive.rate, ">= 25"),
        ("convert with the sample tracking plan / convert", with_plan.rate / convert.rate, "—"),
        ("validate / naive jsonschema pipeline", validate.rate / naive.rate, ">= 25"),
        (
            "2,000 files: contract-kit time / check-jsonschema time",
            ck_files.seconds / check_js.seconds,
            "<= 0.333",
        ),
        (
            "start-up: validate one file / check-jsonschema one file",
            one_file.seconds / cj_one.seconds,
            "well below 1",
        ),
        (f"peak RSS, convert {BIG_RECORDS:,} records (MB)", big_convert.rss_mb, "< 150"),
        (
            f"peak RSS, convert --jobs 2 {BIG_RECORDS:,} records (MB)",
            big_convert2.rss_mb,
            "< 150 (each)",
        ),
    ]
    measures = [
        floor,
        convert,
        validate,
        with_plan,
        convert2,
        validate2,
        naive,
        check_js,
        ck_files,
        version,
        one_file,
        cj_one,
        big_convert,
        big_convert2,
    ]
    write_results(measures, targets)


def bench_plan(folder: Path) -> Path:
    """The sample plan with no property required: the synthetic corpus's custom events carry
    other members than the fixtures', and the run measures checking, not reporting."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(HERE.parent / "fixtures" / "tracking-plan", folder)
    for path in folder.rglob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema.pop("required", None)
        path.write_text(json.dumps(schema), encoding="utf-8")
    return folder


def met(value: float, target: str) -> str:
    if target == "—":
        return "(no target: the cost of the feature)"
    if target.startswith(">="):
        return "yes" if value >= float(target.split()[1]) else "no"
    if target.startswith("<="):
        return "yes" if value <= float(target.split()[1]) else "no"
    if target.startswith("<"):
        return "yes" if value < float(target.split()[1]) else "no"
    return "yes" if value < 1 else "no"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def write_results(measures: list[Measure], targets: list[tuple[str, float, str]]) -> None:
    lines = [
        "# `make bench` results",
        "",
        f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Median of {REPEAT} runs each (one run for the naive pipeline and the 1,000,000-record runs).",
        "All figures of one table come from one run of `make bench`: compare ratios, not absolute times.",
        "",
        "| what | wall time (s) | records/s | peak RSS (MB) |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {m.name} | {m.seconds:.3f} | {f'{m.rate:,.0f}' if m.records > 1 else '—'} | {m.rss_mb:.1f} |"
        for m in measures
    ]
    lines += ["", "| ratio | measured | target | met |", "|---|---:|---|---|"]
    lines += [
        f"| {name} | {value:.2f} | {target} | {met(value, target)} |"
        for name, value, target in targets
    ]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print()
    print("\n".join(lines[-len(targets) - 3 :]))
    print(f"\nwritten: {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
