"""config contract: proposals, approvals, expiry and every kind of change (issue 5, items 5-7)."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.contracts.config import config_genesis_state
from chaincode.contracts.msp import GenesisError, SignerRejected, resolve_signer, state_reader
from chaincode.executor import TxOutcome
from chaincode.testing import ContractHarness
from sdk.roles import Role
from tests.chaincode.contracts.scenario_msp import (
    DAY,
    act,
    ca_pem,
    contracts,
    genesis_model,
    key_id,
    member_pem,
    node_pem,
    ok,
    seed,
    signer,
)

PHARMACO, DISTRIB, PHARMACY, NMPA = (
    "pharmaco/admin",
    "distrib/admin",
    "pharmacy/admin",
    "nmpa/admin",
)
ADD_ORG = {
    "kind": "add_org",
    "org_id": "wholesale",
    "name": "Wholesale Ltd",
    "ca_cert_pem": ca_pem("wholesale"),
    "roles": ["distributor", "admin"],
    "admins": [member_pem("wholesale", "admin", (Role.ADMIN,))],
}


@pytest.fixture
def ledger() -> ContractHarness:
    harness = ContractHarness(contracts())
    seed(harness)
    return harness


def propose(ledger: ContractHarness, who: str, change: dict[str, Any]) -> TxOutcome:
    return act(ledger, who, "config", "propose", {"change": change})


def approve(ledger: ContractHarness, who: str, proposal_id: int) -> TxOutcome:
    return act(ledger, who, "config", "approve", {"proposal_id": proposal_id})


def adopt(ledger: ContractHarness, change: dict[str, Any]) -> dict[str, Any]:
    """Propose and approve by majority (3 of 4 orgs); returns the final proposal view."""
    proposed = ok(propose(ledger, PHARMACO, change))
    assert isinstance(proposed, dict)
    pid = proposed["proposal_id"]
    ok(approve(ledger, DISTRIB, pid))
    final = ok(approve(ledger, NMPA, pid))
    assert isinstance(final, dict)
    return final


def view(ledger: ContractHarness, proposal_id: int) -> dict[str, Any]:
    found = ledger.query(
        signer(ledger, PHARMACO), "config", "proposal", {"proposal_id": proposal_id}
    )
    assert isinstance(found, dict)
    return found


def signer_code(ledger: ContractHarness, name: str) -> str:
    try:
        resolve_signer(state_reader(ledger.state), key_id(name), ledger.time_ms + 1000)
    except SignerRejected as exc:
        return exc.code
    return "ok"


# --- the proposal state machine -----------------------------------------------------------


def test_partial_approvals_are_visible_and_the_last_one_applies(ledger: ContractHarness) -> None:
    first = ok(propose(ledger, PHARMACO, ADD_ORG))
    assert isinstance(first, dict)
    assert (first["status"], first["counted"], first["required"]) == ("pending", ["pharmaco"], 3)
    ok(approve(ledger, DISTRIB, 1))
    assert view(ledger, 1)["counted"] == ["distrib", "pharmaco"]
    assert ledger.events_of("config", "applied") == []
    final = ok(approve(ledger, NMPA, 1))
    assert isinstance(final, dict)
    assert (final["status"], final["closed_height"]) == ("applied", ledger.height)
    applied = ledger.events_of("config", "applied")
    assert applied == [
        {
            "proposal_id": 1,
            "change": {**ADD_ORG, "roles": ["distributor", "admin"]},
            "height": ledger.height,
        }
    ]
    assert ledger.events_of("msp", "org_added")[0] == {
        "org_id": "wholesale",
        "name": "Wholesale Ltd",
        "roles": ["admin", "distributor"],
    }
    org = ledger.query(signer(ledger, PHARMACO), "msp", "org", {"org_id": "wholesale"})
    assert isinstance(org, dict)
    assert org["status"] == "active"


def test_one_approval_per_org_and_only_while_pending(ledger: ContractHarness) -> None:
    ok(propose(ledger, PHARMACO, ADD_ORG))
    assert approve(ledger, PHARMACO, 1).code == "config.already_approved"
    assert approve(ledger, DISTRIB, 2).code == "config.unknown_proposal"
    ok(approve(ledger, DISTRIB, 1))
    ok(approve(ledger, NMPA, 1))
    assert approve(ledger, PHARMACY, 1).code == "config.not_pending"


def test_only_admins_propose_and_approve(ledger: ContractHarness) -> None:
    assert propose(ledger, "nmpa/inspector", ADD_ORG).code == "permission.missing_role"
    ok(propose(ledger, PHARMACO, ADD_ORG))
    assert approve(ledger, "pharmaco/qp", 1).code == "permission.missing_role"


def test_approvals_expire_at_block_time(ledger: ContractHarness) -> None:
    ok(propose(ledger, PHARMACO, ADD_ORG))
    ok(approve(ledger, DISTRIB, 1))
    ledger.block([], time_ms=ledger.time_ms + 7 * DAY)
    assert approve(ledger, NMPA, 1).code == "config.proposal_expired"
    me = signer(ledger, PHARMACO)
    expired = ledger.query(me, "config", "proposals", {"status": "expired"})
    assert [p["proposal_id"] for p in expired] == [1]
    assert ledger.query(me, "config", "proposals", {"status": "pending"}) == []


def test_the_proposer_org_may_withdraw(ledger: ContractHarness) -> None:
    ok(propose(ledger, PHARMACO, ADD_ORG))
    assert (
        act(ledger, DISTRIB, "config", "withdraw", {"proposal_id": 1}).code
        == "config.not_proposer_org"
    )
    ok(act(ledger, PHARMACO, "config", "withdraw", {"proposal_id": 1}))
    assert view(ledger, 1)["status"] == "withdrawn"
    assert approve(ledger, DISTRIB, 1).code == "config.not_pending"


def test_proposals_list_in_id_order_with_paging(ledger: ContractHarness) -> None:
    ok(propose(ledger, PHARMACO, ADD_ORG))
    ok(
        propose(
            ledger,
            DISTRIB,
            {"kind": "set_block_limits", "max_txs": 500, "max_bytes": 4096, "max_wait_ms": 200},
        )
    )
    me = signer(ledger, PHARMACO)
    listed = ledger.query(me, "config", "proposals", {})
    assert [p["proposal_id"] for p in listed] == [1, 2]
    page = ledger.query(me, "config", "proposals", {"after_id": 1, "limit": 1})
    assert [p["proposal_id"] for p in page] == [2]


# --- each kind of change ------------------------------------------------------------------


def test_removed_org_members_and_nodes_are_refused_from_that_block(ledger: ContractHarness) -> None:
    assert signer_code(ledger, DISTRIB) == "ok"
    adopt(ledger, {"kind": "remove_org", "org_id": "distrib"})
    assert signer_code(ledger, DISTRIB) == "signer.org_removed"
    assert signer_code(ledger, "distrib/node2") == "signer.org_removed"
    assert ledger.events_of("msp", "org_removed") == [{"org_id": "distrib", "node_ids": [2]}]
    node = ledger.query(signer(ledger, PHARMACO), "msp", "node", {"node_id": 2})
    assert isinstance(node, dict)
    assert node["status"] == "removed"


def test_a_removed_org_enrolls_nobody_and_cannot_be_re_added(ledger: ContractHarness) -> None:
    adopt(ledger, {"kind": "remove_org", "org_id": "pharmacy"})
    assert (
        propose(ledger, PHARMACO, {"kind": "remove_org", "org_id": "pharmacy"}).code
        == "msp.org_removed"
    )
    again = {**ADD_ORG, "org_id": "pharmacy", "ca_cert_pem": ca_pem("pharmacy")}
    assert propose(ledger, PHARMACO, again).code == "msp.org_exists"


def test_changing_an_org_ca_lets_it_enroll_with_the_new_ca(ledger: ContractHarness) -> None:
    new_ca = ca_pem("pharmaco", 2)
    adopt(ledger, {"kind": "set_org_ca", "org_id": "pharmaco", "ca_cert_pem": new_ca})
    enrolled = act(
        ledger,
        PHARMACO,
        "msp",
        "enroll",
        {"cert_pem": member_pem("pharmaco", "n", (Role.QA,), generation=2)},
    )
    assert enrolled.ok, enrolled.message
    old = act(
        ledger, PHARMACO, "msp", "enroll", {"cert_pem": member_pem("pharmaco", "o", (Role.QA,))}
    )
    assert old.code == "cert.bad_signature"
    assert signer_code(ledger, PHARMACO) == "ok"
    same = propose(
        ledger, PHARMACO, {"kind": "set_org_ca", "org_id": "pharmaco", "ca_cert_pem": new_ca}
    )
    assert same.code == "msp.same_certificate"


def test_a_node_joins_as_learner_is_promoted_then_removed(ledger: ContractHarness) -> None:
    add = {
        "kind": "add_node",
        "node_id": 4,
        "org_id": "pharmacy",
        "cert_pem": node_pem("pharmacy", "node4"),
        "host": "10.0.0.4",
        "peer_port": 7004,
        "api_port": 8004,
    }
    adopt(ledger, add)
    added = ledger.events_of("msp", "node_added")[0]
    assert isinstance(added, dict)
    assert (added["voter"], added["key_id"]) == (False, key_id("pharmacy/node4"))
    assert signer(ledger, "pharmacy/node4").roles == frozenset({Role.NODE})
    assert propose(ledger, PHARMACO, add).code == "msp.node_exists"
    adopt(ledger, {"kind": "promote_node", "node_id": 4})
    assert (
        propose(ledger, PHARMACO, {"kind": "promote_node", "node_id": 4}).code == "msp.not_learner"
    )
    adopt(ledger, {"kind": "remove_node", "node_id": 4})
    assert signer_code(ledger, "pharmacy/node4") == "signer.revoked"
    assert [e["node_id"] for e in ledger.events_of("msp", "node_removed")] == [4]
    assert (
        propose(ledger, PHARMACO, {"kind": "promote_node", "node_id": 4}).code == "msp.node_removed"
    )
    assert (
        propose(ledger, PHARMACO, {"kind": "remove_node", "node_id": 9}).code == "msp.unknown_node"
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {
                "kind": "add_node",
                "node_id": 5,
                "org_id": "pharmacy",
                "cert_pem": node_pem("nmpa", "n5"),
                "host": "h",
                "peer_port": 1,
                "api_port": 2,
            },
            "cert.issuer_mismatch",
        ),
        (
            {
                "kind": "add_node",
                "node_id": 5,
                "org_id": "pharmacy",
                "cert_pem": member_pem("pharmacy", "n5", (Role.PHARMACY,)),
                "host": "h",
                "peer_port": 1,
                "api_port": 2,
            },
            "msp.not_node_certificate",
        ),
        (
            {
                "kind": "add_node",
                "node_id": 5,
                "org_id": "nowhere",
                "cert_pem": node_pem("nmpa", "n5"),
                "host": "h",
                "peer_port": 1,
                "api_port": 2,
            },
            "msp.unknown_org",
        ),
        (
            {
                "kind": "add_node",
                "node_id": 5,
                "org_id": "nmpa",
                "cert_pem": node_pem("nmpa", "node3"),
                "host": "h",
                "peer_port": 1,
                "api_port": 2,
            },
            "msp.already_enrolled",
        ),
        ({**ADD_ORG, "ca_cert_pem": ca_pem("other")}, "cert.org_mismatch"),
        ({**ADD_ORG, "roles": ["admin", "admin"]}, "msp.bad_roles"),
        ({**ADD_ORG, "roles": ["emperor"]}, "contract.invalid_arguments"),
        ({"kind": "nonsense"}, "contract.invalid_arguments"),
        (
            {
                "kind": "set_org_ca",
                "org_id": "pharmaco",
                "ca_cert_pem": member_pem("pharmaco", "admin", (Role.ADMIN,)),
            },
            "cert.issuer_not_ca",
        ),
        (
            {"kind": "set_block_limits", "max_txs": 0, "max_bytes": 4096, "max_wait_ms": 1},
            "contract.invalid_arguments",
        ),
    ],
)
def test_doomed_changes_are_refused_at_proposal(
    ledger: ContractHarness, change: dict[str, Any], code: str
) -> None:
    outcome = propose(ledger, PHARMACO, change)
    assert outcome.code == code, outcome.message
    assert ledger.write_sets[-1] == []


def test_the_last_voter_cannot_go(ledger: ContractHarness) -> None:
    adopt(ledger, {"kind": "remove_node", "node_id": 1})
    adopt(ledger, {"kind": "remove_node", "node_id": 2})
    assert propose(ledger, PHARMACO, {"kind": "remove_node", "node_id": 3}).code == "msp.last_voter"
    assert (
        propose(ledger, PHARMACO, {"kind": "remove_org", "org_id": "nmpa"}).code == "msp.last_voter"
    )


def test_block_limits_and_contract_pins_land_in_settings(ledger: ContractHarness) -> None:
    adopt(
        ledger,
        {"kind": "set_block_limits", "max_txs": 2000, "max_bytes": 8 << 20, "max_wait_ms": 250},
    )
    pin = {"kind": "enable_contract", "name": "trace", "version": "1.1.0", "code_hash": "ab" * 32}
    adopt(ledger, pin)
    settings = ledger.query(signer(ledger, PHARMACO), "config", "settings", {})
    assert isinstance(settings, dict)
    assert settings["limits"] == {"max_txs": 2000, "max_bytes": 8 << 20, "max_wait_ms": 250}
    assert settings["contracts"] == [
        {
            "name": "trace",
            "version": "1.1.0",
            "code_hash": "ab" * 32,
            "enabled_height": ledger.height,
        }
    ]
    assert (settings["policy"], settings["approval_ttl_ms"]) == ("MAJORITY admins", 7 * DAY)
    assert propose(ledger, PHARMACO, pin).code == "config.contract_unchanged"


def test_policy_changes_govern_the_next_proposals(ledger: ContractHarness) -> None:
    adopt(
        ledger, {"kind": "set_policy", "policy": "2 OF regulator, pharmaco", "approval_ttl_ms": DAY}
    )
    proposed = ok(propose(ledger, DISTRIB, ADD_ORG))
    assert isinstance(proposed, dict)
    assert (proposed["counted"], proposed["required"]) == ([], 2)
    assert approve(ledger, PHARMACY, 1 + 1).code == "config.not_eligible"
    ok(approve(ledger, NMPA, 2))
    assert ok(approve(ledger, PHARMACO, 2))["status"] == "applied"
    assert proposed["expires_ms"] == ledger.time_ms - 3000 + DAY


@pytest.mark.parametrize(
    ("policy", "code"),
    [
        ("MAJORITY of us", "config.bad_policy"),
        ("2 OF pharmaco, nowhere", "config.unsatisfiable_policy"),
        ("1 OF device", "config.unsatisfiable_policy"),
    ],
)
def test_bad_policies_are_refused(ledger: ContractHarness, policy: str, code: str) -> None:
    assert propose(ledger, PHARMACO, {"kind": "set_policy", "policy": policy}).code == code


def test_removing_an_org_the_policy_needs_is_refused(ledger: ContractHarness) -> None:
    adopt(ledger, {"kind": "set_policy", "policy": "2 OF pharmaco, nmpa"})
    outcome = propose(ledger, PHARMACO, {"kind": "remove_org", "org_id": "nmpa"})
    assert outcome.code == "config.unsatisfiable_policy"


def test_a_single_org_policy_applies_at_proposal(ledger: ContractHarness) -> None:
    adopt(ledger, {"kind": "set_policy", "policy": "1 OF regulator"})
    result = ok(
        propose(
            ledger,
            NMPA,
            {"kind": "set_block_limits", "max_txs": 10, "max_bytes": 2048, "max_wait_ms": 5},
        )
    )
    assert result["status"] == "applied"


def test_a_change_the_state_outran_fails_for_good(ledger: ContractHarness) -> None:
    add = {**ADD_ORG}
    ok(propose(ledger, PHARMACO, add))
    ok(propose(ledger, DISTRIB, add))
    ok(approve(ledger, DISTRIB, 1))
    ok(approve(ledger, NMPA, 1))
    ok(approve(ledger, PHARMACO, 2))
    final = ok(approve(ledger, NMPA, 2))
    assert isinstance(final, dict)
    assert (final["status"], final["failure"]) == (
        "failed",
        {"code": "msp.org_exists", "message": "organization id 'wholesale' is taken"},
    )
    assert ledger.events_of("config", "failed")[0]["code"] == "msp.org_exists"
    assert len(ledger.events_of("msp", "org_added")) == 1


# --- genesis ------------------------------------------------------------------------------


def test_config_genesis_state() -> None:
    pairs = dict(
        config_genesis_state(genesis_model(policy="2 OF regulator, pharmaco", ttl_ms=2 * DAY))
    )
    assert pairs == {
        "approval_ttl_ms": 2 * DAY,
        "next_proposal": 1,
        "policy": "2 OF regulator, pharmaco",
        "tx_time_window_ms": 600_000,
    }


@pytest.mark.parametrize(
    ("policy", "why"), [("most admins", "expected"), ("3 OF nmpa, a, b", "cannot be met")]
)
def test_a_genesis_policy_must_parse_and_be_satisfiable(policy: str, why: str) -> None:
    with pytest.raises(GenesisError, match=why):
        config_genesis_state(genesis_model(policy=policy))


def test_config_refuses_to_run_without_genesis_state() -> None:
    bare = ContractHarness(contracts())
    limits = {"kind": "set_block_limits", "max_txs": 10, "max_bytes": 2048, "max_wait_ms": 5}
    outcome = bare.invoke(bare.signer("x", Role.ADMIN), "config", "propose", {"change": limits})
    assert outcome.code == "config.not_initialised"
    assert "genesis state was not written" in outcome.message
