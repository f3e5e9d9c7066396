"""Bad input on the peer port is dropped and logged, and the node keeps working (issue 4
item 6): garbage where TLS is expected, TLS without a consortium certificate, a certificate
the network config does not pin, a wrong network, and — from a correctly authenticated peer —
frames that do not decode into a peer message."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from sdk.encoding import encode
from tests.e2e.conftest import registrations
from tests.e2e.harness import Cluster
from tests.e2e.peer_client import hello_as, plain_garbage, tls_session, write_identity

pytestmark = pytest.mark.e2e


def _log_size(cluster: Cluster, node_id: int) -> int:
    return cluster.nodes[node_id].log.stat().st_size


def _new_log(cluster: Cluster, node_id: int, since: int) -> str:
    with cluster.nodes[node_id].log.open("rb") as log:
        log.seek(since)
        return log.read().decode("utf-8", errors="replace")


def _logged_refusal(text: str) -> bool:
    return any(
        "WARNING" in line and ("refused" in line or "dropp" in line) for line in text.splitlines()
    )


def _assert_still_working(cluster: Cluster, target: int) -> None:
    health = cluster.health(target)
    assert health is not None
    assert health["healthy"], health
    response = cluster.submit(target, registrations(cluster).batch(1))
    assert response.status_code == 200, response.text
    cluster.wait_height(response.json()["results"][0]["receipt"]["height"])
    cluster.assert_same_chain()


Offence = Callable[[Cluster, int, int, Path], bool]
"""(cluster, target node, impersonated node, scratch folder) -> did the target hang up."""


def _garbage(c: Cluster, target: int, peer: int, scratch: Path) -> bool:
    return plain_garbage(c.nodes[target].peer_port, b"GET / HTTP/1.1\r\n\r\n" + bytes(range(256)))


def _no_certificate(c: Cluster, target: int, peer: int, scratch: Path) -> bool:
    return tls_session(
        c.nodes[target].peer_port, None, hello=hello_as(peer, c.network_id), frames=[]
    )


def _stranger_ca(c: Cluster, target: int, peer: int, scratch: Path) -> bool:
    identity = write_identity(scratch, "stranger", issuer=None)
    return tls_session(
        c.nodes[target].peer_port, identity, hello=hello_as(peer, c.network_id), frames=[]
    )


def _unpinned_certificate(c: Cluster, target: int, peer: int, scratch: Path) -> bool:
    # Issued by the impersonated node's own org CA, so TLS accepts the chain; but it is not
    # the certificate the genesis pins for that node id.
    identity = write_identity(scratch, "impostor", issuer=c.org_ca(c.nodes[peer].org))
    return tls_session(
        c.nodes[target].peer_port, identity, hello=hello_as(peer, c.network_id), frames=[]
    )


def _wrong_network(c: Cluster, target: int, peer: int, scratch: Path) -> bool:
    return tls_session(
        c.nodes[target].peer_port,
        c.node_files(peer),
        hello=hello_as(peer, bytes(32)),
        frames=[],
    )


def _frames(*payloads: bytes) -> Offence:
    def offence(c: Cluster, target: int, peer: int, scratch: Path) -> bool:
        return tls_session(
            c.nodes[target].peer_port,
            c.node_files(peer),
            hello=hello_as(peer, c.network_id),
            frames=list(payloads),
        )

    return offence


def _oversized_frame(c: Cluster, target: int, peer: int, scratch: Path) -> bool:
    # The header promises 2 GiB: refused before any payload is buffered.
    return tls_session(
        c.nodes[target].peer_port,
        c.node_files(peer),
        hello=hello_as(peer, c.network_id),
        frames=[],
        raw=struct.pack(">I", 1 << 31),
    )


OFFENCES: list[tuple[str, Offence]] = [
    ("plain bytes instead of TLS", _garbage),
    ("TLS without a client certificate", _no_certificate),
    ("a certificate from a CA outside the consortium", _stranger_ca),
    ("a consortium certificate not pinned for the node id", _unpinned_certificate),
    ("a hello for another network", _wrong_network),
    ("a frame length over the limit", _oversized_frame),
    ("a frame that is not msgpack", _frames(b"\xc1")),
    ("a frame that is not [kind, body]", _frames(encode({"kind": 0}))),
    ("a frame of an unknown kind", _frames(encode([9, []]))),
    ("a raft frame that is not a raft message", _frames(encode([0, [1, 2, 3]]))),
    ("a forward frame without transaction bytes", _frames(encode([1, [1, 2]]))),
    ("a checkpoint frame with a bad checkpoint", _frames(encode([2, [1, 2, 3]]))),
    (
        "undecodable forwarded transactions, then garbage",
        _frames(encode([1, [b"\xc1", b"not a tx"]]), b"\xc1"),
    ),
]


@pytest.mark.parametrize("offence", [o[1] for o in OFFENCES], ids=[o[0] for o in OFFENCES])
def test_bad_peer_input_is_dropped_and_the_node_keeps_working(
    three_nodes: Cluster, tmp_path: Path, offence: Offence
) -> None:
    cluster = three_nodes
    target = cluster.wait_leader()
    peer = next(n for n in cluster.ids if n != target)
    log_from = _log_size(cluster, target)

    assert offence(cluster, target, peer, tmp_path), "the node kept the connection open"

    cluster.wait_for(
        "the node logs what it refused or dropped",
        lambda: _logged_refusal(_new_log(cluster, target, log_from)),
        10.0,
    )
    _assert_still_working(cluster, target)
