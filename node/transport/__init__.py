"""The node's peer transport: mutual-TLS 1.3 TCP links carrying opaque length-prefixed frames.

Public API (details in docs/transport.md):

    PeerTransport(config, peers, on_frame, rng)
        await start() / send(node_id, frame) -> bool / await update_peers(peers)
        stats() -> TransportStats / await close()
    TransportConfig, PeerInfo, NodeId, CertFingerprint, cert_fingerprint(pem)
    PeerStats, TransportStats, FrameHandler, Jitter
    errors: TransportError and its subclasses
"""

from node.transport.backoff import Jitter, backoff_delay
from node.transport.config import TransportConfig
from node.transport.errors import (
    FrameRejected,
    FrameTooLarge,
    PeerRefused,
    ProtocolViolation,
    TransportConfigError,
    TransportError,
)
from node.transport.framing import HELLO_BYTES, NETWORK_ID_BYTES, PROTOCOL_VERSION
from node.transport.identity import CertFingerprint, NodeId, PeerInfo, cert_fingerprint
from node.transport.inbound import FrameHandler
from node.transport.stats import PeerStats, TransportStats
from node.transport.transport import PeerTransport

__all__ = [
    "HELLO_BYTES",
    "NETWORK_ID_BYTES",
    "PROTOCOL_VERSION",
    "CertFingerprint",
    "FrameHandler",
    "FrameRejected",
    "FrameTooLarge",
    "Jitter",
    "NodeId",
    "PeerInfo",
    "PeerRefused",
    "PeerStats",
    "PeerTransport",
    "ProtocolViolation",
    "TransportConfig",
    "TransportConfigError",
    "TransportError",
    "TransportStats",
    "backoff_delay",
    "cert_fingerprint",
]
