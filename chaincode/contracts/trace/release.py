"""What the ``release`` contract says about a batch (issue 7 item 12).

The trace contract never reads release state directly: it calls the release contract's query
``batch_info(product_key, lot)``, which answers None (unknown batch) or at least
``{"status": …, "released_markets": [...]}``. Answers are cached per transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from chaincode.api import Context
from chaincode.contracts.trace.records import as_doc

RELEASE_CONTRACT = "release"
RELEASED = "released"
RECALLED = "recalled"


@dataclass(frozen=True, slots=True)
class BatchRelease:
    status: str
    markets: tuple[str, ...]

    def released_for(self, market: str) -> bool:
        return self.status == RELEASED and market in self.markets


class ReleaseView:
    """Per-transaction cache of ``batch_info`` answers."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._seen: dict[tuple[str, str], BatchRelease | None] = {}

    def info(self, product_key: str, lot: str) -> BatchRelease | None:
        pair = (product_key, lot)
        if pair not in self._seen:
            self._seen[pair] = self._ask(product_key, lot)
        return self._seen[pair]

    def _ask(self, product_key: str, lot: str) -> BatchRelease | None:
        answer = as_doc(
            self._ctx.call(RELEASE_CONTRACT, "batch_info", {"product_key": product_key, "lot": lot})
        )
        if answer is None:
            return None
        status = answer.get("status")
        markets = answer.get("released_markets")
        return BatchRelease(
            status if isinstance(status, str) else "",
            tuple(m for m in markets if isinstance(m, str)) if isinstance(markets, list) else (),
        )
