"""Ed25519 keys, key ids and domain-separated signatures (docs/formats.md §2)."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sdk import errors
from sdk.ids import key_id_from_hex, to_hex
from sdk.keys import Algorithm, Domain, PublicKey, Signature, SigningKey, signing_input

SEED = bytes(range(32))


def test_from_seed_is_deterministic_and_generate_is_not() -> None:
    assert SigningKey.from_seed(SEED).public_key == SigningKey.from_seed(SEED).public_key
    assert SigningKey.generate().public_key != SigningKey.generate().public_key


def test_key_id_is_sha256_of_the_raw_public_key() -> None:
    key = SigningKey.from_seed(SEED)
    assert key.key_id == hashlib.sha256(key.public_key.raw).digest()
    assert key_id_from_hex(to_hex(key.key_id)) == key.key_id


def test_repr_never_shows_the_seed() -> None:
    key = SigningKey.from_seed(SEED)
    assert SEED.hex() not in repr(key)
    assert repr(SEED) not in repr(key)


def test_signature_verifies_with_an_independent_implementation() -> None:
    key = SigningKey.from_seed(SEED)
    signature = key.sign(Domain.TRANSACTION, b"payload")
    independent = Ed25519PublicKey.from_public_bytes(key.public_key.raw)
    independent.verify(signature.value, b"rxledger/v1/tx\x00payload")


@pytest.mark.parametrize(("signed", "checked"), list(itertools.permutations(Domain, 2)))
def test_a_signature_never_verifies_under_another_domain(signed: Domain, checked: Domain) -> None:
    key = SigningKey.from_seed(SEED)
    signature = key.sign(signed, b"message")
    key.public_key.verify(signed, b"message", signature)
    with pytest.raises(errors.InvalidSignature):
        key.public_key.verify(checked, b"message", signature)


def test_domain_prefixes_are_prefix_free() -> None:
    prefixes = [d.prefix for d in Domain]
    assert len(set(prefixes)) == len(prefixes)
    for a, b in itertools.permutations(prefixes, 2):
        assert not b.startswith(a)
    for prefix in prefixes:
        assert prefix.startswith(b"rxledger/v1/")
        assert prefix.endswith(b"\x00")
        assert prefix.count(b"\x00") == 1
    assert signing_input(Domain.BLOCK, b"x") == b"rxledger/v1/block\x00x"


def test_wrong_key_and_tampered_message_fail() -> None:
    key, other = SigningKey.from_seed(SEED), SigningKey.from_seed(bytes(32))
    signature = key.sign(Domain.REQUEST, b"m")
    with pytest.raises(errors.InvalidSignature):
        other.public_key.verify(Domain.REQUEST, b"m", signature)
    with pytest.raises(errors.InvalidSignature):
        key.public_key.verify(Domain.REQUEST, b"n", signature)


def test_wire_forms_round_trip_and_carry_the_algorithm() -> None:
    key = SigningKey.from_seed(SEED)
    signature = key.sign(Domain.CHECKPOINT, b"c")
    assert signature.to_wire()[0] == Algorithm.ED25519.value == 1
    assert Signature.from_wire(signature.to_wire()) == signature
    assert PublicKey.from_wire(key.public_key.to_wire()) == key.public_key


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        ([1, b"x" * 63], errors.MalformedSignature),
        ([1, "x" * 64], errors.MalformedSignature),
        ([99, b"x" * 64], errors.UnsupportedAlgorithm),
        ([True, b"x" * 64], errors.UnsupportedAlgorithm),
        ([1], errors.MalformedSignature),
        (b"x" * 64, errors.MalformedSignature),
    ],
)
def test_malformed_signatures_are_refused(wire: object, error: type[errors.SdkError]) -> None:
    with pytest.raises(error):
        Signature.from_wire(wire)


def test_malformed_keys_are_refused() -> None:
    with pytest.raises(errors.KeyFormatError):
        SigningKey.from_seed(b"short")
    with pytest.raises(errors.KeyFormatError):
        PublicKey.ed25519(b"x" * 31)
    with pytest.raises(errors.SchemaError):
        PublicKey.from_wire([1])
    with pytest.raises(errors.UnsupportedAlgorithm):
        Algorithm.from_name("dilithium")
    assert Algorithm.from_name("ed25519") is Algorithm.ED25519
