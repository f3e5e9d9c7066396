"""Run a plan: start the worker processes, release them together, merge what they saw.

Workers are separate processes (``spawn``: nothing of the parent's state, sockets or event
loop leaks into them). Each signs its share, opens its client, then reports ready; when all
are ready the parent sets one event and the clock starts in every worker at once.
"""

from __future__ import annotations

import math
import multiprocessing
import queue
import time
from collections.abc import Callable, Sequence
from typing import Final

from bench.errors import WorkerFailed
from bench.plan import Pace, ReadPlan, SubmitPlan
from bench.stats import LoadResult, merge
from bench.worker import CLIENT_SLACK_S, Job, Outcome, ReadJob, SubmitJob, main

READY_TIMEOUT_S: Final = 600.0
"""Signing a large share takes a while on a busy machine; this bounds it."""
FINISH_MARGIN_S: Final = 60.0


Hook = Callable[[], None]


def run_submits(
    plan: SubmitPlan,
    *,
    progress: Callable[[str], None] | None = None,
    on_start: Hook | None = None,
) -> LoadResult:
    """Submit every transaction of ``plan`` and measure commits."""
    batches = list(enumerate(plan.batches()))
    jobs: list[Job] = [
        SubmitJob(w, plan, tuple(batches[w :: plan.workers])) for w in range(plan.workers)
    ]
    per_worker = math.ceil(len(batches) / plan.workers)
    limit = worst_case_s(plan.pace, len(plan.txs), per_worker, plan.wait_timeout_s + CLIENT_SLACK_S)
    return _run(jobs, limit, progress, on_start, "transactions")


def run_reads(
    plan: ReadPlan,
    *,
    progress: Callable[[str], None] | None = None,
    on_start: Hook | None = None,
) -> LoadResult:
    """Send the reads of ``plan`` and measure answers."""
    jobs: list[Job] = [ReadJob(w, plan) for w in range(plan.workers)]
    pace = plan.pace
    if plan.repeat and pace.rate is not None and pace.duration_s is not None:
        total = math.ceil(pace.rate * pace.duration_s)
    elif plan.repeat:
        total = plan.workers * pace.concurrency  # closed loop: what is in flight at the end
    else:
        total = len(plan.reads)
    per_worker = math.ceil(total / plan.workers)
    return _run(
        jobs, worst_case_s(pace, total, per_worker, plan.timeout_s), progress, on_start, "requests"
    )


def worst_case_s(
    pace: Pace, units: int, requests_per_worker: int, request_timeout_s: float
) -> float:
    """How long the workers may take before they are declared stuck: the sending schedule
    (duration, or units at the rate), then every request of a worker timing out in turn,
    ``concurrency`` at a time."""
    schedule = pace.duration_s or (units / pace.rate if pace.rate else 0.0)
    queue = math.ceil(requests_per_worker / pace.concurrency) * request_timeout_s
    return schedule + queue


def _run(
    jobs: list[Job],
    expected_s: float,
    progress: Callable[[str], None] | None,
    on_start: Hook | None,
    kind: str,
) -> LoadResult:
    say = progress or (lambda _message: None)
    context = multiprocessing.get_context("spawn")
    ready: multiprocessing.Queue[int] = context.Queue()
    results: multiprocessing.Queue[Outcome] = context.Queue()
    go = context.Event()
    processes = [
        context.Process(target=main, args=(job, ready, go, results), daemon=True) for job in jobs
    ]
    for process in processes:
        process.start()
    try:
        say(f"{len(jobs)} worker process(es) signing and connecting")
        _await_ready(ready, len(jobs), processes)
        say("all workers ready: clock started")
        if on_start is not None:
            on_start()
        go.set()
        outcomes = _collect(results, len(jobs), expected_s + FINISH_MARGIN_S)
    finally:
        for process in processes:
            process.join(timeout=5.0)
            if process.is_alive():
                process.kill()
                process.join()
    crashed = [o for o in outcomes if o.crash is not None]
    if crashed:
        raise WorkerFailed(f"worker {crashed[0].index} crashed:\n{crashed[0].crash}")
    return merge(sorted(outcomes, key=lambda o: o.index), kind=kind)


def _await_ready(
    ready: multiprocessing.Queue[int],
    count: int,
    processes: Sequence[multiprocessing.process.BaseProcess],
) -> None:
    seen: set[int] = set()
    deadline = time.monotonic() + READY_TIMEOUT_S
    while len(seen) < count:
        try:
            seen.add(ready.get(timeout=1.0))
        except queue.Empty:
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise WorkerFailed(
                    f"a worker process exited with code {dead[0].exitcode} before starting"
                ) from None
            if time.monotonic() > deadline:
                raise WorkerFailed(
                    f"only {len(seen)} of {count} workers got ready in {READY_TIMEOUT_S:.0f} s; "
                    "use fewer transactions or more workers"
                ) from None


def _collect(results: multiprocessing.Queue[Outcome], count: int, limit_s: float) -> list[Outcome]:
    outcomes: list[Outcome] = []
    deadline = time.monotonic() + limit_s
    while len(outcomes) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WorkerFailed(
                f"only {len(outcomes)} of {count} workers reported within {limit_s:.0f} s; "
                "is the network up? (rxl network status)"
            )
        try:
            outcomes.append(results.get(timeout=min(remaining, 5.0)))
        except queue.Empty:
            continue
    return outcomes
