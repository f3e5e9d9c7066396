"""Certificate rotation without downtime, and the expiring-certificates view (issue 5, item 5)."""

from __future__ import annotations

import pytest

from chaincode.contracts.msp import SignerRejected, resolve_signer, state_reader
from chaincode.testing import ContractHarness
from sdk import pki
from sdk.roles import Role
from tests.chaincode.contracts.scenario_msp import (
    DAY,
    act,
    contracts,
    key_id,
    member_pem,
    node_pem,
    ok,
    seed,
    signer,
)

ADMIN = "pharmaco/admin"
LINE = "pharmaco/line1"
LATER = pki.utc(2028, 1, 1)


@pytest.fixture
def ledger() -> ContractHarness:
    harness = ContractHarness(contracts())
    seed(harness)
    ok(
        act(
            harness,
            ADMIN,
            "msp",
            "enroll",
            {"cert_pem": member_pem("pharmaco", "line1", (Role.MANUFACTURER,))},
        )
    )
    return harness


def code_of(ledger: ContractHarness, name: str) -> str:
    try:
        resolve_signer(state_reader(ledger.state), key_id(name), ledger.time_ms + 1000)
    except SignerRejected as exc:
        return exc.code
    return "ok"


def test_same_key_renewal_extends_validity_and_keeps_history(ledger: ContractHarness) -> None:
    renewed = member_pem("pharmaco", "line1", (Role.MANUFACTURER,), not_after=LATER)
    result = ok(act(ledger, LINE, "msp", "rotate", {"cert_pem": renewed}))
    assert isinstance(result, dict)
    assert (result["key_id"], result["not_after_ms"], result["enrolled_height"]) == (
        key_id(LINE),
        1830297600000,
        1,
    )
    assert code_of(ledger, LINE) == "ok"
    again = act(ledger, LINE, "msp", "rotate", {"cert_pem": renewed})
    assert again.code == "msp.same_certificate"


def test_new_key_takes_over_and_the_old_key_stops_in_that_block(ledger: ContractHarness) -> None:
    moved = member_pem("pharmaco", "line1", (Role.MANUFACTURER,), key_name="pharmaco/line1-b")
    result = ok(act(ledger, LINE, "msp", "rotate", {"cert_pem": moved}))
    assert isinstance(result, dict)
    assert (result["old_key_id"], result["replaces"]) == (key_id(LINE), key_id(LINE))
    assert code_of(ledger, LINE) == "signer.revoked"
    assert signer(ledger, "pharmaco/line1-b").roles == frozenset({Role.MANUFACTURER})
    old = ledger.query(signer(ledger, ADMIN), "msp", "member", {"key_id": key_id(LINE)})
    assert isinstance(old, dict)
    assert (old["reason"], old["replaced_by"]) == ("rotated", key_id("pharmaco/line1-b"))


def test_a_key_cannot_grant_itself_roles(ledger: ContractHarness) -> None:
    promoted = member_pem("pharmaco", "line1", (Role.MANUFACTURER, Role.QP), not_after=LATER)
    assert act(ledger, LINE, "msp", "rotate", {"cert_pem": promoted}).code == "msp.role_escalation"


def test_an_admin_rotates_a_member_and_may_change_roles(ledger: ContractHarness) -> None:
    promoted = member_pem(
        "pharmaco", "line1", (Role.MANUFACTURER, Role.QA), key_name="pharmaco/line1-c"
    )
    ok(act(ledger, ADMIN, "msp", "rotate", {"cert_pem": promoted, "key_id": key_id(LINE)}))
    assert signer(ledger, "pharmaco/line1-c").roles == frozenset({Role.MANUFACTURER, Role.QA})


@pytest.mark.parametrize(
    ("who", "cert", "target", "code"),
    [
        (
            "pharmaco/qp",
            member_pem("pharmaco", "line1", (Role.MANUFACTURER,), not_after=LATER),
            LINE,
            "permission.missing_role",
        ),
        (
            "distrib/admin",
            member_pem("pharmaco", "line1", (Role.MANUFACTURER,), not_after=LATER),
            LINE,
            "permission.wrong_org",
        ),
        (
            LINE,
            member_pem("distrib", "line1", (Role.DISTRIBUTOR,), key_name=LINE),
            None,
            "cert.issuer_mismatch",
        ),
        (
            LINE,
            member_pem("pharmaco", "line1", (Role.MANUFACTURER,), not_after=pki.utc(2025, 12, 31)),
            None,
            "cert.expired",
        ),
        (LINE, node_pem("pharmaco", "node7", key_name="pharmaco/n7"), None, "msp.node_certificate"),
        (ADMIN, member_pem("pharmaco", "x", (Role.QA,)), "nobody/at-all", "msp.unknown_member"),
    ],
)
def test_rotate_rejections(
    ledger: ContractHarness, who: str, cert: str, target: str | None, code: str
) -> None:
    args: dict[str, object] = {"cert_pem": cert}
    if target is not None:
        args["key_id"] = key_id(target)
    outcome = act(ledger, who, "msp", "rotate", args)
    assert outcome.code == code, outcome.message


def test_rotating_onto_an_enrolled_key_is_a_conflict(ledger: ContractHarness) -> None:
    onto_qp = member_pem("pharmaco", "line1", (Role.MANUFACTURER,), key_name="pharmaco/qp")
    assert act(
        ledger, ADMIN, "msp", "rotate", {"cert_pem": onto_qp, "key_id": key_id(LINE)}
    ).code == ("msp.already_enrolled")


def test_a_suspended_key_cannot_rotate_out_of_its_suspension(ledger: ContractHarness) -> None:
    ok(act(ledger, "nmpa/inspector", "msp", "suspend", {"key_id": key_id(LINE), "reason": "audit"}))
    moved = member_pem("pharmaco", "line1", (Role.MANUFACTURER,), key_name="pharmaco/line1-b")
    assert (
        act(ledger, ADMIN, "msp", "rotate", {"cert_pem": moved, "key_id": key_id(LINE)}).code
        == "msp.not_active"
    )


def test_the_last_admin_cannot_be_rotated_out_of_the_admin_role(ledger: ContractHarness) -> None:
    demoted = member_pem("pharmaco", "admin", (Role.QA,), key_name="pharmaco/admin-b")
    outcome = act(ledger, ADMIN, "msp", "rotate", {"cert_pem": demoted, "key_id": key_id(ADMIN)})
    assert outcome.code == "msp.role_escalation"  # self-rotation to other roles is refused first
    successor = member_pem("pharmaco", "admin", (Role.ADMIN,), key_name="pharmaco/admin-b")
    ok(act(ledger, ADMIN, "msp", "rotate", {"cert_pem": successor}))
    assert code_of(ledger, "pharmaco/admin-b") == "ok"


def test_a_node_key_rotates_and_the_node_record_follows(ledger: ContractHarness) -> None:
    fresh = node_pem("pharmaco", "node1", key_name="pharmaco/node1-b")
    ok(act(ledger, ADMIN, "msp", "rotate", {"cert_pem": fresh, "key_id": key_id("pharmaco/node1")}))
    node = ledger.query(signer(ledger, ADMIN), "msp", "node", {"node_id": 1})
    assert isinstance(node, dict)
    assert node["key_id"] == key_id("pharmaco/node1-b")
    assert code_of(ledger, "pharmaco/node1") == "signer.revoked"
    member_cert = member_pem("pharmaco", "node1", (Role.MANUFACTURER,), key_name="pharmaco/node1-c")
    refused = act(
        ledger,
        ADMIN,
        "msp",
        "rotate",
        {"cert_pem": member_cert, "key_id": key_id("pharmaco/node1-b")},
    )
    assert refused.code == "msp.not_node_certificate"


def test_expiring_lists_keys_inside_the_window_soonest_first(ledger: ContractHarness) -> None:
    soon = member_pem("pharmaco", "soon", (Role.QA,), not_after=pki.utc(2026, 1, 20))
    ok(act(ledger, ADMIN, "msp", "enroll", {"cert_pem": soon}))
    me = signer(ledger, ADMIN)
    month = ledger.query(me, "msp", "expiring", {"within_ms": 30 * DAY})
    assert month == [
        {
            "key_id": key_id("pharmaco/soon"),
            "org_id": "pharmaco",
            "kind": "member",
            "node_id": None,
            "not_after_ms": 1768867200000,
            "expired": False,
        }
    ]
    year = ledger.query(me, "msp", "expiring", {"within_ms": 365 * DAY})
    assert isinstance(year, list)
    assert year[0] == month[0]
    assert {e["kind"] for e in year} == {"member", "node"}
    ledger.block([], time_ms=1768867200000 + DAY)
    after = ledger.query(me, "msp", "expiring", {"within_ms": 0})
    assert after == [{**month[0], "expired": True}]
    assert code_of(ledger, "pharmaco/soon") == "signer.expired"
