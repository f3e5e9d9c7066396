"""Private keys encrypted at rest with a passphrase (docs/formats.md §6).

The 32-byte seed is encrypted with XChaCha20-Poly1305 (an AEAD) under a key derived from the
passphrase with Argon2id (RFC 9106) — both from libsodium through pynacl. The AEAD's
associated data is the canonical encoding of every other field that matters (version,
algorithm, KDF parameters, salt, public key), so editing any of them makes decryption fail
instead of silently yielding a key under weaker parameters.

Errors tell the user what to do: ``WrongPassphrase`` (try again), ``KeyFileCorrupt``
(restore the file from a backup). The AEAD cannot tell a wrong passphrase from an altered
ciphertext; both surface as ``WrongPassphrase`` and its message says so. Everything else
(JSON, fields, lengths, a public key that does not match its key id or the decrypted seed)
is checked and reported as ``KeyFileCorrupt``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import nacl.bindings
import nacl.exceptions
import nacl.pwhash
import nacl.utils

from sdk.encoding import encode
from sdk.errors import KeyFileCorrupt, KeyFileExists, SdkError, WrongPassphrase
from sdk.ids import to_hex
from sdk.keys import Algorithm, PublicKey, SigningKey

FORMAT: Final = "rxledger-key"
VERSION: Final = 1
KDF_NAME: Final = "argon2id"
CIPHER_NAME: Final = "xchacha20poly1305-ietf"
SALT_SIZE: Final = nacl.pwhash.argon2id.SALTBYTES
NONCE_SIZE: Final = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
TAG_SIZE: Final = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_ABYTES
MAX_MEMLIMIT: Final = 4 * 1024**3
"""A file asking for more memory is refused as corrupt rather than exhausting the machine."""
MAX_OPSLIMIT: Final = 64


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost. Tests pass :data:`CHEAP_KDF`; real keys keep :data:`DEFAULT_KDF`."""

    opslimit: int
    memlimit: int

    def __post_init__(self) -> None:
        if not nacl.pwhash.argon2id.OPSLIMIT_MIN <= self.opslimit <= MAX_OPSLIMIT:
            raise ValueError(f"argon2id opslimit {self.opslimit} out of range")
        if not nacl.pwhash.argon2id.MEMLIMIT_MIN <= self.memlimit <= MAX_MEMLIMIT:
            raise ValueError(f"argon2id memlimit {self.memlimit} out of range")


DEFAULT_KDF: Final = KdfParams(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_MODERATE,
    memlimit=nacl.pwhash.argon2id.MEMLIMIT_MODERATE,
)
"""libsodium's MODERATE profile: 3 passes over 256 MiB (about a second to unlock)."""

CHEAP_KDF: Final = KdfParams(
    opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN, memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN
)
"""For tests only: the smallest parameters libsodium accepts."""


def encrypt_key(key: SigningKey, passphrase: str, *, kdf: KdfParams = DEFAULT_KDF) -> str:
    """The key file text (JSON) holding ``key`` encrypted under ``passphrase``."""
    salt = nacl.utils.random(SALT_SIZE)
    nonce = nacl.utils.random(NONCE_SIZE)
    header = _header(key.algorithm, kdf, salt, key.public_key.raw)
    ciphertext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        key.seed, encode(header), nonce, _derive(passphrase, salt, kdf)
    )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "algorithm": key.algorithm.spec.name,
        "public_key": key.public_key.raw.hex(),
        "key_id": to_hex(key.key_id),
        "kdf": {
            "name": KDF_NAME,
            "opslimit": kdf.opslimit,
            "memlimit": kdf.memlimit,
            "salt": _b64(salt),
        },
        "cipher": {"name": CIPHER_NAME, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)},
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def decrypt_key(text: str | bytes, passphrase: str) -> SigningKey:
    """The key in a key file's text; WrongPassphrase or KeyFileCorrupt otherwise."""
    parsed = _parse(text)
    header = _header(parsed.algorithm, parsed.kdf, parsed.salt, parsed.public_key.raw)
    try:
        seed = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            parsed.ciphertext,
            encode(header),
            parsed.nonce,
            _derive(passphrase, parsed.salt, parsed.kdf),
        )
    except nacl.exceptions.CryptoError as exc:
        raise WrongPassphrase(
            "wrong passphrase for this key file (if you are sure it is right, the file's "
            "encrypted part was altered: restore it from a backup)"
        ) from exc
    key = SigningKey.from_seed(seed)
    if key.public_key != parsed.public_key:
        raise KeyFileCorrupt(
            "key file decrypts to a different key than its public_key says; restore it "
            "from a backup"
        )
    return key


def read_public_key(text: str | bytes) -> PublicKey:
    """The public key of a key file, without the passphrase (checked against its key id)."""
    return _parse(text).public_key


def save_key(
    path: Path,
    key: SigningKey,
    passphrase: str,
    *,
    kdf: KdfParams = DEFAULT_KDF,
    overwrite: bool = False,
) -> None:
    """Write a key file readable by its owner only; never clobber a key unless told to."""
    if path.exists() and not overwrite:
        raise KeyFileExists(f"{path} already exists; refusing to overwrite a private key")
    text = encrypt_key(key, passphrase, kdf=kdf)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    # Rename is atomic: a crash leaves the old file or the new one, never half of one.
    os.replace(temporary, path)


def load_key(path: Path, passphrase: str) -> SigningKey:
    try:
        text = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileCorrupt(f"no key file at {path}; check the path") from exc
    return decrypt_key(text, passphrase)


@dataclass(frozen=True, slots=True)
class _Parsed:
    algorithm: Algorithm
    public_key: PublicKey
    kdf: KdfParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes


def _header(algorithm: Algorithm, kdf: KdfParams, salt: bytes, public_key: bytes) -> list[Any]:
    return [VERSION, algorithm.value, KDF_NAME, kdf.opslimit, kdf.memlimit, salt, public_key]


def _derive(passphrase: str, salt: bytes, kdf: KdfParams) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.bindings.crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
        passphrase.encode("utf-8"),
        salt,
        opslimit=kdf.opslimit,
        memlimit=kdf.memlimit,
    )


def _parse(text: str | bytes) -> _Parsed:
    try:
        return _parse_document(json.loads(text))
    except (ValueError, TypeError, KeyError, binascii.Error, SdkError) as exc:
        if isinstance(exc, KeyFileCorrupt):
            raise
        raise KeyFileCorrupt(
            f"key file is damaged or not an rxledger key file ({exc}); restore it from a backup"
        ) from exc


def _parse_document(document: Any) -> _Parsed:
    if document["format"] != FORMAT or document["version"] != VERSION:
        raise KeyFileCorrupt(
            f"unsupported key file format {document['format']!r} version "
            f"{document['version']!r}; this software reads {FORMAT} version {VERSION}"
        )
    algorithm = Algorithm.from_name(_str(document["algorithm"]))
    public_key = PublicKey(algorithm, bytes.fromhex(_str(document["public_key"])))
    if to_hex(public_key.key_id) != document["key_id"]:
        raise KeyFileCorrupt("key file's key_id does not match its public_key; restore it")
    kdf_doc, cipher_doc = document["kdf"], document["cipher"]
    if kdf_doc["name"] != KDF_NAME or cipher_doc["name"] != CIPHER_NAME:
        raise KeyFileCorrupt(
            f"key file uses KDF {kdf_doc['name']!r} / cipher {cipher_doc['name']!r}; this "
            f"software reads {KDF_NAME} / {CIPHER_NAME}: restore the file from a backup"
        )
    kdf = KdfParams(opslimit=_int(kdf_doc["opslimit"]), memlimit=_int(kdf_doc["memlimit"]))
    salt = _unb64(kdf_doc["salt"], SALT_SIZE, "salt")
    nonce = _unb64(cipher_doc["nonce"], NONCE_SIZE, "nonce")
    ciphertext = _unb64(cipher_doc["ciphertext"], algorithm.spec.seed_size + TAG_SIZE, "ciphertext")
    return _Parsed(algorithm, public_key, kdf, salt, nonce, ciphertext)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, size: int, what: str) -> bytes:
    data = base64.b64decode(_str(value), validate=True)
    if len(data) != size:
        raise ValueError(f"{what} is {len(data)} bytes, expected {size}")
    return data
