"""Fixtures: a shared in-memory ledger, node views served by uvicorn on 127.0.0.1 (sync
client) or through ASGI (async client), a node that refuses connections, identities, and a
virtual clock for back-off and polling."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from node.api import ApiLimits, create_app
from sdk.client import Identity
from sdk.keys import SigningKey
from sdk.roles import Role
from tests.sdk.client.ledger import MemoryLedger, NodeView

LIMITS = ApiLimits(keepalive_s=0.5, retry_after_s=1)
STARTUP_S = 10.0

MAKER = Identity(SigningKey.from_seed(bytes([1] * 32)))
REGULATOR = Identity(SigningKey.from_seed(bytes([2] * 32)))
PHARMACY = Identity(SigningKey.from_seed(bytes([3] * 32)))
STRANGER = Identity(SigningKey.from_seed(bytes([4] * 32)))
"""Never enrolled."""


@dataclass
class VirtualTime:
    """A clock that only moves when the client sleeps; records every sleep."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)
    on_sleep: list[Callable[[float], None]] = field(default_factory=list)
    """Called on every sleep: how a test acts "while the client waits"."""

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        for action in self.on_sleep:
            action(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Switchable:
    """An ASGI app that forwards to ``target``: one server per module, a fresh app (and
    ledger) per test."""

    def __init__(self) -> None:
        self.target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.target is None:
            raise RuntimeError("no app is installed on this test server")
        await self.target(scope, receive, send)


class ServedNode:
    """An app served by uvicorn in a background thread on 127.0.0.1."""

    def __init__(self) -> None:
        self.app = Switchable()
        self.view: NodeView | None = None
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_level="critical",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServedNode:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_S
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)
        return self

    @property
    def url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=STARTUP_S)

    def install(self, view: NodeView, limits: ApiLimits = LIMITS) -> ServedNode:
        self.view = view
        self.app.target = create_app(view, limits=limits)
        return self


@pytest.fixture
def ledger() -> MemoryLedger:
    chain = MemoryLedger()
    chain.enroll(MAKER.key, "acme", Role.MANUFACTURER, Role.QA)
    chain.enroll(REGULATOR.key, "nmpa", Role.REGULATOR)
    chain.enroll(PHARMACY.key, "corner", Role.PHARMACY)
    return chain


@pytest.fixture
def vtime() -> VirtualTime:
    return VirtualTime()


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[ServedNode, ServedNode]]:
    with ServedNode() as first, ServedNode() as second:
        yield first, second


@pytest.fixture
def node1(servers: tuple[ServedNode, ServedNode], ledger: MemoryLedger) -> ServedNode:
    return servers[0].install(NodeView(ledger, node_id=1))


@pytest.fixture
def node2(servers: tuple[ServedNode, ServedNode], ledger: MemoryLedger) -> ServedNode:
    return servers[1].install(NodeView(ledger, node_id=2))


@pytest.fixture
def dead_url() -> Iterator[str]:
    """A port bound but not listening: connections to it are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


class AsgiNodes(httpx.AsyncBaseTransport):
    """Routes each request to the ASGI app of its host (``http://node1.test`` …)."""

    def __init__(self, views: dict[str, NodeView], limits: ApiLimits = LIMITS) -> None:
        self.apps = {
            host: httpx.ASGITransport(app=create_app(view, limits=limits))
            for host, view in views.items()
        }

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.apps[request.url.host].handle_async_request(request)


@pytest.fixture
def asgi_views(ledger: MemoryLedger) -> dict[str, NodeView]:
    return {
        "node1.test": NodeView(ledger, node_id=1, live_streams=False),
        "node2.test": NodeView(ledger, node_id=2, live_streams=False),
    }
