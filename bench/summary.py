"""The median of repeated runs of one benchmark (DESIGN.md asks for ≥ 3 runs each)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from bench.report import BenchReport


def headline(report: BenchReport) -> dict[str, float]:
    """The numbers a run is compared by: rates, latency percentiles, numeric figures."""
    numbers: dict[str, float] = {}
    load = report.load
    if load is not None:
        numbers["requests ok /s" if load.kind == "requests" else "committed ok /s"] = load.ok_per_s
        if report.units:
            numbers[f"{report.units} /s"] = load.units_per_s
        if load.latency is not None:
            numbers["latency p50 ms"] = load.latency.p50 * 1000
            numbers["latency p95 ms"] = load.latency.p95 * 1000
            numbers["latency p99 ms"] = load.latency.p99 * 1000
        numbers["errors"] = float(sum(load.errors.values()))
    for name, value in report.figures.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            numbers[name] = float(value)
    return numbers


def median_of(reports: Sequence[BenchReport]) -> dict[str, Any]:
    """Per headline number: the median over runs, and every run's value."""
    rows = [headline(r) for r in reports]
    names = [name for name in rows[0] if all(name in row for row in rows)] if rows else []
    return {
        name: {
            "median": round(statistics.median(row[name] for row in rows), 3),
            "runs": [round(row[name], 3) for row in rows],
        }
        for name in names
    }
