"""Configuration errors surface at construction with a message that names the problem."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from node.transport import (
    CertFingerprint,
    NodeId,
    PeerInfo,
    PeerTransport,
    TransportConfig,
    TransportConfigError,
    cert_fingerprint,
)
from tests.node.transport.conftest import Pki
from tests.node.transport.harness import NETWORK_ID, Cluster

PIN = CertFingerprint("ab" * 32)


async def _ignore(sender: NodeId, frame: bytes) -> None:
    del sender, frame


def test_fingerprint_is_sha256_of_the_der(pki: Pki) -> None:
    pem = pki.nodes[1].cert_path.read_bytes()
    der = x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)
    assert cert_fingerprint(pem) == hashlib.sha256(der).hexdigest() == pki.nodes[1].fingerprint
    assert cert_fingerprint(pem.decode("ascii")) == pki.nodes[1].fingerprint


def test_fingerprint_of_garbage_is_a_config_error() -> None:
    with pytest.raises(TransportConfigError, match=r"not a PEM X\.509 certificate"):
        cert_fingerprint("not a certificate")


@pytest.mark.parametrize(
    ("host", "port", "pin", "message"),
    [
        ("", 7052, PIN, "host is empty"),
        ("127.0.0.1", 0, PIN, "outside 1..65535"),
        ("127.0.0.1", 7052, CertFingerprint("AB" * 32), "64 lower-case hex"),
        ("127.0.0.1", 7052, CertFingerprint("ab" * 31), "64 lower-case hex"),
    ],
)
def test_peer_info_is_validated(host: str, port: int, pin: CertFingerprint, message: str) -> None:
    with pytest.raises(TransportConfigError, match=message):
        PeerInfo(host, port, pin)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"network_id": b"short"}, "network_id must be 32 bytes"),
        ({"trusted_ca_pems": ()}, "no trusted CA"),
        ({"node_id": NodeId(-1)}, "unsigned 64-bit"),
        ({"listen_port": 70000}, "listen_port"),
        ({"max_frame_bytes": 0}, "max_frame_bytes must be positive"),
        ({"max_frame_bytes": 1 << 32}, "32-bit length prefix"),
        ({"backoff_base_s": 3.0, "backoff_cap_s": 2.0}, "backoff_cap_s"),
        ({"queue_max_frames": 0}, "queue_max_frames must be positive"),
    ],
)
def test_transport_config_is_validated(
    cluster: Cluster, pki: Pki, change: dict[str, object], message: str
) -> None:
    config = cluster.config(1, pki.nodes[1])
    with pytest.raises(TransportConfigError, match=message):
        dataclasses.replace(config, **change)  # type: ignore[arg-type]


def test_missing_key_file_is_a_config_error(cluster: Cluster, pki: Pki, tmp_path: Path) -> None:
    config = dataclasses.replace(cluster.config(1, pki.nodes[1]), key_path=tmp_path / "nope.key")
    with pytest.raises(TransportConfigError, match="cannot load node certificate"):
        PeerTransport(config, {}, _ignore, random.Random(1))


def test_bad_ca_bundle_is_a_config_error(cluster: Cluster, pki: Pki) -> None:
    config = dataclasses.replace(cluster.config(1, pki.nodes[1]), trusted_ca_pems=("junk",))
    with pytest.raises(TransportConfigError, match="trusted CA certificates"):
        PeerTransport(config, {}, _ignore, random.Random(1))


def test_peer_table_rows_must_be_peer_info(cluster: Cluster, pki: Pki) -> None:
    config = cluster.config(1, pki.nodes[1])
    with pytest.raises(TransportConfigError, match="expected PeerInfo"):
        PeerTransport(config, {NodeId(2): ("127.0.0.1", 1)}, _ignore, random.Random(1))  # type: ignore[dict-item]


async def test_own_row_in_the_table_is_skipped(cluster: Cluster, pki: Pki) -> None:
    own = PeerInfo("127.0.0.1", 1, pki.nodes[1].fingerprint)
    other = PeerInfo("127.0.0.1", 1, pki.nodes[2].fingerprint)
    node = cluster.create(1, pki.nodes[1], {NodeId(1): own, NodeId(2): other})
    assert [p.node_id for p in node.transport.stats().peers] == [2]


async def test_start_twice_is_refused(cluster: Cluster, pki: Pki) -> None:
    node = await cluster.start(1, pki.nodes[1])
    with pytest.raises(TransportConfigError, match="start it only once"):
        await node.transport.start()


async def test_a_busy_port_is_a_config_error(cluster: Cluster, pki: Pki) -> None:
    first = await cluster.start(1, pki.nodes[1])
    second = cluster.create(2, pki.nodes[2], listen_port=first.transport.listen_port)
    with pytest.raises(TransportConfigError, match="cannot listen"):
        await second.transport.start()


def test_network_id_constant_matches_the_hello() -> None:
    assert len(NETWORK_ID) == 32
    with pytest.raises(TransportConfigError):
        TransportConfig(
            node_id=NodeId(1),
            cert_path=Path("x"),
            key_path=Path("y"),
            trusted_ca_pems=("pem",),
            network_id=b"",
        )
