"""Reconnect delays: exponential, capped, jittered by the injected generator only."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from node.transport import backoff_delay


class _Fixed:
    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


def test_no_failure_means_no_wait() -> None:
    assert backoff_delay(0, _Fixed(0.9), 0.05, 2.0) == 0.0


def test_ceiling_doubles_then_caps() -> None:
    top = [backoff_delay(n, _Fixed(1.0), 0.05, 2.0) for n in range(1, 9)]
    assert top == [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]


def test_jitter_never_goes_below_half_the_ceiling() -> None:
    assert backoff_delay(3, _Fixed(0.0), 0.05, 2.0) == 0.1


def test_same_seed_same_delays() -> None:
    first = [backoff_delay(n, random.Random(7), 0.05, 2.0) for n in range(1, 20)]
    second = [backoff_delay(n, random.Random(7), 0.05, 2.0) for n in range(1, 20)]
    assert first == second


@settings(max_examples=100, deadline=None)
@given(
    failures=st.integers(min_value=1, max_value=10_000),
    base=st.floats(min_value=0.001, max_value=1.0),
    cap=st.floats(min_value=1.0, max_value=60.0),
    draw=st.floats(min_value=0.0, max_value=0.999999),
)
def test_delay_stays_within_half_ceiling_and_cap(
    failures: int, base: float, cap: float, draw: float
) -> None:
    delay = backoff_delay(failures, _Fixed(draw), base, cap)
    ceiling = min(cap, base * 2.0 ** (failures - 1)) if failures < 64 else cap
    assert ceiling / 2 <= delay <= ceiling
