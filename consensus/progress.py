"""What the leader knows about each follower's log, and how it paces replication.

A follower's Progress is in one of three states (the etcd design):
- PROBE: the leader does not know where the follower's log matches; it sends one append
  at a time and waits for the answer (the §5.3 back-off);
- REPLICATE: the logs match up to `match`; appends are pipelined, at most
  `max_inflight` unacknowledged messages at once (flow control);
- SNAPSHOT: the follower needs entries the leader compacted (§7); nothing is sent until the
  snapshot is acknowledged, reported, or times out.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum


class ProgressState(Enum):
    PROBE = "probe"
    REPLICATE = "replicate"
    SNAPSHOT = "snapshot"


class Inflights:
    """Last indexes of the appends sent but not acknowledged, oldest first (bounded)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._last_indexes: deque[int] = deque()

    def __len__(self) -> int:
        return len(self._last_indexes)

    def full(self) -> bool:
        return len(self._last_indexes) >= self.capacity

    def add(self, last_index: int) -> None:
        self._last_indexes.append(last_index)

    def free_le(self, index: int) -> None:
        """An ack up to `index` frees every message whose entries end at or before it."""
        while self._last_indexes and self._last_indexes[0] <= index:
            self._last_indexes.popleft()

    def free_first_one(self) -> None:
        if self._last_indexes:
            self._last_indexes.popleft()

    def reset(self) -> None:
        self._last_indexes.clear()


class Progress:
    """The leader's view of one peer: `match` (highest index known replicated) and `next`
    (next index to send), per Figure 2's matchIndex / nextIndex."""

    def __init__(self, next_index: int, max_inflight: int, is_learner: bool) -> None:
        self.is_learner = is_learner
        self.inflights = Inflights(max_inflight)
        self.reset(next_index)

    def reset(self, next_index: int) -> None:
        """Forget everything: a new term starts probing from `next_index`."""
        self.match = 0
        self.next = next_index
        self.state = ProgressState.PROBE
        self.probe_sent = False
        self.pending_snapshot = 0
        self.snapshot_elapsed = 0
        # A new member counts as active so check-quorum does not depose the leader at once.
        self.recent_active = True
        self.inflights.reset()

    def _reset_state(self, state: ProgressState) -> None:
        self.state = state
        self.probe_sent = False
        self.pending_snapshot = 0
        self.snapshot_elapsed = 0
        self.inflights.reset()

    def become_probe(self) -> None:
        # After a snapshot, resume right after it: the follower holds at least that much.
        resume = self.pending_snapshot + 1 if self.state is ProgressState.SNAPSHOT else 0
        self._reset_state(ProgressState.PROBE)
        self.next = max(self.match + 1, resume)

    def become_replicate(self) -> None:
        self._reset_state(ProgressState.REPLICATE)
        self.next = self.match + 1

    def become_snapshot(self, snapshot_index: int) -> None:
        self._reset_state(ProgressState.SNAPSHOT)
        self.pending_snapshot = snapshot_index

    def maybe_update(self, index: int) -> bool:
        """An acknowledgement of `index`; False if it is stale."""
        updated = False
        if self.match < index:
            self.match = index
            self.probe_sent = False
            updated = True
        self.next = max(self.next, index + 1)
        return updated

    def optimistic_update(self, last_sent: int) -> None:
        """Pipelining: assume the append of entries up to `last_sent` will succeed."""
        self.next = last_sent + 1

    def maybe_decr_to(self, rejected: int, match_hint: int) -> bool:
        """A rejection of the append at prevLogIndex `rejected`; back off `next` (§5.3) to
        the follower's hint. False if the rejection is stale (out of order)."""
        if self.state is ProgressState.REPLICATE:
            if rejected <= self.match:
                return False
            self.next = self.match + 1
            return True
        if self.next - 1 != rejected:
            return False
        self.next = max(min(rejected, match_hint + 1), self.match + 1, 1)
        self.probe_sent = False
        return True

    def is_paused(self) -> bool:
        if self.state is ProgressState.PROBE:
            return self.probe_sent
        if self.state is ProgressState.REPLICATE:
            return self.inflights.full()
        return True


@dataclass(frozen=True, slots=True)
class ProgressView:
    """A read-only copy of a Progress for `Status`."""

    match: int
    next: int
    state: ProgressState
    is_learner: bool
    recent_active: bool
    inflight: int

    @classmethod
    def of(cls, pr: Progress) -> ProgressView:
        return cls(pr.match, pr.next, pr.state, pr.is_learner, pr.recent_active, len(pr.inflights))
