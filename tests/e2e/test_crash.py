"""Crash safety (issue 4 item 3): SIGKILL nodes of a loaded 3-node network again and again.

A load thread submits batches with ``wait=true`` to random nodes and keeps every receipt
the API answered ``committed``. Meanwhile a seeded schedule SIGKILLs a node — the leader
about every other time — at a random instant, restarts it at once, and waits for it to answer
``/health`` before the next kill (so at most one node is down: the other two are a quorum).
Now and then the restarted node is killed again while it starts (recovery itself must be
crash-safe). At the end every acknowledged transaction is in the chain at its receipt's place
with code ``ok``, executed once, and every node serves the same block hash at every height and
signs the same state root. Reproduce a failure with ``RXL_E2E_SEED=<seed printed>``.
"""

from __future__ import annotations

import os
import random
import secrets
import threading
import time
from collections import Counter
from functools import partial

import pytest

from tests.e2e.conftest import THREE_ORGS, ClusterFactory, registrations
from tests.e2e.harness import Cluster
from tests.e2e.load import Load

pytestmark = pytest.mark.e2e

KILLS = 12
PAUSE_BETWEEN_KILLS_S = (0.5, 3.0)
DOWN_FOR_S = (0.0, 1.0)
BATCH = (1, 60)
KILL_WHILE_STARTING = 0.2
"""How often a restarted node is killed again before it answers (crash during recovery)."""
WAIT_S = 5.0
SAMPLE_RECEIPTS = 30


def _victim(cluster: Cluster, rng: random.Random) -> int:
    if rng.random() < 0.5:
        leader = next(
            (h["leader_id"] for n in cluster.ids if (h := cluster.health(n)) and h["leader_id"]),
            None,
        )
        if leader is not None:
            return int(leader)
    return rng.choice(cluster.ids)


def test_acknowledged_transactions_survive_repeated_sigkills(
    make_cluster: ClusterFactory,
) -> None:
    seed = int(os.environ.get("RXL_E2E_SEED") or secrets.randbits(32))
    print(f"crash test seed {seed} (rerun with RXL_E2E_SEED={seed})")
    rng = random.Random(seed)
    cluster = make_cluster(THREE_ORGS)
    load = Load(
        cluster,
        registrations(cluster),
        batch=BATCH,
        wait_s=WAIT_S,
        rng=random.Random(rng.getrandbits(32)),
    )
    pause = threading.Event()  # never set: an interruptible wait for the schedule's instants
    kills: Counter[str] = Counter()
    load.start()
    try:
        for _ in range(KILLS):
            pause.wait(rng.uniform(*PAUSE_BETWEEN_KILLS_S))
            victim = _victim(cluster, rng)
            health = cluster.health(victim)
            kills["leader" if health and health["role"] == "leader" else "follower"] += 1
            cluster.kill(victim)
            pause.wait(rng.uniform(*DOWN_FOR_S))
            cluster.start(victim)
            if rng.random() < KILL_WHILE_STARTING:
                pause.wait(rng.uniform(0.5, 3.0))
                kills["starting"] += 1
                cluster.kill(victim)
                cluster.start(victim)
            cluster.wait_for(
                f"node {victim} answers after its restart (seed {seed})",
                partial(cluster.health, victim),
                60.0,
            )
            assert not cluster.exit_codes(), f"a node died by itself (seed {seed})"
        # Let the load see a few commits on the final configuration, then drain.
        acknowledged = len(load.report.acknowledged)
        cluster.wait_for(
            f"commits continue after the last restart (seed {seed})",
            partial(load.acknowledged_beyond, acknowledged),
            60.0,
        )
    finally:
        report = load.stop()
    print(f"kills: {dict(kills)}; load: {report.summary()}")

    assert report.acknowledged, f"nothing was acknowledged (seed {seed})"
    chain = cluster.assert_same_chain()
    places: dict[str, list[tuple[int, int, str]]] = {}
    for height, tx_ids in chain.tx_ids.items():
        for index, tx_id in enumerate(tx_ids):
            places.setdefault(tx_id, []).append((height, index, chain.results[height][index]))
    for tx_id, receipt in report.acknowledged.items():
        executed = [p for p in places.get(tx_id, []) if p[2] == "ok"]
        assert executed == [(receipt["height"], receipt["index"], "ok")], (
            f"acknowledged {tx_id} at {receipt['height']}/{receipt['index']}, the chain has "
            f"{places.get(tx_id)} (seed {seed})"
        )
    sample = random.Random(seed).sample(
        sorted(report.acknowledged), min(SAMPLE_RECEIPTS, len(report.acknowledged))
    )
    for node_id in cluster.ids:
        for tx_id in sample:
            assert cluster.receipt(node_id, tx_id) == report.acknowledged[tx_id], (node_id, seed)
    for node_id in cluster.ids:
        health = cluster.health(node_id)
        assert health is not None
        assert health["fork_alarm"] is None, (health, seed)
    assert time.monotonic() - report.started >= 0
