"""Small builders shared by the consensus unit tests."""

from __future__ import annotations

import random

from consensus import Config, ConfState, MemoryStorage, Message, NodeId, RawNode
from consensus.raft import Raft
from consensus.testing.scenario import Cluster


def n(i: int) -> NodeId:
    return NodeId(i)


def voters(*ids: int) -> ConfState:
    return ConfState(frozenset(NodeId(i) for i in ids))


def cluster(
    voter_count: int = 3, learners: int = 0, spares: int = 0, **knobs: int | bool
) -> Cluster:
    c = Cluster()
    c.setup(voter_count, learners, spares, **knobs)
    return c


def elect(c: Cluster, node: int = 1) -> None:
    c.nodes[n(node)].node().campaign()
    c.stabilize()


def raft_of(c: Cluster, node: int) -> Raft:
    return c.nodes[n(node)].node()._raft


def lone_node(
    node: int = 1, conf: ConfState | None = None, **knobs: int | bool
) -> tuple[RawNode, MemoryStorage]:
    storage = MemoryStorage()
    storage.bootstrap(conf or voters(1, 2, 3))
    cfg = Config(id=n(node), **knobs)  # type: ignore[arg-type]
    return RawNode(cfg, storage, random.Random(node)), storage


def drain(raw: RawNode, storage: MemoryStorage) -> list[Message]:
    """Handle every Ready of a node that is not part of a Cluster; return its messages."""
    out: list[Message] = []
    while raw.has_ready():
        rd = raw.ready()
        if rd.snapshot is not None:
            storage.apply_snapshot(rd.snapshot)
        storage.append(rd.entries)
        if rd.hard_state is not None:
            storage.set_hard_state(rd.hard_state)
        out.extend(rd.messages)
        raw.advance(rd)
    return out
