"""Governance scenario: a wholesaler joins with a node, the policy changes, an org leaves.

Exercises every config function (propose, approve, withdraw, proposal, proposals, settings)
and every kind of change, over the consortium of ``scenario_msp``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chaincode.api import Contract
from chaincode.testing import ContractHarness
from sdk.roles import Role
from tests.chaincode.contracts.scenario_msp import (
    act,
    ca_pem,
    contracts,
    member_pem,
    node_pem,
    ok,
    seed,
    signer,
)

CONTRACTS: Callable[[], list[Contract]] = contracts
MAJORITY = ("pharmaco/admin", "distrib/admin", "nmpa/admin")


def adopt(
    harness: ContractHarness, change: dict[str, Any], voters: tuple[str, ...] = MAJORITY
) -> int:
    """Propose with the first admin, approve with the rest; the change must apply."""
    proposed = ok(act(harness, voters[0], "config", "propose", {"change": change}))
    if not isinstance(proposed, dict) or not isinstance(proposed["proposal_id"], int):
        raise AssertionError(proposed)
    pid = proposed["proposal_id"]
    result = proposed
    for voter in voters[1:]:
        result = ok(act(harness, voter, "config", "approve", {"proposal_id": pid}))
    if not isinstance(result, dict) or result["status"] != "applied":
        raise AssertionError(result)
    return pid


def run(harness: ContractHarness) -> None:
    seed(harness)
    adopt(
        harness,
        {
            "kind": "add_org",
            "org_id": "wholesale",
            "name": "Wholesale Ltd",
            "ca_cert_pem": ca_pem("wholesale"),
            "roles": ["distributor", "admin"],
            "admins": [member_pem("wholesale", "admin", (Role.ADMIN, Role.DISTRIBUTOR))],
        },
    )
    ok(
        act(
            harness,
            "wholesale/admin",
            "msp",
            "enroll",
            {"cert_pem": member_pem("wholesale", "picker", (Role.DISTRIBUTOR,))},
        )
    )
    ok(
        act(
            harness,
            "pharmaco/admin",
            "msp",
            "enroll",
            {"cert_pem": member_pem("pharmaco", "line1", (Role.MANUFACTURER,))},
        )
    )
    node = {
        "kind": "add_node",
        "node_id": 4,
        "org_id": "pharmacy",
        "cert_pem": node_pem("pharmacy", "node4"),
        "host": "10.0.0.4",
        "peer_port": 7004,
        "api_port": 8004,
    }
    adopt(harness, node)
    adopt(harness, {"kind": "promote_node", "node_id": 4})
    adopt(
        harness, {"kind": "set_org_ca", "org_id": "pharmacy", "ca_cert_pem": ca_pem("pharmacy", 2)}
    )
    adopt(
        harness,
        {"kind": "set_block_limits", "max_txs": 2000, "max_bytes": 8 << 20, "max_wait_ms": 250},
    )
    adopt(
        harness,
        {"kind": "enable_contract", "name": "trace", "version": "1.1.0", "code_hash": "ab" * 32},
    )
    withdrawn = ok(
        act(
            harness,
            "distrib/admin",
            "config",
            "propose",
            {"change": {"kind": "remove_node", "node_id": 1}},
        )
    )
    if not isinstance(withdrawn, dict):
        raise AssertionError(withdrawn)
    ok(
        act(
            harness,
            "distrib/admin",
            "config",
            "withdraw",
            {"proposal_id": withdrawn["proposal_id"]},
        )
    )
    adopt(
        harness,
        {"kind": "set_policy", "policy": "2 OF regulator, pharmaco"},
        ("nmpa/admin", "pharmaco/admin", "distrib/admin"),
    )
    adopt(harness, {"kind": "remove_node", "node_id": 4}, ("nmpa/admin", "pharmaco/admin"))
    adopt(harness, {"kind": "remove_org", "org_id": "distrib"}, ("pharmaco/admin", "nmpa/admin"))
    me = signer(harness, "nmpa/admin")
    harness.query(me, "config", "proposal", {"proposal_id": 1})
    harness.query(me, "config", "proposals", {"status": "applied"})
    harness.query(me, "config", "settings", {})
