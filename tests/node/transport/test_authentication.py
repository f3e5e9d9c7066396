"""Only the nodes of the peer table, each with its pinned certificate, get through.

Requirement 1 of issue 4 item 6: both sides authenticate with TLS 1.3 certificates from a
trusted org CA, the certificate must be the one pinned for the node id, and the id stated in
the hello must match it.
"""

from __future__ import annotations

import dataclasses

from node.transport import NodeId
from tests.node.transport.conftest import Pki
from tests.node.transport.harness import Cluster, LogSignal, Node


def _logged(signal: LogSignal, text: str) -> bool:
    return any(text in message for message in signal.messages())


async def _legit_pair(cluster: Cluster, pki: Pki) -> tuple[Node, Node]:
    one = await cluster.start(1, pki.nodes[1])
    two = await cluster.start(2, pki.nodes[2])
    await cluster.mesh(one, two)
    return one, two


async def _still_works(sender: Node, receiver: Node) -> None:
    assert sender.transport.send(receiver.id, b"still here")
    assert await receiver.recv() == (sender.id, b"still here")


async def test_certificate_from_an_untrusted_ca_is_refused_both_ways(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one, two = await _legit_pair(cluster, pki)
    everyone = tuple(a.pem for a in (pki.rogue, pki.org_a, pki.org_b))
    impostor = await cluster.start(3, pki.impostor, {one.id: one.info}, trusted_ca_pems=everyone)
    # Node 1 even pins the impostor's certificate: only the CA check stands in the way.
    await one.transport.update_peers({two.id: two.info, impostor.id: impostor.info})
    assert impostor.transport.send(one.id, b"let me in")

    await signal.wait_until(
        lambda: impostor.peer(1).connect_failures >= 1 and one.peer(3).connect_failures >= 1
    )
    assert one.transport.stats().inbound_refused >= 1
    assert _logged(signal, "certificate verify failed")
    assert impostor.peer(1).connects == 0
    assert not impostor.peer(1).connected
    assert one.peer(3).connects == 0
    await _still_works(two, one)
    assert one.inbox.empty()


async def test_trusted_ca_certificate_not_in_the_peer_table_is_refused(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one, two = await _legit_pair(cluster, pki)
    stranger = await cluster.start(5, pki.stranger, {one.id: one.info})
    assert stranger.transport.send(one.id, b"hello from nowhere")

    await signal.wait_until(lambda: _logged(signal, "node 5 is not in the peer table"))
    await signal.wait_until(lambda: stranger.peer(1).connect_failures >= 1)
    assert stranger.peer(1).last_error is not None
    assert stranger.peer(1).connects == 0
    await _still_works(two, one)
    assert one.inbox.empty()


async def test_claiming_another_nodes_id_is_refused(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one, two = await _legit_pair(cluster, pki)
    # Node 3 holds a valid, trusted certificate (its own) but says it is node 2.
    liar = await cluster.start(2, pki.nodes[3], {one.id: one.info})
    assert liar.transport.send(one.id, b"I am node 2")

    await signal.wait_until(lambda: _logged(signal, "is not the one pinned for node 2"))
    await signal.wait_until(lambda: liar.peer(1).connect_failures >= 1)
    assert liar.peer(1).connects == 0
    await _still_works(two, one)
    assert one.inbox.empty()


async def test_a_clone_claiming_our_own_id_is_refused(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one, _ = await _legit_pair(cluster, pki)
    clone = await cluster.start(1, pki.nodes[1], {NodeId(7): one.info})
    # The clone dials node 1 believing it is node 7 with node 1's certificate.
    await clone.transport.update_peers({NodeId(7): one.info})
    assert clone.transport.send(NodeId(7), b"mirror")

    await signal.wait_until(lambda: _logged(signal, "peer claims our own node id"))
    assert one.transport.stats().inbound_refused >= 1
    assert one.inbox.empty()


async def test_a_peer_of_another_network_is_refused(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one, two = await _legit_pair(cluster, pki)
    foreign = await cluster.start(3, pki.nodes[3], {one.id: one.info}, network_id=b"\xee" * 32)
    await one.transport.update_peers({two.id: two.info, foreign.id: foreign.info})
    assert foreign.transport.send(one.id, b"wrong chain")

    await signal.wait_until(lambda: _logged(signal, "node 3 belongs to another network"))
    await signal.wait_until(lambda: one.peer(3).connect_failures >= 1)
    # The foreign node refused us too, before answering: we only see it hang up.
    assert "closed the handshake" in (one.peer(3).last_error or "")
    await _still_works(two, one)
    assert one.inbox.empty()


async def test_dialler_refuses_a_listener_with_the_wrong_certificate(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one, _ = await _legit_pair(cluster, pki)
    three = await cluster.start(3, pki.nodes[3])
    # Node 1's table claims node 2 lives at node 3's address: node 3's certificate is not
    # node 2's pin, so node 1 must not hand it node 2's frames.
    misrouted = dataclasses.replace(three.info, expected_identity=pki.nodes[2].fingerprint)
    await one.transport.update_peers({NodeId(2): misrouted})
    assert one.transport.send(NodeId(2), b"for node 2 only")

    await signal.wait_until(lambda: one.peer(2).connect_failures >= 1)
    assert "presented certificate" in (one.peer(2).last_error or "")
    assert one.peer(2).queued_frames == 1
    assert three.inbox.empty()
