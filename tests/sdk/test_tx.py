"""Transactions: body, id, wire form, signature over the exact bytes (docs/formats.md §3)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from sdk import errors
from sdk.encoding import decode, encode
from sdk.keys import Domain, SigningKey
from sdk.tx import SignedTransaction, UnsignedTransaction, build, encode_body

KEY = SigningKey.from_seed(bytes(range(32)))
OTHER = SigningKey.from_seed(bytes(32))


def small_tx() -> SignedTransaction:
    return build(
        "acme-net", "trace", "dispense", {"c": "x"}, KEY.key_id, nonce=1, client_time_ms=2
    ).sign(KEY)


def test_body_field_order_is_the_documented_one() -> None:
    tx = build("acme-net", "trace", "ship", [1, "a"], KEY.key_id, nonce=9, client_time_ms=10)
    assert decode(encode_body(tx)) == [1, "acme-net", "trace", "ship", [1, "a"], KEY.key_id, 9, 10]


def test_sign_verify_and_round_trip_over_the_wire() -> None:
    signed = small_tx()
    received = SignedTransaction.from_wire(signed.to_wire())
    assert received == signed
    assert received.tx == signed.tx
    assert received.body == signed.body
    assert received.tx_id == hashlib.sha256(signed.body).digest()
    received.verify(KEY.public_key)
    assert decode(signed.to_wire()) == [signed.body, [1, signed.signature.value]]


def test_tampering_any_single_byte_of_the_wire_form_is_caught() -> None:
    wire = small_tx().to_wire()
    for position in range(len(wire)):
        for flip in (0x01, 0x80):
            mutated = wire[:position] + bytes([wire[position] ^ flip]) + wire[position + 1 :]
            with pytest.raises(errors.SdkError):
                SignedTransaction.from_wire(mutated).verify(KEY.public_key)


def test_tampering_any_single_signed_byte_fails_verification() -> None:
    signed = small_tx()
    for position in range(len(signed.body)):
        body = bytearray(signed.body)
        body[position] ^= 0x01
        try:
            candidate = SignedTransaction(bytes(body), signed.signature)
        except errors.SdkError:
            continue  # no longer a well-formed body: refused before any signature check
        with pytest.raises(errors.SignatureError):
            candidate.verify(KEY.public_key)


def test_signature_is_in_the_transaction_domain_only() -> None:
    signed = small_tx()
    KEY.public_key.verify(Domain.TRANSACTION, signed.body, signed.signature)
    with pytest.raises(errors.InvalidSignature):
        KEY.public_key.verify(Domain.BLOCK, signed.body, signed.signature)
    forged = SignedTransaction(signed.body, KEY.sign(Domain.REQUEST, signed.body))
    with pytest.raises(errors.InvalidSignature):
        forged.verify(KEY.public_key)


def test_verify_needs_the_named_signer() -> None:
    with pytest.raises(errors.SignerMismatch):
        small_tx().verify(OTHER.public_key)
    unsigned = build("acme-net", "trace", "ship", None, KEY.key_id, nonce=1, client_time_ms=1)
    with pytest.raises(errors.SignerMismatch):
        unsigned.sign(OTHER)


def test_build_defaults_are_fresh() -> None:
    a = build("acme-net", "trace", "ship", None, KEY.key_id)
    b = build("acme-net", "trace", "ship", None, KEY.key_id)
    assert a.nonce != b.nonce
    assert a.client_time_ms > 1_700_000_000_000
    assert a.sign(KEY).tx_id != b.sign(KEY).tx_id


@pytest.mark.parametrize(
    "changes",
    [
        {"chain_id": "Bad Chain"},
        {"chain_id": ""},
        {"contract": "9trace"},
        {"function": "ship-it"},
        {"signer": b"short"},
        {"nonce": -1},
        {"nonce": 2**64},
        {"nonce": True},
        {"client_time_ms": 2**63},
        {"args": 1.5},
        {"args": {1: 2}},
    ],
)
def test_fields_are_checked(changes: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "chain_id": "acme-net",
        "contract": "trace",
        "function": "ship",
        "args": None,
        "signer": KEY.key_id,
        "nonce": 1,
        "client_time_ms": 1,
    }
    fields.update(changes)
    with pytest.raises(errors.TxMalformed):
        UnsignedTransaction(**fields).body()


def test_oversize_transactions_are_refused_before_decoding() -> None:
    wire = small_tx().to_wire()
    with pytest.raises(errors.TxTooLarge) as caught:
        SignedTransaction.from_wire(wire, max_size=len(wire) - 1)
    assert caught.value.code == "tx.too_large"
    assert SignedTransaction.from_wire(wire, max_size=len(wire)).tx_id == small_tx().tx_id


@pytest.mark.parametrize(
    ("wire", "error"),
    [
        (encode([b"x"]), errors.TxMalformed),
        (encode(["body", [1, b"s" * 64]]), errors.TxMalformed),
        (encode([encode([1, 2, 3]), [1, b"s" * 64]]), errors.TxMalformed),
        (
            encode([encode([2, "acme-net", "t", "f", None, b"k" * 32, 1, 1]), [1, b"s" * 64]]),
            errors.TxMalformed,
        ),
        (
            encode([encode([1, 5, "t", "f", None, b"k" * 32, 1, 1]), [1, b"s" * 64]]),
            errors.TxMalformed,
        ),
        (
            encode([encode([1, "acme-net", "t", "f", None, b"k" * 32, 1, 1]), [1, b"s"]]),
            errors.MalformedSignature,
        ),
        (encode([b"\xcc\x01", [1, b"s" * 64]]), errors.NonCanonical),
        (encode([1, 2]) + b"\x00", errors.TrailingBytes),
    ],
)
def test_malformed_wire_forms(wire: bytes, error: type[errors.SdkError]) -> None:
    with pytest.raises(error):
        SignedTransaction.from_wire(wire)
