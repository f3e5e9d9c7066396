"""Percentiles, merging worker outcomes, the median over runs."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.machine import Machine
from bench.report import BenchReport
from bench.stats import Latency, merge, percentile
from bench.summary import median_of
from bench.worker import Outcome


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 1) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="p must be"):
        percentile(values, 0)


def test_latency_summary_orders_its_samples() -> None:
    latency = Latency.of([0.3, 0.1, 0.2, 0.4])
    assert latency is not None
    assert (latency.count, latency.p50, latency.p99, latency.max) == (4, 0.2, 0.4, 0.4)
    assert latency.mean == pytest.approx(0.25)
    assert Latency.of([]) is None


def test_merge_adds_counts_keeps_first_messages_and_the_longest_elapsed() -> None:
    a = Outcome(0, sent=5, committed=4, ok=3, units_ok=30, elapsed_s=2.0, cpu_s=0.5)
    a.latencies_s = [0.1, 0.2, 0.3, 0.4]
    a.codes = Counter({"ok": 3, "trace.not_owner": 1, "node.no_leader": 1})
    a.messages = {"trace.not_owner": "first"}
    b = Outcome(1, sent=5, committed=5, ok=5, units_ok=50, elapsed_s=4.0, cpu_s=0.25)
    b.latencies_s = [0.5] * 5
    b.codes = Counter({"ok": 5})
    b.messages = {"trace.not_owner": "second"}
    result = merge([a, b], kind="transactions")
    assert (result.sent, result.committed, result.ok, result.units_ok) == (10, 9, 8, 80)
    assert result.errors == {"trace.not_owner": 1, "node.no_leader": 1}
    assert result.messages == {"trace.not_owner": "first"}
    assert result.elapsed_s == 4.0
    assert result.generator_cpu_s == 0.75
    assert (result.ok_per_s, result.units_per_s) == (2.0, 20.0)
    assert result.latency is not None
    assert result.latency.count == 9
    assert result.to_json()["errors"] == {"node.no_leader": 1, "trace.not_owner": 1}


def test_median_of_runs_covers_rates_latency_and_numeric_figures() -> None:
    machine = Machine(2, "cpu", (0.0, 0.0, 0.0))

    def report(ok: int, elapsed: float, figure: float) -> BenchReport:
        outcome = Outcome(0, sent=ok, committed=ok, ok=ok, units_ok=ok, elapsed_s=elapsed)
        outcome.latencies_s = [elapsed / 10]
        return BenchReport(
            "x",
            "t",
            {},
            machine,
            load=merge([outcome], kind="transactions"),
            figures={"seconds": figure, "label": "text"},
        )

    summary = median_of([report(100, 1.0, 3.0), report(100, 2.0, 1.0), report(100, 4.0, 2.0)])
    assert summary["committed ok /s"] == {"median": 50.0, "runs": [100.0, 50.0, 25.0]}
    assert summary["seconds"]["median"] == 2.0
    assert summary["latency p50 ms"]["median"] == 200.0
    assert "label" not in summary


def test_the_stuck_bound_covers_the_schedule_and_every_request_timing_out() -> None:
    from bench.engine import worst_case_s
    from bench.plan import Pace

    open_loop = Pace(concurrency=32, rate=1500.0, duration_s=10.0)
    assert worst_case_s(open_loop, 15_000, 150, 45.0) == 10.0 + 5 * 45.0
    assert worst_case_s(Pace(concurrency=4), 100, 10, 30.0) == 3 * 30.0
    assert worst_case_s(Pace(concurrency=2, rate=10.0), 50, 1, 5.0) == 5.0 + 5.0
