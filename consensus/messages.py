"""Raft messages and their wire primitives.

`Message.to_primitive()` gives a tuple of ints, bytes and nested tuples that any
serialiser (the node uses msgpack) can carry; `Message.from_primitive()` validates every
field strictly and raises `MessageDecodeError` on anything else, so garbage from the wire
can never crash the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from consensus.errors import MessageDecodeError
from consensus.types import (
    NONE,
    ConfState,
    Entry,
    EntryType,
    NodeId,
    Snapshot,
    SnapshotMetadata,
)

WIRE_VERSION = 1


class MessageType(Enum):
    """Every message Raft exchanges. LOCAL_TYPES never cross the network."""

    HUP = 0  # local: start an election (§5.2)
    BEAT = 1  # local: leader sends heartbeats (§5.2)
    PROPOSE = 2  # local: append client data
    APPEND = 3  # AppendEntries (§5.3)
    APPEND_RESPONSE = 4
    VOTE = 5  # RequestVote (§5.2)
    VOTE_RESPONSE = 6
    PRE_VOTE = 7  # thesis §9.6
    PRE_VOTE_RESPONSE = 8
    SNAPSHOT = 9  # InstallSnapshot (§7)
    HEARTBEAT = 10  # empty AppendEntries, carries ReadIndex contexts (§6.4)
    HEARTBEAT_RESPONSE = 11
    TRANSFER_LEADER = 12  # thesis §3.10; `from_` names the transferee
    TIMEOUT_NOW = 13  # thesis §3.10: transferee campaigns at once
    READ_INDEX = 14  # §6.4, forwarded by followers
    READ_INDEX_RESPONSE = 15
    CHECK_QUORUM = 16  # local: leader checks it heard from a quorum (thesis §6.2)
    UNREACHABLE = 17  # local: transport reports a peer unreachable
    SNAPSHOT_STATUS = 18  # local: transport reports a snapshot sent (reject = failed)


LOCAL_TYPES = frozenset(
    {
        MessageType.HUP,
        MessageType.BEAT,
        MessageType.PROPOSE,
        MessageType.CHECK_QUORUM,
        MessageType.UNREACHABLE,
        MessageType.SNAPSHOT_STATUS,
    }
)

RESPONSE_TYPES = frozenset(
    {
        MessageType.APPEND_RESPONSE,
        MessageType.VOTE_RESPONSE,
        MessageType.PRE_VOTE_RESPONSE,
        MessageType.HEARTBEAT_RESPONSE,
        MessageType.READ_INDEX_RESPONSE,
    }
)

CAMPAIGN_TRANSFER = b"campaign-transfer"
"""Context of a VOTE sent after TIMEOUT_NOW: voters skip the leader-lease check."""


@dataclass(frozen=True, slots=True)
class Message:
    """One Raft message. Unused fields keep their zero values.

    `index`/`log_term` are prevLogIndex/prevLogTerm in APPEND (§5.3), lastLogIndex/
    lastLogTerm in VOTE (§5.4.1), and the acknowledged or rejected index in responses.
    A rejected APPEND_RESPONSE carries `reject_hint` (the follower's probe index) and
    `log_term` (its term there) for the fast back-off.
    """

    type: MessageType
    to: NodeId = NONE
    from_: NodeId = NONE
    term: int = 0
    log_term: int = 0
    index: int = 0
    entries: tuple[Entry, ...] = ()
    commit: int = 0
    reject: bool = False
    reject_hint: int = 0
    snapshot: Snapshot | None = None
    context: bytes = b""

    def to_primitive(self) -> tuple[Any, ...]:
        """A tuple of ints, bytes, bools and tuples, stable across versions of this code."""
        snap: tuple[Any, ...] | None = None
        if self.snapshot is not None:
            meta = self.snapshot.metadata
            snap = (
                meta.index,
                meta.term,
                tuple(sorted(meta.conf_state.voters)),
                tuple(sorted(meta.conf_state.learners)),
                self.snapshot.data,
            )
        return (
            WIRE_VERSION,
            self.type.value,
            int(self.to),
            int(self.from_),
            self.term,
            self.log_term,
            self.index,
            tuple((e.term, e.index, e.type.value, e.data) for e in self.entries),
            self.commit,
            self.reject,
            self.reject_hint,
            snap,
            self.context,
        )

    @classmethod
    def from_primitive(cls, raw: object) -> Message:
        """Rebuild a message from `to_primitive()` output, validating everything.

        Lists are accepted where tuples were written (msgpack decodes arrays as lists).
        """
        fields = _seq(raw, "message", 13)
        if _int(fields[0], "version") != WIRE_VERSION:
            raise MessageDecodeError(f"unsupported wire version {fields[0]!r}")
        mtype = _enum(MessageType, fields[1], "type")
        message = cls(
            type=mtype,
            to=NodeId(_int(fields[2], "to")),
            from_=NodeId(_int(fields[3], "from")),
            term=_int(fields[4], "term"),
            log_term=_int(fields[5], "log_term"),
            index=_int(fields[6], "index"),
            entries=tuple(_entry(e) for e in _seq(fields[7], "entries", None)),
            commit=_int(fields[8], "commit"),
            reject=_bool(fields[9], "reject"),
            reject_hint=_int(fields[10], "reject_hint"),
            snapshot=None if fields[11] is None else _snapshot(fields[11]),
            context=_bytes(fields[12], "context"),
        )
        _check_entries(message)
        return message


_MAX_U64 = (1 << 64) - 1
_E = TypeVar("_E", bound=Enum)


def _check_entries(m: Message) -> None:
    """Entries must follow prevLogIndex contiguously with terms that never decrease and
    never exceed the message term (§5.3); anything else would corrupt a log."""
    prev_term = m.log_term
    for offset, entry in enumerate(m.entries, start=1):
        if entry.index != m.index + offset:
            raise MessageDecodeError(f"entry {offset} has index {entry.index}, not contiguous")
        if entry.term < prev_term or entry.term > m.term:
            raise MessageDecodeError(f"entry {entry.index} has an out-of-order term")
        prev_term = entry.term


def _seq(raw: object, what: str, length: int | None) -> list[object] | tuple[object, ...]:
    if not isinstance(raw, (list, tuple)):
        raise MessageDecodeError(f"{what}: expected a sequence, got {type(raw).__name__}")
    if length is not None and len(raw) != length:
        raise MessageDecodeError(f"{what}: expected {length} fields, got {len(raw)}")
    return raw


def _int(raw: object, what: str) -> int:
    # bool is an int subclass; a bool where a number belongs is a malformed message.
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise MessageDecodeError(f"{what}: expected an integer, got {type(raw).__name__}")
    if not 0 <= raw <= _MAX_U64:
        raise MessageDecodeError(f"{what}: {raw} is out of range")
    return raw


def _bool(raw: object, what: str) -> bool:
    if not isinstance(raw, bool):
        raise MessageDecodeError(f"{what}: expected a bool, got {type(raw).__name__}")
    return raw


def _bytes(raw: object, what: str) -> bytes:
    if not isinstance(raw, (bytes, bytearray)):
        raise MessageDecodeError(f"{what}: expected bytes, got {type(raw).__name__}")
    return bytes(raw)


def _enum(kind: type[_E], raw: object, what: str) -> _E:
    value = _int(raw, what)
    try:
        return kind(value)
    except ValueError as exc:
        raise MessageDecodeError(f"{what}: unknown value {value}") from exc


def _entry(raw: object) -> Entry:
    term, index, etype, data = _seq(raw, "entry", 4)
    return Entry(
        term=_int(term, "entry.term"),
        index=_int(index, "entry.index"),
        type=_enum(EntryType, etype, "entry.type"),
        data=_bytes(data, "entry.data"),
    )


def _ids(raw: object, what: str) -> frozenset[NodeId]:
    ids = [NodeId(_int(i, what)) for i in _seq(raw, what, None)]
    if NONE in ids:
        raise MessageDecodeError(f"{what}: node id 0 is reserved")
    return frozenset(ids)


def _snapshot(raw: object) -> Snapshot:
    index, term, voters, learners, data = _seq(raw, "snapshot", 5)
    conf = ConfState(_ids(voters, "snapshot.voters"), _ids(learners, "snapshot.learners"))
    meta = SnapshotMetadata(_int(index, "snapshot.index"), _int(term, "snapshot.term"), conf)
    return Snapshot(meta, _bytes(data, "snapshot.data"))
