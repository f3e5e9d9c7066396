"""Signed requests: the four ``X-Rxl-*`` headers over the canonical request (docs/api.md,
Authentication, Signed requests).

The signature covers the canonical msgpack of
``[chain_id, METHOD, target, timestamp_ms, nonce, SHA-256(body)]`` in domain REQUEST, where
``target`` is the request-target exactly as sent (percent-encoded path, ``?`` and the raw
query). Every attempt of a request is signed afresh: the node refuses a reused nonce
(``auth.replayed``), so a retry must never resend old headers.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Final

from sdk.client.identity import Identity
from sdk.encoding import encode
from sdk.keys import Domain

KEY_ID: Final = "X-Rxl-Key-Id"
TIMESTAMP: Final = "X-Rxl-Timestamp"
NONCE: Final = "X-Rxl-Nonce"
SIGNATURE: Final = "X-Rxl-Signature"


def canonical_request(
    *, chain_id: str, method: str, target: str, timestamp_ms: int, nonce: str, body: bytes
) -> bytes:
    """The bytes a request signature covers (before the domain prefix)."""
    digest = hashlib.sha256(body).digest()
    return encode([chain_id, method.upper(), target, timestamp_ms, nonce, digest])


def signed_headers(
    identity: Identity,
    *,
    chain_id: str,
    method: str,
    target: str,
    body: bytes,
    timestamp_ms: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four headers authenticating one request as ``identity``."""
    stamp = time.time_ns() // 1_000_000 if timestamp_ms is None else timestamp_ms
    fresh = secrets.token_hex(16) if nonce is None else nonce
    message = canonical_request(
        chain_id=chain_id, method=method, target=target, timestamp_ms=stamp, nonce=fresh, body=body
    )
    signature = identity.sign(Domain.REQUEST, message)
    encoded = base64.b64encode(signature.value).decode("ascii")
    return {
        KEY_ID: identity.key_id,
        TIMESTAMP: str(stamp),
        NONCE: fresh,
        SIGNATURE: f"{signature.algorithm.spec.name}:{encoded}",
    }
