"""RaftStorage: MemoryStorage's behaviour, on LMDB, surviving a reopen of the environment."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consensus import (
    Config,
    ConfState,
    ConsensusError,
    Entry,
    EntryType,
    HardState,
    MemoryStorage,
    Message,
    NodeId,
    RawNode,
    Role,
    Snapshot,
    SnapshotMetadata,
    Storage,
)
from consensus.errors import CompactedError, SnapshotOutOfDateError, UnavailableError
from consensus.errors import StorageError as LogError
from node.storage import LedgerEnv, StorageError
from node.storage.raft_storage import HARD_STATE_KEY, RaftStorage, log_key
from sdk.encoding import encode

AnyStorage: TypeAlias = MemoryStorage | RaftStorage

CONF = ConfState(frozenset({NodeId(1), NodeId(2)}))
EVERYTHING = 1 << 62


class Lmdb:
    """A RaftStorage whose environment can be closed and reopened from the same directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = LedgerEnv(path)
        self.storage = RaftStorage(self.env)

    def reopen(self) -> RaftStorage:
        self.env.close()
        self.env = LedgerEnv(self.path)
        self.storage = RaftStorage(self.env)
        return self.storage

    def put_raw(self, db: str, key: bytes, value: bytes | None) -> None:
        """Write behind RaftStorage's back (to damage a record)."""

        def fn(txn: Any) -> None:
            if value is None:
                txn.delete(key, db=self.env.db(db))
            else:
                txn.put(key, value, db=self.env.db(db))

        self.env.write(fn)


@pytest.fixture
def lmdb(tmp_path: Path) -> Iterator[Lmdb]:
    disk = Lmdb(tmp_path / "data")
    yield disk
    disk.env.close()


@pytest.fixture(params=["memory", "lmdb"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AnyStorage]:
    if request.param == "memory":
        yield MemoryStorage()
        return
    disk = Lmdb(tmp_path / "data")
    yield disk.storage
    disk.env.close()


S = TypeVar("S", bound=AnyStorage)


def fill(s: S) -> S:
    s.bootstrap(CONF)  # entries 1, 2 of term 1
    s.append([Entry(2, 3, data=b"a" * 10), Entry(2, 4, data=b"b" * 10), Entry(3, 5)])
    return s


def observe(s: AnyStorage) -> tuple[object, ...]:
    """Everything a reader can see, for comparing two storages or one across a reopen."""
    first, last = s.first_index(), s.last_index()
    return (
        s.initial_state(),
        s.hard_state(),
        first,
        last,
        s.snapshot(),
        [s.term(i) for i in range(first - 1, last + 1)],
        s.entries(first, last + 1, EVERYTHING),
    )


# -- the same behaviour on both storages --------------------------------------------------


def test_is_a_storage(storage: AnyStorage) -> None:
    typed: Storage = storage
    assert typed.initial_state() == (HardState(), ConfState())
    assert (typed.first_index(), typed.last_index(), typed.term(0)) == (1, 0, 0)
    assert typed.snapshot() == Snapshot(SnapshotMetadata(), b"")
    assert typed.entries(1, 1, 0) == []


def test_bootstrap_writes_committed_conf_entries_once(storage: AnyStorage) -> None:
    fill(storage)
    hs, conf = storage.initial_state()
    assert hs == HardState(term=1, commit=2)
    assert conf == ConfState()
    assert [e.type for e in storage.entries(1, 3, EVERYTHING)] == [EntryType.CONF_CHANGE] * 2
    with pytest.raises(LogError, match="empty storage"):
        storage.bootstrap(CONF)


def test_entries_terms_and_size_limit(storage: AnyStorage) -> None:
    s = fill(storage)
    assert (s.first_index(), s.last_index(), s.term(4)) == (1, 5, 2)
    assert [e.index for e in s.entries(3, 6, 15)] == [3]  # at least one, then the limit
    assert [e.index for e in s.entries(3, 6, 20)] == [3, 4, 5]  # an empty entry still fits
    assert [e.index for e in s.entries(3, 6, 0)] == [3]
    assert s.entries(3, 6, EVERYTHING)[1] == Entry(2, 4, data=b"b" * 10)
    assert s.entries(4, 4, 0) == []
    with pytest.raises(UnavailableError):
        s.entries(3, 7, 100)
    with pytest.raises(UnavailableError):
        s.term(6)


def test_append_replaces_conflicting_suffix_and_refuses_gaps(storage: AnyStorage) -> None:
    s = fill(storage)
    s.append([Entry(4, 4, data=b"new")])
    assert s.last_index() == 4
    assert s.entries(3, 5, EVERYTHING) == [Entry(2, 3, data=b"a" * 10), Entry(4, 4, data=b"new")]
    with pytest.raises(UnavailableError):
        s.append([Entry(4, 9)])


def test_snapshot_then_compact(storage: AnyStorage) -> None:
    s = fill(storage)
    with pytest.raises(LogError, match="create a snapshot first"):
        s.compact(3)
    with pytest.raises(UnavailableError):
        s.create_snapshot(6, CONF, b"")
    snap = s.create_snapshot(4, CONF, b"state")
    assert (snap.metadata.index, snap.metadata.term) == (4, 2)
    assert s.snapshot() == snap
    s.compact(4)
    assert (s.first_index(), s.term(4), s.initial_state()[1]) == (5, 2, CONF)
    with pytest.raises(CompactedError):
        s.entries(4, 5, 100)
    with pytest.raises(CompactedError):
        s.term(3)
    with pytest.raises(CompactedError):
        s.compact(3)
    with pytest.raises(SnapshotOutOfDateError):
        s.create_snapshot(3, CONF, b"")


def test_appending_under_the_compaction_point_keeps_only_the_new_part(storage: AnyStorage) -> None:
    s = fill(storage)
    s.create_snapshot(4, CONF, b"")
    s.compact(4)
    s.append([Entry(2, 2), Entry(2, 3)])  # wholly covered: ignored
    assert s.last_index() == 5
    s.append([Entry(2, 4), Entry(5, 5), Entry(5, 6)])  # 4 is covered, 5 conflicts
    assert [(e.index, e.term) for e in s.entries(5, 7, EVERYTHING)] == [(5, 5), (6, 5)]


def test_apply_snapshot_resets_the_log(storage: AnyStorage) -> None:
    s = fill(storage)
    other = fill(MemoryStorage())
    snap = other.create_snapshot(5, CONF, b"st")
    s.apply_snapshot(snap)
    assert (s.first_index(), s.last_index(), s.snapshot(), s.term(5)) == (6, 5, snap, 3)
    with pytest.raises(SnapshotOutOfDateError):
        s.apply_snapshot(snap)
    s.append([Entry(4, 6, data=b"after")])
    assert s.entries(6, 7, 0) == [Entry(4, 6, data=b"after")]


def test_terms_of_every_width_read_back(storage: AnyStorage) -> None:
    # The LMDB side reads terms from the first bytes of a record; cover each msgpack width.
    terms = [0, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1]
    storage.append([Entry(t, i, data=b"x") for i, t in enumerate(terms, start=1)])
    assert [storage.term(i) for i in range(1, len(terms) + 1)] == terms


# -- durability ---------------------------------------------------------------------------


def test_everything_survives_reopening(lmdb: Lmdb) -> None:
    s = fill(lmdb.storage)
    s.set_hard_state(HardState(term=3, vote=NodeId(2), commit=4))
    s.create_snapshot(3, CONF, b"app state")
    s.compact(2)
    before = observe(s)
    assert observe(lmdb.reopen()) == before


def test_truncated_suffix_stays_truncated_after_reopening(lmdb: Lmdb) -> None:
    s = fill(lmdb.storage)
    s.append([Entry(7, 3, data=b"winner")])
    reopened = lmdb.reopen()
    assert reopened.last_index() == 3
    assert reopened.entries(3, 4, 0) == [Entry(7, 3, data=b"winner")]
    with lmdb.env.read() as txn:
        assert txn.get(log_key(4), db=lmdb.env.db("raft_log")) is None
        assert txn.stat(lmdb.env.db("raft_log"))["entries"] == 3
    reopened.append([Entry(7, 4), Entry(7, 5)])
    assert lmdb.reopen().term(5) == 7


def test_persist_writes_a_ready_at_once(lmdb: Lmdb) -> None:
    snap = Snapshot(SnapshotMetadata(10, 3, CONF), b"from the leader")
    hs = HardState(term=4, vote=NodeId(1), commit=11)
    lmdb.storage.persist(
        entries=[Entry(4, 11, data=b"k"), Entry(4, 12)], hard_state=hs, snapshot=snap, sync=True
    )
    s = lmdb.reopen()
    assert (s.snapshot(), s.hard_state(), s.first_index(), s.last_index()) == (snap, hs, 11, 12)
    assert s.initial_state() == (hs, CONF)


def test_a_refused_ready_writes_nothing(lmdb: Lmdb) -> None:
    s = fill(lmdb.storage)
    before = observe(s)
    with pytest.raises(UnavailableError):
        s.persist(entries=[Entry(9, 9)], hard_state=HardState(term=9), snapshot=None, sync=True)
    stale = Snapshot(SnapshotMetadata(0, 0, CONF))
    with pytest.raises(SnapshotOutOfDateError):
        s.persist(entries=[Entry(9, 6)], hard_state=HardState(term=9), snapshot=stale, sync=True)
    assert observe(s) == before
    assert observe(lmdb.reopen()) == before


def test_entries_with_holes_are_refused(lmdb: Lmdb) -> None:
    # MemoryStorage trusts Raft here; on disk a hole would only surface at the next open.
    s = fill(lmdb.storage)
    with pytest.raises(LogError, match="skip"):
        s.append([Entry(4, 5), Entry(4, 7)])
    assert observe(lmdb.reopen())[3] == 5


def test_bootstrap_is_remembered(lmdb: Lmdb) -> None:
    assert not lmdb.storage.is_bootstrapped()
    lmdb.storage.bootstrap(CONF)
    reopened = lmdb.reopen()
    assert reopened.is_bootstrapped()
    with pytest.raises(LogError, match="empty storage"):
        reopened.bootstrap(CONF)


def test_persisted_when_persist_returns_even_if_the_process_dies(tmp_path: Path) -> None:
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from consensus import Entry, HardState, NodeId\n"
        "from node.storage import LedgerEnv\n"
        "from node.storage.raft_storage import RaftStorage\n"
        "s = RaftStorage(LedgerEnv(Path(sys.argv[1])))\n"
        "s.persist(entries=[Entry(2, 1, data=b'x' * 4096)],\n"
        "          hard_state=HardState(term=2, vote=NodeId(3), commit=1), snapshot=None,\n"
        "          sync=True)\n"
        "os._exit(0)  # no close, no cleanup\n"
    )
    root = Path(__file__).resolve().parents[3]
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "data")], check=True, cwd=root, timeout=60
    )
    env = LedgerEnv(tmp_path / "data")
    s = RaftStorage(env)
    assert s.hard_state() == HardState(term=2, vote=NodeId(3), commit=1)
    assert s.entries(1, 2, 0) == [Entry(2, 1, data=b"x" * 4096)]
    env.close()


def test_a_megabyte_entry_round_trips(lmdb: Lmdb) -> None:
    block = os.urandom(1 << 20)
    lmdb.storage.append([Entry(1, 1, data=block), Entry(1, 2, data=b"small")])
    s = lmdb.reopen()
    assert s.entries(1, 3, 1 << 20) == [Entry(1, 1, data=block)]
    assert s.term(1) == 1


def test_readers_on_other_threads_never_see_a_torn_log(lmdb: Lmdb) -> None:
    s = lmdb.storage
    s.append([Entry(1, i, data=b"e") for i in range(1, 4)])
    failures: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            first, last = s.first_index(), s.last_index()
            try:
                got = s.entries(first, last + 1, EVERYTHING)
                assert all(e.data == b"e" for e in got)
                s.term(last)
            except (CompactedError, UnavailableError):
                continue  # the log moved on between two calls: what Raft may see too
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                failures.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(30):
            last = s.last_index()
            s.append([Entry(1, last - 1, data=b"e"), Entry(1, last, data=b"e")])  # rewrite
            s.append([Entry(1, last + i, data=b"e") for i in range(1, 4)])
            s.create_snapshot(last, CONF, b"")
            if round_ % 2:
                s.compact(last - 1)
    finally:
        done.set()
        reader.join()
    assert failures == []


# -- damaged records ----------------------------------------------------------------------


def assert_corrupt(call: Callable[[], object]) -> None:
    with pytest.raises(StorageError, match=r"corrupt.*restore") as info:
        call()
    assert not isinstance(info.value, ConsensusError)  # Raft must not swallow it


def test_a_garbled_hard_state_is_reported_at_open(lmdb: Lmdb) -> None:
    fill(lmdb.storage)
    lmdb.put_raw("raft_state", HARD_STATE_KEY, b"\xc1")
    assert_corrupt(lmdb.reopen)


def test_a_hole_in_the_log_is_reported_at_open(lmdb: Lmdb) -> None:
    fill(lmdb.storage)
    lmdb.put_raw("raft_log", log_key(3), None)
    with pytest.raises(StorageError, match="contiguous"):
        lmdb.reopen()


def test_garbled_entries_are_reported_when_read(lmdb: Lmdb) -> None:
    s = fill(lmdb.storage)
    lmdb.put_raw("raft_log", log_key(3), encode([2, 9, b"unknown type"]))
    lmdb.put_raw("raft_log", log_key(4), b"not msgpack")
    assert_corrupt(lambda: s.entries(3, 4, 0))
    assert_corrupt(lambda: s.entries(4, 5, 0))
    assert_corrupt(lambda: s.term(4))
    assert s.term(3) == 2  # the header is intact; only a full read checks the rest


# -- Raft over RaftStorage ----------------------------------------------------------------


@dataclass
class Member:
    id: NodeId
    disk: Lmdb
    raw: RawNode = field(init=False)
    applied: list[bytes] = field(default_factory=list)

    def start(self) -> None:
        self.raw = RawNode(
            Config(id=self.id, election_tick=10, heartbeat_tick=1),
            self.disk.storage,
            random.Random(self.id),
        )
        self.applied = []

    def handle_ready(self) -> list[Message]:
        rd = self.raw.ready()
        self.disk.storage.persist(
            entries=rd.entries, hard_state=rd.hard_state, snapshot=rd.snapshot, sync=rd.must_sync
        )
        self.applied += [
            e.data for e in rd.committed_entries if e.type is EntryType.NORMAL and e.data
        ]
        self.raw.advance(rd)
        return list(rd.messages)


def stabilize(members: dict[NodeId, Member]) -> None:
    """Handle Readies and deliver messages in order until nothing is left."""
    for _ in range(1000):
        queue = [
            m for node in members.values() if node.raw.has_ready() for m in node.handle_ready()
        ]
        if not queue:
            return
        for message in queue:
            members[message.to].raw.step(message)
    raise AssertionError("the cluster did not settle")


def leader_of(members: dict[NodeId, Member]) -> Member:
    (leader,) = [m for m in members.values() if m.raw.status().soft_state.role is Role.LEADER]
    return leader


def test_a_cluster_over_lmdb_elects_commits_and_restarts(tmp_path: Path) -> None:
    ids = [NodeId(i) for i in (1, 2, 3)]
    members = {i: Member(i, Lmdb(tmp_path / f"n{i}")) for i in ids}
    for m in members.values():
        m.disk.storage.bootstrap(ConfState(frozenset(ids)))
        m.start()
    members[ids[0]].raw.campaign()
    stabilize(members)
    leader = leader_of(members)
    blocks = [b"block-1", os.urandom(256 << 10), b"block-3"]
    for block in blocks:
        leader.raw.propose(block)
        stabilize(members)
    assert all(m.applied == blocks for m in members.values())
    before = {i: (m.raw.status().hard_state, observe(m.disk.storage)) for i, m in members.items()}
    term = before[leader.id][0].term

    for m in members.values():  # every process stops; only the data directories remain
        m.disk.reopen()
        m.start()
    for i, m in members.items():
        assert (m.raw.status().hard_state, observe(m.disk.storage)) == before[i]
    members[ids[1]].raw.campaign()
    stabilize(members)
    new_leader = leader_of(members)
    assert new_leader.id == ids[1]
    assert new_leader.raw.status().hard_state.term > term
    new_leader.raw.propose(b"after restart")
    stabilize(members)
    for m in members.values():  # the log replays from disk, then the new entry follows
        assert m.applied == [*blocks, b"after restart"]
        m.disk.env.close()


# -- property: the same observable results as MemoryStorage -------------------------------

BIG_TERMS = st.sampled_from([0, 1, 2, 3, 127, 128, 70000, 2**64 - 1])
OPS = st.one_of(
    st.tuples(st.just("append"), st.integers(-1, 6), st.integers(0, 5), BIG_TERMS),
    st.tuples(st.just("hard_state"), st.integers(0, 9), st.integers(0, 3), st.integers(0, 9)),
    st.tuples(st.just("create_snapshot"), st.integers(-1, 6), st.booleans(), st.binary(max_size=4)),
    st.tuples(st.just("compact"), st.integers(-1, 6)),
    st.tuples(st.just("apply_snapshot"), st.integers(-1, 6), BIG_TERMS, st.binary(max_size=4)),
    st.tuples(st.just("entries"), st.integers(-2, 5), st.integers(-1, 6), st.integers(0, 12)),
    st.tuples(st.just("term"), st.integers(-2, 8)),
    st.tuples(st.just("reopen")),
)


def concrete(op: tuple[Any, ...], model: MemoryStorage) -> tuple[str, tuple[Any, ...]]:
    """Turn an op relative to the model's bounds into a call with absolute arguments."""
    first, last, snap = model.first_index(), model.last_index(), model.snapshot().metadata
    kind = op[0]
    if kind == "append":
        _, back, count, term = op
        start = max(1, last + 1 - back)
        return kind, ([Entry(term, start + k, data=bytes([k]) * k) for k in range(count)],)
    if kind == "hard_state":
        return kind, (HardState(op[1], NodeId(op[2]), op[3]),)
    if kind == "create_snapshot":
        return kind, (last - op[1], CONF if op[2] else ConfState(), op[3])
    if kind == "compact":
        return kind, (last - op[1],)
    if kind == "apply_snapshot":
        meta = SnapshotMetadata(snap.index + op[1], op[2], CONF)
        return kind, (Snapshot(meta, op[3]),)
    if kind == "entries":
        return kind, (first + op[1], first + op[1] + op[2], op[3])
    if kind == "term":
        return kind, (first - 1 + op[1],)
    return kind, ()


def run(s: AnyStorage, kind: str, args: tuple[Any, ...]) -> object:
    calls: dict[str, Callable[..., object]] = {
        "append": s.append,
        "hard_state": s.set_hard_state,
        "create_snapshot": s.create_snapshot,
        "compact": s.compact,
        "apply_snapshot": s.apply_snapshot,
        "entries": s.entries,
        "term": s.term,
    }
    try:
        return ("ok", calls[kind](*args))
    except ConsensusError as exc:
        return (type(exc).__name__, str(exc))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, max_size=25))
def test_random_histories_look_the_same_on_both_storages(ops: list[tuple[Any, ...]]) -> None:
    model = MemoryStorage()
    with tempfile.TemporaryDirectory() as tmp:
        disk = Lmdb(Path(tmp) / "data")
        try:
            for op in ops:
                kind, args = concrete(op, model)
                if kind == "reopen":
                    disk.reopen()
                    continue
                assert run(disk.storage, kind, args) == run(model, kind, args), (kind, args)
                assert observe(disk.storage) == observe(model)
            assert observe(disk.reopen()) == observe(model)
        finally:
            disk.env.close()
