"""The stable storage Raft reads from, and an in-memory implementation.

The application owns writes: it appends the entries, hard state and snapshots that each
`Ready` hands out (and fsyncs them) before it sends that Ready's messages. Raft only reads
through the small `Storage` protocol below; the node implements it on LMDB.
"""

from __future__ import annotations

from typing import Protocol

from consensus.errors import (
    CompactedError,
    SnapshotOutOfDateError,
    StorageError,
    UnavailableError,
)
from consensus.types import (
    ConfChange,
    ConfChangeType,
    ConfState,
    Entry,
    EntryType,
    HardState,
    Snapshot,
    SnapshotMetadata,
)


class Storage(Protocol):
    """What Raft reads from stable storage.

    Invariants the implementation keeps:
    - the log is contiguous from `first_index()` to `last_index()`; `term(first_index()-1)`
      is still answerable (the term of the last compacted entry, or the snapshot's);
    - `initial_state()` returns the persisted HardState and the configuration as of the
      latest snapshot (Raft replays the conf-change entries still in the log over it);
    - the log is never compacted beyond the latest snapshot's index.
    """

    def initial_state(self) -> tuple[HardState, ConfState]:
        """The persisted hard state and the configuration of the latest snapshot."""
        ...

    def entries(self, lo: int, hi: int, max_bytes: int) -> list[Entry]:
        """Entries [lo, hi), at least one if the range is non-empty, then as many as fit in
        `max_bytes` of payload. CompactedError if lo is compacted, UnavailableError if
        hi > last_index() + 1."""
        ...

    def term(self, index: int) -> int:
        """Term of the entry at `index`, for first_index()-1 <= index <= last_index()."""
        ...

    def first_index(self) -> int:
        """Index of the first entry still held (snapshot index + 1 after compaction)."""
        ...

    def last_index(self) -> int:
        """Index of the last entry held (the snapshot index if the log is empty)."""
        ...

    def snapshot(self) -> Snapshot:
        """The most recent snapshot (empty, index 0, before the first one)."""
        ...


def bootstrap_entries(conf: ConfState) -> list[Entry]:
    """The initial configuration as log entries 1..n of term 1, voters first, by id."""
    changes = [ConfChange(ConfChangeType.ADD_VOTER, v) for v in sorted(conf.voters)]
    changes += [ConfChange(ConfChangeType.ADD_LEARNER, n) for n in sorted(conf.learners)]
    return [
        Entry(term=1, index=i, type=EntryType.CONF_CHANGE, data=cc.encode())
        for i, cc in enumerate(changes, start=1)
    ]


def limit_size(entries: list[Entry], max_bytes: int) -> list[Entry]:
    """Keep the longest prefix within `max_bytes` of payload, but always the first entry
    so that an oversized entry still makes progress."""
    if not entries:
        return entries
    total = entries[0].payload_size()
    for n, entry in enumerate(entries[1:], start=1):
        total += entry.payload_size()
        if total > max_bytes:
            return entries[:n]
    return entries


class MemoryStorage:
    """`Storage` in memory, with the writes an application performs. Used by the tests and
    the simulator, where "what is in a MemoryStorage" is exactly "what was persisted"."""

    def __init__(self) -> None:
        self._hard_state = HardState()
        self._snapshot = Snapshot(SnapshotMetadata())
        # _ents[0] is a dummy standing at the compaction point: it keeps that index's term.
        self._ents: list[Entry] = [Entry(term=0, index=0)]

    # -- Storage protocol --------------------------------------------------------------

    def initial_state(self) -> tuple[HardState, ConfState]:
        return self._hard_state, self._snapshot.metadata.conf_state

    def entries(self, lo: int, hi: int, max_bytes: int) -> list[Entry]:
        offset = self._ents[0].index
        if lo <= offset:
            raise CompactedError(f"index {lo} is compacted (first is {offset + 1})")
        if hi > self.last_index() + 1:
            raise UnavailableError(f"index {hi - 1} is beyond {self.last_index()}")
        return limit_size(self._ents[lo - offset : hi - offset], max_bytes)

    def term(self, index: int) -> int:
        offset = self._ents[0].index
        if index < offset:
            raise CompactedError(f"term of {index} is compacted (first is {offset + 1})")
        if index - offset >= len(self._ents):
            raise UnavailableError(f"term of {index} is beyond {self.last_index()}")
        return self._ents[index - offset].term

    def first_index(self) -> int:
        return self._ents[0].index + 1

    def last_index(self) -> int:
        return self._ents[0].index + len(self._ents) - 1

    def snapshot(self) -> Snapshot:
        return self._snapshot

    # -- writes the application performs ---------------------------------------------

    def bootstrap(self, conf: ConfState) -> None:
        """Write the initial configuration of a new cluster as committed conf-change
        entries of term 1 (the same on every initial member). A server that joins later
        starts empty and learns every configuration from the log or a snapshot."""
        if self.last_index() != 0 or self._hard_state != HardState():
            raise StorageError("bootstrap needs an empty storage")
        self.append(bootstrap_entries(conf))
        self._hard_state = HardState(term=1, commit=self.last_index())

    def hard_state(self) -> HardState:
        return self._hard_state

    def set_hard_state(self, hard_state: HardState) -> None:
        self._hard_state = hard_state

    def append(self, entries: list[Entry] | tuple[Entry, ...]) -> None:
        """Persist entries from a Ready, replacing any conflicting suffix (§5.3)."""
        ents = list(entries)
        if not ents:
            return
        first = self.first_index()
        if ents[-1].index < first:
            return  # all of them are already covered by the snapshot
        if ents[0].index < first:
            ents = ents[first - ents[0].index :]
        offset = ents[0].index - self._ents[0].index
        if offset > len(self._ents):
            raise UnavailableError(f"gap: appending {ents[0].index} after {self.last_index()}")
        self._ents = self._ents[:offset] + ents

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Install a snapshot received from the leader; the log restarts after it (§7)."""
        meta = snapshot.metadata
        if meta.index <= self._snapshot.metadata.index:
            raise SnapshotOutOfDateError(
                f"snapshot at {meta.index} is not newer than {self._snapshot.metadata.index}"
            )
        self._snapshot = snapshot
        self._ents = [Entry(term=meta.term, index=meta.index)]

    def create_snapshot(self, index: int, conf_state: ConfState, data: bytes) -> Snapshot:
        """Record the application's snapshot `data` taken at applied `index` (§7)."""
        if index <= self._snapshot.metadata.index:
            raise SnapshotOutOfDateError(
                f"snapshot at {index} is not newer than {self._snapshot.metadata.index}"
            )
        if index > self.last_index():
            raise UnavailableError(f"snapshot index {index} is beyond {self.last_index()}")
        meta = SnapshotMetadata(index=index, term=self.term(index), conf_state=conf_state)
        self._snapshot = Snapshot(meta, data)
        return self._snapshot

    def compact(self, index: int) -> None:
        """Discard entries before `index` (it becomes the dummy). Never beyond the latest
        snapshot, so the snapshot's configuration plus the log always rebuild the current
        one (see `Storage`)."""
        offset = self._ents[0].index
        if index <= offset:
            raise CompactedError(f"index {index} is already compacted")
        if index > self.last_index():
            raise UnavailableError(f"compact index {index} is beyond {self.last_index()}")
        if index > self._snapshot.metadata.index:
            raise StorageError(
                f"compact index {index} is beyond the snapshot at "
                f"{self._snapshot.metadata.index}; create a snapshot first"
            )
        kept = self._ents[index - offset :]
        self._ents = [Entry(term=kept[0].term, index=index), *kept[1:]]
