"""The config state: settings the whole network runs by, and governance proposals.

Keys in the ``config`` namespace::

    policy              canonical governance policy text ("MAJORITY admins")
    approval_ttl_ms     how long a proposal may gather approvals
    tx_time_window_ms   how far a transaction's client time may be from block time
    limits              {max_txs, max_bytes, max_wait_ms}; absent: the node's own defaults
    contract/{name}     {name, version, code_hash, enabled_height}: the pinned release
    next_proposal       the id the next proposal gets (ids start at 1, never reused)
    proposal/{id:012d}  ProposalRecord
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from chaincode.api import Context, Value
from chaincode.contracts.config.errors import NOT_INITIALISED, ConfigRejection
from chaincode.contracts.config.policy import OrgRoles, Policy, parse_policy

NAMESPACE = "config"
POLICY = "policy"
APPROVAL_TTL = "approval_ttl_ms"
TX_WINDOW = "tx_time_window_ms"
LIMITS = "limits"
NEXT_PROPOSAL = "next_proposal"
CONTRACT_PREFIX = "contract/"
PROPOSAL_PREFIX = "proposal/"


def contract_key(name: str) -> str:
    return f"{CONTRACT_PREFIX}{name}"


def proposal_key(proposal_id: int) -> str:
    return f"{PROPOSAL_PREFIX}{proposal_id:012d}"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    """Never stored: a pending proposal past its deadline reads as expired (block time)."""


@dataclass(frozen=True, slots=True)
class Approval:
    org_id: str
    key_id: str
    height: int

    def to_value(self) -> Value:
        return {"org_id": self.org_id, "key_id": self.key_id, "height": self.height}


@dataclass(frozen=True, slots=True)
class ProposalRecord:
    proposal_id: int
    change: dict[str, Value]
    proposer_key: str
    proposer_org: str
    proposed_height: int
    expires_ms: int
    approvals: tuple[Approval, ...]
    status: ProposalStatus
    closed_height: int | None = None
    failure: dict[str, Value] | None = None

    @property
    def kind(self) -> str:
        return str(self.change["kind"])

    def approvers(self) -> list[str]:
        return [a.org_id for a in self.approvals]

    def effective_status(self, now_ms: int) -> ProposalStatus:
        """Expiry is evaluated at block time, so no transaction is needed to expire one."""
        if self.status is ProposalStatus.PENDING and now_ms > self.expires_ms:
            return ProposalStatus.EXPIRED
        return self.status

    def approved_by(self, approval: Approval) -> ProposalRecord:
        return replace(self, approvals=(*self.approvals, approval))

    def closed(
        self, status: ProposalStatus, height: int, failure: dict[str, Value] | None = None
    ) -> ProposalRecord:
        return replace(self, status=status, closed_height=height, failure=failure)

    def to_value(self) -> Value:
        return {
            "proposal_id": self.proposal_id,
            "change": self.change,
            "proposer_key": self.proposer_key,
            "proposer_org": self.proposer_org,
            "proposed_height": self.proposed_height,
            "expires_ms": self.expires_ms,
            "approvals": [a.to_value() for a in self.approvals],
            "status": self.status.value,
            "closed_height": self.closed_height,
            "failure": self.failure,
        }

    @classmethod
    def from_value(cls, value: Value) -> ProposalRecord:
        v = _map(value)
        return cls(
            proposal_id=v["proposal_id"],
            change=dict(v["change"]),
            proposer_key=v["proposer_key"],
            proposer_org=v["proposer_org"],
            proposed_height=v["proposed_height"],
            expires_ms=v["expires_ms"],
            approvals=tuple(
                Approval(a["org_id"], a["key_id"], a["height"]) for a in v["approvals"]
            ),
            status=ProposalStatus(v["status"]),
            closed_height=v["closed_height"],
            failure=v["failure"],
        )


def _map(value: Value) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        # Only this contract writes these keys; a non-map is corrupted state, a node bug.
        raise TypeError(f"config record is not a map: {type(value).__name__}")
    return value


def _setting(ctx: Context, key: str) -> Value:
    found = ctx.get(key)
    if found is None:
        raise ConfigRejection(
            NOT_INITIALISED, f"config state has no {key!r}: the genesis state was not written"
        )
    return found


def current_policy(ctx: Context) -> Policy:
    return parse_policy(str(_setting(ctx, POLICY)))


def approval_ttl_ms(ctx: Context) -> int:
    found = _setting(ctx, APPROVAL_TTL)
    if not isinstance(found, int):
        raise TypeError("approval_ttl_ms is not an integer")
    return found


def active_orgs(ctx: Context) -> dict[str, frozenset[str]]:
    """Active organizations (from msp state) with the role names each may grant."""
    orgs: dict[str, frozenset[str]] = {}
    for _, value in ctx.read_prefix("msp", "org/"):
        record = _map(value)
        if record["status"] == "active":
            orgs[record["org_id"]] = frozenset(record["roles"])
    return orgs


def without(orgs: OrgRoles, org_id: str) -> dict[str, frozenset[str]]:
    return {k: v for k, v in orgs.items() if k != org_id}


def load_proposal(ctx: Context, proposal_id: int) -> ProposalRecord | None:
    found = ctx.get(proposal_key(proposal_id))
    return None if found is None else ProposalRecord.from_value(found)


def store_proposal(ctx: Context, proposal: ProposalRecord) -> None:
    ctx.put(proposal_key(proposal.proposal_id), proposal.to_value())


def next_proposal_id(ctx: Context) -> int:
    found = ctx.get(NEXT_PROPOSAL)
    current = found if isinstance(found, int) else 1
    ctx.put(NEXT_PROPOSAL, current + 1)
    return current
