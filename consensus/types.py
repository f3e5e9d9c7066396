"""The plain data of Raft: ids, log entries, hard state, configurations, snapshots.

Everything here is an immutable value (frozen dataclass with slots) so that a `Ready` handed
to the application can never be changed behind the core's back.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from enum import Enum
from typing import NewType

from consensus.errors import ConfChangeRefused, MessageDecodeError

NodeId = NewType("NodeId", int)
"""A member's id. Real ids are positive; `NONE` (0) means "nobody" (no vote, no leader)."""

NONE = NodeId(0)


class EntryType(Enum):
    """What an entry carries: application data, or a membership change (§6)."""

    NORMAL = 0
    CONF_CHANGE = 1


@dataclass(frozen=True, slots=True)
class Entry:
    """One log entry (§5.3): the term it was created in, its index, and its payload."""

    term: int
    index: int
    type: EntryType = EntryType.NORMAL
    data: bytes = b""

    def payload_size(self) -> int:
        """Bytes counted against `max_size_per_msg` and `max_uncommitted_entries_size`."""
        return len(self.data)


@dataclass(frozen=True, slots=True)
class HardState:
    """The state a server must persist before answering anyone (Figure 2: currentTerm,
    votedFor), plus the commit index so a restart need not re-learn it."""

    term: int = 0
    vote: NodeId = NONE
    commit: int = 0


@dataclass(frozen=True, slots=True)
class ConfState:
    """A configuration: the voters (who elect and form quorums) and the learners."""

    voters: frozenset[NodeId] = field(default_factory=frozenset)
    learners: frozenset[NodeId] = field(default_factory=frozenset)

    def members(self) -> frozenset[NodeId]:
        return self.voters | self.learners


@dataclass(frozen=True, slots=True)
class SnapshotMetadata:
    """Where a snapshot stands in the log (§7): last included index and term, and the
    configuration in effect at that index."""

    index: int = 0
    term: int = 0
    conf_state: ConfState = field(default_factory=ConfState)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An application snapshot with its Raft metadata (§7, InstallSnapshot)."""

    metadata: SnapshotMetadata = field(default_factory=SnapshotMetadata)
    data: bytes = b""

    def is_empty(self) -> bool:
        return self.metadata.index == 0


class ConfChangeType(Enum):
    """A membership change sets one node's role; see `apply_conf_change`."""

    ADD_VOTER = 0
    ADD_LEARNER = 1
    REMOVE_NODE = 2


_CC_HEADER = struct.Struct(">2sBQ")
_CC_MAGIC = b"CC"


@dataclass(frozen=True, slots=True)
class ConfChange:
    """One-server membership change (thesis §4.1), carried as the data of a CONF_CHANGE
    entry. `context` is opaque to Raft (e.g. the new member's address)."""

    type: ConfChangeType
    node_id: NodeId
    context: bytes = b""

    def encode(self) -> bytes:
        return _CC_HEADER.pack(_CC_MAGIC, self.type.value, self.node_id) + self.context

    @classmethod
    def decode(cls, data: bytes) -> ConfChange:
        """Parse `encode()` output; raise MessageDecodeError on anything else."""
        if len(data) < _CC_HEADER.size:
            raise MessageDecodeError(f"conf change too short: {len(data)} bytes")
        magic, kind, node = _CC_HEADER.unpack_from(data)
        if magic != _CC_MAGIC:
            raise MessageDecodeError("conf change has a bad magic prefix")
        try:
            cc_type = ConfChangeType(kind)
        except ValueError as exc:
            raise MessageDecodeError(f"unknown conf change type {kind}") from exc
        if node == 0:
            raise MessageDecodeError("conf change names node 0")
        return cls(cc_type, NodeId(node), bytes(data[_CC_HEADER.size :]))


def apply_conf_change(conf: ConfState, cc: ConfChange) -> ConfState:
    """Return the configuration after `cc`.

    A change is an assignment ("node X is now a voter / a learner / gone"), so applying the
    same change twice, or replaying a suffix of the log over a later configuration, yields
    the same result. Raft relies on that when it re-derives the configuration on restart.
    """
    voters, learners = set(conf.voters), set(conf.learners)
    voters.discard(cc.node_id)
    learners.discard(cc.node_id)
    if cc.type is ConfChangeType.ADD_VOTER:
        voters.add(cc.node_id)
    elif cc.type is ConfChangeType.ADD_LEARNER:
        learners.add(cc.node_id)
    return ConfState(frozenset(voters), frozenset(learners))


def check_conf_change(conf: ConfState, cc: ConfChange) -> None:
    """Refuse changes that are no-ops or would leave no voter (raise ConfChangeRefused)."""
    after = apply_conf_change(conf, cc)
    if after == conf:
        raise ConfChangeRefused(None, f"{cc.type.name} {cc.node_id} changes nothing")
    if not after.voters:
        raise ConfChangeRefused(None, "a configuration needs at least one voter")


class Role(Enum):
    """The role of a server (§5.1), plus the pre-candidate of pre-vote (thesis §9.6)."""

    FOLLOWER = "follower"
    PRE_CANDIDATE = "pre-candidate"
    CANDIDATE = "candidate"
    LEADER = "leader"


StateRole = Role


@dataclass(frozen=True, slots=True)
class SoftState:
    """Volatile state worth reporting: who leads, and our role. Never persisted."""

    leader: NodeId = NONE
    role: Role = Role.FOLLOWER


@dataclass(frozen=True, slots=True)
class ReadState:
    """A linearizable read is safe once the state machine has applied `index` (§6.4)."""

    index: int
    ctx: bytes
