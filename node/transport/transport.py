"""PeerTransport: authenticated, bounded, self-healing byte pipes between consortium nodes.

The node core owns one PeerTransport. It calls ``send(node_id, frame)`` from any coroutine or
callback on the event loop (never blocks), receives frames through the ``on_frame`` coroutine
it passed in, replaces the peer table on membership changes with ``update_peers``, reads
``stats()`` for /health and /metrics, and ``await close()`` on shutdown. Frames are opaque:
the transport neither knows nor imports Raft or contracts (DESIGN.md, node/ peer transport).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import ssl
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from node.transport.backoff import Jitter
from node.transport.config import TransportConfig
from node.transport.errors import FrameTooLarge, PeerRefused, TransportConfigError
from node.transport.framing import Hello
from node.transport.identity import CertFingerprint, NodeId, PeerInfo, check_node_id
from node.transport.inbound import FrameHandler, InboundServer
from node.transport.outbound import OutboundLink, SendQueue
from node.transport.stats import PeerCounters, PeerStats, TransportStats
from node.transport.tls import client_context, server_context

logger = logging.getLogger(__name__)


class _State(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    CLOSED = "closed"


class _Peer:
    """Everything the transport keeps for one peer: its row, queue, counters and link."""

    __slots__ = ("counters", "info", "link", "queue", "task")

    def __init__(self, info: PeerInfo, queue: SendQueue, counters: PeerCounters) -> None:
        self.info = info
        self.queue = queue
        self.counters = counters
        self.link: OutboundLink | None = None
        self.task: asyncio.Task[None] | None = None


class PeerTransport:
    """Mutual-TLS frame transport to every peer in the table (see docs/transport.md)."""

    def __init__(
        self,
        config: TransportConfig,
        peers: Mapping[NodeId, PeerInfo],
        on_frame: FrameHandler,
        rng: Jitter,
    ) -> None:
        self._config = config
        self._rng = rng
        self._state = _State.NEW
        self._server_ctx, self._client_ctx = self._contexts(config.trusted_ca_pems)
        self._peers: dict[NodeId, _Peer] = {}
        for node_id, info in self._checked(peers).items():
            self._peers[node_id] = self._new_peer(info)
        self._unroutable = 0
        self._inbound = InboundServer(
            config,
            lambda: self._server_ctx,
            self._authenticate,
            self._counters_of,
            on_frame,
        )

    async def __aenter__(self) -> PeerTransport:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def listen_port(self) -> int:
        """The bound port (useful with ``listen_port=0``); 0 before ``start``."""
        return self._inbound.port

    async def start(self) -> None:
        """Listen, then start dialling every peer. Raises TransportConfigError if it cannot bind."""
        if self._state is not _State.NEW:
            raise TransportConfigError(f"transport is {self._state.value}; start it only once")
        await self._inbound.start()
        self._state = _State.RUNNING
        for node_id, peer in self._peers.items():
            self._start_link(node_id, peer)

    def send(self, node_id: NodeId, frame: bytes) -> bool:
        """Queue ``frame`` for ``node_id``; False if it was dropped. Never blocks.

        Dropped means: unknown peer, transport closed, or the peer's queue is full. Raises
        FrameTooLarge for a frame the receiver would refuse anyway (a caller bug).
        """
        if len(frame) > self._config.max_frame_bytes:
            raise FrameTooLarge(
                f"frame of {len(frame)} bytes exceeds max_frame_bytes "
                f"{self._config.max_frame_bytes}"
            )
        peer = self._peers.get(node_id)
        if peer is None or self._state is _State.CLOSED:
            self._unroutable += 1
            return False
        if peer.queue.offer(frame):
            return True
        peer.counters.frames_dropped += 1
        peer.counters.bytes_dropped += len(frame)
        return False

    async def update_peers(
        self,
        peers: Mapping[NodeId, PeerInfo],
        *,
        trusted_ca_pems: tuple[str, ...] | None = None,
    ) -> None:
        """Replace the peer table (membership change); returns once removed peers are cut off.

        Removed peers: queue discarded, both connections closed, new connections refused.
        Peers whose address or pin changed: redialled (queue kept); a changed pin also closes
        their inbound link. New peers: dialled. ``trusted_ca_pems``, when given, replaces the
        CA set for connections made from now on.
        """
        table = self._checked(peers)
        if trusted_ca_pems is not None:
            self._server_ctx, self._client_ctx = self._contexts(trusted_ca_pems)
        old = self._peers
        # Swap first: a handshake that completes while we tear down already sees the new table.
        self._peers = {
            node_id: old[node_id] if node_id in old else self._new_peer(info)
            for node_id, info in table.items()
        }
        for node_id in sorted(old.keys() - table.keys()):
            await self._stop_link(old[node_id])
            await self._inbound.disconnect(node_id)
            logger.info("node %d left the peer table; its links are closed", node_id)
        for node_id, info in sorted(table.items()):
            await self._apply_row(node_id, self._peers[node_id], info, fresh=node_id not in old)

    async def _apply_row(
        self, node_id: NodeId, peer: _Peer, info: PeerInfo, *, fresh: bool
    ) -> None:
        if not fresh and info == peer.info:
            return
        if not fresh:
            await self._stop_link(peer)
            if info.expected_identity != peer.info.expected_identity:
                await self._inbound.disconnect(node_id)
            peer.info = info
        if self._state is _State.RUNNING:
            self._start_link(node_id, peer)

    def stats(self) -> TransportStats:
        """A consistent snapshot of every counter (call it on the event loop)."""
        return TransportStats(
            node_id=self._config.node_id,
            listen_port=self.listen_port,
            peers=tuple(self._peer_stats(n, p) for n, p in sorted(self._peers.items())),
            inbound_refused=self._inbound.refused,
            inbound_dropped=self._inbound.dropped,
            unroutable=self._unroutable,
        )

    async def close(self) -> None:
        """Stop listening, close every connection and task. Idempotent."""
        if self._state is _State.CLOSED:
            return
        self._state = _State.CLOSED
        await self._inbound.close()
        for peer in self._peers.values():
            await self._stop_link(peer)

    # -- internals ---------------------------------------------------------------------------

    def _contexts(self, trusted: tuple[str, ...]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
        if not trusted:
            raise TransportConfigError("no trusted CA certificates: no peer could authenticate")
        cert, key = Path(self._config.cert_path), Path(self._config.key_path)
        return server_context(cert, key, trusted), client_context(cert, key, trusted)

    def _checked(self, peers: Mapping[NodeId, PeerInfo]) -> dict[NodeId, PeerInfo]:
        """The table without ourselves (the node may pass the whole genesis list)."""
        table: dict[NodeId, PeerInfo] = {}
        for node_id, info in peers.items():
            if not isinstance(info, PeerInfo):
                raise TransportConfigError(f"peer {node_id!r}: expected PeerInfo, got {info!r}")
            if check_node_id(node_id) != self._config.node_id:
                table[node_id] = info
        return table

    def _new_peer(self, info: PeerInfo) -> _Peer:
        queue = SendQueue(self._config.queue_max_frames, self._config.queue_max_bytes)
        return _Peer(info, queue, PeerCounters())

    def _start_link(self, node_id: NodeId, peer: _Peer) -> None:
        peer.link = OutboundLink(
            self._config,
            node_id,
            peer.info,
            peer.queue,
            peer.counters,
            lambda: self._client_ctx,
            self._rng,
        )
        peer.task = asyncio.create_task(peer.link.run(), name=f"peer-link-{node_id}")

    async def _stop_link(self, peer: _Peer) -> None:
        if peer.task is not None:
            peer.task.cancel()
            await asyncio.wait({peer.task})
        peer.task = None
        peer.link = None

    def _authenticate(self, hello: Hello, fingerprint: CertFingerprint) -> NodeId:
        """The pinning rule (identity.py): the claimed id must map to exactly this certificate."""
        if hello.network_id != self._config.network_id:
            raise PeerRefused(f"node {hello.node_id} belongs to another network")
        if hello.node_id == self._config.node_id:
            raise PeerRefused("peer claims our own node id")
        peer = self._peers.get(hello.node_id)
        if peer is None:
            raise PeerRefused(f"node {hello.node_id} is not in the peer table")
        if fingerprint != peer.info.expected_identity:
            raise PeerRefused(
                f"certificate {fingerprint[:16]}… is not the one pinned for node {hello.node_id}"
            )
        return hello.node_id

    def _counters_of(self, node_id: NodeId) -> PeerCounters | None:
        peer = self._peers.get(node_id)
        return None if peer is None else peer.counters

    def _peer_stats(self, node_id: NodeId, peer: _Peer) -> PeerStats:
        c = peer.counters
        return PeerStats(
            node_id=node_id,
            connected=peer.link is not None and peer.link.connected,
            inbound_connected=self._inbound.is_connected(node_id),
            last_error=c.last_error,
            frames_sent=c.frames_sent,
            bytes_sent=c.bytes_sent,
            frames_received=c.frames_received,
            bytes_received=c.bytes_received,
            frames_dropped=c.frames_dropped,
            bytes_dropped=c.bytes_dropped,
            frames_rejected=c.frames_rejected,
            queued_frames=len(peer.queue),
            queued_bytes=peer.queue.queued_bytes,
            connects=c.connects,
            reconnects=c.reconnects,
            connect_failures=c.connect_failures,
        )
