"""Raft's safety properties (Figure 3), checked after every simulator step.

- Election Safety (§5.2): at most one leader per term.
- Leader Append-Only (§5.3): a leader never overwrites or deletes entries of its log.
- Log Matching (§5.3): entries with the same index and term are identical, and so are all
  entries before them (checked inductively: same data and same previous term).
- Leader Completeness (§5.4): a committed entry is in the log of every later leader.
- State Machine Safety (§5.4.3): no two servers apply different entries at one index; the
  hash chain also covers states installed from snapshots.
- Committed entries stay committed through crashes: no server ever commits a different
  entry at an index known committed.
- ReadIndex linearizability (§6.4): a read's index covers every commit known when the read
  was requested.
"""

from __future__ import annotations

from dataclasses import dataclass

from consensus.errors import CompactedError
from consensus.raft import Raft
from consensus.types import Entry, EntryType, NodeId, Role


class SafetyViolation(AssertionError):
    """A Raft safety property failed. The message names the seed and step."""


@dataclass(frozen=True, slots=True)
class _Key:
    data: bytes
    type: EntryType
    prev_term: int


class SafetyChecker:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.step = 0
        self.leaders: dict[int, NodeId] = {}
        self.entries: dict[tuple[int, int], _Key] = {}
        self.committed: dict[int, Entry] = {}
        self.applied: dict[int, Entry] = {}
        self.digests: dict[int, bytes] = {}
        self._leader_logs: dict[tuple[NodeId, int], tuple[int, int, int]] = {}
        self._checked_commit: dict[NodeId, int] = {}

    def fail(self, what: str) -> SafetyViolation:
        return SafetyViolation(
            f"{what} (seed {self.seed}, step {self.step}; reproduce with "
            f"RXL_SIM_SEED={self.seed} pytest tests/consensus/test_simulation.py)"
        )

    def max_commit(self) -> int:
        return max(self.committed, default=0)

    # -- per-event checks --------------------------------------------------------------

    def on_persisted(self, node: NodeId, raft: Raft, entries: tuple[Entry, ...]) -> None:
        """Log Matching, fed by every entry a server persists."""
        for e in entries:
            try:
                prev_term = raft.log.term(e.index - 1)
            except CompactedError:
                continue
            key = _Key(e.data, e.type, prev_term)
            seen = self.entries.setdefault((e.index, e.term), key)
            if seen != key:
                raise self.fail(f"log matching: node {node} holds a different ({e.index},{e.term})")

    def on_applied(self, node: NodeId, entries: tuple[Entry, ...], digest_after: bytes) -> None:
        for e in entries:
            first = self.applied.setdefault(e.index, e)
            if first != e:
                raise self.fail(f"state machine safety: node {node} applied {e} vs {first}")
        if entries:
            self._check_digest(node, entries[-1].index, digest_after)

    def on_snapshot_installed(self, node: NodeId, index: int, digest: bytes) -> None:
        self._check_digest(node, index, digest)

    def _check_digest(self, node: NodeId, index: int, digest: bytes) -> None:
        first = self.digests.setdefault(index, digest)
        if first != digest:
            raise self.fail(f"state machine safety: node {node} state differs at {index}")

    def on_read_state(self, node: NodeId, index: int, floor: int) -> None:
        if index < floor:
            raise self.fail(f"read index: node {node} read at {index} < commit {floor}")

    # -- whole-cluster check after every step ----------------------------------------------

    def check(self, rafts: dict[NodeId, Raft]) -> None:
        self.step += 1
        for node, raft in sorted(rafts.items()):
            self._check_commit(node, raft)
        for node, raft in sorted(rafts.items()):
            if raft.role is Role.LEADER:
                self._check_leader(node, raft)

    def _check_commit(self, node: NodeId, raft: Raft) -> None:
        log = raft.log
        lo = max(self._checked_commit.get(node, 0), log.first_index() - 1)
        if log.committed <= lo:
            self._checked_commit[node] = log.committed
            return
        for e in log.slice(lo + 1, log.committed + 1):
            first = self.committed.setdefault(e.index, e)
            if first != e:
                raise self.fail(
                    f"committed entry changed: node {node} commits {e} at {e.index}, "
                    f"{first} was committed"
                )
        self._checked_commit[node] = log.committed

    def _check_leader(self, node: NodeId, raft: Raft) -> None:
        term = raft.term
        first = self.leaders.setdefault(term, node)
        if first != node:
            raise self.fail(f"election safety: {first} and {node} both lead term {term}")
        log = raft.log
        key = (node, term)
        last = log.last_index()
        previous = self._leader_logs.get(key)
        if previous is not None:
            prev_last, prev_last_term, checked = previous
            if last < prev_last or log.term_or_zero(prev_last) != prev_last_term:
                raise self.fail(f"leader append-only: leader {node} of term {term} lost entries")
        else:
            checked = 0
        upto = self.max_commit()
        self._check_completeness(node, raft, checked + 1, upto)
        self._leader_logs[key] = (last, log.term_or_zero(last), upto)

    def _check_completeness(self, node: NodeId, raft: Raft, lo: int, hi: int) -> None:
        """Every entry committed so far (indexes lo..hi, lower ones were checked before)
        is in this leader's log, unless a later term committed it."""
        log = raft.log
        snap = log.first_index() - 1
        for index in range(max(lo, snap + 1), hi + 1):
            entry = self.committed.get(index)
            if entry is None or entry.term > raft.term:
                continue
            if log.term_or_zero(index) != entry.term:
                raise self.fail(
                    f"leader completeness: leader {node} of term {raft.term} lacks "
                    f"committed entry {index} (term {entry.term})"
                )
