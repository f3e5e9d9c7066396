"""Whole-network restarts: a graceful stop and a simultaneous SIGKILL of every node."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import THREE_ORGS, ClusterFactory, registrations

pytestmark = pytest.mark.e2e


def test_every_node_killed_at_once_comes_back_with_everything_acknowledged(
    make_cluster: ClusterFactory,
) -> None:
    cluster = make_cluster(THREE_ORGS)
    factory = registrations(cluster)
    acknowledged: dict[str, dict[str, object]] = {}
    for node_id in cluster.ids:
        response = cluster.submit(node_id, factory.batch(10))
        assert response.status_code == 200, response.text
        for item in response.json()["results"]:
            acknowledged[item["tx_id"]] = item["receipt"]
    in_flight = factory.batch(10)
    cluster.submit(cluster.ids[0], in_flight, wait=False)

    for node_id in cluster.ids:
        cluster.kill(node_id)
    cluster.start_all()
    cluster.wait_leader()

    for node_id in cluster.ids:
        for tx_id, receipt in acknowledged.items():
            assert cluster.receipt(node_id, tx_id) == receipt
    height = max(int(r["height"]) for r in acknowledged.values())  # type: ignore[call-overload]
    after = cluster.submit(cluster.ids[-1], factory.batch(2))
    assert after.status_code == 200, after.text
    cluster.wait_height(height)
    cluster.assert_same_chain()


def test_a_graceful_stop_exits_cleanly_and_resumes(make_cluster: ClusterFactory) -> None:
    cluster = make_cluster(THREE_ORGS)
    response = cluster.submit(cluster.ids[0], registrations(cluster).batch(3))
    assert response.status_code == 200, response.text
    for node_id in cluster.ids:
        process = cluster.nodes[node_id].process
        assert process is not None
        cluster.stop(node_id)
        assert process.returncode == 0, cluster.diagnostics()
        assert "Traceback" not in cluster.nodes[node_id].log.read_text(encoding="utf-8")
    cluster.start_all()
    cluster.wait_leader()
    again = cluster.submit(cluster.ids[1], registrations(cluster).batch(3))
    assert again.status_code == 200, again.text
    cluster.assert_same_chain()
