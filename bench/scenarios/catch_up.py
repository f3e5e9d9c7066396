"""A restarted node catching up: how fast it replays what it missed.

1. Prepare single-event transactions (bench.scenarios.single_event) and wait until the
   chosen follower is current.
2. Stop that follower (SIGTERM, as `rxl network down` does) and commit the transactions
   through the other nodes: the rate the cluster committed while it was down.
3. Start it again (as `rxl network up` does) and poll its ``/health`` until its height
   reaches the leader's height at restart: the catch-up rate, from the start of the
   process (startup included) and from its first answer.

The target compares the two: a restarted node should replay ≥ 5× faster than the cluster
committed. Only for a local network (`--network-dir`), whose processes this can stop.
"""

from __future__ import annotations

import time
from typing import Any, Final

import httpx

from bench import setup
from bench.consortium import Consortium
from bench.errors import BenchError
from bench.ledger import LedgerClient
from bench.machine import Machine
from bench.options import LoadOptions
from bench.plan import SubmitPlan
from bench.report import BenchReport
from bench.scenarios import single_event
from bench.scenarios.common import Progress, measure_submits, node_pids
from network.local import LocalNode
from network.processes import PidRecord, running_node, spawn_node, stop_all, write_pid

NAME: Final = "catch-up"
TARGET: Final = "restarted node catches up at ≥ 5× the commit rate it missed"
POLL_S: Final = 0.05
CATCH_UP_LIMIT_S: Final = 600.0


def _height(client: httpx.Client, node: LocalNode) -> dict[str, Any] | None:
    try:
        body = client.get(f"{node.api_url}/health", timeout=2.0).json()
    except (httpx.HTTPError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def _leader(client: httpx.Client, consortium: Consortium) -> LocalNode:
    for node in consortium.nodes:
        health = _height(client, node)
        if health is not None and isinstance(health.get("leader_id"), int):
            return consortium.node(health["leader_id"])
    raise BenchError("no node names a leader; start the network (rxl network up) and retry")


def _highest(client: httpx.Client, nodes: list[LocalNode]) -> int:
    """The highest height any of ``nodes`` reports (the leader may have changed)."""
    heights = [int(h.get("height", 0)) for h in (_height(client, n) for n in nodes) if h]
    if not heights:
        raise BenchError("no running node answers /health; is the network up?")
    return max(heights)


def _wait_height(
    client: httpx.Client, node: LocalNode, height: int, limit_s: float
) -> tuple[float | None, float]:
    """Poll until ``node`` reports ``height``: (seconds to its first answer, seconds to done)."""
    started = time.perf_counter()
    first_answer: float | None = None
    while True:
        health = _height(client, node)
        now = time.perf_counter() - started
        if health is not None:
            first_answer = now if first_answer is None else first_answer
            if int(health.get("height", -1)) >= height:
                return first_answer, now
        if now > limit_s:
            raise BenchError(
                f"node {node.node_id} did not reach height {height} within {limit_s:.0f} s; "
                f"read {node.paths.log}"
            )
        time.sleep(POLL_S)


def run(
    consortium: Consortium,
    options: LoadOptions,
    *,
    node_id: int | None,
    count: int,
    say: Progress,
) -> BenchReport:
    machine = Machine.now()
    with httpx.Client() as http:
        leader = _leader(http, consortium)
        followers = [n for n in consortium.nodes if n.node_id != leader.node_id]
        victim = consortium.node(node_id) if node_id is not None else followers[0]
        if victim.node_id == leader.node_id:
            raise BenchError(f"node {victim.node_id} is the leader; name a follower with --node")
        survivors = tuple(n.api_url for n in consortium.nodes if n is not victim)
        keys = setup.load_keys(consortium)
        with LedgerClient(survivors[0], consortium.chain_id, keys) as client:
            events = single_event.prepare(client, count, say)
            target = int(client.health()["height"])
        _wait_height(http, victim, target, CATCH_UP_LIMIT_S)
        record = running_node(victim.paths.pid)
        if record is None:
            raise BenchError(f"node {victim.node_id} is not running as a local process")
        say(f"stopping node {victim.node_id} ({victim.org}) at height {target}")
        stop_all([record.pid], grace_s=10.0)
        try:
            plan = SubmitPlan(
                chain_id=consortium.chain_id,
                apis=survivors,
                seeds=setup.seeds(keys),
                txs=tuple(events),
                batch=options.batch,
                workers=options.workers,
                pace=options.pace,
                wait_timeout_s=options.wait_timeout_s,
            )
            pids = {k: v for k, v in node_pids(consortium).items() if v != record.pid}
            result, cpu = measure_submits(plan, pids, say)
            missed_height = _highest(http, [n for n in consortium.nodes if n is not victim])
        finally:
            say(f"restarting node {victim.node_id}")
            pid = spawn_node(victim.paths.node_config, victim.paths.log)
            write_pid(victim.paths.pid, PidRecord(pid, victim.paths.node_config))
        first_answer, caught_up = _wait_height(http, victim, missed_height, CATCH_UP_LIMIT_S)
    missed_rate = result.committed_per_s
    replay_rate = result.committed / caught_up if caught_up > 0 else 0.0
    replay_after_start = (
        result.committed / (caught_up - first_answer)
        if first_answer is not None and caught_up > first_answer
        else 0.0
    )
    return BenchReport(
        benchmark=NAME,
        target=TARGET,
        parameters={**options.to_json(), "apis": list(survivors), "stopped_node": victim.node_id},
        machine=machine,
        load=result,
        figures={
            "blocks missed": missed_height - target,
            "transactions missed": result.committed,
            "commit rate while down (tx/s)": round(missed_rate, 1),
            "catch-up s (process start → current)": round(caught_up, 3),
            "catch-up s (first /health → current)": round(caught_up - (first_answer or 0.0), 3),
            "catch-up tx/s (from process start)": round(replay_rate, 1),
            "catch-up tx/s (from first /health)": round(replay_after_start, 1),
            "ratio (from process start)": round(replay_rate / missed_rate, 2) if missed_rate else 0,
        },
        cpu=cpu,
        notes=(
            "the load rows are the transactions committed while the node was down",
            "catch-up has no competing load: the other nodes are idle while it replays",
        ),
    )
