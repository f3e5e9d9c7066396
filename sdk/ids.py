"""Identifiers of the ledger: 32-byte SHA-256 digests with a lower-case hex form for JSON.

A ``KeyId`` is SHA-256 of a raw public key, a ``TxId`` SHA-256 of a transaction's signed body
bytes, a ``BlockHash`` SHA-256 of a block's canonical header bytes (docs/formats.md §4).
In memory they are ``bytes``; on screens, in JSON and in URLs they are 64 hex digits.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final, NewType

from sdk.errors import SchemaError

HASH_SIZE: Final = 32
ZERO_HASH: Final = bytes(HASH_SIZE)
"""The ``prev_hash`` of the genesis block and the state root before any block."""

KeyId = NewType("KeyId", bytes)
TxId = NewType("TxId", bytes)
BlockHash = NewType("BlockHash", bytes)

_HEX64: Final = re.compile(r"[0-9a-f]{64}")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def to_hex(digest: bytes) -> str:
    """The display/JSON form of any id."""
    return digest.hex()


def digest_from_hex(text: str, what: str = "id") -> bytes:
    """Parse 64 lower-case hex digits (the only accepted form, so one id has one spelling)."""
    if not isinstance(text, str) or _HEX64.fullmatch(text) is None:
        raise SchemaError(f"{what} must be 64 lower-case hex digits, got {text!r:.80}")
    return bytes.fromhex(text)


def check_digest(value: object, what: str) -> bytes:
    """A 32-byte digest taken from decoded data, or SchemaError naming the field."""
    if type(value) is not bytes or len(value) != HASH_SIZE:
        raise SchemaError(f"{what} must be {HASH_SIZE} bytes")
    return value


def key_id_from_hex(text: str) -> KeyId:
    return KeyId(digest_from_hex(text, "key id"))


def tx_id_from_hex(text: str) -> TxId:
    return TxId(digest_from_hex(text, "tx id"))


def block_hash_from_hex(text: str) -> BlockHash:
    return BlockHash(digest_from_hex(text, "block hash"))
