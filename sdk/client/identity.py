"""A member's identity: its Ed25519 signing key and (optionally) its X.509 certificate.

The key signs transactions (domain TRANSACTION) and authenticated requests (domain REQUEST,
``sdk.client.signing``); the certificate tells who the key belongs to (org, roles) and is
what the org admin enrolled on chain (``msp.enroll``). Key files are the encrypted format
of ``sdk.keyfile``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from sdk.client.errors import IdentityError
from sdk.errors import SdkError, WrongPassphrase
from sdk.keyfile import load_key
from sdk.keys import Domain, Signature, SigningKey
from sdk.pki import ROLES_OID, decode_roles, load_certificate
from sdk.roles import Role
from sdk.tx import SignedTransaction, build

PASSPHRASE_ENV: Final = "RXL_KEY_PASSPHRASE"
"""Where :meth:`Identity.load` looks for the passphrase when none is given (as ``rxl`` does)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A signing key and, when known, the certificate that names its org and roles."""

    key: SigningKey = field(repr=False)
    certificate: x509.Certificate | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.certificate is None:
            return
        public = self.certificate.public_key()
        raw = (
            public.public_bytes(Encoding.Raw, PublicFormat.Raw)
            if isinstance(public, Ed25519PublicKey)
            else None
        )
        if raw != self.key.public_key.raw:
            raise IdentityError(
                "the certificate is not for this key: pass the certificate your org admin "
                "issued for this key file"
            )

    @classmethod
    def load(
        cls,
        key_file: str | Path,
        cert_file: str | Path | None = None,
        passphrase: str | None = None,
    ) -> Identity:
        """Read an encrypted key file and its certificate (PEM).

        Without ``passphrase`` the one in ``$RXL_KEY_PASSPHRASE`` is used, else the empty
        passphrase of a demo network's ``--insecure-dev-keys``.
        """
        given = passphrase if passphrase is not None else os.environ.get(PASSPHRASE_ENV, "")
        try:
            key = load_key(Path(key_file), given)
        except WrongPassphrase as exc:
            hint = "" if passphrase is not None else f" (pass passphrase= or set ${PASSPHRASE_ENV})"
            raise IdentityError(f"cannot unlock {key_file}: {exc.message}{hint}") from exc
        except SdkError as exc:
            raise IdentityError(f"cannot read key file {key_file}: {exc.message}") from exc
        certificate = None
        if cert_file is not None:
            try:
                certificate = load_certificate(Path(cert_file))
            except (OSError, SdkError) as exc:
                raise IdentityError(f"cannot read certificate {cert_file}: {exc}") from exc
        return cls(key, certificate)

    @property
    def key_id(self) -> str:
        """SHA-256 of the public key, 64 hex digits: how the ledger names this signer."""
        return self.key.key_id.hex()

    @property
    def org_id(self) -> str | None:
        """The certificate's organization (subject O), when a certificate is loaded."""
        if self.certificate is None:
            return None
        names = self.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        value = names[0].value if names else None
        return value if isinstance(value, str) else None

    @property
    def roles(self) -> frozenset[Role]:
        """The roles the certificate grants (empty without a certificate)."""
        if self.certificate is None:
            return frozenset()
        try:
            extension = self.certificate.extensions.get_extension_for_oid(ROLES_OID).value
        except x509.ExtensionNotFound:
            return frozenset()
        if not isinstance(extension, x509.UnrecognizedExtension):
            return frozenset()
        return decode_roles(extension.value)

    def sign_transaction(
        self,
        chain_id: str,
        contract: str,
        function: str,
        args: Any,
        *,
        nonce: int | None = None,
        client_time_ms: int | None = None,
    ) -> SignedTransaction:
        """Build and sign a transaction (``sdk.tx``): random nonce, the clock's time."""
        unsigned = build(
            chain_id,
            contract,
            function,
            args,
            self.key.key_id,
            nonce=nonce,
            client_time_ms=client_time_ms,
        )
        return unsigned.sign(self.key)

    def sign(self, domain: Domain, message: bytes) -> Signature:
        return self.key.sign(domain, message)
