"""Membership read from committed msp state, and the one-step Raft configuration plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaincode.contracts.msp.records import MemberRecord
from consensus import ConfChange, ConfChangeType, ConfState, NodeId
from node.membership import certificate_warnings, next_conf_change, read_membership
from tests.node.chain_fixtures import Replica, genesis, tx


def conf(voters: set[int], learners: frozenset[int] | set[int] = frozenset()) -> ConfState:
    return ConfState(frozenset(NodeId(v) for v in voters), frozenset(NodeId(n) for n in learners))


def test_genesis_membership_matches_the_genesis_file(tmp_path: Path) -> None:
    replica = Replica(tmp_path / "n1")
    try:
        model = genesis()
        found = read_membership(replica.store)
        assert [n.node_id for n in found.nodes] == sorted(n.id for n in model.nodes)
        assert {o.org_id for o in found.orgs} == {o.id for o in model.orgs}
        assert found.desired_conf() == conf(
            {n.id for n in model.nodes if n.voter}, {n.id for n in model.nodes if not n.voter}
        )
        own = model.nodes[0].id
        peers = found.peers(own)
        assert own not in peers
        assert set(peers) == {n.id for n in model.nodes} - {own}
        assert set(found.trusted_ca_pems()) == {o.ca_cert_pem for o in model.orgs}
    finally:
        replica.close()


def test_a_removed_org_s_node_stays_a_peer_only_while_raft_counts_it(tmp_path: Path) -> None:
    replica = Replica(tmp_path / "n1")
    try:
        change = {"kind": "remove_org", "org_id": "distrib"}
        proposal = tx("pharmaco/admin", "config", "propose", {"change": change})
        index, data = replica.cut([proposal])
        assert replica.apply(index, data).results == ["ok"]
        approvals = [
            tx(f"{org}/admin", "config", "approve", {"proposal_id": 1})
            for org in ("nmpa", "pharmacy")  # with pharmaco: 3 of 4 orgs
        ]
        index, data = replica.cut(approvals)
        applied = replica.apply(index, data)
        assert applied.results == ["ok", "ok"]
        assert any(e.type == "org_removed" for _, e in applied.events)

        found = read_membership(replica.store)
        assert [n.node_id for n in found.nodes] == [1, 3]
        assert [n.node_id for n in found.removed_nodes] == [2]
        distrib_ca = next(o.ca_cert_pem for o in genesis().orgs if o.id == "distrib")
        # Governance has spoken: no link and no trust for the removed org's node ...
        assert set(found.peers(1)) == {3}
        assert distrib_ca not in found.trusted_ca_pems()
        # ... except while Raft still counts node 2: quorums may need its vote.
        raft = {1, 2, 3}
        assert set(found.peers(1, raft)) == {2, 3}
        assert distrib_ca in found.trusted_ca_pems(raft)
        assert [n.node_id for n in found.linked_nodes(raft)] == [1, 3, 2]
        # The leader's plan takes it out of Raft, after which the link goes.
        assert next_conf_change(conf(raft), found.desired_conf()) == ConfChange(
            ConfChangeType.REMOVE_NODE, NodeId(2)
        )
        assert set(found.peers(1, {1, 3})) == {3}
    finally:
        replica.close()


@pytest.mark.parametrize(
    ("current", "desired", "expected"),
    [
        (conf({1, 2, 3}), conf({1, 2, 3}), None),
        (conf({1, 2, 3}), conf({1, 2, 3}, {4}), ConfChange(ConfChangeType.ADD_LEARNER, NodeId(4))),
        # a node governance made a voter at once still joins as a learner first
        (conf({1, 2, 3}), conf({1, 2, 3, 4}), ConfChange(ConfChangeType.ADD_LEARNER, NodeId(4))),
        (conf({1, 2, 3}, {4}), conf({1, 2, 3, 4}), ConfChange(ConfChangeType.ADD_VOTER, NodeId(4))),
        (conf({1, 2, 3, 4}), conf({1, 2, 3}), ConfChange(ConfChangeType.REMOVE_NODE, NodeId(4))),
        # additions before removals: a replacement joins before the old node leaves
        (conf({1, 2, 3}), conf({1, 2, 4}), ConfChange(ConfChangeType.ADD_LEARNER, NodeId(4))),
        (
            conf({1, 2, 3}, {4}),
            conf({1, 2}, {4}),
            ConfChange(ConfChangeType.REMOVE_NODE, NodeId(3)),
        ),
        # demotion
        (conf({1, 2, 3}), conf({1, 2}, {3}), ConfChange(ConfChangeType.ADD_LEARNER, NodeId(3))),
    ],
)
def test_next_conf_change_takes_one_safe_step(
    current: ConfState, desired: ConfState, expected: ConfChange | None
) -> None:
    assert next_conf_change(current, desired) == expected


def test_never_removes_the_last_voter() -> None:
    assert next_conf_change(conf({1}), conf(set(), {2})) == ConfChange(
        ConfChangeType.ADD_LEARNER, NodeId(2)
    )
    assert next_conf_change(conf({1}, {2}), conf(set(), {2})) is None


def test_certificate_warnings_come_30_days_ahead(tmp_path: Path) -> None:
    replica = Replica(tmp_path / "n1")
    try:
        ends = sorted(
            MemberRecord.from_value(v).not_after_ms
            for _, v in replica.store.range("msp", "member/", "member0")
        )
        first = ends[0]
        month = 30 * 86_400_000
        assert certificate_warnings(replica.store, now_ms=first - month - 1, within_ms=month) == []
        soon = certificate_warnings(replica.store, now_ms=first - 86_400_000, within_ms=month)
        assert soon
        assert all("expires in" in line for line in soon[:1])
        late = certificate_warnings(replica.store, now_ms=ends[-1] + 1, within_ms=month)
        assert len(late) == len(ends)
        assert all("EXPIRED" in line for line in late)
    finally:
        replica.close()
