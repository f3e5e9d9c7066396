"""The canonical request: the exact bytes a client signs to authenticate one HTTP request.

docs/api.md, Authentication. The message is the canonical msgpack (``sdk.encoding``) array

    [chain_id, method, target, timestamp_ms, nonce, SHA-256(body)]

signed in domain ``REQUEST`` (prefix ``rxledger/v1/request\\0``), so a request signature can
never pass for a transaction, block or any other signature, and a request signed for one
chain cannot be replayed on another.
"""

from __future__ import annotations

import hashlib

from sdk.encoding import encode


def request_target(raw_path: bytes, query_string: bytes) -> str:
    """The request-target as sent on the wire: percent-encoded path, ``?query`` when present."""
    target = raw_path.decode("latin-1")
    if query_string:
        target += "?" + query_string.decode("latin-1")
    return target


def request_message(
    *,
    chain_id: str,
    method: str,
    target: str,
    timestamp_ms: int,
    nonce: str,
    body: bytes,
) -> bytes:
    """The canonical request bytes (without the domain prefix, which signing adds)."""
    body_sha256 = hashlib.sha256(body).digest()
    return encode([chain_id, method.upper(), target, timestamp_ms, nonce, body_sha256])
