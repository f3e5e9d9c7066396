"""A simulated server: RawNode + MemoryStorage (the disk) + a hash-chain state machine.

`MemoryStorage` is exactly what survives a crash; the RawNode, its unstable entries, the
unsent messages and the state machine are lost. The state machine is a SHA-256 chain over
applied entries, so two servers agree on their state iff they applied the same entries,
and a snapshot is just (index, digest).
"""

from __future__ import annotations

import hashlib
import random
import struct
from dataclasses import dataclass, field
from enum import Enum

from consensus.config import Config
from consensus.messages import Message
from consensus.rawnode import RawNode, Ready
from consensus.storage import MemoryStorage
from consensus.types import (
    ConfChange,
    ConfState,
    Entry,
    EntryType,
    NodeId,
    ReadState,
    apply_conf_change,
)

_SNAP = struct.Struct(">Q32s")


class CrashPoint(Enum):
    """Where a crash interrupts the handling of a Ready (the persistence contract)."""

    BEFORE_PERSIST = "before-persist"
    AFTER_ENTRIES = "after-entries"
    AFTER_HARD_STATE = "after-hard-state"
    AFTER_SEND = "after-send"


@dataclass(slots=True)
class StateMachine:
    applied: int = 0
    digest: bytes = b"\x00" * 32
    conf: ConfState = field(default_factory=ConfState)
    values: list[bytes] = field(default_factory=list)

    def apply(self, entry: Entry) -> None:
        h = hashlib.sha256(self.digest)
        h.update(struct.pack(">QQB", entry.index, entry.term, entry.type.value))
        h.update(entry.data)
        self.digest = h.digest()
        self.applied = entry.index
        if entry.type is EntryType.CONF_CHANGE:
            self.conf = apply_conf_change(self.conf, ConfChange.decode(entry.data))
        elif entry.data:
            self.values.append(entry.data)

    def snapshot_data(self) -> bytes:
        return _SNAP.pack(self.applied, self.digest)

    @classmethod
    def from_snapshot(cls, data: bytes, conf: ConfState) -> StateMachine:
        if not data:
            return cls(conf=conf)
        applied, digest = _SNAP.unpack(data)
        return cls(applied=applied, digest=digest, conf=conf)


@dataclass(slots=True)
class ReadyOutcome:
    """What one handled Ready produced, for the network and the checker."""

    messages: tuple[Message, ...] = ()
    applied: tuple[Entry, ...] = ()
    read_states: tuple[ReadState, ...] = ()
    persisted: tuple[Entry, ...] = ()
    snapshot_index: int = 0
    crashed: bool = False


class SimNode:
    def __init__(self, node_id: NodeId, conf: ConfState, seed: int, **knobs: int | bool) -> None:
        self.id = node_id
        self.storage = MemoryStorage()
        if conf.voters:
            self.storage.bootstrap(conf)
        self.knobs = knobs
        self._rng = random.Random(seed)
        self.raw: RawNode | None = None
        self.sm = StateMachine()
        self.restart()

    @property
    def alive(self) -> bool:
        return self.raw is not None

    def node(self) -> RawNode:
        if self.raw is None:
            raise RuntimeError(f"node {self.id} is down")
        return self.raw

    def crash(self) -> None:
        self.raw = None

    def restart(self) -> None:
        """Come back with only what was persisted: storage, and the snapshot's state."""
        snap = self.storage.snapshot()
        self.sm = StateMachine.from_snapshot(snap.data, snap.metadata.conf_state)
        config = Config(id=self.id, applied=snap.metadata.index, **self.knobs)  # type: ignore[arg-type]
        self.raw = RawNode(config, self.storage, self._rng)

    def handle_ready(self, crash_at: CrashPoint | None = None) -> ReadyOutcome:
        """Follow the Ready contract: persist, then send, then apply, then advance."""
        raw = self.node()
        rd: Ready = raw.ready()
        out = ReadyOutcome()
        if crash_at is CrashPoint.BEFORE_PERSIST:
            return self._crashed(out)
        if rd.snapshot is not None:
            self.storage.apply_snapshot(rd.snapshot)
            meta = rd.snapshot.metadata
            self.sm = StateMachine.from_snapshot(rd.snapshot.data, meta.conf_state)
            out.snapshot_index = meta.index
        self.storage.append(rd.entries)
        out.persisted = rd.entries
        if crash_at is CrashPoint.AFTER_ENTRIES:
            return self._crashed(out)
        if rd.hard_state is not None:
            self.storage.set_hard_state(rd.hard_state)
        if crash_at is CrashPoint.AFTER_HARD_STATE:
            return self._crashed(out)
        out.messages = rd.messages
        if crash_at is CrashPoint.AFTER_SEND:
            return self._crashed(out)
        for entry in rd.committed_entries:
            self.sm.apply(entry)
        out.applied = rd.committed_entries
        out.read_states = rd.read_states
        raw.advance(rd)
        return out

    def _crashed(self, out: ReadyOutcome) -> ReadyOutcome:
        self.crash()
        out.crashed = True
        return out

    def compact(self, keep: int) -> bool:
        """Snapshot the state machine at its applied index and drop the log before it,
        keeping `keep` entries for slow followers."""
        snap_index = self.storage.snapshot().metadata.index
        if self.sm.applied <= snap_index:
            return False
        self.storage.create_snapshot(self.sm.applied, self.sm.conf, self.sm.snapshot_data())
        target = self.sm.applied - keep
        if target > self.storage.first_index() - 1:
            self.storage.compact(target)
        return True
