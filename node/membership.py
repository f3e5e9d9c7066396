"""Who is in the network now, read from committed msp state, and how Raft gets there.

Genesis only seeds the membership: after that, governance (the ``config`` contract calling
``msp``) adds organizations and nodes, promotes learners and removes nodes. After every block
that touches membership the node re-reads it here and

* replaces the transport's peer table (addresses and certificate pins of active nodes) and
  its trusted CAs (active organizations), so a removed organization's node can no longer
  connect, and a new one can. A removed node that is still in Raft's configuration keeps
  its link (and its org's CA stays trusted) until the change removing it from Raft is
  applied: until then quorums may still need its vote, and cutting it off first could leave
  the rest without a quorum;
* on the leader, moves Raft's configuration toward the one msp describes, one server at a
  time (``next_conf_change``): new nodes join as learners first, are promoted to voters only
  when governance promotes them, and removed nodes leave last.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from chaincode.contracts.msp.records import (
    MEMBER_PREFIX,
    NAMESPACE,
    NODE_PREFIX,
    MemberRecord,
    MemberStatus,
    NodeRecord,
    NodeStatus,
    OrgRecord,
    OrgStatus,
)
from consensus import ConfChange, ConfChangeType, ConfState
from consensus import NodeId as RaftId
from node.storage.ledger import LedgerStore
from node.transport import NodeId as PeerId
from node.transport import PeerInfo, cert_fingerprint

MEMBERSHIP_EVENTS = frozenset(
    {
        "org_added",
        "org_removed",
        "org_ca_changed",
        "node_added",
        "node_promoted",
        "node_removed",
        "rotated",
    }
)
"""msp event types after which a node refreshes its peers and Raft configuration."""


@dataclass(frozen=True, slots=True)
class Membership:
    nodes: tuple[NodeRecord, ...]
    """Active nodes, by id."""
    orgs: tuple[OrgRecord, ...]
    """Active organizations, by id."""
    removed_nodes: tuple[NodeRecord, ...] = ()
    """Nodes governance removed, by id: peers only while Raft still counts them."""
    removed_orgs: tuple[OrgRecord, ...] = ()
    """Organizations governance removed, by id."""

    def peers(self, own_id: int, in_raft: Collection[int] = ()) -> dict[PeerId, PeerInfo]:
        """Active nodes, and removed ones still in Raft's configuration ``in_raft``."""
        return {
            PeerId(n.node_id): PeerInfo(n.host, n.peer_port, cert_fingerprint(n.cert_pem))
            for n in self.linked_nodes(in_raft)
            if n.node_id != own_id
        }

    def trusted_ca_pems(self, in_raft: Collection[int] = ()) -> tuple[str, ...]:
        """CAs of active organizations, and of removed ones whose node Raft still counts."""
        orgs = {n.org_id for n in self.linked_nodes(in_raft)}
        kept = tuple(o for o in self.removed_orgs if o.org_id in orgs)
        return tuple(org.ca_cert_pem for org in (*self.orgs, *kept))

    def linked_nodes(self, in_raft: Collection[int] = ()) -> tuple[NodeRecord, ...]:
        """The nodes to keep a link with: active ones, and removed ones still in ``in_raft``."""
        return (*self.nodes, *(n for n in self.removed_nodes if n.node_id in in_raft))

    def desired_conf(self) -> ConfState:
        return ConfState(
            voters=frozenset(RaftId(n.node_id) for n in self.nodes if n.voter),
            learners=frozenset(RaftId(n.node_id) for n in self.nodes if not n.voter),
        )

    def node(self, node_id: int) -> NodeRecord | None:
        return next((n for n in self.nodes if n.node_id == node_id), None)


def read_membership(store: LedgerStore) -> Membership:
    nodes = [
        NodeRecord.from_value(value)
        for _, value in store.range(NAMESPACE, NODE_PREFIX, NODE_PREFIX[:-1] + "0")
    ]
    orgs = [OrgRecord.from_value(value) for _, value in store.range(NAMESPACE, "org/", "org0")]
    return Membership(
        nodes=tuple(n for n in nodes if n.status is NodeStatus.ACTIVE),
        orgs=tuple(o for o in orgs if o.status is OrgStatus.ACTIVE),
        removed_nodes=tuple(n for n in nodes if n.status is not NodeStatus.ACTIVE),
        removed_orgs=tuple(o for o in orgs if o.status is not OrgStatus.ACTIVE),
    )


def next_conf_change(current: ConfState, desired: ConfState) -> ConfChange | None:
    """One step from ``current`` toward ``desired``: add learners, then promote, then remove.

    Additions come first so a replacement is in the cluster before anyone leaves; a node
    that governance made a voter directly still joins as a learner first and is promoted on
    the next step, so it catches up before it counts for quorum.
    """
    members = current.voters | current.learners
    wanted = desired.voters | desired.learners
    for node in sorted(wanted - members):
        return ConfChange(ConfChangeType.ADD_LEARNER, node)
    for node in sorted(desired.voters & current.learners):
        return ConfChange(ConfChangeType.ADD_VOTER, node)
    for node in sorted(members - wanted):
        if current.voters - {node}:
            return ConfChange(ConfChangeType.REMOVE_NODE, node)
    for node in sorted(desired.learners & current.voters):
        return ConfChange(ConfChangeType.ADD_LEARNER, node)
    return None


def certificate_warnings(store: LedgerStore, *, now_ms: int, within_ms: int) -> list[str]:
    """One line per active member or node key whose certificate expires by ``now + within``
    (expired ones included), for /health: expired certificates are a top cause of outages."""
    warnings: list[str] = []
    for _, value in store.range(NAMESPACE, MEMBER_PREFIX, MEMBER_PREFIX[:-1] + "0"):
        record = MemberRecord.from_value(value)
        if record.status is not MemberStatus.ACTIVE:
            continue
        left_ms = record.not_after_ms - now_ms
        if left_ms > within_ms:
            continue
        who = f"node {record.node_id}" if record.node_id is not None else "member"
        subject = f"{who} key {record.key_id[:16]}… of org {record.org_id!r}"
        if left_ms <= 0:
            warnings.append(f"{subject}: certificate EXPIRED; rotate it (msp rotate)")
        else:
            days = left_ms / 86_400_000
            warnings.append(
                f"{subject}: certificate expires in {days:.1f} days; rotate it (msp rotate)"
            )
    return warnings
