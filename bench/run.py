"""`make bench`: throughput, start-up and memory of contract-kit against baselines measured in
the same run, on this machine. Writes bench/RESULTS.md. Never part of `make test`.

Every figure is the median of REPEAT runs of a separate process (wall time; peak RSS from the
kernel's accounting of that process and its children). The first-violation runs also time,
from the start, the arrival on stdout (a pipe read as it comes) of the first violation line.

RESULTS.md: this run's tables (issues #12 and #13 targets), then RESULTS-before.md, the
figures before the restructure, kept as they were.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import corpus
import spark_stages

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
RECORDS = int(os.environ.get("BENCH_RECORDS", "200000"))
NAIVE_RECORDS = int(os.environ.get("BENCH_NAIVE_RECORDS", "20000"))
FILES = int(os.environ.get("BENCH_FILES", "2000"))
BIG_RECORDS = int(os.environ.get("BENCH_BIG_RECORDS", "1000000"))
INVALID_AT = 100  # the one invalid record of the first-violation corpus (0-based: line 101)
INVALID_EVERY = 20  # 5% of the records invalid: the core leaves them to the Python path
BIN = Path(sys.executable).parent
PYTHON = sys.executable
BEFORE = HERE / "RESULTS-before.md"
BEFORE_HEADING = "## Before the restructure: figures measured 2026-11-29 on commit de73f2c"
# a text-report violation line, `file:line:column: ...` (the summary line has no line:column)
VIOLATION_LINE = re.compile(rb"^.+:\d+:\d+: ")


def child_environment() -> dict[str, str]:
    """The caller's environment, less what would make the figures depend on the caller's shell:
    PYTHONUNBUFFERED (it would stream stdout for the program, which must flush by itself) and
    PYTHONDONTWRITEBYTECODE (contract-kit would compile its source at every start, when the peers
    start from the bytecode in site-packages). Bytecode goes to bench/work, not the source tree."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")
    }
    environment["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return environment


CHILD_ENV = child_environment()


@dataclass
class Measure:
    name: str
    seconds: float
    rss_mb: float | None  # None: not a process of its own (a moment within a measured run)
    records: int

    @property
    def rate(self) -> float:
        return self.records / self.seconds


#: The same environment with the compiled core switched off: the Python path, for comparison.
PYTHON_PATH_ENV = {**CHILD_ENV, "CONTRACT_KIT_CORE": "0"}


def run_once(
    command: list[str],
    terminal: bool = False,
    environment: dict[str, str] = CHILD_ENV,
    expected: int = 0,
) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one run that must exit `expected`; with `terminal`,
    its stderr is a pseudo-terminal (as a person running it sees it: the progress line is drawn
    there), and it must exit 0."""
    if terminal:
        assert expected == 0
        return _run_on_terminal(command)
    # stderr goes to a file: a pipe nobody reads while waiting would fill up and stall the run
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, env=environment
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        check_exit(command, status, errors, expected=expected)
    return elapsed, usage.ru_maxrss / 1024


def _run_on_terminal(command: list[str]) -> tuple[float, float]:
    """run_once with stderr on a pseudo-terminal, read by a thread as the bytes come."""
    import pty
    import threading

    controller, terminal = pty.openpty()
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            received.append(chunk)

    environment = {**CHILD_ENV, "TERM": "xterm"}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=terminal, env=environment)
    os.close(terminal)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    reader.join(timeout=10)
    os.close(controller)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        text = b"".join(received).decode(errors="replace")
        raise SystemExit(f"bench: {' '.join(command[:4])}… exited {code}:\n{text[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def first_violation_once(command: list[str]) -> tuple[float, float, float]:
    """(seconds until the first violation line arrived on stdout, wall seconds, peak RSS in MB)
    of one run that must exit 1 (violations found)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, bufsize=0, env=CHILD_ENV
        )
        assert process.stdout is not None
        with process.stdout:
            first = first_violation_seen(process.stdout, started)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        check_exit(command, status, errors, expected=1)
    if first is None:
        raise SystemExit(f"bench: {' '.join(command[:4])}… printed no violation line")
    return first, elapsed, usage.ru_maxrss / 1024


def first_violation_seen(stream: IO[bytes], started: float) -> float | None:
    """Read the pipe to its end, as the bytes come, so the child never waits on a full pipe;
    return when the first complete violation line had arrived, in seconds after `started`."""
    first: float | None = None
    pending = b""
    while chunk := stream.read(65536):  # unbuffered: returns what one read(2) got
        if first is None:
            *lines, pending = (pending + chunk).split(b"\n")
            if any(VIOLATION_LINE.match(line) for line in lines):
                first = time.perf_counter() - started
    return first


def check_exit(command: list[str], status: int, errors: IO[bytes], expected: int) -> None:
    code = os.waitstatus_to_exitcode(status)
    if code != expected:
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
        raise SystemExit(
            f"bench: {' '.join(command[:4])}… exited {code}, not {expected}:\n{stderr[-2000:]}"
        )


def measure(
    name: str,
    command: list[str],
    records: int,
    repeat: int = REPEAT,
    terminal: bool = False,
    python_path: bool = False,
    expected: int = 0,
) -> Measure:
    """Median wall time and peak RSS of `repeat` runs that exit `expected`; `python_path`:
    with CONTRACT_KIT_CORE=0."""
    environment = PYTHON_PATH_ENV if python_path else CHILD_ENV
    runs = [run_once(command, terminal, environment, expected) for _ in range(repeat)]
    seconds = statistics.median(run[0] for run in runs)
    rss = max(run[1] for run in runs)
    return show(Measure(name, seconds, rss, records))


def measure_first_violation(ck: str, path: Path, jobs: int) -> tuple[Measure, Measure]:
    """`contract-kit validate` (text report) of the corpus with one invalid record near the start:
    the whole run (wall time, RSS) and the moment its first violation line arrived."""
    command = [ck, "validate", "--jobs", str(jobs), str(path)]
    runs = [first_violation_once(command) for _ in range(REPEAT)]
    first = statistics.median(run[0] for run in runs)
    wall = statistics.median(run[1] for run in runs)
    rss = max(run[2] for run in runs)
    name = f"(h) contract-kit validate --jobs {jobs}, one invalid"
    whole = show(Measure(name, wall, rss, RECORDS))
    return whole, show(Measure(f"(h) --jobs {jobs}: first violation line", first, None, 1))


def show(result: Measure) -> Measure:
    rate = f"{result.rate:>11,.0f} rec/s" if result.records > 1 else " " * 17
    rss = "      — MB" if result.rss_mb is None else f"{result.rss_mb:7.1f} MB"
    print(f"  {result.name:<56} {result.seconds:8.3f} s  {rate}  {rss}", flush=True)
    return result


@dataclass
class Corpora:
    ndjson: Path  # RECORDS valid records
    some_invalid: Path  # RECORDS records, one in INVALID_EVERY invalid
    violation: Path  # the same records but one, record INVALID_AT, which is invalid
    naive: Path  # the first NAIVE_RECORDS of ndjson
    files: list[str]  # FILES small files, one record each
    big: Path  # BIG_RECORDS valid records


def prepare() -> Corpora:
    """The seeded corpora, written once per size: a smaller trial run never leaves a corpus
    behind that a full-size run would take for its own."""
    WORK.mkdir(exist_ok=True)
    ndjson, violation = WORK / f"corpus-{RECORDS}.ndjson", WORK / f"violation-{RECORDS}.ndjson"
    naive, small = WORK / "naive.ndjson", WORK / f"files-{FILES}"
    big = WORK / f"big-{BIG_RECORDS}.ndjson"
    some_invalid = WORK / f"invalid-every-{INVALID_EVERY}-{RECORDS}.ndjson"
    print(f"corpus: {RECORDS:,} records, {FILES:,} small files (seeded)", flush=True)
    if not ndjson.exists():
        corpus.write_ndjson(ndjson, RECORDS)
    if not violation.exists():
        corpus.write_ndjson(violation, RECORDS, invalid_at=INVALID_AT)
    with ndjson.open("rb") as source, naive.open("wb") as target:
        for _, line in zip(range(NAIVE_RECORDS), source, strict=False):
            target.write(line)
    if not small.exists():
        corpus.write_files(small, FILES)
    if not big.exists():
        corpus.write_ndjson(big, BIG_RECORDS, seed=11)
    if not some_invalid.exists():
        corpus.write_ndjson(some_invalid, RECORDS, invalid_every=INVALID_EVERY)
    files = sorted(str(path) for path in small.glob("*.json"))
    return Corpora(ndjson, some_invalid, violation, naive, files, big)


def main() -> None:
    data = prepare()
    ck = str(BIN / "contract-kit")
    out = str(WORK / "out.ndjson")

    print("throughput (NDJSON):", flush=True)
    floor = measure(
        "(a) I/O floor: orjson read-parse-dump-write",
        [PYTHON, str(HERE / "floor.py"), str(data.ndjson), out],
        RECORDS,
    )
    convert = measure(
        "(b) contract-kit convert --jobs 1",
        [ck, "convert", "--jobs", "1", "-o", out, str(data.ndjson)],
        RECORDS,
    )
    validate = measure(
        "(c) contract-kit validate --jobs 1",
        [ck, "validate", "--jobs", "1", str(data.ndjson)],
        RECORDS,
    )
    convert_python = measure(
        "(b) the same, Python path (CONTRACT_KIT_CORE=0)",
        [ck, "convert", "--jobs", "1", "-o", out, str(data.ndjson)],
        RECORDS,
        python_path=True,
    )
    validate_python = measure(
        "(c) the same, Python path (CONTRACT_KIT_CORE=0)",
        [ck, "validate", "--jobs", "1", str(data.ndjson)],
        RECORDS,
        python_path=True,
    )
    rejects = str(WORK / "rejects.ndjson")
    some_invalid = [ck, "convert", "--jobs", "1", "-o", out, "--rejects", rejects]
    some_invalid.append(str(data.some_invalid))
    invalid_core = measure(
        f"(k) convert --jobs 1 --rejects, 1 record in {INVALID_EVERY} invalid",
        some_invalid,
        RECORDS,
        expected=1,
    )
    invalid_python = measure(
        "(k) the same, Python path (CONTRACT_KIT_CORE=0)",
        some_invalid,
        RECORDS,
        python_path=True,
        expected=1,
    )
    plan = str(bench_plan(WORK / "plan"))
    with_plan = measure(
        "(g) contract-kit convert --jobs 1 --plan (sample plan)",
        [ck, "convert", "--jobs", "1", "--plan", plan, "--unplanned", "allow",
         "--unplanned-properties", "allow", "-o", out, str(data.ndjson)],
        RECORDS,
    )  # fmt: skip
    convert2 = measure(
        "(d) contract-kit convert --jobs 2",
        [ck, "convert", "--jobs", "2", "-o", out, str(data.ndjson)],
        RECORDS,
    )
    validate2 = measure(
        "(d) contract-kit validate --jobs 2",
        [ck, "validate", "--jobs", "2", str(data.ndjson)],
        RECORDS,
    )
    convert_terminal = measure(
        "(i) contract-kit convert --jobs 1, stderr a terminal (progress drawn)",
        [ck, "convert", "--jobs", "1", "-o", out, str(data.ndjson)],
        RECORDS,
        terminal=True,
    )
    naive = measure(
        f"(e) naive json + jsonschema pipeline ({NAIVE_RECORDS:,})",
        [PYTHON, str(HERE / "naive.py"), str(data.naive), out],
        NAIVE_RECORDS,
        repeat=1,
    )

    print(f"first violation (record {INVALID_AT} of {RECORDS:,} is invalid):", flush=True)
    late1, first1 = measure_first_violation(ck, data.violation, jobs=1)
    late2, first2 = measure_first_violation(ck, data.violation, jobs=2)

    print(f"{FILES:,} small files:", flush=True)
    checker = shutil.which("check-jsonschema", path=str(BIN)) or "check-jsonschema"
    schema = str(HERE.parent / "schemas" / "antavo" / "record.json")
    check_js = measure(
        "(f) check-jsonschema", [checker, "--schemafile", schema, *data.files], FILES
    )
    ck_files = measure("(f) contract-kit validate", [ck, "validate", *data.files], FILES)
    print("start-up:", flush=True)
    version = measure("contract-kit --version", [ck, "--version"], 1, repeat=5)
    one_file = measure(
        "contract-kit validate (one file)", [ck, "validate", data.files[0]], 1, repeat=5
    )
    one_file_terminal = measure(
        "contract-kit validate (one file), stderr a terminal",
        [ck, "validate", data.files[0]],
        1,
        repeat=5,
        terminal=True,
    )
    cj_one = measure(
        "check-jsonschema (one file)",
        [checker, "--schemafile", schema, data.files[0]],
        1,
        repeat=5,
    )

    print(f"memory: convert {BIG_RECORDS:,} records", flush=True)
    big_convert = measure(
        f"convert --jobs 1, {BIG_RECORDS:,} records",
        [ck, "convert", "--jobs", "1", "-o", out, str(data.big)],
        BIG_RECORDS,
        repeat=1,
    )
    big_convert2 = measure(
        f"convert --jobs 2, {BIG_RECORDS:,} records",
        [ck, "convert", "--jobs", "2", "-o", out, str(data.big)],
        BIG_RECORDS,
        repeat=1,
    )

    print(f"spark: convert {BIG_RECORDS:,} records", flush=True)
    events = WORK / "spark-events"
    on_spark = [ck, "spark", "convert", "--overwrite", "-o", str(WORK / "spark-out"), str(data.big)]
    started = time.time()
    spark2 = measure(
        f"spark convert --master local[2], {BIG_RECORDS:,} records",
        [*on_spark, "--master", "local[2]", *spark_stages.event_log_settings(events)],
        BIG_RECORDS,
        repeat=1,
    )
    stages = spark_stages.breakdown(events, started, spark2.seconds, BIG_RECORDS)
    spark1 = measure(
        f"spark convert --master local[1], {BIG_RECORDS:,} records",
        [*on_spark, "--master", "local[1]"],
        BIG_RECORDS,
        repeat=1,
    )

    assert big_convert.rss_mb is not None and big_convert2.rss_mb is not None
    targets = [
        ("convert / I/O floor (single process)", convert.rate / floor.rate, ">= 0.7"),
        ("validate / I/O floor (single process)", validate.rate / floor.rate, ">= 1.0"),
        (
            "convert on the Python path / I/O floor (informational)",
            convert_python.rate / floor.rate,
            "—",
        ),
        (
            "validate on the Python path / I/O floor (informational)",
            validate_python.rate / floor.rate,
            "—",
        ),
        (
            f"speed-up of the core, 1 in {INVALID_EVERY} invalid / all valid (convert)",
            (invalid_core.rate / invalid_python.rate) / (convert.rate / convert_python.rate),
            ">= 0.5",
        ),
        ("convert --jobs 2 / --jobs 1", convert2.rate / convert.rate, ">= 1.8"),
        ("validate --jobs 2 / --jobs 1", validate2.rate / validate.rate, ">= 1.8"),
        (
            "start-up: validate one file / check-jsonschema one file",
            one_file.seconds / cj_one.seconds,
            "<= 0.5",
        ),
        (
            f"{FILES:,} files: contract-kit time / check-jsonschema time",
            ck_files.seconds / check_js.seconds,
            "<= 0.333",
        ),
        (f"peak RSS, convert {BIG_RECORDS:,} records (MB)", big_convert.rss_mb, "< 100"),
        (
            f"peak RSS, convert --jobs 2 {BIG_RECORDS:,} records (MB)",
            big_convert2.rss_mb,
            "< 100 (each)",
        ),
        (
            "first violation line / wall time, validate --jobs 1",
            first1.seconds / late1.seconds,
            "<= 0.333",
        ),
        (
            "first violation line / wall time, validate --jobs 2",
            first2.seconds / late2.seconds,
            "<= 0.333",
        ),
        (
            "convert / naive jsonschema pipeline (informational)",
            convert.rate / naive.rate,
            ">= 25",
        ),
        (
            "validate / naive jsonschema pipeline (informational)",
            validate.rate / naive.rate,
            ">= 25",
        ),
        ("convert with the sample tracking plan / convert", with_plan.rate / convert.rate, "—"),
        (
            f"spark convert local[2] / convert --jobs 2, {BIG_RECORDS:,} records (records/s)",
            spark2.rate / big_convert2.rate,
            "—",
        ),
        (
            "start-up: validate one file, stderr a terminal / stderr a file",
            one_file_terminal.seconds / one_file.seconds,
            "<= 1.1",
        ),
        (
            "convert with the progress line drawn / without (records/s)",
            convert_terminal.rate / convert.rate,
            ">= 0.95",
        ),
    ]
    measures = [
        floor,
        convert,
        validate,
        convert_python,
        validate_python,
        invalid_core,
        invalid_python,
        with_plan,
        convert2,
        validate2,
        convert_terminal,
        naive,
        late1,
        first1,
        late2,
        first2,
        check_js,
        ck_files,
        version,
        one_file,
        one_file_terminal,
        cj_one,
        big_convert,
        big_convert2,
        spark2,
        spark1,
    ]
    write_results(measures, targets, spark_stages.lines(stages, spark1.seconds, big_convert2.rate))


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
        return "(no target: for comparison)"
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


def commit() -> str:
    """The commit checked out (read-only: rev-parse touches neither index nor work tree)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def before() -> list[str]:
    """The figures before the restructure, as `make bench` wrote them then, under a heading that
    says so (their own top heading dropped)."""
    kept = BEFORE.read_text(encoding="utf-8").rstrip("\n").splitlines()
    if kept and kept[0].startswith("# "):
        kept = kept[1:]
    while kept and not kept[0].strip():
        kept = kept[1:]
    return [BEFORE_HEADING, "", "Their targets were the ones before issue #12.", "", *kept]


def write_results(
    measures: list[Measure], targets: list[tuple[str, float, str]], spark: list[str]
) -> None:
    lines = [
        "# `make bench` results",
        "",
        "## This run: the targets of issues #12, #13 and #14, and Spark (#15)",
        "",
        f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        f"Commit: {commit()} (with any uncommitted changes in the tree).",
        f"{RECORDS:,} records, {FILES:,} small files, {BIG_RECORDS:,} records for memory. "
        f"In the first-violation runs (h), record {INVALID_AT} (line {INVALID_AT + 1}) is invalid; "
        '"first violation line": when that line had arrived on stdout, a pipe read as it comes. '
        '"stderr a terminal": a pseudo-terminal, read as it comes, where the progress line of '
        "a run over a second is drawn (issue #13).",
        f"Median of {REPEAT} runs each (one run for the naive pipeline and the "
        f"{BIG_RECORDS:,}-record runs).",
        "All figures of one table come from one run of `make bench`: compare ratios, not absolute "
        "times.",
        "",
        "| what | wall time (s) | records/s | peak RSS (MB) |",
        "|---|---:|---:|---:|",
    ]
    lines += [measure_row(m) for m in measures]
    lines += ["", "| ratio | measured | target | met |", "|---|---:|---|---|"]
    lines += [
        f"| {name} | {value:.2f} | {target} | {met(value, target)} |"
        for name, value, target in targets
    ]
    table_end = len(lines)
    lines += ["", *spark, "", *before()]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print()
    print("\n".join(lines[table_end - len(targets) - 2 : table_end]))
    print(f"\nwritten: {HERE / 'RESULTS.md'}")


def measure_row(m: Measure) -> str:
    rate = f"{m.rate:,.0f}" if m.records > 1 else "—"
    rss = "—" if m.rss_mb is None else f"{m.rss_mb:.1f}"
    return f"| {m.name} | {m.seconds:.3f} | {rate} | {rss} |"


if __name__ == "__main__":
    main()
