"""Pharmacy verification: anonymous ``GET /v1/verify?code=`` of commissioned codes.

Preparation commissions ``codes`` fresh codes (not measured); the measured load verifies a
shuffled sample of them over and over for the duration, closed loop unless a rate is set.
"""

from __future__ import annotations

import random
from typing import Final

from bench import setup
from bench.consortium import Consortium
from bench.ledger import LedgerClient
from bench.machine import Machine
from bench.options import LoadOptions
from bench.plan import ReadPlan, ReadSpec
from bench.report import BenchReport
from bench.scenarios.common import Progress, measure_reads, node_pids

NAME: Final = "verify"
TARGET: Final = "≥ 5,000 req/s, p99 ≤ 5 ms (node holding 10M codes)"
SAMPLE: Final = 10_000
DEFAULT_DURATION_S: Final = 10.0


def verify_reads(codes: list[str]) -> tuple[ReadSpec, ...]:
    return tuple(ReadSpec("GET", "/v1/verify", params=(("code", code),)) for code in codes)


def run(consortium: Consortium, options: LoadOptions, *, codes: int, say: Progress) -> BenchReport:
    machine = Machine.now()
    keys = setup.load_keys(consortium, (setup.MAKER, setup.QA, setup.QP))
    with LedgerClient(options.apis[0], consortium.chain_id, keys) as client:
        batch = setup.released_batch(client, codes)
        setup.commission_all(client, batch, codes, say)
    sample = [batch.code(n) for n in random.sample(range(codes), min(codes, SAMPLE))]
    pace = options.pace_for(DEFAULT_DURATION_S)
    plan = ReadPlan(
        chain_id=consortium.chain_id,
        apis=options.apis,
        seeds={},
        reads=verify_reads(sample),
        workers=options.workers,
        pace=pace,
        repeat=True,
    )
    say(f"verifying {len(sample)} distinct codes for {pace.duration_s:g} s")
    result, cpu = measure_reads(plan, node_pids(consortium), say)
    return BenchReport(
        benchmark=NAME,
        target=TARGET,
        parameters={
            **options.to_json(),
            "duration_s": pace.duration_s,
            "codes_commissioned": codes,
            "distinct_codes": len(sample),
        },
        machine=machine,
        load=result,
        cpu=cpu,
        notes=(
            f"the ledger held the {codes:,} codes this run commissioned plus those of earlier "
            "runs on the same network",
        ),
    )
