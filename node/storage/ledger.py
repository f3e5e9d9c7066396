"""The committed ledger in LMDB: blocks, indexes, state with versions, history and events.

Record layouts (integers big-endian, so byte order is numeric order):

    blocks        height(8)                         -> block bytes (canonical encoding)
    block_hashes  block_hash(32)                    -> height(8)
    tx_index      tx_id(32)                         -> height(8) tx_index(4) [outcome]
    state         ns NUL key                        -> enc([height, tx_index, value])
    history       ns NUL key NUL height(8) index(4) -> enc([tx_id, block_time_ms, value|None])
    events        height(8) tx_index(4) seq(4)      -> enc([tx_id, contract, type, payload])
    meta          name                              -> enc(value)

``outcome`` = enc([code, message, result]) of the transaction, when the block record has them.

A block and everything derived from it go to disk in ONE write transaction (``commit``), so
after a crash a node has either all of a block or none of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from chaincode.api import Event, Value, Version
from chaincode.layers import Write
from node.storage.env import LedgerEnv
from sdk.encoding import decode, encode

_ARRAY3 = b"\x93"
"""msgpack header of a 3-element array: ``encode([a, b, c]) == _ARRAY3 + encode(a) + ...``."""

SCAN_CHUNK = 512
"""Entries read per read transaction while iterating, so no reader pins the map for long."""

META_HEIGHT = b"height"
META_STATE_ROOT = b"state_root"
META_BLOCK_HASH = b"block_hash"
META_APPLIED_INDEX = b"applied_index"


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def u32(n: int) -> bytes:
    return n.to_bytes(4, "big")


def state_key(namespace: str, key: str) -> bytes:
    return namespace.encode("utf-8") + b"\x00" + key.encode("utf-8")


@dataclass(frozen=True, slots=True)
class StoredValue:
    value: Value
    height: int
    tx_index: int


@dataclass(frozen=True, slots=True)
class TxLocation:
    height: int
    index: int


@dataclass(frozen=True, slots=True)
class StoredOutcome:
    """What a committed transaction's receipt says beyond its location."""

    code: str
    message: str
    result: Value


@dataclass(frozen=True, slots=True)
class StoredEvent:
    height: int
    tx_index: int
    seq: int
    tx_id: str
    event: Event


@dataclass(frozen=True, slots=True)
class BlockRecord:
    """Everything a committed block writes, handed to :meth:`LedgerStore.commit` at once."""

    height: int
    block_hash: bytes
    block_bytes: bytes
    block_time_ms: int
    tx_ids: list[bytes]
    """Every transaction of the block in order; ``new_tx`` says which get an index entry."""
    new_tx: list[bool]
    """False for a transaction refused as a duplicate: the first occurrence keeps the index."""
    writes: list[Write]
    versions: dict[tuple[str, str], list[Version]]
    events: list[tuple[int, Event]]
    """(tx_index, event) in emission order."""
    state_root: bytes
    applied_index: int
    outcomes: list[StoredOutcome] = field(default_factory=list)
    """One per transaction (or none at all); stored with the index entry of each new one."""
    encoded_values: dict[tuple[str, str], bytes] = field(default_factory=dict)
    """``encode(value)`` of each key's final value in ``writes``, when the caller has it
    (the state root needs it too): state and the last history version reuse the bytes."""


class LedgerStore:
    """Read and commit the ledger. Implements ``chaincode.api.StateReader``."""

    def __init__(self, env: LedgerEnv) -> None:
        self.env = env
        self._state = env.db("state")
        self._history = env.db("history")
        self._meta = env.db("meta")

    # -- state (StateReader) -------------------------------------------------------------

    def get(self, namespace: str, key: str) -> Value | None:
        found = self.get_entry(namespace, key)
        return None if found is None else found.value

    def get_entry(self, namespace: str, key: str) -> StoredValue | None:
        with self.env.read() as txn:
            raw = txn.get(state_key(namespace, key), db=self._state)
        if raw is None:
            return None
        height, index, value = decode(raw)
        return StoredValue(value, height, index)

    def range(self, namespace: str, start: str, end: str | None) -> Iterator[tuple[str, Value]]:
        for key, stored in self.range_entries(namespace, start, end):
            yield key, stored.value

    def range_entries(
        self, namespace: str, start: str, end: str | None
    ) -> Iterator[tuple[str, StoredValue]]:
        prefix = namespace.encode("utf-8") + b"\x00"
        lo = prefix + start.encode("utf-8")
        hi = prefix + end.encode("utf-8") if end is not None else _after_prefix(prefix)
        for raw_key, raw in self._scan("state", lo, hi):
            height, index, value = decode(raw)
            yield raw_key[len(prefix) :].decode("utf-8"), StoredValue(value, height, index)

    def history(self, namespace: str, key: str) -> Iterator[Version]:
        return self.history_from(namespace, key, after=None)

    def history_from(
        self, namespace: str, key: str, *, after: tuple[int, int] | None
    ) -> Iterator[Version]:
        """Versions of a key in commit order, strictly after (height, tx_index) if given."""
        prefix = state_key(namespace, key) + b"\x00"
        lo = prefix if after is None else prefix + u64(after[0]) + u32(after[1] + 1)
        for raw_key, raw in self._scan("history", lo, _after_prefix(prefix)):
            suffix = raw_key[len(prefix) :]
            tx_id, block_time_ms, value = decode(raw)
            yield Version(
                int.from_bytes(suffix[:8], "big"),
                int.from_bytes(suffix[8:12], "big"),
                tx_id.hex(),
                block_time_ms,
                value,
            )

    def history_range(
        self, namespace: str, prefix: str, *, after: bytes | None
    ) -> Iterator[tuple[bytes, str, Version]]:
        """Every version of every key of ``namespace`` starting with ``prefix``, ordered by
        (key, height, tx_index); yields (position, key, version). ``position`` is opaque: pass
        it back as ``after`` to resume strictly after that version."""
        ns = namespace.encode("utf-8") + b"\x00"
        start = ns + prefix.encode("utf-8")
        lo = start if after is None else after + b"\x00"
        for raw_key, raw in self._scan("history", lo, _after_prefix(start)):
            key = raw_key[len(ns) : -13].decode("utf-8")
            suffix = raw_key[-12:]
            tx_id, block_time_ms, value = decode(raw)
            yield (
                raw_key,
                key,
                Version(
                    int.from_bytes(suffix[:8], "big"),
                    int.from_bytes(suffix[8:12], "big"),
                    tx_id.hex(),
                    block_time_ms,
                    value,
                ),
            )

    # -- blocks and indexes --------------------------------------------------------------

    def height(self) -> int:
        """Height of the last committed block: genesis is 0, and -1 means no block yet."""
        value = self._meta_int(META_HEIGHT)
        return -1 if value is None else value

    def state_root(self) -> bytes | None:
        return self._meta_bytes(META_STATE_ROOT)

    def last_block_hash(self) -> bytes | None:
        return self._meta_bytes(META_BLOCK_HASH)

    def applied_index(self) -> int:
        value = self._meta_int(META_APPLIED_INDEX)
        return 0 if value is None else value

    def block(self, height: int) -> bytes | None:
        with self.env.read() as txn:
            raw = txn.get(u64(height), db=self.env.db("blocks"))
        return None if raw is None else bytes(raw)

    def height_of(self, block_hash: bytes) -> int | None:
        with self.env.read() as txn:
            raw = txn.get(block_hash, db=self.env.db("block_hashes"))
        return None if raw is None else int.from_bytes(raw, "big")

    def locate(self, tx_id: bytes) -> TxLocation | None:
        with self.env.read() as txn:
            raw = txn.get(tx_id, db=self.env.db("tx_index"))
        if raw is None:
            return None
        return TxLocation(int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:12], "big"))

    def outcome(self, tx_id: bytes) -> StoredOutcome | None:
        """Code, message and result of a committed transaction (None if not indexed or
        committed without outcomes)."""
        with self.env.read() as txn:
            raw = txn.get(tx_id, db=self.env.db("tx_index"))
        if raw is None or len(raw) <= 12:
            return None
        code, message, result = decode(bytes(raw[12:]))
        return StoredOutcome(code, message, result)

    def known_tx_ids(self, tx_ids: Iterable[bytes]) -> set[bytes]:
        """The subset already in a committed block (replay protection, DESIGN.md)."""
        db = self.env.db("tx_index")
        with self.env.read() as txn:
            return {tx_id for tx_id in tx_ids if txn.get(tx_id, db=db) is not None}

    def events_from(self, height: int) -> Iterator[StoredEvent]:
        for raw_key, raw in self._scan("events", u64(height), None):
            tx_id, contract, event_type, payload = decode(raw)
            yield StoredEvent(
                int.from_bytes(raw_key[:8], "big"),
                int.from_bytes(raw_key[8:12], "big"),
                int.from_bytes(raw_key[12:16], "big"),
                tx_id.hex(),
                Event(contract, event_type, payload),
            )

    # -- commit ----------------------------------------------------------------------------

    def commit(self, record: BlockRecord) -> None:
        """Write a block and everything derived from it in one durable transaction."""
        self.env.write(lambda txn: self._write_block(txn, record))

    def _write_block(self, txn: Any, record: BlockRecord) -> None:
        height = u64(record.height)
        txn.put(height, record.block_bytes, db=self.env.db("blocks"))
        txn.put(record.block_hash, height, db=self.env.db("block_hashes"))
        tx_db = self.env.db("tx_index")
        outcomes = record.outcomes
        for index, (tx_id, new) in enumerate(zip(record.tx_ids, record.new_tx, strict=True)):
            if new:
                value = height + u32(index)
                if outcomes:
                    o = outcomes[index]
                    value += encode([o.code, o.message, o.result])
                txn.put(tx_id, value, db=tx_db, overwrite=False)
        encoded = record.encoded_values
        for (namespace, key), versions in record.versions.items():
            prefix = state_key(namespace, key) + b"\x00"
            final = encoded.get((namespace, key))
            for n, v in enumerate(versions):
                tx_id = bytes.fromhex(v.tx_id)
                if final is not None and n == len(versions) - 1:
                    body = _ARRAY3 + encode(tx_id) + encode(v.block_time_ms) + final
                else:
                    body = encode([tx_id, v.block_time_ms, v.value])
                txn.put(prefix + u64(v.height) + u32(v.tx_index), body, db=self._history)
        last_version = {nk: versions[-1] for nk, versions in record.versions.items() if versions}
        for write in record.writes:
            skey = state_key(write.namespace, write.key)
            if write.value is None:
                txn.delete(skey, db=self._state)
                continue
            version = last_version[(write.namespace, write.key)]
            final = encoded.get((write.namespace, write.key))
            if final is None:
                body = encode([version.height, version.tx_index, write.value])
            else:
                body = _ARRAY3 + encode(version.height) + encode(version.tx_index) + final
            txn.put(skey, body, db=self._state)
        seq_by_tx: dict[int, int] = {}
        for tx_index, event in record.events:
            seq = seq_by_tx.get(tx_index, 0)
            seq_by_tx[tx_index] = seq + 1
            tx_id = record.tx_ids[tx_index]
            body = encode([tx_id, event.contract, event.type, event.payload])
            txn.put(height + u32(tx_index) + u32(seq), body, db=self.env.db("events"))
        txn.put(META_HEIGHT, encode(record.height), db=self._meta)
        txn.put(META_STATE_ROOT, encode(record.state_root), db=self._meta)
        txn.put(META_BLOCK_HASH, encode(record.block_hash), db=self._meta)
        txn.put(META_APPLIED_INDEX, encode(record.applied_index), db=self._meta)

    def set_applied_index(self, index: int) -> None:
        """Record an applied Raft entry that carried no block (no-op, membership change)."""
        self.env.write(lambda txn: txn.put(META_APPLIED_INDEX, encode(index), db=self._meta))

    # -- helpers ---------------------------------------------------------------------------

    def _meta_value(self, name: bytes) -> Value | None:
        with self.env.read() as txn:
            raw = txn.get(name, db=self._meta)
        return None if raw is None else decode(bytes(raw))

    def _meta_int(self, name: bytes) -> int | None:
        value = self._meta_value(name)
        if value is None:
            return None
        if not isinstance(value, int):
            raise TypeError(f"meta {name!r} holds {type(value).__name__}, expected int")
        return value

    def _meta_bytes(self, name: bytes) -> bytes | None:
        value = self._meta_value(name)
        if value is None:
            return None
        if not isinstance(value, bytes):
            raise TypeError(f"meta {name!r} holds {type(value).__name__}, expected bytes")
        return value

    def _scan(self, db_name: str, lo: bytes, hi: bytes | None) -> Iterator[tuple[bytes, bytes]]:
        """Yield (key, value) with lo <= key < hi, a chunk per read transaction."""
        db = self.env.db(db_name)
        cursor_key = lo
        inclusive = True
        while True:
            chunk: list[tuple[bytes, bytes]] = []
            with self.env.read() as txn:
                cursor = txn.cursor(db=db)
                if not cursor.set_range(cursor_key):
                    return
                if not inclusive and cursor.key() == cursor_key and not cursor.next():
                    return
                for key, value in cursor:
                    if hi is not None and key >= hi:
                        break
                    chunk.append((bytes(key), bytes(value)))
                    if len(chunk) >= SCAN_CHUNK:
                        break
            yield from chunk
            if len(chunk) < SCAN_CHUNK:
                return
            cursor_key, inclusive = chunk[-1][0], False


def _after_prefix(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with ``prefix``."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])
