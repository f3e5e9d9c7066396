"""A follower that was down while hundreds of blocks committed catches up on restart."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from tests.e2e.conftest import THREE_ORGS, ClusterFactory, registrations
from tests.e2e.harness import Cluster

pytestmark = pytest.mark.e2e

BLOCKS_MISSED = 200
TXS_PER_BLOCK = 2
BATCH = 40


def _linearizable_read(cluster: Cluster, node_id: int, path: str) -> dict[str, Any] | None:
    """The entry once the node can serve it; None while it answers 503 (not current yet)."""
    response = cluster.get(node_id, path)
    if response.status_code == 503:
        assert response.json()["error"]["code"] in ("node.not_current", "node.no_leader")
        return None
    assert response.status_code == 200, f"a stale answer while catching up: {response.text}"
    entry: dict[str, Any] = response.json()["entry"]
    return entry


def test_a_node_that_missed_many_blocks_catches_up(make_cluster: ClusterFactory) -> None:
    # Tiny blocks, so a few requests make hundreds of them.
    cluster = make_cluster(THREE_ORGS, {"block": {"max_transactions": TXS_PER_BLOCK}})
    leader = cluster.wait_leader()
    absent = next(n for n in cluster.ids if n != leader)
    start_height = cluster.wait_converged()
    cluster.stop(absent)
    present = [n for n in cluster.ids if n != absent]

    factory = registrations(cluster)
    committed: list[str] = []
    height = start_height
    last_product = ""
    while height < start_height + BLOCKS_MISSED:
        batch = factory.batch(BATCH)
        last_product = batch[-1].tx.args["product_key"]
        response = cluster.submit(leader, batch, timeout_s=30.0)
        assert response.status_code == 200, response.text
        receipts = [item["receipt"] for item in response.json()["results"]]
        assert all(r["code"] == "ok" for r in receipts), receipts
        committed += [r["tx_id"] for r in receipts]
        height = max(height, *(int(r["height"]) for r in receipts))
    cluster.wait_height(height, present)

    cluster.start(absent)
    # While it catches up it never answers a linearizable read from its old state: it waits
    # for the leader's commit index (ReadIndex) or says it is not current.
    cluster.wait_for(f"node {absent} answers", partial(cluster.health, absent), 60.0)
    cluster.wait_for(
        f"node {absent} serves the newest product with a linearizable read",
        partial(_linearizable_read, cluster, absent, f"/v1/state/trace/product/{last_product}"),
        120.0,
    )
    cluster.wait_height(height, timeout_s=120.0)
    chain = cluster.assert_same_chain()
    assert chain.height >= start_height + BLOCKS_MISSED
    assert {t for ids in chain.tx_ids.values() for t in ids} >= set(committed)
    for tx_id in committed[-3:]:
        receipt = cluster.receipt(absent, tx_id)
        assert receipt is not None
        assert receipt["state"] == "committed"
