"""The pool of admitted transactions waiting for a block, in arrival order.

Every node keeps the transactions it admitted (and, on the leader, those forwarded to it)
here until they commit: the leader takes them FIFO to cut a block, puts them back at the
front if the proposal is lost, and every node discards them once a block settles them. The
pool is bounded (``max_pending``): beyond it a submission gets ``node.overloaded`` (503), so
a slow cluster pushes back on clients instead of growing without limit.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from node.errors import Overloaded
from sdk.tx import SignedTransaction

_FORGET_TAKEN_AFTER = 4
"""Arrival times of taken transactions kept, as a multiple of ``max_pending``."""


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class _Pending:
    __slots__ = ("arrived_ms", "size", "tx")

    def __init__(self, tx: SignedTransaction, size: int, arrived_ms: int) -> None:
        self.tx = tx
        self.size = size
        self.arrived_ms = arrived_ms


class TxPool:
    """Pending transactions by id, FIFO. Not thread-safe: one owner (the node's event loop)."""

    def __init__(self, max_pending: int, *, clock_ms: Callable[[], int] = wall_clock_ms) -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self.max_pending = max_pending
        self._clock_ms = clock_ms
        self._pending: OrderedDict[bytes, _Pending] = OrderedDict()
        self._taken: OrderedDict[bytes, _Pending] = OrderedDict()
        """Taken for a block but not settled yet: a lost proposal returns them with their age."""
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._pending)

    def __contains__(self, tx_id: object) -> bool:
        return tx_id in self._pending

    @property
    def pending_bytes(self) -> int:
        """Wire size of everything pending: what a block of all of them would carry."""
        return self._bytes

    def add(self, tx: SignedTransaction) -> bool:
        """Queue ``tx`` at the back; False if it is already pending; Overloaded when full."""
        if tx.tx_id in self._pending:
            return False
        if len(self._pending) >= self.max_pending:
            raise Overloaded(
                f"{len(self._pending)} transactions are waiting for a block (the limit is "
                f"{self.max_pending}); retry after a short back-off"
            )
        self._insert(_Pending(tx, len(tx.to_wire()), self._clock_ms()))
        return True

    def take(self, max_transactions: int, max_bytes: int) -> list[SignedTransaction]:
        """Remove and return the oldest transactions that fit both limits, in order.

        The first one is always taken, even when it alone exceeds ``max_bytes`` (a block must
        be able to carry any admitted transaction, or it would wait forever).
        """
        taken: list[SignedTransaction] = []
        total = 0
        while self._pending and len(taken) < max_transactions:
            tx_id, item = next(iter(self._pending.items()))
            if taken and total + item.size > max_bytes:
                break
            del self._pending[tx_id]
            self._bytes -= item.size
            total += item.size
            taken.append(item.tx)
            self._remember_taken(tx_id, item)
        return taken

    def return_front(self, txs: Sequence[SignedTransaction]) -> None:
        """Put transactions of a lost proposal back at the front, in their order.

        They keep their arrival time (so the next cut is due at once) and may exceed
        ``max_pending``: they were admitted already.
        """
        for tx in reversed(txs):
            if tx.tx_id in self._pending:
                continue
            item = self._taken.pop(tx.tx_id, None)
            if item is None:
                item = _Pending(tx, len(tx.to_wire()), self._front_arrival_ms())
            self._insert(item)
            self._pending.move_to_end(tx.tx_id, last=False)

    def discard(self, tx_ids: Iterable[bytes]) -> None:
        """Forget transactions a block settled (executed, refused or duplicate)."""
        for tx_id in tx_ids:
            item = self._pending.pop(tx_id, None)
            if item is not None:
                self._bytes -= item.size
            self._taken.pop(tx_id, None)

    def oldest_age_ms(self, now_ms: int) -> int:
        """How long the oldest pending transaction has waited (0 when none): the cut timeout."""
        if not self._pending:
            return 0
        front = next(iter(self._pending.values()))
        return max(0, now_ms - front.arrived_ms)

    def snapshot(self) -> list[SignedTransaction]:
        """Every pending transaction in order (for re-forwarding to a new leader)."""
        return [item.tx for item in self._pending.values()]

    def _front_arrival_ms(self) -> int:
        """An arrival time that keeps the front the oldest (FIFO order is arrival order)."""
        now = self._clock_ms()
        if not self._pending:
            return now
        return min(now, next(iter(self._pending.values())).arrived_ms)

    def _insert(self, item: _Pending) -> None:
        self._pending[item.tx.tx_id] = item
        self._bytes += item.size

    def _remember_taken(self, tx_id: bytes, item: _Pending) -> None:
        self._taken[tx_id] = item
        while len(self._taken) > _FORGET_TAKEN_AFTER * self.max_pending:
            self._taken.popitem(last=False)
