"""Single-code trace events: ship, receive and dispense, one code per transaction.

Preparation (not measured): a released batch with ``count`` fresh codes; a third stay with
the manufacturer (to be shipped), a third are shipped to the distributor in bulk (to be
received), a third are delivered to the pharmacy in bulk (to be dispensed). The measured
transactions interleave the three kinds, each valid against the prepared state.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

from bench import setup
from bench.consortium import Consortium
from bench.ledger import LedgerClient
from bench.machine import Machine
from bench.options import LoadOptions
from bench.plan import SubmitPlan, TxSpec
from bench.report import BenchReport
from bench.scenarios.common import Progress, measure_submits, node_pids

NAME: Final = "single-event"
TARGET: Final = "≥ 3,000 committed tx/s (stretch 5,000); p99 submit→commit ≤ 500 ms at 1,500 tx/s"
DEFAULT_COUNT: Final = 30_000


def event_count(options: LoadOptions, count: int | None) -> int:
    """Open loop: rate × duration transactions; closed loop: ``count`` (default 30,000)."""
    if count is not None:
        return count
    if options.rate is not None and options.duration_s is not None:
        return max(3, round(options.rate * options.duration_s))
    return DEFAULT_COUNT


def prepare(client: setup.Ledger, count: int, say: Progress) -> list[TxSpec]:
    """The ledger state and the ``count`` event transactions to measure."""
    batch = setup.released_batch(client, count)
    say(f"batch {batch.lot} released; commissioning {count} codes")
    setup.commission_all(client, batch, count, say)
    codes = [batch.code(n) for n in range(count)]
    to_ship, to_receive, to_dispense = split_three(codes)
    say(f"shipping {len(to_receive)} codes to the distributor (left in transit)")
    setup.deliver(client, to_receive, to=setup.DISTRIBUTOR, receive_too=False)
    say(f"delivering {len(to_dispense)} codes to the pharmacy")
    setup.deliver(client, to_dispense, to=setup.PHARMACY, receive_too=True)
    return interleave(
        [setup.ship([c], to=setup.DISTRIBUTOR) for c in to_ship],
        [setup.receive([c], signer=setup.DISTRIBUTOR) for c in to_receive],
        [setup.dispense(c) for c in to_dispense],
    )


def split_three(codes: Sequence[str]) -> tuple[Sequence[str], Sequence[str], Sequence[str]]:
    """Three nearly equal parts, the larger ones first."""
    base, extra = divmod(len(codes), 3)
    first = base + (extra > 0)
    second = first + base + (extra > 1)
    return codes[:first], codes[first:second], codes[second:]


def interleave(*groups: list[TxSpec]) -> list[TxSpec]:
    mixed = itertools.chain.from_iterable(itertools.zip_longest(*groups))
    return [spec for spec in mixed if spec is not None]


def run(
    consortium: Consortium,
    options: LoadOptions,
    *,
    count: int | None = None,
    say: Progress,
) -> BenchReport:
    machine = Machine.now()
    total = event_count(options, count)
    keys = setup.load_keys(consortium)
    with LedgerClient(options.apis[0], consortium.chain_id, keys) as client:
        events = prepare(client, total, say)
    plan = SubmitPlan(
        chain_id=consortium.chain_id,
        apis=options.apis,
        seeds=setup.seeds(keys),
        txs=tuple(events),
        batch=options.batch,
        workers=options.workers,
        pace=options.pace,
        wait_timeout_s=options.wait_timeout_s,
    )
    say(f"measuring {len(events)} single-code transactions")
    result, cpu = measure_submits(plan, node_pids(consortium), say)
    mode = "closed loop" if options.rate is None else f"open loop at {options.rate:g} tx/s"
    return BenchReport(
        benchmark=NAME,
        target=TARGET,
        parameters={**options.to_json(), "transactions": len(events), "mode": mode},
        machine=machine,
        load=result,
        cpu=cpu,
        notes=(
            "mix: one third each of ship (manufacturer→distributor), receive (distributor) "
            "and dispense (pharmacy), one code per transaction",
        ),
    )
