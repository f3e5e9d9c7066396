"""Bad bodies get 400/413/415 in the error shape and change nothing on the ledger."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import msgpack
import pytest

from node.api import ApiLimits, create_app
from tests.node.api.fake import FakeLedger, make_tx
from tests.node.api.helpers import b64, error_of

MSGPACK = {"Content-Type": "application/msgpack"}


async def _post(client: httpx.AsyncClient, body: bytes, content_type: str) -> httpx.Response:
    return await client.post(
        "/v1/transactions", content=body, headers={"Content-Type": content_type}
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"transaction": ', "request.invalid_json"),
        (b"\xff\xfe not utf-8", "request.invalid_json"),
        (b"[" * 2000 + b"]" * 2000, "request.invalid_json"),
        (b'{"transaction": "not base64!"}', "request.invalid_base64"),
        (b'{"transactions": ["AAA"]}', "request.invalid_base64"),
        (b'{"transaction": "\xc3\xa9\xc3\xa9=="}', "request.invalid_base64"),
        (b'{"transactions": "AAAA"}', "request.invalid"),
        (b'{"transactions": [1, 2]}', "request.invalid"),
        (b'{"transaction": ""}', "request.invalid"),
        (b'{"transactions": []}', "request.invalid"),
        (b'{"transaction": "AAAA", "transactions": ["AAAA"]}', "request.invalid"),
        (b'{"transaction": "AAAA", "extra": 1}', "request.invalid"),
        (b"{}", "request.invalid"),
        (b'["AAAA"]', "request.invalid"),
    ],
)
async def test_malformed_json_bodies_are_400(
    client: httpx.AsyncClient, ledger: FakeLedger, body: bytes, code: str
) -> None:
    response = await _post(client, body, "application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == code
    assert ledger.pending == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"\xc1", "request.invalid_msgpack"),
        (b"\x92\xc4\x01a", "request.invalid_msgpack"),
        (msgpack.packb([b"a"]) + b"\x00", "request.invalid_msgpack"),
        (msgpack.packb({"transactions": [b"a"]}), "request.invalid"),
        (msgpack.packb(["a string, not bin"]), "request.invalid"),
        (msgpack.packb([b""]), "request.invalid"),
        (msgpack.packb([]), "request.invalid"),
    ],
)
async def test_malformed_msgpack_bodies_are_400(
    client: httpx.AsyncClient, ledger: FakeLedger, body: bytes, code: str
) -> None:
    response = await _post(client, body, "application/msgpack")
    assert response.status_code == 400
    assert error_of(response)["code"] == code
    assert ledger.pending == []


async def test_unsupported_media_type_is_415(client: httpx.AsyncClient) -> None:
    response = await _post(client, b"transaction=AAAA", "application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert error_of(response)["code"] == "request.unsupported_media_type"


async def test_too_many_transactions_is_413(client: httpx.AsyncClient, ledger: FakeLedger) -> None:
    wires = [make_tx(f"k{i}", i) for i in range(9)]  # the fixture allows 8
    response = await client.post("/v1/transactions", json={"transactions": [b64(w) for w in wires]})
    assert response.status_code == 413
    assert error_of(response)["code"] == "request.too_many_transactions"
    assert ledger.pending == []


async def test_oversize_body_with_content_length_is_413_before_reading(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    body = msgpack.packb([b"x" * 5000], use_bin_type=True)  # the fixture caps bodies at 4096
    response = await _post(client, body, "application/msgpack")
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "request.too_large"
    assert str(len(body)) in error["message"]
    assert ledger.pending == []


async def test_oversize_chunked_body_is_cut_off_while_streaming(
    anonymous: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    # Unsigned: a signing client must hold the whole body to hash it before sending.
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(100):
            sent.append(i)
            yield b"x" * 1024

    response = await anonymous.post("/v1/transactions", content=chunks(), headers=MSGPACK)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert error_of(response)["code"] == "request.too_large"
    # The API stopped reading a little past the 4 KiB cap, not after all 100 KiB.
    assert len(sent) < 10
    assert ledger.pending == []


async def test_chunked_body_under_the_cap_is_accepted(anonymous: httpx.AsyncClient) -> None:
    body = msgpack.packb([make_tx("a", 1)], use_bin_type=True)

    async def chunks() -> AsyncIterator[bytes]:
        yield body[:5]
        yield body[5:]

    response = await anonymous.post("/v1/transactions", content=chunks(), headers=MSGPACK)
    assert "content-length" not in response.request.headers
    assert response.status_code == 202


async def test_non_numeric_content_length_is_400(client: httpx.AsyncClient) -> None:
    request = client.build_request(
        "POST", "/v1/transactions", content=b"{}", headers={"Content-Type": "application/json"}
    )
    request.headers["Content-Length"] = "lots"
    response = await client.send(request)
    assert response.status_code == 400
    assert error_of(response)["code"] == "request.malformed"


async def test_oversize_query_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/query/registry/get", json={"args": {"key": "k" * 5000}})
    assert response.status_code == 413
    assert error_of(response)["code"] == "request.too_large"


async def test_a_client_leaving_mid_body_is_not_logged_as_a_bug(
    ledger: FakeLedger, limits: ApiLimits, caplog: pytest.LogCaptureFixture
) -> None:
    # Driven at the ASGI level: httpx cannot disconnect in the middle of a body.
    app = create_app(ledger, limits=limits)
    messages: list[dict[str, object]] = [
        {"type": "http.request", "body": b'{"transac', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/transactions",
        "raw_path": b"/v1/transactions",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"node.test")],
        "client": ("127.0.0.1", 1),
        "server": ("node.test", 80),
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert b"request.aborted" in sent[1]["body"]
    assert not any(record.exc_info for record in caplog.records)
