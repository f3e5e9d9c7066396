"""Typed helpers for the ``config`` contract: governance proposals, approvals, settings
(docs/governance.md). Change shapes mirror ``chaincode/contracts/msp/changes.py`` and
``chaincode/contracts/config/changes.py``; ``kind`` picks the change, so it is required.
"""

# No ``from __future__ import annotations`` (see sdk.client.contracts.trace).
from typing import Literal, NotRequired, TypeAlias, TypedDict, TypeVar, Unpack

from sdk.client.contracts.base import ContractApi

T_co = TypeVar("T_co", covariant=True)
Q_co = TypeVar("Q_co", covariant=True)

RoleName = Literal[
    "manufacturer",
    "distributor",
    "logistics",
    "pharmacy",
    "hospital",
    "regulator",
    "supplier",
    "qa",
    "qp",
    "admin",
    "node",
    "device",
]


class AddOrg(TypedDict):
    kind: Literal["add_org"]
    org_id: str
    name: str
    ca_cert_pem: str
    roles: list[RoleName]
    admins: list[str]
    """PEM member certificates from the new CA with the admin role, enrolled with the org."""


class RemoveOrg(TypedDict):
    kind: Literal["remove_org"]
    org_id: str


class SetOrgCa(TypedDict):
    kind: Literal["set_org_ca"]
    org_id: str
    ca_cert_pem: str


class AddNode(TypedDict):
    kind: Literal["add_node"]
    node_id: int
    org_id: str
    cert_pem: str
    host: str
    peer_port: int
    api_port: int


class PromoteNode(TypedDict):
    kind: Literal["promote_node"]
    node_id: int


class RemoveNode(TypedDict):
    kind: Literal["remove_node"]
    node_id: int


class SetBlockLimits(TypedDict):
    kind: Literal["set_block_limits"]
    max_txs: int
    max_bytes: int
    max_wait_ms: int


class EnableContract(TypedDict):
    kind: Literal["enable_contract"]
    name: str
    version: str
    code_hash: str


class SetPolicy(TypedDict):
    kind: Literal["set_policy"]
    policy: str
    approval_ttl_ms: NotRequired[int | None]


Change: TypeAlias = (
    AddOrg
    | RemoveOrg
    | SetOrgCa
    | AddNode
    | PromoteNode
    | RemoveNode
    | SetBlockLimits
    | EnableContract
    | SetPolicy
)


class ProposeArgs(TypedDict):
    change: Change


class ProposalArgs(TypedDict):
    proposal_id: int


class ProposalsArgs(TypedDict):
    status: NotRequired[Literal["pending", "applied", "failed", "withdrawn", "expired"] | None]
    after_id: NotRequired[int]
    limit: NotRequired[int]


class NoArgs(TypedDict):
    pass


class ConfigApi(ContractApi[T_co, Q_co]):
    """``client.config``: propose a consortium change, approve it, follow it."""

    contract = "config"

    def propose(self, **args: Unpack[ProposeArgs]) -> T_co:
        return self._tx("propose", args)

    def approve(self, **args: Unpack[ProposalArgs]) -> T_co:
        return self._tx("approve", args)

    def withdraw(self, **args: Unpack[ProposalArgs]) -> T_co:
        return self._tx("withdraw", args)

    def proposal(self, **args: Unpack[ProposalArgs]) -> Q_co:
        return self._query("proposal", args)

    def proposals(self, **args: Unpack[ProposalsArgs]) -> Q_co:
        return self._query("proposals", args)

    def settings(self, **args: Unpack[NoArgs]) -> Q_co:
        return self._query("settings", args)
