"""Signer resolution: may this key sign a transaction at this block? (issue 5, item 3)

The node calls :func:`resolve_signer` for every transaction twice: at admission (over
committed state) and when applying the block (over the block layer, so a revocation earlier
in the same block already counts). It is a plain function of msp state and block time, so
every node reaches the same verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from chaincode.api import Context, Signer, Value
from chaincode.contracts.msp.errors import (
    SIGNER_EXPIRED,
    SIGNER_NOT_YET_VALID,
    SIGNER_ORG_REMOVED,
    SIGNER_REVOKED,
    SIGNER_SUSPENDED,
    SIGNER_UNKNOWN,
    SignerRejected,
)
from chaincode.contracts.msp.records import (
    NAMESPACE,
    MemberStatus,
    OrgStatus,
    Reader,
    load_member,
    load_org,
)


class _NamespacedReader(Protocol):
    def get(self, namespace: str, key: str) -> Value | None: ...


def state_reader(state: _NamespacedReader) -> Reader:
    """Read msp keys from committed state or a block layer (anything with ``get(ns, key)``)."""
    return lambda key: state.get(NAMESPACE, key)


def context_reader(ctx: Context) -> Reader:
    """Read msp keys from inside another contract's transaction."""
    return lambda key: ctx.read(NAMESPACE, key)


def resolve_signer(read: Reader, key_id: str, at_ms: int) -> Signer:
    """The signer behind ``key_id`` at block time ``at_ms``, or ``SignerRejected``.

    Checks, in order: the key is enrolled (``signer.unknown``), not revoked
    (``signer.revoked``, rotation retires an old key this way too), its organization is
    still a member (``signer.org_removed``), not suspended (``signer.suspended``), and its
    certificate is valid at ``at_ms`` (``signer.not_yet_valid``, ``signer.expired``).
    """
    member = load_member(read, key_id)
    if member is None:
        raise SignerRejected(SIGNER_UNKNOWN, f"key {key_id[:16]}… is not enrolled")
    short = f"key {key_id[:16]}… of org {member.org_id!r}"
    if member.status is MemberStatus.REVOKED:
        raise SignerRejected(
            SIGNER_REVOKED,
            f"{short} was revoked at height {member.revoked_height}: {member.reason}",
        )
    org = load_org(read, member.org_id)
    if org is None or org.status is OrgStatus.REMOVED:
        raise SignerRejected(SIGNER_ORG_REMOVED, f"{short}: the organization left the consortium")
    if member.status is MemberStatus.SUSPENDED:
        raise SignerRejected(SIGNER_SUSPENDED, f"{short} is suspended: {member.reason}")
    _check_validity(short, member.not_before_ms, member.not_after_ms, at_ms)
    return Signer(member.key_id, member.org_id, member.roles)


def _check_validity(short: str, not_before_ms: int, not_after_ms: int, at_ms: int) -> None:
    if at_ms < not_before_ms:
        raise SignerRejected(
            SIGNER_NOT_YET_VALID, f"{short}: certificate valid from {not_before_ms} ms, now {at_ms}"
        )
    if not_after_ms < at_ms:
        raise SignerRejected(
            SIGNER_EXPIRED, f"{short}: certificate expired at {not_after_ms} ms, now {at_ms}"
        )


SignerResolver = Callable[[Reader, str, int], Signer]
"""The type of :func:`resolve_signer`, for code that takes it as a dependency."""
