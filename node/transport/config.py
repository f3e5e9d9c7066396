"""The transport's settings: identity, trust, listen address and the limits that bound memory.

Defaults follow issue 4 item 6: 16 MiB frames, a per-peer queue bounded by count and bytes,
reconnect back-off capped at 2 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from node.transport.errors import TransportConfigError
from node.transport.framing import NETWORK_ID_BYTES
from node.transport.identity import NodeId, check_node_id

MiB = 1 << 20


@dataclass(frozen=True, slots=True)
class TransportConfig:
    node_id: NodeId
    cert_path: Path
    """This node's certificate (PEM), issued by its org CA; Ed25519 key."""
    key_path: Path
    """This node's private key (PEM, unencrypted PKCS#8)."""
    trusted_ca_pems: tuple[str, ...]
    """Every consortium org's CA certificate (PEM), from the genesis file."""
    network_id: bytes
    """32 bytes naming the network (the genesis hash): peers of another network are refused."""
    listen_host: str = "127.0.0.1"
    listen_port: int = 0
    """0 picks a free port; read it back from ``PeerTransport.listen_port``."""
    max_frame_bytes: int = 16 * MiB
    queue_max_frames: int = 4096
    queue_max_bytes: int = 64 * MiB
    backoff_base_s: float = 0.05
    backoff_cap_s: float = 2.0
    connect_timeout_s: float = 5.0
    """Dialling: TCP connect, TLS handshake and the hello exchange together."""
    handshake_timeout_s: float = 5.0
    """Accepting: TLS handshake, then the hello; a silent or slow client is dropped after it."""
    write_timeout_s: float = 10.0
    """A connection whose socket accepts nothing for this long is presumed dead and redialled."""
    close_timeout_s: float = 1.0
    """How long a closing connection waits for the peer's TLS close_notify before aborting."""
    max_pending_handshakes: int = 64
    """Inbound connections still in TLS/hello at once; beyond it new ones are closed at once."""

    def __post_init__(self) -> None:
        check_node_id(self.node_id)
        if len(self.network_id) != NETWORK_ID_BYTES:
            raise TransportConfigError(f"network_id must be {NETWORK_ID_BYTES} bytes")
        if not self.trusted_ca_pems:
            raise TransportConfigError("no trusted CA certificates: no peer could authenticate")
        if not 0 <= self.listen_port <= 65535:
            raise TransportConfigError(f"listen_port {self.listen_port} is outside 0..65535")
        self._check_limits()

    def _check_limits(self) -> None:
        positive = {
            "max_frame_bytes": self.max_frame_bytes,
            "queue_max_frames": self.queue_max_frames,
            "queue_max_bytes": self.queue_max_bytes,
            "backoff_base_s": self.backoff_base_s,
            "backoff_cap_s": self.backoff_cap_s,
            "connect_timeout_s": self.connect_timeout_s,
            "handshake_timeout_s": self.handshake_timeout_s,
            "write_timeout_s": self.write_timeout_s,
            "close_timeout_s": self.close_timeout_s,
            "max_pending_handshakes": self.max_pending_handshakes,
        }
        for name, value in positive.items():
            if not value > 0:
                raise TransportConfigError(f"{name} must be positive, got {value!r}")
        if self.max_frame_bytes >= 1 << 32:
            raise TransportConfigError("max_frame_bytes must fit the 32-bit length prefix")
        if self.backoff_cap_s < self.backoff_base_s:
            raise TransportConfigError("backoff_cap_s must be at least backoff_base_s")
