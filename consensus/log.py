"""The Raft log: stable entries in `Storage` followed by unstable ones not yet persisted.

`Unstable` holds what the application has not yet written (entries, maybe a snapshot);
`RaftLog` joins both views and tracks `committed` and `applied` (§5.3, §7).
Invariant: applied <= committed <= last_index().
"""

from __future__ import annotations

from consensus.errors import CompactedError, InvariantViolation, UnavailableError
from consensus.storage import Storage, limit_size
from consensus.types import Entry, Snapshot

NO_LIMIT = 1 << 62


class Unstable:
    """Entries (and maybe a snapshot) handed out in a Ready but not yet persisted.

    `entries[i]` has index `offset + i`.
    """

    def __init__(self, offset: int) -> None:
        self.snapshot: Snapshot | None = None
        self.entries: list[Entry] = []
        self.offset = offset

    def maybe_first_index(self) -> int | None:
        return None if self.snapshot is None else self.snapshot.metadata.index + 1

    def maybe_last_index(self) -> int | None:
        if self.entries:
            return self.offset + len(self.entries) - 1
        return None if self.snapshot is None else self.snapshot.metadata.index

    def maybe_term(self, index: int) -> int | None:
        if index < self.offset:
            snap = self.snapshot
            if snap is not None and snap.metadata.index == index:
                return snap.metadata.term
            return None
        last = self.maybe_last_index()
        if last is None or index > last:
            return None
        return self.entries[index - self.offset].term

    def stable_to(self, index: int, term: int) -> None:
        """Entries up to `index` were persisted, unless a newer leader replaced them since
        (then the term differs and they stay unstable)."""
        if index < self.offset or self.maybe_term(index) != term:
            return
        del self.entries[: index + 1 - self.offset]
        self.offset = index + 1

    def stable_snap_to(self, index: int) -> None:
        if self.snapshot is not None and self.snapshot.metadata.index == index:
            self.snapshot = None

    def restore(self, snapshot: Snapshot) -> None:
        self.offset = snapshot.metadata.index + 1
        self.entries = []
        self.snapshot = snapshot

    def truncate_and_append(self, entries: list[Entry]) -> None:
        after = entries[0].index
        if after == self.offset + len(self.entries):
            self.entries.extend(entries)
        elif after <= self.offset:
            # Replacing everything unstable; the storage suffix is overwritten when the
            # application persists these (MemoryStorage.append truncates).
            self.offset = after
            self.entries = list(entries)
        else:
            self.entries = self.entries[: after - self.offset] + list(entries)

    def slice(self, lo: int, hi: int) -> list[Entry]:
        return self.entries[lo - self.offset : hi - self.offset]


class RaftLog:
    """Storage + Unstable, with the commit and apply cursors."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        first, last = storage.first_index(), storage.last_index()
        self.unstable = Unstable(last + 1)
        self.committed = first - 1
        self.applied = first - 1

    # -- indexes and terms --------------------------------------------------------------

    def first_index(self) -> int:
        first = self.unstable.maybe_first_index()
        return self.storage.first_index() if first is None else first

    def last_index(self) -> int:
        last = self.unstable.maybe_last_index()
        return self.storage.last_index() if last is None else last

    def term(self, index: int) -> int:
        """Term at `index`; CompactedError / UnavailableError outside the known range."""
        if index < self.first_index() - 1:
            raise CompactedError(f"term of {index} is compacted")
        if index > self.last_index():
            raise UnavailableError(f"term of {index} is beyond {self.last_index()}")
        term = self.unstable.maybe_term(index)
        return self.storage.term(index) if term is None else term

    def term_or_zero(self, index: int) -> int:
        try:
            return self.term(index)
        except (CompactedError, UnavailableError):
            return 0

    def last_term(self) -> int:
        return self.term(self.last_index())

    def match_term(self, index: int, term: int) -> bool:
        try:
            return self.term(index) == term
        except (CompactedError, UnavailableError):
            return False

    def is_up_to_date(self, last_index: int, term: int) -> bool:
        """§5.4.1: a log is at least as up to date if its last term is higher, or equal
        with an index at least as large."""
        last_term = self.last_term()
        return term > last_term or (term == last_term and last_index >= self.last_index())

    # -- appending -------------------------------------------------------------------

    def find_conflict(self, entries: tuple[Entry, ...]) -> int:
        """Index of the first entry whose term differs from ours (or that we lack), else 0."""
        for entry in entries:
            if not self.match_term(entry.index, entry.term):
                return entry.index
        return 0

    def find_conflict_by_term(self, index: int, term: int) -> tuple[int, int]:
        """Largest (i, term(i)) with i <= index and term(i) <= term: every entry above it
        certainly mismatches a log whose entry at `index` has `term` (fast back-off)."""
        index = min(index, self.last_index())
        while index > 0:
            try:
                our = self.term(index)
            except (CompactedError, UnavailableError):
                return index, 0
            if our <= term:
                return index, our
            index -= 1
        return 0, 0

    def maybe_append(
        self, index: int, log_term: int, committed: int, entries: tuple[Entry, ...]
    ) -> tuple[int, list[Entry]] | None:
        """The follower side of AppendEntries (§5.3). Returns (last new index, entries
        actually written), or None when prevLogIndex/prevLogTerm do not match."""
        if not self.match_term(index, log_term):
            return None
        last_new = index + len(entries)
        conflict = self.find_conflict(entries)
        written: list[Entry] = []
        if conflict:
            if conflict <= self.committed:
                raise InvariantViolation(
                    f"entry {conflict} conflicts with committed index {self.committed}"
                )
            written = list(entries[conflict - index - 1 :])
            self.append(written)
        self.commit_to(min(committed, last_new))
        return last_new, written

    def append(self, entries: list[Entry]) -> int:
        if not entries:
            return self.last_index()
        if entries[0].index - 1 < self.committed:
            raise InvariantViolation(
                f"appending at {entries[0].index} would overwrite committed {self.committed}"
            )
        self.unstable.truncate_and_append(entries)
        return self.last_index()

    # -- reading ------------------------------------------------------------------------

    def slice(self, lo: int, hi: int, max_bytes: int = NO_LIMIT) -> list[Entry]:
        """Entries [lo, hi) limited to `max_bytes` (at least one)."""
        if lo < self.first_index():
            raise CompactedError(f"index {lo} is compacted")
        if hi > self.last_index() + 1:
            raise UnavailableError(f"index {hi - 1} is beyond {self.last_index()}")
        if lo >= hi:
            return []
        off = self.unstable.offset
        ents: list[Entry] = []
        if lo < off:
            stored = self.storage.entries(lo, min(hi, off), max_bytes)
            if len(stored) < min(hi, off) - lo:
                return stored  # the size limit stopped us inside storage
            ents = stored
        if hi > off:
            ents = ents + self.unstable.slice(max(lo, off), hi)
        return limit_size(ents, max_bytes)

    def entries_from(self, index: int, max_bytes: int) -> list[Entry]:
        if index > self.last_index():
            return []
        return self.slice(index, self.last_index() + 1, max_bytes)

    def unstable_entries(self) -> list[Entry]:
        return list(self.unstable.entries)

    def has_next_committed(self) -> bool:
        return self.committed + 1 > max(self.applied + 1, self.first_index())

    def next_committed(self, max_bytes: int) -> list[Entry]:
        lo = max(self.applied + 1, self.first_index())
        if self.committed + 1 <= lo:
            return []
        return self.slice(lo, self.committed + 1, max_bytes)

    def snapshot(self) -> Snapshot:
        snap = self.unstable.snapshot
        return self.storage.snapshot() if snap is None else snap

    # -- cursors ------------------------------------------------------------------------

    def commit_to(self, index: int) -> None:
        if index <= self.committed:
            return
        if index > self.last_index():
            raise InvariantViolation(f"commit {index} is beyond last index {self.last_index()}")
        self.committed = index

    def maybe_commit(self, index: int, term: int) -> bool:
        """§5.4.2: only an entry of the current term is committed by counting replicas."""
        if index > self.committed and self.term_or_zero(index) == term:
            self.commit_to(index)
            return True
        return False

    def applied_to(self, index: int) -> None:
        if index == 0 or index <= self.applied:
            return
        if index > self.committed:
            raise InvariantViolation(f"applied {index} is beyond committed {self.committed}")
        self.applied = index

    def stable_to(self, index: int, term: int) -> None:
        self.unstable.stable_to(index, term)

    def stable_snap_to(self, index: int) -> None:
        self.unstable.stable_snap_to(index)

    def restore(self, snapshot: Snapshot) -> None:
        """Adopt a snapshot (§7): the whole log is replaced, committed jumps to its index."""
        self.committed = snapshot.metadata.index
        self.unstable.restore(snapshot)
