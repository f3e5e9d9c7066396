"""Fixtures: a fake ledger, a virtual clock, the app and an in-memory HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from node.api import ApiLimits, create_app
from tests.node.api.fake import FakeLedger

BASE = "http://node.test"


@dataclass
class VirtualClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ledger() -> FakeLedger:
    return FakeLedger()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def limits() -> ApiLimits:
    return ApiLimits(max_body_bytes=4096, max_batch=8, max_wait_s=5.0, default_wait_s=2.0)


@pytest.fixture
async def client(
    ledger: FakeLedger, limits: ApiLimits, clock: VirtualClock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ledger, limits=limits, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c
