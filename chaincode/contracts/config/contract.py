"""The config contract: governance of the consortium (issue 5, items 5-7).

An admin proposes a change; admins of other organizations approve it (one voice per org);
when the governance policy is met the change takes effect in that same transaction and a
``config.applied`` event tells the nodes. Partial approvals are visible and expire after
``approval_ttl_ms``, judged at block time.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chaincode.api import Args, Context, Contract, NoArgs, Value, query, transaction
from chaincode.contracts.config import proposals
from chaincode.contracts.config.changes import AnyChange
from chaincode.contracts.config.errors import UNKNOWN_PROPOSAL, ConfigRejection
from chaincode.contracts.config.state import (
    APPROVAL_TTL,
    CONTRACT_PREFIX,
    LIMITS,
    POLICY,
    PROPOSAL_PREFIX,
    TX_WINDOW,
    ProposalRecord,
    ProposalStatus,
)
from sdk.roles import Role

ProposalIdArg = Annotated[int, Field(ge=1)]


class ProposeArgs(Args):
    change: AnyChange


class ProposalArgs(Args):
    proposal_id: ProposalIdArg


class ProposalsArgs(Args):
    status: Annotated[ProposalStatus, Field(strict=False)] | None = None
    after_id: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=500)] = 100


class ConfigContract(Contract):
    """Consortium governance: proposals, approvals, policies and network settings."""

    name = "config"
    version = "1.0.0"

    @transaction(Role.ADMIN)
    def propose(self, ctx: Context, args: ProposeArgs) -> Value:
        """Propose a consortium change; the proposer's organization approves it."""
        return proposals.propose(ctx, args.change)

    @transaction(Role.ADMIN)
    def approve(self, ctx: Context, args: ProposalArgs) -> Value:
        """Approve a pending proposal for the signer's organization."""
        return proposals.approve(ctx, args.proposal_id)

    @transaction(Role.ADMIN)
    def withdraw(self, ctx: Context, args: ProposalArgs) -> Value:
        """Withdraw a pending proposal of the signer's organization."""
        return proposals.withdraw(ctx, args.proposal_id)

    @query()
    def proposal(self, ctx: Context, args: ProposalArgs) -> Value:
        """One proposal with its approvals, effective status and what the policy requires."""
        found = ctx.get(f"{PROPOSAL_PREFIX}{args.proposal_id:012d}")
        if found is None:
            raise ConfigRejection(UNKNOWN_PROPOSAL, f"no proposal {args.proposal_id}")
        return proposals.view(ctx, ProposalRecord.from_value(found))

    @query()
    def proposals(self, ctx: Context, args: ProposalsArgs) -> Value:
        """Proposals in id order after ``after_id``, optionally of one (effective) status."""
        listed: list[Value] = []
        start = f"{PROPOSAL_PREFIX}{args.after_id + 1:012d}"
        for _, value in ctx.range(start, PROPOSAL_PREFIX + "\U0010ffff"):
            proposal = ProposalRecord.from_value(value)
            status = proposal.effective_status(ctx.block_time_ms)
            if args.status is None or status is args.status:
                listed.append(proposals.view(ctx, proposal))
                if len(listed) == args.limit:
                    break
        return listed

    @query()
    def settings(self, ctx: Context, args: NoArgs) -> Value:
        """The network settings in force: policy, approval TTL, time window, limits, pins."""
        return {
            "policy": ctx.get(POLICY),
            "approval_ttl_ms": ctx.get(APPROVAL_TTL),
            "tx_time_window_ms": ctx.get(TX_WINDOW),
            "limits": ctx.get(LIMITS),
            "contracts": [value for _, value in ctx.prefix(CONTRACT_PREFIX)],
        }
