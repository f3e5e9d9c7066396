"""The msp contract: who may sign, for which organization, with which roles (issue 5).

Members enroll with certificates from their org CA; admins revoke their own org's keys,
regulators suspend and reinstate anyone's; keys rotate without downtime. Organizations and
nodes change only through the config contract (governance), which calls the functions below
marked "governance only".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chaincode.api import Args, Context, Contract, NoArgs, Value, query, transaction
from chaincode.contracts.msp import errors as E
from chaincode.contracts.msp import membership, queries
from chaincode.contracts.msp.changes import (
    AddNode,
    AddOrg,
    MembershipChange,
    NodeIdArg,
    OrgIdArg,
    PemArg,
    PromoteNode,
    RemoveNode,
    RemoveOrg,
    SetOrgCa,
)
from chaincode.contracts.msp.governance import apply_change
from chaincode.contracts.msp.records import MemberStatus
from chaincode.errors import PermissionDenied
from sdk.roles import Role

KeyIdArg = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ReasonArg = Annotated[str, Field(min_length=1, max_length=500)]
GOVERNANCE = "config"


class EnrollArgs(Args):
    cert_pem: PemArg


class KeyReasonArgs(Args):
    key_id: KeyIdArg
    reason: ReasonArg


class RotateArgs(Args):
    cert_pem: PemArg
    key_id: KeyIdArg | None = None
    """The key to rotate; default: the signer's own key."""


class KeyArgs(Args):
    key_id: KeyIdArg


class OrgArgs(Args):
    org_id: OrgIdArg


class NodeArgs(Args):
    node_id: NodeIdArg


class ListMembersArgs(Args):
    org_id: OrgIdArg
    status: Annotated[MemberStatus, Field(strict=False)] | None = None


class ExpiringArgs(Args):
    within_ms: Annotated[int, Field(ge=0, le=10 * 365 * 24 * 3600 * 1000)]


def _governed(ctx: Context, change: MembershipChange) -> Value:
    """Apply a membership change, but only when the config contract calls (issue 5 item 5)."""
    if ctx.caller != GOVERNANCE:
        raise PermissionDenied(
            f"msp.{change.kind} applies approved governance changes; propose it through "
            "config.propose",
            code=E.GOVERNANCE_ONLY,
        )
    return apply_change(ctx, change)


class MspContract(Contract):
    """Membership service: organizations, member and node keys, and their lifecycle."""

    name = "msp"
    version = "1.0.0"

    @transaction(Role.ADMIN)
    def enroll(self, ctx: Context, args: EnrollArgs) -> Value:
        """Enroll a member certificate of the admin's own organization."""
        return membership.enroll(ctx, args.cert_pem)

    @transaction(Role.ADMIN)
    def revoke(self, ctx: Context, args: KeyReasonArgs) -> Value:
        """Revoke a key of the admin's own organization, effective from this block."""
        return membership.revoke(ctx, args.key_id, args.reason)

    @transaction(Role.REGULATOR)
    def suspend(self, ctx: Context, args: KeyReasonArgs) -> Value:
        """Suspend any key (regulator)."""
        return membership.suspend(ctx, args.key_id, args.reason)

    @transaction(Role.REGULATOR)
    def reinstate(self, ctx: Context, args: KeyReasonArgs) -> Value:
        """Lift a suspension (regulator)."""
        return membership.reinstate(ctx, args.key_id, args.reason)

    @transaction()
    def rotate(self, ctx: Context, args: RotateArgs) -> Value:
        """Rotate a key's certificate (by the key itself, or an admin of its org)."""
        return membership.rotate(ctx, args.cert_pem, args.key_id)

    @transaction()
    def add_org(self, ctx: Context, args: AddOrg) -> Value:
        """Governance only: admit an organization."""
        return _governed(ctx, args)

    @transaction()
    def remove_org(self, ctx: Context, args: RemoveOrg) -> Value:
        """Governance only: remove an organization and its nodes."""
        return _governed(ctx, args)

    @transaction()
    def set_org_ca(self, ctx: Context, args: SetOrgCa) -> Value:
        """Governance only: replace an organization's CA certificate."""
        return _governed(ctx, args)

    @transaction()
    def add_node(self, ctx: Context, args: AddNode) -> Value:
        """Governance only: add a learner node."""
        return _governed(ctx, args)

    @transaction()
    def promote_node(self, ctx: Context, args: PromoteNode) -> Value:
        """Governance only: make a learner a voter."""
        return _governed(ctx, args)

    @transaction()
    def remove_node(self, ctx: Context, args: RemoveNode) -> Value:
        """Governance only: remove a node; its key stops signing."""
        return _governed(ctx, args)

    @query()
    def list_members(self, ctx: Context, args: ListMembersArgs) -> Value:
        """Members and node keys of an organization, optionally of one status."""
        return queries.list_members(ctx, args.org_id, args.status)

    @query()
    def member(self, ctx: Context, args: KeyArgs) -> Value:
        """One key's full record, certificate included."""
        return queries.member(ctx, args.key_id)

    @query()
    def org(self, ctx: Context, args: OrgArgs) -> Value:
        """One organization's record."""
        return queries.org(ctx, args.org_id)

    @query()
    def orgs(self, ctx: Context, args: NoArgs) -> Value:
        """Every organization, removed ones included, in id order."""
        return queries.orgs(ctx)

    @query()
    def node(self, ctx: Context, args: NodeArgs) -> Value:
        """One node's record."""
        return queries.node(ctx, args.node_id)

    @query()
    def nodes(self, ctx: Context, args: NoArgs) -> Value:
        """Every node, removed ones included, in id order."""
        return queries.nodes(ctx)

    @query()
    def expiring(self, ctx: Context, args: ExpiringArgs) -> Value:
        """Active keys whose certificates expire within ``within_ms`` of block time."""
        return queries.expiring(ctx, args.within_ms)
