"""Waiting for the ledger to move: transaction commits, applied heights and read indexes.

All of these live on the node's event loop; the Raft driver calls the ``*_reached`` /
``committed`` methods after it has applied entries, and API handlers await the futures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


class CommitWaiters:
    """Futures that resolve when a transaction id lands in an applied block."""

    def __init__(self) -> None:
        self._waiting: dict[bytes, list[asyncio.Future[None]]] = {}

    def wait(self, tx_id: bytes) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(tx_id, []).append(future)
        return future

    def forget(self, tx_id: bytes, future: asyncio.Future[None]) -> None:
        waiting = self._waiting.get(tx_id)
        if waiting is None:
            return
        if future in waiting:
            waiting.remove(future)
        if not waiting:
            del self._waiting[tx_id]

    def committed(self, tx_ids: Iterable[bytes]) -> None:
        for tx_id in tx_ids:
            for future in self._waiting.pop(tx_id, ()):
                if not future.done():
                    future.set_result(None)

    def fail_all(self, exc: BaseException) -> None:
        for waiting in self._waiting.values():
            for future in waiting:
                if not future.done():
                    future.set_exception(exc)
        self._waiting.clear()

    def __len__(self) -> int:
        return len(self._waiting)


class Progress:
    """A monotonically increasing number (applied index or height) that tasks can wait on."""

    def __init__(self, value: int) -> None:
        self._value = value
        self._changed = asyncio.Event()

    @property
    def value(self) -> int:
        return self._value

    def advance(self, value: int) -> None:
        if value <= self._value:
            return
        self._value = value
        self._changed.set()
        self._changed = asyncio.Event()

    async def reach(self, target: int) -> None:
        """Return once the value is at least ``target`` (cancel to stop waiting)."""
        while self._value < target:
            await self._changed.wait()

    async def beyond(self, value: int) -> int:
        """Return the value once it exceeds ``value``."""
        while self._value <= value:
            await self._changed.wait()
        return self._value
