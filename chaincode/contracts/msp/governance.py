"""Membership changes decided by governance: organizations and nodes (issue 5, items 5 and 7).

Each change has a check (pure: reads msp state, block time) and an apply (writes). The config
contract runs the check when a change is proposed, so a doomed proposal is refused at once;
the msp function that applies an approved change runs the same check again, since the state
may have moved while approvals were collected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from chaincode.api import Context, Value
from chaincode.contracts.msp import errors as E
from chaincode.contracts.msp.certs import CertFacts, certify, check_ca
from chaincode.contracts.msp.changes import (
    AddNode,
    AddOrg,
    MembershipChange,
    PromoteNode,
    RemoveNode,
    RemoveOrg,
    SetOrgCa,
)
from chaincode.contracts.msp.membership import check_grantable, check_new_key, store_member
from chaincode.contracts.msp.records import (
    NODE_PREFIX,
    KeyKind,
    MemberStatus,
    NodeRecord,
    NodeStatus,
    OrgRecord,
    OrgStatus,
    Reader,
    load_member,
    load_node,
    load_org,
    member_key,
    node_key,
    org_key,
    org_member_prefix,
)
from chaincode.errors import Conflict, InvalidTransaction, NotFound
from sdk.roles import Role


def check_change(
    read: Reader, nodes: list[NodeRecord], change: MembershipChange, at_ms: int
) -> None:
    """Refuse ``change`` unless it can apply to msp state ``read`` at block time ``at_ms``.

    ``nodes`` are all node records (the cluster-wide rules need them: last voter).
    """
    if isinstance(change, AddOrg):
        _check_add_org(read, change, at_ms)
    elif isinstance(change, RemoveOrg):
        _check_remove_org(read, nodes, change)
    elif isinstance(change, SetOrgCa):
        _check_set_ca(read, change, at_ms)
    elif isinstance(change, AddNode):
        _check_add_node(read, change, at_ms)
    elif isinstance(change, PromoteNode):
        _active_node(read, change.node_id, want_learner=True)
    else:
        _check_remove_node(read, nodes, change)


def _active_org(read: Reader, org_id: str) -> OrgRecord:
    org = load_org(read, org_id)
    if org is None:
        raise NotFound(f"no organization {org_id!r}", code=E.UNKNOWN_ORG)
    if org.status is OrgStatus.REMOVED:
        raise Conflict(f"organization {org_id!r} was removed", code=E.ORG_REMOVED)
    return org


def _check_add_org(read: Reader, change: AddOrg, at_ms: int) -> None:
    if load_org(read, change.org_id) is not None:
        # Removed ids stay taken: an audit trail must never confuse two organizations.
        raise Conflict(f"organization id {change.org_id!r} is taken", code=E.ORG_EXISTS)
    if len(set(change.roles)) != len(change.roles):
        raise Conflict("a role is listed twice", code=E.BAD_ROLES)
    founding_admins(read, change, at_ms)


def founding_admins(read: Reader, change: AddOrg, at_ms: int) -> list[CertFacts]:
    """The new org's first admins, checked like ``enroll`` checks a member at block time:
    each chains to the new CA, carries the admin role (within the org's roles), is not a
    node certificate, and its key was never enrolled (nor listed twice). A refusal names
    the certificate (``admins[i]: ...``) and keeps its code and kind."""
    ca_pem = check_ca(change.ca_cert_pem, at_ms, expect_org=change.org_id)
    found: list[CertFacts] = []
    for index, pem in enumerate(change.admins):
        try:
            facts = _founding_admin(read, change, ca_pem, pem, at_ms)
            if any(f.key_id == facts.key_id for f in found):
                raise Conflict(f"key {facts.key_id[:16]}… is listed twice", code=E.BAD_ADMINS)
        except InvalidTransaction as exc:
            raise type(exc)(f"admins[{index}]: {exc.message}", code=exc.code) from exc
        found.append(facts)
    return found


def _founding_admin(read: Reader, change: AddOrg, ca_pem: str, pem: str, at_ms: int) -> CertFacts:
    facts = certify(pem, ca_pem, at_ms, expect_org=change.org_id)
    if Role.NODE in facts.roles:
        raise Conflict(
            "a node certificate cannot be an admin; nodes join through config add_node",
            code=E.NODE_CERT,
        )
    if Role.ADMIN not in facts.roles:
        raise Conflict(
            "the certificate lacks the admin role; issue the first admins' certificates with it",
            code=E.NOT_ADMIN_CERT,
        )
    check_grantable(change.org_id, frozenset(change.roles), facts)
    check_new_key(read, facts.key_id)
    return facts


def _check_remove_org(read: Reader, nodes: list[NodeRecord], change: RemoveOrg) -> None:
    _active_org(read, change.org_id)
    others = [n for n in nodes if n.status is NodeStatus.ACTIVE and n.org_id != change.org_id]
    if not any(n.voter for n in others):
        raise Conflict(
            f"removing {change.org_id!r} would leave the cluster without a voting node",
            code=E.LAST_VOTER,
        )


def _check_set_ca(read: Reader, change: SetOrgCa, at_ms: int) -> None:
    org = _active_org(read, change.org_id)
    if check_ca(change.ca_cert_pem, at_ms, expect_org=org.org_id) == org.ca_cert_pem:
        raise Conflict(f"{org.org_id!r} already has this CA certificate", code=E.SAME_CERTIFICATE)


def node_facts(read: Reader, change: AddNode, at_ms: int) -> CertFacts:
    """The new node's certificate, checked against its org's CA at block time."""
    org = _active_org(read, change.org_id)
    facts = certify(change.cert_pem, org.ca_cert_pem, at_ms, expect_org=org.org_id)
    if Role.NODE not in facts.roles:
        raise Conflict("a node needs a certificate with the node role", code=E.NOT_NODE_CERT)
    return facts


def _check_add_node(read: Reader, change: AddNode, at_ms: int) -> None:
    if load_node(read, change.node_id) is not None:
        raise Conflict(f"node id {change.node_id} is taken", code=E.NODE_EXISTS)
    facts = node_facts(read, change, at_ms)
    if load_member(read, facts.key_id) is not None:
        raise Conflict(f"key {facts.key_id[:16]}… is already enrolled", code=E.ALREADY_ENROLLED)


def _active_node(read: Reader, node_id: int, *, want_learner: bool = False) -> NodeRecord:
    node = load_node(read, node_id)
    if node is None:
        raise NotFound(f"no node {node_id}", code=E.UNKNOWN_NODE)
    if node.status is NodeStatus.REMOVED:
        raise Conflict(f"node {node_id} was removed", code=E.NODE_REMOVED)
    if want_learner and node.voter:
        raise Conflict(f"node {node_id} already votes", code=E.NOT_LEARNER)
    return node


def _check_remove_node(read: Reader, nodes: list[NodeRecord], change: RemoveNode) -> None:
    node = _active_node(read, change.node_id)
    voters = [n for n in nodes if n.status is NodeStatus.ACTIVE and n.voter]
    if node.voter and len(voters) == 1:
        raise Conflict(f"node {change.node_id} is the last voting node", code=E.LAST_VOTER)


def all_nodes(pairs: Iterable[tuple[str, Value]]) -> list[NodeRecord]:
    """Node records from a scan of the ``node/`` prefix."""
    return [NodeRecord.from_value(value) for _, value in pairs]


def apply_change(ctx: Context, change: MembershipChange) -> Value:
    """Apply a checked change inside the msp contract; emits the event the node acts on."""
    read: Reader = ctx.get
    check_change(read, all_nodes(ctx.prefix(NODE_PREFIX)), change, ctx.block_time_ms)
    if isinstance(change, AddOrg):
        return _add_org(ctx, change)
    if isinstance(change, RemoveOrg):
        return _remove_org(ctx, change)
    if isinstance(change, SetOrgCa):
        org = _active_org(read, change.org_id)
        pem = check_ca(change.ca_cert_pem, ctx.block_time_ms, expect_org=org.org_id)
        ctx.put(org_key(org.org_id), replace(org, ca_cert_pem=pem).to_value())
        return _emit(ctx, "org_ca_changed", {"org_id": org.org_id})
    if isinstance(change, AddNode):
        return _add_node(ctx, change)
    if isinstance(change, PromoteNode):
        node = replace(_active_node(read, change.node_id), voter=True)
        ctx.put(node_key(node.node_id), node.to_value())
        return _emit(ctx, "node_promoted", _node_event(node))
    return _remove_node(ctx, change)


def _emit(ctx: Context, event: str, payload: dict[str, Value]) -> Value:
    ctx.emit(event, payload)
    return payload


def _node_event(node: NodeRecord) -> dict[str, Value]:
    value = node.to_value()
    if not isinstance(value, dict):
        raise TypeError("node record is a map")
    return value


def _add_org(ctx: Context, change: AddOrg) -> Value:
    admins = founding_admins(ctx.get, change, ctx.block_time_ms)
    org = OrgRecord(
        org_id=change.org_id,
        name=change.name,
        ca_cert_pem=check_ca(change.ca_cert_pem, ctx.block_time_ms, expect_org=change.org_id),
        roles=frozenset(change.roles),
        status=OrgStatus.ACTIVE,
        added_height=ctx.block_height,
    )
    ctx.put(org_key(org.org_id), org.to_value())
    roles: list[Value] = [r.value for r in sorted(org.roles)]
    added = _emit(ctx, "org_added", {"org_id": org.org_id, "name": org.name, "roles": roles})
    for facts in admins:
        member = facts.member(KeyKind.MEMBER, height=ctx.block_height)
        store_member(ctx, member)
        ctx.emit("enrolled", member.summary())
    return added


def _remove_org(ctx: Context, change: RemoveOrg) -> Value:
    org = _active_org(ctx.get, change.org_id)
    removed = replace(org, status=OrgStatus.REMOVED, removed_height=ctx.block_height)
    ctx.put(org_key(org.org_id), removed.to_value())
    dropped: list[Value] = []
    for node in all_nodes(ctx.prefix(NODE_PREFIX)):
        if node.org_id == org.org_id and node.status is NodeStatus.ACTIVE:
            gone = replace(node, status=NodeStatus.REMOVED, removed_height=ctx.block_height)
            ctx.put(node_key(node.node_id), gone.to_value())
            dropped.append(node.node_id)
    # The keys stay as they are: resolve_signer refuses them through the org's status, and
    # the record keeps what each key was at the time, for audits.
    return _emit(ctx, "org_removed", {"org_id": org.org_id, "node_ids": dropped})


def _add_node(ctx: Context, change: AddNode) -> Value:
    facts = node_facts(ctx.get, change, ctx.block_time_ms)
    node = NodeRecord(
        node_id=change.node_id,
        org_id=change.org_id,
        key_id=facts.key_id,
        cert_pem=facts.pem,
        host=change.host,
        peer_port=change.peer_port,
        api_port=change.api_port,
        voter=False,
        status=NodeStatus.ACTIVE,
        added_height=ctx.block_height,
    )
    member = facts.member(KeyKind.NODE, height=ctx.block_height, node_id=node.node_id)
    ctx.put(node_key(node.node_id), node.to_value())
    ctx.put(member_key(member.key_id), member.to_value())
    ctx.put(org_member_prefix(member.org_id) + member.key_id, member.kind.value)
    return _emit(ctx, "node_added", _node_event(node))


def _remove_node(ctx: Context, change: RemoveNode) -> Value:
    node = _active_node(ctx.get, change.node_id)
    gone = replace(node, status=NodeStatus.REMOVED, removed_height=ctx.block_height)
    ctx.put(node_key(node.node_id), gone.to_value())
    key = load_member(ctx.get, node.key_id)
    if key is not None and key.status is not MemberStatus.REVOKED:
        revoked = key.with_status(
            MemberStatus.REVOKED, height=ctx.block_height, reason="node removed"
        )
        ctx.put(member_key(key.key_id), revoked.to_value())
    return _emit(ctx, "node_removed", _node_event(gone))
