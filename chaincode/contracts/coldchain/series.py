"""Reading batches: the canonical bytes a logger signs, and their deterministic summary.

Wire form (compact, 10 s sampling → a day is 8,640 values): ``start_ms``, ``interval_ms`` and
``values``, a list of integer centi-degrees Celsius where ``None`` marks a missing sample.
Reading ``i`` was taken at ``start_ms + i * interval_ms`` and stands for ``interval_ms`` of
time; a missing one is unknown time (a blind spot), never guessed.

Mean kinetic temperature (USP <1079.2>; STANDARDS.md, Cold chain):
``T_mkt = (ΔH/R) / −ln( Σ tᵢ·exp(−ΔH/(R·Tᵢ)) / Σ tᵢ )`` with ΔH/R = 10,000 K. Computed with
``decimal`` in a fixed context (exp and ln are correctly rounded there), so every node gets
the same digits; sums travel between transactions as exact decimal strings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from sdk.encoding import encode

WIRE_TAG = "rxledger.coldchain.readings.v1"
DELTA_H_OVER_R = Decimal(10_000)
KELVIN_OFFSET = Decimal("273.15")
_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999)
CENTI = Decimal("0.01")


def canonical_bytes(
    leg: str, device: str, start_ms: int, interval_ms: int, values: Sequence[int | None]
) -> bytes:
    """What the device signs (domain DEVICE_READING) and what the series hash covers."""
    return encode([WIRE_TAG, leg, device, start_ms, interval_ms, list(values)])


def series_sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


@dataclass(frozen=True, slots=True)
class Limits:
    """A profile's thresholds in centi-degrees (pre-alarms optional)."""

    low: int
    high: int
    pre_low: int | None
    pre_high: int | None


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What one reading batch contributes to its stream."""

    readings: int
    gaps: int
    minimum: int | None
    maximum: int | None
    out_ms: int
    pre_alarm_ms: int
    below_zero: int
    arrhenius_sum: Decimal
    """Σ over readings of exp(−ΔH/(R·Tᵢ)), times interval_ms (the tᵢ weights)."""


def summarise(values: Sequence[int | None], interval_ms: int, limits: Limits) -> BatchSummary:
    """Min, max, time out of range, pre-alarm time, sub-zero count and the MKT sum."""
    present = [v for v in values if v is not None]
    counts: dict[int, int] = {}
    for value in present:
        counts[value] = counts.get(value, 0) + 1
    out = sum(n for v, n in counts.items() if v < limits.low or v > limits.high)
    pre = sum(
        n
        for v, n in counts.items()
        if limits.low <= v <= limits.high
        and (
            (limits.pre_low is not None and v < limits.pre_low)
            or (limits.pre_high is not None and v > limits.pre_high)
        )
    )
    with localcontext(_CONTEXT):
        # Distinct values in ascending order: a fixed summation order, few exp() calls.
        total = (
            sum((arrhenius(v) * n for v, n in sorted(counts.items())), start=Decimal(0))
            * interval_ms
        )
    return BatchSummary(
        readings=len(present),
        gaps=len(values) - len(present),
        minimum=min(present) if present else None,
        maximum=max(present) if present else None,
        out_ms=out * interval_ms,
        pre_alarm_ms=pre * interval_ms,
        below_zero=sum(n for v, n in counts.items() if v < 0),
        arrhenius_sum=total,
    )


def arrhenius(centi_c: int) -> Decimal:
    """exp(−ΔH/(R·T)) for a reading in centi-degrees Celsius."""
    with localcontext(_CONTEXT):
        kelvin = Decimal(centi_c).scaleb(-2) + KELVIN_OFFSET
        return (-DELTA_H_OVER_R / kelvin).exp()


def add_sums(stored: str, more: Decimal) -> Decimal:
    """A stored running sum (exact decimal string) plus a batch's, in the fixed context."""
    with localcontext(_CONTEXT):
        return Decimal(stored) + more


def exceeds(mkt_c: str, limit_centi_c: int) -> bool:
    """Is a stored MKT (°C to 0.01) above a limit in centi-degrees? Exact: no rounding."""
    return Decimal(mkt_c).scaleb(2) > limit_centi_c


def mkt_celsius(arrhenius_sum: Decimal, weight_ms: int) -> Decimal | None:
    """The mean kinetic temperature in °C to 0.01, or None with no readings."""
    if weight_ms <= 0 or arrhenius_sum <= 0:
        return None
    with localcontext(_CONTEXT):
        kelvin = DELTA_H_OVER_R / -(arrhenius_sum / weight_ms).ln()
        return (kelvin - KELVIN_OFFSET).quantize(CENTI)


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage string to 0.01 (blind-spot share)."""
    if whole <= 0:
        return "0.00"
    with localcontext(_CONTEXT):
        return str((Decimal(part) * 100 / whole).quantize(CENTI))
