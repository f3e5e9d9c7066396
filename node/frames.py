"""What travels between nodes inside transport frames (docs/transport.md carries the bytes).

Every frame is the canonical encoding of ``[kind, body]``:

    RAFT        [0, Message.to_primitive()]       a Raft message for the receiving node
    FORWARD     [1, [tx_wire, ...]]               admitted client transactions for the leader
    CHECKPOINT  [2, Checkpoint.to_wire()]         a signed (height, block_hash, state_root)

A frame that does not decode into one of these is refused (``FrameRejected``): the transport
logs it and drops it without disturbing the node.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from consensus import Message, MessageDecodeError
from node.transport import FrameRejected
from sdk.encoding import decode, encode
from sdk.errors import SdkError

MAX_FORWARD_BATCH = 10_000
"""Most transactions one FORWARD frame may carry."""


class FrameKind(IntEnum):
    RAFT = 0
    FORWARD = 1
    CHECKPOINT = 2


@dataclass(frozen=True, slots=True)
class RaftFrame:
    message: Message


@dataclass(frozen=True, slots=True)
class ForwardFrame:
    transactions: list[bytes]


@dataclass(frozen=True, slots=True)
class CheckpointFrame:
    body: Any
    """The checkpoint's wire form, decoded and verified by ``node.checkpoints``."""


PeerFrame = RaftFrame | ForwardFrame | CheckpointFrame


def raft_frame(message: Message) -> bytes:
    return encode([FrameKind.RAFT.value, message.to_primitive()])


def forward_frame(transactions: list[bytes]) -> bytes:
    return encode([FrameKind.FORWARD.value, transactions])


def checkpoint_frame(body: Any) -> bytes:
    return encode([FrameKind.CHECKPOINT.value, body])


def parse_frame(frame: bytes, *, max_size: int) -> PeerFrame:
    """Decode one frame; raise ``FrameRejected`` with the reason on anything malformed."""
    try:
        value = decode(frame, max_size=max_size)
    except SdkError as exc:
        raise FrameRejected(f"frame does not decode: {exc}") from exc
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int):
        raise FrameRejected("frame is not [kind, body]")
    kind, body = value
    if kind == FrameKind.RAFT:
        try:
            return RaftFrame(Message.from_primitive(body))
        except MessageDecodeError as exc:
            raise FrameRejected(f"bad raft message: {exc}") from exc
    if kind == FrameKind.FORWARD:
        if (
            not isinstance(body, list)
            or len(body) > MAX_FORWARD_BATCH
            or not all(isinstance(tx, bytes) for tx in body)
        ):
            raise FrameRejected("forward frame must carry a list of transaction bytes")
        return ForwardFrame(body)
    if kind == FrameKind.CHECKPOINT:
        return CheckpointFrame(body)
    raise FrameRejected(f"unknown frame kind {kind}")
