"""Ed25519 keys and domain-separated signatures (docs/formats.md §2).

Every signature is over ``domain.prefix || message``. The prefixes are distinct, contain no
NUL except the final one, so none is a prefix of another: a signature made for one purpose
(a block header) can never be replayed as another (a transaction) — DESIGN.md, Transaction:
"signed with a domain-separation prefix".

Keys and signatures carry an :class:`Algorithm` (wire id: a small int) so a post-quantum
scheme can be added as a new member with its own sizes and verifier, without changing the
shape of anything that carries a key or a signature.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

import nacl.exceptions
import nacl.signing

from sdk.errors import (
    InvalidSignature,
    KeyFormatError,
    MalformedSignature,
    SchemaError,
    UnsupportedAlgorithm,
)
from sdk.ids import KeyId


@dataclass(frozen=True, slots=True)
class AlgorithmSpec:
    name: str
    public_key_size: int
    signature_size: int
    seed_size: int


class Algorithm(Enum):
    """A signature scheme. The value is the wire id; never reuse or renumber one."""

    ED25519 = 1

    @property
    def spec(self) -> AlgorithmSpec:
        return _SPECS[self]

    @classmethod
    def from_wire(cls, value: object) -> Algorithm:
        if type(value) is not int:
            raise UnsupportedAlgorithm(f"algorithm id must be an integer, got {value!r:.40}")
        try:
            return cls(value)
        except ValueError as exc:
            raise UnsupportedAlgorithm(f"unknown signature algorithm id {value}") from exc

    @classmethod
    def from_name(cls, name: str) -> Algorithm:
        for algorithm, spec in _SPECS.items():
            if spec.name == name:
                return algorithm
        raise UnsupportedAlgorithm(f"unknown signature algorithm {name!r}")


_SPECS: Final = {
    Algorithm.ED25519: AlgorithmSpec("ed25519", public_key_size=32, signature_size=64, seed_size=32)
}


class Domain(Enum):
    """What a signature is for. The value is the prefix signed before the message."""

    TRANSACTION = b"rxledger/v1/tx\x00"
    BLOCK = b"rxledger/v1/block\x00"
    CHECKPOINT = b"rxledger/v1/checkpoint\x00"
    DEVICE_READING = b"rxledger/v1/device-reading\x00"
    REQUEST = b"rxledger/v1/request\x00"
    GOVERNANCE_APPROVAL = b"rxledger/v1/governance-approval\x00"
    RELEASE_SIGNATURE = b"rxledger/v1/release-signature\x00"

    @property
    def prefix(self) -> bytes:
        return self.value


def signing_input(domain: Domain, message: bytes) -> bytes:
    """The exact bytes a signature covers; signing and verifying both go through here."""
    return domain.prefix + message


def key_id_of(raw_public_key: bytes) -> KeyId:
    """KeyId = SHA-256 of the raw public key bytes (DESIGN.md, Identity)."""
    return KeyId(hashlib.sha256(raw_public_key).digest())


@dataclass(frozen=True, slots=True)
class Signature:
    """A signature with its algorithm. Wire form: ``[algorithm id, signature bytes]``."""

    algorithm: Algorithm
    value: bytes

    def __post_init__(self) -> None:
        size = self.algorithm.spec.signature_size
        if type(self.value) is not bytes or len(self.value) != size:
            raise MalformedSignature(f"{self.algorithm.spec.name} signature must be {size} bytes")

    def to_wire(self) -> list[Any]:
        return [self.algorithm.value, self.value]

    @classmethod
    def from_wire(cls, value: object) -> Signature:
        if type(value) is not list or len(value) != 2:
            raise MalformedSignature("signature must be [algorithm id, bytes]")
        return cls(Algorithm.from_wire(value[0]), value[1])


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A verifying key. Wire form: ``[algorithm id, raw key bytes]``."""

    algorithm: Algorithm
    raw: bytes
    _verifier: nacl.signing.VerifyKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        size = self.algorithm.spec.public_key_size
        if type(self.raw) is not bytes or len(self.raw) != size:
            raise KeyFormatError(f"{self.algorithm.spec.name} public key must be {size} bytes")
        # Built once: verification is on the hot path of every node for every transaction.
        object.__setattr__(self, "_verifier", nacl.signing.VerifyKey(self.raw))

    @classmethod
    def ed25519(cls, raw: bytes) -> PublicKey:
        return cls(Algorithm.ED25519, raw)

    @property
    def key_id(self) -> KeyId:
        return key_id_of(self.raw)

    def verify(self, domain: Domain, message: bytes, signature: Signature) -> None:
        """Raise InvalidSignature unless ``signature`` covers ``domain.prefix || message``."""
        if signature.algorithm is not self.algorithm:
            raise InvalidSignature(
                f"signature is {signature.algorithm.spec.name}, key is {self.algorithm.spec.name}"
            )
        try:
            self._verifier.verify(signing_input(domain, message), signature.value)
        except nacl.exceptions.BadSignatureError as exc:
            raise InvalidSignature(
                f"signature does not verify for key {self.key_id.hex()} in domain {domain.name}"
            ) from exc

    def to_wire(self) -> list[Any]:
        return [self.algorithm.value, self.raw]

    @classmethod
    def from_wire(cls, value: object) -> PublicKey:
        if type(value) is not list or len(value) != 2:
            raise SchemaError("public key must be [algorithm id, bytes]")
        return cls(Algorithm.from_wire(value[0]), value[1])


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private Ed25519 key (its 32-byte seed). ``repr`` never shows the seed."""

    seed: bytes = field(repr=False)
    algorithm: Algorithm = Algorithm.ED25519
    _signer: nacl.signing.SigningKey = field(init=False, repr=False, compare=False)
    public_key: PublicKey = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.algorithm is not Algorithm.ED25519:
            raise UnsupportedAlgorithm(f"cannot sign with {self.algorithm.spec.name}")
        size = self.algorithm.spec.seed_size
        if type(self.seed) is not bytes or len(self.seed) != size:
            raise KeyFormatError(f"an Ed25519 seed is {size} bytes")
        signer = nacl.signing.SigningKey(self.seed)
        object.__setattr__(self, "_signer", signer)
        object.__setattr__(self, "public_key", PublicKey.ed25519(bytes(signer.verify_key)))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(bytes(nacl.signing.SigningKey.generate()))

    @classmethod
    def from_seed(cls, seed: bytes) -> SigningKey:
        return cls(seed)

    @property
    def key_id(self) -> KeyId:
        return self.public_key.key_id

    def sign(self, domain: Domain, message: bytes) -> Signature:
        signed = self._signer.sign(signing_input(domain, message))
        return Signature(self.algorithm, signed.signature)
