"""Reconnect delays: exponential back-off with jitter drawn from an injected generator.

After the n-th consecutive failure (n = 1, 2, ...) the ceiling is
``min(cap, base * 2**(n-1))`` and the delay is drawn uniformly from [ceiling/2, ceiling]
("equal jitter"): never less than half the ceiling, so a dead peer is not hammered, and
spread out, so nodes that lost a peer together do not redial in lock-step. The generator is
injected (a seeded ``random.Random`` in tests) because the design forbids global randomness.
"""

from __future__ import annotations

from typing import Protocol


class Jitter(Protocol):
    """Anything with ``random() -> float`` in [0, 1): ``random.Random`` and its subclasses."""

    def random(self) -> float: ...


def backoff_delay(failures: int, rng: Jitter, base_s: float, cap_s: float) -> float:
    """Seconds to wait before the next dial after ``failures`` consecutive failures."""
    if failures <= 0:
        return 0.0
    # 2**64 already exceeds any sane cap; bounding the exponent keeps the float finite.
    ceiling = min(cap_s, base_s * 2.0 ** min(failures - 1, 64))
    return ceiling / 2 + rng.random() * ceiling / 2
