"""Member lifecycle rules: enroll, revoke, suspend, reinstate, rotate (issue 5, items 2 and 5).

Every rule reads and writes through the transaction's context; certificates are checked at
the block's time, never the wall clock, so all nodes agree.
"""

from __future__ import annotations

from dataclasses import replace

from chaincode.api import Context, Value
from chaincode.context import missing_role
from chaincode.contracts.msp import errors as E
from chaincode.contracts.msp.certs import CertFacts, certify, claimed_org
from chaincode.contracts.msp.records import (
    KeyKind,
    MemberRecord,
    MemberStatus,
    OrgRecord,
    OrgStatus,
    Reader,
    load_member,
    load_node,
    load_org,
    member_key,
    node_key,
    org_member_prefix,
)
from chaincode.errors import Conflict, NotFound, PermissionDenied
from sdk.roles import Role


def reader(ctx: Context) -> Reader:
    return ctx.get


def active_org(ctx: Context, org_id: str) -> OrgRecord:
    """The organization, refusing unknown (``msp.unknown_org``) and removed ones."""
    org = load_org(reader(ctx), org_id)
    if org is None:
        raise NotFound(f"no organization {org_id!r}", code=E.UNKNOWN_ORG)
    if org.status is OrgStatus.REMOVED:
        raise Conflict(f"organization {org_id!r} was removed", code=E.ORG_REMOVED)
    return org


def existing_member(ctx: Context, key_id: str) -> MemberRecord:
    member = load_member(reader(ctx), key_id)
    if member is None:
        raise NotFound(f"no enrolled key {key_id[:16]}…", code=E.UNKNOWN_MEMBER)
    return member


def same_org(ctx: Context, org_id: str, what: str) -> None:
    """Admins act on their own organization only (``permission.wrong_org``)."""
    if ctx.signer.org_id != org_id:
        raise PermissionDenied(
            f"{what}: an admin of {ctx.signer.org_id!r} cannot act for organization {org_id!r}",
            code=E.WRONG_ORG,
        )


def check_roles(org: OrgRecord, facts: CertFacts) -> None:
    """The certificate's roles must be among those the org's CA may grant (NODE always may)."""
    check_grantable(org.org_id, org.roles, facts)


def check_grantable(org_id: str, grantable: frozenset[Role], facts: CertFacts) -> None:
    """:func:`check_roles` for an org given by its id and allowed roles (maybe not stored yet)."""
    extra = sorted(r.value for r in facts.roles - grantable - {Role.NODE})
    if extra:
        raise PermissionDenied(
            f"organization {org_id!r} may not grant the roles {', '.join(extra)}",
            code=E.ROLE_NOT_ALLOWED,
        )


def check_new_key(read: Reader, key_id: str) -> None:
    """A key is enrolled once; a retired (revoked or rotated-out) key never comes back."""
    existing = load_member(read, key_id)
    if existing is None:
        return
    if existing.status is MemberStatus.REVOKED:
        raise Conflict(
            f"key {key_id[:16]}… was revoked at height {existing.revoked_height}; "
            "issue a certificate for a new key",
            code=E.KEY_RETIRED,
        )
    raise Conflict(f"key {key_id[:16]}… is already enrolled", code=E.ALREADY_ENROLLED)


def store_member(ctx: Context, member: MemberRecord) -> None:
    ctx.put(member_key(member.key_id), member.to_value())
    ctx.put(org_member_prefix(member.org_id) + member.key_id, member.kind.value)


def members_of(ctx: Context, org_id: str) -> list[MemberRecord]:
    """The org's keys (members and nodes) in key-id order."""
    found = []
    for key, _ in ctx.prefix(org_member_prefix(org_id)):
        member = load_member(reader(ctx), key.rsplit("/", 1)[1])
        if member is not None:
            found.append(member)
    return found


def keep_an_admin(
    ctx: Context, org_id: str, *, leaving: str, successor: MemberRecord | None
) -> None:
    """Refuse to leave an organization without an active admin (nobody could enroll again)."""
    if successor is not None and Role.ADMIN in successor.roles:
        return
    others = [
        m
        for m in members_of(ctx, org_id)
        if m.key_id != leaving
        and m.status is MemberStatus.ACTIVE
        and Role.ADMIN in m.roles
        and m.not_after_ms >= ctx.block_time_ms
    ]
    if not others:
        raise Conflict(
            f"key {leaving[:16]}… is the last active admin of {org_id!r}; enroll another first",
            code=E.LAST_ADMIN,
        )


def enroll(ctx: Context, cert_pem: str) -> Value:
    """Register a member certificate issued by the admin's own organization's CA."""
    org_id = claimed_org(cert_pem)
    same_org(ctx, org_id, "enroll")
    org = active_org(ctx, org_id)
    facts = certify(cert_pem, org.ca_cert_pem, ctx.block_time_ms, expect_org=org_id)
    if Role.NODE in facts.roles:
        raise Conflict(
            "node certificates join through governance (config add_node)", code=E.NODE_CERT
        )
    check_roles(org, facts)
    check_new_key(reader(ctx), facts.key_id)
    member = facts.member(KeyKind.MEMBER, height=ctx.block_height)
    store_member(ctx, member)
    ctx.emit("enrolled", member.summary())
    return member.summary()


def revoke(ctx: Context, key_id: str, reason: str) -> Value:
    """Revoke a member or node key of the admin's own organization, from this block on."""
    member = existing_member(ctx, key_id)
    same_org(ctx, member.org_id, "revoke")
    if member.status is MemberStatus.REVOKED:
        raise Conflict(f"key {key_id[:16]}… is already revoked", code=E.ALREADY_REVOKED)
    if Role.ADMIN in member.roles:
        keep_an_admin(ctx, member.org_id, leaving=key_id, successor=None)
    revoked = member.with_status(MemberStatus.REVOKED, height=ctx.block_height, reason=reason)
    ctx.put(member_key(key_id), revoked.to_value())
    ctx.emit("revoked", revoked.summary())
    return revoked.summary()


def suspend(ctx: Context, key_id: str, reason: str) -> Value:
    """A regulator suspends a key (any organization); reversible with :func:`reinstate`."""
    member = existing_member(ctx, key_id)
    if member.status is not MemberStatus.ACTIVE:
        raise Conflict(f"key {key_id[:16]}… is {member.status.value}", code=E.NOT_ACTIVE)
    changed = member.with_status(MemberStatus.SUSPENDED, height=None, reason=reason)
    ctx.put(member_key(key_id), changed.to_value())
    ctx.emit("suspended", changed.summary())
    return changed.summary()


def reinstate(ctx: Context, key_id: str, reason: str) -> Value:
    """A regulator lifts a suspension."""
    member = existing_member(ctx, key_id)
    if member.status is not MemberStatus.SUSPENDED:
        raise Conflict(f"key {key_id[:16]}… is {member.status.value}", code=E.NOT_SUSPENDED)
    changed = member.with_status(MemberStatus.ACTIVE, height=None, reason=reason)
    ctx.put(member_key(key_id), changed.to_value())
    ctx.emit("reinstated", changed.summary())
    return changed.summary()


def rotate(ctx: Context, new_cert_pem: str, key_id: str | None) -> Value:
    """Replace a key's certificate; with a new key, the old key stops working at this block.

    The key itself may rotate (its new roles within its old ones: no self-promotion) or an
    admin of its organization may rotate it for the member (and change its roles).
    """
    target = existing_member(ctx, key_id or ctx.signer.key_id)
    by_self = target.key_id == ctx.signer.key_id
    if not by_self:
        if Role.ADMIN not in ctx.signer.roles:
            raise missing_role("msp.rotate of another key", ctx.signer, frozenset({Role.ADMIN}))
        same_org(ctx, target.org_id, "rotate")
    if target.status is not MemberStatus.ACTIVE:
        raise Conflict(f"key {target.key_id[:16]}… is {target.status.value}", code=E.NOT_ACTIVE)
    org = active_org(ctx, target.org_id)
    facts = certify(new_cert_pem, org.ca_cert_pem, ctx.block_time_ms, expect_org=org.org_id)
    _check_rotation(ctx, org, target, facts, by_self=by_self)
    successor = facts.member(target.kind, height=ctx.block_height, node_id=target.node_id)
    if facts.key_id == target.key_id:
        successor = successor.rotated_in_place(target)
    else:
        check_new_key(reader(ctx), facts.key_id)
        if Role.ADMIN in target.roles:
            keep_an_admin(ctx, org.org_id, leaving=target.key_id, successor=successor)
        successor = successor.replacing(target.key_id)
        retired = target.with_status(
            MemberStatus.REVOKED, height=ctx.block_height, reason="rotated"
        )
        ctx.put(member_key(target.key_id), retired.retired_for(successor.key_id).to_value())
    store_member(ctx, successor)
    if target.node_id is not None:
        _repoint_node(ctx, target.node_id, successor)
    payload: dict[str, Value] = {"old_key_id": target.key_id, **successor.summary()}
    ctx.emit("rotated", payload)
    return payload


def _check_rotation(
    ctx: Context, org: OrgRecord, target: MemberRecord, facts: CertFacts, *, by_self: bool
) -> None:
    is_node = target.kind is KeyKind.NODE
    if is_node != (Role.NODE in facts.roles):
        code = E.NOT_NODE_CERT if is_node else E.NODE_CERT
        raise Conflict(
            "a node key rotates to a node certificate, a member's to a member's", code=code
        )
    check_roles(org, facts)
    if by_self and not facts.roles <= target.roles:
        gained = ", ".join(sorted(r.value for r in facts.roles - target.roles))
        raise PermissionDenied(
            f"a key cannot grant itself new roles ({gained}); ask an admin of {org.org_id!r}",
            code=E.ROLE_ESCALATION,
        )
    if facts.key_id == target.key_id and facts.serial == target.serial:
        raise Conflict("this certificate is already the key's current one", code=E.SAME_CERTIFICATE)
    if not by_self and Role.ADMIN in target.roles and Role.ADMIN not in facts.roles:
        keep_an_admin(ctx, org.org_id, leaving=target.key_id, successor=None)


def _repoint_node(ctx: Context, node_id: int, successor: MemberRecord) -> None:
    node = load_node(reader(ctx), node_id)
    if node is None:
        return
    moved = replace(node, key_id=successor.key_id, cert_pem=successor.cert_pem)
    ctx.put(node_key(node_id), moved.to_value())
