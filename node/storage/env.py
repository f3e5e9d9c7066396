"""One LMDB environment per node, with named databases and a map that grows before it fills.

Durability (DESIGN.md, Storage): every write transaction is committed with ``sync=True`` and
``metasync=True``; the environment never uses ``map_async``, ``nosync`` or ``writemap``. So a
block, its state, history and indexes are on disk, together, when ``write`` returns — and so
are Raft entries and hard state before the node sends a message that depends on them.

LMDB's map size is a hard ceiling: a write past it fails with ``MapFullError``. The
environment doubles the map before a write when the used pages pass a threshold, and retries
a write that still hits the ceiling. Resizing needs no open transaction in this process, so
readers pass through a gate that a resize closes while it runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import lmdb

T = TypeVar("T")

DATABASES = (
    "raft_log",
    "raft_state",
    "blocks",
    "block_hashes",
    "tx_index",
    "state",
    "history",
    "events",
    "checkpoints",
    "meta",
)
"""Named databases, one per kind of record (DESIGN.md, Node/Storage)."""

GROW_AT = 0.75
"""Fraction of the map in use after which the next write doubles it first."""


class StorageError(Exception):
    """The data directory cannot be opened or written; the message says what to do."""

    code = "storage.error"


class _ResizeGate:
    """Readers share the environment; a resize waits for them to leave and blocks new ones."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._resizing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._resizing:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            while self._resizing:
                self._cond.wait()
            self._resizing = True
            while self._readers:
                self._cond.wait()
        try:
            yield
        finally:
            with self._cond:
                self._resizing = False
                self._cond.notify_all()


class LedgerEnv:
    """The node's LMDB environment. One writer at a time; many concurrent readers."""

    def __init__(self, path: Path, *, map_size: int = 1 << 28, max_map_size: int = 1 << 40) -> None:
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._env = lmdb.open(
                str(path),
                map_size=map_size,
                max_dbs=len(DATABASES),
                subdir=True,
                sync=True,
                metasync=True,
                map_async=False,
                writemap=False,
                readahead=False,
                max_readers=512,
            )
        except (OSError, lmdb.Error) as exc:
            raise StorageError(
                f"cannot open the data directory {path}: {exc}; check that it exists, is "
                "writable, and that no other node process is using it"
            ) from exc
        self.path = path
        self.max_map_size = max_map_size
        self._gate = _ResizeGate()
        self._write_lock = threading.Lock()
        self.dbs: dict[str, Any] = {
            name: self._env.open_db(name.encode("ascii")) for name in DATABASES
        }

    @property
    def map_size(self) -> int:
        return int(self._env.info()["map_size"])

    def used_bytes(self) -> int:
        info = self._env.info()
        return (int(info["last_pgno"]) + 1) * int(self._env.stat()["psize"])

    @contextmanager
    def read(self) -> Iterator[Any]:
        """A consistent read-only snapshot of every database."""
        with self._gate.reading(), self._env.begin(write=False, buffers=False) as txn:
            yield txn

    def write(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(txn)`` in one durable write transaction; returns when it is on disk.

        ``fn`` must be a pure function of the transaction (it may run twice when the map has
        to grow halfway through a write).
        """
        with self._write_lock:
            self._grow_if_needed()
            while True:
                try:
                    with self._env.begin(write=True) as txn:
                        return fn(txn)
                except lmdb.MapFullError:
                    self._grow(force=True)

    def _grow_if_needed(self) -> None:
        if self.used_bytes() > GROW_AT * self.map_size:
            self._grow(force=False)

    def _grow(self, *, force: bool) -> None:
        current = self.map_size
        target = current * 2
        if target > self.max_map_size:
            if force or current >= self.max_map_size:
                raise StorageError(
                    f"the ledger at {self.path} reached its configured maximum size "
                    f"({self.max_map_size} bytes); raise storage.max_map_size in the node "
                    "config and restart"
                )
            target = self.max_map_size
        with self._gate.exclusive():
            self._env.set_mapsize(target)

    def db(self, name: str) -> Any:
        return self.dbs[name]

    def close(self) -> None:
        self._env.close()
