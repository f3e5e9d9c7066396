"""`RawNode`: the application's handle on Raft, and the `Ready` batches it hands out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from consensus.config import Config, Rng
from consensus.errors import InvalidMessage, UsageError
from consensus.messages import LOCAL_TYPES, Message, MessageType
from consensus.progress import ProgressView
from consensus.raft import Raft
from consensus.storage import Storage
from consensus.types import (
    ConfChange,
    ConfState,
    Entry,
    EntryType,
    HardState,
    NodeId,
    ReadState,
    Role,
    Snapshot,
    SoftState,
)

MT = MessageType


@dataclass(frozen=True, slots=True)
class Ready:
    """Everything the application must do, in this order:

    1. `snapshot` (if any): install it into storage and the state machine;
    2. `entries`: append them to stable storage (replacing any conflicting suffix);
    3. `hard_state` (if any): persist it; fsync everything when `must_sync`;
    4. only then send `messages` (a vote or an ack promises that 1-3 are durable);
    5. apply `committed_entries` to the state machine, in order;
    6. serve `read_states` once the state machine has applied their index;
    7. call `RawNode.advance(ready)`.
    `soft_state` (leader, role) is informational and never persisted.
    """

    soft_state: SoftState | None = None
    hard_state: HardState | None = None
    entries: tuple[Entry, ...] = ()
    snapshot: Snapshot | None = None
    committed_entries: tuple[Entry, ...] = ()
    messages: tuple[Message, ...] = ()
    read_states: tuple[ReadState, ...] = ()
    must_sync: bool = False


@dataclass(frozen=True, slots=True)
class Status:
    """A snapshot of the node's state for operators and tests."""

    id: NodeId
    hard_state: HardState
    soft_state: SoftState
    applied: int
    last_index: int
    conf_state: ConfState
    lead_transferee: NodeId
    progress: Mapping[NodeId, ProgressView] = field(default_factory=dict)


class RawNode:
    """A Raft node without I/O, driven by one task (etcd's RawNode design).

    Driving loop: call `tick()` every tick interval and `step(msg)` for every message
    received; call `propose`, `propose_conf_change`, `transfer_leader`, `read_index` on
    demand. Whenever `has_ready()`, take `ready()` and follow the order in `Ready`:
    persist snapshot, entries and hard state (fsync when `must_sync`) BEFORE sending the
    messages and BEFORE applying the committed entries; then `advance(ready)`. Only one
    Ready may be outstanding. `step` between `ready()` and `advance()` is allowed.

    Proposals raise `ProposalDropped` (with `leader_hint`) when this node cannot accept
    them: proposals are never forwarded, the caller resends to the leader.
    """

    def __init__(self, config: Config, storage: Storage, rng: Rng) -> None:
        self._raft = Raft(config, storage, rng)
        self._prev_soft = self._raft.soft_state()
        self._prev_hard = self._raft.hard_state()
        self._outstanding: Ready | None = None

    @property
    def id(self) -> NodeId:
        return self._raft.id

    # -- inputs ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Advance logical time by one tick (elections §5.2, heartbeats, check-quorum)."""
        self._raft.tick()

    def campaign(self) -> None:
        """Start an election now (bootstrap and tests); ignored by learners and leaders."""
        self._raft.step(Message(MT.HUP, from_=self.id))

    def step(self, message: Message) -> None:
        """Feed a message received from a peer. Raises InvalidMessage for local-only
        types or a message addressed to another node."""
        if message.type in LOCAL_TYPES:
            raise InvalidMessage(f"{message.type.name} is local and cannot come from a peer")
        if message.to != self.id:
            raise InvalidMessage(f"message for {message.to} stepped into node {self.id}")
        self._raft.step(message)

    def propose(self, data: bytes) -> None:
        """Append client data to the log (leader only; else ProposalDropped)."""
        entry = Entry(term=0, index=0, type=EntryType.NORMAL, data=data)
        self._raft.step(Message(MT.PROPOSE, from_=self.id, entries=(entry,)))

    def propose_conf_change(self, change: ConfChange) -> None:
        """Propose a one-server membership change (ConfChangeRefused if not allowed)."""
        entry = Entry(term=0, index=0, type=EntryType.CONF_CHANGE, data=change.encode())
        self._raft.step(Message(MT.PROPOSE, from_=self.id, entries=(entry,)))

    def transfer_leader(self, to: NodeId) -> None:
        """Ask the leader to hand leadership to voter `to` (thesis §3.10)."""
        self._raft.step(Message(MT.TRANSFER_LEADER, from_=to))

    def read_index(self, ctx: bytes) -> None:
        """Request a linearizable read; the answer comes as a ReadState carrying `ctx`.
        Raises ReadIndexDropped when no leader is known."""
        self._raft.step(Message(MT.READ_INDEX, from_=self.id, context=ctx))

    def report_unreachable(self, node: NodeId) -> None:
        """The transport could not reach `node`: stop pipelining to it."""
        self._raft.step(Message(MT.UNREACHABLE, from_=node))

    def report_snapshot(self, node: NodeId, success: bool) -> None:
        """The transport finished sending a snapshot to `node` (or failed to)."""
        self._raft.step(Message(MT.SNAPSHOT_STATUS, from_=node, reject=not success))

    # -- outputs --------------------------------------------------------------------------

    def has_ready(self) -> bool:
        r = self._raft
        return (
            r.soft_state() != self._prev_soft
            or r.hard_state() != self._prev_hard
            or r.log.unstable.snapshot is not None
            or bool(r.log.unstable.entries)
            or bool(r.msgs)
            or bool(r.read_states)
            or r.log.has_next_committed()
        )

    def ready(self) -> Ready:
        """Collect the pending work. Raises UsageError if the last Ready was not advanced."""
        if self._outstanding is not None:
            raise UsageError("ready() called again before advance() of the previous Ready")
        r = self._raft
        soft, hard = r.soft_state(), r.hard_state()
        entries = tuple(r.log.unstable_entries())
        snapshot = r.log.unstable.snapshot
        vote_changed = (hard.term, hard.vote) != (self._prev_hard.term, self._prev_hard.vote)
        rd = Ready(
            soft_state=soft if soft != self._prev_soft else None,
            hard_state=hard if hard != self._prev_hard else None,
            entries=entries,
            snapshot=snapshot,
            committed_entries=tuple(r.log.next_committed(r.cfg.max_committed_size_per_ready)),
            messages=tuple(r.msgs),
            read_states=tuple(r.read_states),
            must_sync=bool(entries) or snapshot is not None or vote_changed,
        )
        r.msgs = []
        r.read_states = []
        self._prev_soft = soft
        self._outstanding = rd
        return rd

    def advance(self, ready: Ready) -> None:
        """Tell Raft that `ready` was persisted, sent and applied."""
        if ready is not self._outstanding:
            raise UsageError("advance() must receive the Ready returned by the last ready()")
        self._outstanding = None
        r = self._raft
        if ready.hard_state is not None:
            self._prev_hard = ready.hard_state
        if ready.snapshot is not None:
            r.log.stable_snap_to(ready.snapshot.metadata.index)
            r.log.applied_to(ready.snapshot.metadata.index)
        if ready.entries:
            last = ready.entries[-1]
            r.log.stable_to(last.index, last.term)
            r.on_persisted()
        if ready.committed_entries:
            r.log.applied_to(ready.committed_entries[-1].index)
            if r.role is Role.LEADER:
                done = sum(e.payload_size() for e in ready.committed_entries)
                r.uncommitted_size = max(0, r.uncommitted_size - done)

    def status(self) -> Status:
        r = self._raft
        progress = (
            {node: ProgressView.of(pr) for node, pr in sorted(r.tracker.progress.items())}
            if r.role is Role.LEADER
            else {}
        )
        return Status(
            id=r.id,
            hard_state=r.hard_state(),
            soft_state=r.soft_state(),
            applied=r.log.applied,
            last_index=r.log.last_index(),
            conf_state=r.conf_state(),
            lead_transferee=r.lead_transferee,
            progress=progress,
        )
