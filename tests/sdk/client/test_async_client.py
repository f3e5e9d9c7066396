"""AsyncClient: the same API with ``await``, over ASGI (httpx.ASGITransport) and over a real
socket for the live event stream."""

from __future__ import annotations

import random

import pytest

from sdk.client import (
    AsyncClient,
    Backoff,
    CommitTimeout,
    Identity,
    NodeUnavailable,
    TraceRejected,
    TxState,
)
from tests.sdk.client.conftest import MAKER, REGULATOR, AsgiNodes, ServedNode, VirtualTime
from tests.sdk.client.ledger import CHAIN_ID, MemoryLedger, NodeView
from tests.sdk.client.streams import commissions, positions, product_and_batch
from tests.sdk.client.world import PRODUCT, batch_args, commission_args, product_args

URLS = ["http://node1.test", "http://node2.test"]


def client(
    views: dict[str, NodeView],
    vtime: VirtualTime,
    *,
    identity: Identity = MAKER,
    retries: int = 5,
) -> AsyncClient:
    return AsyncClient(
        URLS,
        identity=identity,
        retries=retries,
        backoff=Backoff(base_s=0.1, max_s=0.4),
        transport=AsgiNodes(views),
        sleep=vtime.async_sleep,
        clock=vtime.clock,
        rng=random.Random(5),
    )


async def test_helpers_queries_and_rejections(
    asgi_views: dict[str, NodeView], vtime: VirtualTime
) -> None:
    async with client(asgi_views, vtime) as c:
        assert await c.chain_id() == CHAIN_ID
        await c.trace.register_product(**product_args())
        await c.release.register_batch(**batch_args())
        committed = await c.trace.commission(**commission_args(["A1", "A2"]))
        assert committed.height == 3
        assert (await c.receipt(committed.tx_id)).state is TxState.COMMITTED
        with pytest.raises(TraceRejected) as caught:
            await c.trace.commission(**commission_args(["A1"]))
        assert caught.value.code == "trace.duplicate_code"
        status = await c.trace.batch_status(product_key=PRODUCT, lot="L1")
        assert isinstance(status, dict)
        keys = [entry.key async for entry in c.iter_state("trace", "code/", page_size=1)]
        assert len(keys) == 2
        history = [v async for v in c.iter_history("trace", f"product/{PRODUCT}")]
        assert [v.height for v in history] == [1]
        block = await c.block(3)
        assert block.tx_ids == (committed.tx_id,)
        assert (await c.verify_code(keys[0].removeprefix("code/"))).commissioned


async def test_fail_over_and_bounded_retries(
    asgi_views: dict[str, NodeView], ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    asgi_views["node1.test"].no_leader = True
    async with client(asgi_views, vtime, retries=3) as c:
        committed = await c.trace.register_product(**product_args())
        assert committed.height == 1
        assert vtime.sleeps == []
        asgi_views["node2.test"].overloaded = True
        tx = await c.build("trace", "register_product", {**product_args(), "trade_name": "X"})
        with pytest.raises(NodeUnavailable) as caught:
            await c.submit(tx)
    assert len(caught.value.attempts) == 4
    assert len(vtime.sleeps) == 1  # one full round failed before the last two attempts
    assert tx.tx_id.hex() not in ledger.executions


async def test_idempotent_resubmission(
    asgi_views: dict[str, NodeView], ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    ledger.hold_commits = True
    async with client(asgi_views, vtime) as c:
        tx = await c.build("trace", "register_product", product_args())
        with pytest.raises(CommitTimeout):
            await c.submit_and_wait(tx, timeout=1.0)
        ledger.commit()
        outcome = await c.submit_and_wait(tx, timeout=1.0)
        assert await c.wait(tx.tx_id, timeout=1.0) == outcome
        results = await c.submit_batch([tx])
    assert results[0].receipt is not None
    assert results[0].receipt.outcome() == outcome
    assert ledger.executions == {tx.tx_id.hex(): 1}


async def test_stream_resumes_after_each_end_of_body(
    asgi_views: dict[str, NodeView], ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    product_and_batch(ledger, MAKER)
    commissions(ledger, MAKER, blocks=2, per_block=2)
    view = asgi_views["node1.test"]
    view.cut_stream_after = [1, 2]
    view.cut = "clean"
    async with client(asgi_views, vtime, identity=REGULATOR) as c:
        stream = c.events(from_height=1)
        got = [await anext(stream) for _ in range(6)]
        await stream.aclose()
    assert positions(got) == positions(ledger.log)


async def test_live_stream_over_a_socket_survives_a_dropped_connection(
    node1: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    product_and_batch(ledger, MAKER)
    assert node1.view is not None
    node1.view.cut_stream_after = [1]
    vtime.on_sleep.append(lambda _: commissions(ledger, MAKER, blocks=1, per_block=1))
    async with (
        AsyncClient(
            [node1.url], identity=REGULATOR, sleep=vtime.async_sleep, rng=random.Random(1)
        ) as c,
        c.events(from_height=1) as stream,
    ):
        got = [await anext(stream) for _ in range(3)]
    assert positions(got) == positions(ledger.log)
    assert len(vtime.sleeps) == 1
