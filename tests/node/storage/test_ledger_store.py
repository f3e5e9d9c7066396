"""The ledger store: one block commits atomically; state, history, indexes and events agree."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaincode.api import Event, Version
from chaincode.layers import Write
from node.storage import LedgerEnv
from node.storage import ledger as ledger_module
from node.storage.ledger import BlockRecord, LedgerStore, TxLocation


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LedgerStore]:
    env = LedgerEnv(tmp_path / "data")
    yield LedgerStore(env)
    env.close()


def tx(n: int) -> bytes:
    return hashlib.sha256(f"tx{n}".encode()).digest()


def record(height: int, writes: dict[tuple[str, str], object], *, txs: int = 1) -> BlockRecord:
    versions = {
        nk: [Version(height, 0, tx(height * 100).hex(), height * 1000, value)]  # type: ignore[arg-type]
        for nk, value in writes.items()
    }
    return BlockRecord(
        height=height,
        block_hash=hashlib.sha256(f"block{height}".encode()).digest(),
        block_bytes=f"block-{height}".encode(),
        block_time_ms=height * 1000,
        tx_ids=[tx(height * 100 + i) for i in range(txs)],
        new_tx=[True] * txs,
        writes=[Write(ns, key, value) for (ns, key), value in sorted(writes.items())],  # type: ignore[arg-type]
        versions=versions,
        events=[(0, Event("trace", "shipped", {"n": height}))],
        state_root=hashlib.sha256(f"root{height}".encode()).digest(),
        applied_index=height + 10,
    )


def test_empty_store(store: LedgerStore) -> None:
    assert store.height() == -1
    assert store.state_root() is None
    assert store.get("trace", "x") is None
    assert list(store.range("trace", "", None)) == []


def test_commit_makes_everything_visible_together(store: LedgerStore) -> None:
    store.commit(record(1, {("trace", "a"): 1, ("trace", "b"): "two"}, txs=2))
    assert store.height() == 1
    assert store.applied_index() == 11
    assert store.state_root() == hashlib.sha256(b"root1").digest()
    assert store.last_block_hash() == hashlib.sha256(b"block1").digest()
    assert store.block(1) == b"block-1"
    assert store.height_of(hashlib.sha256(b"block1").digest()) == 1
    assert store.locate(tx(101)) == TxLocation(1, 1)
    assert store.known_tx_ids([tx(100), tx(5)]) == {tx(100)}
    entry = store.get_entry("trace", "b")
    assert entry is not None
    assert (entry.value, entry.height, entry.tx_index) == ("two", 1, 0)
    assert [(e.height, e.event.type, e.event.payload) for e in store.events_from(0)] == [
        (1, "shipped", {"n": 1})
    ]


def test_delete_removes_state_but_keeps_history(store: LedgerStore) -> None:
    store.commit(record(1, {("trace", "a"): 1}))
    store.commit(record(2, {("trace", "a"): None}))
    assert store.get("trace", "a") is None
    assert [(v.height, v.value) for v in store.history("trace", "a")] == [(1, 1), (2, None)]
    assert [v.height for v in store.history_from("trace", "a", after=(1, 0))] == [2]


def test_duplicate_tx_keeps_its_first_location(store: LedgerStore) -> None:
    store.commit(record(1, {}))
    duplicate = dataclasses.replace(record(2, {}), tx_ids=[tx(100)], new_tx=[False])
    store.commit(duplicate)
    assert store.locate(tx(100)) == TxLocation(1, 0)


def test_ranges_are_in_utf8_byte_order_and_scoped_to_namespace(
    store: LedgerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_module, "SCAN_CHUNK", 2)  # force several read chunks
    keys = ["p/b", "p/a", "p/é", "p/Z", "q/x", "p/c", "p/d"]
    store.commit(record(1, {("trace", k): i for i, k in enumerate(keys)} | {("other", "p/a"): 0}))
    assert [k for k, _ in store.range("trace", "p/", "p0")] == [
        "p/Z",
        "p/a",
        "p/b",
        "p/c",
        "p/d",
        "p/é",
    ]
    assert [k for k, _ in store.range("trace", "p/b", "p/d")] == ["p/b", "p/c"]
    assert [k for k, _ in store.range("other", "", None)] == ["p/a"]


def test_history_of_a_key_does_not_leak_into_longer_keys(store: LedgerStore) -> None:
    store.commit(record(1, {("trace", "a"): 1, ("trace", "ab"): 2}))
    assert [v.value for v in store.history("trace", "a")] == [1]


def test_data_survives_reopen(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "d")
    LedgerStore(env).commit(record(1, {("trace", "a"): [1, b"\x00", {"k": "v"}]}))
    env.close()
    again = LedgerStore(LedgerEnv(tmp_path / "d"))
    assert again.get("trace", "a") == [1, b"\x00", {"k": "v"}]
    assert again.height() == 1
    again.env.close()
