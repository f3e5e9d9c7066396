"""TLS contexts for the peer link: TLS 1.3 only, both sides present and verify certificates.

Chain verification (the org CA signed it, it is in its validity period) is OpenSSL's job;
host names are not checked because node addresses are operator-chosen and often IPs. The
certificate pin (identity.py) replaces the host-name check and is stricter: it names the one
certificate a node id may use. Session tickets are off so every connection presents a
certificate to pin (a resumed session would not).

Node certificates must therefore allow both TLS roles: if they carry an Extended Key Usage
extension it must list serverAuth and clientAuth, since every node dials and accepts.
"""

from __future__ import annotations

import ssl
from asyncio import BaseTransport
from pathlib import Path

from node.transport.errors import PeerRefused, TransportConfigError
from node.transport.identity import CertFingerprint, fingerprint_der


def server_context(cert: Path, key: Path, trusted_ca_pems: tuple[str, ...]) -> ssl.SSLContext:
    context = _context(ssl.PROTOCOL_TLS_SERVER, cert, key, trusted_ca_pems)
    context.num_tickets = 0
    return context


def client_context(cert: Path, key: Path, trusted_ca_pems: tuple[str, ...]) -> ssl.SSLContext:
    context = _context(ssl.PROTOCOL_TLS_CLIENT, cert, key, trusted_ca_pems)
    context.check_hostname = False
    return context


def _context(
    protocol: int, cert: Path, key: Path, trusted_ca_pems: tuple[str, ...]
) -> ssl.SSLContext:
    context = ssl.SSLContext(protocol)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    context.verify_mode = ssl.CERT_REQUIRED
    context.options |= ssl.OP_NO_TICKET
    try:
        context.load_cert_chain(certfile=cert, keyfile=key)
    except (OSError, ssl.SSLError) as exc:
        raise TransportConfigError(
            f"cannot load node certificate {cert} / key {key}: {exc}"
        ) from exc
    try:
        context.load_verify_locations(cadata="\n".join(trusted_ca_pems))
    except (ssl.SSLError, ValueError) as exc:
        raise TransportConfigError(f"trusted CA certificates are not valid PEM: {exc}") from exc
    return context


def peer_fingerprint(transport: BaseTransport) -> CertFingerprint:
    """The pin of the certificate the peer presented in this TLS session."""
    ssl_object = transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
        raise PeerRefused("connection is not TLS")
    der = ssl_object.getpeercert(binary_form=True)
    if der is None:
        raise PeerRefused("peer presented no certificate")
    return fingerprint_der(der)
