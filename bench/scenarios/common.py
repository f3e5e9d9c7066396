"""What every scenario does around its measurement: find node processes, watch the CPU."""

from __future__ import annotations

from collections.abc import Callable

from bench.consortium import Consortium
from bench.engine import run_reads, run_submits
from bench.machine import CpuWatch
from bench.plan import ReadPlan, SubmitPlan
from bench.stats import LoadResult
from network.processes import running_node

Progress = Callable[[str], None]


def node_pids(consortium: Consortium | None) -> dict[str, int]:
    """Label → pid of each running local node (none when the nodes are not local)."""
    if consortium is None:
        return {}
    found = {}
    for node in consortium.nodes:
        record = running_node(node.paths.pid)
        if record is not None:
            found[f"node {node.node_id} ({node.org})"] = record.pid
    return found


def measure_submits(
    plan: SubmitPlan, pids: dict[str, int], say: Progress
) -> tuple[LoadResult, dict[str, float]]:
    watch = CpuWatch(pids)
    result = run_submits(plan, progress=say, on_start=watch.start)
    return result, watch.stop(result.generator_cpu_s)


def measure_reads(
    plan: ReadPlan, pids: dict[str, int], say: Progress
) -> tuple[LoadResult, dict[str, float]]:
    watch = CpuWatch(pids)
    result = run_reads(plan, progress=say, on_start=watch.start)
    return result, watch.stop(result.generator_cpu_s)
