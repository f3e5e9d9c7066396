"""The replay cache: once per (key, nonce), bounded memory, and no replay after eviction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from node.api.auth.nonces import NonceCache, NonceVerdict

FRESH, REPLAYED, BELOW = NonceVerdict.FRESH, NonceVerdict.REPLAYED, NonceVerdict.BELOW_FLOOR


def test_once_per_key_and_nonce() -> None:
    cache = NonceCache(window_ms=1000, capacity=10)
    assert cache.admit("k1", "n", 100, 100) is FRESH
    assert cache.admit("k1", "n", 100, 150) is REPLAYED
    assert cache.admit("k2", "n", 100, 150) is FRESH


def test_entries_leave_when_their_window_has_passed() -> None:
    cache = NonceCache(window_ms=1000, capacity=10)
    cache.admit("k", "a", 0, 0)
    cache.admit("k", "b", 500, 500)
    cache.admit("k", "c", 2000, 2000)  # forgets "a" (0 < 1000) and "b" (500 < 1000)
    assert len(cache) == 1
    assert cache.floor_ms is None


def test_a_full_cache_raises_the_floor_instead_of_forgetting_silently() -> None:
    cache = NonceCache(window_ms=10_000, capacity=2)
    assert cache.admit("k", "a", 100, 100) is FRESH
    assert cache.admit("k", "b", 200, 200) is FRESH
    assert cache.admit("k", "c", 300, 300) is FRESH  # evicts "a"
    assert len(cache) == 2
    assert cache.floor_ms == 100
    assert cache.admit("k", "a", 100, 400) is BELOW  # the evicted nonce cannot come back
    assert cache.admit("k", "d", 101, 400) is FRESH


@given(
    st.lists(
        st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 50), st.integers(0, 5)),
        max_size=60,
    ),
    st.integers(1, 6),
)
def test_no_signed_request_is_ever_accepted_twice(
    requests: list[tuple[str, int, int]], capacity: int
) -> None:
    # An attacker replays a captured request: same nonce *and* timestamp (changing either
    # breaks the signature). Whatever the eviction pressure, the second copy is refused.
    window = 20
    cache = NonceCache(window_ms=window, capacity=capacity)
    accepted: set[tuple[str, int]] = set()
    now = 0
    for nonce, stamp_offset, advance in requests:
        now += advance
        stamp = max(0, now - stamp_offset)
        if abs(stamp - now) > window:
            continue  # the authenticator refuses it as stale before the cache sees it
        verdict = cache.admit("k", nonce, stamp, now)
        if verdict is FRESH:
            assert (nonce, stamp) not in accepted, "a replayed request was accepted"
            accepted.add((nonce, stamp))
        assert len(cache) <= capacity
