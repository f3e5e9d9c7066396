"""Argument models of the supplier contract (strict: no coercion, no unknown fields)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chaincode.api import Args

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:\-/]{1,64}$")]
"""Supplier, material, certificate, audit and agreement ids: no "|" (the key separator)."""
Text = Annotated[str, Field(min_length=1, max_length=500)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Time = Annotated[int, Field(ge=0)] | Annotated[str, Field(min_length=10, max_length=40)]
"""Integer ms UTC or an ISO date (``2027-01-31``) / datetime with offset."""
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
AuditOutcome = Literal["satisfactory", "satisfactory_with_findings", "unsatisfactory"]
Severity = Literal["critical", "major", "minor"]


class Site(Args):
    gln: Annotated[str, Field(pattern=r"^\d{13}$")]
    name: Text
    address: Text | None = None


class RegisterSupplierArgs(Args):
    """An entry of the caller's approved supplier list; ``org_id`` is the supplier's own org."""

    supplier: Id
    org_id: Id
    name: Text
    sites: Annotated[list[Site], Field(min_length=1, max_length=100)]


class RegisterMaterialArgs(Args):
    material: Id
    name: Text
    specification: Id
    spec_version: Annotated[str, Field(min_length=1, max_length=32)]
    spec_sha256: Sha256Hex
    critical: bool = True


class AssignMaterialArgs(Args):
    supplier: Id
    material: Id


class SetStatusArgs(Args):
    """A QA decision; ``material`` absent means the supplier as a whole."""

    supplier: Id
    material: Id | None = None
    status: StatusName
    reason: Text
    scope: Text | None = None
    until: Time | None = None


class CertificateArgs(Args):
    """A certificate; ``materials`` empty means it covers the supplier as a whole."""

    supplier: Id
    certificate: Id
    type: CertificateType
    issuer: Text
    number: Annotated[str, Field(min_length=1, max_length=64)]
    scope: Text
    valid_from: Time
    valid_to: Time
    document_sha256: Sha256Hex
    materials: Annotated[list[Id], Field(default_factory=list, max_length=100)]
    required: bool = True


class CertificateRefArgs(Args):
    supplier: Id
    certificate: Id


class Finding(Args):
    id: Id
    severity: Severity
    text: Text


class AuditArgs(Args):
    supplier: Id
    audit: Id
    date: Time
    auditor: Text
    kind: Literal["onsite", "remote", "desk", "questionnaire"] = "onsite"
    outcome: AuditOutcome
    findings: Annotated[list[Finding], Field(default_factory=list, max_length=500)]
    next_due: Time


class AgreementArgs(Args):
    supplier: Id
    agreement: Id
    signed: Time
    valid_to: Time | None = None
    document_sha256: Sha256Hex


class LinkArgs(Args):
    supplier: Id
    subsupplier: Id


class SupplierRef(Args):
    supplier: Id


class HistoryArgs(Args):
    supplier: Id
    material: Id | None = None


class WasApprovedArgs(Args):
    supplier: Annotated[str, Field(min_length=1, max_length=64)]
    material: Annotated[str, Field(min_length=1, max_length=64)]
    at_ms: Annotated[int, Field(ge=0)]


class DueArgs(Args):
    before: Time
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class SweepArgs(Args):
    limit: Annotated[int, Field(ge=1, le=10_000)] = 1000
