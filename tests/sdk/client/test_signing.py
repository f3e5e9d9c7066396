"""Signed requests: the known-answer vector of docs/api.md, and agreement with the node."""

from __future__ import annotations

import pytest

from node.api.auth import request_message
from sdk.client import Identity, canonical_request, signed_headers
from sdk.keys import SigningKey

IDENTITY = Identity(SigningKey.from_seed(bytes(range(32))))
STAMP = 1_700_000_000_000
NONCE = "0123456789abcdef0123456789abcdef"
VECTORS = [
    (
        "GET",
        "/v1/state/trace/code/sgtin:09501101530003.S1?consistency=stale",
        b"",
        "96a772782d64656d6fa3474554d93e2f76312f73746174652f74726163652f636f64652f736774696e3a"
        "30393530313130313533303030332e53313f636f6e73697374656e63793d7374616c65cf0000018bcfe5"
        "6800d9203031323334353637383961626364656630313233343536373839616263646566c420e3b0c442"
        "98fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "ed25519:3sH3gS0IUW7x5EEHmEKpGu4u/HUZ3UiW90Bu72+qe2vv7Y1OdyjX3VR6XL9fBPhMXvvH3WntJMv6W"
        "LpyZ/REDg==",
    ),
    (
        "POST",
        "/v1/query/trace/history",
        b'{"args":{"code":"sgtin:09501101530003.S1"}}',
        "96a772782d64656d6fa4504f5354b72f76312f71756572792f74726163652f686973746f7279cf000001"
        "8bcfe56800d9203031323334353637383961626364656630313233343536373839616263646566c4200b"
        "ae53bf5896843f1dc648010203024d0c00fba3c4e3bd8cbd6ff4894d51f88d",
        "ed25519:94GCVXuvKCWo02DmRK+tQVA0ysXHGKRRdQTv7fFztQ29APLnYtbz2dzRXvcNyIB53exCpkYXrXpQk"
        "WrCp7Z+AA==",
    ),
]


@pytest.mark.parametrize(("method", "target", "body", "canonical", "signature"), VECTORS)
def test_known_answer_vectors_of_the_api_docs(
    method: str, target: str, body: bytes, canonical: str, signature: str
) -> None:
    message = canonical_request(
        chain_id="rx-demo", method=method, target=target, timestamp_ms=STAMP, nonce=NONCE, body=body
    )
    assert message.hex() == canonical
    headers = signed_headers(
        IDENTITY,
        chain_id="rx-demo",
        method=method,
        target=target,
        body=body,
        timestamp_ms=STAMP,
        nonce=NONCE,
    )
    assert headers == {
        "X-Rxl-Key-Id": "56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c",
        "X-Rxl-Timestamp": str(STAMP),
        "X-Rxl-Nonce": NONCE,
        "X-Rxl-Signature": signature,
    }


def test_the_node_builds_the_same_canonical_request() -> None:
    for method, target, body, _, _ in VECTORS:
        ours = canonical_request(
            chain_id="rx-demo", method=method, target=target, timestamp_ms=1, nonce=NONCE, body=body
        )
        node = request_message(
            chain_id="rx-demo", method=method, target=target, timestamp_ms=1, nonce=NONCE, body=body
        )
        assert ours == node


def test_every_request_gets_a_fresh_nonce_and_the_clock() -> None:
    first = signed_headers(IDENTITY, chain_id="c1", method="GET", target="/v1/x", body=b"")
    second = signed_headers(IDENTITY, chain_id="c1", method="GET", target="/v1/x", body=b"")
    assert first["X-Rxl-Nonce"] != second["X-Rxl-Nonce"]
    assert len(first["X-Rxl-Nonce"]) == 32
    assert int(first["X-Rxl-Timestamp"]) > STAMP
