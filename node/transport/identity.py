"""Who a peer is: its node id, where to dial it, and the certificate it must present.

The pinning rule: a peer is identified by the SHA-256 of its X.509 certificate's DER encoding
(``CertFingerprint``, lower-case hex). A CA signature only says "some member of a consortium
org"; the network config names each node's certificate, so a peer whose certificate is not in
the peer table is refused even when its CA is trusted. Renewing a node certificate therefore
means a peer-table update (a membership change), which is the intent: the consortium decides
which machines speak for a node id.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import NewType

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from node.transport.errors import TransportConfigError

NodeId = NewType("NodeId", int)
"""A node's id in the network config (genesis ``nodes[].id``), unsigned 64-bit."""

CertFingerprint = NewType("CertFingerprint", str)
"""SHA-256 of a certificate's DER encoding, 64 lower-case hex digits."""

MAX_NODE_ID = (1 << 64) - 1
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def fingerprint_der(der: bytes) -> CertFingerprint:
    return CertFingerprint(hashlib.sha256(der).hexdigest())


def cert_fingerprint(cert_pem: str | bytes) -> CertFingerprint:
    """The pin of a PEM certificate, as the genesis file carries it (``nodes[].cert_pem``)."""
    data = cert_pem.encode("ascii") if isinstance(cert_pem, str) else cert_pem
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise TransportConfigError(f"not a PEM X.509 certificate: {exc}") from exc
    return fingerprint_der(cert.public_bytes(Encoding.DER))


def check_node_id(node_id: int) -> NodeId:
    """Node ids travel as u64 in the hello frame; anything else is a config error."""
    if isinstance(node_id, bool) or not 0 <= node_id <= MAX_NODE_ID:
        raise TransportConfigError(f"node id {node_id!r} is not an unsigned 64-bit integer")
    return NodeId(node_id)


@dataclass(frozen=True, slots=True)
class PeerInfo:
    """One row of the peer table: where to dial node ``id`` and which certificate it holds."""

    host: str
    port: int
    expected_identity: CertFingerprint

    def __post_init__(self) -> None:
        if not self.host:
            raise TransportConfigError("peer host is empty")
        if not 1 <= self.port <= 65535:
            raise TransportConfigError(f"peer port {self.port} is outside 1..65535")
        if not _HEX64.match(self.expected_identity):
            raise TransportConfigError(
                "expected_identity must be the certificate's SHA-256 as 64 lower-case hex digits"
            )
