"""The bench signs reads exactly as docs/api.md specifies (its known-answer vector)."""

from __future__ import annotations

import httpx

from bench.auth import RequestSigner, request_headers
from sdk.keys import SigningKey

SEED = bytes(range(32))
TIMESTAMP = 1_700_000_000_000
NONCE = "0123456789abcdef0123456789abcdef"


def test_the_documented_get_vector() -> None:
    headers = request_headers(
        SigningKey.from_seed(SEED),
        chain_id="rx-demo",
        method="get",
        target="/v1/state/trace/code/sgtin:09501101530003.S1?consistency=stale",
        body=b"",
        timestamp_ms=TIMESTAMP,
        nonce=NONCE,
    )
    assert headers == {
        "X-Rxl-Key-Id": "56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c",
        "X-Rxl-Timestamp": str(TIMESTAMP),
        "X-Rxl-Nonce": NONCE,
        "X-Rxl-Signature": "ed25519:3sH3gS0IUW7x5EEHmEKpGu4u/HUZ3UiW90Bu72+qe2vv7Y1OdyjX3VR6"
        "XL9fBPhMXvvH3WntJMv6WLpyZ/REDg==",
    }


def test_the_signer_covers_the_body_and_uses_a_fresh_nonce() -> None:
    signer = RequestSigner(
        SigningKey.from_seed(SEED), chain_id="rx-demo", clock_ms=lambda: TIMESTAMP
    )
    request = httpx.Request(
        "POST",
        "http://node.test/v1/query/trace/history",
        content=b'{"args":{"code":"sgtin:09501101530003.S1"}}',
    )
    first = next(signer.auth_flow(request)).headers["X-Rxl-Signature"]
    again = next(signer.auth_flow(request)).headers
    assert again["X-Rxl-Signature"] != first
    assert len(again["X-Rxl-Nonce"]) == 32
    fixed = request_headers(
        SigningKey.from_seed(SEED),
        chain_id="rx-demo",
        method="POST",
        target="/v1/query/trace/history",
        body=b'{"args":{"code":"sgtin:09501101530003.S1"}}',
        timestamp_ms=TIMESTAMP,
        nonce=NONCE,
    )
    assert fixed["X-Rxl-Signature"] == (
        "ed25519:94GCVXuvKCWo02DmRK+tQVA0ysXHGKRRdQTv7fFztQ29APLnYtbz2dzRXvcNyIB53exCpkYXrXpQkWrCp7Z+AA=="
    )
