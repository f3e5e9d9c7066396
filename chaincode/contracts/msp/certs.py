"""Certificates as the msp contract sees them: verified by ``sdk.pki`` at BLOCK time.

Contract code must be deterministic, so the verification time is always the block's time
(``ctx.block_time_ms``) or the genesis time, never the wall clock. A certificate that
``sdk.pki`` refuses becomes a deterministic rejection that keeps the sdk's stable code
(``cert.expired``, ``cert.bad_signature``, ``cert.org_mismatch``, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.x509.oid import NameOID

from chaincode.contracts.msp.records import KeyKind, MemberRecord, MemberStatus
from chaincode.errors import InvalidTransaction
from sdk import pki
from sdk.errors import CertificateError, CertMalformed, CertOrgMismatch
from sdk.ids import to_hex
from sdk.roles import Role

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def ms_of(moment: datetime) -> int:
    """Integer milliseconds since the epoch (exact: no float on the way)."""
    return (moment - _EPOCH) // _MS


def moment_of(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


@dataclass(frozen=True, slots=True)
class CertFacts:
    """A verified member or node certificate, in ledger terms (hex key id, ms times)."""

    pem: str
    org_id: str
    roles: frozenset[Role]
    key_id: str
    serial: str
    not_before_ms: int
    not_after_ms: int

    def member(self, kind: KeyKind, *, height: int, node_id: int | None = None) -> MemberRecord:
        """A fresh, active member record for this certificate's key."""
        return MemberRecord(
            key_id=self.key_id,
            org_id=self.org_id,
            roles=self.roles,
            cert_pem=self.pem,
            serial=self.serial,
            not_before_ms=self.not_before_ms,
            not_after_ms=self.not_after_ms,
            status=MemberStatus.ACTIVE,
            kind=kind,
            enrolled_height=height,
            node_id=node_id,
        )


def _rejection(exc: CertificateError) -> InvalidTransaction:
    return InvalidTransaction(exc.message, code=exc.code)


def _load(pem: str) -> x509.Certificate:
    try:
        return pki.certificate_from_pem(pem)
    except UnicodeEncodeError as exc:
        raise _rejection(CertMalformed("a PEM certificate is ASCII text")) from exc
    except CertificateError as exc:
        raise _rejection(exc) from exc


def canonical_pem(cert: x509.Certificate) -> str:
    """One spelling per certificate (stored, hashed into state, compared)."""
    return pki.certificate_to_pem(cert).decode("ascii")


def claimed_org(pem: str) -> str:
    """The organization a certificate's subject names, before any verification.

    Used only to pick which CA to verify against and whose admin may act; the verification
    that follows checks the claim.
    """
    cert = _load(pem)
    values = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if len(values) != 1 or not isinstance(values[0].value, str) or not values[0].value:
        raise _rejection(CertMalformed("certificate subject must name exactly one organization"))
    return values[0].value


def certify(pem: str, ca_pem: str, at_ms: int, *, expect_org: str) -> CertFacts:
    """Verify a member/node certificate against its org CA at block time ``at_ms``."""
    cert, root = _load(pem), _load(ca_pem)
    try:
        identity = pki.verify_certificate(cert, root, at=moment_of(at_ms))
        if identity.org_id != expect_org:
            raise CertOrgMismatch(
                f"certificate belongs to {identity.org_id!r}, expected {expect_org!r}"
            )
    except CertificateError as exc:
        raise _rejection(exc) from exc
    return CertFacts(
        pem=canonical_pem(cert),
        org_id=identity.org_id,
        roles=identity.roles,
        key_id=to_hex(identity.key_id),
        serial=format(identity.serial, "x"),
        not_before_ms=ms_of(identity.not_before),
        not_after_ms=ms_of(identity.not_after),
    )


def check_ca(ca_pem: str, at_ms: int, *, expect_org: str | None = None) -> str:
    """Verify an org CA certificate at block time; returns its canonical PEM."""
    root = _load(ca_pem)
    try:
        org_id = pki.verify_ca_certificate(root, at=moment_of(at_ms))
        if expect_org is not None and org_id != expect_org:
            raise CertOrgMismatch(f"the CA certificate names org {org_id!r}, not {expect_org!r}")
    except CertificateError as exc:
        raise _rejection(exc) from exc
    return canonical_pem(root)
