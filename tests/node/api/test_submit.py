"""POST /v1/transactions in JSON and msgpack, wait semantics, per-item results, receipts."""

from __future__ import annotations

import httpx
import msgpack
import pytest

from tests.node.api.fake import FakeLedger, make_tx, tx_id_of
from tests.node.api.helpers import b64, error_of


async def test_single_json_transaction_is_accepted_pending_with_202(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    wire = make_tx("gtin/1", 7)
    response = await client.post("/v1/transactions", json={"transaction": b64(wire)})
    assert response.status_code == 202
    (item,) = response.json()["results"]
    assert item["tx_id"] == tx_id_of(wire)
    assert item["accepted"] is True
    assert item["error"] is None
    assert item["receipt"]["state"] == "pending"
    assert response.json()["error"] is None
    assert [tx.wire for tx in ledger.pending] == [wire]


async def test_json_batch_waited_and_committed_is_200_in_request_order(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    wires = [make_tx(f"k{i}", i) for i in range(3)]
    response = await client.post(
        "/v1/transactions?wait=true", json={"transactions": [b64(w) for w in wires]}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["tx_id"] for r in results] == [tx_id_of(w) for w in wires]
    assert [r["receipt"]["index"] for r in results] == [0, 1, 2]
    assert {r["receipt"]["state"] for r in results} == {"committed"}
    assert results[2]["receipt"]["result"] == 2
    assert ledger.height() == 1


async def test_msgpack_batch_of_bin_items(client: httpx.AsyncClient, ledger: FakeLedger) -> None:
    wires = [make_tx("a", b"\x00\xff"), make_tx("b", None)]
    body = msgpack.packb(wires, use_bin_type=True)
    response = await client.post(
        "/v1/transactions?wait=true", content=body, headers={"Content-Type": "application/msgpack"}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["tx_id"] for r in results] == [tx_id_of(w) for w in wires]
    assert results[0]["receipt"]["result"] == {"$bytes": b64(b"\x00\xff")}


async def test_content_type_parameters_are_ignored(client: httpx.AsyncClient) -> None:
    body = msgpack.packb([make_tx("a", 1)], use_bin_type=True)
    response = await client.post(
        "/v1/transactions",
        content=body,
        headers={"Content-Type": "Application/X-Msgpack; charset=binary"},
    )
    assert response.status_code == 202


async def test_waited_but_not_committed_in_time_is_202_pending(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    ledger.hold_commits = True
    response = await client.post(
        "/v1/transactions?wait=true&timeout=0.5", json={"transaction": b64(make_tx("a", 1))}
    )
    assert response.status_code == 202
    assert response.json()["results"][0]["receipt"]["state"] == "pending"
    assert ledger.submitted_wait == [0.5]


async def test_default_wait_timeout_comes_from_limits(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await client.post("/v1/transactions?wait=true", json={"transaction": b64(make_tx("a", 1))})
    assert ledger.submitted_wait == [2.0]


@pytest.mark.parametrize("bad", ["0", "-1", "5.5", "soon"])
async def test_wait_timeout_out_of_bounds_is_400(
    client: httpx.AsyncClient, ledger: FakeLedger, bad: str
) -> None:
    response = await client.post(
        f"/v1/transactions?wait=true&timeout={bad}", json={"transaction": b64(make_tx("a", 1))}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "request.invalid"
    assert "timeout" in error["message"]
    assert ledger.submitted_wait == []


async def test_mixed_batch_is_200_with_per_item_errors(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    good, stranger = make_tx("a", 1), make_tx("b", 2, signer="mallory")
    response = await client.post(
        "/v1/transactions?wait=true", json={"transactions": [b64(good), b64(stranger)]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["error"] is None
    ok, refused = body["results"]
    assert ok["accepted"] is True
    assert refused["accepted"] is False
    assert refused["receipt"] is None
    assert refused["error"]["code"] == "identity.unknown_signer"


async def test_mixed_batch_not_waited_is_202(client: httpx.AsyncClient) -> None:
    body = {"transactions": [b64(make_tx("a", 1)), b64(make_tx("a", 1, signer="eve"))]}
    response = await client.post("/v1/transactions", json=body)
    assert response.status_code == 202
    assert [r["accepted"] for r in response.json()["results"]] == [True, False]


async def test_duplicate_is_409_with_the_error_on_top(client: httpx.AsyncClient) -> None:
    wire = make_tx("a", 1)
    first = await client.post("/v1/transactions?wait=true", json={"transaction": b64(wire)})
    assert first.status_code == 200
    again = await client.post("/v1/transactions", json={"transaction": b64(wire)})
    assert again.status_code == 409
    assert error_of(again)["code"] == "tx.duplicate"
    assert again.json()["results"][0]["error"]["code"] == "tx.duplicate"


async def test_all_refused_takes_the_status_of_the_first_error(client: httpx.AsyncClient) -> None:
    body = {"transactions": [b64(make_tx("a", 1, signer="eve")), b64(b"\xc1not msgpack")]}
    response = await client.post("/v1/transactions", json=body)
    assert response.status_code == 401
    assert error_of(response)["code"] == "identity.unknown_signer"
    assert [r["error"]["code"] for r in response.json()["results"]] == [
        "identity.unknown_signer",
        "tx.malformed",
    ]


async def test_no_leader_is_503_with_retry_after(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    ledger.leader_id = None
    response = await client.post("/v1/transactions", json={"transaction": b64(make_tx("a", 1))})
    assert response.status_code == 503
    assert error_of(response)["code"] == "node.no_leader"
    assert response.headers["Retry-After"] == "1"


async def test_overloaded_is_503(client: httpx.AsyncClient, ledger: FakeLedger) -> None:
    ledger.overloaded = True
    response = await client.post("/v1/transactions", json={"transaction": b64(make_tx("a", 1))})
    assert response.status_code == 503
    assert error_of(response) == {"code": "node.overloaded", "message": "pending queue full"}


async def test_receipt_of_pending_then_committed_transaction(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    wire = make_tx("a", 1)
    await client.post("/v1/transactions", json={"transaction": b64(wire)})
    pending = await client.get(f"/v1/transactions/{tx_id_of(wire)}")
    assert pending.status_code == 200
    assert pending.json()["state"] == "pending"
    block = ledger.cut_block()
    assert block is not None
    committed = (await client.get(f"/v1/transactions/{tx_id_of(wire)}")).json()
    assert committed["state"] == "committed"
    assert committed["code"] == "ok"
    assert committed["block_hash"] == block.block_hash
    assert committed["height"] == 1


async def test_receipt_of_unknown_transaction_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/transactions/" + "ab" * 32)
    assert response.status_code == 404
    assert error_of(response)["code"] == "tx.not_found"
