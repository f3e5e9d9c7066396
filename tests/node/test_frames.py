"""Peer frames: every kind round-trips, and anything malformed is refused with a reason."""

from __future__ import annotations

import re

import pytest

from consensus import Message, MessageType, NodeId
from node.frames import (
    CheckpointFrame,
    ForwardFrame,
    RaftFrame,
    checkpoint_frame,
    forward_frame,
    parse_frame,
    raft_frame,
)
from node.transport import FrameRejected
from sdk.encoding import encode

LIMIT = 1 << 20


def test_raft_message_round_trips() -> None:
    message = Message(MessageType.HEARTBEAT, to=NodeId(2), from_=NodeId(1), term=7, commit=3)
    parsed = parse_frame(raft_frame(message), max_size=LIMIT)
    assert parsed == RaftFrame(message)


def test_forward_round_trips() -> None:
    parsed = parse_frame(forward_frame([b"a", b"bc"]), max_size=LIMIT)
    assert parsed == ForwardFrame([b"a", b"bc"])


def test_checkpoint_body_is_passed_through() -> None:
    parsed = parse_frame(checkpoint_frame([1, b"x"]), max_size=LIMIT)
    assert parsed == CheckpointFrame([1, b"x"])


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"\xc1", "does not decode"),
        (encode([0]), "not [kind, body]"),
        (encode(["raft", []]), "not [kind, body]"),
        (encode([9, []]), "unknown frame kind 9"),
        (encode([0, [1, 2]]), "bad raft message"),
        (encode([1, [b"ok", "not bytes"]]), "list of transaction bytes"),
        (encode([1, b"nope"]), "list of transaction bytes"),
    ],
)
def test_malformed_frames_are_refused(frame: bytes, reason: str) -> None:
    with pytest.raises(FrameRejected, match=re.escape(reason)):
        parse_frame(frame, max_size=LIMIT)


def test_oversize_frame_is_refused() -> None:
    with pytest.raises(FrameRejected, match="does not decode"):
        parse_frame(forward_frame([b"x" * 2048]), max_size=1024)
