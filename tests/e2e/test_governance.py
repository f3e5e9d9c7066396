"""A fourth organization joins a running 3-node network through governance, its node catches
up and votes, then the organization is removed and its node is cut off (issue 5, Done means).

Quorum arithmetic proves the vote. With node 4 a voter there are four voters and a commit
needs three: with one founding node stopped, commits go on, and pausing node 4 as well stops
them — which would not happen if node 4 were still a learner (two of three founders would be
a quorum). With two founding nodes stopped nothing commits either.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import pytest

from sdk.tx import SignedTransaction, build
from tests.e2e.conftest import THREE_ORGS, ClusterFactory, registrations
from tests.e2e.governance_support import Governance, JoiningOrg, prepare_joining_org
from tests.e2e.harness import Cluster
from tests.e2e.peer_client import hello_as, tls_session

pytestmark = pytest.mark.e2e

NEW_ORG: Final = "pharmacy"
NEW_NODE: Final = 4
FOUNDERS: Final = [1, 2, 3]
EVERYONE: Final = [*FOUNDERS, NEW_NODE]
MAJORITY_OF_FOUR: Final = ["manufacturer", "distributor", "regulator"]
"""Admins whose approvals adopt a change once the consortium has four organizations."""
STALL_S: Final = 3.0
"""How long a transaction must stay uncommitted to count as "nothing commits": several
election timeouts of the default Raft timing (10 ticks of 50 ms)."""


def _commit_one(cluster: Cluster, via: int) -> int:
    """One product registration through ``via``; the height it committed at."""
    response = cluster.submit(via, registrations(cluster).batch(1), timeout_s=20.0)
    assert response.status_code == 200, response.text
    receipt = response.json()["results"][0]["receipt"]
    assert receipt["code"] == "ok", receipt
    return int(receipt["height"])


def _assert_stalls(cluster: Cluster, via: int, running: Sequence[int]) -> SignedTransaction | None:
    """Submit a registration through ``via``: it must not commit within STALL_S and no running
    node may apply a block meanwhile. Returns the transaction if ``via`` accepted it (it stays
    pending), None if ``via`` refused it for want of a leader."""
    before = {n: cluster.health(n) for n in running}
    tx = registrations(cluster).one()
    response = cluster.submit(via, [tx], timeout_s=STALL_S)
    assert response.status_code in (202, 503), response.text
    for node_id, health in before.items():
        now = cluster.health(node_id)
        assert health is not None
        assert now is not None
        assert now["height"] == health["height"], (node_id, health, now)
    if response.status_code == 503:
        assert response.json()["error"]["code"] == "node.no_leader", response.text
        return None
    receipt = cluster.receipt(via, tx.tx_id.hex())
    assert receipt is not None
    assert receipt["state"] == "pending", receipt
    return tx


def _wait_committed(cluster: Cluster, via: int, tx: SignedTransaction | None) -> None:
    if tx is None:
        _commit_one(cluster, via)
        return

    def committed() -> bool:
        receipt = cluster.receipt(via, tx.tx_id.hex())
        return receipt is not None and receipt["state"] == "committed"

    cluster.wait_for("the stalled transaction commits", committed, 30.0)


def _role(cluster: Cluster, node_id: int) -> str | None:
    health = cluster.health(node_id)
    return None if health is None else str(health["role"])


def _submit_as_org(cluster: Cluster, via: int, org: JoiningOrg) -> dict[str, Any]:
    """A governance proposal signed by the new org's only enrolled key (its node's: a node
    key is a member record of its org); the submission's single result."""
    tx = build(
        cluster.chain_id,
        "config",
        "propose",
        {"change": {"kind": "remove_node", "node_id": FOUNDERS[0]}},
        org.node_key.key_id,
    ).sign(org.node_key)
    result: dict[str, Any] = cluster.submit(via, [tx], wait=False).json()["results"][0]
    return result


def _links_down(cluster: Cluster, node_id: int) -> bool:
    health = cluster.health(node_id)
    return health is not None and not any(p["connected"] for p in health["peers"])


def _join(cluster: Cluster, governance: Governance) -> JoiningOrg:
    """Governance admits the org (2 of 3 admins), then its node as a learner (3 of 4); the
    node starts with its own config and the same genesis file and catches up."""
    joining = prepare_joining_org(cluster, NEW_ORG, ("pharmacy", "admin"), NEW_NODE)
    governance.adopt(FOUNDERS[0], joining.add_org(), ["manufacturer", "distributor"])
    governance.adopt(FOUNDERS[0], joining.add_node(), MAJORITY_OF_FOUR)
    cluster.start(NEW_NODE)
    _commit_one(cluster, FOUNDERS[0])
    cluster.assert_same_chain(EVERYONE)
    return joining


def _promote(cluster: Cluster, governance: Governance) -> None:
    """Governance promotes node 4; it becomes a voting follower."""
    governance.adopt(FOUNDERS[0], {"kind": "promote_node", "node_id": NEW_NODE}, MAJORITY_OF_FOUR)
    cluster.wait_for(
        "node 4 is a voter", lambda: _role(cluster, NEW_NODE) in ("follower", "leader"), 30.0
    )


def test_an_org_joins_votes_and_is_removed(make_cluster: ClusterFactory) -> None:
    cluster = make_cluster(THREE_ORGS)
    assert cluster.ids == FOUNDERS
    governance = Governance(cluster)
    _commit_one(cluster, FOUNDERS[0])
    joining = _join(cluster, governance)
    assert _role(cluster, NEW_NODE) == "learner"
    _promote(cluster, governance)

    # One founder down: three of four voters remain and commits go on.
    leader = cluster.wait_leader(EVERYONE)
    first_down = next(n for n in FOUNDERS if n != leader)
    cluster.stop(first_down)
    up = [n for n in EVERYONE if n != first_down]
    founders_up = [n for n in FOUNDERS if n != first_down]
    cluster.wait_height(_commit_one(cluster, founders_up[0]), up)
    assert _role(cluster, NEW_NODE) in ("follower", "leader")

    # ... but not without node 4: the two founders left are no quorum of four voters.
    cluster.pause(NEW_NODE)
    stalled = _assert_stalls(cluster, founders_up[0], founders_up)
    cluster.resume(NEW_NODE)
    cluster.wait_leader(up)
    _wait_committed(cluster, founders_up[0], stalled)
    cluster.wait_converged(up)

    # Two founders down: founder + node 4 are two of four voters; nothing commits.
    leader = cluster.wait_leader(up)
    second_down = next(n for n in founders_up if n != leader)
    cluster.stop(second_down)
    survivors = [n for n in up if n != second_down]
    stalled = _assert_stalls(cluster, survivors[0], survivors)

    # Both back: the stalled transaction commits and all four agree.
    cluster.start_all([first_down, second_down])
    cluster.wait_leader(EVERYONE)
    _wait_committed(cluster, survivors[0], stalled)
    cluster.assert_same_chain(EVERYONE)

    # Until the org is removed its key is a known signer (refused only for lacking a role).
    known = _submit_as_org(cluster, FOUNDERS[0], joining)
    assert known["error"]["code"] == "permission.missing_role", known

    # Governance removes the org: the founders cut node 4 off, and its key may not sign.
    governance.adopt(FOUNDERS[0], {"kind": "remove_org", "org_id": NEW_ORG}, MAJORITY_OF_FOUR)
    cluster.wait_for("node 4's peer links are all down", lambda: _links_down(cluster, 4), 30.0)
    cluster.wait_leader(FOUNDERS)
    height = _commit_one(cluster, FOUNDERS[0])
    cluster.assert_same_chain(FOUNDERS)
    cut_off = cluster.health(NEW_NODE)
    assert cut_off is not None
    assert cut_off["height"] < height, cut_off
    assert all(p["last_error"] for p in cut_off["peers"]), cut_off["peers"]
    for node_id in FOUNDERS:  # node 4's own certificate and hello: refused by every founder
        assert tls_session(
            cluster.nodes[node_id].peer_port,
            cluster.node_files(NEW_NODE),
            hello=hello_as(NEW_NODE, cluster.network_id),
            frames=[],
        ), f"node {node_id} still accepts node 4's peer link"
    for node_id in FOUNDERS:
        refused = _submit_as_org(cluster, node_id, joining)
        assert not refused["accepted"], refused
        assert refused["error"]["code"] == "signer.org_removed", refused


def test_an_org_whose_node_votes_is_removed_while_a_founder_is_down(
    make_cluster: ClusterFactory,
) -> None:
    """Two founders and node 4 are three of four voters: the removal itself needs node 4's
    vote, and afterwards the two founders alone must go on committing — even with blocks
    queued behind the deciding approval (one transaction per block)."""
    cluster = make_cluster(THREE_ORGS, {"block": {"max_transactions": 1}})
    governance = Governance(cluster)
    _join(cluster, governance)
    _promote(cluster, governance)
    leader = cluster.wait_leader(EVERYONE)
    down = next(n for n in FOUNDERS if n != leader)
    cluster.stop(down)
    founders_up = [n for n in FOUNDERS if n != down]
    via = founders_up[0]

    proposal = governance.propose(
        via, {"kind": "remove_org", "org_id": NEW_ORG}, MAJORITY_OF_FOUR[:-1]
    )
    queued = registrations(cluster).batch(4)
    response = cluster.submit(
        via, [governance.approval(MAJORITY_OF_FOUR[-1], proposal), *queued], timeout_s=30.0
    )
    assert response.status_code == 200, response.text
    receipts = [item["receipt"] for item in response.json()["results"]]
    assert receipts[0]["result"]["status"] == "applied", receipts[0]
    assert all(r["code"] == "ok" for r in receipts), receipts
    cluster.wait_for("node 4's peer links are all down", lambda: _links_down(cluster, 4), 30.0)

    height = _commit_one(cluster, via)
    cluster.wait_height(height, founders_up)
    cluster.start(down)
    cluster.assert_same_chain(FOUNDERS)
