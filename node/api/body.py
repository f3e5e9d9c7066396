"""Reading request bodies under a size cap, and decoding submit and query bodies strictly.

The cap holds before the body is read: a Content-Length over it is refused at once, and a
body without one (chunked) is counted while it streams and refused as soon as it passes the
cap, so an oversized upload never sits in memory (DESIGN.md, Testing: oversized payloads).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import msgpack
from starlette.requests import ClientDisconnect, Request

from node.api.errors import MalformedRequest, PayloadTooLarge, UnsupportedMediaType

JSON_TYPES = frozenset({"application/json"})
MSGPACK_TYPES = frozenset(
    {"application/msgpack", "application/x-msgpack", "application/vnd.msgpack"}
)


async def read_capped(request: Request, max_bytes: int) -> bytes:
    """The whole body, or PayloadTooLarge without reading past ``max_bytes``."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise MalformedRequest(f"Content-Length is not a number: {declared[:40]!r}")
        if int(declared) > max_bytes:
            raise PayloadTooLarge(f"body of {declared} bytes exceeds the limit of {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"body exceeds the limit of {max_bytes} bytes")
            chunks.append(chunk)
    except ClientDisconnect as exc:
        # Nobody is left to answer, but it is the client's doing, not a bug to log.
        raise MalformedRequest("the client went away mid-body", code="request.aborted") from exc
    return b"".join(chunks)


def media_type(request: Request) -> str:
    """The Content-Type without parameters, lower case; JSON when absent."""
    raw = request.headers.get("content-type", "application/json")
    return raw.split(";", 1)[0].strip().lower()


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        # UnicodeDecodeError and JSONDecodeError are ValueErrors; absurd nesting recurses.
        raise MalformedRequest("body is not valid JSON", code="request.invalid_json") from exc


def decode_submit(body: bytes, content_type: str, max_batch: int) -> list[bytes]:
    """The wire bytes of each submitted transaction, from a JSON or msgpack body."""
    if content_type in MSGPACK_TYPES:
        items = _msgpack_items(body)
    elif content_type in JSON_TYPES:
        items = _json_items(parse_json(body))
    else:
        raise UnsupportedMediaType(
            f"Content-Type {content_type!r} is not accepted; use application/json "
            "or application/msgpack"
        )
    if not items:
        raise MalformedRequest("no transactions in the request", code="request.invalid")
    if len(items) > max_batch:
        raise PayloadTooLarge(
            f"{len(items)} transactions exceed the batch limit of {max_batch}",
            code="request.too_many_transactions",
        )
    return items


def _msgpack_items(body: bytes) -> list[bytes]:
    try:
        decoded = msgpack.unpackb(body, raw=False, strict_map_key=True)
    except (ValueError, TypeError) as exc:
        # ExtraData, FormatError and StackError are ValueErrors; unhashable keys TypeErrors.
        raise MalformedRequest("body is not valid msgpack", code="request.invalid_msgpack") from exc
    if not isinstance(decoded, list):
        raise MalformedRequest("msgpack body must be an array of bin items", code="request.invalid")
    for index, item in enumerate(decoded):
        if not isinstance(item, bytes) or not item:
            raise MalformedRequest(
                f"item {index} must be non-empty msgpack bin", code="request.invalid"
            )
    return decoded


def _json_items(document: Any) -> list[bytes]:
    if not isinstance(document, dict):
        raise MalformedRequest("JSON body must be an object", code="request.invalid")
    unknown = sorted(set(document) - {"transactions", "transaction"})
    if unknown:
        raise MalformedRequest(f"unknown fields: {', '.join(unknown)}", code="request.invalid")
    if ("transactions" in document) == ("transaction" in document):
        raise MalformedRequest(
            "give exactly one of `transactions` (array) or `transaction`", code="request.invalid"
        )
    if "transaction" in document:
        return [_b64_item(document["transaction"], "transaction")]
    batch = document["transactions"]
    if not isinstance(batch, list):
        raise MalformedRequest("`transactions` must be an array", code="request.invalid")
    return [_b64_item(item, f"transactions[{i}]") for i, item in enumerate(batch)]


def _b64_item(item: Any, where: str) -> bytes:
    if not isinstance(item, str) or not item:
        raise MalformedRequest(f"{where} must be a non-empty base64 string", code="request.invalid")
    try:
        return base64.b64decode(item, validate=True)
    except ValueError as exc:
        # binascii.Error (bad alphabet or padding) and non-ASCII text are both ValueErrors.
        raise MalformedRequest(
            f"{where} is not valid base64", code="request.invalid_base64"
        ) from exc


def decode_query_args(body: bytes, content_type: str) -> dict[str, Any]:
    """The ``args`` object of a query body (``{"args": {...}}``); empty body: no arguments."""
    if not body.strip():
        return {}
    if content_type not in JSON_TYPES:
        raise UnsupportedMediaType(f"Content-Type {content_type!r} is not accepted; use JSON")
    document = parse_json(body)
    if not isinstance(document, dict) or set(document) - {"args"}:
        raise MalformedRequest('query body must be {"args": {...}}', code="request.invalid")
    args = document.get("args", {})
    if not isinstance(args, dict):
        raise MalformedRequest("`args` must be an object", code="request.invalid")
    return args
