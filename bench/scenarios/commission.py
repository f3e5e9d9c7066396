"""Bulk commissioning: ``codes`` fresh serials of one released batch, ``per_tx`` a transaction.

Preparation registers the product and a released batch; the measured transactions are the
commissionings themselves, submitted ``batch`` transactions a request.
"""

from __future__ import annotations

from typing import Final

from bench import setup
from bench.consortium import Consortium
from bench.ledger import LedgerClient
from bench.machine import Machine
from bench.options import LoadOptions
from bench.plan import SubmitPlan
from bench.report import BenchReport
from bench.scenarios.common import Progress, measure_submits, node_pids

NAME: Final = "commission"
TARGET: Final = "1,000,000 codes in ≤ 60 s"


def run(
    consortium: Consortium,
    options: LoadOptions,
    *,
    codes: int,
    per_tx: int,
    say: Progress,
) -> BenchReport:
    if codes < 1 or per_tx < 1:
        raise ValueError("codes and codes per transaction must be at least 1")
    machine = Machine.now()
    keys = setup.load_keys(consortium, (setup.MAKER, setup.QA, setup.QP))
    with LedgerClient(options.apis[0], consortium.chain_id, keys) as client:
        batch = setup.released_batch(client, codes)
    specs = setup.commission(batch, range(codes), per_tx=per_tx)
    plan = SubmitPlan(
        chain_id=consortium.chain_id,
        apis=options.apis,
        seeds=setup.seeds(keys),
        txs=tuple(specs),
        batch=options.batch,
        workers=options.workers,
        pace=options.pace,
        wait_timeout_s=options.wait_timeout_s,
    )
    say(f"measuring {codes} codes in {len(specs)} commissioning transactions of batch {batch.lot}")
    result, cpu = measure_submits(plan, node_pids(consortium), say)
    figures: dict[str, object] = {"codes committed": result.units_ok}
    if result.units_per_s > 0:
        figures["seconds per 1,000,000 codes"] = round(1_000_000 / result.units_per_s, 1)
    return BenchReport(
        benchmark=NAME,
        target=TARGET,
        parameters={**options.to_json(), "codes": codes, "codes_per_tx": per_tx},
        machine=machine,
        load=result,
        units="codes",
        figures=figures,
        cpu=cpu,
    )
