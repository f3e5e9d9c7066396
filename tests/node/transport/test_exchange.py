"""Frames flow between real transports over mutual TLS on 127.0.0.1, in order, both ways."""

from __future__ import annotations

import asyncio
import gc

import pytest

from node.transport import FrameTooLarge, NodeId, PeerInfo
from tests.node.transport.conftest import Pki
from tests.node.transport.harness import Cluster, LogSignal


async def test_two_nodes_exchange_frames_both_ways(cluster: Cluster, pki: Pki) -> None:
    one = await cluster.start(1, pki.nodes[1])
    two = await cluster.start(2, pki.nodes[2])
    await cluster.mesh(one, two)

    for i in range(5):
        assert one.transport.send(NodeId(2), b"to-two-%d" % i)
        assert two.transport.send(NodeId(1), b"to-one-%d" % i)

    assert [await two.recv() for _ in range(5)] == [(1, b"to-two-%d" % i) for i in range(5)]
    assert [await one.recv() for _ in range(5)] == [(2, b"to-one-%d" % i) for i in range(5)]


async def test_counters_match_the_traffic(cluster: Cluster, pki: Pki, signal: LogSignal) -> None:
    one = await cluster.start(1, pki.nodes[1])
    two = await cluster.start(2, pki.nodes[2])
    await cluster.mesh(one, two)
    payloads = [b"x" * n for n in (0, 1, 1000, 70_000)]
    for payload in payloads:
        assert one.transport.send(NodeId(2), payload)
    received = [await two.recv() for _ in payloads]
    await signal.wait_until(lambda: one.peer(2).frames_sent == len(payloads))

    sent, got = one.peer(2), two.peer(1)
    assert [frame for _, frame in received] == payloads
    assert (sent.frames_sent, sent.bytes_sent) == (4, 71_001)
    assert (got.frames_received, got.bytes_received) == (4, 71_001)
    assert sent.connected
    assert got.inbound_connected
    assert (sent.connects, sent.reconnects, sent.frames_dropped) == (1, 0, 0)
    assert sent.last_error is None


async def test_three_nodes_every_pair_talks(cluster: Cluster, pki: Pki) -> None:
    nodes = [await cluster.start(i, pki.nodes[i]) for i in (1, 2, 3)]
    await cluster.mesh(*nodes)
    for src in nodes:
        for dst in nodes:
            if src is not dst:
                assert src.transport.send(dst.id, b"%d->%d" % (src.id, dst.id))

    for dst in nodes:
        got = sorted([await dst.recv(), await dst.recv()])
        expected = sorted((src.id, b"%d->%d" % (src.id, dst.id)) for src in nodes if src is not dst)
        assert got == expected


async def test_large_frame_up_to_the_limit_arrives(cluster: Cluster, pki: Pki) -> None:
    one = await cluster.start(1, pki.nodes[1], max_frame_bytes=1 << 20)
    two = await cluster.start(2, pki.nodes[2], max_frame_bytes=1 << 20)
    await cluster.mesh(one, two)
    frame = bytes(range(256)) * 4096
    assert one.transport.send(NodeId(2), frame)
    assert await two.recv() == (1, frame)


async def test_send_refuses_a_frame_above_the_limit(cluster: Cluster, pki: Pki) -> None:
    one = cluster.create(1, pki.nodes[1], max_frame_bytes=1024)
    with pytest.raises(FrameTooLarge, match="1025 bytes"):
        one.transport.send(NodeId(2), b"x" * 1025)


async def test_full_queue_drops_and_counts_then_drains_in_order(cluster: Cluster, pki: Pki) -> None:
    two = await cluster.start(2, pki.nodes[2])
    # Not started yet: frames wait in the bounded queue.
    one = cluster.create(
        1, pki.nodes[1], {NodeId(2): two.info}, queue_max_frames=3, queue_max_bytes=10
    )
    # Two only receives in this test; port 1 (nothing listens) stands in for one's address.
    await two.transport.update_peers({NodeId(1): PeerInfo("127.0.0.1", 1, one.creds.fingerprint)})

    assert one.transport.send(NodeId(2), b"aaaa")
    assert one.transport.send(NodeId(2), b"bbbb")
    assert not one.transport.send(NodeId(2), b"ccc")  # 11 bytes > 10: byte bound
    assert one.transport.send(NodeId(2), b"cc")
    assert not one.transport.send(NodeId(2), b"")  # 4th frame: count bound

    stats = one.peer(2)
    assert (stats.frames_dropped, stats.bytes_dropped) == (2, 3)
    assert (stats.queued_frames, stats.queued_bytes) == (3, 10)

    await one.transport.start()
    assert [await two.recv() for _ in range(3)] == [(1, b"aaaa"), (1, b"bbbb"), (1, b"cc")]


async def test_send_to_an_unknown_peer_is_counted_not_raised(cluster: Cluster, pki: Pki) -> None:
    one = await cluster.start(1, pki.nodes[1])
    assert not one.transport.send(NodeId(9), b"hello?")
    assert one.transport.stats().unroutable == 1


async def test_close_is_clean_and_idempotent(cluster: Cluster, pki: Pki) -> None:
    one = await cluster.start(1, pki.nodes[1])
    two = await cluster.start(2, pki.nodes[2])
    await cluster.mesh(one, two)
    assert one.transport.send(NodeId(2), b"before close")
    assert await two.recv() == (1, b"before close")
    port = one.transport.listen_port

    await one.transport.close()
    await one.transport.close()

    assert not one.transport.send(NodeId(2), b"after close")
    assert not one.peer(2).connected
    assert not one.peer(2).inbound_connected
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)
    # Unclosed sockets or transports would surface here as ResourceWarning -> error.
    gc.collect()
