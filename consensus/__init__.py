"""Raft consensus as a pure state machine: no I/O, no clock, no global randomness.

Drive a `RawNode`: `tick()`, `step(message)`, `propose(data)`, then `ready()` → persist →
send → apply → `advance(ready)`. See docs/consensus.md.
"""

from consensus import errors
from consensus.config import Config, Rng
from consensus.errors import (
    ConfChangeRefused,
    ConsensusError,
    MessageDecodeError,
    ProposalDropped,
    ReadIndexDropped,
)
from consensus.messages import Message, MessageType
from consensus.progress import ProgressState, ProgressView
from consensus.rawnode import RawNode, Ready, Status
from consensus.storage import MemoryStorage, Storage
from consensus.types import (
    NONE,
    ConfChange,
    ConfChangeType,
    ConfState,
    Entry,
    EntryType,
    HardState,
    NodeId,
    ReadState,
    Role,
    Snapshot,
    SnapshotMetadata,
    SoftState,
    StateRole,
    apply_conf_change,
)

__all__ = [
    "NONE",
    "ConfChange",
    "ConfChangeRefused",
    "ConfChangeType",
    "ConfState",
    "Config",
    "ConsensusError",
    "Entry",
    "EntryType",
    "HardState",
    "MemoryStorage",
    "Message",
    "MessageDecodeError",
    "MessageType",
    "NodeId",
    "ProgressState",
    "ProgressView",
    "ProposalDropped",
    "RawNode",
    "ReadIndexDropped",
    "ReadState",
    "Ready",
    "Rng",
    "Role",
    "Snapshot",
    "SnapshotMetadata",
    "SoftState",
    "StateRole",
    "Status",
    "Storage",
    "apply_conf_change",
    "errors",
]
