"""The canonical request and the known-answer vector published in docs/api.md."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from node.api.auth import request_message, request_target
from sdk.errors import InvalidSignature
from sdk.keys import Domain, PublicKey, Signature, SigningKey

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
_ROW = re.compile(r"^\| `(GET|POST) (\S+)`, (empty|`(.+)`) \| `([0-9a-f]+)` \| `ed25519:(\S+)` \|$")


def _doc_vectors() -> list[tuple[str, str, bytes, str, str]]:
    rows = []
    for line in DOC.read_text().splitlines():
        match = _ROW.match(line)
        if match:
            body = b"" if match[3] == "empty" else match[4].encode()
            rows.append((match[1], match[2], body, match[5], match[6]))
    return rows


def test_the_documented_vectors_hold() -> None:
    vectors = _doc_vectors()
    assert len(vectors) == 2
    key = SigningKey.from_seed(bytes(range(32)))
    assert key.key_id.hex() in DOC.read_text()
    for method, target, body, canonical_hex, signature_b64 in vectors:
        message = request_message(
            chain_id="rx-demo",
            method=method,
            target=target,
            timestamp_ms=1_700_000_000_000,
            nonce="0123456789abcdef0123456789abcdef",
            body=body,
        )
        assert message.hex() == canonical_hex
        signature = Signature.from_wire([1, base64.b64decode(signature_b64)])
        key.public_key.verify(Domain.REQUEST, message, signature)
        assert (
            key.sign(Domain.REQUEST, message).value == signature.value
        )  # Ed25519 is deterministic


def test_a_request_signature_is_not_a_transaction_signature() -> None:
    key = SigningKey.from_seed(bytes(range(32)))
    message = request_message(
        chain_id="c", method="get", target="/", timestamp_ms=1, nonce="n" * 16, body=b""
    )
    signature = key.sign(Domain.REQUEST, message)
    public = PublicKey.ed25519(key.public_key.raw)
    with pytest.raises(InvalidSignature):
        public.verify(Domain.TRANSACTION, message, signature)


def test_method_is_upper_cased_and_the_target_keeps_its_encoding() -> None:
    a = request_message(
        chain_id="c", method="get", target="/a%20b?x=1", timestamp_ms=1, nonce="n" * 16, body=b""
    )
    b = request_message(
        chain_id="c", method="GET", target="/a%20b?x=1", timestamp_ms=1, nonce="n" * 16, body=b""
    )
    assert a == b
    assert request_target(b"/a%20b", b"x=1") == "/a%20b?x=1"
    assert request_target(b"/a", b"") == "/a"
