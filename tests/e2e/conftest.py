"""Fixtures for the end-to-end tests: generated consortia whose nodes run as real processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import pytest

from tests.e2e.harness import Cluster
from tests.e2e.transactions import Registrations

THREE_ORGS: Final = ("manufacturer", "distributor", "regulator")
FIVE_ORGS: Final = ("manufacturer", "distributor", "logistics", "pharmacy", "regulator")
BIG_BATCH: Final = 2000
SHARED_LIMITS: Final = {
    "max_body_bytes": 2 * 1024 * 1024,
    "max_batch": BIG_BATCH,
    "max_tx_bytes": 4096,
}
"""API limits of the shared 3-node network: a batch of ``BIG_BATCH`` registrations fits,
and the oversize classes stay cheap to hit."""

ClusterFactory = Callable[..., Cluster]


def running_cluster(
    directory: Path, orgs: Sequence[str], settings: Mapping[str, Mapping[str, Any]]
) -> Cluster:
    cluster = Cluster(directory, orgs, settings)
    try:
        cluster.start_all()
        cluster.wait_leader()
    except BaseException:
        cluster.close()
        raise
    return cluster


@pytest.fixture(scope="package")
def three_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A 3-node network shared by the tests that leave every node running."""
    cluster = running_cluster(
        tmp_path_factory.mktemp("three"), THREE_ORGS, {"limits": SHARED_LIMITS}
    )
    yield cluster
    cluster.close()


@pytest.fixture
def make_cluster(tmp_path: Path) -> Iterator[ClusterFactory]:
    """Start a network of one's own; every one started is killed after the test."""
    clusters: list[Cluster] = []

    def make(
        orgs: Sequence[str], settings: Mapping[str, Mapping[str, Any]] | None = None
    ) -> Cluster:
        cluster = running_cluster(tmp_path / f"net{len(clusters)}", orgs, settings or {})
        clusters.append(cluster)
        return cluster

    yield make
    for cluster in clusters:
        cluster.close()


def registrations(cluster: Cluster) -> Registrations:
    """Product registrations signed by the manufacturer's operator (role MANUFACTURER)."""
    return Registrations(cluster.chain_id, cluster.member_key("manufacturer", "operator"))
