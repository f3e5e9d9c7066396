"""Cold-chain maths: mean kinetic temperature, range and sampling-gap statistics.

Inputs are integers so ledger state never holds floats: a `Reading` is
`(time_ms, milli_celsius)` — Unix milliseconds and thousandths of a degree Celsius.

Durations (the weight tᵢ of each reading): reading i stands for the time from its
timestamp until the next reading, but at most `interval_ms + tolerance_ms`; when the next
reading comes later than that, reading i stands for exactly one nominal interval and the
rest of the wait is a *gap* (unknown time, counted in the blind-spot percentage and not in
the MKT). The last reading stands for one nominal interval. Timestamps must strictly
increase.

MKT (USP <1079.2>, STANDARDS.md): `T_mkt = (ΔH/R) / −ln(Σ tᵢ·exp(−ΔH/(R·Tᵢ)) / Σ tᵢ)` with
ΔH/R = 10 000 K and Tᵢ = °C + 273.15, computed with `decimal` at 50 significant digits and
rounded half-even to 0.01 °C, so every peer gets the same digits.

Exception tree::

    ValueError
    └── ColdChainError      bad readings (order, empty, bad interval); `.reason` one line
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal

__all__ = [
    "ColdChainError",
    "ColdChainSummary",
    "GapStats",
    "Reading",
    "gap_stats",
    "mean_kinetic_temperature",
    "milli_celsius",
    "minutes_out_of_range",
    "reading_durations",
    "summarize",
]

DELTA_H_OVER_R = Decimal(10000)
KELVIN_OFFSET = Decimal("273.15")
_CTX = Context(prec=50, rounding=ROUND_HALF_EVEN)
_CENTI = Decimal("0.01")
_MILLI = Decimal("0.001")


class ColdChainError(ValueError):
    """Readings that cannot be evaluated; `reason` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Reading:
    """One logger sample: Unix time in ms and temperature in thousandths of °C."""

    time_ms: int
    milli_celsius: int


@dataclass(frozen=True, slots=True)
class GapStats:
    """Sampling gaps against the nominal interval."""

    gap_count: int
    longest_gap_ms: int
    gap_ms: int
    span_ms: int

    @property
    def blind_spot_percent(self) -> Decimal:
        """Unknown time as a percentage of the span, 2 decimals."""
        if self.span_ms == 0:
            return Decimal("0.00")
        ratio = _CTX.divide(Decimal(self.gap_ms) * 100, Decimal(self.span_ms))
        return ratio.quantize(_CENTI, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class ColdChainSummary:
    """Everything `summarize` computes, as exact decimals and integers."""

    readings: int
    mkt_celsius: Decimal
    min_celsius: Decimal
    max_celsius: Decimal
    minutes_out_of_range: Decimal | None
    gaps: GapStats


def milli_celsius(value: Decimal | str) -> int:
    """Convert a °C decimal (at most 3 decimals) to integer thousandths of a degree."""
    number = Decimal(value)
    if not number.is_finite():
        raise ColdChainError(f"temperature {value!r} is not a finite number")
    scaled = number * 1000
    if scaled != scaled.to_integral_value():
        raise ColdChainError(f"temperature {value!r} has more than 3 decimals")
    return int(scaled)


def _check(readings: Sequence[Reading], interval_ms: int) -> None:
    if not readings:
        raise ColdChainError("no readings")
    if interval_ms <= 0:
        raise ColdChainError("nominal interval must be positive")
    for index in range(1, len(readings)):
        if readings[index].time_ms <= readings[index - 1].time_ms:
            raise ColdChainError(
                f"reading {index} at {readings[index].time_ms} ms is not after reading"
                f" {index - 1} at {readings[index - 1].time_ms} ms"
            )


def _tolerance(interval_ms: int, tolerance_ms: int | None) -> int:
    return interval_ms // 2 if tolerance_ms is None else tolerance_ms


def reading_durations(
    readings: Sequence[Reading], interval_ms: int, tolerance_ms: int | None = None
) -> list[int]:
    """The weight in ms of every reading (see the module docstring)."""
    _check(readings, interval_ms)
    limit = interval_ms + _tolerance(interval_ms, tolerance_ms)
    durations = []
    for current, following in itertools.pairwise(readings):
        step = following.time_ms - current.time_ms
        durations.append(step if step <= limit else interval_ms)
    durations.append(interval_ms)
    return durations


def gap_stats(
    readings: Sequence[Reading], interval_ms: int, tolerance_ms: int | None = None
) -> GapStats:
    """Count gaps (a step longer than interval + tolerance) and the unknown time they leave."""
    _check(readings, interval_ms)
    limit = interval_ms + _tolerance(interval_ms, tolerance_ms)
    gaps = [
        b.time_ms - a.time_ms - interval_ms
        for a, b in itertools.pairwise(readings)
        if b.time_ms - a.time_ms > limit
    ]
    span = readings[-1].time_ms - readings[0].time_ms + interval_ms
    return GapStats(len(gaps), max(gaps, default=0), sum(gaps), span)


def mean_kinetic_temperature(
    readings: Sequence[Reading], interval_ms: int, tolerance_ms: int | None = None
) -> Decimal:
    """MKT in °C rounded half-even to 0.01, duration-weighted (see the module docstring)."""
    durations = reading_durations(readings, interval_ms, tolerance_ms)
    weighted = Decimal(0)
    for reading, duration in zip(readings, durations, strict=True):
        kelvin = _CTX.add(Decimal(reading.milli_celsius) * _MILLI, KELVIN_OFFSET)
        exponent = _CTX.divide(-DELTA_H_OVER_R, kelvin)
        weighted = _CTX.add(weighted, _CTX.multiply(Decimal(duration), exponent.exp(_CTX)))
    mean = _CTX.divide(weighted, Decimal(sum(durations)))
    kelvin_mkt = _CTX.divide(DELTA_H_OVER_R, -mean.ln(_CTX))
    return _CTX.subtract(kelvin_mkt, KELVIN_OFFSET).quantize(_CENTI, rounding=ROUND_HALF_EVEN)


def minutes_out_of_range(
    readings: Sequence[Reading],
    low_milli: int | None,
    high_milli: int | None,
    interval_ms: int,
    tolerance_ms: int | None = None,
) -> Decimal:
    """Minutes (2 decimals) of readings outside [low, high]; bounds are inclusive."""
    durations = reading_durations(readings, interval_ms, tolerance_ms)
    outside = sum(
        duration
        for reading, duration in zip(readings, durations, strict=True)
        if (low_milli is not None and reading.milli_celsius < low_milli)
        or (high_milli is not None and reading.milli_celsius > high_milli)
    )
    return _CTX.divide(Decimal(outside), Decimal(60_000)).quantize(_CENTI)


def summarize(
    readings: Sequence[Reading],
    *,
    interval_ms: int,
    low_milli: int | None = None,
    high_milli: int | None = None,
    tolerance_ms: int | None = None,
) -> ColdChainSummary:
    """MKT, min, max, time out of range (when a bound is given) and gap statistics."""
    temperatures = [Decimal(r.milli_celsius) * _MILLI for r in readings]
    has_range = low_milli is not None or high_milli is not None
    return ColdChainSummary(
        readings=len(readings),
        mkt_celsius=mean_kinetic_temperature(readings, interval_ms, tolerance_ms),
        min_celsius=min(temperatures).quantize(_CENTI),
        max_celsius=max(temperatures).quantize(_CENTI),
        minutes_out_of_range=(
            minutes_out_of_range(readings, low_milli, high_milli, interval_ms, tolerance_ms)
            if has_range
            else None
        ),
        gaps=gap_stats(readings, interval_ms, tolerance_ms),
    )
