"""Three nodes: a submitted transaction commits on every node, through any node, exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import BIG_BATCH, registrations
from tests.e2e.harness import Cluster

pytestmark = pytest.mark.e2e


def _committed(response_json: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = response_json["results"]
    assert all(item["accepted"] and item["error"] is None for item in items), items
    receipts = [item["receipt"] for item in items]
    assert all(r["state"] == "committed" and r["code"] == "ok" for r in receipts), receipts
    return receipts


def _follower(cluster: Cluster) -> int:
    leader = cluster.wait_leader()
    return next(n for n in cluster.ids if n != leader)


def test_a_submission_commits_on_every_node_with_the_same_hashes(three_nodes: Cluster) -> None:
    cluster = three_nodes
    leader = cluster.wait_leader()
    txs = registrations(cluster).batch(5)

    response = cluster.submit(leader, txs)

    assert response.status_code == 200, response.text
    receipts = _committed(response.json())
    assert [r["tx_id"] for r in receipts] == [tx.tx_id.hex() for tx in txs]
    height = max(r["height"] for r in receipts)
    cluster.wait_height(height)
    for node_id in cluster.ids:
        for tx, receipt in zip(txs, receipts, strict=True):
            assert cluster.receipt(node_id, tx.tx_id.hex()) == receipt
    chain = cluster.assert_same_chain()
    assert chain.height >= height
    assert all(cluster.health(n)["fork_alarm"] is None for n in cluster.ids)  # type: ignore[index]


def test_a_follower_forwards_to_the_leader(three_nodes: Cluster) -> None:
    cluster = three_nodes
    follower = _follower(cluster)
    txs = registrations(cluster).batch(3)

    response = cluster.submit(follower, txs)

    assert response.status_code == 200, response.text
    receipts = _committed(response.json())
    cluster.wait_height(max(r["height"] for r in receipts))
    cluster.assert_same_chain()


def test_a_resubmitted_transaction_gets_its_receipt_and_runs_once(three_nodes: Cluster) -> None:
    cluster = three_nodes
    follower = _follower(cluster)
    tx = registrations(cluster).one()
    first = cluster.submit(follower, [tx])
    assert first.status_code == 200, first.text
    (receipt,) = _committed(first.json())

    for node_id in cluster.ids:
        again = cluster.submit(node_id, [tx])
        assert again.status_code == 200, again.text
        assert _committed(again.json()) == [receipt]
    twice_in_one_batch = cluster.submit(follower, [tx, tx])
    assert _committed(twice_in_one_batch.json()) == [receipt, receipt]

    # Executed once: the registration's revision is 1 (a second run would make it 2) and the
    # id is in exactly one block, at the receipt's place.
    product_key = tx.tx.args["product_key"]
    for node_id in cluster.ids:
        entry = cluster.get(node_id, f"/v1/state/trace/product/{product_key}").json()["entry"]
        assert entry["value"]["revision"] == 1
        assert (entry["height"], entry["tx_index"]) == (receipt["height"], receipt["index"])
    chain = cluster.assert_same_chain()
    places = [
        (h, i)
        for h, ids in chain.tx_ids.items()
        for i, t in enumerate(ids)
        if t == receipt["tx_id"]
    ]
    assert places == [(receipt["height"], receipt["index"])]


def test_the_same_transaction_sent_to_every_node_at_once_runs_once(three_nodes: Cluster) -> None:
    cluster = three_nodes
    tx = registrations(cluster).one()
    with ThreadPoolExecutor(len(cluster.ids)) as pool:
        responses = list(pool.map(lambda n: cluster.submit(n, [tx]), cluster.ids))

    receipts = [_committed(r.json()) for r in responses]
    assert all(r == receipts[0] for r in receipts), receipts
    (receipt,) = receipts[0]
    product_key = tx.tx.args["product_key"]
    for node_id in cluster.ids:
        entry = cluster.get(node_id, f"/v1/state/trace/product/{product_key}").json()["entry"]
        assert entry["value"]["revision"] == 1
    chain = cluster.assert_same_chain()
    executed = [
        (h, i)
        for h, ids in chain.tx_ids.items()
        for i, t in enumerate(ids)
        if t == receipt["tx_id"] and chain.results[h][i] == "ok"
    ]
    assert executed == [(receipt["height"], receipt["index"])]


def test_a_batch_of_thousands_commits_through_a_follower(three_nodes: Cluster) -> None:
    # Regression: the answer once decoded the whole block again for every receipt, on the
    # event loop (quadratic: minutes for 2000 transactions, and missed heartbeats on the way).
    cluster = three_nodes
    follower = _follower(cluster)
    txs = registrations(cluster).batch(BIG_BATCH)

    response = cluster.submit(follower, txs, timeout_s=30.0)

    assert response.status_code == 200, response.text
    receipts = _committed(response.json())
    assert [r["tx_id"] for r in receipts] == [tx.tx_id.hex() for tx in txs]
    cluster.wait_height(max(r["height"] for r in receipts))
    cluster.assert_same_chain()
