"""Key and certificate files as an org admin hands them to a member (cheap KDF for tests)."""

from __future__ import annotations

from pathlib import Path

from sdk.keyfile import CHEAP_KDF, save_key
from sdk.keys import SigningKey
from sdk.pki import create_org_ca, issue_member_certificate, save_certificate, utc
from sdk.roles import Role

CA_KEY = SigningKey.from_seed(bytes([9] * 32))


def member_files(
    folder: Path, key: SigningKey, org_id: str, *roles: Role, passphrase: str = ""
) -> tuple[Path, Path]:
    """Write ``key`` (encrypted under ``passphrase``) and a certificate from the org's CA."""
    ca = create_org_ca(org_id, CA_KEY, not_before=utc(2025, 1, 1), not_after=utc(2035, 1, 1))
    cert = issue_member_certificate(
        ca,
        CA_KEY,
        key.public_key,
        name=f"{org_id}-member",
        roles=roles,
        not_before=utc(2025, 1, 1),
        not_after=utc(2030, 1, 1),
    )
    key_file, cert_file = folder / f"{org_id}.key", folder / f"{org_id}.pem"
    save_key(key_file, key, passphrase, kdf=CHEAP_KDF)
    save_certificate(cert_file, cert)
    return key_file, cert_file
