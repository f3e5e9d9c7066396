"""GET /v1/events: SSE frames, filters, resume by Last-Event-ID or height, keep-alives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

from node.api import ApiLimits, create_app
from node.api.sse import with_keepalive
from node.service import LedgerEvent
from tests.node.api.conftest import BASE, WallClock, regulator_auth
from tests.node.api.fake import FakeLedger, make_tx
from tests.node.api.helpers import error_of, parse_sse


async def _three_blocks(ledger: FakeLedger) -> None:
    # Integer values emit two events per transaction (put, number); others one (put).
    await ledger.submit([make_tx("a", 1), make_tx("b", "x")], wait=True, timeout_s=1)
    await ledger.submit([make_tx("c", 3)], wait=True, timeout_s=1)
    await ledger.submit([make_tx("d", "y")], wait=True, timeout_s=1)


async def test_stream_from_height_zero_sends_every_event_with_resumable_ids(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _three_blocks(ledger)
    response = await client.get("/v1/events?from_height=0")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    frames = parse_sse(response.text)
    assert [f.id for f in frames] == ["1-0-0", "1-0-1", "1-1-0", "2-0-0", "2-0-1", "3-0-0"]
    assert frames[1].data == {
        "height": 1,
        "tx_index": 0,
        "event_index": 1,
        "tx_id": ledger.blocks[0].tx_ids[0],
        "contract": "registry",
        "type": "number",
        "payload": 1,
    }


async def test_read_a_few_then_resume_from_last_event_id(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _three_blocks(ledger)
    first = parse_sse((await client.get("/v1/events?from_height=1")).text)[:3]
    resumed = await client.get("/v1/events", headers={"Last-Event-ID": first[-1].id or ""})
    assert resumed.status_code == 200
    rest = parse_sse(resumed.text)
    assert [f.id for f in first] == ["1-0-0", "1-0-1", "1-1-0"]
    assert [f.id for f in rest] == ["2-0-0", "2-0-1", "3-0-0"]


async def test_last_event_id_wins_over_from_height(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _three_blocks(ledger)
    response = await client.get("/v1/events?from_height=3", headers={"Last-Event-ID": "2-0-0"})
    assert [f.id for f in parse_sse(response.text)] == ["2-0-1", "3-0-0"]


async def test_from_height_and_filters(client: httpx.AsyncClient, ledger: FakeLedger) -> None:
    await _three_blocks(ledger)
    by_height = parse_sse((await client.get("/v1/events?from_height=2")).text)
    assert [f.id for f in by_height] == ["2-0-0", "2-0-1", "3-0-0"]
    numbers = parse_sse((await client.get("/v1/events?from_height=0&type=number")).text)
    assert [f.data["payload"] for f in numbers] == [1, 3]
    other = await client.get("/v1/events?from_height=0&contract=trace&contract=supplier")
    assert other.text == ""


async def test_default_start_is_after_the_current_height(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _three_blocks(ledger)
    response = await client.get("/v1/events")
    assert response.status_code == 200
    assert response.text == ""


async def test_malformed_last_event_id_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/events", headers={"Last-Event-ID": "yesterday"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "request.invalid"


async def test_a_fork_mid_stream_ends_it_with_an_error_event(
    client: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    await _three_blocks(ledger)
    ledger.stream_failure_after = 2
    frames = parse_sse((await client.get("/v1/events?from_height=0")).text)
    assert [f.id for f in frames[:2]] == ["1-0-0", "1-0-1"]
    assert frames[2].event == "error"
    assert frames[2].data["error"]["code"] == "node.fork_detected"
    assert len(frames) == 3


async def test_stream_limit_refuses_with_503(ledger: FakeLedger) -> None:
    app = create_app(ledger, limits=ApiLimits(max_event_streams=1), wall_clock_ms=WallClock())
    app.state.api.open_streams = 1  # one stream already open
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE, auth=regulator_auth(ledger)
    ) as c:
        refused = await c.get("/v1/events?from_height=0")
        assert refused.status_code == 503
        assert error_of(refused)["code"] == "node.overloaded"
        app.state.api.open_streams = 0
        served = await c.get("/v1/events?from_height=0")
        assert served.status_code == 200
        assert app.state.api.open_streams == 0  # released when the stream ended


async def test_keepalive_is_sent_while_the_source_is_idle() -> None:
    released = asyncio.Event()
    closed: list[bool] = []

    async def source() -> AsyncIterator[LedgerEvent]:
        try:
            await released.wait()
            yield LedgerEvent(5, 0, 0, "t", "registry", "put", None)
        finally:
            closed.append(True)

    seen: list[LedgerEvent | None] = []
    async for item in with_keepalive(source(), interval_s=0):
        seen.append(item)
        released.set()  # after the first keep-alive the source produces its event
    assert seen[0] is None
    assert [e.height for e in seen if e is not None] == [5]
    assert closed == [True]


async def test_keepalive_stream_closes_its_source_when_abandoned() -> None:
    closed: list[bool] = []

    async def source() -> AsyncIterator[LedgerEvent]:
        try:
            await asyncio.Event().wait()  # never produces
            yield LedgerEvent(1, 0, 0, "t", "c", "x", None)
        finally:
            closed.append(True)

    stream = with_keepalive(source(), interval_s=0)
    assert await anext(stream) is None
    await stream.aclose()  # what Starlette does when the client goes away
    assert closed == [True]
