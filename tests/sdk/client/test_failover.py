"""Fail-over, bounded retries with back-off, and idempotent resubmission (sync client over
uvicorn on 127.0.0.1; back-off and polling run on a virtual clock)."""

from __future__ import annotations

import random

import pytest

from node.api import ApiLimits
from sdk.client import Backoff, Client, CommitTimeout, NodeUnavailable, TxState
from tests.sdk.client.conftest import MAKER, REGULATOR, ServedNode, VirtualTime
from tests.sdk.client.ledger import MemoryLedger, NodeView
from tests.sdk.client.world import product_args

BACKOFF = Backoff(base_s=0.2, max_s=1.0, multiplier=2.0, jitter=0.5)


def client(urls: list[str], vtime: VirtualTime, *, retries: int = 5) -> Client:
    return Client(
        urls,
        identity=MAKER,
        retries=retries,
        backoff=BACKOFF,
        sleep=vtime.sleep,
        clock=vtime.clock,
        rng=random.Random(7),
    )


def test_a_refused_connection_fails_over_at_once(
    dead_url: str, node1: ServedNode, vtime: VirtualTime
) -> None:
    with client([dead_url, node1.url], vtime) as c:
        committed = c.trace.register_product(**product_args())
        assert committed.height == 1
        assert vtime.sleeps == []  # the second node was tried without waiting
        c.health()
    assert node1.view is not None
    assert "submit" in node1.view.calls


def test_no_leader_and_overload_fail_over_to_the_next_node(
    node1: ServedNode, node2: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    assert node1.view is not None
    assert node2.view is not None
    node1.view.no_leader = True
    with client([node1.url, node2.url], vtime) as c:
        c.trace.register_product(**product_args())
        assert node2.view.calls.count("submit") == 1
        node2.view.overloaded = True
        node1.view.no_leader = False
        receipt = c.receipt(next(iter(ledger.receipts)))
    assert receipt.state is TxState.COMMITTED
    assert node2.view.calls[-1] == "receipt"  # refused: overloaded
    assert "receipt" in node1.view.calls  # answered after the fail-over


def test_a_rate_limited_node_is_left_for_another(
    node1: ServedNode, node2: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    limited = ApiLimits(rate_per_second=0.001, rate_burst=1, retry_after_s=1)
    node1.install(NodeView(ledger, node_id=1), limits=limited)
    with Client([node1.url, node2.url], identity=REGULATOR, sleep=vtime.sleep) as c:
        c.health()  # not rate limited
        c.latest_block()  # spends node 1's only token
        c.latest_block()  # 429 on node 1, answered by node 2
    assert node2.view is not None
    assert node2.view.calls == ["block"]
    assert vtime.sleeps == []


def test_retries_are_bounded_and_back_off_between_rounds(
    node1: ServedNode, node2: ServedNode, vtime: VirtualTime
) -> None:
    assert node1.view is not None
    assert node2.view is not None
    node1.view.no_leader = node2.view.no_leader = True
    with client([node1.url, node2.url], vtime, retries=5) as c:
        tx = c.build("trace", "register_product", product_args())
        with pytest.raises(NodeUnavailable) as caught:
            c.submit(tx)
    assert caught.value.code == "node.no_leader"
    assert len(caught.value.attempts) == 6
    assert node1.view.calls.count("submit") + node2.view.calls.count("submit") == 6
    # A round is both nodes; between rounds the wait grows and honours Retry-After (1 s).
    assert len(vtime.sleeps) == 2
    assert all(1.0 <= s <= BACKOFF.max_s for s in vtime.sleeps)


def test_back_off_without_retry_after_grows_exponentially(
    dead_url: str, vtime: VirtualTime
) -> None:
    with client([dead_url], vtime, retries=4) as c, pytest.raises(NodeUnavailable) as caught:
        c.health()
    assert len(caught.value.attempts) == 5
    ceilings = [0.2, 0.4, 0.8, 1.0]
    assert len(vtime.sleeps) == 4
    for slept, ceiling in zip(vtime.sleeps, ceilings, strict=True):
        assert ceiling * (1 - BACKOFF.jitter) <= slept <= ceiling


def test_resubmitting_after_a_timeout_returns_the_real_outcome_and_runs_once(
    node1: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    ledger.hold_commits = True
    with client([node1.url], vtime) as c:
        tx = c.build("trace", "register_product", product_args())
        with pytest.raises(CommitTimeout) as caught:
            c.submit_and_wait(tx, timeout=2.0)
        assert caught.value.tx_id == tx.tx_id.hex()
        assert sum(vtime.sleeps) == pytest.approx(2.0)  # polled until the deadline
        ledger.commit()
        first = c.submit_and_wait(tx, timeout=2.0)  # same bytes, same id
        again = c.submit_and_wait(tx, timeout=2.0)
        assert c.submit(tx).state is TxState.COMMITTED
    assert first == again
    assert first.tx_id == tx.tx_id.hex()
    assert ledger.executions == {tx.tx_id.hex(): 1}


def test_a_transaction_lost_from_the_pool_is_resubmitted_while_waiting(
    node1: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    """The node accepted it, then lost its pool (a crash before the block); the wait sees
    ``tx.not_found`` and resubmits the same bytes, which commit once."""
    ledger.hold_commits = True

    def crash_and_recover(_: float) -> None:
        ledger.pending.clear()
        ledger.hold_commits = False

    vtime.on_sleep.append(crash_and_recover)
    with client([node1.url], vtime) as c:
        tx = c.build("trace", "register_product", product_args())
        committed = c.submit_and_wait(tx, timeout=5.0)
    assert committed.tx_id == tx.tx_id.hex()
    assert len(vtime.sleeps) == 1
    assert ledger.executions == {tx.tx_id.hex(): 1}
    assert node1.view is not None
    assert node1.view.calls == ["submit", "receipt", "submit"]


def test_waiting_for_an_unknown_transaction_times_out(
    node1: ServedNode, vtime: VirtualTime
) -> None:
    with client([node1.url], vtime) as c, pytest.raises(CommitTimeout):
        c.wait("ab" * 32, timeout=1.0)
    assert sum(vtime.sleeps) == pytest.approx(1.0)
