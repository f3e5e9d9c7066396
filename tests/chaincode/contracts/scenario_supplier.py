"""Supplier scenario: qualify an API supplier, a certificate lapses, requalify, look through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chaincode.api import Contract
from chaincode.contracts.supplier import SupplierContract
from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from sdk.roles import Role

DAY = 86_400_000
QA = ContractHarness.signer("pharmaco", Role.QA)
VENDOR = ContractHarness.signer("apivendor", Role.SUPPLIER)
SHA = "cd" * 32
GLN = "0614141000005"


def contracts() -> list[Contract]:
    return [SupplierContract()]


CONTRACTS: Callable[[], list[Contract]] = contracts


def supplier_args(sid: str, org: str) -> dict[str, Any]:
    return {"supplier": sid, "org_id": org, "name": sid, "sites": [{"gln": GLN, "name": "site"}]}


def certificate(cid: str, supplier: str, valid_to: int, **over: Any) -> dict[str, Any]:
    return {
        "supplier": supplier,
        "certificate": cid,
        "type": "gmp_certificate",
        "issuer": "NMPA",
        "number": cid,
        "scope": "API",
        "valid_from": GENESIS_TIME_MS - DAY,
        "valid_to": valid_to,
        "document_sha256": SHA,
        **over,
    }


def qualify(harness: ContractHarness, supplier: str, material: str) -> None:
    """Approve ``supplier`` and its ``material`` now (a helper other scenarios reuse)."""
    for args in (
        {"supplier": supplier, "status": "approved", "reason": "audit passed"},
        {"supplier": supplier, "material": material, "status": "approved", "reason": "3 lots ok"},
    ):
        outcome = harness.invoke(QA, "supplier", "set_status", args)
        if not outcome.ok:
            raise AssertionError(f"{outcome.code}: {outcome.message}")


def run(harness: ContractHarness) -> None:
    expiry = GENESIS_TIME_MS + 30 * DAY
    steps = [
        (QA, "register_supplier", supplier_args("S1", "apivendor")),
        (QA, "register_supplier", supplier_args("S2", "intermediates")),
        (
            QA,
            "register_material",
            {
                "material": "M1",
                "name": "API",
                "specification": "SP-1",
                "spec_version": "1",
                "spec_sha256": SHA,
            },
        ),
        (QA, "assign_material", {"supplier": "S1", "material": "M1"}),
        (QA, "submit_certificate", certificate("GMP-1", "S1", expiry)),
        (
            VENDOR,
            "submit_certificate",
            certificate("CEP-1", "S1", expiry + DAY, type="cep", materials=["M1"]),
        ),
        (QA, "verify_certificate", {"supplier": "S1", "certificate": "CEP-1"}),
        (
            QA,
            "record_audit",
            {
                "supplier": "S1",
                "audit": "A1",
                "date": "2025-11-01",
                "auditor": "A. Auditor",
                "outcome": "satisfactory",
                "next_due": "2027-11-01",
            },
        ),
        (
            QA,
            "record_agreement",
            {
                "supplier": "S1",
                "agreement": "QAG-1",
                "signed": "2025-10-01",
                "document_sha256": SHA,
            },
        ),
        (QA, "set_status", {"supplier": "S1", "status": "approved", "reason": "audit passed"}),
        (
            QA,
            "set_status",
            {
                "supplier": "S1",
                "material": "M1",
                "status": "conditional",
                "reason": "new source",
                "scope": "full QC on receipt",
                "until": expiry + DAY,
            },
        ),
        (VENDOR, "link_subsupplier", {"supplier": "S1", "subsupplier": "S2"}),
    ]
    for signer, function, args in steps:
        outcome = harness.invoke(signer, "supplier", function, args)
        if not outcome.ok:
            raise AssertionError(f"{function}: {outcome.code} {outcome.message}")
    swept = harness.invoke(VENDOR, "supplier", "sweep_expired", {}, time_ms=expiry + DAY // 2)
    if swept.result == []:
        raise AssertionError("the lapsed GMP certificate did not suspend S1")
    harness.query(QA, "supplier", "get_supplier", {"supplier": "S1"})
    harness.query(QA, "supplier", "status_history", {"supplier": "S1", "material": "M1"})
    harness.query(
        QA, "supplier", "was_approved", {"supplier": "S1", "material": "M1", "at_ms": expiry - 1}
    )
    harness.query(QA, "supplier", "supplier_tree", {"supplier": "S1"})
    harness.query(QA, "supplier", "due_for_requalification", {"before": "2028-01-01"})
