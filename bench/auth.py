"""Signed requests for reads (docs/api.md, Authentication), as an httpx ``Auth``.

The signature covers the canonical msgpack of
``[chain_id, METHOD, target, timestamp_ms, nonce, SHA-256(body)]`` in domain ``REQUEST``;
every request gets a fresh random nonce and the current wall-clock time.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable, Generator

import httpx

from sdk.encoding import encode
from sdk.keys import Domain, SigningKey


def request_headers(
    key: SigningKey,
    *,
    chain_id: str,
    method: str,
    target: str,
    body: bytes,
    timestamp_ms: int,
    nonce: str,
) -> dict[str, str]:
    """The four ``X-Rxl-*`` headers authenticating one request."""
    canonical = encode(
        [chain_id, method.upper(), target, timestamp_ms, nonce, hashlib.sha256(body).digest()]
    )
    signature = key.sign(Domain.REQUEST, canonical).value
    return {
        "X-Rxl-Key-Id": key.key_id.hex(),
        "X-Rxl-Timestamp": str(timestamp_ms),
        "X-Rxl-Nonce": nonce,
        "X-Rxl-Signature": "ed25519:" + base64.b64encode(signature).decode("ascii"),
    }


class RequestSigner(httpx.Auth):
    """Signs every request of an httpx client (sync or async) as ``key``."""

    requires_request_body = True

    def __init__(
        self,
        key: SigningKey,
        *,
        chain_id: str,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        self.key = key
        self.chain_id = chain_id
        self.clock_ms = clock_ms

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(
            request_headers(
                self.key,
                chain_id=self.chain_id,
                method=request.method,
                target=request.url.raw_path.decode("ascii"),
                body=request.content,
                timestamp_ms=self.clock_ms(),
                nonce=secrets.token_hex(16),
            )
        )
        yield request
