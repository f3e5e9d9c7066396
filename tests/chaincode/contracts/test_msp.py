"""msp contract: genesis state, enrollment, revocation, suspension, signer resolution (issue 5)."""

from __future__ import annotations

import pytest

from chaincode.contracts.msp import GenesisError, SignerRejected, genesis_state, resolve_signer
from chaincode.contracts.msp import state_reader as msp_reader
from chaincode.testing import ContractHarness
from sdk import pki
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

ADMIN = "pharmaco/admin"
REGULATOR = "nmpa/inspector"


@pytest.fixture
def ledger() -> ContractHarness:
    harness = ContractHarness(contracts())
    seed(harness)
    return harness


def resolve(ledger: ContractHarness, name: str, at_ms: int | None = None) -> str:
    """The signer.* code for key ``name`` (``ok`` if it may sign)."""
    when = ledger.time_ms + 1000 if at_ms is None else at_ms
    try:
        resolve_signer(msp_reader(ledger.state), key_id(name), when)
    except SignerRejected as exc:
        return exc.code
    return "ok"


def line_cert(name: str = "line1", *roles: Role) -> str:
    return member_pem("pharmaco", name, roles or (Role.MANUFACTURER,))


# --- genesis ------------------------------------------------------------------------------


def test_genesis_state_holds_orgs_nodes_and_members() -> None:
    keys = dict(genesis_state(genesis_model()))
    assert {k for k in keys if k.startswith("org/")} == {
        "org/distrib",
        "org/nmpa",
        "org/pharmaco",
        "org/pharmacy",
    }
    node = keys["node/00000000000000000002"]
    assert isinstance(node, dict)
    assert (node["org_id"], node["voter"], node["key_id"]) == (
        "distrib",
        True,
        key_id("distrib/node2"),
    )
    member = keys[f"member/{key_id(ADMIN)}"]
    assert isinstance(member, dict)
    assert (member["status"], member["roles"], member["enrolled_height"]) == (
        "active",
        ["admin"],
        0,
    )
    assert list(keys) == sorted(keys, key=lambda k: k.encode())


def test_genesis_signers_resolve_with_their_certificate_roles(ledger: ContractHarness) -> None:
    qp = signer(ledger, "pharmaco/qp")
    assert (qp.org_id, qp.roles) == ("pharmaco", frozenset({Role.QA, Role.QP}))
    node = signer(ledger, "nmpa/node3")
    assert node.roles == frozenset({Role.NODE})


def test_genesis_refuses_a_member_from_another_ca() -> None:
    model = genesis_model()
    foreign = member_pem("pharmaco", "rogue", (Role.ADMIN,), generation=2)
    bad = model.model_copy(
        update={"members": [*model.members, type(model.members[0])(cert_pem=foreign)]}
    )
    with pytest.raises(GenesisError, match=r"cert\.issuer_mismatch|cert\.bad_signature"):
        genesis_state(bad)


def test_genesis_refuses_roles_the_org_may_not_grant() -> None:
    model = genesis_model()
    greedy = member_pem("pharmacy", "greedy", (Role.REGULATOR,))
    bad = model.model_copy(update={"members": [type(model.members[0])(cert_pem=greedy)]})
    with pytest.raises(GenesisError, match="may not grant regulator"):
        genesis_state(bad)


def test_genesis_refuses_a_node_certificate_of_another_org() -> None:
    model = genesis_model()
    moved = model.nodes[0].model_copy(update={"cert_pem": node_pem("distrib", "nodeX")})
    bad = model.model_copy(update={"nodes": [moved, *model.nodes[1:]]})
    with pytest.raises(GenesisError, match="not 'pharmaco'"):
        genesis_state(bad)


def test_genesis_verifies_at_genesis_time_not_now() -> None:
    model = genesis_model()
    late = member_pem("pharmacy", "late", (Role.PHARMACY,), not_before=pki.utc(2026, 6, 1))
    bad = model.model_copy(update={"members": [type(model.members[0])(cert_pem=late)]})
    with pytest.raises(GenesisError, match=r"cert\.not_yet_valid"):
        genesis_state(bad)


# --- enroll -------------------------------------------------------------------------------


def test_admin_enrolls_a_member_of_its_org(ledger: ContractHarness) -> None:
    result = ok(act(ledger, ADMIN, "msp", "enroll", {"cert_pem": line_cert()}))
    assert isinstance(result, dict)
    assert (result["key_id"], result["status"]) == (key_id("pharmaco/line1"), "active")
    assert signer(ledger, "pharmaco/line1").roles == frozenset({Role.MANUFACTURER})
    assert ledger.events_of("msp", "enrolled")[0] == result


@pytest.mark.parametrize(
    ("who", "cert", "code"),
    [
        ("pharmaco/qp", line_cert(), "permission.missing_role"),
        ("distrib/admin", line_cert(), "permission.wrong_org"),
        (ADMIN, line_cert("boss", Role.REGULATOR), "msp.role_not_allowed"),
        (ADMIN, member_pem("pharmaco", "x", (Role.QA,), generation=2), "cert.bad_signature"),
        (
            ADMIN,
            member_pem("pharmaco", "old", (Role.QA,), not_after=pki.utc(2025, 12, 31)),
            "cert.expired",
        ),
        (
            ADMIN,
            member_pem("pharmaco", "new", (Role.QA,), not_before=pki.utc(2026, 2, 1)),
            "cert.not_yet_valid",
        ),
        (ADMIN, node_pem("pharmaco", "node9"), "msp.node_certificate"),
        (ADMIN, "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", "cert.malformed"),
        (ADMIN, "zertifikat ünlesbar", "cert.malformed"),
        (ADMIN, ca_pem("pharmaco"), "cert.wrong_usage"),
    ],
)
def test_enroll_rejections(ledger: ContractHarness, who: str, cert: str, code: str) -> None:
    outcome = act(ledger, who, "msp", "enroll", {"cert_pem": cert})
    assert outcome.code == code, outcome.message
    assert ledger.write_sets[-1] == []


def test_re_enrolling_an_active_key_is_a_conflict(ledger: ContractHarness) -> None:
    ok(act(ledger, ADMIN, "msp", "enroll", {"cert_pem": line_cert()}))
    again = act(ledger, ADMIN, "msp", "enroll", {"cert_pem": line_cert()})
    assert again.code == "msp.already_enrolled"


def test_a_revoked_key_never_enrolls_again(ledger: ContractHarness) -> None:
    ok(act(ledger, ADMIN, "msp", "enroll", {"cert_pem": line_cert()}))
    ok(act(ledger, ADMIN, "msp", "revoke", {"key_id": key_id("pharmaco/line1"), "reason": "lost"}))
    renewed = member_pem("pharmaco", "line1", (Role.MANUFACTURER,), not_after=pki.utc(2028, 1, 1))
    assert act(ledger, ADMIN, "msp", "enroll", {"cert_pem": renewed}).code == "msp.key_retired"


# --- revoke, suspend, reinstate -----------------------------------------------------------


def test_revocation_takes_effect_from_the_recording_block(ledger: ContractHarness) -> None:
    ok(act(ledger, ADMIN, "msp", "enroll", {"cert_pem": line_cert()}))
    line = signer(ledger, "pharmaco/line1")
    revoke = ledger.invocation(
        signer(ledger, ADMIN), "msp", "revoke", {"key_id": line.key_id, "reason": "stolen"}
    )
    outcomes = ledger.block([revoke])
    assert outcomes[0].ok
    assert resolve(ledger, "pharmaco/line1") == "signer.revoked"
    record = ledger.query(line, "msp", "member", {"key_id": line.key_id})
    assert isinstance(record, dict)
    assert (record["revoked_height"], record["reason"]) == (ledger.height, "stolen")


def test_revoke_rejections(ledger: ContractHarness) -> None:
    other = {"key_id": key_id("distrib/admin"), "reason": "x"}
    assert act(ledger, ADMIN, "msp", "revoke", other).code == "permission.wrong_org"
    unknown = {"key_id": "ab" * 32, "reason": "x"}
    assert act(ledger, ADMIN, "msp", "revoke", unknown).code == "msp.unknown_member"
    last = {"key_id": key_id(ADMIN), "reason": "x"}
    assert act(ledger, ADMIN, "msp", "revoke", last).code == "msp.last_admin"
    qp = {"key_id": key_id("pharmaco/qp"), "reason": "left"}
    ok(act(ledger, ADMIN, "msp", "revoke", qp))
    assert act(ledger, ADMIN, "msp", "revoke", qp).code == "msp.already_revoked"
    assert act(ledger, "pharmaco/node1", "msp", "revoke", qp).code == "permission.missing_role"


def test_an_admin_revokes_its_own_nodes_key(ledger: ContractHarness) -> None:
    ok(
        act(
            ledger,
            ADMIN,
            "msp",
            "revoke",
            {"key_id": key_id("pharmaco/node1"), "reason": "host lost"},
        )
    )
    assert resolve(ledger, "pharmaco/node1") == "signer.revoked"
    assert ledger.events_of("msp", "revoked")[0]["node_id"] == 1


def test_a_second_admin_makes_the_first_revocable(ledger: ContractHarness) -> None:
    ok(act(ledger, ADMIN, "msp", "enroll", {"cert_pem": line_cert("admin2", Role.ADMIN)}))
    ok(
        act(
            ledger,
            "pharmaco/admin2",
            "msp",
            "revoke",
            {"key_id": key_id(ADMIN), "reason": "rotated staff"},
        )
    )
    assert resolve(ledger, ADMIN) == "signer.revoked"


def test_regulator_suspends_and_reinstates_any_org(ledger: ContractHarness) -> None:
    target = {"key_id": key_id("distrib/admin"), "reason": "licence under review"}
    ok(act(ledger, REGULATOR, "msp", "suspend", target))
    assert resolve(ledger, "distrib/admin") == "signer.suspended"
    assert act(ledger, REGULATOR, "msp", "suspend", target).code == "msp.not_active"
    ok(act(ledger, REGULATOR, "msp", "reinstate", target))
    assert resolve(ledger, "distrib/admin") == "ok"
    assert act(ledger, REGULATOR, "msp", "reinstate", target).code == "msp.not_suspended"
    assert [len(ledger.events_of("msp", t)) for t in ("suspended", "reinstated")] == [1, 1]


def test_only_regulators_suspend(ledger: ContractHarness) -> None:
    target = {"key_id": key_id("distrib/admin"), "reason": "x"}
    assert act(ledger, ADMIN, "msp", "suspend", target).code == "permission.missing_role"
    assert (
        act(ledger, REGULATOR, "msp", "suspend", {**target, "reason": ""}).code
        == "contract.invalid_arguments"
    )


# --- signer resolution --------------------------------------------------------------------


def test_resolve_signer_codes_are_distinct(ledger: ContractHarness) -> None:
    assert resolve(ledger, "nobody/at-all") == "signer.unknown"
    until = ledger.time_ms + 1000 + 2 * DAY
    short = member_pem("pharmaco", "short", (Role.QA,), not_after=pki.utc(2026, 1, 3))
    ok(act(ledger, ADMIN, "msp", "enroll", {"cert_pem": short}))
    assert resolve(ledger, "pharmaco/short", until) == "signer.expired"
    assert resolve(
        ledger, "pharmaco/short", pki.utc(2025, 11, 30).timestamp().__int__() * 1000
    ) == ("signer.not_yet_valid")
    assert resolve(ledger, "pharmaco/short") == "ok"


def test_resolve_signer_reads_a_block_layer(ledger: ContractHarness) -> None:
    from chaincode.layers import BlockLayer, Layer

    block = BlockLayer(ledger.state, height=ledger.height + 1, block_time_ms=ledger.time_ms + 1000)
    tx = Layer(block)
    record = ledger.state.get("msp", f"member/{key_id(ADMIN)}")
    assert isinstance(record, dict)
    tx.put("msp", f"member/{key_id(ADMIN)}", {**record, "status": "suspended", "reason": "test"})
    block.commit_tx(tx, tx_index=0, tx_id="11" * 32)
    with pytest.raises(SignerRejected) as caught:
        resolve_signer(msp_reader(block), key_id(ADMIN), block.block_time_ms)
    assert caught.value.code == "signer.suspended"
    assert resolve(ledger, ADMIN) == "ok"


# --- queries ------------------------------------------------------------------------------


def test_list_members_by_org_and_status(ledger: ContractHarness) -> None:
    ok(act(ledger, ADMIN, "msp", "revoke", {"key_id": key_id("pharmaco/qp"), "reason": "left"}))
    me = signer(ledger, ADMIN)
    everyone = ledger.query(me, "msp", "list_members", {"org_id": "pharmaco"})
    assert isinstance(everyone, list)
    assert sorted(m["key_id"] for m in everyone) == sorted(
        key_id(n) for n in (ADMIN, "pharmaco/qp", "pharmaco/node1")
    )
    revoked = ledger.query(me, "msp", "list_members", {"org_id": "pharmaco", "status": "revoked"})
    assert [m["key_id"] for m in revoked] == [key_id("pharmaco/qp")]
    with pytest.raises(Exception, match="no organization"):
        ledger.query(me, "msp", "list_members", {"org_id": "nowhere"})


def test_record_queries(ledger: ContractHarness) -> None:
    me = signer(ledger, ADMIN)
    org = ledger.query(me, "msp", "org", {"org_id": "pharmacy"})
    assert isinstance(org, dict)
    assert (org["status"], org["roles"]) == ("active", ["admin", "pharmacy"])
    assert [o["org_id"] for o in ledger.query(me, "msp", "orgs", {})] == [
        "distrib",
        "nmpa",
        "pharmaco",
        "pharmacy",
    ]
    assert [n["node_id"] for n in ledger.query(me, "msp", "nodes", {})] == [1, 2, 3]
    node = ledger.query(me, "msp", "node", {"node_id": 3})
    assert isinstance(node, dict)
    assert node["org_id"] == "nmpa"
    member = ledger.query(me, "msp", "member", {"key_id": key_id(ADMIN)})
    assert isinstance(member, dict)
    assert "BEGIN CERTIFICATE" in str(member["cert_pem"])
    for function, args in [
        ("node", {"node_id": 9}),
        ("org", {"org_id": "zz"}),
        ("member", {"key_id": "0" * 64}),
    ]:
        with pytest.raises(Exception, match="no "):
            ledger.query(me, "msp", function, args)


def test_governance_only_functions_refuse_direct_calls(ledger: ContractHarness) -> None:
    outcome = act(ledger, ADMIN, "msp", "promote_node", {"node_id": 1})
    assert outcome.code == "permission.governance_only"
