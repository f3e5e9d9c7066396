"""Typed helpers for the ``msp`` contract: enrollment, revocation, suspension, rotation and
the membership queries (docs/governance.md). Names mirror ``chaincode/contracts/msp/``.

Organizations and nodes are changed only through governance: ``client.config.propose``
with a change (``AddOrg``, ``AddNode``, ...); the msp functions of those names refuse direct
calls (``permission.governance_only``), so they have no helper here.
"""

# No ``from __future__ import annotations`` (see sdk.client.contracts.trace).
from typing import Literal, NotRequired, TypedDict, TypeVar, Unpack

from sdk.client.contracts.base import ContractApi

T_co = TypeVar("T_co", covariant=True)
Q_co = TypeVar("Q_co", covariant=True)


class EnrollArgs(TypedDict):
    cert_pem: str


class KeyReasonArgs(TypedDict):
    key_id: str
    reason: str


class RotateArgs(TypedDict):
    """``key_id`` is the key being rotated (default: the signer's own)."""

    cert_pem: str
    key_id: NotRequired[str | None]


class KeyArgs(TypedDict):
    key_id: str


class OrgArgs(TypedDict):
    org_id: str


class NodeArgs(TypedDict):
    node_id: int


class ListMembersArgs(TypedDict):
    org_id: str
    status: NotRequired[Literal["active", "suspended", "revoked"] | None]


class ExpiringArgs(TypedDict):
    within_ms: int


class NoArgs(TypedDict):
    pass


class MspApi(ContractApi[T_co, Q_co]):
    """``client.msp``: who may sign, and the membership records."""

    contract = "msp"

    def enroll(self, **args: Unpack[EnrollArgs]) -> T_co:
        return self._tx("enroll", args)

    def revoke(self, **args: Unpack[KeyReasonArgs]) -> T_co:
        return self._tx("revoke", args)

    def suspend(self, **args: Unpack[KeyReasonArgs]) -> T_co:
        return self._tx("suspend", args)

    def reinstate(self, **args: Unpack[KeyReasonArgs]) -> T_co:
        return self._tx("reinstate", args)

    def rotate(self, **args: Unpack[RotateArgs]) -> T_co:
        return self._tx("rotate", args)

    def list_members(self, **args: Unpack[ListMembersArgs]) -> Q_co:
        return self._query("list_members", args)

    def member(self, **args: Unpack[KeyArgs]) -> Q_co:
        return self._query("member", args)

    def org(self, **args: Unpack[OrgArgs]) -> Q_co:
        return self._query("org", args)

    def orgs(self, **args: Unpack[NoArgs]) -> Q_co:
        return self._query("orgs", args)

    def node(self, **args: Unpack[NodeArgs]) -> Q_co:
        return self._query("node", args)

    def nodes(self, **args: Unpack[NoArgs]) -> Q_co:
        return self._query("nodes", args)

    def expiring(self, **args: Unpack[ExpiringArgs]) -> Q_co:
        return self._query("expiring", args)
