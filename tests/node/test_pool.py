"""The pool of admitted transactions: FIFO, bounded, re-queue at the front, discard on commit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from node.errors import Overloaded
from node.pool import TxPool
from sdk.tx import SignedTransaction
from tests.node.chain_fixtures import bump


@dataclass
class Clock:
    now: int = 1_000

    def __call__(self) -> int:
        return self.now


def txs(count: int, size: int = 1) -> list[SignedTransaction]:
    return [bump(f"k{n}-" + "x" * size) for n in range(count)]


def ids(items: list[SignedTransaction]) -> list[bytes]:
    return [tx.tx_id for tx in items]


def test_add_is_idempotent_and_counts_bytes() -> None:
    pool = TxPool(10)
    a, b = txs(2)
    assert pool.add(a)
    assert not pool.add(a)
    assert pool.add(b)
    assert len(pool) == 2
    assert a.tx_id in pool
    assert b"\x00" * 32 not in pool
    assert pool.pending_bytes == len(a.to_wire()) + len(b.to_wire())
    assert ids(pool.snapshot()) == ids([a, b])


def test_a_full_pool_refuses_with_overloaded() -> None:
    pool = TxPool(2)
    a, b, c = txs(3)
    pool.add(a)
    pool.add(b)
    assert not pool.add(a)  # already pending: not a new entry, no refusal
    with pytest.raises(Overloaded, match="limit is 2") as raised:
        pool.add(c)
    assert raised.value.code == "node.overloaded"
    assert len(pool) == 2


def test_take_is_fifo_within_count_and_byte_limits() -> None:
    pool = TxPool(100)
    items = txs(10)
    for tx in items:
        pool.add(tx)
    assert ids(pool.take(3, 1 << 20)) == ids(items[:3])
    size = len(items[3].to_wire())
    assert ids(pool.take(10, 2 * size + size // 2)) == ids(items[3:5])
    assert ids(pool.take(10, 1)) == ids(items[5:6])  # the first always goes, even if too big
    assert ids(pool.snapshot()) == ids(items[6:])
    assert pool.pending_bytes == sum(len(t.to_wire()) for t in items[6:])


def test_return_front_keeps_order_and_age() -> None:
    clock = Clock()
    pool = TxPool(100, clock_ms=clock)
    items = txs(5)
    for tx in items:
        pool.add(tx)
        clock.now += 10
    taken = pool.take(3, 1 << 20)
    assert pool.oldest_age_ms(clock.now) == clock.now - 1_030
    pool.return_front(taken)
    assert ids(pool.snapshot()) == ids(items)
    assert pool.oldest_age_ms(clock.now) == clock.now - 1_000
    pool.return_front(taken[:1])  # already pending: nothing changes
    assert len(pool) == 5


def test_return_front_may_exceed_the_limit() -> None:
    pool = TxPool(2)
    items = txs(3)
    pool.add(items[0])
    pool.add(items[1])
    taken = pool.take(2, 1 << 20)
    pool.add(items[2])
    pool.return_front(taken)
    assert ids(pool.snapshot()) == ids([items[0], items[1], items[2]])


def test_discard_forgets_committed_transactions() -> None:
    pool = TxPool(10)
    items = txs(4)
    for tx in items:
        pool.add(tx)
    taken = pool.take(1, 1 << 20)
    pool.discard([items[0].tx_id, items[2].tx_id, b"\x01" * 32])
    assert ids(pool.snapshot()) == ids([items[1], items[3]])
    assert pool.pending_bytes == len(items[1].to_wire()) + len(items[3].to_wire())
    pool.return_front(taken)  # the caller decides what to return; the pool re-queues it
    assert len(pool) == 3


def test_oldest_age_of_an_empty_pool_is_zero() -> None:
    clock = Clock()
    pool = TxPool(10, clock_ms=clock)
    assert pool.oldest_age_ms(5_000) == 0
    pool.add(bump("a"))
    assert pool.oldest_age_ms(1_250) == 250
    assert pool.oldest_age_ms(500) == 0


def test_max_pending_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        TxPool(0)
