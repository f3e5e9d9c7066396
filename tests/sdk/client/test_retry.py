"""Back-off and the walk over nodes, as pure state (no network)."""

from __future__ import annotations

import random

import pytest

from sdk.client import Backoff, NodeUnavailable
from sdk.client.retry import Attempts, Router, normalize_node, retry_after_s

NODES = ("http://a:1", "http://b:2", "http://c:3")


def walk(attempts: Attempts, failures: int) -> list[tuple[str, float]]:
    steps = []
    for _ in range(failures):
        node = attempts.node
        steps.append((node, attempts.failed("refused")))
    return steps


def test_each_node_once_per_round_then_back_off() -> None:
    attempts = Attempts(
        NODES, start=1, retries=8, backoff=Backoff(0.1, 10.0, 2.0, 0.0), rng=random.Random(0)
    )
    steps = walk(attempts, 7)
    assert [node for node, _ in steps] == [
        "http://b:2", "http://c:3", "http://a:1", "http://b:2", "http://c:3", "http://a:1",
        "http://b:2",
    ]  # fmt: skip
    assert [delay for _, delay in steps] == [0.0, 0.0, 0.1, 0.0, 0.0, 0.2, 0.0]


def test_retries_are_bounded_and_the_error_lists_every_attempt() -> None:
    attempts = Attempts(NODES, start=0, retries=2, backoff=Backoff(), rng=random.Random(0))
    walk(attempts, 2)
    with pytest.raises(NodeUnavailable) as caught:
        attempts.failed("HTTP 503 node.no_leader", code="node.no_leader")
    assert caught.value.code == "node.no_leader"
    assert caught.value.attempts == (
        "http://a:1: refused",
        "http://b:2: refused",
        "http://c:3: HTTP 503 node.no_leader",
    )


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    attempts = Attempts(
        NODES[:1], start=0, retries=5, backoff=Backoff(0.1, 3.0, 2.0, 0.0), rng=random.Random(0)
    )
    assert attempts.failed("429", retry_after=2.5) == 2.5
    assert attempts.failed("429", retry_after=60) == 3.0
    assert attempts.failed("refused") == 0.4


def test_progress_starts_the_count_over() -> None:
    attempts = Attempts(
        NODES[:1], start=0, retries=1, backoff=Backoff(0.0, 0.0), rng=random.Random()
    )
    attempts.failed("ended")
    attempts.progressed()
    attempts.failed("ended")
    with pytest.raises(NodeUnavailable):
        attempts.failed("ended")


def test_jitter_stays_within_its_fraction() -> None:
    backoff = Backoff(base_s=1.0, max_s=8.0, multiplier=2.0, jitter=0.25)
    rng = random.Random(42)
    delays = [backoff.delay(3, rng) for _ in range(200)]
    assert all(6.0 <= d <= 8.0 for d in delays)
    assert len(set(delays)) > 100


@pytest.mark.parametrize(
    "bad", [{"base_s": -1}, {"base_s": 2, "max_s": 1}, {"multiplier": 0.5}, {"jitter": 2}]
)
def test_backoff_refuses_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        Backoff(**bad)


def test_the_router_sticks_to_the_node_that_answered() -> None:
    router = Router(list(NODES), retries=3, backoff=Backoff(), rng=random.Random())
    assert router.attempts().node == "http://a:1"
    router.prefer("http://c:3")
    assert router.attempts().node == "http://c:3"


def test_node_urls() -> None:
    assert normalize_node(" https://node.example:8443/ ") == "https://node.example:8443"
    for bad in ("node:8080", "ftp://x", "http://"):
        with pytest.raises(ValueError, match="http://host:port"):
            normalize_node(bad)
    with pytest.raises(ValueError, match="at least one"):
        Router([], retries=1, backoff=Backoff(), rng=random.Random())
    assert retry_after_s("2") == 2.0
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_s(None) == 0.0
