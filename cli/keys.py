"""`rxl keys`: a member's signing key, encrypted at rest (sdk.keyfile, docs/formats.md §6).

`new` creates a key file, `show` prints a key file's key id (and, given its certificate, the
org and roles the certificate grants), `import` encrypts an existing Ed25519 key (PKCS#8 PEM
or a 64-hex-digit seed), `export` writes the public key or — deliberately — the private key
unencrypted. The passphrase is read from ``$RXL_KEY_PASSPHRASE``, else asked for.

Exit codes: 0 ok, 2 bad input (missing file, wrong passphrase, a file that exists).
"""

from __future__ import annotations

import os
from datetime import UTC
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from cryptography.x509.oid import NameOID

from cli.context import (
    PASSPHRASE_ENV,
    CliError,
    JsonOption,
    emit_json,
    print_fields,
    run_command,
    success,
    warn,
)
from sdk.errors import SdkError
from sdk.keyfile import CHEAP_KDF, DEFAULT_KDF, KdfParams, load_key, read_public_key, save_key
from sdk.keys import SigningKey
from sdk.pki import ROLES_OID, decode_roles, load_certificate

app = typer.Typer(
    help="Signing keys: create, inspect, import and export encrypted key files.",
    no_args_is_help=True,
)

FastKdfOption = Annotated[
    bool,
    typer.Option(
        "--insecure-fast-kdf",
        help="Cheapest Argon2id parameters: for throw-away test keys only.",
        hidden=True,
    ),
]


class ExportFormat(StrEnum):
    public = "public"
    """The public key, SubjectPublicKeyInfo PEM (safe to share)."""
    pkcs8 = "pkcs8"
    """The private key, unencrypted PKCS#8 PEM (for an HSM or another tool)."""
    seed = "seed"
    """The private key's 32-byte seed, 64 hex digits."""


def _passphrase(*, confirm: bool) -> str:
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env is not None:
        return from_env
    answer: str = typer.prompt(
        "Key passphrase", hide_input=True, confirmation_prompt=confirm, err=True
    )
    return answer


def _kdf(fast: bool) -> KdfParams:
    return CHEAP_KDF if fast else DEFAULT_KDF


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror or error}") from error


def _key_fields(key_file: Path, cert: Path | None) -> dict[str, Any]:
    public = read_public_key(_read(key_file))
    fields: dict[str, Any] = {
        "file": str(key_file),
        "key_id": public.key_id.hex(),
        "algorithm": public.algorithm.spec.name,
        "public_key": public.raw.hex(),
    }
    if cert is not None:
        try:
            certificate = load_certificate(cert)
        except (OSError, ValueError, SdkError) as error:
            raise CliError(f"cannot read certificate {cert}: {error}") from error
        raw = certificate.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        if raw != public.raw:
            raise CliError(f"{cert} is not the certificate of {key_file}: its key differs")
        fields |= _certificate_fields(certificate)
    return fields


def _certificate_fields(certificate: x509.Certificate) -> dict[str, Any]:
    def name(oid: x509.ObjectIdentifier) -> str | None:
        values = certificate.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else None

    try:
        extension = certificate.extensions.get_extension_for_oid(ROLES_OID).value
    except x509.ExtensionNotFound:
        extension = None
    roles = (
        decode_roles(extension.value) if isinstance(extension, x509.UnrecognizedExtension) else ()
    )
    return {
        "org": name(NameOID.ORGANIZATION_NAME),
        "member": name(NameOID.COMMON_NAME),
        "roles": sorted(role.value for role in roles),
        "not_after": certificate.not_valid_after_utc.astimezone(UTC).isoformat(),
    }


@app.command("new")
def new_command(
    out: Annotated[Path, typer.Argument(help="Key file to create (never overwritten).")],
    insecure_fast_kdf: FastKdfOption = False,
    json_output: JsonOption = False,
) -> None:
    """Create a new Ed25519 key and save it encrypted (passphrase: $RXL_KEY_PASSPHRASE)."""
    with run_command(json_output=json_output):
        key = SigningKey.generate()
        save_key(out, key, _passphrase(confirm=True), kdf=_kdf(insecure_fast_kdf))
        fields = _key_fields(out, None)
        if json_output:
            emit_json(fields)
            return
        success(f"created {out}")
        print_fields(fields)
        typer.echo(
            "Next: your org admin issues a certificate for this key id and enrolls it "
            "(msp.enroll); then `rxl profile add NAME --key FILE --cert CERT --node URL`."
        )


@app.command("show")
def show_command(
    key_file: Annotated[Path, typer.Argument(help="An rxledger key file.")],
    cert: Annotated[
        Path | None, typer.Option(help="Its certificate (PEM): adds org, roles, expiry.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Print a key file's key id and public key (no passphrase needed)."""
    with run_command(json_output=json_output):
        fields = _key_fields(key_file, cert)
        if json_output:
            emit_json(fields)
        else:
            print_fields(fields, title=str(key_file))


def _import_key(data: bytes, source: Path) -> SigningKey:
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            private = load_pem_private_key(text, password=None)
        except (ValueError, TypeError) as error:
            raise CliError(
                f"{source}: not an unencrypted PKCS#8 PEM private key ({error})"
            ) from error
        if not isinstance(private, Ed25519PrivateKey):
            raise CliError(f"{source}: only Ed25519 keys can sign on rxledger")
        seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return SigningKey.from_seed(seed)
    try:
        seed = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as error:
        raise CliError(
            f"{source}: expected a PKCS#8 PEM Ed25519 key or a 64-hex-digit seed"
        ) from error
    if len(seed) != 32:
        raise CliError(f"{source}: a seed is 32 bytes (64 hex digits), got {len(seed)}")
    return SigningKey.from_seed(seed)


@app.command("import")
def import_command(
    source: Annotated[Path, typer.Argument(help="PKCS#8 PEM Ed25519 key, or a hex seed.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Key file to create.")],
    insecure_fast_kdf: FastKdfOption = False,
    json_output: JsonOption = False,
) -> None:
    """Encrypt an existing Ed25519 private key into an rxledger key file."""
    with run_command(json_output=json_output):
        key = _import_key(_read(source), source)
        save_key(out, key, _passphrase(confirm=True), kdf=_kdf(insecure_fast_kdf))
        fields = _key_fields(out, None)
        if json_output:
            emit_json(fields)
            return
        success(f"imported into {out}; delete the unencrypted {source} when done")
        print_fields(fields)


@app.command("export")
def export_command(
    key_file: Annotated[Path, typer.Argument(help="An rxledger key file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (not overwritten).")],
    export_format: Annotated[
        ExportFormat, typer.Option("--format", help="public, pkcs8 (private) or seed (private).")
    ] = ExportFormat.public,
) -> None:
    """Write the public key, or (pkcs8/seed) the private key unencrypted, owner-readable."""
    with run_command():
        if out.exists():
            raise CliError(f"{out} already exists; choose another --out or remove it first")
        if export_format is ExportFormat.public:
            public = read_public_key(_read(key_file))
            pem = Ed25519PublicKey.from_public_bytes(public.raw).public_bytes(
                Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
            )
            out.write_bytes(pem)
            success(f"public key of {key_file} written to {out}")
            return
        key = load_key(key_file, _passphrase(confirm=False))
        if export_format is ExportFormat.pkcs8:
            private = Ed25519PrivateKey.from_private_bytes(key.seed)
            data = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        else:
            data = (key.seed.hex() + "\n").encode("ascii")
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        warn(f"{out} holds the private key UNENCRYPTED: keep it safe and delete it after use")
