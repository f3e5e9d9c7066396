"""The proposal state machine: propose, approve, withdraw, and apply when the policy is met.

    (propose) ──► pending ──(policy met, same tx)──► applied
                    │  └──(apply refused)──────────► failed
                    ├──(proposer's org)────────────► withdrawn
                    └──(block time > expires_ms)───► expired   (read-time, never written)

One approval per organization; the proposer's org approves by proposing (issue 5, item 5).
The change takes effect in the transaction whose approval meets the policy; the node acts on
the ``config.applied`` event (Raft membership, contract pins, block limits).
"""

from __future__ import annotations

from chaincode.api import Context, Value
from chaincode.contracts.config import errors as C
from chaincode.contracts.config.changes import (
    Change,
    EnableContract,
    SetBlockLimits,
    SetPolicy,
    parse_change,
)
from chaincode.contracts.config.errors import ConfigRejection
from chaincode.contracts.config.policy import (
    counted,
    eligible_orgs,
    is_met,
    parse_policy,
    required_approvals,
    satisfiable,
)
from chaincode.contracts.config.state import (
    APPROVAL_TTL,
    LIMITS,
    POLICY,
    Approval,
    ProposalRecord,
    ProposalStatus,
    active_orgs,
    approval_ttl_ms,
    contract_key,
    current_policy,
    load_proposal,
    next_proposal_id,
    store_proposal,
    without,
)
from chaincode.contracts.msp.changes import MembershipChange, RemoveOrg
from chaincode.contracts.msp.governance import all_nodes, check_change
from chaincode.contracts.msp.records import NODE_PREFIX
from chaincode.contracts.msp.signers import context_reader
from chaincode.errors import InvalidTransaction


def check(ctx: Context, change: Change) -> None:
    """Refuse a change that could not apply now (at proposal time and again at apply time)."""
    if isinstance(change, SetPolicy):
        _check_policy(ctx, change)
    elif isinstance(change, EnableContract):
        pinned = ctx.get(contract_key(change.name))
        if isinstance(pinned, dict) and (pinned["version"], pinned["code_hash"]) == (
            change.version,
            change.code_hash,
        ):
            raise ConfigRejection(
                C.SAME_CONTRACT, f"{change.name} {change.version} is pinned already"
            )
    elif not isinstance(change, SetBlockLimits):
        _check_membership(ctx, change)


def _check_policy(ctx: Context, change: SetPolicy) -> None:
    policy = parse_policy(change.policy)
    if not satisfiable(policy, active_orgs(ctx)):
        raise ConfigRejection(
            C.UNSATISFIABLE_POLICY,
            f"{policy} can never be met by the active organizations: governance would lock",
        )


def _check_membership(ctx: Context, change: MembershipChange) -> None:
    nodes = all_nodes(ctx.read_prefix("msp", NODE_PREFIX))
    check_change(context_reader(ctx), nodes, change, ctx.block_time_ms)
    if isinstance(change, RemoveOrg):
        remaining = without(active_orgs(ctx), change.org_id)
        if not satisfiable(current_policy(ctx), remaining):
            raise ConfigRejection(
                C.UNSATISFIABLE_POLICY,
                f"without {change.org_id!r} the policy {current_policy(ctx)} can never be met; "
                "change the policy first",
            )


def propose(ctx: Context, change: Change) -> Value:
    """Record a proposal with the proposer's org approving; apply at once if that suffices."""
    check(ctx, change)
    proposal = ProposalRecord(
        proposal_id=next_proposal_id(ctx),
        change=change.model_dump(mode="json"),
        proposer_key=ctx.signer.key_id,
        proposer_org=ctx.signer.org_id,
        proposed_height=ctx.block_height,
        expires_ms=ctx.block_time_ms + approval_ttl_ms(ctx),
        approvals=(Approval(ctx.signer.org_id, ctx.signer.key_id, ctx.block_height),),
        status=ProposalStatus.PENDING,
    )
    ctx.emit("proposed", {"proposal_id": proposal.proposal_id, "change": proposal.change})
    return _settle(ctx, proposal, change)


def approve(ctx: Context, proposal_id: int) -> Value:
    """Add the signer's organization's approval; apply the change if the policy is now met."""
    proposal = open_proposal(ctx, proposal_id)
    org_id = ctx.signer.org_id
    if org_id in proposal.approvers():
        raise ConfigRejection(
            C.ALREADY_APPROVED, f"{org_id!r} already approved proposal {proposal_id}"
        )
    if org_id not in eligible_orgs(current_policy(ctx), active_orgs(ctx)):
        raise ConfigRejection(
            C.NOT_ELIGIBLE,
            f"{org_id!r} is not among the approvers of the policy {current_policy(ctx)}",
        )
    proposal = proposal.approved_by(Approval(org_id, ctx.signer.key_id, ctx.block_height))
    ctx.emit("approved", {"proposal_id": proposal_id, "org_id": org_id})
    return _settle(ctx, proposal, parse_change(proposal.change))


def withdraw(ctx: Context, proposal_id: int) -> Value:
    """The proposer's organization takes its pending proposal back."""
    proposal = open_proposal(ctx, proposal_id)
    if ctx.signer.org_id != proposal.proposer_org:
        raise ConfigRejection(
            C.NOT_PROPOSER_ORG,
            f"only admins of {proposal.proposer_org!r} may withdraw proposal {proposal_id}",
        )
    closed = proposal.closed(ProposalStatus.WITHDRAWN, ctx.block_height)
    store_proposal(ctx, closed)
    ctx.emit("withdrawn", {"proposal_id": proposal_id})
    return view(ctx, closed)


def open_proposal(ctx: Context, proposal_id: int) -> ProposalRecord:
    proposal = load_proposal(ctx, proposal_id)
    if proposal is None:
        raise ConfigRejection(C.UNKNOWN_PROPOSAL, f"no proposal {proposal_id}")
    status = proposal.effective_status(ctx.block_time_ms)
    if status is ProposalStatus.EXPIRED:
        raise ConfigRejection(
            C.EXPIRED, f"proposal {proposal_id} expired at {proposal.expires_ms} ms"
        )
    if status is not ProposalStatus.PENDING:
        raise ConfigRejection(C.NOT_PENDING, f"proposal {proposal_id} is {status.value}")
    return proposal


def _settle(ctx: Context, proposal: ProposalRecord, change: Change) -> Value:
    if is_met(current_policy(ctx), active_orgs(ctx), proposal.approvers()):
        proposal = _apply(ctx, proposal, change)
    store_proposal(ctx, proposal)
    return view(ctx, proposal)


def _apply(ctx: Context, proposal: ProposalRecord, change: Change) -> ProposalRecord:
    """Make the change take effect now; a change the state no longer allows fails for good."""
    try:
        if isinstance(change, SetBlockLimits | EnableContract | SetPolicy):
            check(ctx, change)
            _write_setting(ctx, change)
        else:
            _check_membership(ctx, change)
            ctx.call("msp", change.kind, change.model_dump(mode="json"))
    except InvalidTransaction as refused:
        failure: dict[str, Value] = {"code": refused.code, "message": refused.message}
        ctx.emit("failed", {"proposal_id": proposal.proposal_id, **failure})
        return proposal.closed(ProposalStatus.FAILED, ctx.block_height, failure)
    ctx.emit(
        "applied",
        {
            "proposal_id": proposal.proposal_id,
            "change": proposal.change,
            "height": ctx.block_height,
        },
    )
    return proposal.closed(ProposalStatus.APPLIED, ctx.block_height)


def _write_setting(ctx: Context, change: SetBlockLimits | EnableContract | SetPolicy) -> None:
    if isinstance(change, SetBlockLimits):
        ctx.put(LIMITS, change.model_dump(mode="json", exclude={"kind"}))
    elif isinstance(change, EnableContract):
        ctx.put(contract_key(change.name), _pin(change, ctx.block_height))
    else:
        ctx.put(POLICY, str(parse_policy(change.policy)))
        if change.approval_ttl_ms is not None:
            ctx.put(APPROVAL_TTL, change.approval_ttl_ms)


def _pin(change: EnableContract, height: int | None) -> Value:
    return {
        "name": change.name,
        "version": change.version,
        "code_hash": change.code_hash,
        "enabled_height": height,
    }


def view(ctx: Context, proposal: ProposalRecord) -> dict[str, Value]:
    """A proposal as queries show it: effective status and where its approvals stand."""
    policy = current_policy(ctx)
    orgs = active_orgs(ctx)
    value = proposal.to_value()
    if not isinstance(value, dict):
        raise TypeError("proposal record is a map")
    value["status"] = proposal.effective_status(ctx.block_time_ms).value
    value["policy"] = str(policy)
    value["required"] = required_approvals(policy, orgs)
    counting: list[Value] = list(counted(policy, orgs, proposal.approvers()))
    value["counted"] = counting
    return value
