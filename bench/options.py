"""The knobs every load benchmark shares (the CLI's common options)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.plan import DEFAULT_WAIT_TIMEOUT_S, Pace


@dataclass(frozen=True, slots=True)
class LoadOptions:
    apis: tuple[str, ...]
    workers: int = 2
    batch: int = 50
    concurrency: int = 4
    rate: float | None = None
    duration_s: float | None = None
    wait_timeout_s: float = DEFAULT_WAIT_TIMEOUT_S

    @property
    def pace(self) -> Pace:
        return Pace(concurrency=self.concurrency, rate=self.rate, duration_s=self.duration_s)

    def pace_for(self, default_duration_s: float) -> Pace:
        """The pace, with ``default_duration_s`` when no duration was given."""
        duration = self.duration_s if self.duration_s is not None else default_duration_s
        return Pace(concurrency=self.concurrency, rate=self.rate, duration_s=duration)

    def to_json(self) -> dict[str, Any]:
        return {
            "apis": list(self.apis),
            "workers": self.workers,
            "batch": self.batch,
            "concurrency": self.concurrency,
            "rate": self.rate,
            "duration_s": self.duration_s,
            "wait_timeout_s": self.wait_timeout_s,
        }
