"""Five nodes: losing the leader, and a minority cut off from the majority."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import FIVE_ORGS, registrations, running_cluster
from tests.e2e.harness import Cluster

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def five_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = running_cluster(tmp_path_factory.mktemp("five"), FIVE_ORGS, {})
    yield cluster
    cluster.close()


@pytest.fixture
def healthy_five(five_nodes: Cluster) -> Cluster:
    """The shared network with every node running and agreeing (whatever a test left)."""
    for node_id in five_nodes.ids:
        if five_nodes.nodes[node_id].paused:
            five_nodes.resume(node_id)
        if not five_nodes.nodes[node_id].running:
            five_nodes.start(node_id)
    five_nodes.wait_leader()
    five_nodes.wait_converged()
    return five_nodes


def _commit(cluster: Cluster, node_id: int, count: int = 2) -> int:
    """Submit ``count`` registrations through ``node_id``; the height they committed at."""
    response = cluster.submit(node_id, registrations(cluster).batch(count))
    assert response.status_code == 200, response.text
    receipts = [item["receipt"] for item in response.json()["results"]]
    assert all(r["state"] == "committed" and r["code"] == "ok" for r in receipts), receipts
    return max(int(r["height"]) for r in receipts)


def test_the_cluster_survives_its_leader_and_the_leader_catches_up(healthy_five: Cluster) -> None:
    cluster = healthy_five
    old_leader = cluster.wait_leader()
    _commit(cluster, old_leader)

    cluster.kill(old_leader)
    survivors = [n for n in cluster.ids if n != old_leader]
    new_leader = cluster.wait_leader(survivors)
    assert new_leader != old_leader
    height = _commit(cluster, survivors[0], count=3)
    height = max(height, _commit(cluster, new_leader, count=3))
    cluster.wait_height(height, survivors)

    cluster.start(old_leader)
    cluster.wait_height(height)
    cluster.wait_leader()
    after_restart = _commit(cluster, old_leader)
    cluster.wait_height(after_restart)
    chain = cluster.assert_same_chain()
    assert chain.height >= after_restart


def test_a_minority_cannot_commit_and_converges_after_the_partition(
    healthy_five: Cluster,
) -> None:
    cluster = healthy_five
    leader = cluster.wait_leader()
    # Cut the leader and two more off (SIGSTOP: they hold their sockets but say nothing);
    # the two left are a minority of five.
    majority = [leader, *[n for n in cluster.ids if n != leader][:2]]
    minority = [n for n in cluster.ids if n not in majority]
    known = registrations(cluster).one()
    assert cluster.submit(leader, [known]).status_code == 200
    known_product = known.tx.args["product_key"]
    height_before = cluster.wait_converged()
    for node_id in majority:
        cluster.pause(node_id)

    # Right after the cut a minority node may still believe in the old leader: it admits the
    # transactions and forwards them, but the wait runs out with nothing committed.
    factory = registrations(cluster)
    stranded: list[str] = []
    for node_id in minority:
        txs = factory.batch(2)
        response = cluster.submit(node_id, txs, timeout_s=2.0)
        document = response.json()
        if response.status_code == 202:
            assert {i["receipt"]["state"] for i in document["results"]} == {"pending"}, document
            stranded += [tx.tx_id.hex() for tx in txs]
        else:
            assert response.status_code == 503, response.text
            assert document["error"]["code"] == "node.no_leader", document
    # Soon neither names a leader, and a submission is refused outright.
    cluster.wait_for(
        "the minority notices it has no leader",
        lambda: all(
            (h := cluster.health(n)) is not None and h["leader_id"] is None for n in minority
        ),
        30.0,
    )
    for node_id in minority:
        response = cluster.submit(node_id, factory.batch(1), timeout_s=2.0)
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "node.no_leader"
        assert response.headers["retry-after"]
        health = cluster.health(node_id)
        assert health is not None
        assert health["height"] == height_before, health
        assert not health["healthy"]
        assert health["error"]["code"] == "node.no_leader", health
        # Reads: linearizable ones cannot be confirmed without a leader; stale ones answer.
        path = f"/v1/state/trace/product/{known_product}"
        refused = cluster.get(node_id, path)
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] in ("node.no_leader", "node.not_current")
        stale = cluster.get(node_id, path, consistency="stale")
        assert stale.status_code == 200, stale.text

    for node_id in majority:
        cluster.resume(node_id)
    cluster.wait_leader()
    # What the minority admitted commits once the partition heals, and everyone agrees.
    cluster.wait_for(
        "the transactions the minority admitted commit everywhere",
        lambda: all(
            (r := cluster.receipt(n, t)) is not None and r["state"] == "committed"
            for n in cluster.ids
            for t in stranded
        ),
        60.0,
    )
    height = _commit(cluster, minority[0])
    cluster.wait_height(height)
    assert cluster.assert_same_chain().height >= height


def test_a_paused_leader_steps_down_and_what_it_admitted_commits(healthy_five: Cluster) -> None:
    cluster = healthy_five
    old_leader = cluster.wait_leader()
    factory = registrations(cluster)
    # Admitted by the leader (no wait), then the leader freezes with them in its pool or in a
    # block proposal nobody else may have seen.
    admitted = factory.batch(5)
    response = cluster.submit(old_leader, admitted, wait=False)
    assert response.status_code in (200, 202), response.text
    term_before = cluster.health(old_leader)["term"]  # type: ignore[index]
    cluster.pause(old_leader)
    others = [n for n in cluster.ids if n != old_leader]
    new_leader = cluster.wait_leader(others)
    height = _commit(cluster, new_leader, count=3)

    # It wakes up still believing it leads, learns the newer term and follows.
    cluster.resume(old_leader)
    cluster.wait_leader()
    resumed = cluster.health(old_leader)
    assert resumed is not None
    assert resumed["role"] != "leader" or resumed["term"] > term_before, resumed
    cluster.wait_height(height)
    tx_ids = [tx.tx_id.hex() for tx in admitted]
    cluster.wait_for(
        "what the old leader admitted commits everywhere",
        lambda: all(
            (r := cluster.receipt(n, t)) is not None and r["state"] == "committed"
            for n in cluster.ids
            for t in tx_ids
        ),
        60.0,
    )
    chain = cluster.assert_same_chain()
    ok_places = [
        t
        for h, ids in chain.tx_ids.items()
        for i, t in enumerate(ids)
        if chain.results[h][i] == "ok"
    ]
    assert all(ok_places.count(t) == 1 for t in tx_ids)
