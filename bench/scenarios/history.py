"""Regulator-style history reads of a large batch.

Preparation (not measured): a released batch of ``codes`` codes, commissioned in bulk, then
``events`` single-code shipments of its codes (submitted through the load engine), so the
batch log holds one entry per commissioning and per shipment.

Measured:

1. the whole batch history, ``trace.batch_history`` page by page (1,000 entries a page)
   as the batch's MAH (the 3-org network has no regulator; the contract allows both and
   does the same work), ``repeat`` times one after another; the median is the figure;
2. single-code ``trace.history`` queries of shipped codes, closed loop for the duration.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any, Final

from bench import setup
from bench.consortium import Consortium
from bench.engine import run_submits
from bench.ledger import LedgerClient
from bench.machine import Machine
from bench.options import LoadOptions
from bench.plan import Pace, ReadPlan, ReadSpec, SubmitPlan
from bench.report import BenchReport
from bench.scenarios.common import Progress, measure_reads, node_pids

NAME: Final = "history"
TARGET: Final = "regulator history of a 100,000-code batch ≤ 2 s"
PAGE: Final = 1000
DEFAULT_DURATION_S: Final = 10.0
SAMPLE: Final = 2000


def read_batch_history(client: LedgerClient, batch: setup.Batch) -> tuple[int, int]:
    """Every entry of the batch log, page by page: (entries, pages)."""
    entries, pages, after = 0, 0, None
    while True:
        args: dict[str, Any] = {"product_key": setup.PRODUCT, "lot": batch.lot, "limit": PAGE}
        if after is not None:
            args["after"] = after
        page = client.query("trace", "batch_history", args, signer=setup.MAKER)
        entries += len(page["events"])
        pages += 1
        after = page["next"]
        if after is None:
            return entries, pages


def code_history_reads(codes: list[str]) -> tuple[ReadSpec, ...]:
    return tuple(
        ReadSpec(
            "POST", "/v1/query/trace/history", json_body={"args": {"code": c}}, signer=setup.MAKER
        )
        for c in codes
    )


def run(
    consortium: Consortium,
    options: LoadOptions,
    *,
    codes: int,
    events: int,
    repeat: int,
    say: Progress,
) -> BenchReport:
    if not 0 <= events <= codes:
        raise ValueError("events must be between 0 and the number of codes")
    machine = Machine.now()
    keys = setup.load_keys(consortium, (setup.MAKER, setup.QA, setup.QP))
    with LedgerClient(options.apis[0], consortium.chain_id, keys) as client:
        batch = setup.released_batch(client, codes)
        setup.commission_all(client, batch, codes, say)
        shipped = [batch.code(n) for n in range(events)]
        if shipped:
            say(f"shipping {events} codes one per transaction (preparation, not measured)")
            prepared = run_submits(
                SubmitPlan(
                    chain_id=consortium.chain_id,
                    apis=options.apis,
                    seeds=setup.seeds(keys),
                    txs=tuple(setup.ship([c], to=setup.DISTRIBUTOR) for c in shipped),
                    batch=options.batch,
                    workers=options.workers,
                    pace=Pace(concurrency=options.concurrency),
                    wait_timeout_s=options.wait_timeout_s,
                ),
                progress=say,
            )
            if prepared.ok != events:
                say(f"warning: only {prepared.ok} of {events} shipments committed ok")
        timings = []
        entries = pages = 0
        for _ in range(repeat):
            started = time.perf_counter()
            entries, pages = read_batch_history(client, batch)
            timings.append(time.perf_counter() - started)
    sample = random.sample(shipped or [batch.code(0)], min(len(shipped) or 1, SAMPLE))
    pace = options.pace_for(DEFAULT_DURATION_S)
    plan = ReadPlan(
        chain_id=consortium.chain_id,
        apis=options.apis,
        seeds=setup.seeds({setup.MAKER: keys[setup.MAKER]}),
        reads=code_history_reads(sample),
        workers=options.workers,
        pace=pace,
        repeat=True,
    )
    say(f"querying single-code histories for {pace.duration_s:g} s")
    result, cpu = measure_reads(plan, node_pids(consortium), say)
    return BenchReport(
        benchmark=NAME,
        target=TARGET,
        parameters={
            **options.to_json(),
            "duration_s": pace.duration_s,
            "codes": codes,
            "events": events,
            "repeat": repeat,
        },
        machine=machine,
        load=result,
        figures={
            "batch history entries": entries,
            "batch history pages": pages,
            "batch history s (median)": round(statistics.median(timings), 3),
            "batch history s (min)": round(min(timings), 3),
            "batch history s (max)": round(max(timings), 3),
        },
        cpu=cpu,
        notes=(
            "the load rows are single-code trace.history queries (signed, as the MAH)",
            "batch history read sequentially by one client, as the MAH",
        ),
    )
