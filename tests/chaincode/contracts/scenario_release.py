"""Release scenario: a batch made from a qualified supplier's API, shipped cold, released by
the QP, then quarantined and recalled; a second batch rejected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from chaincode.api import Contract, Signer
from chaincode.contracts.coldchain import ColdChainContract
from chaincode.contracts.release import ReleaseContract
from chaincode.contracts.supplier import SupplierContract
from chaincode.testing import ContractHarness
from sdk.roles import Role
from tests.chaincode.contracts import scenario_coldchain as cold
from tests.chaincode.contracts import scenario_supplier as sup

QA = sup.QA
QP = ContractHarness.signer("pharmaco", Role.QP, name="qp-jane")
MAKER = ContractHarness.signer("pharmaco", Role.MANUFACTURER)
REGULATOR = ContractHarness.signer("nmpa", Role.REGULATOR)
PRODUCT = cold.PRODUCT
SHA = "ef" * 32


def contracts() -> list[Contract]:
    return [SupplierContract(), ColdChainContract(), cold.FakeTrace(), ReleaseContract()]


CONTRACTS: Callable[[], list[Contract]] = contracts


def batch_args(lot: str = "LOT1") -> dict[str, Any]:
    return {
        "product_key": PRODUCT,
        "lot": lot,
        "size": 10_000,
        "site_gln": sup.GLN,
        "manufactured": "2025-12-01",
        "expiry": "2027-12-01",
        "ebr_sha256": SHA,
    }


def coa_args(lot: str = "LOT1", assay: int = 9990) -> dict[str, Any]:
    return {
        "product_key": PRODUCT,
        "lot": lot,
        "lab": "QC lab 1",
        "document_sha256": SHA,
        "tests": [
            {
                "test": "assay",
                "name": "Assay (HPLC)",
                "method": "Ph. Eur. 2.2.29",
                "spec": {"kind": "numeric", "min": 950, "max": 1050, "scale": 1},
                "result": {"kind": "numeric", "value": assay, "scale": 2},
            },
            {
                "test": "appearance",
                "name": "Appearance",
                "method": "visual",
                "spec": {"kind": "text", "expected": ["white tablet"]},
                "result": {"kind": "text", "text": "white tablet"},
            },
        ],
    }


def material_args(lot: str, used_at: int, supplier: str = "S1") -> dict[str, Any]:
    line = {
        "material": "M1",
        "supplier": supplier,
        "supplier_lot": "API-77",
        "quantity": 125_500,
        "scale": 3,
        "unit": "kg",
        "used_at": used_at,
    }
    return {"product_key": PRODUCT, "lot": lot, "materials": [line]}


def record_hash(harness: ContractHarness, lot: str) -> str:
    view = harness.query(QA, "release", "get_batch", {"product_key": PRODUCT, "lot": lot})
    return cast(str, cast(dict[str, Any], view)["record_sha256"])


def manifest(harness: ContractHarness, lot: str, meaning: str = "release") -> dict[str, Any]:
    """What the QP's client builds: name, time, meaning and the reviewed record's hash."""
    return {
        "printed_name": "Jane Q. Person",
        "signed_at_ms": harness.time_ms + 1000,
        "meaning": meaning,
        "record_sha256": record_hash(harness, lot),
    }


def prepare_supplier(harness: ContractHarness) -> None:
    """S1 qualified for M1 (GMP certificate valid for a year)."""
    expiry = harness.time_ms + 365 * sup.DAY
    for function, args in (
        ("register_supplier", sup.supplier_args("S1", "apivendor")),
        (
            "register_material",
            {
                "material": "M1",
                "name": "API",
                "specification": "SP-1",
                "spec_version": "1",
                "spec_sha256": SHA,
            },
        ),
        ("assign_material", {"supplier": "S1", "material": "M1"}),
        ("submit_certificate", sup.certificate("GMP-1", "S1", expiry)),
    ):
        outcome = harness.invoke(QA, "supplier", function, args)
        if not outcome.ok:
            raise AssertionError(f"{function}: {outcome.code} {outcome.message}")
    sup.qualify(harness, "S1", "M1")


def step(harness: ContractHarness, signer: Signer, function: str, args: dict[str, Any]) -> Any:
    outcome = harness.invoke(signer, "release", function, args)
    if not outcome.ok:
        raise AssertionError(f"{function}: {outcome.code} {outcome.message}")
    return outcome.result


def run(harness: ContractHarness) -> None:
    prepare_supplier(harness)
    used_at = harness.time_ms + 1000
    ref = {"product_key": PRODUCT, "lot": "LOT1"}
    step(harness, MAKER, "register_batch", batch_args())
    step(harness, QA, "record_coa", coa_args())
    step(
        harness,
        QA,
        "record_deviation",
        {
            **ref,
            "deviation": "DEV-1",
            "severity": "major",
            "description": "granulation overrun",
        },
    )
    step(
        harness,
        QA,
        "close_deviation",
        {
            **ref,
            "deviation": "DEV-1",
            "impact_assessment": "no impact on CQAs",
            "capa": "CAPA-9",
        },
    )
    step(
        harness,
        QA,
        "record_change_control",
        {
            **ref,
            "change": "CC-1",
            "description": "new blister foil",
            "status": "approved",
        },
    )
    step(harness, MAKER, "add_materials", material_args("LOT1", used_at))
    if harness.query(QA, "release", "release_blockers", ref) != []:
        raise AssertionError("a clean batch has blockers")
    step(
        harness,
        QP,
        "release_batch",
        {**ref, "markets": ["CN", "DE"], "manifest": manifest(harness, "LOT1")},
    )
    harness.query(QA, "release", "batch_info", ref)
    step(harness, QA, "quarantine_batch", {**ref, "reason": "complaint under investigation"})
    step(harness, REGULATOR, "recall_batch", {**ref, "reason": "class II recall"})
    step(harness, MAKER, "register_batch", batch_args("LOT2"))
    step(harness, QA, "record_coa", coa_args("LOT2", assay=9000))
    step(
        harness,
        QP,
        "reject_batch",
        {
            "product_key": PRODUCT,
            "lot": "LOT2",
            "reason": "assay out of specification",
            "manifest": manifest(harness, "LOT2", "rejection"),
        },
    )
