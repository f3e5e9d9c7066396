"""Checkpoints: every node signs ``(height, block_hash, state_root)`` after each block.

DESIGN.md, State: "Nodes sign and exchange checkpoints; a mismatch is a fork: the node stops
applying and raises an alarm" (issue 4 item 5). Nodes exchange them over the peer link (frame
kind CHECKPOINT, ``node/frames.py``); the :class:`CheckpointBook` keeps ours and our peers' in
the ``checkpoints`` database, compares them height by height, and keeps the first mismatch as
a sticky :class:`ForkAlarm` that survives restarts until an operator clears it.

Signed message (``Domain.CHECKPOINT``), canonical encoding::

    [1 (version), node_id, height, block_hash (32 bytes), state_root (32 bytes)]

Wire form: ``[1, node_id, height, block_hash, state_root, key_id, [algorithm_id, signature]]``.

Layout of the ``checkpoints`` database (integers big-endian)::

    b"o" height(8)              -> our checkpoint at that height (wire form, encoded)
    b"p" height(8) node_id(8)   -> a peer's checkpoint (the last one it sent for that height)
    b"alarm"                    -> the first mismatch seen (ForkAlarm.to_value, encoded)

A peer's checkpoint ahead of our height is kept and compared when we record our own for that
height. Peers' checkpoints are buffered in memory and written together with our next one, so a
block costs one durable write here, and receiving a checkpoint does no disk I/O unless it
raises the alarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from node.storage.env import LedgerEnv
from sdk.encoding import decode, encode
from sdk.errors import SchemaError, SignerMismatch
from sdk.ids import KeyId, check_digest
from sdk.keys import Domain, PublicKey, Signature, SigningKey

CHECKPOINT_VERSION: Final = 1
_OWN: Final = b"o"
_PEER: Final = b"p"
_ALARM: Final = b"alarm"
_RECENT_OWN: Final = 1024
"""Our latest checkpoints kept in memory, so a peer's is compared without a read."""


def _u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One node's signed statement of the ledger it has after block ``height``."""

    height: int
    block_hash: bytes
    state_root: bytes
    node_id: int
    key_id: KeyId
    signature: Signature

    def __post_init__(self) -> None:
        for name in ("block_hash", "state_root", "key_id"):
            check_digest(getattr(self, name), name)
        for name in ("height", "node_id"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value < 2**64:
                raise SchemaError(f"checkpoint {name} must be an unsigned 64-bit integer")

    def message(self) -> bytes:
        """THE bytes the node signs (under ``Domain.CHECKPOINT``)."""
        return checkpoint_message(self.node_id, self.height, self.block_hash, self.state_root)

    def agrees_with(self, other: Checkpoint) -> bool:
        return (self.block_hash, self.state_root) == (other.block_hash, other.state_root)

    def to_wire(self) -> list[Any]:
        return [
            CHECKPOINT_VERSION,
            self.node_id,
            self.height,
            self.block_hash,
            self.state_root,
            self.key_id,
            self.signature.to_wire(),
        ]

    @classmethod
    def from_wire(cls, value: object) -> Checkpoint:
        """From :meth:`to_wire`'s value, or its canonical encoding (bytes)."""
        if isinstance(value, bytes):
            value = decode(value, max_size=1024)
        if type(value) is not list or len(value) != 7 or value[0] != CHECKPOINT_VERSION:
            raise SchemaError(
                "a checkpoint is [1, node_id, height, block_hash, state_root, key_id, signature]"
            )
        _, node_id, height, block_hash, state_root, key_id, signature = value
        return cls(height, block_hash, state_root, node_id, key_id, Signature.from_wire(signature))

    def to_json(self) -> dict[str, Any]:
        """For the API (inclusion proofs): digests and signature in hex."""
        return {
            "height": self.height,
            "block_hash": self.block_hash.hex(),
            "state_root": self.state_root.hex(),
            "node_id": self.node_id,
            "key_id": self.key_id.hex(),
            "algorithm": self.signature.algorithm.spec.name,
            "signature": self.signature.value.hex(),
        }


def checkpoint_message(node_id: int, height: int, block_hash: bytes, state_root: bytes) -> bytes:
    return encode([CHECKPOINT_VERSION, node_id, height, block_hash, state_root])


def sign_checkpoint(
    *, height: int, block_hash: bytes, state_root: bytes, node_id: int, key: SigningKey
) -> Checkpoint:
    message = checkpoint_message(node_id, height, block_hash, state_root)
    signature = key.sign(Domain.CHECKPOINT, message)
    return Checkpoint(height, block_hash, state_root, node_id, key.key_id, signature)


def verify_checkpoint(checkpoint: Checkpoint, public_key: PublicKey) -> None:
    """Raise (``signature.*``) unless ``public_key`` is the checkpoint's key and signed it."""
    if public_key.key_id != checkpoint.key_id:
        raise SignerMismatch(
            f"checkpoint names key {checkpoint.key_id.hex()[:16]}…, the key given is "
            f"{public_key.key_id.hex()[:16]}…"
        )
    public_key.verify(Domain.CHECKPOINT, checkpoint.message(), checkpoint.signature)


@dataclass(frozen=True, slots=True)
class ForkAlarm:
    """Two nodes disagree about the ledger after the same block."""

    ours: Checkpoint
    theirs: Checkpoint

    @property
    def height(self) -> int:
        return self.ours.height

    def __str__(self) -> str:
        def side(cp: Checkpoint) -> str:
            return (
                f"node {cp.node_id} has block {cp.block_hash.hex()[:16]}… "
                f"state root {cp.state_root.hex()[:16]}…"
            )

        return (
            f"checkpoint mismatch at height {self.height}: {side(self.ours)}, {side(self.theirs)}"
        )

    def to_value(self) -> list[Any]:
        return [self.ours.to_wire(), self.theirs.to_wire()]

    @classmethod
    def from_value(cls, value: object) -> ForkAlarm:
        if type(value) is not list or len(value) != 2:
            raise SchemaError("a stored fork alarm is [our checkpoint, theirs]")
        return cls(Checkpoint.from_wire(value[0]), Checkpoint.from_wire(value[1]))


class CheckpointBook:
    """Our checkpoints and our peers', compared; the first mismatch raises a sticky alarm.

    Not thread-safe: one owner (the node's event loop) calls it.
    """

    def __init__(self, env: LedgerEnv) -> None:
        self.env = env
        self._db = env.db("checkpoints")
        self._buffered: dict[tuple[int, int], Checkpoint] = {}
        self._recent_own: dict[int, Checkpoint] = {}
        self._alarm = self._load_alarm()

    # -- the alarm -----------------------------------------------------------------------------

    @property
    def fork_alarm(self) -> ForkAlarm | None:
        return self._alarm

    @property
    def alarm(self) -> str | None:
        """What the alarm says, for health, logs and metrics (None: no mismatch seen)."""
        return None if self._alarm is None else str(self._alarm)

    def clear_alarm(self) -> None:
        """For an operator who resolved the fork (e.g. rebuilt this node's data)."""
        self.env.write(lambda txn: txn.delete(_ALARM, db=self._db))
        self._alarm = None

    def _load_alarm(self) -> ForkAlarm | None:
        with self.env.read() as txn:
            raw = txn.get(_ALARM, db=self._db)
        return None if raw is None else ForkAlarm.from_value(decode(bytes(raw)))

    def _raise(self, ours: Checkpoint, theirs: Checkpoint) -> ForkAlarm:
        alarm = ForkAlarm(ours, theirs)
        if self._alarm is None:
            self._alarm = alarm
            self.env.write(lambda txn: txn.put(_ALARM, encode(alarm.to_value()), db=self._db))
        return alarm

    # -- recording -----------------------------------------------------------------------------

    def record_own(self, checkpoint: Checkpoint) -> ForkAlarm | None:
        """Keep our checkpoint (one durable write, with buffered peers'); compare with peers'."""
        peers = [*self._stored_peers(checkpoint.height), *self._buffered_at(checkpoint.height)]
        buffered, self._buffered = self._buffered, {}
        self.env.write(lambda txn: self._write(txn, checkpoint, buffered))
        self._recent_own[checkpoint.height] = checkpoint
        if len(self._recent_own) > _RECENT_OWN:
            del self._recent_own[min(self._recent_own)]
        found: ForkAlarm | None = None
        for peer in peers:
            if not checkpoint.agrees_with(peer):
                found = found or self._raise(checkpoint, peer)
        return found

    def record_peer(self, checkpoint: Checkpoint) -> ForkAlarm | None:
        """Keep a peer's (verified) checkpoint; an alarm if ours at that height differs."""
        self._buffered[(checkpoint.height, checkpoint.node_id)] = checkpoint
        ours = self.own(checkpoint.height)
        if ours is None or ours.agrees_with(checkpoint):
            return None
        return self._raise(ours, checkpoint)

    def flush(self) -> None:
        """Write buffered peers' checkpoints now (``record_own`` does it otherwise)."""
        if self._buffered:
            buffered, self._buffered = self._buffered, {}
            self.env.write(lambda txn: self._write(txn, None, buffered))

    def _write(
        self, txn: Any, own: Checkpoint | None, peers: dict[tuple[int, int], Checkpoint]
    ) -> None:
        if own is not None:
            txn.put(_OWN + _u64(own.height), encode(own.to_wire()), db=self._db)
        for (height, node_id), cp in peers.items():
            txn.put(_PEER + _u64(height) + _u64(node_id), encode(cp.to_wire()), db=self._db)

    # -- reading -------------------------------------------------------------------------------

    def own(self, height: int) -> Checkpoint | None:
        found = self._recent_own.get(height)
        if found is not None:
            return found
        with self.env.read() as txn:
            raw = txn.get(_OWN + _u64(height), db=self._db)
        return None if raw is None else Checkpoint.from_wire(bytes(raw))

    def latest(self, height: int) -> list[Checkpoint]:
        """Every node's checkpoint at ``height`` we hold, ours first, then peers by node id.

        An inclusion proof for a transaction of block ``height`` carries these: signatures of
        nodes that applied that block and agree on its hash and state root.
        """
        ours = self.own(height)
        peers = {cp.node_id: cp for cp in self._stored_peers(height)}
        peers.update({cp.node_id: cp for cp in self._buffered_at(height)})
        found = [] if ours is None else [ours]
        skip = None if ours is None else ours.node_id
        return found + [peers[n] for n in sorted(peers) if n != skip]

    def _buffered_at(self, height: int) -> list[Checkpoint]:
        return [cp for (h, _), cp in self._buffered.items() if h == height]

    def _stored_peers(self, height: int) -> list[Checkpoint]:
        prefix = _PEER + _u64(height)
        found: list[Checkpoint] = []
        with self.env.read() as txn:
            cursor = txn.cursor(db=self._db)
            if not cursor.set_range(prefix):
                return found
            for key, value in cursor:
                if not bytes(key).startswith(prefix):
                    break
                found.append(Checkpoint.from_wire(bytes(value)))
        return found
