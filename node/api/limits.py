"""Limits of the client API and the per-client token bucket that enforces the request rate.

DESIGN.md, Testing: "oversized payloads ... get a clear error and change nothing". The body
cap is enforced while reading (``node.api.body``); the request rate here, before any work.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from node.config import Limits

_DEFAULT_WAIT_S = 10.0


@dataclass(frozen=True, slots=True)
class ApiLimits:
    """Every bound the API enforces. Defaults suit one node on a small machine."""

    max_body_bytes: int = 32 << 20
    """Largest request body; checked against Content-Length first, then while streaming."""
    max_batch: int = 5000
    """Most transactions in one submit request."""
    rate_per_second: float = 0.0
    """Sustained requests per second per client address on ``/v1``; 0 disables the limit."""
    rate_burst: int = 100
    """Requests a quiet client may send at once (the bucket's capacity)."""
    max_tracked_clients: int = 10_000
    """Buckets kept; the least recently seen client is forgotten first (bounded memory)."""
    default_wait_s: float = _DEFAULT_WAIT_S
    """Wait timeout of ``POST /v1/transactions?wait=true`` when ``timeout`` is not given."""
    max_wait_s: float = 30.0
    """Largest ``timeout`` a client may ask for."""
    default_page_limit: int = 100
    max_page_limit: int = 1000
    keepalive_s: float = 15.0
    """Seconds of silence on an event stream before a keep-alive comment is sent."""
    max_event_streams: int = 256
    """Concurrent event streams; beyond it ``GET /v1/events`` answers 503 node.overloaded."""
    retry_after_s: int = 1
    """Retry-After sent with 503 answers (no leader, overloaded)."""
    auth_window_s: float = 60.0
    """A signed request's timestamp may be this far from the node's clock, either way."""
    max_nonces: int = 100_000
    """Signed-request nonces remembered for replay protection (bounded memory)."""
    audit_page: int = 1000
    """Versions fetched per service call while streaming an audit export."""

    def __post_init__(self) -> None:
        problems = [
            name
            for name, ok in (
                ("max_body_bytes", self.max_body_bytes >= 1),
                ("max_batch", self.max_batch >= 1),
                ("rate_per_second", self.rate_per_second >= 0),
                ("rate_burst", self.rate_burst >= 1),
                ("max_tracked_clients", self.max_tracked_clients >= 1),
                ("default_wait_s", 0 < self.default_wait_s <= self.max_wait_s),
                ("default_page_limit", 1 <= self.default_page_limit <= self.max_page_limit),
                ("keepalive_s", self.keepalive_s > 0),
                ("max_event_streams", self.max_event_streams >= 1),
                ("retry_after_s", self.retry_after_s >= 0),
                ("auth_window_s", self.auth_window_s > 0),
                ("max_nonces", self.max_nonces >= 1),
                ("audit_page", self.audit_page >= 1),
            )
            if not ok
        ]
        if problems:
            raise ValueError(f"invalid ApiLimits: {', '.join(problems)}")

    @classmethod
    def from_config(cls, limits: Limits) -> ApiLimits:
        """The API's share of a node's ``[limits]`` config section."""
        return cls(
            max_body_bytes=limits.max_body_bytes,
            max_batch=limits.max_batch,
            rate_per_second=limits.rate_per_second,
            max_wait_s=limits.wait_timeout_s,
            default_wait_s=min(_DEFAULT_WAIT_S, limits.wait_timeout_s),
        )


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client address: ``rate_per_second`` refill, ``rate_burst`` capacity.

    The clock is injected so tests drive time; buckets live in an LRU map so a flood of
    distinct addresses cannot grow memory without bound.
    """

    def __init__(self, limits: ApiLimits, clock: Callable[[], float]) -> None:
        self._rate = limits.rate_per_second
        self._burst = float(limits.rate_burst)
        self._max_clients = limits.max_tracked_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self._rate > 0

    def acquire(self, client: str) -> float:
        """Take one token; return 0.0 when allowed, else the seconds until a token is due."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        bucket = self._buckets.pop(client, None) or _Bucket(self._burst, now)
        self._buckets[client] = bucket
        if len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self._rate
