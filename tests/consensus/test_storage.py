"""MemoryStorage: the Storage protocol and the writes an application performs."""

from __future__ import annotations

import pytest

from consensus import ConfState, Entry, HardState, MemoryStorage, NodeId, Storage
from consensus.errors import CompactedError, SnapshotOutOfDateError, StorageError, UnavailableError

CONF = ConfState(frozenset({NodeId(1), NodeId(2)}))


def filled() -> MemoryStorage:
    s = MemoryStorage()
    s.bootstrap(CONF)  # entries 1, 2 of term 1
    s.append([Entry(2, 3, data=b"a" * 10), Entry(2, 4, data=b"b" * 10), Entry(3, 5)])
    return s


def test_is_a_storage() -> None:
    storage: Storage = MemoryStorage()
    assert storage.initial_state() == (HardState(), ConfState())


def test_bootstrap_writes_committed_conf_entries() -> None:
    s = filled()
    hs, conf = s.initial_state()
    assert hs == HardState(term=1, commit=2)
    assert conf == ConfState()
    with pytest.raises(StorageError):
        s.bootstrap(CONF)


def test_entries_terms_and_size_limit() -> None:
    s = filled()
    assert (s.first_index(), s.last_index(), s.term(4)) == (1, 5, 2)
    assert [e.index for e in s.entries(3, 6, 15)] == [3]  # at least one, then the limit
    assert [e.index for e in s.entries(3, 6, 1 << 20)] == [3, 4, 5]
    with pytest.raises(UnavailableError):
        s.entries(3, 7, 100)
    with pytest.raises(UnavailableError):
        s.term(6)


def test_append_replaces_conflicting_suffix_and_refuses_gaps() -> None:
    s = filled()
    s.append([Entry(4, 4, data=b"new")])
    assert s.last_index() == 4
    assert s.term(4) == 4
    with pytest.raises(UnavailableError):
        s.append([Entry(4, 9)])


def test_snapshot_then_compact() -> None:
    s = filled()
    with pytest.raises(StorageError, match="create a snapshot first"):
        s.compact(3)
    snap = s.create_snapshot(4, CONF, b"state")
    assert (snap.metadata.index, snap.metadata.term) == (4, 2)
    s.compact(4)
    assert s.first_index() == 5
    assert s.term(4) == 2
    assert s.initial_state()[1] == CONF
    with pytest.raises(CompactedError):
        s.entries(4, 5, 100)
    with pytest.raises(CompactedError):
        s.compact(3)
    with pytest.raises(SnapshotOutOfDateError):
        s.create_snapshot(3, CONF, b"")


def test_apply_snapshot_resets_the_log() -> None:
    s = filled()
    other = filled()
    snap = other.create_snapshot(5, CONF, b"st")
    s.apply_snapshot(snap)
    assert (s.first_index(), s.last_index(), s.snapshot()) == (6, 5, snap)
    with pytest.raises(SnapshotOutOfDateError):
        s.apply_snapshot(snap)
