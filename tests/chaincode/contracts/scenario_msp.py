"""Membership scenario, plus the consortium fixture the msp and config tests share.

The fixture builds real org CAs and certificates with ``sdk.pki`` from fixed seeds and caches
them, so running a scenario twice in one process writes identical state (the determinism
test compares write sets). Signers are resolved from msp state, as a node does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from chaincode.api import Contract, Signer, Value
from chaincode.contracts.config import ConfigContract, config_genesis_state
from chaincode.contracts.msp import MspContract, genesis_state, resolve_signer, state_reader
from chaincode.executor import TxOutcome
from chaincode.layers import BlockLayer, Layer
from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from node.genesis import Genesis, GenesisMember, GenesisNode, GenesisOrg
from sdk import pki
from sdk.ids import to_hex
from sdk.keys import SigningKey
from sdk.roles import Role

DAY = 86_400_000
NOT_BEFORE = pki.utc(2025, 12, 1)
CA_UNTIL = pki.utc(2030, 1, 1)
MEMBER_UNTIL = pki.utc(2027, 1, 1)

ORG_ROLES: dict[str, tuple[Role, ...]] = {
    "pharmaco": (Role.MANUFACTURER, Role.QA, Role.QP, Role.ADMIN),
    "distrib": (Role.DISTRIBUTOR, Role.LOGISTICS, Role.ADMIN),
    "pharmacy": (Role.PHARMACY, Role.ADMIN),
    "nmpa": (Role.REGULATOR, Role.ADMIN),
}
NODES = {1: "pharmaco", 2: "distrib", 3: "nmpa"}
"""Node id to org: three voters; the pharmacy runs none at genesis."""

GENESIS_MEMBERS = [
    ("pharmaco", "admin", (Role.ADMIN,)),
    ("pharmaco", "qp", (Role.QA, Role.QP)),
    ("distrib", "admin", (Role.ADMIN, Role.DISTRIBUTOR)),
    ("pharmacy", "admin", (Role.ADMIN,)),
    ("nmpa", "admin", (Role.ADMIN,)),
    ("nmpa", "inspector", (Role.REGULATOR,)),
]


@cache
def key(name: str) -> SigningKey:
    """A signing key derived from a name: stable across runs."""
    return SigningKey.from_seed(hashlib.sha256(f"rxledger-test:{name}".encode()).digest())


def key_id(name: str) -> str:
    return to_hex(key(name).key_id)


@cache
def ca(org_id: str, generation: int = 1, until: datetime = CA_UNTIL) -> pki.x509.Certificate:
    return pki.create_org_ca(
        org_id, key(f"ca/{org_id}/{generation}"), not_before=NOT_BEFORE, not_after=until
    )


def ca_pem(org_id: str, generation: int = 1, until: datetime = CA_UNTIL) -> str:
    return pki.certificate_to_pem(ca(org_id, generation, until)).decode("ascii")


@cache
def member_pem(
    org_id: str,
    name: str,
    roles: tuple[Role, ...],
    *,
    key_name: str | None = None,
    not_before: datetime = NOT_BEFORE,
    not_after: datetime = MEMBER_UNTIL,
    generation: int = 1,
) -> str:
    """A member certificate for key ``key_name`` (default ``org/name``) from the org's CA."""
    cert = pki.issue_member_certificate(
        ca(org_id, generation),
        key(f"ca/{org_id}/{generation}"),
        key(key_name or f"{org_id}/{name}").public_key,
        name=name,
        roles=roles,
        not_before=not_before,
        not_after=not_after,
    )
    return pki.certificate_to_pem(cert).decode("ascii")


@cache
def node_pem(
    org_id: str, name: str, *, key_name: str | None = None, not_after: datetime = MEMBER_UNTIL
) -> str:
    cert = pki.issue_node_certificate(
        ca(org_id),
        key(f"ca/{org_id}/1"),
        key(key_name or f"{org_id}/{name}").public_key,
        name=name,
        hosts=("127.0.0.1",),
        not_before=NOT_BEFORE,
        not_after=not_after,
    )
    return pki.certificate_to_pem(cert).decode("ascii")


def genesis_model(policy: str = "MAJORITY admins", ttl_ms: int = 7 * DAY) -> Genesis:
    """The test consortium as the node's genesis file would state it."""
    return Genesis(
        chain_id="rx-test",
        created_ms=GENESIS_TIME_MS - DAY,
        orgs=[
            GenesisOrg(id=o, name=o.title(), ca_cert_pem=ca_pem(o), roles=list(roles))
            for o, roles in ORG_ROLES.items()
        ],
        nodes=[
            GenesisNode(
                id=n,
                org=o,
                cert_pem=node_pem(o, f"node{n}"),
                host="127.0.0.1",
                peer_port=7000 + n,
                api_port=8000 + n,
            )
            for n, o in NODES.items()
        ],
        members=[GenesisMember(cert_pem=member_pem(o, n, r)) for o, n, r in GENESIS_MEMBERS],
        governance_policy=policy,
        approval_ttl_ms=ttl_ms,
    )


def contracts() -> list[Contract]:
    return [MspContract(), ConfigContract()]


CONTRACTS: Callable[[], list[Contract]] = contracts


def seed(harness: ContractHarness, genesis: Genesis | None = None) -> None:
    """Write the msp and config genesis state at height 0, as the node does."""
    model = genesis or genesis_model()
    block = BlockLayer(harness.state, height=0, block_time_ms=model.created_ms)
    tx = Layer(block)
    for namespace, pairs in (
        ("msp", genesis_state(model)),
        ("config", config_genesis_state(model)),
    ):
        for k, v in pairs:
            tx.put(namespace, k, v)
    block.commit_tx(tx, tx_index=0, tx_id="00" * 32)
    harness.state.apply(block)


def signer(harness: ContractHarness, name: str) -> Signer:
    """The signer of key ``name`` as a node resolves it for the next block."""
    return resolve_signer(state_reader(harness.state), key_id(name), harness.time_ms + 1000)


def act(
    harness: ContractHarness, who: str, contract: str, function: str, args: Mapping[str, Any]
) -> TxOutcome:
    """One transaction by key ``who`` in a block of its own."""
    return harness.invoke(signer(harness, who), contract, function, args)


def ok(outcome: TxOutcome) -> Value:
    if not outcome.ok:
        raise AssertionError(f"{outcome.code}: {outcome.message}")
    return outcome.result


def run(harness: ContractHarness) -> None:
    """Every msp function: enroll, rotate (three ways), suspend, reinstate, revoke, queries."""
    seed(harness)
    admin, regulator = "pharmaco/admin", "nmpa/inspector"
    ok(
        act(
            harness,
            admin,
            "msp",
            "enroll",
            {"cert_pem": member_pem("pharmaco", "line1", (Role.MANUFACTURER,))},
        )
    )
    ok(
        act(
            harness,
            admin,
            "msp",
            "enroll",
            {"cert_pem": member_pem("pharmaco", "admin2", (Role.ADMIN,))},
        )
    )
    renewed = member_pem("pharmaco", "line1", (Role.MANUFACTURER,), not_after=pki.utc(2028, 1, 1))
    ok(act(harness, "pharmaco/line1", "msp", "rotate", {"cert_pem": renewed}))
    moved = member_pem("pharmaco", "line1", (Role.MANUFACTURER,), key_name="pharmaco/line1-b")
    ok(act(harness, "pharmaco/line1", "msp", "rotate", {"cert_pem": moved}))
    by_admin = member_pem(
        "pharmaco", "line1", (Role.MANUFACTURER, Role.QA), key_name="pharmaco/line1-c"
    )
    ok(
        act(
            harness,
            admin,
            "msp",
            "rotate",
            {"cert_pem": by_admin, "key_id": key_id("pharmaco/line1-b")},
        )
    )
    reason = {"key_id": key_id("pharmaco/line1-c"), "reason": "inspection pending"}
    ok(act(harness, regulator, "msp", "suspend", reason))
    ok(act(harness, regulator, "msp", "reinstate", {**reason, "reason": "inspection closed"}))
    ok(
        act(
            harness, admin, "msp", "revoke", {"key_id": key_id("pharmaco/admin2"), "reason": "left"}
        )
    )
    refused = act(harness, admin, "msp", "remove_node", {"node_id": 1})
    if refused.code != "permission.governance_only":
        raise AssertionError(refused.code)
    for function, args in [
        ("list_members", {"org_id": "pharmaco"}),
        ("list_members", {"org_id": "pharmaco", "status": "revoked"}),
        ("member", {"key_id": key_id("pharmaco/line1-c")}),
        ("org", {"org_id": "nmpa"}),
        ("orgs", {}),
        ("node", {"node_id": 2}),
        ("nodes", {}),
        ("expiring", {"within_ms": 400 * DAY}),
    ]:
        harness.query(signer(harness, admin), "msp", function, args)
