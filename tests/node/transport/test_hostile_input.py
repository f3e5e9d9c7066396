"""Garbage on the peer port is dropped with a warning; legitimate peers never notice.

Requirement 2 of issue 4 item 6 and DESIGN.md "garbage on the peer port": plain TCP, bytes
that are not TLS, a first frame that is not a hello, an oversize length prefix, a truncated
frame, a frame the upper layer rejects, a client that says nothing, a flood of half-open
connections. Each is refused or dropped and counted; no exception reaches the event loop
(pytest turns an unhandled one into a failure) and the node keeps serving its peers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import AsyncIterator

import pytest

from node.transport import NodeId, PeerInfo
from node.transport.framing import HEADER, Hello, encode_frame, read_hello
from node.transport.tls import client_context
from tests.node.transport.conftest import Pki
from tests.node.transport.harness import (
    NETWORK_ID,
    SAFETY_TIMEOUT_S,
    Cluster,
    LogSignal,
    Node,
)

Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@pytest.fixture
async def pair(cluster: Cluster, pki: Pki) -> tuple[Node, Node]:
    one = await cluster.start(1, pki.nodes[1], handshake_timeout_s=0.5)
    two = await cluster.start(2, pki.nodes[2])
    table = await cluster.mesh(one, two)
    # Node 3 is in node 1's table but not running (port 1: nothing listens): hand-made
    # clients below speak as node 3 without competing with a live node 3 for the link.
    table[NodeId(3)] = PeerInfo("127.0.0.1", 1, pki.nodes[3].fingerprint)
    await one.transport.update_peers(table)
    return one, two


@contextlib.asynccontextmanager
async def raw(port: int, tls: ssl.SSLContext | None = None) -> AsyncIterator[Stream]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls)
    try:
        yield reader, writer
    finally:
        writer.close()
        # The server may have aborted the connection: a reset on our side is expected.
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await writer.wait_closed()


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sent before hanging up (it must hang up)."""
    received = b""
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        async with asyncio.timeout(SAFETY_TIMEOUT_S):
            while chunk := await reader.read(65536):
                received += chunk
    return received


def as_node(pki: Pki, node_id: int) -> ssl.SSLContext:
    """A TLS client context holding a legitimate node certificate."""
    creds = pki.nodes[node_id]
    return client_context(creds.cert_path, creds.key_path, (pki.org_a.pem, pki.org_b.pem))


async def authenticated(stream: Stream, node_id: int) -> None:
    """Do the hello exchange by hand, as node ``node_id``."""
    reader, writer = stream
    writer.write(encode_frame(Hello(NodeId(node_id), NETWORK_ID).encode()))
    await writer.drain()
    assert (await read_hello(reader)).node_id == 1


async def still_works(pair: tuple[Node, Node]) -> None:
    one, two = pair
    assert two.transport.send(one.id, b"business as usual")
    assert await one.recv() == (two.id, b"business as usual")
    assert one.transport.send(two.id, b"and back")
    assert await two.recv() == (one.id, b"and back")


def refused(node: Node) -> int:
    return node.transport.stats().inbound_refused


def dropped(node: Node) -> int:
    return node.transport.stats().inbound_dropped


def warned(signal: LogSignal, text: str) -> bool:
    return any(text in message for message in signal.messages())


async def test_plain_tcp_garbage_is_refused(pair: tuple[Node, Node], signal: LogSignal) -> None:
    one, _ = pair
    async with raw(one.transport.listen_port) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await closed_by_server(reader)
    await signal.wait_until(lambda: refused(one) == 1)
    assert warned(signal, "refused peer connection")
    await still_works(pair)


async def test_a_hello_without_tls_is_refused(pair: tuple[Node, Node], signal: LogSignal) -> None:
    one, _ = pair
    async with raw(one.transport.listen_port) as (reader, writer):
        writer.write(encode_frame(Hello(NodeId(2), NETWORK_ID).encode()))
        assert await closed_by_server(reader) == b""
    await signal.wait_until(lambda: refused(one) == 1)
    await still_works(pair)


async def test_oversize_length_instead_of_hello_is_refused(
    pair: tuple[Node, Node], pki: Pki, signal: LogSignal
) -> None:
    one, _ = pair
    async with raw(one.transport.listen_port, as_node(pki, 3)) as (reader, writer):
        writer.write(b"\xff\xff\xff\xff" + b"x" * 100)
        assert await closed_by_server(reader) == b""
    await signal.wait_until(lambda: refused(one) == 1)
    assert warned(signal, "first frame is not a hello")
    await still_works(pair)


async def test_bad_magic_in_the_hello_is_refused(
    pair: tuple[Node, Node], pki: Pki, signal: LogSignal
) -> None:
    one, _ = pair
    async with raw(one.transport.listen_port, as_node(pki, 3)) as (reader, writer):
        writer.write(encode_frame(b"JUNK" + Hello(NodeId(2), NETWORK_ID).encode()[4:]))
        assert await closed_by_server(reader) == b""
    await signal.wait_until(lambda: refused(one) == 1)
    assert warned(signal, "magic")
    await still_works(pair)


async def test_oversize_length_after_the_hello_drops_the_link(
    pair: tuple[Node, Node], pki: Pki, signal: LogSignal
) -> None:
    one, _ = pair
    async with raw(one.transport.listen_port, as_node(pki, 3)) as stream:
        await authenticated(stream, 3)
        stream[1].write(HEADER.pack(0xFFFF_FFFF))
        assert await closed_by_server(stream[0]) == b""
    await signal.wait_until(lambda: dropped(one) == 1)
    assert warned(signal, "exceeds the limit")
    assert one.inbox.empty()
    await still_works(pair)


async def test_a_frame_cut_short_drops_the_link(
    pair: tuple[Node, Node], pki: Pki, signal: LogSignal
) -> None:
    one, _ = pair
    async with raw(one.transport.listen_port, as_node(pki, 3)) as stream:
        await authenticated(stream, 3)
        stream[1].write(HEADER.pack(100) + b"y" * 10)
        await stream[1].drain()
    await signal.wait_until(lambda: dropped(one) == 1)
    assert warned(signal, "stream ended after 10 of 100 payload bytes")
    assert one.inbox.empty()
    await still_works(pair)


async def test_a_frame_the_decoder_rejects_drops_the_link_and_the_sender_redials(
    pair: tuple[Node, Node], signal: LogSignal
) -> None:
    one, two = pair
    assert two.transport.send(one.id, b"reject:not msgpack")

    await signal.wait_until(lambda: one.peer(2).frames_rejected == 1)
    await signal.wait_until(lambda: two.peer(1).reconnects == 1 and two.peer(1).connected)
    assert dropped(one) == 1
    assert warned(signal, "upper layer rejected a frame")
    assert one.inbox.empty()
    await still_works(pair)


async def test_a_crashing_frame_handler_is_logged_and_contained(
    pair: tuple[Node, Node], signal: LogSignal
) -> None:
    one, two = pair
    assert two.transport.send(one.id, b"crash:boom")

    await signal.wait_until(lambda: two.peer(1).reconnects == 1 and two.peer(1).connected)
    assert dropped(one) == 1
    assert warned(signal, "on_frame failed for a frame from node 2")
    await still_works(pair)


async def test_a_silent_client_is_dropped_after_the_handshake_timeout(
    pair: tuple[Node, Node], signal: LogSignal
) -> None:
    one, _ = pair
    async with raw(one.transport.listen_port) as (reader, _writer):
        assert await closed_by_server(reader) == b""
    await signal.wait_until(lambda: refused(one) == 1)
    assert warned(signal, "no TLS handshake and hello within 0.5 s")
    await still_works(pair)


async def test_handshake_flood_is_bounded(cluster: Cluster, pki: Pki, signal: LogSignal) -> None:
    one = await cluster.start(1, pki.nodes[1], max_pending_handshakes=1, handshake_timeout_s=5)
    async with raw(one.transport.listen_port) as _first, raw(one.transport.listen_port) as second:
        # The first connection occupies the only handshake slot; the second is shut at once.
        assert await closed_by_server(second[0]) == b""
        assert refused(one) == 1
        assert warned(signal, "too many connections still handshaking")


async def test_a_newer_connection_of_the_same_node_replaces_the_older(
    pair: tuple[Node, Node], pki: Pki, signal: LogSignal
) -> None:
    one, two = pair
    async with raw(one.transport.listen_port, as_node(pki, 2)) as stream:
        # Holding node 2's key, this client displaces the real node 2's inbound link...
        await authenticated(stream, 2)
        # ...whose sender sees the link close, redials, and displaces this client in turn.
        assert await closed_by_server(stream[0]) == b""
    await signal.wait_until(lambda: two.peer(1).reconnects == 1 and two.peer(1).connected)
    assert any("connected again" in m for m in signal.messages(logging.INFO))
    assert refused(one) == dropped(one) == 0
    await still_works(pair)
