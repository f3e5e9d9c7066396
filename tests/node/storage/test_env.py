"""The LMDB environment: durable writes, consistent reads, automatic map growth."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from node.storage import DATABASES, LedgerEnv, StorageError


def test_every_named_database_is_open(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "data")
    assert sorted(env.dbs) == sorted(DATABASES)
    env.close()


def test_written_data_survives_reopening(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "data")
    env.write(lambda txn: txn.put(b"k", b"v", db=env.db("meta")))
    env.close()
    reopened = LedgerEnv(tmp_path / "data")
    with reopened.read() as txn:
        assert txn.get(b"k", db=reopened.db("meta")) == b"v"
    reopened.close()


def test_map_grows_instead_of_failing(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "data", map_size=1 << 20, max_map_size=1 << 30)
    blob = bytes(range(256)) * 64  # 16 KiB, incompressible enough for LMDB pages

    def put_batch(start: int) -> None:
        def fn(txn: object) -> None:
            for i in range(start, start + 64):
                txn.put(i.to_bytes(8, "big"), blob, db=env.db("blocks"))  # type: ignore[attr-defined]

        env.write(fn)

    for batch in range(8):  # 8 MiB into a 1 MiB map
        put_batch(batch * 64)
    assert env.map_size >= 8 << 20
    with env.read() as txn:
        assert txn.stat(env.db("blocks"))["entries"] == 512
    env.close()


def test_a_single_write_larger_than_the_map_grows_and_retries(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "data", map_size=1 << 20, max_map_size=1 << 30)
    blob = b"x" * (4 << 20)
    env.write(lambda txn: txn.put(b"big", blob, db=env.db("blocks")))
    with env.read() as txn:
        assert len(txn.get(b"big", db=env.db("blocks"))) == len(blob)
    env.close()


def test_maximum_size_is_a_clear_error(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "data", map_size=1 << 20, max_map_size=2 << 20)
    with pytest.raises(StorageError, match="max_map_size"):
        env.write(lambda txn: txn.put(b"big", b"x" * (8 << 20), db=env.db("blocks")))
    env.close()


def test_resize_waits_for_readers(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "data", map_size=1 << 20, max_map_size=1 << 30)
    reader_inside = threading.Event()
    release_reader = threading.Event()
    seen: list[bytes | None] = []

    def reader() -> None:
        with env.read() as txn:
            reader_inside.set()
            release_reader.wait(10)
            seen.append(txn.get(b"big", db=env.db("blocks")))

    thread = threading.Thread(target=reader)
    thread.start()
    assert reader_inside.wait(10)
    writer = threading.Thread(
        target=env.write, args=(lambda txn: txn.put(b"big", b"y" * (4 << 20), db=env.db("blocks")),)
    )
    writer.start()
    release_reader.set()
    thread.join(10)
    writer.join(10)
    assert seen == [None]  # the reader's snapshot predates the write
    with env.read() as txn:
        assert txn.get(b"big", db=env.db("blocks")) == b"y" * (4 << 20)
    env.close()


def test_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError, match="cannot open the data directory"):
        LedgerEnv(blocker / "data")
