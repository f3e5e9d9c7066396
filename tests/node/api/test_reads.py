"""State, history, blocks, proofs and read-only queries."""

from __future__ import annotations

import hashlib

import httpx
import msgpack
import pytest

from tests.node.api.fake import FakeLedger, make_tx, tx_id_of
from tests.node.api.helpers import b64, error_of


async def _commit(ledger: FakeLedger, *pairs: tuple[str, object]) -> list[bytes]:
    wires = [make_tx(key, value, nonce=i) for i, (key, value) in enumerate(pairs)]  # type: ignore[arg-type]
    await ledger.submit(wires, wait=True, timeout_s=1.0)
    return wires


# -- state -------------------------------------------------------------------------------


async def test_get_state_of_a_key_with_slashes(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _commit(ledger, ("gtin/0950110153000/21/XYZ", {"status": "active", "n": 3}))
    response = await client.get("/v1/state/registry/gtin/0950110153000/21/XYZ")
    assert response.status_code == 200
    assert response.json() == {
        "contract": "registry",
        "consistency": "linearizable",
        "entry": {
            "key": "gtin/0950110153000/21/XYZ",
            "value": {"status": "active", "n": 3},
            "height": 1,
            "tx_index": 0,
        },
    }


async def test_stale_read_skips_the_leader_check(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _commit(ledger, ("a", 1))
    ledger.stale_only = True
    linear = await client.get("/v1/state/registry/a")
    assert linear.status_code == 503
    assert error_of(linear)["code"] == "node.not_current"
    stale = await client.get("/v1/state/registry/a?consistency=stale")
    assert stale.status_code == 200
    assert stale.json()["consistency"] == "stale"


async def test_unknown_key_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/state/registry/missing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "state.not_found"


async def test_empty_key_and_bad_consistency_are_400(client: httpx.AsyncClient) -> None:
    empty = await client.get("/v1/state/registry/")
    assert empty.status_code == 400
    assert error_of(empty)["code"] == "request.invalid"
    bad = await client.get("/v1/state/registry/a?consistency=eventual")
    assert bad.status_code == 400
    assert "consistency" in error_of(bad)["message"]


async def test_range_pages_through_a_prefix_in_key_order(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _commit(ledger, ("lot/3", 3), ("lot/1", 1), ("other", 0), ("lot/2", 2))
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"prefix": "lot/", "limit": "2", **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/state/registry", params=params)
        assert response.status_code == 200
        page = response.json()
        seen += [item["key"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["lot/1", "lot/2", "lot/3"]
    assert pages == 2


@pytest.mark.parametrize("limit", ["0", "1001", "x"])
async def test_range_limit_is_bounded(client: httpx.AsyncClient, limit: str) -> None:
    response = await client.get(f"/v1/state/registry?limit={limit}")
    assert response.status_code == 400
    assert error_of(response)["code"] == "request.invalid"


async def test_history_lists_every_version_in_order_paginated(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    for value in (1, 2, None, 4):
        await _commit(ledger, ("code/1", value))
    first = (await client.get("/v1/history/registry/code/1?limit=3")).json()
    assert [(i["value"], i["height"]) for i in first["items"]] == [(1, 1), (2, 2), (None, 3)]
    assert first["next_cursor"] is not None
    rest = await client.get(f"/v1/history/registry/code/1?limit=3&cursor={first['next_cursor']}")
    assert [(i["value"], i["height"]) for i in rest.json()["items"]] == [(4, 4)]
    assert rest.json()["next_cursor"] is None


# -- blocks and proofs -------------------------------------------------------------------


async def test_blocks_by_height_hash_and_latest_agree(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _commit(ledger, ("a", 1))
    wires = await _commit(ledger, ("b", b"\x01"), ("c", 3))
    by_height = (await client.get("/v1/blocks/2")).json()
    assert by_height["height"] == 2
    assert by_height["tx_ids"] == [tx_id_of(w) for w in wires]
    assert by_height["transactions"] == [b64(w) for w in wires]
    assert by_height["results"] == ["ok", "ok"]
    assert by_height["header"]["proposer"] == {"$bytes": b64(b"\x01\x02")}
    assert by_height["header"]["prev_hash"] == ledger.blocks[0].block_hash
    by_hash = (await client.get(f"/v1/blocks/by-hash/{by_height['block_hash'].upper()}")).json()
    latest = (await client.get("/v1/blocks/latest")).json()
    assert by_hash == by_height == latest


async def test_raw_block_is_the_canonical_bytes(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _commit(ledger, ("a", 1))
    response = await client.get("/v1/blocks/1?format=raw")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.content == ledger.blocks[0].raw
    header, txs = msgpack.unpackb(response.content, raw=False)
    assert hashlib.sha256(msgpack.packb(header)).hexdigest() == response.headers["X-Block-Hash"]
    assert txs == ledger.blocks[0].transactions
    latest_raw = await client.get("/v1/blocks/latest?format=raw")
    assert latest_raw.content == response.content


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1/blocks/9", 404, "block.not_found"),
        ("/v1/blocks/latest", 404, "block.not_found"),
        ("/v1/blocks/by-hash/" + "0" * 64, 404, "block.not_found"),
        ("/v1/blocks/by-hash/beef", 400, "request.invalid"),
        ("/v1/blocks/-1", 400, "request.invalid"),
        ("/v1/blocks/one", 400, "request.invalid"),
        ("/v1/blocks/1?format=xml", 400, "request.invalid"),
        ("/v1/proofs/" + "ab" * 32, 404, "proof.not_found"),
    ],
)
async def test_block_and_proof_errors(
    client: httpx.AsyncClient, path: str, status: int, code: str
) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert error_of(response)["code"] == code


def _fold(leaf: bytes, index: int, size: int, path: list[str]) -> bytes:
    """Verify as a client would: the last node of an odd level is promoted unhashed."""
    node, siblings = leaf, [bytes.fromhex(p) for p in path]
    while size > 1:
        if index % 2:
            node = hashlib.sha256(b"\x01" + siblings.pop(0) + node).digest()
        elif index + 1 < size:
            node = hashlib.sha256(b"\x01" + node + siblings.pop(0)).digest()
        index, size = index // 2, (size + 1) // 2
    assert siblings == []
    return node


@pytest.mark.parametrize("target_index", [0, 1, 2])
async def test_inclusion_proof_recomputes_the_tx_root(
    client: httpx.AsyncClient, ledger: FakeLedger, target_index: int
) -> None:
    wires = await _commit(ledger, ("a", 1), ("b", 2), ("c", 3))
    target = tx_id_of(wires[target_index])
    response = await client.get(f"/v1/proofs/{target}")
    assert response.status_code == 200
    proof = response.json()
    assert (proof["height"], proof["index"], proof["tree_size"]) == (1, target_index, 3)
    root = _fold(bytes.fromhex(target), proof["index"], proof["tree_size"], proof["path"])
    assert root.hex() == proof["tx_root"] == proof["header"]["tx_root"]
    assert proof["checkpoints"][0]["block_hash"] == proof["block_hash"]


# -- read-only queries -------------------------------------------------------------------


async def test_query_passes_json_args_and_returns_the_value(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _commit(ledger, ("a", {"qty": 5}), ("b", b"\x00"))
    got = await client.post("/v1/query/registry/get", json={"args": {"key": "a"}})
    assert got.status_code == 200
    assert got.json() == {"contract": "registry", "function": "get", "result": {"qty": 5}}
    raw = await client.post("/v1/query/registry/get", json={"args": {"key": "b"}})
    assert raw.json()["result"] == {"$bytes": "AA=="}
    count = await client.post("/v1/query/registry/count")
    assert count.json()["result"] == 2


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/v1/query/ghost/get", b"{}", 404, "contract.unknown"),
        ("/v1/query/registry/nope", b"{}", 404, "contract.unknown_function"),
        ("/v1/query/registry/secret", b"{}", 403, "permission.denied"),
        ("/v1/query/registry/get", b'{"args": [1]}', 400, "request.invalid"),
        ("/v1/query/registry/get", b'{"key": "a"}', 400, "request.invalid"),
        ("/v1/query/registry/get", b'{"args": ', 400, "request.invalid_json"),
    ],
)
async def test_query_errors(
    client: httpx.AsyncClient, path: str, body: bytes, status: int, code: str
) -> None:
    response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert error_of(response)["code"] == code


async def test_a_bug_is_500_internal_without_internals(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.post("/v1/query/registry/boom")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal"
    assert "/var/lib" not in error["message"]
    assert "RuntimeError" not in response.text
    assert any(record.exc_info for record in caplog.records)
