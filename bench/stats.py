"""Merging what the workers saw into one result: rates, latency percentiles, errors."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.worker import Outcome


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in (0, 100]) of an ascending, non-empty sequence."""
    if not sorted_values:
        raise ValueError("no values")
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    rank = math.ceil(p / 100 * len(sorted_values))
    return sorted_values[rank - 1]


@dataclass(frozen=True, slots=True)
class Latency:
    """Seconds; from ``count`` samples."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float
    mean: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Latency | None:
        if not values:
            return None
        ordered = sorted(values)
        return cls(
            count=len(ordered),
            p50=percentile(ordered, 50),
            p95=percentile(ordered, 95),
            p99=percentile(ordered, 99),
            max=ordered[-1],
            mean=sum(ordered) / len(ordered),
        )

    def as_ms(self) -> dict[str, float | int]:
        return {
            "count": self.count,
            "p50_ms": round(self.p50 * 1000, 2),
            "p95_ms": round(self.p95 * 1000, 2),
            "p99_ms": round(self.p99 * 1000, 2),
            "max_ms": round(self.max * 1000, 2),
            "mean_ms": round(self.mean * 1000, 2),
        }


@dataclass(frozen=True, slots=True)
class LoadResult:
    """One measured load: ``sent`` transactions (or requests), of which ``committed``
    committed (any code) and ``ok`` committed with code ``ok`` carrying ``units_ok`` units
    (codes); ``elapsed_s`` runs from the common start to the last answer of any worker.
    ``errors`` counts every final code other than ``ok``."""

    workers: int
    kind: str
    """``transactions`` (submissions) or ``requests`` (reads)."""
    sent: int
    committed: int
    ok: int
    units_ok: int
    elapsed_s: float
    generator_cpu_s: float
    latency: Latency | None
    errors: dict[str, int]
    messages: dict[str, str]

    @property
    def ok_per_s(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def committed_per_s(self) -> float:
        return self.committed / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def units_per_s(self) -> float:
        return self.units_ok / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "kind": self.kind,
            "sent": self.sent,
            "committed": self.committed,
            "ok": self.ok,
            "units_ok": self.units_ok,
            "elapsed_s": round(self.elapsed_s, 3),
            "committed_per_s": round(self.committed_per_s, 1),
            "ok_per_s": round(self.ok_per_s, 1),
            "units_per_s": round(self.units_per_s, 1),
            "latency": None if self.latency is None else self.latency.as_ms(),
            "errors": dict(sorted(self.errors.items())),
            "error_messages": dict(sorted(self.messages.items())),
        }


def merge(outcomes: Sequence[Outcome], *, kind: str) -> LoadResult:
    codes: Counter[str] = Counter()
    messages: dict[str, str] = {}
    latencies: list[float] = []
    for outcome in outcomes:
        codes.update(outcome.codes)
        for code, message in outcome.messages.items():
            messages.setdefault(code, message)
        latencies.extend(outcome.latencies_s)
    codes.pop("ok", None)
    return LoadResult(
        workers=len(outcomes),
        kind=kind,
        sent=sum(o.sent for o in outcomes),
        committed=sum(o.committed for o in outcomes),
        ok=sum(o.ok for o in outcomes),
        units_ok=sum(o.units_ok for o in outcomes),
        elapsed_s=max((o.elapsed_s for o in outcomes), default=0.0),
        generator_cpu_s=sum(o.cpu_s for o in outcomes),
        latency=Latency.of(latencies),
        errors=dict(codes),
        messages=messages,
    )
