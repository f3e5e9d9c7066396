"""Waiting for a healthy network: every node answers 200 and all name one leader."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from network.docker.errors import NetworkNotHealthy
from network.docker.health import wait_for_leader

URLS = {"node-a": "http://a.test", "node-b": "http://b.test", "node-c": "http://c.test"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def nodes(
    answer: Callable[[str, float], tuple[int, dict[str, object]]], clock: FakeClock
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        status, body = answer(request.url.host, clock.now)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handler)


def test_returns_the_leader_once_all_nodes_agree() -> None:
    clock = FakeClock()

    def answer(host: str, now: float) -> tuple[int, dict[str, object]]:
        if now < 1.0:
            return 503, {"leader_id": None, "error": {"code": "node.no_leader"}}
        return 200, {"leader_id": 2, "role": "leader" if host == "b.test" else "follower"}

    leader = wait_for_leader(
        URLS, timeout_s=5, clock=clock, sleep=clock.sleep, transport=nodes(answer, clock)
    )

    assert leader == 2
    assert 1.0 <= clock.now < 1.5


def test_nodes_naming_different_leaders_are_not_ready() -> None:
    clock = FakeClock()

    def answer(host: str, now: float) -> tuple[int, dict[str, object]]:
        return 200, {"leader_id": 3 if host == "c.test" else 1, "height": 4}

    with pytest.raises(NetworkNotHealthy, match=r"node-c: http://c.test/health: 200 .*leader=3"):
        wait_for_leader(
            URLS, timeout_s=2, clock=clock, sleep=clock.sleep, transport=nodes(answer, clock)
        )


def test_an_unreachable_node_is_reported() -> None:
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "a.test":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"leader_id": 1})

    with pytest.raises(NetworkNotHealthy, match=r"node-a: http://a\.test/health: unreachable"):
        wait_for_leader(
            URLS,
            timeout_s=1,
            clock=clock,
            sleep=clock.sleep,
            transport=httpx.MockTransport(handler),
        )


def test_a_leader_outside_the_given_nodes_does_not_count() -> None:
    clock = FakeClock()

    def answer(host: str, now: float) -> tuple[int, dict[str, object]]:
        return 200, {"leader_id": 1 if now < 2.0 else 3}

    leader = wait_for_leader(
        URLS,
        timeout_s=5,
        clock=clock,
        sleep=clock.sleep,
        transport=nodes(answer, clock),
        among={2, 3},
    )

    assert leader == 3
    assert clock.now >= 2.0
