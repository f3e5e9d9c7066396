"""Where a benchmark ran and who used the CPU while it was measuring (Linux /proc).

A result is only comparable with the machine it came from: cores, CPU model, and how busy
the machine already was (other users' load skews every number). During the measured window
:class:`CpuWatch` takes the CPU seconds of each node process, of the load generator (this
process and its reaped worker processes) and of the whole machine, so a report can say what
was saturated.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

PROC: Final = Path("/proc")
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Machine:
    cores: int
    cpu_model: str
    load_average: tuple[float, float, float]

    @classmethod
    def now(cls) -> Machine:
        return cls(os.cpu_count() or 1, cpu_model(), os.getloadavg())

    def to_json(self) -> dict[str, Any]:
        return {
            "cores": self.cores,
            "cpu_model": self.cpu_model,
            "load_average_1_5_15": [round(v, 2) for v in self.load_average],
        }


def cpu_model(cpuinfo: Path = PROC / "cpuinfo") -> str:
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == "model name":
                return value.strip()
    except OSError:
        pass
    return "unknown"


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a live process; None when it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    # fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_cpu_s(stat: Path = PROC / "stat") -> tuple[float, float]:
    """(busy, total) CPU seconds of all cores since boot."""
    first = stat.read_text(encoding="ascii").splitlines()[0].split()
    values = [int(v) for v in first[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values)
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


@dataclass(slots=True)
class CpuWatch:
    """CPU use over a window, as a share of one core (1.0 = one core fully busy)."""

    pids: Mapping[str, int]
    """Label → pid of each node process to watch."""
    _start: dict[str, float | None] = field(default_factory=dict)
    _machine: tuple[float, float] = (0.0, 0.0)
    _wall: float | None = None

    def start(self) -> None:
        self._start = {label: process_cpu_s(pid) for label, pid in self.pids.items()}
        self._machine = machine_cpu_s()
        self._wall = time.monotonic()

    def stop(self, generator_cpu_s: float) -> dict[str, float]:
        """Shares of each node, of the load generator (its CPU seconds in the window, as
        the workers measured them), of the whole machine, and of everything else."""
        if self._wall is None:
            return {}
        elapsed = time.monotonic() - self._wall
        if elapsed <= 0:
            return {}
        shares: dict[str, float] = {}
        for label, pid in self.pids.items():
            before, after = self._start.get(label), process_cpu_s(pid)
            if before is not None and after is not None:
                shares[label] = (after - before) / elapsed
        shares["load generator"] = generator_cpu_s / elapsed
        busy, total = machine_cpu_s()
        machine = (busy - self._machine[0]) / elapsed
        ours = sum(shares.values())
        shares["others"] = max(0.0, machine - ours)
        shares["machine busy"] = machine
        shares["machine capacity"] = (total - self._machine[1]) / elapsed
        return {label: round(value, 2) for label, value in shares.items()}
