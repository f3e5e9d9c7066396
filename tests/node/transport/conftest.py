"""Fixtures: one throwaway PKI per test session, a log signal, and a self-closing cluster."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.node.transport.harness import Cluster, LogSignal
from tests.node.transport.pki import Authority, NodeCreds, issue_node, make_authority


@dataclass(frozen=True, slots=True)
class Pki:
    org_a: Authority
    org_b: Authority
    rogue: Authority
    nodes: dict[int, NodeCreds]
    stranger: NodeCreds
    """Issued by a trusted CA (org A) but pinned in no peer table."""
    impostor: NodeCreds
    """Issued by the rogue CA, which no node trusts."""


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder: Path = tmp_path_factory.mktemp("pki")
    org_a, org_b, rogue = make_authority("org-a"), make_authority("org-b"), make_authority("rogue")
    nodes = {
        node_id: issue_node(org_a if node_id % 2 else org_b, f"node{node_id}", folder)
        for node_id in (1, 2, 3, 4)
    }
    return Pki(
        org_a=org_a,
        org_b=org_b,
        rogue=rogue,
        nodes=nodes,
        stranger=issue_node(org_a, "stranger", folder),
        impostor=issue_node(rogue, "impostor", folder),
    )


@pytest.fixture
def signal() -> Iterator[LogSignal]:
    handler = LogSignal()
    logger = logging.getLogger("node.transport")
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(previous)


@pytest.fixture
async def cluster(pki: Pki) -> AsyncIterator[Cluster]:
    nodes = Cluster(trusted=(pki.org_a, pki.org_b))
    yield nodes
    await nodes.close()
