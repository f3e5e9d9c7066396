"""A benchmark's result as a table for people and JSON for machines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.machine import Machine
from bench.stats import LoadResult


@dataclass(frozen=True, slots=True)
class BenchReport:
    """One benchmark run: what was asked, what was measured, on what machine.

    ``figures`` are the benchmark's own headline numbers (e.g. catch-up rate, seconds to
    read a batch history); ``units`` names what ``LoadResult.units_ok`` counts (codes for
    commissioning) or is empty when units equal transactions.
    """

    benchmark: str
    target: str
    parameters: dict[str, Any]
    machine: Machine
    load: LoadResult | None = None
    units: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "target": self.target,
            "parameters": self.parameters,
            "machine": self.machine.to_json(),
            "load": None if self.load is None else self.load.to_json(),
            "units": self.units or None,
            "figures": self.figures,
            "cpu_cores_used": self.cpu,
            "notes": list(self.notes),
        }


def render(report: BenchReport, console: Console) -> None:
    table = Table(title=f"rxl bench {report.benchmark}", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in _rows(report):
        table.add_row(name, value)
    console.print(table)
    if report.load is not None and report.load.errors:
        errors = Table(title="errors by code")
        errors.add_column("code")
        errors.add_column("count", justify="right")
        errors.add_column("first message")
        for code, count in sorted(report.load.errors.items()):
            errors.add_row(code, str(count), report.load.messages.get(code, ""))
        console.print(errors)
    if report.cpu:
        cpu = Table(title="CPU in the measured window (cores)")
        cpu.add_column("process")
        cpu.add_column("cores", justify="right")
        for label, cores in report.cpu.items():
            cpu.add_row(label, f"{cores:.2f}")
        console.print(cpu)
    machine = report.machine
    averages = ", ".join(f"{v:.2f}" for v in machine.load_average)
    console.print(
        f"target: {report.target}\nmachine: {machine.cores} cores, {machine.cpu_model}; "
        f"load average before the run {averages}"
    )
    for note in report.notes:
        console.print(f"note: {note}")


def _rows(report: BenchReport) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    load = report.load
    if load is not None and load.kind == "requests":
        rows += [
            ("workers", str(load.workers)),
            ("requests sent", f"{load.sent:,}"),
            ("answered ok", f"{load.ok:,}"),
            ("elapsed", f"{load.elapsed_s:.2f} s"),
            ("requests ok /s", f"{load.ok_per_s:,.0f}"),
        ]
    elif load is not None:
        rows += [
            ("workers", str(load.workers)),
            ("transactions sent", f"{load.sent:,}"),
            ("committed", f"{load.committed:,}"),
            ("committed ok", f"{load.ok:,}"),
            ("elapsed", f"{load.elapsed_s:.2f} s"),
            ("committed ok /s", f"{load.ok_per_s:,.0f}"),
        ]
        if report.units:
            rows.append((f"{report.units} /s", f"{load.units_per_s:,.0f}"))
    if load is not None:
        if load.latency is not None:
            latency = load.latency
            rows += [
                ("latency p50", f"{latency.p50 * 1000:.1f} ms"),
                ("latency p95", f"{latency.p95 * 1000:.1f} ms"),
                ("latency p99", f"{latency.p99 * 1000:.1f} ms"),
                ("latency max", f"{latency.max * 1000:.1f} ms"),
            ]
        rows.append(("errors", f"{sum(load.errors.values()):,}"))
    rows += [(name, _text(value)) for name, value in report.figures.items()]
    return rows


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
