"""Typed helpers for the ``supplier`` contract: approved supplier lists (docs/contracts.md).

Names and shapes mirror ``chaincode/contracts/supplier/models.py`` (checked by a test).
Times are integer ms UTC or ISO text (``2027-01-31``, or a datetime with an offset).
"""

# No ``from __future__ import annotations`` (see sdk.client.contracts.trace).
from typing import Literal, NotRequired, TypedDict, TypeVar, Unpack

from sdk.client.contracts.base import ContractApi

T_co = TypeVar("T_co", covariant=True)
Q_co = TypeVar("Q_co", covariant=True)

Time = int | str
StatusName = Literal["approved", "conditional", "suspended", "disqualified"]
CertificateType = Literal[
    "gmp_certificate",
    "cep",
    "dmf",
    "manufacturing_licence",
    "gdp_certificate",
    "iso_9001",
    "iso_13485",
    "other",
]


class Site(TypedDict):
    gln: str
    name: str
    address: NotRequired[str | None]


class RegisterSupplierArgs(TypedDict):
    supplier: str
    org_id: str
    name: str
    sites: list[Site]


class RegisterMaterialArgs(TypedDict):
    material: str
    name: str
    specification: str
    spec_version: str
    spec_sha256: str
    critical: NotRequired[bool]


class AssignMaterialArgs(TypedDict):
    supplier: str
    material: str


class SetStatusArgs(TypedDict):
    """``material`` absent: the supplier as a whole. ``conditional`` needs scope and until."""

    supplier: str
    material: NotRequired[str | None]
    status: StatusName
    reason: str
    scope: NotRequired[str | None]
    until: NotRequired[Time | None]


class CertificateArgs(TypedDict):
    supplier: str
    certificate: str
    type: CertificateType
    issuer: str
    number: str
    scope: str
    valid_from: Time
    valid_to: Time
    document_sha256: str
    materials: NotRequired[list[str]]
    required: NotRequired[bool]


class CertificateRefArgs(TypedDict):
    supplier: str
    certificate: str


class Finding(TypedDict):
    id: str
    severity: Literal["critical", "major", "minor"]
    text: str


class AuditArgs(TypedDict):
    supplier: str
    audit: str
    date: Time
    auditor: str
    kind: NotRequired[Literal["onsite", "remote", "desk", "questionnaire"]]
    outcome: Literal["satisfactory", "satisfactory_with_findings", "unsatisfactory"]
    findings: NotRequired[list[Finding]]
    next_due: Time


class AgreementArgs(TypedDict):
    supplier: str
    agreement: str
    signed: Time
    valid_to: NotRequired[Time | None]
    document_sha256: str


class LinkArgs(TypedDict):
    supplier: str
    subsupplier: str


class SweepArgs(TypedDict):
    limit: NotRequired[int]


class SupplierRef(TypedDict):
    supplier: str


class HistoryArgs(TypedDict):
    supplier: str
    material: NotRequired[str | None]


class WasApprovedArgs(TypedDict):
    supplier: str
    material: str
    at_ms: int


class DueArgs(TypedDict):
    before: Time
    limit: NotRequired[int]


class SupplierApi(ContractApi[T_co, Q_co]):
    """``client.supplier``: suppliers, materials, certificates, audits and their status."""

    contract = "supplier"

    def register_supplier(self, **args: Unpack[RegisterSupplierArgs]) -> T_co:
        return self._tx("register_supplier", args)

    def register_material(self, **args: Unpack[RegisterMaterialArgs]) -> T_co:
        return self._tx("register_material", args)

    def assign_material(self, **args: Unpack[AssignMaterialArgs]) -> T_co:
        return self._tx("assign_material", args)

    def set_status(self, **args: Unpack[SetStatusArgs]) -> T_co:
        return self._tx("set_status", args)

    def submit_certificate(self, **args: Unpack[CertificateArgs]) -> T_co:
        return self._tx("submit_certificate", args)

    def verify_certificate(self, **args: Unpack[CertificateRefArgs]) -> T_co:
        return self._tx("verify_certificate", args)

    def record_audit(self, **args: Unpack[AuditArgs]) -> T_co:
        return self._tx("record_audit", args)

    def record_agreement(self, **args: Unpack[AgreementArgs]) -> T_co:
        return self._tx("record_agreement", args)

    def link_subsupplier(self, **args: Unpack[LinkArgs]) -> T_co:
        return self._tx("link_subsupplier", args)

    def sweep_expired(self, **args: Unpack[SweepArgs]) -> T_co:
        return self._tx("sweep_expired", args)

    def get_supplier(self, **args: Unpack[SupplierRef]) -> Q_co:
        return self._query("get_supplier", args)

    def status_history(self, **args: Unpack[HistoryArgs]) -> Q_co:
        return self._query("status_history", args)

    def was_approved(self, **args: Unpack[WasApprovedArgs]) -> Q_co:
        return self._query("was_approved", args)

    def supplier_tree(self, **args: Unpack[SupplierRef]) -> Q_co:
        return self._query("supplier_tree", args)

    def due_for_requalification(self, **args: Unpack[DueArgs]) -> Q_co:
        return self._query("due_for_requalification", args)
