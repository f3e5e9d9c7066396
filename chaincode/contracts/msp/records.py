"""The msp state: organizations, members (every signing key) and nodes, as ledger values.

Keys in the ``msp`` namespace (issue 5, item 1)::

    org/{org_id}                    OrgRecord
    member/{key_id}                 MemberRecord (node keys too, kind "node")
    org-member/{org_id}/{key_id}    index for list_members; value: the key's kind
    node/{node_id:020d}             NodeRecord (zero-padded so ranges list nodes in id order)

A record is a sorted-key map of strings and integers (canonical, no floats). Nodes sign with
keys like members do, so a node key is also a member record: one resolution path, one
revocation path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, TypeAlias

from chaincode.api import Value
from sdk.roles import Role

Reader: TypeAlias = Callable[[str], Value | None]
"""Reads one key of the msp namespace (over a Context, a StateReader or a block layer)."""

NAMESPACE = "msp"


class OrgStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class NodeStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"


class KeyKind(StrEnum):
    MEMBER = "member"
    NODE = "node"


def org_key(org_id: str) -> str:
    return f"org/{org_id}"


def member_key(key_id: str) -> str:
    return f"member/{key_id}"


def org_member_prefix(org_id: str) -> str:
    return f"org-member/{org_id}/"


NODE_PREFIX = "node/"
MEMBER_PREFIX = "member/"


def node_key(node_id: int) -> str:
    return f"node/{node_id:020d}"


def roles_value(roles: frozenset[Role]) -> list[Value]:
    return [r.value for r in sorted(roles, key=lambda r: r.value)]


def roles_of(value: Any) -> frozenset[Role]:
    return frozenset(Role(r) for r in value)


@dataclass(frozen=True, slots=True)
class OrgRecord:
    org_id: str
    name: str
    ca_cert_pem: str
    roles: frozenset[Role]
    status: OrgStatus
    added_height: int
    removed_height: int | None = None

    def to_value(self) -> Value:
        return {
            "org_id": self.org_id,
            "name": self.name,
            "ca_cert_pem": self.ca_cert_pem,
            "roles": roles_value(self.roles),
            "status": self.status.value,
            "added_height": self.added_height,
            "removed_height": self.removed_height,
        }

    @classmethod
    def from_value(cls, value: Value) -> OrgRecord:
        v = _map(value)
        return cls(
            org_id=v["org_id"],
            name=v["name"],
            ca_cert_pem=v["ca_cert_pem"],
            roles=roles_of(v["roles"]),
            status=OrgStatus(v["status"]),
            added_height=v["added_height"],
            removed_height=v["removed_height"],
        )


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """One signing key: whose it is, what it may do, until when, and whether it still may."""

    key_id: str
    org_id: str
    roles: frozenset[Role]
    cert_pem: str
    serial: str
    not_before_ms: int
    not_after_ms: int
    status: MemberStatus
    kind: KeyKind
    enrolled_height: int
    node_id: int | None = None
    revoked_height: int | None = None
    reason: str = ""
    replaces: str | None = None
    replaced_by: str | None = None

    def with_status(self, status: MemberStatus, *, height: int | None, reason: str) -> MemberRecord:
        revoked = height if status is MemberStatus.REVOKED else self.revoked_height
        return replace(self, status=status, revoked_height=revoked, reason=reason)

    def rotated_in_place(self, previous: MemberRecord) -> MemberRecord:
        """Same key, new certificate: the key keeps its enrolment history."""
        return replace(
            self,
            enrolled_height=previous.enrolled_height,
            replaces=previous.replaces,
            reason="certificate renewed",
        )

    def replacing(self, old_key_id: str) -> MemberRecord:
        return replace(self, replaces=old_key_id, reason="rotated in")

    def retired_for(self, new_key_id: str) -> MemberRecord:
        return replace(self, replaced_by=new_key_id)

    def summary(self) -> dict[str, Value]:
        """Everything but the certificate PEM: what listings return."""
        return {
            "key_id": self.key_id,
            "org_id": self.org_id,
            "roles": roles_value(self.roles),
            "kind": self.kind.value,
            "node_id": self.node_id,
            "serial": self.serial,
            "not_before_ms": self.not_before_ms,
            "not_after_ms": self.not_after_ms,
            "status": self.status.value,
            "enrolled_height": self.enrolled_height,
            "revoked_height": self.revoked_height,
            "reason": self.reason,
            "replaces": self.replaces,
            "replaced_by": self.replaced_by,
        }

    def to_value(self) -> Value:
        return {**self.summary(), "cert_pem": self.cert_pem}

    @classmethod
    def from_value(cls, value: Value) -> MemberRecord:
        v = _map(value)
        return cls(
            key_id=v["key_id"],
            org_id=v["org_id"],
            roles=roles_of(v["roles"]),
            cert_pem=v["cert_pem"],
            serial=v["serial"],
            not_before_ms=v["not_before_ms"],
            not_after_ms=v["not_after_ms"],
            status=MemberStatus(v["status"]),
            kind=KeyKind(v["kind"]),
            enrolled_height=v["enrolled_height"],
            node_id=v["node_id"],
            revoked_height=v["revoked_height"],
            reason=v["reason"],
            replaces=v["replaces"],
            replaced_by=v["replaced_by"],
        )


@dataclass(frozen=True, slots=True)
class NodeRecord:
    """A consensus node: its org, signing key, certificate, addresses and Raft role."""

    node_id: int
    org_id: str
    key_id: str
    cert_pem: str
    host: str
    peer_port: int
    api_port: int
    voter: bool
    status: NodeStatus
    added_height: int
    removed_height: int | None = None

    def to_value(self) -> Value:
        return {
            "node_id": self.node_id,
            "org_id": self.org_id,
            "key_id": self.key_id,
            "cert_pem": self.cert_pem,
            "host": self.host,
            "peer_port": self.peer_port,
            "api_port": self.api_port,
            "voter": self.voter,
            "status": self.status.value,
            "added_height": self.added_height,
            "removed_height": self.removed_height,
        }

    @classmethod
    def from_value(cls, value: Value) -> NodeRecord:
        v = _map(value)
        return cls(
            node_id=v["node_id"],
            org_id=v["org_id"],
            key_id=v["key_id"],
            cert_pem=v["cert_pem"],
            host=v["host"],
            peer_port=v["peer_port"],
            api_port=v["api_port"],
            voter=v["voter"],
            status=NodeStatus(v["status"]),
            added_height=v["added_height"],
            removed_height=v["removed_height"],
        )


def _map(value: Value) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        # Only this contract writes these keys; a non-map is corrupted state, a node bug.
        raise TypeError(f"msp record is not a map: {type(value).__name__}")
    return value


def load_org(read: Reader, org_id: str) -> OrgRecord | None:
    found = read(org_key(org_id))
    return None if found is None else OrgRecord.from_value(found)


def load_member(read: Reader, key_id: str) -> MemberRecord | None:
    found = read(member_key(key_id))
    return None if found is None else MemberRecord.from_value(found)


def load_node(read: Reader, node_id: int) -> NodeRecord | None:
    found = read(node_key(node_id))
    return None if found is None else NodeRecord.from_value(found)
