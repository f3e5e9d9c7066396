"""The Raft log, hard state and snapshot in LMDB: `consensus.Storage` plus durable writes.

Record layouts (integers big-endian, so byte order is numeric order):

    raft_log    index(8)          -> enc([term, entry_type, data])
    raft_state  b"hard_state"     -> enc([term, vote, commit])
                b"compacted"      -> enc([index, term])  the compaction point
                b"snapshot"       -> enc([index, term, voters, learners])
                b"snapshot_data"  -> the application's snapshot bytes, as given

The log holds the entries (compacted.index, last]. The compaction point stands for the last
discarded entry and keeps its term, so ``term(first_index() - 1)`` stays answerable (the
`Storage` invariants). Reads and writes behave exactly like `MemoryStorage`, raising the same
`consensus.errors` for compacted or unavailable indexes; damaged records raise the node's
`StorageError` instead, which no Raft code catches.

Every write is one durable LMDB transaction (`LedgerEnv.write`). `persist` writes a `Ready`'s
snapshot, entries and hard state together, so a crash leaves all of them or none. Only the
bounds, the hard state and the snapshot metadata are kept in memory: entries carry blocks of
up to megabytes and are read from LMDB when Raft asks for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from consensus.errors import CompactedError, SnapshotOutOfDateError, UnavailableError
from consensus.errors import StorageError as LogError
from consensus.storage import bootstrap_entries
from consensus.types import (
    ConfState,
    Entry,
    EntryType,
    HardState,
    NodeId,
    Snapshot,
    SnapshotMetadata,
)
from node.storage.env import LedgerEnv, StorageError
from sdk.encoding import decode, encode
from sdk.errors import EncodingError

HARD_STATE_KEY = b"hard_state"
COMPACTED_KEY = b"compacted"
SNAPSHOT_KEY = b"snapshot"
SNAPSHOT_DATA_KEY = b"snapshot_data"


def log_key(index: int) -> bytes:
    return index.to_bytes(8, "big")


@dataclass(frozen=True, slots=True)
class _Bounds:
    """What is kept in memory. Replaced as a whole after each commit, so a reader on another
    thread sees either the state before a write or after it, never half of each."""

    compacted: int
    """Index of the compaction point: the log holds (compacted, last]."""
    compacted_term: int
    last: int
    hard_state: HardState
    snapshot: SnapshotMetadata


class RaftStorage:
    """`consensus.Storage` on the node's LMDB environment, with the application's writes.

    One writer at a time (the node's Raft task); reads may come from other threads.
    """

    def __init__(self, env: LedgerEnv) -> None:
        self.env = env
        self._log = env.db("raft_log")
        self._state = env.db("raft_state")
        self._write_lock = threading.Lock()
        with env.read() as txn:
            self._bounds = self._load(txn)

    # -- Storage protocol ------------------------------------------------------------------

    def initial_state(self) -> tuple[HardState, ConfState]:
        b = self._bounds
        return b.hard_state, b.snapshot.conf_state

    def entries(self, lo: int, hi: int, max_bytes: int) -> list[Entry]:
        b = self._bounds
        if lo <= b.compacted:
            raise CompactedError(f"index {lo} is compacted (first is {b.compacted + 1})")
        if hi > b.last + 1:
            raise UnavailableError(f"index {hi - 1} is beyond {b.last}")
        if lo >= hi:
            return []
        with self.env.read() as txn:
            found = self._read_entries(txn, lo, hi, max_bytes)
        if found is None:
            self._await_concurrent_write(b, f"entries {lo}..{hi - 1}")
            return self.entries(lo, hi, max_bytes)
        return found

    def term(self, index: int) -> int:
        b = self._bounds
        if index < b.compacted:
            raise CompactedError(f"term of {index} is compacted (first is {b.compacted + 1})")
        if index > b.last:
            raise UnavailableError(f"term of {index} is beyond {b.last}")
        if index == b.compacted:
            return b.compacted_term
        with self.env.read() as txn:
            raw = txn.get(log_key(index), db=self._log)
        if raw is None:
            self._await_concurrent_write(b, f"entry {index}")
            return self.term(index)
        return self._decode_term(index, raw)

    def first_index(self) -> int:
        return self._bounds.compacted + 1

    def last_index(self) -> int:
        return self._bounds.last

    def snapshot(self) -> Snapshot:
        # Metadata and data from one read transaction, so they belong to the same snapshot.
        with self.env.read() as txn:
            raw_meta = txn.get(SNAPSHOT_KEY, db=self._state)
            data = txn.get(SNAPSHOT_DATA_KEY, db=self._state)
        meta = SnapshotMetadata() if raw_meta is None else self._decode_snapshot_meta(raw_meta)
        return Snapshot(meta, b"" if data is None else data)

    # -- state -----------------------------------------------------------------------------

    def hard_state(self) -> HardState:
        return self._bounds.hard_state

    def conf_state(self) -> ConfState:
        """The configuration of the latest snapshot (what `initial_state` returns); Raft
        replays the conf-change entries still in the log over it."""
        return self._bounds.snapshot.conf_state

    def is_bootstrapped(self) -> bool:
        """True once this storage holds anything: a bootstrap, entries, a hard state or a
        snapshot. `bootstrap` is allowed only while this is False."""
        b = self._bounds
        return b.last != 0 or b.hard_state != HardState()

    # -- writes, each one durable transaction -------------------------------------------------

    def persist(
        self,
        *,
        entries: Sequence[Entry],
        hard_state: HardState | None,
        snapshot: Snapshot | None,
        sync: bool,
    ) -> None:
        """Write a `Ready`'s snapshot, entries (replacing any conflicting suffix, §5.3) and
        hard state in one transaction, in that order; on disk when this returns.

        The environment fsyncs every commit, so ``sync=False`` (a Ready that only moves the
        commit index) is durable as well. If any part is refused (an out-of-date snapshot,
        a gap before the entries) nothing is written.
        """
        if not entries and hard_state is None and snapshot is None:
            return

        def change(txn: Any, b: _Bounds) -> _Bounds:
            if snapshot is not None:
                b = self._put_snapshot(txn, b, snapshot)
            b = self._put_entries(txn, b, entries)
            if hard_state is not None:
                b = self._put_hard_state(txn, b, hard_state)
            return b

        self._write(change)

    def bootstrap(self, conf: ConfState) -> None:
        """Write the initial configuration of a new cluster as committed conf-change entries
        of term 1, like `MemoryStorage.bootstrap`. Refused once `is_bootstrapped()`."""

        def change(txn: Any, b: _Bounds) -> _Bounds:
            if b.last != 0 or b.hard_state != HardState():
                raise LogError("bootstrap needs an empty storage")
            b = self._put_entries(txn, b, bootstrap_entries(conf))
            return self._put_hard_state(txn, b, HardState(term=1, commit=b.last))

        self._write(change)

    def set_hard_state(self, hard_state: HardState) -> None:
        self.persist(entries=(), hard_state=hard_state, snapshot=None, sync=True)

    def append(self, entries: Sequence[Entry]) -> None:
        """Persist entries, replacing any conflicting suffix (§5.3)."""
        self.persist(entries=entries, hard_state=None, snapshot=None, sync=True)

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Install a snapshot received from the leader; the log restarts after it (§7)."""
        self.persist(entries=(), hard_state=None, snapshot=snapshot, sync=True)

    def create_snapshot(self, index: int, conf_state: ConfState, data: bytes) -> Snapshot:
        """Record the application's snapshot `data` taken at applied `index` (§7)."""

        def change(txn: Any, b: _Bounds) -> _Bounds:
            if index <= b.snapshot.index:
                raise SnapshotOutOfDateError(
                    f"snapshot at {index} is not newer than {b.snapshot.index}"
                )
            if index > b.last:
                raise UnavailableError(f"snapshot index {index} is beyond {b.last}")
            meta = SnapshotMetadata(index, self._term_in(txn, b, index), conf_state)
            self._put_snapshot_record(txn, Snapshot(meta, data))
            return replace(b, snapshot=meta)

        return Snapshot(self._write(change).snapshot, data)

    def compact(self, index: int) -> None:
        """Discard entries up to `index`, which becomes the compaction point. Never beyond
        the latest snapshot, so that snapshot plus the log rebuild the configuration."""

        def change(txn: Any, b: _Bounds) -> _Bounds:
            if index <= b.compacted:
                raise CompactedError(f"index {index} is already compacted")
            if index > b.last:
                raise UnavailableError(f"compact index {index} is beyond {b.last}")
            if index > b.snapshot.index:
                raise LogError(
                    f"compact index {index} is beyond the snapshot at {b.snapshot.index}; "
                    "create a snapshot first"
                )
            term = self._term_in(txn, b, index)
            for i in range(b.compacted + 1, index + 1):
                txn.delete(log_key(i), db=self._log)
            txn.put(COMPACTED_KEY, encode([index, term]), db=self._state)
            return replace(b, compacted=index, compacted_term=term)

        self._write(change)

    # -- write plumbing ----------------------------------------------------------------------

    def _write(self, change: Callable[[Any, _Bounds], _Bounds]) -> _Bounds:
        """Run `change` in one durable transaction, then publish the bounds it returns.
        `change` starts from the published bounds each time, since LedgerEnv may rerun it
        after growing the map."""
        with self._write_lock:
            before = self._bounds
            after = self.env.write(lambda txn: change(txn, before))
            self._bounds = after
            return after

    def _put_entries(self, txn: Any, b: _Bounds, entries: Sequence[Entry]) -> _Bounds:
        ents = list(entries)
        if not ents:
            return b
        for prev, entry in pairwise(ents):
            if entry.index != prev.index + 1:
                raise LogError(f"entries to append skip from {prev.index} to {entry.index}")
        first = b.compacted + 1
        if ents[-1].index < first:
            return b  # all of them are already covered by the snapshot
        if ents[0].index < first:
            ents = ents[first - ents[0].index :]
        if ents[0].index > b.last + 1:
            raise UnavailableError(f"gap: appending {ents[0].index} after {b.last}")
        for stale in range(ents[-1].index + 1, b.last + 1):
            txn.delete(log_key(stale), db=self._log)
        for entry in ents:
            value = encode([entry.term, entry.type.value, entry.data])
            txn.put(log_key(entry.index), value, db=self._log)
        return replace(b, last=ents[-1].index)

    def _put_hard_state(self, txn: Any, b: _Bounds, hs: HardState) -> _Bounds:
        txn.put(HARD_STATE_KEY, encode([hs.term, hs.vote, hs.commit]), db=self._state)
        return replace(b, hard_state=hs)

    def _put_snapshot(self, txn: Any, b: _Bounds, snapshot: Snapshot) -> _Bounds:
        meta = snapshot.metadata
        if meta.index <= b.snapshot.index:
            raise SnapshotOutOfDateError(
                f"snapshot at {meta.index} is not newer than {b.snapshot.index}"
            )
        txn.drop(self._log, delete=False)
        txn.put(COMPACTED_KEY, encode([meta.index, meta.term]), db=self._state)
        self._put_snapshot_record(txn, snapshot)
        return replace(
            b, compacted=meta.index, compacted_term=meta.term, last=meta.index, snapshot=meta
        )

    def _put_snapshot_record(self, txn: Any, snapshot: Snapshot) -> None:
        meta = snapshot.metadata
        conf = meta.conf_state
        record = [meta.index, meta.term, sorted(conf.voters), sorted(conf.learners)]
        txn.put(SNAPSHOT_KEY, encode(record), db=self._state)
        txn.put(SNAPSHOT_DATA_KEY, snapshot.data, db=self._state)

    # -- reading -----------------------------------------------------------------------------

    def _read_entries(self, txn: Any, lo: int, hi: int, max_bytes: int) -> list[Entry] | None:
        """Entries [lo, hi) cut like `limit_size`; None if one is missing."""
        out: list[Entry] = []
        total = 0
        cursor = txn.cursor(db=self._log)
        positioned = cursor.set_key(log_key(lo))
        for index in range(lo, hi):
            if not positioned or cursor.key() != log_key(index):
                return None
            entry = self._decode_entry(index, cursor.value())
            total += entry.payload_size()
            if out and total > max_bytes:
                break
            out.append(entry)
            positioned = cursor.next()
        return out

    def _term_in(self, txn: Any, b: _Bounds, index: int) -> int:
        """Term of `index` within a write transaction (compacted <= index <= last)."""
        if index == b.compacted:
            return b.compacted_term
        raw = txn.get(log_key(index), db=self._log)
        if raw is None:
            raise self._corrupt(f"raft_log entry {index}", "missing inside the log")
        return self._decode_term(index, raw)

    def _await_concurrent_write(self, seen: _Bounds, what: str) -> None:
        """A record the bounds promised is missing. Either a write committed since they were
        read (wait until it publishes its bounds; the caller retries) or the log is damaged:
        the read transaction started after `seen` was published, so it sees all of it."""
        with self._write_lock:
            if self._bounds is seen:
                raise self._corrupt(f"raft_log {what}", "missing inside the log")

    # -- loading and decoding ----------------------------------------------------------------

    def _load(self, txn: Any) -> _Bounds:
        raw_hs = txn.get(HARD_STATE_KEY, db=self._state)
        raw_compacted = txn.get(COMPACTED_KEY, db=self._state)
        raw_snap = txn.get(SNAPSHOT_KEY, db=self._state)
        hard_state = HardState() if raw_hs is None else self._decode_hard_state(raw_hs)
        compacted, compacted_term = (
            (0, 0)
            if raw_compacted is None
            else self._uints(raw_compacted, 2, "Raft compaction point")
        )
        snapshot = SnapshotMetadata() if raw_snap is None else self._decode_snapshot_meta(raw_snap)
        last = self._check_log_span(txn, compacted)
        return _Bounds(compacted, compacted_term, last, hard_state, snapshot)

    def _check_log_span(self, txn: Any, compacted: int) -> int:
        """The last index, after checking that the log is exactly (compacted, last]."""
        count = int(txn.stat(self._log)["entries"])
        if count == 0:
            return compacted
        cursor = txn.cursor(db=self._log)
        cursor.first()
        first = self._key_index(cursor.key())
        cursor.last()
        last = self._key_index(cursor.key())
        if first != compacted + 1 or last - first + 1 != count:
            raise self._corrupt(
                "raft_log",
                f"holds {count} entries between {first} and {last}, expected a contiguous "
                f"log starting at {compacted + 1}",
            )
        return last

    def _key_index(self, key: bytes) -> int:
        if len(key) != 8:
            raise self._corrupt("raft_log", f"a key of {len(key)} bytes")
        return int.from_bytes(key, "big")

    def _decode_entry(self, index: int, raw: bytes) -> Entry:
        where = f"raft_log entry {index}"
        fields = self._fields(raw, 3, where)
        term, kind, data = fields
        if not _is_uint(term) or not isinstance(data, bytes):
            raise self._corrupt(where, "expected [term, type, data]")
        try:
            entry_type = EntryType(kind)
        except ValueError as exc:
            raise self._corrupt(where, f"unknown entry type {kind!r}") from exc
        return Entry(term=term, index=index, type=entry_type, data=data)

    def _decode_term(self, index: int, raw: bytes) -> int:
        term = leading_term(raw)
        if term is None:
            raise self._corrupt(f"raft_log entry {index}", "expected [term, type, data]")
        return term

    def _decode_hard_state(self, raw: bytes) -> HardState:
        term, vote, commit = self._uints(raw, 3, "Raft hard state")
        return HardState(term=term, vote=NodeId(vote), commit=commit)

    def _decode_snapshot_meta(self, raw: bytes) -> SnapshotMetadata:
        where = "Raft snapshot metadata"
        index, term, voters, learners = self._fields(raw, 4, where)
        ids = [voters, learners]
        if not (_is_uint(index) and _is_uint(term)) or not all(
            isinstance(group, list) and all(_is_uint(n) for n in group) for group in ids
        ):
            raise self._corrupt(where, "expected [index, term, voters, learners]")
        conf = ConfState(
            voters=frozenset(NodeId(n) for n in voters),
            learners=frozenset(NodeId(n) for n in learners),
        )
        return SnapshotMetadata(index=index, term=term, conf_state=conf)

    def _uints(self, raw: bytes, count: int, where: str) -> list[int]:
        fields = self._fields(raw, count, where)
        if not all(_is_uint(f) for f in fields):
            raise self._corrupt(where, f"expected {count} unsigned integers")
        return fields

    def _fields(self, raw: bytes, count: int, where: str) -> list[Any]:
        try:
            value = decode(raw, max_size=max(len(raw), 1))
        except EncodingError as exc:
            raise self._corrupt(where, str(exc)) from exc
        if not isinstance(value, list) or len(value) != count:
            raise self._corrupt(where, f"expected a list of {count} fields")
        return value

    def _corrupt(self, where: str, detail: str) -> StorageError:
        return StorageError(
            f"the {where} in {self.env.path} is corrupt ({detail}): the data directory is "
            "damaged; stop the node, then restore the directory from a backup or move it "
            "aside and let the node resync from its peers"
        )


_ARRAY3 = 0x93
_UINT_WIDTHS = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}
"""msgpack tags of uint 8/16/32/64; smaller non-negative ints are the tag byte itself."""


def leading_term(raw: bytes) -> int | None:
    """The term of an encoded entry read from its first bytes, or None if they are not
    ``[term, ...]``. Raft asks for terms often and an entry may hold megabytes, so `term`
    skips the full decode (1 ms for 1 MiB, against 0.07 ms to fetch it); `entries` still
    checks every record completely."""
    if len(raw) < 2 or raw[0] != _ARRAY3:
        return None
    tag = raw[1]
    if tag <= 0x7F:
        return tag
    width = _UINT_WIDTHS.get(tag)
    if width is None or len(raw) < 2 + width:
        return None
    return int.from_bytes(raw[2 : 2 + width], "big")


def _is_uint(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
