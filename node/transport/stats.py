"""Counters per peer and their frozen snapshot, as the node shows them in /health and /metrics.

Counters are plain ints mutated only from the event loop thread, so a snapshot taken there is
consistent without locks.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.transport.identity import NodeId


@dataclass(frozen=True, slots=True)
class PeerStats:
    node_id: NodeId
    connected: bool
    """The outbound link is up: frames sent now go out without waiting for a dial."""
    inbound_connected: bool
    """The peer's own link to us is up (we receive over it)."""
    last_error: str | None
    """Why the latest dial or connection failed; None once a link is up again."""
    frames_sent: int
    bytes_sent: int
    frames_received: int
    bytes_received: int
    frames_dropped: int
    """Frames refused by ``send`` because the peer's queue was full (back-pressure), plus
    frames already handed to a connection that broke before the socket took them."""
    bytes_dropped: int
    frames_rejected: int
    """Inbound frames the upper layer could not decode (each dropped the connection)."""
    queued_frames: int
    queued_bytes: int
    connects: int
    """Outbound links established (handshake completed)."""
    reconnects: int
    """Outbound links established after a previous one was lost."""
    connect_failures: int


@dataclass(frozen=True, slots=True)
class TransportStats:
    node_id: NodeId
    listen_port: int
    peers: tuple[PeerStats, ...]
    """One entry per peer in the current table, ordered by node id."""
    inbound_refused: int
    """Inbound connections dropped before or at the hello: TLS failure, garbage, unknown or
    unpinned certificate, wrong node id or network, too many pending handshakes."""
    inbound_dropped: int
    """Authenticated inbound connections dropped later: oversize or truncated frames,
    frames rejected by the upper layer, unexpected EOF inside a frame."""
    unroutable: int
    """Frames passed to ``send`` for a node id not in the peer table."""


class PeerCounters:
    """The mutable side of PeerStats, owned by the transport."""

    __slots__ = (
        "bytes_dropped",
        "bytes_received",
        "bytes_sent",
        "connect_failures",
        "connects",
        "frames_dropped",
        "frames_received",
        "frames_rejected",
        "frames_sent",
        "last_error",
        "reconnects",
    )

    def __init__(self) -> None:
        self.frames_sent = 0
        self.bytes_sent = 0
        self.frames_received = 0
        self.bytes_received = 0
        self.frames_dropped = 0
        self.bytes_dropped = 0
        self.frames_rejected = 0
        self.connects = 0
        self.reconnects = 0
        self.connect_failures = 0
        self.last_error: str | None = None
