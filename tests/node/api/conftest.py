"""Fixtures: a fake ledger, virtual clocks, the app and in-memory HTTP clients.

``client`` signs every request as the regulator (it sees everything, so the tests of the
API's mechanics do not depend on the access policy); ``anonymous`` sends no credentials;
``client_as(member)`` opens a client signing as any test member.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from node.api import ApiLimits, create_app
from tests.node.api.fake import FakeLedger
from tests.node.api.members import NOW_MS, REGULATOR, Member, RequestSigner

BASE = "http://node.test"


@dataclass
class VirtualClock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class WallClock:
    now_ms: int = NOW_MS

    def __call__(self) -> int:
        return self.now_ms


def regulator_auth(ledger: FakeLedger) -> RequestSigner:
    """Signing as the regulator, for tests that build their own app (wall clock: WallClock)."""
    return RequestSigner(REGULATOR, chain_id=ledger.chain_id, clock_ms=WallClock())


ClientFactory = Callable[[Member], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def ledger() -> FakeLedger:
    return FakeLedger()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def limits() -> ApiLimits:
    return ApiLimits(max_body_bytes=4096, max_batch=8, max_wait_s=5.0, default_wait_s=2.0)


@pytest.fixture
def app(ledger: FakeLedger, limits: ApiLimits, clock: VirtualClock, wall: WallClock) -> FastAPI:
    return create_app(ledger, limits=limits, clock=clock, wall_clock_ms=wall)


@pytest.fixture
def client_as(app: FastAPI, ledger: FakeLedger, wall: WallClock) -> ClientFactory:
    @asynccontextmanager
    async def open_client(member: Member) -> AsyncIterator[httpx.AsyncClient]:
        signer = RequestSigner(member, chain_id=ledger.chain_id, clock_ms=wall)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE, auth=signer) as c:
            yield c

    return open_client


@pytest.fixture
async def client(client_as: ClientFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with client_as(REGULATOR) as c:
        yield c


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        yield c
