"""Membership changes and restarts: update_peers cuts off, adds and redirects peers; a link
to a restarted peer heals by itself (requirements 1 and 3 of issue 4 item 6)."""

from __future__ import annotations

from node.transport import NodeId
from tests.node.transport.conftest import Pki
from tests.node.transport.harness import Cluster, LogSignal


def _warned(signal: LogSignal, text: str) -> bool:
    return any(text in message for message in signal.messages())


async def test_update_peers_removes_a_peer(cluster: Cluster, pki: Pki, signal: LogSignal) -> None:
    one, two, three = [await cluster.start(i, pki.nodes[i]) for i in (1, 2, 3)]
    table = await cluster.mesh(one, two, three)
    assert two.transport.send(one.id, b"member")
    assert await one.recv() == (2, b"member")

    await one.transport.update_peers({k: v for k, v in table.items() if k != 2})

    assert [p.node_id for p in one.transport.stats().peers] == [3]
    assert not one.transport.send(NodeId(2), b"gone")
    assert one.transport.stats().unroutable == 1
    # Node 1 closed both directions; node 2's redial is now refused at the handshake.
    await signal.wait_until(lambda: not two.peer(1).inbound_connected)
    await signal.wait_until(lambda: _warned(signal, "node 2 is not in the peer table"))
    await signal.wait_until(lambda: two.peer(1).connect_failures >= 1)
    assert not two.peer(1).connected
    assert two.transport.send(one.id, b"let me back in")
    assert three.transport.send(one.id, b"still a member")
    assert await one.recv() == (3, b"still a member")
    assert one.inbox.empty()

    # Re-admitted, node 2's queued frame finally goes through.
    await one.transport.update_peers(table)
    assert await one.recv() == (2, b"let me back in")


async def test_reconnect_after_the_peer_restarts(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one = await cluster.start(1, pki.nodes[1])
    two = await cluster.start(2, pki.nodes[2])
    table = await cluster.mesh(one, two)
    assert one.transport.send(two.id, b"first life")
    assert await two.recv() == (1, b"first life")
    port = two.transport.listen_port

    await two.transport.close()
    await signal.wait_until(lambda: one.peer(2).connect_failures >= 1)
    assert not one.peer(2).connected
    assert one.peer(2).last_error is not None
    assert one.transport.send(two.id, b"while you were out")

    reborn = await cluster.start(2, pki.nodes[2], table, listen_port=port)
    assert await reborn.recv() == (1, b"while you were out")
    assert reborn.transport.send(one.id, b"back")
    assert await one.recv() == (2, b"back")
    await signal.wait_until(lambda: one.peer(2).connected)
    assert one.peer(2).reconnects == 1
    assert one.peer(2).last_error is None


async def test_update_peers_follows_a_peer_to_its_new_address(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one = await cluster.start(1, pki.nodes[1])
    two = await cluster.start(2, pki.nodes[2])
    table = await cluster.mesh(one, two)
    await two.transport.close()

    moved = await cluster.start(2, pki.nodes[2], table)
    assert moved.transport.listen_port != table[NodeId(2)].port
    await one.transport.update_peers({NodeId(2): moved.info})
    assert one.transport.send(moved.id, b"found you")
    assert await moved.recv() == (1, b"found you")


async def test_update_peers_can_extend_the_trusted_cas(
    cluster: Cluster, pki: Pki, signal: LogSignal
) -> None:
    one = await cluster.start(1, pki.nodes[1])
    everyone = tuple(a.pem for a in (pki.org_a, pki.org_b, pki.rogue))
    newcomer = await cluster.start(3, pki.impostor, {one.id: one.info}, trusted_ca_pems=everyone)
    await one.transport.update_peers({newcomer.id: newcomer.info})
    await signal.wait_until(lambda: newcomer.peer(1).connect_failures >= 1)

    # The consortium admits the new organisation: its CA becomes trusted.
    await one.transport.update_peers({newcomer.id: newcomer.info}, trusted_ca_pems=everyone)
    assert newcomer.transport.send(one.id, b"welcome")
    assert await one.recv() == (3, b"welcome")
