"""Cold-chain maths: MKT (STANDARDS vector), ranges, gaps, ordering errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdk.coldchain import (
    ColdChainError,
    Reading,
    gap_stats,
    mean_kinetic_temperature,
    milli_celsius,
    minutes_out_of_range,
    reading_durations,
    summarize,
)

TEN_S = 10_000


def test_mkt_standards_vector() -> None:
    readings = [Reading(0, 25_000), Reading(TEN_S, 30_000)]
    assert mean_kinetic_temperature(readings, TEN_S) == Decimal("27.82")


def test_mkt_of_constant_temperature_is_that_temperature() -> None:
    readings = [Reading(i * TEN_S, 5_000) for i in range(100)]
    assert mean_kinetic_temperature(readings, TEN_S) == Decimal("5.00")


def test_durations_weight_readings() -> None:
    # 25 °C stands for 10 s, 30 °C for 10 s, then a gap: the last 30 °C still counts 10 s.
    equal = [Reading(0, 25_000), Reading(TEN_S, 30_000), Reading(100_000, 30_000)]
    assert reading_durations(equal, TEN_S) == [TEN_S, TEN_S, TEN_S]
    assert mean_kinetic_temperature(equal, TEN_S) > Decimal("27.82")


def test_jitter_within_tolerance_is_not_a_gap() -> None:
    readings = [Reading(0, 1), Reading(12_000, 1), Reading(22_000, 1)]
    assert reading_durations(readings, TEN_S) == [12_000, 10_000, 10_000]
    assert gap_stats(readings, TEN_S).gap_count == 0


def test_gap_statistics() -> None:
    readings = [Reading(0, 4_000), Reading(TEN_S, 4_000), Reading(70_000, 4_000)]
    stats = gap_stats(readings, TEN_S)
    assert stats.gap_count == 1
    assert stats.longest_gap_ms == 50_000
    assert stats.span_ms == 80_000
    assert stats.blind_spot_percent == Decimal("62.50")


def test_minutes_out_of_range_inclusive_bounds() -> None:
    readings = [Reading(i * 60_000, t) for i, t in enumerate([2_000, 8_000, 8_001, 1_999, 5_000])]
    assert minutes_out_of_range(readings, 2_000, 8_000, 60_000) == Decimal("2.00")


def test_summary() -> None:
    readings = [Reading(0, 25_000), Reading(TEN_S, 30_000)]
    summary = summarize(readings, interval_ms=TEN_S, low_milli=15_000, high_milli=25_000)
    assert summary.mkt_celsius == Decimal("27.82")
    assert summary.min_celsius == Decimal("25.00")
    assert summary.max_celsius == Decimal("30.00")
    assert summary.minutes_out_of_range == Decimal("0.17")
    assert summarize(readings, interval_ms=TEN_S).minutes_out_of_range is None


@pytest.mark.parametrize(
    ("readings", "interval", "reason"),
    [
        ([Reading(10, 1), Reading(5, 1)], TEN_S, "reading 1 at 5 ms is not after reading 0"),
        ([Reading(10, 1), Reading(10, 1)], TEN_S, "not after"),
        ([], TEN_S, "no readings"),
        ([Reading(0, 1)], 0, "interval must be positive"),
    ],
)
def test_bad_input_rejected(readings: list[Reading], interval: int, reason: str) -> None:
    with pytest.raises(ColdChainError, match=reason):
        mean_kinetic_temperature(readings, interval)


def test_milli_celsius_conversion() -> None:
    assert milli_celsius("-20.125") == -20_125
    assert milli_celsius(Decimal("4.5")) == 4_500
    with pytest.raises(ColdChainError, match="more than 3 decimals"):
        milli_celsius("4.1234")
    with pytest.raises(ColdChainError, match="finite"):
        milli_celsius("NaN")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=-90_000, max_value=60_000), min_size=1, max_size=30))
def test_mkt_between_min_and_max_and_deterministic(temperatures: list[int]) -> None:
    readings = [Reading(i * TEN_S, t) for i, t in enumerate(temperatures)]
    mkt = mean_kinetic_temperature(readings, TEN_S)
    assert Decimal(min(temperatures)) / 1000 - Decimal("0.01") <= mkt
    assert mkt <= Decimal(max(temperatures)) / 1000 + Decimal("0.01")
    assert mean_kinetic_temperature(list(readings), TEN_S) == mkt
