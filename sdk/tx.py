"""Transactions: the signed body, its id and its wire form (docs/formats.md §3).

Body (canonical array, this order)::

    [version=1, chain_id, contract, function, args, signer_key_id, nonce, client_time_ms]

The body bytes come from ONE function, :func:`encode_body`; the signature covers
``Domain.TRANSACTION.prefix || body`` and ``tx_id = SHA-256(body)`` (DESIGN.md,
Transaction). A :class:`SignedTransaction` keeps the exact body bytes it was built or
received with and verifies those — nothing is re-serialized before verification.

Wire form (canonical array)::

    [body_bytes, [algorithm_id, signature_bytes]]
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Final

from sdk.encoding import INT_MAX, decode, encode
from sdk.errors import EncodingError, SignerMismatch, TxMalformed, TxTooLarge
from sdk.ids import HASH_SIZE, KeyId, TxId
from sdk.keys import Domain, PublicKey, Signature, SigningKey

TX_VERSION: Final = 1
DEFAULT_MAX_TX_BYTES: Final = 1024 * 1024
"""Room for a bulk commissioning of ~20,000 codes in one transaction."""

MAX_CLIENT_TIME_MS: Final = 2**63 - 1
CHAIN_ID: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
CONTRACT_NAME: Final = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
FUNCTION_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,63}")


@dataclass(frozen=True, slots=True)
class UnsignedTransaction:
    """A transaction before signing; every field is checked on construction."""

    chain_id: str
    contract: str
    function: str
    args: Any
    signer: KeyId
    nonce: int
    client_time_ms: int

    def __post_init__(self) -> None:
        _check_name(self.chain_id, CHAIN_ID, "chain_id")
        _check_name(self.contract, CONTRACT_NAME, "contract")
        _check_name(self.function, FUNCTION_NAME, "function")
        if type(self.signer) is not bytes or len(self.signer) != HASH_SIZE:
            raise TxMalformed(f"signer must be a {HASH_SIZE}-byte key id")
        _check_int(self.nonce, INT_MAX, "nonce")
        _check_int(self.client_time_ms, MAX_CLIENT_TIME_MS, "client_time_ms")

    def body(self) -> bytes:
        return encode_body(self)

    def sign(self, key: SigningKey) -> SignedTransaction:
        if key.key_id != self.signer:
            raise SignerMismatch("the signing key is not the key named as signer")
        body = encode_body(self)
        return SignedTransaction(body, key.sign(Domain.TRANSACTION, body))


def encode_body(tx: UnsignedTransaction) -> bytes:
    """THE bytes that are signed and hashed. Nothing else produces them."""
    try:
        return encode(
            [
                TX_VERSION,
                tx.chain_id,
                tx.contract,
                tx.function,
                tx.args,
                tx.signer,
                tx.nonce,
                tx.client_time_ms,
            ]
        )
    except EncodingError as exc:
        raise TxMalformed(f"args cannot be encoded canonically: {exc.message}") from exc


def build(
    chain_id: str,
    contract: str,
    function: str,
    args: Any,
    signer: KeyId,
    *,
    nonce: int | None = None,
    client_time_ms: int | None = None,
) -> UnsignedTransaction:
    """A new transaction; ``nonce`` defaults to 64 random bits, the time to now (ms UTC)."""
    return UnsignedTransaction(
        chain_id=chain_id,
        contract=contract,
        function=function,
        args=args,
        signer=signer,
        nonce=secrets.randbits(64) if nonce is None else nonce,
        client_time_ms=time.time_ns() // 1_000_000 if client_time_ms is None else client_time_ms,
    )


def tx_id_of(body: bytes) -> TxId:
    return TxId(hashlib.sha256(body).digest())


@dataclass(frozen=True, slots=True)
class SignedTransaction:
    """Exact body bytes + signature; ``tx`` and ``tx_id`` are derived from those bytes."""

    body: bytes
    signature: Signature
    tx: UnsignedTransaction = field(init=False, compare=False)
    tx_id: TxId = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tx", _parse_body(self.body))
        object.__setattr__(self, "tx_id", tx_id_of(self.body))

    def verify(self, public_key: PublicKey) -> None:
        """Raise unless ``public_key`` is the named signer and signed these exact bytes."""
        if public_key.key_id != self.tx.signer:
            raise SignerMismatch(
                f"transaction names signer {self.tx.signer.hex()}, "
                f"the key given is {public_key.key_id.hex()}"
            )
        public_key.verify(Domain.TRANSACTION, self.body, self.signature)

    def to_wire(self) -> bytes:
        return encode([self.body, self.signature.to_wire()])

    @classmethod
    def from_wire(cls, data: bytes, max_size: int = DEFAULT_MAX_TX_BYTES) -> SignedTransaction:
        """Decode and check the structure (not the signature: that needs the signer's key)."""
        if len(data) > max_size:
            raise TxTooLarge(f"transaction is {len(data)} bytes, the limit is {max_size}")
        outer = decode(data, max_size=max_size)
        if type(outer) is not list or len(outer) != 2 or type(outer[0]) is not bytes:
            raise TxMalformed("a signed transaction is [body bytes, signature]")
        return cls(outer[0], Signature.from_wire(outer[1]))


def _parse_body(body: bytes) -> UnsignedTransaction:
    fields = decode(body, max_size=len(body))
    if type(fields) is not list or len(fields) != 8:
        raise TxMalformed("a transaction body is an array of 8 fields")
    if fields[0] != TX_VERSION or type(fields[0]) is not int:
        raise TxMalformed(f"unsupported transaction version {fields[0]!r:.20}")
    _, chain_id, contract, function, args, signer, nonce, client_time_ms = fields
    for name, value in (("chain_id", chain_id), ("contract", contract), ("function", function)):
        if type(value) is not str:
            raise TxMalformed(f"{name} must be a string")
    return UnsignedTransaction(
        chain_id, contract, function, args, KeyId(signer), nonce, client_time_ms
    )


def _check_name(value: object, pattern: re.Pattern[str], what: str) -> None:
    if type(value) is not str or pattern.fullmatch(value) is None:
        raise TxMalformed(f"{what} {value!r:.80} does not match {pattern.pattern}")


def _check_int(value: object, maximum: int, what: str) -> None:
    if type(value) is not int or not 0 <= value <= maximum:
        raise TxMalformed(f"{what} must be an integer in [0, {maximum}]")
