"""Organization PKI: org CAs, member and node certificates, strict verification.

Certificate profile (docs/formats.md §7; RFC 5280 field names):

- Every key is Ed25519 (RFC 8410). Every certificate is X.509 v3, signed by its org CA.
- Org CA: self-signed; subject ``O=<org id>, CN=<org id> CA``; basicConstraints CA=true,
  pathLen=0 (critical); keyUsage keyCertSign + cRLSign (critical).
- Member / node: subject ``O=<org id>, CN=<name>``, issuer = the CA's subject;
  basicConstraints CA=false (critical); keyUsage digitalSignature (critical); extendedKeyUsage
  clientAuth (members) or serverAuth + clientAuth (nodes: they speak mutual TLS); the roles
  extension (non-critical, so TLS stacks that do not know it still accept node certs).
- Roles extension: OID :data:`ROLES_OID` (under 2.25, the UUID arc of ITU-T X.667, which
  needs no registration); value DER ``SEQUENCE OF UTF8String``, each a :class:`Role` value,
  at least one, strictly ascending (so one role set has one encoding), parsed strictly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sdk.errors import (
    CertBadSignature,
    CertExpired,
    CertIssuerMismatch,
    CertIssuerNotCA,
    CertMalformed,
    CertNotYetValid,
    CertOrgMismatch,
    CertUnsupportedKey,
    CertWrongUsage,
)
from sdk.ids import KeyId
from sdk.keys import PublicKey, SigningKey
from sdk.roles import Role

ROLES_OID: Final = x509.ObjectIdentifier("2.25.96916434647381231647203907810938313050.1")
"""rxledger roles extension."""

T = TypeVar("T", bound=x509.ExtensionType)

_UTF8STRING: Final = 0x0C
_SEQUENCE: Final = 0x30


@dataclass(frozen=True, slots=True)
class CertifiedIdentity:
    """What a verified member or node certificate says about its key."""

    org_id: str
    roles: frozenset[Role]
    key_id: KeyId
    public_key: PublicKey
    not_before: datetime
    not_after: datetime
    serial: int
    name: str


# --- issuing ------------------------------------------------------------------------------


def create_org_ca(
    org_id: str, key: SigningKey, *, not_before: datetime, not_after: datetime
) -> x509.Certificate:
    """A self-signed org CA certificate for ``key``."""
    name = _name(org_id, f"{org_id} CA")
    builder = (
        _base(name, name, key.public_key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
    )
    return builder.sign(_private(key), None)


def issue_member_certificate(
    ca_cert: x509.Certificate,
    ca_key: SigningKey,
    member: PublicKey,
    *,
    name: str,
    roles: Iterable[Role],
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """A member certificate: digitalSignature, clientAuth, the given roles."""
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    return _issue(ca_cert, ca_key, member, name, set(roles), usages, (), not_before, not_after)


def issue_node_certificate(
    ca_cert: x509.Certificate,
    ca_key: SigningKey,
    node: PublicKey,
    *,
    name: str,
    hosts: Sequence[str] = (),
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """A node certificate: role ``node``, serverAuth + clientAuth, ``hosts`` as SANs."""
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    return _issue(ca_cert, ca_key, node, name, {Role.NODE}, usages, hosts, not_before, not_after)


def _issue(
    ca_cert: x509.Certificate,
    ca_key: SigningKey,
    subject_key: PublicKey,
    name: str,
    roles: set[Role],
    usages: list[x509.ObjectIdentifier],
    hosts: Sequence[str],
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    if not roles:
        raise ValueError("a certificate needs at least one role")
    org_id = _single(ca_cert.subject, NameOID.ORGANIZATION_NAME, "CA subject O")
    builder = (
        _base(_name(org_id, name), ca_cert.subject, subject_key, not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(x509.UnrecognizedExtension(ROLES_OID, encode_roles(roles)), critical=False)
    )
    if hosts:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([_general_name(h) for h in hosts]), critical=False
        )
    return builder.sign(_private(ca_key), None)


def _base(
    subject: x509.Name,
    issuer: x509.Name,
    key: PublicKey,
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    if not_after <= not_before:
        raise ValueError("not_after must be later than not_before")
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(Ed25519PublicKey.from_public_bytes(key.raw))
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
    )


def _name(org_id: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_id),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _private(key: SigningKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(key.seed)


# --- the roles extension ------------------------------------------------------------------


def encode_roles(roles: Iterable[Role]) -> bytes:
    """DER ``SEQUENCE OF UTF8String``, ascending, no duplicates."""
    body = b"".join(_tlv(_UTF8STRING, role.value.encode("utf-8")) for role in sorted(set(roles)))
    return _tlv(_SEQUENCE, body)


def decode_roles(der: bytes) -> frozenset[Role]:
    """Parse the roles extension value; anything but the exact DER encode_roles writes fails."""
    body, rest = _read_tlv(der, _SEQUENCE)
    if rest:
        raise CertMalformed("roles extension has bytes after its SEQUENCE")
    values: list[str] = []
    while body:
        raw, body = _read_tlv(body, _UTF8STRING)
        try:
            values.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise CertMalformed("roles extension holds a string that is not UTF-8") from exc
    if not values:
        raise CertMalformed("roles extension lists no role")
    if values != sorted(set(values)):
        raise CertMalformed("roles extension must list roles once each, in ascending order")
    try:
        return frozenset(Role(v) for v in values)
    except ValueError as exc:
        raise CertMalformed(f"roles extension holds an unknown role: {exc}") from exc


def _tlv(tag: int, value: bytes) -> bytes:
    size = len(value)
    if size < 0x80:
        return bytes([tag, size]) + value
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + value


def _read_tlv(data: bytes, tag: int) -> tuple[bytes, bytes]:
    """One DER TLV with ``tag`` and a minimal definite length; returns (value, rest)."""
    if len(data) < 2 or data[0] != tag:
        raise CertMalformed(f"roles extension: expected DER tag {tag:#04x}")
    first = data[1]
    if first < 0x80:
        size, start = first, 2
    else:
        count = first & 0x7F
        length = data[2 : 2 + count]
        if count == 0 or count > 4 or len(length) != count or length[0] == 0:
            raise CertMalformed("roles extension: DER length is not minimal or is truncated")
        size, start = int.from_bytes(length, "big"), 2 + count
        if size < 0x80:
            raise CertMalformed("roles extension: DER length is not minimal")
    if len(data) < start + size:
        raise CertMalformed("roles extension is truncated")
    return data[start : start + size], data[start + size :]


# --- verifying ----------------------------------------------------------------------------


def verify_ca_certificate(root: x509.Certificate, *, at: datetime) -> str:
    """Check an org CA (self-signed, CA, keyCertSign, valid at ``at``); return its org id."""
    _require_ca(root)
    _check_signature(root, root)
    _check_validity(root, at, "CA certificate")
    return _single(root.subject, NameOID.ORGANIZATION_NAME, "CA subject O")


def verify_certificate(
    cert: x509.Certificate, root: x509.Certificate, *, at: datetime
) -> CertifiedIdentity:
    """Verify a member or node certificate against its org CA ``root`` at time ``at``."""
    org_id = verify_ca_certificate(root, at=at)
    if cert.issuer != root.subject:
        raise CertIssuerMismatch(
            f"certificate issued by {cert.issuer.rfc4514_string()!r}, "
            f"not by {root.subject.rfc4514_string()!r}"
        )
    _check_signature(cert, root)
    _check_validity(cert, at, "certificate")
    roles = _check_end_entity_usage(cert)
    cert_org = _single(cert.subject, NameOID.ORGANIZATION_NAME, "subject O")
    if cert_org != org_id:
        raise CertOrgMismatch(f"certificate names org {cert_org!r}, its CA is {org_id!r}")
    public_key = _public_key(cert)
    return CertifiedIdentity(
        org_id=org_id,
        roles=roles,
        key_id=public_key.key_id,
        public_key=public_key,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        serial=cert.serial_number,
        name=_single(cert.subject, NameOID.COMMON_NAME, "subject CN"),
    )


def _require_ca(root: x509.Certificate) -> None:
    constraints = _extension(root, x509.BasicConstraints)
    usage = _extension(root, x509.KeyUsage)
    if constraints is None or not constraints.ca or usage is None or not usage.key_cert_sign:
        raise CertIssuerNotCA(
            "the issuer certificate is not a CA (needs basicConstraints CA=true and "
            "keyUsage keyCertSign)"
        )


def _check_end_entity_usage(cert: x509.Certificate) -> frozenset[Role]:
    constraints = _extension(cert, x509.BasicConstraints)
    if constraints is not None and constraints.ca:
        raise CertWrongUsage("a CA certificate cannot act as a member or node certificate")
    usage = _extension(cert, x509.KeyUsage)
    if usage is None or not usage.digital_signature or usage.key_cert_sign:
        raise CertWrongUsage("certificate keyUsage must be digitalSignature (and not certSign)")
    extended = _extension(cert, x509.ExtendedKeyUsage)
    if extended is None or ExtendedKeyUsageOID.CLIENT_AUTH not in extended:
        raise CertWrongUsage("certificate extendedKeyUsage must include clientAuth")
    roles_ext = _extension(cert, x509.UnrecognizedExtension, ROLES_OID)
    if roles_ext is None:
        raise CertMalformed("certificate has no rxledger roles extension")
    roles = decode_roles(roles_ext.value)
    if Role.NODE in roles and ExtendedKeyUsageOID.SERVER_AUTH not in extended:
        raise CertWrongUsage("a node certificate's extendedKeyUsage must include serverAuth")
    return roles


def _check_signature(cert: x509.Certificate, issuer: x509.Certificate) -> None:
    issuer_key = issuer.public_key()
    if not isinstance(issuer_key, Ed25519PublicKey):
        raise CertUnsupportedKey("issuer key is not Ed25519")
    try:
        issuer_key.verify(cert.signature, cert.tbs_certificate_bytes)
    except CryptoInvalidSignature as exc:
        raise CertBadSignature("certificate signature does not verify with the CA key") from exc


def _check_validity(cert: x509.Certificate, at: datetime, what: str) -> None:
    if at.tzinfo is None:
        raise ValueError("pass an aware datetime (UTC) as the verification time")
    if at < cert.not_valid_before_utc:
        raise CertNotYetValid(f"{what} is not valid before {cert.not_valid_before_utc}")
    if at > cert.not_valid_after_utc:
        raise CertExpired(f"{what} expired at {cert.not_valid_after_utc}; renew it")


def _public_key(cert: x509.Certificate) -> PublicKey:
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise CertUnsupportedKey("certificate key is not Ed25519")
    return PublicKey.ed25519(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def _extension(
    cert: x509.Certificate, kind: type[T], oid: x509.ObjectIdentifier | None = None
) -> T | None:
    try:
        if oid is not None:
            found: T = cert.extensions.get_extension_for_oid(oid).value  # type: ignore[assignment]
            if not isinstance(found, kind):
                raise CertMalformed(f"extension {oid.dotted_string} has an unexpected type")
            return found
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except (ValueError, x509.DuplicateExtension) as exc:
        raise CertMalformed(f"certificate extensions cannot be parsed: {exc}") from exc


def _single(name: x509.Name, oid: x509.ObjectIdentifier, what: str) -> str:
    values = name.get_attributes_for_oid(oid)
    if len(values) != 1 or not isinstance(values[0].value, str) or not values[0].value:
        raise CertMalformed(f"{what} must appear exactly once")
    return values[0].value


# --- PEM ----------------------------------------------------------------------------------


def certificate_to_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.PEM)


def certificate_from_pem(data: bytes | str) -> x509.Certificate:
    raw = data.encode("ascii") if isinstance(data, str) else data
    try:
        return x509.load_pem_x509_certificate(raw)
    except ValueError as exc:
        raise CertMalformed(f"not a PEM X.509 certificate: {exc}") from exc


def save_certificate(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(certificate_to_pem(cert))


def load_certificate(path: Path) -> x509.Certificate:
    return certificate_from_pem(path.read_bytes())


def utc(year: int, month: int, day: int) -> datetime:
    """A UTC midnight, for validity periods."""
    return datetime(year, month, day, tzinfo=UTC)
