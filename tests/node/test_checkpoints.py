"""Checkpoints: signing, wire form, and the book that compares them and keeps the alarm."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from node.checkpoints import (
    Checkpoint,
    CheckpointBook,
    ForkAlarm,
    sign_checkpoint,
    verify_checkpoint,
)
from node.storage.env import LedgerEnv
from sdk.encoding import encode
from sdk.errors import InvalidSignature, SchemaError, SignerMismatch
from sdk.ids import sha256
from sdk.keys import Domain
from tests.node.chain_fixtures import node_key


def cp(height: int, node_id: int = 1, *, fork: bool = False) -> Checkpoint:
    salt = b"fork" if fork else b""
    return sign_checkpoint(
        height=height,
        block_hash=sha256(b"block%d" % height + salt),
        state_root=sha256(b"root%d" % height + salt),
        node_id=node_id,
        key=node_key(node_id),
    )


@pytest.fixture
def env(tmp_path: Path) -> Iterator[LedgerEnv]:
    env = LedgerEnv(tmp_path / "data")
    yield env
    env.close()


# --- signing ----------------------------------------------------------------------------------


def test_a_checkpoint_verifies_with_its_node_key_only() -> None:
    checkpoint = cp(5, 2)
    verify_checkpoint(checkpoint, node_key(2).public_key)
    with pytest.raises(SignerMismatch):
        verify_checkpoint(checkpoint, node_key(1).public_key)
    moved = dataclasses.replace(checkpoint, height=6)
    with pytest.raises(InvalidSignature):
        verify_checkpoint(moved, node_key(2).public_key)


def test_the_signature_covers_the_documented_message() -> None:
    checkpoint = cp(7, 3)
    message = encode([1, 3, 7, checkpoint.block_hash, checkpoint.state_root])
    assert checkpoint.message() == message
    node_key(3).public_key.verify(Domain.CHECKPOINT, message, checkpoint.signature)


def test_wire_form_round_trips_as_value_and_bytes() -> None:
    checkpoint = cp(9, 2)
    assert Checkpoint.from_wire(checkpoint.to_wire()) == checkpoint
    assert Checkpoint.from_wire(encode(checkpoint.to_wire())) == checkpoint
    as_json = checkpoint.to_json()
    assert as_json["block_hash"] == checkpoint.block_hash.hex()
    assert as_json["algorithm"] == "ed25519"


@pytest.mark.parametrize(
    "value",
    [
        [2, 1, 1, bytes(32), bytes(32), bytes(32), [1, bytes(64)]],
        [1, 1, 1, bytes(31), bytes(32), bytes(32), [1, bytes(64)]],
        [1, -1, 1, bytes(32), bytes(32), bytes(32), [1, bytes(64)]],
        [1, 1, 1, bytes(32), bytes(32)],
        "checkpoint",
    ],
)
def test_malformed_wire_values_are_refused(value: object) -> None:
    with pytest.raises(SchemaError):
        Checkpoint.from_wire(value)


# --- the book ---------------------------------------------------------------------------------


def test_agreeing_checkpoints_raise_no_alarm(env: LedgerEnv) -> None:
    book = CheckpointBook(env)
    assert book.record_peer(cp(1, 2)) is None  # ahead of us: kept for later
    assert book.record_own(cp(1, 1)) is None
    assert book.record_peer(cp(1, 3)) is None
    assert book.alarm is None
    assert [c.node_id for c in book.latest(1)] == [1, 2, 3]


def test_a_peer_disagreeing_with_our_checkpoint_raises_the_alarm(env: LedgerEnv) -> None:
    book = CheckpointBook(env)
    book.record_own(cp(4, 1))
    alarm = book.record_peer(cp(4, 2, fork=True))
    assert isinstance(alarm, ForkAlarm)
    assert (alarm.height, alarm.ours.node_id, alarm.theirs.node_id) == (4, 1, 2)
    assert book.alarm == str(alarm)
    assert "mismatch at height 4" in str(alarm)


def test_a_peer_ahead_is_compared_when_we_reach_its_height(env: LedgerEnv) -> None:
    book = CheckpointBook(env)
    assert book.record_peer(cp(8, 3, fork=True)) is None
    book.record_own(cp(7, 1))
    assert book.alarm is None
    alarm = book.record_own(cp(8, 1))
    assert alarm is not None
    assert alarm.theirs.node_id == 3
    assert book.fork_alarm == alarm


def test_the_alarm_survives_a_restart_and_stays_the_first(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "data")
    book = CheckpointBook(env)
    book.record_own(cp(2, 1))
    first = book.record_peer(cp(2, 2, fork=True))
    book.record_own(cp(3, 1))
    second = book.record_peer(cp(3, 3, fork=True))
    assert second is not None
    assert book.fork_alarm == first
    env.close()
    env = LedgerEnv(tmp_path / "data")
    try:
        reopened = CheckpointBook(env)
        assert reopened.fork_alarm == first
        assert reopened.alarm == str(first)
        reopened.clear_alarm()
        assert CheckpointBook(env).alarm is None
    finally:
        env.close()


def test_checkpoints_are_kept_across_a_restart(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "data")
    book = CheckpointBook(env)
    book.record_own(cp(1, 1))
    book.record_peer(cp(1, 2))
    book.record_peer(cp(2, 3))
    book.record_own(cp(2, 1))  # writes the peers' buffered checkpoints too
    book.record_peer(cp(3, 2))
    book.flush()
    env.close()
    env = LedgerEnv(tmp_path / "data")
    try:
        reopened = CheckpointBook(env)
        assert [c.node_id for c in reopened.latest(1)] == [1, 2]
        assert [c.node_id for c in reopened.latest(2)] == [1, 3]
        assert [c.node_id for c in reopened.latest(3)] == [2]
        assert reopened.own(2) == cp(2, 1)
        assert reopened.latest(9) == []
        # After a restart a late peer is still compared with our stored checkpoint.
        assert reopened.record_peer(cp(1, 3, fork=True)) is not None
    finally:
        env.close()
