"""Start-up replays the stored log's configurations page by page, never the whole log."""

from __future__ import annotations

import random

from consensus import (
    ConfChange,
    ConfChangeType,
    Config,
    ConfState,
    Entry,
    EntryType,
    HardState,
    MemoryStorage,
    RawNode,
    Snapshot,
)
from consensus.raft import REPLAY_PAGE_BYTES
from tests.consensus.helpers import n, voters

BLOCK = bytes(REPLAY_PAGE_BYTES // 3)  # one shared object: the test itself stays small


class RecordingStorage:
    """A `Storage` that delegates to `MemoryStorage` and records every `entries` call."""

    def __init__(self, inner: MemoryStorage) -> None:
        self.inner = inner
        self.max_bytes_asked: list[int] = []
        self.pages: list[list[Entry]] = []

    def initial_state(self) -> tuple[HardState, ConfState]:
        return self.inner.initial_state()

    def entries(self, lo: int, hi: int, max_bytes: int) -> list[Entry]:
        page = self.inner.entries(lo, hi, max_bytes)
        self.max_bytes_asked.append(max_bytes)
        self.pages.append(page)
        return page

    def term(self, index: int) -> int:
        return self.inner.term(index)

    def first_index(self) -> int:
        return self.inner.first_index()

    def last_index(self) -> int:
        return self.inner.last_index()

    def snapshot(self) -> Snapshot:
        return self.inner.snapshot()


def conf_entry(index: int, kind: ConfChangeType, node: int) -> Entry:
    return Entry(2, index, EntryType.CONF_CHANGE, ConfChange(kind, n(node)).encode())


def big_log(blocks: int) -> MemoryStorage:
    """Bootstrap 1..3 (entries 1-3), then `blocks` block-sized entries with node 4 added as
    a learner after the first third and promoted (uncommitted) as the very last entry."""
    storage = MemoryStorage()
    storage.bootstrap(voters(1, 2, 3))
    ents: list[Entry] = []
    for i in range(blocks):
        index = 4 + len(ents)
        if i == blocks // 3:
            ents.append(conf_entry(index, ConfChangeType.ADD_LEARNER, 4))
        else:
            ents.append(Entry(2, index, data=BLOCK))
    last = 4 + len(ents)
    ents.append(conf_entry(last, ConfChangeType.ADD_VOTER, 4))
    storage.append(ents)
    storage.set_hard_state(HardState(term=2, vote=n(1), commit=last - 1))
    return storage


def test_start_up_reads_a_large_log_in_bounded_pages() -> None:
    blocks = 60
    storage = RecordingStorage(big_log(blocks))
    raw = RawNode(Config(id=n(1)), storage, random.Random(1))

    assert storage.max_bytes_asked, "start-up must read the log to find configurations"
    assert max(storage.max_bytes_asked) <= REPLAY_PAGE_BYTES
    for page in storage.pages:
        payload = sum(e.payload_size() for e in page)
        assert len(page) == 1 or payload <= REPLAY_PAGE_BYTES
    assert max(len(page) for page in storage.pages) < blocks // 4
    read = [e.index for page in storage.pages for e in page]
    assert read == list(range(1, storage.last_index() + 1)), "every entry read exactly once"

    status = raw.status()
    assert status.conf_state == ConfState(voters=frozenset({n(1), n(2), n(3), n(4)}))
    learner_at = 4 + blocks // 3
    raft = raw._raft
    # The committed base plus the still uncommitted promotion, as a full read would give.
    assert [index for index, _ in raft.confs] == [0, 1, 2, 3, learner_at, storage.last_index()]
    assert raft.confs[-2][1].learners == frozenset({n(4)})


def test_an_empty_log_needs_no_read() -> None:
    storage = RecordingStorage(MemoryStorage())
    raw = RawNode(Config(id=n(1)), storage, random.Random(1))
    assert storage.pages == []
    assert raw.status().conf_state == ConfState()
