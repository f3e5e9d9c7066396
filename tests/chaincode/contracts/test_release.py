"""Release contract: batch records, computed CoA, blockers from supplier and coldchain, QP
decisions with the 21 CFR 11.50 manifestation, batch_info for trace."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.contracts.release import ReleaseContract
from chaincode.contracts.release.record import evaluate
from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from sdk.roles import Role
from tests.chaincode.contracts import scenario_coldchain as cold
from tests.chaincode.contracts.scenario_release import (
    CONTRACTS,
    MAKER,
    PRODUCT,
    QA,
    QP,
    REGULATOR,
    batch_args,
    coa_args,
    manifest,
    material_args,
    prepare_supplier,
    run,
)

REF = {"product_key": PRODUCT, "lot": "LOT1"}


@pytest.fixture
def ledger() -> ContractHarness:
    h = ContractHarness(CONTRACTS())
    prepare_supplier(h)
    assert h.invoke(MAKER, "release", "register_batch", batch_args()).ok
    assert h.invoke(QA, "release", "record_coa", coa_args()).ok
    assert h.invoke(MAKER, "release", "add_materials", material_args("LOT1", h.time_ms)).ok
    return h


def release(
    h: ContractHarness, signer: Any = QP, markets: list[str] | None = None, **over: Any
) -> Any:
    m = {**manifest(h, "LOT1"), **over}
    return h.invoke(
        signer, "release", "release_batch", {**REF, "markets": markets or ["DE"], "manifest": m}
    )


def blocker_codes(h: ContractHarness) -> list[str]:
    return [b["code"] for b in h.query(QA, "release", "release_blockers", REF)]  # type: ignore[union-attr,index]


def test_clean_batch_releases_per_market_and_batch_info_says_so(ledger: ContractHarness) -> None:
    assert ledger.query(QA, "release", "batch_info", REF) == {
        "status": "pending",
        "released_markets": [],
        "owner": "pharmaco",
        "expiry_ms": 1827619200000,
    }
    assert blocker_codes(ledger) == []
    out = release(ledger, markets=["DE", "CN"])
    assert out.ok, out.message
    assert out.result["signature"]["printed_name"] == "Jane Q. Person"
    info = ledger.query(QA, "release", "batch_info", REF)
    assert (info["status"], info["released_markets"]) == ("released", ["CN", "DE"])  # type: ignore[index,call-overload]
    assert len(ledger.events_of("release", "release.batch_released")) == 1
    # Another market later: same checks, markets accumulate.
    assert release(ledger, markets=["FR"]).ok
    assert ledger.query(QA, "release", "batch_info", REF)["released_markets"] == ["CN", "DE", "FR"]  # type: ignore[index,call-overload]


def test_unknown_batch_info_is_none(ledger: ContractHarness) -> None:
    assert (
        ledger.query(QA, "release", "batch_info", {"product_key": "nmpa:1234567", "lot": "X"})
        is None
    )
    assert (
        ledger.query(QA, "release", "batch_info", {"product_key": "whatever|x", "lot": "?"}) is None
    )


def test_coa_verdicts_are_computed_on_a_common_scale() -> None:
    spec = {"kind": "numeric", "min": 950, "max": 1050, "scale": 1}
    assert evaluate(spec, {"kind": "numeric", "value": 9500, "scale": 2})[0] is True
    assert evaluate(spec, {"kind": "numeric", "value": 9499, "scale": 2}) == (
        False,
        "below the specification minimum",
    )
    assert evaluate(spec, {"kind": "numeric", "value": 106, "scale": 0})[0] is False
    assert evaluate(spec, {"kind": "text", "text": "ok"})[0] is False
    text = {"kind": "text", "expected": ["clear", "colourless"]}
    assert evaluate(text, {"kind": "text", "text": "clear"})[0] is True
    assert evaluate(text, {"kind": "text", "text": "cloudy"})[0] is False


def test_failing_coa_blocks_with_its_own_code(ledger: ContractHarness) -> None:
    out = ledger.invoke(QA, "release", "record_coa", coa_args(assay=9400))
    assert out.result["assay"] == {"passed": False, "detail": "below the specification minimum"}
    assert blocker_codes(ledger) == ["release.coa_failed"]
    assert release(ledger).code == "release.coa_failed"


def test_missing_coa_blocks() -> None:
    h = ContractHarness(CONTRACTS())
    assert h.invoke(MAKER, "release", "register_batch", batch_args()).ok
    assert blocker_codes(h) == ["release.coa_missing"]


def test_open_critical_or_major_deviation_blocks_minor_does_not(ledger: ContractHarness) -> None:
    minor = {**REF, "deviation": "D0", "severity": "minor", "description": "label smudge"}
    assert ledger.invoke(QA, "release", "record_deviation", minor).ok
    assert blocker_codes(ledger) == []
    major = {**REF, "deviation": "D1", "severity": "major", "description": "temperature"}
    assert ledger.invoke(QA, "release", "record_deviation", major).ok
    assert ledger.invoke(QA, "release", "record_deviation", major).code == "release.duplicate"
    assert release(ledger).code == "release.open_deviation"
    close = {**REF, "deviation": "D1"}
    assert (
        ledger.invoke(QA, "release", "close_deviation", close).code
        == "release.impact_assessment_required"
    )
    assert ledger.invoke(QA, "release", "close_deviation", {**REF, "deviation": "D9"}).code == (
        "release.unknown_deviation"
    )
    assert ledger.invoke(
        QA, "release", "close_deviation", {**close, "impact_assessment": "none"}
    ).ok
    assert ledger.invoke(
        QA, "release", "close_deviation", {**close, "impact_assessment": "x"}
    ).code == ("release.deviation_closed")
    assert release(ledger).ok


def test_unapproved_change_control_blocks(ledger: ContractHarness) -> None:
    change = {**REF, "change": "CC-1", "description": "new foil", "status": "proposed"}
    assert ledger.invoke(QA, "release", "record_change_control", change).ok
    assert release(ledger).code == "release.change_not_approved"
    assert ledger.invoke(
        QA, "release", "record_change_control", {**change, "status": "approved"}
    ).ok
    assert release(ledger).ok


def test_material_used_before_supplier_approval_blocks() -> None:
    h = ContractHarness(CONTRACTS())
    early = h.time_ms
    prepare_supplier(h)
    assert h.invoke(MAKER, "release", "register_batch", batch_args()).ok
    assert h.invoke(QA, "release", "record_coa", coa_args()).ok
    assert h.invoke(MAKER, "release", "add_materials", material_args("LOT1", early)).ok
    found = h.query(QA, "release", "release_blockers", REF)
    assert found == [
        {
            "code": "release.supplier_not_approved",
            "subject": "M1@S1/API-77",
            "detail": f"not approved at {early}: not_registered (supplier not yet registered)",
        }
    ]
    assert release(h).code == "release.supplier_not_approved"


def test_supplier_suspended_later_does_not_undo_approval_at_use(ledger: ContractHarness) -> None:
    suspend = {"supplier": "S1", "status": "suspended", "reason": "complaint"}
    assert ledger.invoke(QA, "supplier", "set_status", suspend).ok
    assert release(ledger).ok


def test_unknown_supplier_or_another_buyers_supplier_blocks(ledger: ContractHarness) -> None:
    assert ledger.invoke(
        MAKER, "release", "add_materials", material_args("LOT1", ledger.time_ms, "S404")
    ).ok
    assert blocker_codes(ledger) == ["release.supplier_not_approved"]


def test_open_cold_chain_excursion_blocks_until_qa_decides(ledger: ContractHarness) -> None:
    start = GENESIS_TIME_MS + cold.HOUR
    assert ledger.invoke(cold.LOGISTICS, "coldchain", "register_device", cold.device_args()).ok
    assert ledger.invoke(cold.LOGISTICS, "coldchain", "create_leg", cold.leg_args()).ok
    signed = cold.readings(start, [-100])
    assert ledger.invoke(
        cold.LOGISTICS, "coldchain", "submit_readings", signed, time_ms=start + cold.HOUR
    ).ok
    assert blocker_codes(ledger) == ["release.cold_chain_excursion"]
    assert release(ledger).code == "release.cold_chain_excursion"
    decide = {"leg": "LEG1", "number": 1, "decision": "release", "reason": "stability data"}
    assert ledger.invoke(cold.MAKER_QA, "coldchain", "resolve_excursion", decide).ok
    assert release(ledger).ok


def test_traced_inputs_cold_chain_is_checked_too(ledger: ContractHarness) -> None:
    start = GENESIS_TIME_MS + cold.HOUR
    assert ledger.invoke(cold.LOGISTICS, "coldchain", "register_device", cold.device_args()).ok
    leg = cold.leg_args(batches=[{"product_key": "nmpa:7654321", "lot": "API-77"}])
    assert ledger.invoke(cold.LOGISTICS, "coldchain", "create_leg", leg).ok
    signed = cold.readings(start, [-100])
    assert ledger.invoke(
        cold.LOGISTICS, "coldchain", "submit_readings", signed, time_ms=start + cold.HOUR
    ).ok
    assert blocker_codes(ledger) == []
    line = material_args("LOT1", ledger.time_ms)
    line["materials"][0]["product_key"] = "nmpa:7654321"
    assert ledger.invoke(MAKER, "release", "add_materials", line).ok
    assert blocker_codes(ledger) == ["release.cold_chain_excursion"]


def test_missing_contracts_are_reported_not_ignored() -> None:
    h = ContractHarness([ReleaseContract()])
    assert h.invoke(MAKER, "release", "register_batch", batch_args()).ok
    assert h.invoke(QA, "release", "record_coa", coa_args()).ok
    assert h.invoke(MAKER, "release", "add_materials", material_args("LOT1", h.time_ms)).ok
    assert blocker_codes(h) == ["release.check_unavailable", "release.check_unavailable"]


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"meaning": "authorship"}, "release.bad_meaning"),
        ({"signed_at_ms": GENESIS_TIME_MS - 301_000}, "release.signing_time"),
        ({"record_sha256": "00" * 32}, "release.record_hash_mismatch"),
    ],
)
def test_manifestation_is_checked(ledger: ContractHarness, over: dict[str, Any], code: str) -> None:
    assert release(ledger, **over).code == code


def test_signature_is_bound_to_the_reviewed_record(ledger: ContractHarness) -> None:
    reviewed = manifest(ledger, "LOT1")
    change = {**REF, "change": "CC-2", "description": "late edit", "status": "approved"}
    assert ledger.invoke(QA, "release", "record_change_control", change).ok
    args = {
        **REF,
        "markets": ["DE"],
        "manifest": {**reviewed, "signed_at_ms": ledger.time_ms + 1000},
    }
    assert (
        ledger.invoke(QP, "release", "release_batch", args).code == "release.record_hash_mismatch"
    )


def test_only_a_qp_of_the_owner_releases(ledger: ContractHarness) -> None:
    assert release(ledger, signer=QA).code == "permission.missing_role"
    assert (
        release(ledger, signer=ContractHarness.signer("rival", Role.QP)).code == "release.not_owner"
    )


def test_record_rules(ledger: ContractHarness) -> None:
    assert (
        ledger.invoke(MAKER, "release", "register_batch", batch_args()).code == "release.duplicate"
    )
    bad = {**batch_args("L2"), "product_key": "gtin:09501101530004"}
    assert ledger.invoke(MAKER, "release", "register_batch", bad).code == "release.bad_product_key"
    bad = {**batch_args("L2"), "site_gln": "0614141000006"}
    assert ledger.invoke(MAKER, "release", "register_batch", bad).code == "release.bad_gln"
    bad = {**batch_args("L2"), "expiry": "2025-01-01"}
    assert ledger.invoke(MAKER, "release", "register_batch", bad).code == "release.bad_date"
    rival = ContractHarness.signer("rival", Role.QA)
    assert ledger.invoke(rival, "release", "record_coa", coa_args()).code == "release.not_owner"
    missing = {**coa_args(), "lot": "NOPE"}
    assert ledger.invoke(QA, "release", "record_coa", missing).code == "release.unknown_batch"


def test_decisions_follow_the_status_table(ledger: ContractHarness) -> None:
    assert release(ledger).ok
    assert ledger.invoke(QA, "release", "record_coa", coa_args()).code == "release.batch_locked"
    assert ledger.invoke(QA, "release", "quarantine_batch", {**REF, "reason": "complaint"}).ok
    assert ledger.invoke(QA, "release", "record_coa", coa_args()).ok  # editable in quarantine
    recall = {**REF, "reason": "class I"}
    assert ledger.invoke(
        ContractHarness.signer("rival", Role.QA), "release", "recall_batch", recall
    ).code == ("release.not_owner")
    assert ledger.invoke(REGULATOR, "release", "recall_batch", recall).ok
    assert (
        ledger.invoke(REGULATOR, "release", "recall_batch", recall).code == "release.bad_transition"
    )
    assert ledger.query(QA, "release", "batch_info", REF)["status"] == "recalled"  # type: ignore[index,call-overload]
    history = ledger.query(QA, "release", "get_batch", REF)["status"]["decisions"]  # type: ignore[index,call-overload]
    assert [d["status"] for d in history] == ["released", "quarantined", "recalled"]


def test_rejection_is_final_and_signed(ledger: ContractHarness) -> None:
    reject = {**REF, "reason": "OOS", "manifest": manifest(ledger, "LOT1", "release")}
    assert ledger.invoke(QP, "release", "reject_batch", reject).code == "release.bad_meaning"
    reject["manifest"] = manifest(ledger, "LOT1", "rejection")
    assert ledger.invoke(QP, "release", "reject_batch", reject).ok
    assert release(ledger).code == "release.bad_transition"
    assert ledger.query(QA, "release", "batch_info", REF)["status"] == "rejected"  # type: ignore[index,call-overload]


def test_scenario_is_repeatable() -> None:
    first, second = ContractHarness(CONTRACTS()), ContractHarness(CONTRACTS())
    run(first)
    run(second)
    assert first.write_sets == second.write_sets
