"""The configurable limits that push back on clients: a full pool (503 ``node.overloaded``)
and the per-address rate (429 ``api.rate_limited``), on a one-node network."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import httpx
import msgpack
import pytest

from tests.e2e.conftest import registrations, running_cluster
from tests.e2e.harness import Cluster

pytestmark = pytest.mark.e2e

MAX_PENDING: Final = 5
RATE_PER_SECOND: Final = 0.2
"""Slow refill, so even a slow machine empties the bucket within the requests sent."""
RATE_BURST: Final = 100
"""The API's default token-bucket capacity (docs/api.md, Limits)."""


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = running_cluster(
        tmp_path_factory.mktemp("limited"),
        ("manufacturer",),
        {"limits": {"rate_per_second": RATE_PER_SECOND, "max_pending": MAX_PENDING}},
    )
    yield cluster
    cluster.close()


def test_a_batch_the_pool_cannot_hold_is_refused_whole(limited: Cluster) -> None:
    factory = registrations(limited)
    (node,) = limited.ids
    too_many = factory.batch(MAX_PENDING + 1)

    response = limited.submit(node, too_many, wait=False)

    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "node.overloaded"
    assert response.headers["retry-after"]
    # Nothing of it was queued: a client told to retry never has half its batch committing.
    for tx in too_many:
        assert limited.receipt(node, tx.tx_id.hex()) is None
    fits = limited.submit(node, factory.batch(MAX_PENDING))
    assert fits.status_code == 200, fits.text


def test_a_client_over_its_rate_is_told_to_slow_down(limited: Cluster) -> None:
    (node,) = limited.ids
    garbage = msgpack.packb([b"\xc1"])
    # Its own source address, so its bucket is not the one the other tests draw from.
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(transport=transport, timeout=10.0) as client:
        statuses: list[int] = []
        for _ in range(RATE_BURST + 20):
            response = client.post(
                limited.url(node, "/v1/transactions"),
                content=garbage,
                headers={"content-type": "application/msgpack"},
            )
            statuses.append(response.status_code)
            if response.status_code == 429:
                break
        assert statuses[-1] == 429, statuses
        assert set(statuses[:-1]) == {400}
        assert response.json()["error"]["code"] == "api.rate_limited"
        assert float(response.headers["retry-after"]) > 0
        # Operators' endpoints are not rate limited.
        assert client.get(limited.url(node, "/health")).status_code == 200
