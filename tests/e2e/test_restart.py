"""Restarts: every node SIGKILLed at once, and each node stopped gracefully under load."""

from __future__ import annotations

import random
from functools import partial

import pytest

from tests.e2e.conftest import THREE_ORGS, ClusterFactory, registrations
from tests.e2e.load import Load

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


def test_nodes_stopped_gracefully_under_load_exit_cleanly_and_rejoin(
    make_cluster: ClusterFactory,
) -> None:
    cluster = make_cluster(THREE_ORGS)
    load = Load(cluster, registrations(cluster), batch=(50, 200), wait_s=5.0, rng=random.Random(4))
    load.start()
    try:
        for node_id in cluster.ids:  # the leader among them
            seen = len(load.report.acknowledged)
            cluster.wait_for("the load commits", partial(load.acknowledged_beyond, seen), 60.0)
            process = cluster.nodes[node_id].process
            assert process is not None
            cluster.stop(node_id)
            assert process.returncode == 0, cluster.diagnostics()
            cluster.start(node_id)
            cluster.wait_for(f"node {node_id} answers", partial(cluster.health, node_id), 60.0)
    finally:
        report = load.stop()

    chain = cluster.assert_same_chain()
    in_chain = {t for ids in chain.tx_ids.values() for t in ids}
    assert set(report.acknowledged) <= in_chain
    for node in cluster.nodes.values():
        assert "Traceback" not in node.log.read_text(encoding="utf-8"), cluster.diagnostics()
