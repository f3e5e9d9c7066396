"""``GET /v1/audit/export``: JSON lines of every version, regulators only."""

from __future__ import annotations

import json

import httpx
import pytest

from node.api import ApiLimits
from node.errors import NoLeader
from tests.node.api.conftest import ClientFactory
from tests.node.api.fake import BLOCK_TIME_MS, FakeLedger, make_signed_tx, tx_id_of
from tests.node.api.helpers import error_of
from tests.node.api.members import DISTRIBUTOR, MAH, REGULATOR


@pytest.fixture
def limits() -> ApiLimits:
    return ApiLimits(max_body_bytes=4096, audit_page=2)  # several service pages per export


async def _history(ledger: FakeLedger) -> list[str]:
    writes = [
        (MAH, "code/sgtin:A", {"owner": "acme"}),
        (DISTRIBUTOR, "code/sgtin:A", {"owner": "wholesale"}),
        (MAH, "code/sgtin:B", {"owner": "acme"}),
        (DISTRIBUTOR, "code/sgtin:B", None),  # deleted: still in the export
        (MAH, "product/gtin:1", {"mah_org": "acme"}),
    ]
    ids = []
    for nonce, (member, key, value) in enumerate(writes):
        wire = make_signed_tx(member, "trace", key, value, nonce=nonce)
        ids.append(tx_id_of(wire))
        await ledger.submit([wire], wait=True, timeout_s=1)  # one block each: heights 1..5
    return ids


def _lines(response: httpx.Response) -> list[dict[str, object]]:
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


async def test_export_every_version_of_a_prefix(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    ids = await _history(ledger)
    response = await client.get("/v1/audit/export", params={"contract": "trace", "prefix": "code/"})
    assert response.status_code == 200
    lines = _lines(response)
    assert [(line["key"], line["height"]) for line in lines] == [
        ("code/sgtin:A", 1),
        ("code/sgtin:A", 2),
        ("code/sgtin:B", 3),
        ("code/sgtin:B", 4),
    ]
    assert lines[3]["value"] is None
    assert lines[0] == {
        "contract": "trace",
        "key": "code/sgtin:A",
        "height": 1,
        "tx_index": 0,
        "tx_id": ids[0],
        "block_time_ms": BLOCK_TIME_MS + 1,
        "value": {"owner": "acme"},
    }


async def test_export_by_time_range(client: httpx.AsyncClient, ledger: FakeLedger) -> None:
    await _history(ledger)
    params = {"contract": "trace", "from_ms": BLOCK_TIME_MS + 2, "to_ms": BLOCK_TIME_MS + 5}
    lines = _lines(await client.get("/v1/audit/export", params=params))
    assert sorted(line["height"] for line in lines) == [2, 3, 4]
    bad = await client.get(
        "/v1/audit/export", params={"contract": "trace", "from_ms": 5, "to_ms": 5}
    )
    assert error_of(bad)["code"] == "request.invalid"


async def test_only_regulators_export(
    client_as: ClientFactory, anonymous: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _history(ledger)
    async with client_as(MAH) as mah:
        denied = await mah.get("/v1/audit/export", params={"contract": "trace"})
    assert error_of(denied)["code"] == "access.denied"
    refused = await anonymous.get("/v1/audit/export", params={"contract": "trace"})
    assert error_of(refused)["code"] == "auth.required"
    async with client_as(REGULATOR) as regulator:
        assert (await regulator.get("/v1/audit/export?contract=trace")).status_code == 200


async def test_an_early_failure_is_an_ordinary_error_and_a_late_one_the_last_line(
    client: httpx.AsyncClient, ledger: FakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _history(ledger)
    real = ledger.audit_versions
    calls = 0

    def failing(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls >= limit_call:
            raise NoLeader("leader lost")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ledger, "audit_versions", failing)
    limit_call = 1
    early = await client.get("/v1/audit/export?contract=trace")
    assert early.status_code == 503
    assert error_of(early)["code"] == "node.no_leader"
    calls, limit_call = 0, 2
    late = await client.get("/v1/audit/export?contract=trace")
    assert late.status_code == 200
    lines = _lines(late)
    assert len(lines) == 3  # one page of two, then the error
    assert lines[-1] == {"error": {"code": "node.no_leader", "message": "leader lost"}}
