"""Fail-over and back-off: which node to try next, and how long to wait first.

A request walks the nodes starting at the one that answered last (sticky), switching to the
next node at once after a failure; after a whole round of failures it backs off
exponentially with jitter (and at least the ``Retry-After`` a node asked for), up to a
bounded number of retries. Only failures that say "not here, not now" are retried:
connection errors, 429, 502 and 503 (``node.no_leader``, ``node.overloaded``, ...).

Retrying is always safe here: reads have no effect, every attempt of a signed request is
signed afresh, and a submit resends the same signed bytes, whose id the ledger executes at
most once (DESIGN.md, Transaction: duplicate ids are rejected forever).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from sdk.client.errors import NodeUnavailable

RETRY_STATUSES: Final = frozenset({429, 502, 503})


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential back-off: ``base_s * multiplier**round``, capped at ``max_s``, of which a
    random fraction up to ``jitter`` is taken off so clients do not retry in lockstep."""

    base_s: float = 0.1
    max_s: float = 5.0
    multiplier: float = 2.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.base_s < 0 or self.max_s < self.base_s or self.multiplier < 1:
            raise ValueError("Backoff needs 0 <= base_s <= max_s and multiplier >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("Backoff.jitter is a fraction in [0, 1]")

    def delay(self, round_: int, rng: random.Random) -> float:
        ceiling = min(self.max_s, self.base_s * self.multiplier**round_)
        return ceiling * (1 - self.jitter * rng.random())


class Attempts:
    """One request's walk over the nodes; :meth:`failed` says how long to wait before the next
    attempt, or raises :class:`NodeUnavailable` once ``retries`` retries are spent."""

    def __init__(
        self,
        nodes: Sequence[str],
        *,
        start: int,
        retries: int,
        backoff: Backoff,
        rng: random.Random,
    ) -> None:
        self._nodes = nodes
        self._index = start % len(nodes)
        self._retries = retries
        self._backoff = backoff
        self._rng = rng
        self._failures = 0
        self._retry_after = 0.0
        self._last_code: str | None = None
        self.log: list[str] = []

    @property
    def node(self) -> str:
        return self._nodes[self._index]

    def failed(self, reason: str, *, code: str | None = None, retry_after: float = 0.0) -> float:
        self.log.append(f"{self.node}: {reason}")
        self._last_code = code or self._last_code
        self._failures += 1
        self._retry_after = max(self._retry_after, retry_after)
        if self._failures > self._retries:
            raise NodeUnavailable(self.log, code=self._last_code)
        self._index = (self._index + 1) % len(self._nodes)
        if self._failures % len(self._nodes):
            return 0.0
        delay = self._backoff.delay(self._failures // len(self._nodes) - 1, self._rng)
        delay = max(delay, min(self._retry_after, self._backoff.max_s))
        self._retry_after = 0.0
        return delay

    def progressed(self) -> None:
        """A long-lived request (an event stream) made progress: its failures start over."""
        self._failures = 0
        self._retry_after = 0.0


class Router:
    """The configured nodes and the one to try first (the last that answered)."""

    def __init__(
        self, nodes: Sequence[str] | str, *, retries: int, backoff: Backoff, rng: random.Random
    ) -> None:
        self.nodes = tuple(normalize_node(node) for node in _as_list(nodes))
        if not self.nodes:
            raise ValueError("give at least one node URL, e.g. http://127.0.0.1:8080")
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self._preferred = 0
        self._retries = retries
        self._backoff = backoff
        self._rng = rng

    def attempts(self) -> Attempts:
        return Attempts(
            self.nodes,
            start=self._preferred,
            retries=self._retries,
            backoff=self._backoff,
            rng=self._rng,
        )

    def prefer(self, node: str) -> None:
        self._preferred = self.nodes.index(node)


def _as_list(nodes: Sequence[str] | str) -> list[str]:
    return [nodes] if isinstance(nodes, str) else list(nodes)


def normalize_node(url: str) -> str:
    """A node's base URL without a trailing slash; only http and https are accepted."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"a node URL looks like http://host:port, got {url!r}")
    return url.strip().rstrip("/")


def retry_after_s(value: str | None) -> float:
    """``Retry-After`` in seconds (the delta form; an HTTP date is ignored)."""
    if value is None:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0
