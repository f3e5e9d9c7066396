"""Signed requests: the known-answer vector of docs/api.md, and agreement with the node."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from node.api.auth import request_message
from sdk.client import Identity, canonical_request, signed_headers
from sdk.keys import SigningKey

IDENTITY = Identity(SigningKey.from_seed(bytes(range(32))))
STAMP = 1_700_000_000_000
NONCE = "0123456789abcdef0123456789abcdef"
API_DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
ROW = re.compile(
    r"\| `(GET|POST) ([^`]+)`, (?:empty|`([^`]*)`) \| `([0-9a-f]+)` \| `(ed25519:[^`]+)` \|"
)


def doc_vectors() -> list[tuple[str, str, bytes, str, str]]:
    """The known-answer rows of docs/api.md (Signed requests), read from the doc itself so
    the client follows the API's documentation as it is today."""
    text = API_DOC.read_text(encoding="utf-8")
    for fact in (IDENTITY.key_id, str(STAMP), NONCE, "`rx-demo`"):
        assert fact in text
    return [
        (method, target, (body or "").encode(), canonical, signature)
        for method, target, body, canonical, signature in ROW.findall(text)
    ]


VECTORS = doc_vectors()


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


def test_the_doc_has_both_vectors() -> None:
    assert [(m, t) for m, t, *_ in VECTORS] == [
        ("GET", "/v1/state/trace/code/sgtin:09501101530003.S1?consistency=stale"),
        ("POST", "/v1/query/trace/history"),
    ]


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
