"""Exceptions raised by the Raft core.

The tree, written once::

    ConsensusError                      base of everything raised here
    ├── ConfigError                     a Config or bootstrap value is invalid
    ├── ProposalDropped                 a proposal cannot be accepted here and now
    │   ├── ConfChangeRefused           a membership change breaks the one-at-a-time rule
    │   └── ReadIndexDropped            a ReadIndex request cannot be served here and now
    ├── MessageError                    a message is unusable
    │   ├── MessageDecodeError          wire primitives do not describe a valid message
    │   └── InvalidMessage              a decoded message may not be stepped (local type,
    │                                   wrong recipient)
    ├── StorageError                    the log cannot serve the request
    │   ├── CompactedError              the index lies before the first retained entry
    │   ├── UnavailableError            the index lies after the last entry
    │   └── SnapshotOutOfDateError      the snapshot is older than the one already held
    ├── UsageError                      the RawNode driving contract was broken
    └── InvariantViolation              an internal Raft invariant failed: a bug, fail-stop

`ProposalDropped` carries `leader_hint` (the known leader, or None) and a `reason`, so the
caller can forward the proposal or retry later.
"""

from __future__ import annotations


class ConsensusError(Exception):
    """Base class of every exception raised by the consensus package."""


class ConfigError(ConsensusError):
    """A configuration value is out of range or inconsistent."""


class ProposalDropped(ConsensusError):
    """The proposal was not appended; `leader_hint` names where to retry (or None)."""

    def __init__(self, leader_hint: int | None, reason: str) -> None:
        super().__init__(f"proposal dropped: {reason} (leader hint: {leader_hint})")
        self.leader_hint = leader_hint
        self.reason = reason


class ConfChangeRefused(ProposalDropped):
    """A membership change was refused (one pending already, or it is not a valid change)."""


class ReadIndexDropped(ProposalDropped):
    """A linearizable read cannot be started: no leader known, or transfer in progress."""


class MessageError(ConsensusError):
    """A message cannot be used."""


class MessageDecodeError(MessageError):
    """Wire primitives are malformed: wrong shape, type, range or enum value."""


class InvalidMessage(MessageError):
    """A well-formed message that this node must not step (local-only type, wrong `to`)."""


class StorageError(ConsensusError):
    """The log or storage cannot serve the requested range."""


class CompactedError(StorageError):
    """The requested index was compacted away; a snapshot is needed instead."""


class UnavailableError(StorageError):
    """The requested index is beyond the last entry held."""


class SnapshotOutOfDateError(StorageError):
    """The snapshot is not newer than the one already installed."""


class UsageError(ConsensusError):
    """The caller broke the ready()/advance() contract (e.g. two Ready objects outstanding)."""


class InvariantViolation(ConsensusError):
    """An internal invariant failed. This is a bug; the node must stop (fail-stop)."""
