"""Pieces of work on several workers, their results in input order, memory flat.

Threads where the compiled core takes the input (it runs without the GIL), processes for the
Python path: the run's context goes to each worker process once, when the pool starts it (so a
tracking plan is compiled once a process, not once a task); tasks carry only pieces of bytes.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack

from contract_kit.reading.paths import Source
from contract_kit.reading.pieces import Piece
from contract_kit.running import core, stopping
from contract_kit.running.context import RunContext
from contract_kit.running.results import PieceResult
from contract_kit.running.steps import process_all
from contract_kit.violations import Violation

#: Below this much input, starting processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
PARALLEL_MIN_FILES = 200

#: A task for a worker process: pieces of work adding up to about this many bytes.
TASK_BYTES = 1 << 20
TASK_PIECES = 256

_worker_run: list[RunContext] = []
"""In a worker process only: the run it works for, set once by the pool's initializer. The
one piece of module state, and only in workers: it is how a process pool hands each worker its
settings once (the parent never reads it)."""


def worth_parallel(inputs: Sequence[Source], jobs: int) -> bool:
    if jobs <= 1:
        return False
    if len(inputs) >= PARALLEL_MIN_FILES:
        return True
    size = 0
    for source in inputs:
        if source.path is not None:
            try:
                size += source.path.stat().st_size
            except OSError:
                continue
        elif source.data is not None:
            size += len(source.data)
    return size >= PARALLEL_MIN_BYTES


def in_pool(
    pieces: Iterator[Piece | Violation], run: RunContext, jobs: int
) -> Iterator[tuple[Piece | Violation, PieceResult]]:
    """Each piece with its result, in submission order, with at most a few tasks in flight per
    worker. Small pieces (one small file each) travel in groups: sending each alone would
    cost more than checking it. Closing the iterator stops the workers.

    Where the compiled core takes the input, the workers are threads: the core reads, checks
    and converts without the GIL, and threads need no copy of the pieces and results. Whether
    it does is seen on the first task, done here: the core must have vouched for at least
    THREADS_SHARE of its records. Anything else (documents, text not in orjson's form, many
    invalid records) is Python work, which takes processes to run side by side."""
    work = tasks(pieces)
    if core.serves(run) and core.checker() is not None:
        first = next(work, None)
        if first is None:
            return
        results = process_all(first, run)
        yield from zip(first, results, strict=True)
        records = sum(result.records for result in results)
        vouched = sum(result.vouched_by_core for result in results)
        if records and vouched >= THREADS_SHARE * records:
            yield from _in_threads(work, run, jobs)
            return
    yield from _in_processes(work, run, jobs)


#: The share of records the core must take for threads rather than processes.
THREADS_SHARE = 0.9


def _in_processes(
    work: Iterator[list[Piece | Violation]], run: RunContext, jobs: int
) -> Iterator[tuple[Piece | Violation, PieceResult]]:
    import multiprocessing  # only here: importing it costs start-up time every run

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ExitStack() as stack:
        with stopping.blocked():  # a stop that arrives now is raised once the pool is held
            pool = stack.enter_context(
                context.Pool(jobs, initializer=_start_worker, initargs=(run,))
            )
        yield from _in_order(work, lambda task: pool.apply_async(_work_on, (task,)).get, 3 * jobs)


def _in_threads(
    work: Iterator[list[Piece | Violation]], run: RunContext, jobs: int
) -> Iterator[tuple[Piece | Violation, PieceResult]]:
    from concurrent.futures import ThreadPoolExecutor

    executor = ThreadPoolExecutor(jobs, thread_name_prefix="contract-kit")
    try:
        yield from _in_order(
            work, lambda task: executor.submit(process_all, task, run).result, 3 * jobs
        )
    finally:  # a stop or an error: what is queued is dropped, what runs ends with its piece
        executor.shutdown(wait=True, cancel_futures=True)


def _in_order(
    work: Iterator[list[Piece | Violation]],
    submit: Callable[[list[Piece | Violation]], Callable[[], list[PieceResult]]],
    in_flight: int,
) -> Iterator[tuple[Piece | Violation, PieceResult]]:
    """Each task handed to `submit` (which gives back how to wait for its results), at most
    `in_flight` at a time, the results yielded in submission order."""
    pending: deque[tuple[list[Piece | Violation], Callable[[], list[PieceResult]]]] = deque()
    for task in work:
        pending.append((task, submit(task)))
        if len(pending) >= in_flight:
            done, results = pending.popleft()
            yield from zip(done, results(), strict=True)
    while pending:
        done, results = pending.popleft()
        yield from zip(done, results(), strict=True)


def _start_worker(run: RunContext) -> None:
    stopping.in_worker()
    _worker_run[:] = [run]


def _work_on(task: list[Piece | Violation]) -> list[PieceResult]:
    return process_all(task, _worker_run[0])


def tasks(pieces: Iterator[Piece | Violation]) -> Iterator[list[Piece | Violation]]:
    """Pieces grouped up to TASK_BYTES (or TASK_PIECES) a task. A piece never joins a task it
    would take past TASK_BYTES: a full NDJSON piece travels alone, so that the first results
    (and a --max-errors stop) come after one piece's work, not two."""
    task: list[Piece | Violation] = []
    size = 0
    for piece in pieces:
        length = len(piece.data) if isinstance(piece, Piece) else 0
        if task and (size + length > TASK_BYTES or len(task) >= TASK_PIECES):
            yield task
            task, size = [], 0
        task.append(piece)
        size += length
    if task:
        yield task


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
