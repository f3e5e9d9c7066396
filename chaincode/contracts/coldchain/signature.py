"""Device signatures over reading batches (Ed25519, domain DEVICE_READING, sdk.keys)."""

from __future__ import annotations

from chaincode.contracts.coldchain import errors
from sdk.errors import KeyFormatError, SignatureError
from sdk.keys import Domain, PublicKey, Signature


def public_key(hex_key: str) -> PublicKey:
    """The logger's Ed25519 public key from 64 hex digits; refused if not a valid key."""
    try:
        return PublicKey.ed25519(bytes.fromhex(hex_key))
    except (ValueError, KeyFormatError) as exc:
        raise errors.ColdChainRejection(errors.BAD_KEY, "not an Ed25519 public key") from exc


def verify_readings(hex_key: str, hex_signature: str, payload: bytes, device: str) -> None:
    """Refuse unless the device's key signed ``DEVICE_READING.prefix || payload``."""
    key = public_key(hex_key)
    try:
        key.verify(
            Domain.DEVICE_READING, payload, Signature(key.algorithm, bytes.fromhex(hex_signature))
        )
    except (ValueError, SignatureError) as exc:
        raise errors.ColdChainRejection(
            errors.BAD_SIGNATURE, f"reading batch is not signed by device {device!r}"
        ) from exc
