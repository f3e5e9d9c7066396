"""A hand-driven client of a node's peer port, for feeding it what real peers never send.

It speaks the transport's wire format (docs/transport.md): TLS 1.3 with a client
certificate, a 45-byte hello, then 4-byte length-prefixed frames. Each helper opens one
connection, misbehaves in one way and reports whether the node hung up on it.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from node.transport.framing import HELLO_BYTES, Hello, encode_frame
from node.transport.identity import NodeId
from sdk import pki
from sdk.keys import SigningKey

HANG_UP_TIMEOUT_S: Final = 10.0


def write_identity(
    directory: Path, name: str, *, issuer: tuple[Path, SigningKey] | None
) -> tuple[Path, Path]:
    """A node certificate and PEM key in ``directory``: issued by ``issuer`` (an org CA), or
    by a CA of its own that no consortium knows when ``issuer`` is None."""
    now = datetime.now(UTC)
    since, until = now - timedelta(hours=1), now + timedelta(days=1)
    if issuer is None:
        ca_key = SigningKey.generate()
        ca_cert = pki.create_org_ca("stranger", ca_key, not_before=since, not_after=until)
    else:
        ca_cert, ca_key = pki.load_certificate(issuer[0]), issuer[1]
    key = SigningKey.generate()
    cert = pki.issue_node_certificate(
        ca_cert,
        ca_key,
        key.public_key,
        name=name,
        hosts=["127.0.0.1"],
        not_before=since,
        not_after=until,
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    pki.save_certificate(cert_path, cert)
    key_path.write_bytes(
        Ed25519PrivateKey.from_private_bytes(key.seed).private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    return cert_path, key_path


def client_context(identity: tuple[Path, Path] | None) -> ssl.SSLContext:
    """TLS 1.3 that trusts whatever the node presents (the node is not under test here)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if identity is not None:
        context.load_cert_chain(certfile=identity[0], keyfile=identity[1])
    return context


def hung_up(sock: socket.socket | ssl.SSLSocket) -> bool:
    """True once the node closes the connection (EOF, reset or a TLS alert)."""
    sock.settimeout(HANG_UP_TIMEOUT_S)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except (ConnectionError, ssl.SSLError, OSError):
        return True
    return True


def plain_garbage(port: int, payload: bytes) -> bool:
    """Plain TCP bytes where TLS is expected."""
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_UP_TIMEOUT_S) as sock:
        sock.sendall(payload)
        return hung_up(sock)


def tls_session(
    port: int,
    identity: tuple[Path, Path] | None,
    *,
    hello: Hello | None,
    frames: list[bytes],
    raw: bytes = b"",
) -> bool:
    """Connect with ``identity`` (None: no client certificate), send ``hello``, the frame
    payloads and then ``raw`` bytes as they are; True if the node hung up.

    A TLS refusal may surface during the handshake or at the first read (in TLS 1.3 the
    server checks the client's certificate after the client thinks the handshake is done).
    """
    tcp = socket.create_connection(("127.0.0.1", port), timeout=HANG_UP_TIMEOUT_S)
    try:
        try:
            sock = client_context(identity).wrap_socket(tcp)
        except (ssl.SSLError, ConnectionError):
            return True
        with sock:
            try:
                if hello is not None:
                    sock.sendall(encode_frame(hello.encode()))
                    reply = _read_exactly(sock, 4 + HELLO_BYTES)
                    if reply is None:
                        return True
                for payload in frames:
                    sock.sendall(encode_frame(payload))
                if raw:
                    sock.sendall(raw)
            except (ssl.SSLError, ConnectionError):
                return True
            return hung_up(sock)
    finally:
        with contextlib.suppress(OSError):
            tcp.close()


def _read_exactly(sock: ssl.SSLSocket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def hello_as(node_id: int, network_id: bytes) -> Hello:
    return Hello(NodeId(node_id), network_id)
