"""Health, metrics, the rate limit, routing errors and the OpenAPI document."""

from __future__ import annotations

import httpx
import pytest

from node.api import ApiLimits, create_app
from tests.node.api.conftest import BASE, VirtualClock, WallClock, regulator_auth
from tests.node.api.fake import FakeLedger, make_tx
from tests.node.api.helpers import b64, error_of


async def test_health_is_200_with_a_leader(client: httpx.AsyncClient, ledger: FakeLedger) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["healthy"] is True
    assert body["error"] is None
    assert (body["chain_id"], body["leader_id"], body["role"]) == ("rx-test", 1, "leader")
    assert body["peers"] == [{"node_id": 2, "connected": True, "match_index": 0, "last_error": ""}]


async def test_health_is_503_without_a_leader(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    ledger.leader_id = None
    response = await client.get("/health")
    assert response.status_code == 503
    assert response.json()["healthy"] is False
    assert response.json()["error"]["code"] == "node.no_leader"


async def test_health_is_503_on_a_fork_alarm(client: httpx.AsyncClient, ledger: FakeLedger) -> None:
    ledger.fork_alarm = "node 2 has another block at height 7"
    response = await client.get("/health")
    assert response.status_code == 503
    assert response.json()["error"] == {
        "code": "node.fork_detected",
        "message": "node 2 has another block at height 7",
    }


async def test_metrics_joins_node_and_api_series(
    client: httpx.AsyncClient, ledger: FakeLedger, clock: VirtualClock
) -> None:
    await client.post("/v1/transactions?wait=true", json={"transaction": b64(make_tx("a", 1))})
    await client.get("/v1/transactions/" + "00" * 32)
    await client.get("/v1/state/registry/a")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = response.text.splitlines()
    assert "rxl_node_height 1" in lines
    assert 'rxl_api_requests_total{route="/v1/transactions",method="POST",status="200"} 1' in lines
    assert (
        'rxl_api_requests_total{route="/v1/transactions/{tx_id}",method="GET",status="404"} 1'
        in lines
    )
    assert 'rxl_api_errors_total{code="tx.not_found"} 1' in lines
    route = 'route="/v1/state/{contract}/{key:path}"'
    # The virtual clock never moved: one observation, in the smallest bucket.
    assert f'rxl_api_request_duration_seconds_bucket{{{route},le="0.001"}} 1' in lines
    assert f"rxl_api_request_duration_seconds_count{{{route}}} 1" in lines
    assert "# TYPE rxl_api_request_duration_seconds histogram" in lines


async def test_batch_item_errors_are_counted_by_code(client: httpx.AsyncClient) -> None:
    body = {"transactions": [b64(make_tx("a", 1, signer="eve")), b64(make_tx("b", 1))]}
    await client.post("/v1/transactions", json=body)
    text = (await client.get("/metrics")).text
    assert 'rxl_api_errors_total{code="identity.unknown_signer"} 1' in text.splitlines()


async def test_rate_limit_per_client_with_retry_after_and_refill(ledger: FakeLedger) -> None:
    clock = VirtualClock()
    limits = ApiLimits(rate_per_second=2.0, rate_burst=2)
    app = create_app(ledger, limits=limits, clock=clock, wall_clock_ms=WallClock())
    near = httpx.ASGITransport(app=app, client=("10.0.0.1", 5000))
    far = httpx.ASGITransport(app=app, client=("10.0.0.2", 5000))
    signer = regulator_auth(ledger)  # one signer: its nonces never repeat across clients
    async with (
        httpx.AsyncClient(transport=near, base_url=BASE, auth=signer) as a,
        httpx.AsyncClient(transport=far, base_url=BASE, auth=signer) as b,
    ):
        assert [(await a.get("/v1/blocks/latest")).status_code for _ in range(2)] == [404, 404]
        limited = await a.get("/v1/blocks/latest")
        assert limited.status_code == 429
        assert error_of(limited)["code"] == "api.rate_limited"
        assert limited.headers["Retry-After"] == "1"
        assert (await b.get("/v1/blocks/latest")).status_code == 404  # its own bucket
        assert (await a.get("/health")).status_code == 200  # operators are never limited
        clock.now += 0.5  # one token back at 2/s
        assert (await a.get("/v1/blocks/latest")).status_code == 404
        assert (await a.get("/v1/blocks/latest")).status_code == 429
        metrics = (await a.get("/metrics")).text
    assert 'rxl_api_errors_total{code="api.rate_limited"} 2' in metrics.splitlines()


async def test_unknown_route_and_wrong_method(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v2/anything")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "route.not_found"
    wrong = await client.delete("/v1/transactions")
    assert wrong.status_code == 405
    assert error_of(wrong)["code"] == "request.method_not_allowed"
    assert "POST" in wrong.headers["allow"]


EXPECTED_OPERATIONS = {
    ("/v1/transactions", "post"),
    ("/v1/transactions/{tx_id}", "get"),
    ("/v1/state/{contract}/{key}", "get"),
    ("/v1/state/{contract}", "get"),
    ("/v1/history/{contract}/{key}", "get"),
    ("/v1/blocks/latest", "get"),
    ("/v1/blocks/by-hash/{block_hash}", "get"),
    ("/v1/blocks/{height}", "get"),
    ("/v1/proofs/{tx_id}", "get"),
    ("/v1/query/{contract}/{function}", "post"),
    ("/v1/events", "get"),
    ("/v1/verify", "get"),
    ("/v1/audit/export", "get"),
    ("/health", "get"),
    ("/metrics", "get"),
}


async def test_openapi_lists_every_endpoint_with_tags_and_summaries(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    operations = {
        (path, method): op for path, item in doc["paths"].items() for method, op in item.items()
    }
    assert set(operations) == EXPECTED_OPERATIONS
    for op in operations.values():
        assert op["summary"]
        assert op["tags"]
    assert {t["name"] for t in doc["tags"]} >= {"transactions", "state", "events", "operations"}


async def test_openapi_documents_bodies_models_and_errors(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    submit = doc["paths"]["/v1/transactions"]["post"]
    assert set(submit["requestBody"]["content"]) == {"application/json", "application/msgpack"}
    assert {"200", "202", "400", "409", "413", "503"} <= set(submit["responses"])
    error_ref = submit["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error_ref.endswith("/ErrorResponse")
    block = doc["paths"]["/v1/blocks/{height}"]["get"]["responses"]["200"]["content"]
    assert set(block) == {"application/json", "application/octet-stream"}
    assert {"ReceiptModel", "SubmitResponse", "BlockModel", "ProofModel", "HealthModel"} <= set(
        doc["components"]["schemas"]
    )
    params = {p["name"] for p in doc["paths"]["/v1/state/{contract}"]["get"]["parameters"]}
    assert params == {"contract", "prefix", "cursor", "limit", "consistency"}


@pytest.mark.parametrize("path", ["/v1/state/registry?limit=0", "/v1/blocks/x"])
async def test_validation_errors_are_rewritten_into_the_error_shape(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert "detail" not in response.text
