"""A small cluster of real PeerTransports on 127.0.0.1 and event-driven waiting helpers.

Nothing here sleeps: tests wait on the inbox queue, on the end of a raw connection, or on
``wait_until``, which re-checks its condition each time the transport logs (every state
change of a link logs a line) with a generous timeout as a safety net only.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from node.transport import (
    FrameRejected,
    NodeId,
    PeerInfo,
    PeerStats,
    PeerTransport,
    TransportConfig,
)
from tests.node.transport.pki import Authority, NodeCreds

NETWORK_ID = bytes(range(32))
SAFETY_TIMEOUT_S = 10.0
REJECT_PREFIX = b"reject:"
CRASH_PREFIX = b"crash:"


class LogSignal(logging.Handler):
    """Sets an asyncio.Event on every transport log record: the tests' 'something changed'."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.changed = asyncio.Event()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.changed.set()

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(SAFETY_TIMEOUT_S):
            while not condition():
                self.changed.clear()
                await self.changed.wait()

    def messages(self, level: int = logging.WARNING) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]


@dataclass
class Node:
    id: NodeId
    creds: NodeCreds
    transport: PeerTransport
    inbox: asyncio.Queue[tuple[NodeId, bytes]] = field(default_factory=asyncio.Queue)

    @property
    def info(self) -> PeerInfo:
        return PeerInfo("127.0.0.1", self.transport.listen_port, self.creds.fingerprint)

    async def recv(self) -> tuple[NodeId, bytes]:
        return await asyncio.wait_for(self.inbox.get(), SAFETY_TIMEOUT_S)

    def peer(self, node_id: int) -> PeerStats:
        return next(p for p in self.transport.stats().peers if p.node_id == node_id)


@dataclass
class Cluster:
    trusted: tuple[Authority, ...]
    nodes: list[Node] = field(default_factory=list)

    def config(self, node_id: int, creds: NodeCreds, **overrides: Any) -> TransportConfig:
        base = TransportConfig(
            node_id=NodeId(node_id),
            cert_path=creds.cert_path,
            key_path=creds.key_path,
            trusted_ca_pems=tuple(a.pem for a in self.trusted),
            network_id=NETWORK_ID,
            backoff_base_s=0.01,
            backoff_cap_s=0.05,
            handshake_timeout_s=2.0,
        )
        return replace(base, **overrides)

    async def start(
        self,
        node_id: int,
        creds: NodeCreds,
        peers: dict[NodeId, PeerInfo] | None = None,
        **overrides: Any,
    ) -> Node:
        node = self.create(node_id, creds, peers, **overrides)
        await node.transport.start()
        return node

    def create(
        self,
        node_id: int,
        creds: NodeCreds,
        peers: dict[NodeId, PeerInfo] | None = None,
        **overrides: Any,
    ) -> Node:
        """A node whose transport is built but not started (its queues already accept)."""
        inbox: asyncio.Queue[tuple[NodeId, bytes]] = asyncio.Queue()

        async def on_frame(sender: NodeId, frame: bytes) -> None:
            if frame.startswith(REJECT_PREFIX):
                raise FrameRejected("test decoder refuses this frame")
            if frame.startswith(CRASH_PREFIX):
                raise RuntimeError("a bug in the node's frame handler")
            await inbox.put((sender, frame))

        config = self.config(node_id, creds, **overrides)
        transport = PeerTransport(config, peers or {}, on_frame, random.Random(node_id))
        node = Node(NodeId(node_id), creds, transport, inbox)
        self.nodes.append(node)
        return node

    async def mesh(self, *nodes: Node) -> dict[NodeId, PeerInfo]:
        """Give every node the same table of all of them (each skips itself)."""
        table = {n.id: n.info for n in nodes}
        for node in nodes:
            await node.transport.update_peers(table)
        return table

    async def close(self) -> None:
        for node in self.nodes:
            await node.transport.close()
