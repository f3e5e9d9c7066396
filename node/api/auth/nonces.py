"""Replay protection for signed requests: each (key id, nonce) is accepted once.

A nonce only needs remembering while its timestamp is inside the freshness window: later
the request is refused as stale anyway. Memory is bounded by ``capacity``; when it is full
the entries with the oldest timestamps are dropped and the *floor* rises to the newest
dropped timestamp, and from then on a request stamped at or before the floor is refused as
stale. So no dropped nonce can ever be replayed; under a flood, honest clients only lose
the part of the window that memory could not cover.
"""

from __future__ import annotations

import heapq
from enum import Enum


class NonceVerdict(Enum):
    FRESH = "fresh"
    REPLAYED = "replayed"
    BELOW_FLOOR = "below_floor"


class NonceCache:
    def __init__(self, *, window_ms: int, capacity: int) -> None:
        if window_ms < 0 or capacity < 1:
            raise ValueError("window_ms must be >= 0 and capacity >= 1")
        self._window_ms = window_ms
        self._capacity = capacity
        self._seen: dict[tuple[str, str], int] = {}
        self._by_time: list[tuple[int, str, str]] = []
        self._floor_ms: int | None = None

    def __len__(self) -> int:
        return len(self._seen)

    @property
    def floor_ms(self) -> int | None:
        """Requests stamped at or before this are refused (None: nothing dropped yet)."""
        return self._floor_ms

    def admit(self, key_id: str, nonce: str, timestamp_ms: int, now_ms: int) -> NonceVerdict:
        """Record the nonce and say FRESH, or say why it cannot be accepted."""
        self._forget_before(now_ms - self._window_ms)
        if self._floor_ms is not None and timestamp_ms <= self._floor_ms:
            return NonceVerdict.BELOW_FLOOR
        entry = (key_id, nonce)
        if entry in self._seen:
            return NonceVerdict.REPLAYED
        self._seen[entry] = timestamp_ms
        heapq.heappush(self._by_time, (timestamp_ms, key_id, nonce))
        while len(self._seen) > self._capacity:
            dropped_ms, dropped_key, dropped_nonce = heapq.heappop(self._by_time)
            del self._seen[(dropped_key, dropped_nonce)]
            self._floor_ms = max(dropped_ms, self._floor_ms or dropped_ms)
        return NonceVerdict.FRESH

    def _forget_before(self, oldest_ms: int) -> None:
        """Drop what the freshness window already refuses (no floor change needed)."""
        while self._by_time and self._by_time[0][0] < oldest_ms:
            _, key_id, nonce = heapq.heappop(self._by_time)
            del self._seen[(key_id, nonce)]
