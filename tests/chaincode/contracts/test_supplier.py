"""Supplier contract: one test per rule (ICH Q7 §7, EU GMP ch. 7), every rejection code."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.contracts.supplier import SupplierContract
from chaincode.contracts.supplier.rules import check_gln, gs1_check_digit_ok, to_ms
from chaincode.errors import InvalidTransaction
from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from sdk.roles import Role

DAY = 86_400_000
QA = ContractHarness.signer("pharmaco", Role.QA)
OTHER_QA = ContractHarness.signer("rival", Role.QA)
VENDOR = ContractHarness.signer("apivendor", Role.SUPPLIER)
SHA = "ab" * 32
GLN = "0614141000005"


def supplier(sid: str = "S1", org: str = "apivendor") -> dict[str, Any]:
    return {
        "supplier": sid,
        "org_id": org,
        "name": f"{sid} Ltd",
        "sites": [{"gln": GLN, "name": "plant"}],
    }


def cert(cid: str = "C1", **over: Any) -> dict[str, Any]:
    base = {
        "supplier": "S1",
        "certificate": cid,
        "type": "gmp_certificate",
        "issuer": "EMA",
        "number": "GMP-1",
        "scope": "API manufacture",
        "valid_from": GENESIS_TIME_MS - DAY,
        "valid_to": GENESIS_TIME_MS + 10 * DAY,
        "document_sha256": SHA,
    }
    return {**base, **over}


@pytest.fixture
def ledger() -> ContractHarness:
    h = ContractHarness([SupplierContract()])
    assert h.invoke(QA, "supplier", "register_supplier", supplier()).ok
    material = {
        "material": "M1",
        "name": "paracetamol API",
        "specification": "SPEC-1",
        "spec_version": "3",
        "spec_sha256": SHA,
    }
    assert h.invoke(QA, "supplier", "register_material", material).ok
    assert h.invoke(QA, "supplier", "assign_material", {"supplier": "S1", "material": "M1"}).ok
    return h


def approve(h: ContractHarness, material: str | None = None, **kw: Any) -> Any:
    args = {"supplier": "S1", "status": "approved", "reason": "audit ok", **kw}
    if material:
        args["material"] = material
    return h.invoke(QA, "supplier", "set_status", args)


def was(h: ContractHarness, at: int, material: str = "M1") -> Any:
    return h.query(
        QA, "supplier", "was_approved", {"supplier": "S1", "material": material, "at_ms": at}
    )


def test_gln_check_digit_weights_3_1_from_the_right() -> None:
    assert gs1_check_digit_ok("0614141000005")
    assert gs1_check_digit_ok("09501101530003")
    assert not gs1_check_digit_ok("0614141000006")
    with pytest.raises(InvalidTransaction) as exc:
        check_gln("0614141000006")
    assert exc.value.code == "supplier.bad_gln"


def test_dates_as_ms_or_iso() -> None:
    assert to_ms("1970-01-02") == DAY
    assert to_ms("1970-01-01", end_of_day=True) == DAY
    assert to_ms("1970-01-01T00:00:01+00:00") == 1000
    assert to_ms(5) == 5
    for bad in ("1970-13-01", "1970-01-01T00:00:00"):
        with pytest.raises(InvalidTransaction) as exc:
            to_ms(bad)
        assert exc.value.code == "supplier.bad_date"


def test_register_rejections(ledger: ContractHarness) -> None:
    assert (
        ledger.invoke(QA, "supplier", "register_supplier", supplier()).code == "supplier.duplicate"
    )
    bad = supplier("S9")
    bad["sites"] = [{"gln": "0614141000006", "name": "x"}]
    assert ledger.invoke(QA, "supplier", "register_supplier", bad).code == "supplier.bad_gln"
    assert ledger.invoke(VENDOR, "supplier", "register_supplier", supplier("S8")).code == (
        "permission.missing_role"
    )


def test_material_assignment_rules(ledger: ContractHarness) -> None:
    ask = {"supplier": "S1", "material": "M1"}
    assert ledger.invoke(QA, "supplier", "assign_material", ask).code == "supplier.duplicate"
    ask_unknown = {"supplier": "S1", "material": "M404"}
    assert ledger.invoke(QA, "supplier", "assign_material", ask_unknown).code == (
        "supplier.unknown_material"
    )
    assert (
        ledger.invoke(OTHER_QA, "supplier", "assign_material", ask).code == "supplier.not_buyer_qa"
    )
    missing = {"supplier": "S404", "material": "M1"}
    assert ledger.invoke(QA, "supplier", "assign_material", missing).code == (
        "supplier.unknown_supplier"
    )


def test_lifecycle_with_history_and_final_disqualification(ledger: ContractHarness) -> None:
    assert approve(ledger).ok
    until = ledger.time_ms + 30 * DAY
    cond = {
        "supplier": "S1",
        "status": "conditional",
        "reason": "finding",
        "scope": "QC 100%",
        "until": until,
    }
    assert ledger.invoke(QA, "supplier", "set_status", cond).ok
    assert ledger.invoke(QA, "supplier", "set_status", {**cond, "status": "suspended"}).ok
    assert ledger.invoke(QA, "supplier", "set_status", {**cond, "status": "disqualified"}).ok
    refused = approve(ledger)
    assert refused.code == "supplier.bad_transition"
    history = ledger.query(QA, "supplier", "status_history", {"supplier": "S1"})
    assert isinstance(history, list)
    assert [e["status"] for e in history] == [  # type: ignore[index]
        "pending",
        "approved",
        "conditional",
        "suspended",
        "disqualified",
    ]
    assert all(e["by"] == QA.key_id for e in history[1:])  # type: ignore[index]


def test_status_changes_need_the_buyers_qa(ledger: ContractHarness) -> None:
    args = {"supplier": "S1", "status": "approved", "reason": "x"}
    assert ledger.invoke(OTHER_QA, "supplier", "set_status", args).code == "supplier.not_buyer_qa"
    assert ledger.invoke(VENDOR, "supplier", "set_status", args).code == "permission.missing_role"


def test_conditional_needs_scope_and_future_until(ledger: ContractHarness) -> None:
    args = {"supplier": "S1", "status": "conditional", "reason": "x", "until": ledger.time_ms}
    assert ledger.invoke(QA, "supplier", "set_status", args).code == "supplier.condition_required"


def test_material_needs_assignment_and_approved_supplier(ledger: ContractHarness) -> None:
    assert approve(ledger, "M1").code == "supplier.supplier_not_approved"
    assert approve(ledger, "M2").code == "supplier.material_not_assigned"
    assert approve(ledger).ok
    assert approve(ledger, "M1").ok
    assert was(ledger, ledger.time_ms)["approved"] is True  # type: ignore[index]


def test_approval_needs_valid_required_certificates(ledger: ContractHarness) -> None:
    old = cert(valid_from=GENESIS_TIME_MS - 10 * DAY, valid_to=GENESIS_TIME_MS - DAY)
    assert ledger.invoke(QA, "supplier", "submit_certificate", old).ok
    assert approve(ledger).code == "supplier.certificate_not_valid"
    assert ledger.invoke(QA, "supplier", "submit_certificate", cert("C2")).ok
    assert approve(ledger).ok


def test_certificate_rules(ledger: ContractHarness) -> None:
    assert ledger.invoke(QA, "supplier", "submit_certificate", cert()).ok
    assert ledger.invoke(QA, "supplier", "submit_certificate", cert()).code == "supplier.duplicate"
    backwards = cert("C3", valid_from="2026-02-01", valid_to="2026-01-01")
    assert (
        ledger.invoke(QA, "supplier", "submit_certificate", backwards).code == "supplier.bad_date"
    )
    scoped = cert("C4", materials=["M9"])
    assert ledger.invoke(QA, "supplier", "submit_certificate", scoped).code == (
        "supplier.material_not_assigned"
    )
    stranger = ContractHarness.signer("elsewhere", Role.SUPPLIER)
    assert ledger.invoke(stranger, "supplier", "submit_certificate", cert("C5")).code == (
        "supplier.not_supplier_or_buyer"
    )
    missing = {"supplier": "S1", "certificate": "C404"}
    assert ledger.invoke(QA, "supplier", "verify_certificate", missing).code == (
        "supplier.unknown_certificate"
    )


def test_supplier_certificates_count_only_once_verified(ledger: ContractHarness) -> None:
    assert approve(ledger).ok
    assert ledger.invoke(
        VENDOR, "supplier", "submit_certificate", cert(valid_to=GENESIS_TIME_MS + 5 * DAY)
    ).ok
    # Unverified: its expiry must not suspend anything.
    ledger.block([], time_ms=GENESIS_TIME_MS + 6 * DAY)
    view = ledger.query(QA, "supplier", "get_supplier", {"supplier": "S1"})
    assert view["status"]["status"] == "approved"  # type: ignore[index,call-overload]
    assert view["certificates"][0]["verified"] is False  # type: ignore[index,call-overload]
    verify = {"supplier": "S1", "certificate": "C1"}
    assert ledger.invoke(VENDOR, "supplier", "verify_certificate", verify).code == (
        "permission.missing_role"
    )
    assert ledger.invoke(QA, "supplier", "verify_certificate", verify).ok
    view = ledger.query(QA, "supplier", "get_supplier", {"supplier": "S1"})
    assert view["status"]["status"] == "suspended"  # type: ignore[index,call-overload]


def test_expiry_suspends_lazily_then_materialises_at_expiry_time(ledger: ContractHarness) -> None:
    expiry = GENESIS_TIME_MS + 10 * DAY
    assert ledger.invoke(QA, "supplier", "submit_certificate", cert(valid_to=expiry)).ok
    assert approve(ledger).ok
    assert approve(ledger, "M1").ok
    ledger.block([], time_ms=expiry - 1)
    assert was(ledger, expiry - 1)["approved"] is True  # type: ignore[index]
    ledger.block([], time_ms=expiry)
    seen = was(ledger, expiry)
    assert (seen["approved"], seen["status"]) == (False, "suspended")  # type: ignore[index]
    assert ledger.events_of("supplier", "supplier.auto_suspended") == []
    out = ledger.invoke(VENDOR, "supplier", "sweep_expired", {}, time_ms=expiry + DAY)
    assert out.ok
    assert ledger.events_of("supplier", "supplier.auto_suspended") == [
        {
            "supplier": "S1",
            "material": None,
            "at_ms": expiry,
            "reason": "certificate C1 expired: no valid required certificate",
        }
    ]
    assert was(ledger, expiry)["approved"] is False  # type: ignore[index]
    assert was(ledger, expiry - 1)["approved"] is True  # type: ignore[index]
    history = ledger.query(QA, "supplier", "status_history", {"supplier": "S1"})
    assert history[-1]["by"] == "auto"  # type: ignore[index]
    assert ledger.invoke(VENDOR, "supplier", "sweep_expired", {}).result == []


def test_renewal_before_expiry_carries_coverage(ledger: ContractHarness) -> None:
    expiry = GENESIS_TIME_MS + 10 * DAY
    assert ledger.invoke(QA, "supplier", "submit_certificate", cert(valid_to=expiry)).ok
    assert approve(ledger).ok
    assert approve(ledger, "M1").ok
    renewal = cert("C2", valid_from=expiry - DAY, valid_to=expiry + 365 * DAY)
    assert ledger.invoke(QA, "supplier", "submit_certificate", renewal).ok
    ledger.block([], time_ms=expiry + DAY)
    assert was(ledger, expiry + DAY)["approved"] is True  # type: ignore[index]


def test_material_scoped_certificate_suspends_only_that_material(ledger: ContractHarness) -> None:
    expiry = GENESIS_TIME_MS + 10 * DAY
    scoped = cert("CEP1", type="cep", materials=["M1"], valid_to=expiry)
    assert ledger.invoke(QA, "supplier", "submit_certificate", scoped).ok
    assert approve(ledger).ok
    assert approve(ledger, "M1").ok
    ledger.block([], time_ms=expiry)
    seen = was(ledger, expiry)
    assert (seen["approved"], seen["reason"][:9]) == (False, "material:")  # type: ignore[index]
    view = ledger.query(QA, "supplier", "get_supplier", {"supplier": "S1"})
    assert view["status"]["status"] == "approved"  # type: ignore[index,call-overload]


def test_conditional_runs_out(ledger: ContractHarness) -> None:
    until = GENESIS_TIME_MS + 5 * DAY
    cond = {"supplier": "S1", "status": "conditional", "reason": "r", "scope": "s", "until": until}
    assert ledger.invoke(QA, "supplier", "set_status", cond).ok
    assert approve(ledger, "M1").ok
    ok = was(ledger, until - 1)
    assert (ok["approved"], ok["status"]) == (True, "conditional")  # type: ignore[index]
    assert was(ledger, until)["approved"] is False  # type: ignore[index]


def test_was_approved_uses_history_not_current_status(ledger: ContractHarness) -> None:
    assert approve(ledger).ok
    assert approve(ledger, "M1").ok
    approved_at = ledger.time_ms
    suspend = {"supplier": "S1", "status": "suspended", "reason": "complaint"}
    assert ledger.invoke(QA, "supplier", "set_status", suspend).ok
    assert was(ledger, approved_at)["approved"] is True  # type: ignore[index]
    assert was(ledger, ledger.time_ms)["status"] == "suspended"  # type: ignore[index]
    assert was(ledger, GENESIS_TIME_MS)["approved"] is False  # type: ignore[index]
    assert was(ledger, approved_at, "M404")["status"] == "not_assigned"  # type: ignore[index]
    unknown = ledger.query(
        QA, "supplier", "was_approved", {"supplier": "S404", "material": "M1", "at_ms": 1}
    )
    assert unknown == {
        "approved": False,
        "status": "unknown",
        "reason": "no such supplier",
        "buyer": None,
    }


def test_audits_drive_requalification_due_dates(ledger: ContractHarness) -> None:
    assert ledger.invoke(QA, "supplier", "register_supplier", supplier("S2", "other")).ok
    audit = {
        "supplier": "S1",
        "audit": "A1",
        "date": "2025-06-01",
        "auditor": "J. Doe",
        "outcome": "satisfactory",
        "next_due": "2027-06-01",
        "findings": [{"id": "F1", "severity": "minor", "text": "labels"}],
    }
    assert ledger.invoke(QA, "supplier", "record_audit", audit).ok
    assert ledger.invoke(QA, "supplier", "record_audit", audit).code == "supplier.duplicate"
    later = {**audit, "audit": "A2", "date": "2026-01-01", "next_due": "2026-12-01"}
    assert ledger.invoke(QA, "supplier", "record_audit", later).ok
    s2 = {**audit, "supplier": "S2", "audit": "A3", "next_due": "2026-09-01"}
    assert ledger.invoke(QA, "supplier", "record_audit", s2).ok
    backwards = {**audit, "audit": "A4", "next_due": "2025-01-01"}
    assert ledger.invoke(QA, "supplier", "record_audit", backwards).code == "supplier.bad_date"
    due = ledger.query(QA, "supplier", "due_for_requalification", {"before": "2027-01-01"})
    assert [(d["supplier"], d["next_due_ms"]) for d in due] == [  # type: ignore[index,union-attr]
        ("S2", to_ms("2026-09-01")),
        ("S1", to_ms("2026-12-01")),
    ]
    assert ledger.query(QA, "supplier", "due_for_requalification", {"before": "2026-10-01"}) == [
        {"supplier": "S2", "next_due_ms": to_ms("2026-09-01"), "status": due[0]["status"]}  # type: ignore[index]
    ]


def test_quality_agreements(ledger: ContractHarness) -> None:
    qa = {"supplier": "S1", "agreement": "QAG-1", "signed": "2025-01-01", "document_sha256": SHA}
    assert ledger.invoke(QA, "supplier", "record_agreement", qa).ok
    assert ledger.invoke(QA, "supplier", "record_agreement", qa).code == "supplier.duplicate"
    bad = {**qa, "agreement": "QAG-2", "valid_to": "2024-01-01"}
    assert ledger.invoke(QA, "supplier", "record_agreement", bad).code == "supplier.bad_date"
    view = ledger.query(QA, "supplier", "get_supplier", {"supplier": "S1"})
    assert [a["agreement"] for a in view["agreements"]] == ["QAG-1"]  # type: ignore[index,call-overload]


def test_look_through_tree_flags_unapproved_tiers_and_refuses_cycles(
    ledger: ContractHarness,
) -> None:
    for sid in ("S2", "S3", "S4", "S5"):
        assert ledger.invoke(QA, "supplier", "register_supplier", supplier(sid, f"org{sid}")).ok
    assert approve(ledger).ok
    for parent, child in (("S1", "S2"), ("S2", "S3"), ("S3", "S4"), ("S4", "S5")):
        link = {"supplier": parent, "subsupplier": child}
        assert ledger.invoke(QA, "supplier", "link_subsupplier", link).ok
    assert ledger.invoke(
        VENDOR, "supplier", "link_subsupplier", {"supplier": "S1", "subsupplier": "S3"}
    ).ok
    tree = ledger.query(QA, "supplier", "supplier_tree", {"supplier": "S1"})
    root = tree["tree"]  # type: ignore[index,call-overload]
    assert (root["status"], root["tier"]) == ("approved", 1)
    assert [c["supplier"] for c in root["children"]] == ["S2", "S3"]
    s4 = root["children"][0]["children"][0]["children"][0]
    assert (s4["supplier"], s4["tier"], s4["children"], s4["truncated"]) == ("S4", 4, [], True)
    assert {(f["supplier"], f["tier"]) for f in tree["flags"]} == {  # type: ignore[index,call-overload]
        ("S2", 2),
        ("S3", 3),
        ("S4", 4),
        ("S3", 2),
        ("S4", 3),
        ("S5", 4),
    }
    codes = [
        ledger.invoke(
            QA, "supplier", "link_subsupplier", {"supplier": "S5", "subsupplier": "S1"}
        ).code,
        ledger.invoke(
            QA, "supplier", "link_subsupplier", {"supplier": "S1", "subsupplier": "S1"}
        ).code,
        ledger.invoke(
            QA, "supplier", "link_subsupplier", {"supplier": "S1", "subsupplier": "S2"}
        ).code,
        ledger.invoke(
            OTHER_QA, "supplier", "link_subsupplier", {"supplier": "S1", "subsupplier": "S5"}
        ).code,
    ]
    assert codes == [
        "supplier.cycle",
        "supplier.self_link",
        "supplier.duplicate",
        "supplier.not_supplier_or_buyer",
    ]


def test_scenario_is_repeatable() -> None:
    from tests.chaincode.contracts.scenario_supplier import CONTRACTS, run

    first, second = ContractHarness(CONTRACTS()), ContractHarness(CONTRACTS())
    run(first)
    run(second)
    assert first.write_sets == second.write_sets
    assert first.events_of("supplier", "supplier.auto_suspended") != []
