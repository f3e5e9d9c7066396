"""Org CAs, member and node certificates, and their strict verification (docs/formats.md §7)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sdk import errors
from sdk.keys import SigningKey
from sdk.pki import (
    ROLES_OID,
    create_org_ca,
    decode_roles,
    encode_roles,
    issue_member_certificate,
    issue_node_certificate,
    load_certificate,
    save_certificate,
    utc,
    verify_ca_certificate,
    verify_certificate,
)
from sdk.roles import Role

CA_KEY = SigningKey.from_seed(b"\x01" * 32)
OTHER_CA_KEY = SigningKey.from_seed(b"\x03" * 32)
MEMBER = SigningKey.from_seed(b"\x02" * 32)
START, END, NOW = utc(2024, 1, 1), utc(2026, 1, 1), utc(2025, 1, 1)

CA = create_org_ca("acme", CA_KEY, not_before=START, not_after=utc(2034, 1, 1))


def member_cert(**changes: object) -> x509.Certificate:
    options: dict[str, object] = {
        "name": "alice",
        "roles": [Role.QP, Role.MANUFACTURER],
        "not_before": START,
        "not_after": END,
    }
    options.update(changes)
    return issue_member_certificate(CA, CA_KEY, MEMBER.public_key, **options)  # type: ignore[arg-type]


def test_ca_profile() -> None:
    assert verify_ca_certificate(CA, at=NOW) == "acme"
    constraints = CA.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    assert CA.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign


def test_member_certificate_yields_a_typed_identity() -> None:
    cert = member_cert()
    identity = verify_certificate(cert, CA, at=NOW)
    assert identity.org_id == "acme"
    assert identity.roles == frozenset({Role.QP, Role.MANUFACTURER})
    assert identity.public_key == MEMBER.public_key
    assert identity.key_id == MEMBER.key_id
    assert identity.not_before == START
    assert identity.not_after == END
    assert identity.serial == cert.serial_number
    assert identity.name == "alice"
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_node_certificate_works_for_mutual_tls() -> None:
    cert = issue_node_certificate(
        CA,
        CA_KEY,
        MEMBER.public_key,
        name="node-1",
        hosts=["127.0.0.1", "node1.acme"],
        not_before=START,
        not_after=END,
    )
    identity = verify_certificate(cert, CA, at=NOW)
    assert identity.roles == frozenset({Role.NODE})
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usage) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["node1.acme"]
    assert not cert.extensions.get_extension_for_oid(ROLES_OID).critical


def test_validity_window() -> None:
    cert = member_cert()
    verify_certificate(cert, CA, at=START)
    verify_certificate(cert, CA, at=END)
    with pytest.raises(errors.CertExpired):
        verify_certificate(cert, CA, at=END + timedelta(seconds=1))
    with pytest.raises(errors.CertNotYetValid):
        verify_certificate(cert, CA, at=START - timedelta(seconds=1))
    with pytest.raises(ValueError, match="aware"):
        verify_certificate(cert, CA, at=NOW.replace(tzinfo=None))


def test_wrong_signer_is_refused() -> None:
    # Same subject name, different key: only the signature can tell.
    impostor_ca = create_org_ca("acme", OTHER_CA_KEY, not_before=START, not_after=END)
    forged = issue_member_certificate(
        impostor_ca,
        OTHER_CA_KEY,
        MEMBER.public_key,
        name="mallory",
        roles=[Role.QP],
        not_before=START,
        not_after=END,
    )
    with pytest.raises(errors.CertBadSignature):
        verify_certificate(forged, CA, at=NOW)


def test_other_org_is_refused_by_issuer_name() -> None:
    other = create_org_ca("globex", OTHER_CA_KEY, not_before=START, not_after=END)
    with pytest.raises(errors.CertIssuerMismatch):
        verify_certificate(member_cert(), other, at=NOW)


def test_member_certificate_cannot_act_as_a_ca() -> None:
    member = member_cert()
    child = issue_member_certificate(
        member,
        MEMBER,
        SigningKey.generate().public_key,
        name="x",
        roles=[Role.QP],
        not_before=START,
        not_after=END,
    )
    with pytest.raises(errors.CertIssuerNotCA):
        verify_certificate(child, member, at=NOW)


def test_ca_certificate_cannot_act_as_a_member() -> None:
    with pytest.raises(errors.CertWrongUsage, match="CA certificate"):
        verify_certificate(CA, CA, at=NOW)


def _hand_built(
    *, eku: list[x509.ObjectIdentifier] | None, roles: bytes | None, org: str = "acme"
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                    x509.NameAttribute(NameOID.COMMON_NAME, "x"),
                ]
            )
        )
        .issuer_name(CA.subject)
        .public_key(Ed25519PrivateKey.generate().public_key())
        .serial_number(1)
        .not_valid_before(START)
        .not_valid_after(END)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), True
        )
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), False)
    if roles is not None:
        builder = builder.add_extension(x509.UnrecognizedExtension(ROLES_OID, roles), False)
    return builder.sign(Ed25519PrivateKey.from_private_bytes(CA_KEY.seed), None)


@pytest.mark.parametrize(
    ("eku", "roles", "org", "error"),
    [
        (None, encode_roles([Role.QA]), "acme", errors.CertWrongUsage),
        ([ExtendedKeyUsageOID.SERVER_AUTH], encode_roles([Role.QA]), "acme", errors.CertWrongUsage),
        (
            [ExtendedKeyUsageOID.CLIENT_AUTH],
            encode_roles([Role.NODE]),
            "acme",
            errors.CertWrongUsage,
        ),
        ([ExtendedKeyUsageOID.CLIENT_AUTH], None, "acme", errors.CertMalformed),
        ([ExtendedKeyUsageOID.CLIENT_AUTH], b"\x30\x03\x0c\x01x", "acme", errors.CertMalformed),
        (
            [ExtendedKeyUsageOID.CLIENT_AUTH],
            encode_roles([Role.QA]),
            "globex",
            errors.CertOrgMismatch,
        ),
    ],
)
def test_profile_violations(
    eku: list[x509.ObjectIdentifier] | None,
    roles: bytes | None,
    org: str,
    error: type[errors.CertificateError],
) -> None:
    with pytest.raises(error):
        verify_certificate(_hand_built(eku=eku, roles=roles, org=org), CA, at=NOW)


def test_roles_extension_encoding_is_strict() -> None:
    der = encode_roles([Role.QP, Role.ADMIN, Role.QP])
    assert der == b"\x30\x0b\x0c\x05admin\x0c\x02qp"
    assert decode_roles(der) == frozenset({Role.ADMIN, Role.QP})
    for bad in (
        b"",
        b"\x30\x00",  # no role
        b"\x30\x0b\x0c\x02qp\x0c\x05admin",  # not ascending
        b"\x30\x08\x0c\x02qp\x0c\x02qp",  # duplicate
        b"\x30\x81\x04\x0c\x02qp",  # non-minimal length
        b"\x30\x04\x0c\x02qp\x00",  # trailing byte
        b"\x30\x04\x13\x02qp",  # PrintableString, not UTF8String
        b"\x30\x05\x0c\x02qp",  # truncated
        b"\x30\x04\x0c\x02\xff\xfe",  # not UTF-8
    ):
        with pytest.raises(errors.CertMalformed):
            decode_roles(bad)
    long_roles = list(Role)
    assert decode_roles(encode_roles(long_roles)) == frozenset(long_roles)


def test_pem_round_trip(tmp_path: Path) -> None:
    cert = member_cert()
    save_certificate(tmp_path / "alice.pem", cert)
    assert load_certificate(tmp_path / "alice.pem") == cert
    (tmp_path / "bad.pem").write_text("-----BEGIN CERTIFICATE-----\nnope\n")
    with pytest.raises(errors.CertMalformed):
        load_certificate(tmp_path / "bad.pem")
