"""Read-only views of the msp state: listings, single records, expiring certificates."""

from __future__ import annotations

from chaincode.api import Context, Value
from chaincode.contracts.msp import errors as E
from chaincode.contracts.msp.membership import members_of, reader
from chaincode.contracts.msp.records import (
    MEMBER_PREFIX,
    NODE_PREFIX,
    MemberRecord,
    MemberStatus,
    NodeRecord,
    OrgRecord,
    load_member,
    load_node,
    load_org,
)
from chaincode.errors import NotFound


def list_members(ctx: Context, org_id: str, status: MemberStatus | None) -> Value:
    if load_org(reader(ctx), org_id) is None:
        raise NotFound(f"no organization {org_id!r}", code=E.UNKNOWN_ORG)
    return [m.summary() for m in members_of(ctx, org_id) if status is None or m.status is status]


def member(ctx: Context, key_id: str) -> Value:
    found = load_member(reader(ctx), key_id)
    if found is None:
        raise NotFound(f"no enrolled key {key_id[:16]}…", code=E.UNKNOWN_MEMBER)
    return found.to_value()


def org(ctx: Context, org_id: str) -> Value:
    found = load_org(reader(ctx), org_id)
    if found is None:
        raise NotFound(f"no organization {org_id!r}", code=E.UNKNOWN_ORG)
    return found.to_value()


def orgs(ctx: Context) -> Value:
    return [OrgRecord.from_value(v).to_value() for _, v in ctx.prefix("org/")]


def node(ctx: Context, node_id: int) -> Value:
    found = load_node(reader(ctx), node_id)
    if found is None:
        raise NotFound(f"no node {node_id}", code=E.UNKNOWN_NODE)
    return found.to_value()


def nodes(ctx: Context) -> Value:
    return [NodeRecord.from_value(v).to_value() for _, v in ctx.prefix(NODE_PREFIX)]


def expiring(ctx: Context, within_ms: int) -> Value:
    """Active member and node keys whose certificate ends by ``block time + within_ms``.

    Already-expired keys are listed too (``expired: true``): they are the most urgent.
    Health reports use a 30-day window. Sorted by expiry, then key id.
    """
    now = ctx.block_time_ms
    horizon = now + within_ms
    found: list[MemberRecord] = []
    for _, value in ctx.prefix(MEMBER_PREFIX):
        record = MemberRecord.from_value(value)
        if record.status is MemberStatus.ACTIVE and record.not_after_ms <= horizon:
            found.append(record)
    found.sort(key=lambda m: (m.not_after_ms, m.key_id))
    return [
        {
            "key_id": m.key_id,
            "org_id": m.org_id,
            "kind": m.kind.value,
            "node_id": m.node_id,
            "not_after_ms": m.not_after_ms,
            "expired": m.not_after_ms < now,
        }
        for m in found
    ]
