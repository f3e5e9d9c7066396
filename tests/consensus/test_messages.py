"""Wire primitives: round trips, and strict rejection of garbage (never a crash)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consensus import (
    ConfChange,
    ConfChangeType,
    ConfState,
    Entry,
    EntryType,
    Message,
    MessageDecodeError,
    MessageType,
    NodeId,
    Snapshot,
    SnapshotMetadata,
)

FULL = Message(
    MessageType.APPEND,
    to=NodeId(2),
    from_=NodeId(1),
    term=3,
    log_term=2,
    index=7,
    entries=(Entry(3, 8, EntryType.NORMAL, b"x"), Entry(3, 9, EntryType.CONF_CHANGE, b"cc")),
    commit=6,
    reject=True,
    reject_hint=5,
    snapshot=Snapshot(SnapshotMetadata(4, 2, ConfState(frozenset({NodeId(1)}))), b"s"),
    context=b"ctx",
)


def test_round_trip_keeps_every_field() -> None:
    assert Message.from_primitive(FULL.to_primitive()) == FULL


def test_lists_are_accepted_like_msgpack_decodes_arrays() -> None:
    def listify(x: object) -> object:
        return [listify(i) for i in x] if isinstance(x, tuple) else x

    assert Message.from_primitive(listify(FULL.to_primitive())) == FULL


@pytest.mark.parametrize(
    ("index", "value", "match"),
    [
        (0, 9, "version"),
        (1, 99, "type: unknown"),
        (2, -1, "out of range"),
        (4, True, "integer"),
        (7, [(1, 2, 7, b"")], "entry.type"),
        (9, 1, "bool"),
        (11, (1, 1, [0], [], b""), "reserved"),
        (12, "text", "bytes"),
    ],
)
def test_bad_fields_raise_decode_error(index: int, value: object, match: str) -> None:
    raw = list(FULL.to_primitive())
    raw[index] = value
    with pytest.raises(MessageDecodeError, match=match):
        Message.from_primitive(raw)


def test_non_contiguous_or_misordered_entries_are_rejected() -> None:
    raw = list(FULL.to_primitive())
    raw[7] = ((3, 8, 0, b""), (3, 10, 0, b""))
    with pytest.raises(MessageDecodeError, match="contiguous"):
        Message.from_primitive(raw)
    raw[7] = ((3, 8, 0, b""), (1, 9, 0, b""))
    with pytest.raises(MessageDecodeError, match="term"):
        Message.from_primitive(raw)


def test_wrong_shape_raises_decode_error() -> None:
    with pytest.raises(MessageDecodeError):
        Message.from_primitive({"type": 1})
    with pytest.raises(MessageDecodeError):
        Message.from_primitive((1, 2, 3))


primitives = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 2**65)
    | st.binary(max_size=8)
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=14) | st.tuples(inner, inner),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(primitives)
def test_garbage_only_ever_raises_decode_error(raw: object) -> None:
    with contextlib.suppress(MessageDecodeError):
        Message.from_primitive(raw)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 12), primitives)
def test_one_corrupted_field_never_crashes(index: int, value: object) -> None:
    raw = list(FULL.to_primitive())
    raw[index] = value
    try:
        decoded = Message.from_primitive(raw)
    except MessageDecodeError:
        return
    assert isinstance(decoded, Message)


def test_conf_change_round_trip_and_garbage() -> None:
    cc = ConfChange(ConfChangeType.ADD_LEARNER, NodeId(7), b"addr")
    assert ConfChange.decode(cc.encode()) == cc
    for bad in (b"", b"XX" + cc.encode()[2:], cc.encode()[:2] + b"\x09" + cc.encode()[3:]):
        with pytest.raises(MessageDecodeError):
            ConfChange.decode(bad)
