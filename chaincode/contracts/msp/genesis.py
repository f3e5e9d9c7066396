"""The msp state at height 0, from the genesis file (issue 5, item 1).

Every certificate in the genesis file is verified against its org CA at the genesis time
(``created_ms``), exactly as later enrollments are verified at block time; an inconsistent
genesis raises :class:`GenesisError` and the node refuses to start.

The genesis model lives in ``node.genesis`` (chaincode may not import node); the protocols
below name the fields read here, which ``node.genesis.Genesis`` provides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from chaincode.api import Value
from chaincode.contracts.msp.certs import CertFacts, certify, check_ca, claimed_org
from chaincode.contracts.msp.errors import GenesisError
from chaincode.contracts.msp.records import (
    KeyKind,
    MemberRecord,
    NodeRecord,
    NodeStatus,
    OrgRecord,
    OrgStatus,
    member_key,
    node_key,
    org_key,
    org_member_prefix,
)
from chaincode.errors import InvalidTransaction
from sdk.roles import Role


class GenesisOrgLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def ca_cert_pem(self) -> str: ...
    @property
    def roles(self) -> Sequence[Role]: ...


class GenesisNodeLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def org(self) -> str: ...
    @property
    def cert_pem(self) -> str: ...
    @property
    def host(self) -> str: ...
    @property
    def peer_port(self) -> int: ...
    @property
    def api_port(self) -> int: ...
    @property
    def voter(self) -> bool: ...


class GenesisMemberLike(Protocol):
    @property
    def cert_pem(self) -> str: ...


class GenesisLike(Protocol):
    """The parts of ``node.genesis.Genesis`` the msp state is built from."""

    @property
    def created_ms(self) -> int: ...
    @property
    def orgs(self) -> Sequence[GenesisOrgLike]: ...
    @property
    def nodes(self) -> Sequence[GenesisNodeLike]: ...
    @property
    def members(self) -> Sequence[GenesisMemberLike]: ...


def genesis_state(genesis: GenesisLike) -> list[tuple[str, Value]]:
    """The msp namespace's (key, value) pairs at height 0, sorted by key bytes."""
    at = genesis.created_ms
    orgs = {o.id: _org(o, at) for o in genesis.orgs}
    members: dict[str, MemberRecord] = {}
    nodes: list[NodeRecord] = []
    for spec in genesis.nodes:
        facts = _node_facts(orgs, spec, at)
        _add(members, facts.member(KeyKind.NODE, height=0, node_id=spec.id), f"node {spec.id}")
        nodes.append(_node(spec, facts))
    for index, item in enumerate(genesis.members):
        where = f"members[{index}]"
        facts = _member_facts(orgs, item.cert_pem, at, where)
        _add(members, facts.member(KeyKind.MEMBER, height=0), where)
    pairs: list[tuple[str, Value]] = [(org_key(o.org_id), o.to_value()) for o in orgs.values()]
    pairs += [(node_key(n.node_id), n.to_value()) for n in nodes]
    for m in members.values():
        pairs += [
            (member_key(m.key_id), m.to_value()),
            (org_member_prefix(m.org_id) + m.key_id, m.kind.value),
        ]
    return sorted(pairs, key=lambda kv: kv[0].encode("utf-8"))


def _guard(where: str, exc: InvalidTransaction) -> GenesisError:
    return GenesisError(f"genesis {where}: {exc.code}: {exc.message}")


def _org(spec: GenesisOrgLike, at: int) -> OrgRecord:
    try:
        pem = check_ca(spec.ca_cert_pem, at, expect_org=spec.id)
    except InvalidTransaction as exc:
        raise _guard(f"org {spec.id!r} CA", exc) from exc
    return OrgRecord(spec.id, spec.name, pem, frozenset(spec.roles), OrgStatus.ACTIVE, 0)


def _certified(orgs: dict[str, OrgRecord], pem: str, at: int, where: str) -> CertFacts:
    try:
        org_id = claimed_org(pem)
        org = orgs.get(org_id)
        if org is None:
            raise GenesisError(f"genesis {where}: certificate names unknown org {org_id!r}")
        facts = certify(pem, org.ca_cert_pem, at, expect_org=org_id)
    except InvalidTransaction as exc:
        raise _guard(where, exc) from exc
    extra = sorted(r.value for r in facts.roles - org.roles - {Role.NODE})
    if extra:
        raise GenesisError(f"genesis {where}: org {org_id!r} may not grant {', '.join(extra)}")
    return facts


def _node_facts(orgs: dict[str, OrgRecord], spec: GenesisNodeLike, at: int) -> CertFacts:
    where = f"node {spec.id}"
    facts = _certified(orgs, spec.cert_pem, at, where)
    if facts.org_id != spec.org:
        raise GenesisError(f"genesis {where}: certificate is of {facts.org_id!r}, not {spec.org!r}")
    if Role.NODE not in facts.roles:
        raise GenesisError(f"genesis {where}: certificate lacks the node role")
    return facts


def _member_facts(orgs: dict[str, OrgRecord], pem: str, at: int, where: str) -> CertFacts:
    facts = _certified(orgs, pem, at, where)
    if Role.NODE in facts.roles:
        raise GenesisError(f"genesis {where}: a node certificate listed as a member")
    return facts


def _add(members: dict[str, MemberRecord], member: MemberRecord, where: str) -> None:
    if member.key_id in members:
        raise GenesisError(f"genesis {where}: key {member.key_id[:16]}… is listed twice")
    members[member.key_id] = member


def _node(spec: GenesisNodeLike, facts: CertFacts) -> NodeRecord:
    return NodeRecord(
        node_id=spec.id,
        org_id=spec.org,
        key_id=facts.key_id,
        cert_pem=facts.pem,
        host=spec.host,
        peer_port=spec.peer_port,
        api_port=spec.api_port,
        voter=spec.voter,
        status=NodeStatus.ACTIVE,
        added_height=0,
    )
