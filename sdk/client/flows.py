"""Multi-step operations written once, as generators of steps (sans-I/O).

A flow yields a :class:`~sdk.client.calls.Call` (the driver sends it, with fail-over, and
sends back the parsed answer or throws the typed error into the flow) or a :class:`Sleep`.
The sync client drives flows with ``time.sleep``, the async one with ``asyncio.sleep``; the
logic — idempotent resubmission, long-polling for a commit — exists only here.

Idempotency (DESIGN.md, Transaction; docs/api.md, Submitting): a transaction is resent as
the same signed bytes, so it keeps its id and the ledger executes it at most once. A node
that already holds it answers ``tx.duplicate``; the flow then reads its receipt, so a
resubmit after a lost answer returns the transaction's real outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias, TypeVar

from sdk.client import calls
from sdk.client.calls import Call
from sdk.client.errors import AccessDenied, AuthenticationFailed, CommitTimeout, NotFound
from sdk.client.models import Committed, Receipt, SubmitResult, TxState
from sdk.tx import SignedTransaction

T = TypeVar("T")

DUPLICATE: Final = "tx.duplicate"
LONG_POLL_S: Final = 5.0
"""How long one waited submit may be held by the node (well under its ``max_wait_s``)."""
POLL_FIRST_S: Final = 0.05
POLL_MAX_S: Final = 1.0


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Step: TypeAlias = Call[Any] | Sleep
Flow: TypeAlias = Generator[Step, Any, T]
Clock: TypeAlias = Callable[[], float]


def pending(tx_id: str) -> Receipt:
    return Receipt(tx_id, TxState.PENDING, "", "", None, None, None, None, None)


def _settle(result: SubmitResult) -> Flow[Receipt]:
    """The receipt of one submit result; a duplicate reads the receipt of what the node
    already holds; any other refusal is raised (typed, with the transaction's id)."""
    if result.error is None:
        return result.receipt or pending(result.tx_id)
    if result.error.code != DUPLICATE:
        raise result.error
    try:
        found: Receipt = yield calls.receipt(result.tx_id)
    except (NotFound, AuthenticationFailed, AccessDenied):
        # Known to the node but not readable here (or not yet): it is at least pending.
        return pending(result.tx_id)
    return found


def submit(tx: SignedTransaction) -> Flow[Receipt]:
    tx_id = tx.tx_id.hex()
    results = yield calls.submit([tx.to_wire()], [tx_id], wait=False, timeout_s=None)
    return (yield from _settle(results[0]))


def submit_batch(
    txs: Sequence[SignedTransaction], *, wait: bool, timeout_s: float | None
) -> Flow[list[SubmitResult]]:
    """One request for the whole batch; per-item refusals are returned, not raised."""
    if not txs:
        raise ValueError("submit_batch needs at least one transaction")
    ids = [tx.tx_id.hex() for tx in txs]
    results: list[SubmitResult] = yield calls.submit(
        [tx.to_wire() for tx in txs], ids, wait=wait, timeout_s=timeout_s
    )
    settled = []
    for result in results:
        if result.error is not None and result.error.code == DUPLICATE:
            receipt = yield from _settle(result)
            result = SubmitResult(result.tx_id, receipt, None)
        settled.append(result)
    return settled


def _submit_waiting(wire: bytes, tx_id: str, deadline: float, clock: Clock) -> Flow[Receipt]:
    hold = min(max(deadline - clock(), 0.001), LONG_POLL_S)
    results = yield calls.submit([wire], [tx_id], wait=True, timeout_s=hold)
    return (yield from _settle(results[0]))


def _refresh(tx_id: str, wire: bytes | None, deadline: float, clock: Clock) -> Flow[Receipt]:
    """The current receipt; when the node does not know the transaction (a fail-over to a
    node whose pool never saw it) or may not show it, resubmit the same bytes."""
    try:
        found: Receipt = yield calls.receipt(tx_id)
        return found
    except NotFound:
        if wire is None:
            return pending(tx_id)
    except (AuthenticationFailed, AccessDenied):
        if wire is None:
            raise
    return (yield from _submit_waiting(wire, tx_id, deadline, clock))


def _until_committed(
    receipt: Receipt,
    wire: bytes | None,
    *,
    deadline: float,
    timeout_s: float,
    clock: Clock,
) -> Flow[Committed]:
    interval = POLL_FIRST_S
    while not receipt.committed:
        remaining = deadline - clock()
        if remaining <= 0:
            raise CommitTimeout(receipt.tx_id, timeout_s)
        yield Sleep(min(interval, remaining))
        interval = min(interval * 2, POLL_MAX_S)
        receipt = yield from _refresh(receipt.tx_id, wire, deadline, clock)
    return receipt.outcome()


def submit_and_wait(tx: SignedTransaction, *, timeout_s: float, clock: Clock) -> Flow[Committed]:
    """Submit, then wait for the commit: the outcome, or the typed rejection, or
    :class:`CommitTimeout` (the transaction may still commit)."""
    deadline = clock() + timeout_s
    wire, tx_id = tx.to_wire(), tx.tx_id.hex()
    receipt = yield from _submit_waiting(wire, tx_id, deadline, clock)
    return (
        yield from _until_committed(
            receipt, wire, deadline=deadline, timeout_s=timeout_s, clock=clock
        )
    )


def wait(tx_id: str, *, timeout_s: float, clock: Clock) -> Flow[Committed]:
    """Poll a transaction's receipt until it commits (it may be unknown here at first)."""
    deadline = clock() + timeout_s
    receipt = yield from _refresh(tx_id, None, deadline, clock)
    return (
        yield from _until_committed(
            receipt, None, deadline=deadline, timeout_s=timeout_s, clock=clock
        )
    )
