"""Filling the ledger with events for the stream tests (directly, not through the API)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count
from typing import Any

from sdk.client import Identity
from tests.sdk.client.ledger import CHAIN_ID, MemoryLedger
from tests.sdk.client.world import batch_args, commission_args, product_args

_serials = count()


def positions(events: Sequence[Any]) -> list[tuple[int, int, int]]:
    """(height, tx_index, event_index) of client or ledger events, in the given order."""
    return [(e.height, e.tx_index, e.event_index) for e in events]


def commit(
    ledger: MemoryLedger, signer: Identity, calls: list[tuple[str, str, dict[str, Any]]]
) -> None:
    """One block holding these calls (contract, function, args), each admitted first."""
    for contract, function, args in calls:
        tx = signer.sign_transaction(CHAIN_ID, contract, function, args)
        result = ledger.admit(tx.to_wire())
        if not result.accepted:
            raise AssertionError(f"{function} refused: {result.error_code}")
    ledger.commit()


def product_and_batch(ledger: MemoryLedger, maker: Identity) -> None:
    commit(ledger, maker, [("trace", "register_product", product_args())])
    commit(ledger, maker, [("release", "register_batch", batch_args())])


def commissions(ledger: MemoryLedger, maker: Identity, *, blocks: int, per_block: int) -> None:
    """``blocks`` blocks of ``per_block`` commissions: one ``commissioned`` event each."""
    for _ in range(blocks):
        serials = [[f"E{next(_serials)}"] for _ in range(per_block)]
        commit(ledger, maker, [("trace", "commission", commission_args(s)) for s in serials])
