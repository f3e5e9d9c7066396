"""The event stream over real sockets: resume across dropped connections, error frames and
fail-over, without gaps or duplicates (uvicorn on 127.0.0.1, back-off on a virtual clock)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from sdk.client import Backoff, Client, LedgerEvent
from tests.sdk.client.conftest import MAKER, REGULATOR, ServedNode, VirtualTime
from tests.sdk.client.ledger import MemoryLedger
from tests.sdk.client.streams import commissions, positions, product_and_batch


def regulator(urls: list[str], vtime: VirtualTime) -> Client:
    return Client(
        urls,
        identity=REGULATOR,
        backoff=Backoff(base_s=0.1, max_s=0.5),
        sleep=vtime.sleep,
        clock=vtime.clock,
        rng=random.Random(3),
    )


def take(stream: Iterator[LedgerEvent], n: int) -> list[LedgerEvent]:
    return [next(stream) for _ in range(n)]


def test_dropped_connections_resume_without_gaps_or_duplicates(
    node1: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    product_and_batch(ledger, MAKER)
    commissions(ledger, MAKER, blocks=2, per_block=3)
    assert node1.view is not None
    node1.view.cut_stream_after = [2, 3, 1]  # three streams dropped mid-body
    # While the client is disconnected, more blocks commit.
    vtime.on_sleep.append(lambda _: commissions(ledger, MAKER, blocks=1, per_block=2))
    with regulator([node1.url], vtime) as client, client.events(from_height=1) as stream:
        got = take(stream, 14)
        assert stream.position == got[-1].position
    assert len(vtime.sleeps) == 3
    assert len(ledger.log) == 14
    assert positions(got) == positions(ledger.log)
    assert node1.view.calls.count("events") == 4


def test_a_halted_node_fails_the_stream_over_to_another(
    node1: ServedNode, node2: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    product_and_batch(ledger, MAKER)
    commissions(ledger, MAKER, blocks=3, per_block=2)
    assert node1.view is not None
    assert node2.view is not None
    node1.view.cut_stream_after = [3]
    node1.view.cut = "fork"  # an `event: error` frame (node.fork_detected), then the end
    with regulator([node1.url, node2.url], vtime) as client, client.events(from_height=2) as s:
        got = take(s, 7)
    assert positions(got) == positions([e for e in ledger.log if e.height >= 2])
    assert node2.view.calls == ["events"]
    assert vtime.sleeps == []  # the other node was tried at once


def test_a_saved_position_resumes_in_a_new_client(
    node1: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    product_and_batch(ledger, MAKER)
    commissions(ledger, MAKER, blocks=2, per_block=2)
    with regulator([node1.url], vtime) as client, client.events(from_height=0) as stream:
        first = take(stream, 3)
        saved = str(stream.position)
    with regulator([node1.url], vtime) as client, client.events(after=saved) as stream:
        rest = take(stream, 3)
    assert positions(first + rest) == positions(ledger.log)


def test_filters_and_new_events_only(
    node1: ServedNode, ledger: MemoryLedger, vtime: VirtualTime
) -> None:
    product_and_batch(ledger, MAKER)
    commissions(ledger, MAKER, blocks=1, per_block=2)
    with regulator([node1.url], vtime) as client:
        stream = client.events(contracts="trace", types=["commissioned"])  # from now on
        commissions(ledger, MAKER, blocks=2, per_block=1)
        with stream:
            got = take(stream, 2)
    assert [e.type for e in got] == ["commissioned", "commissioned"]
    assert [e.height for e in got] == [4, 5]


def test_a_refused_stream_raises_the_typed_error(node1: ServedNode, vtime: VirtualTime) -> None:
    from sdk.client import AuthenticationFailed

    with Client([node1.url], sleep=vtime.sleep) as anonymous, pytest.raises(AuthenticationFailed):
        next(anonymous.events(from_height=1))
