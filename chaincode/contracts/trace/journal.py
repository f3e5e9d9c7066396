"""Event logs, alerts and custody counters written by one transaction.

Every decision is recorded with its reason so a regulator can replay it (STANDARDS.md, market
rules). A log entry is keyed by its ledger position, so a prefix range returns a code's or a
batch's events in order with no sort. The context exposes no transaction index, so the
contract numbers its own transactions per block in ``meta/ordinal``: the same order as the
block's, which is all a position needs.
"""

from __future__ import annotations

from chaincode.api import Context
from chaincode.contracts.trace import keys
from chaincode.contracts.trace.errors import BAD_ARGUMENT, reject
from chaincode.contracts.trace.event_time import EventTime, at_block
from chaincode.contracts.trace.records import Doc


class Journal:
    """Positions, logs and holdings of one transaction; create one per function call.

    ``when`` is the business time of the event (default: the block time, UTC); every entry
    keeps it next to the block time.
    """

    def __init__(self, ctx: Context, when: EventTime | None = None) -> None:
        self._ctx = ctx
        self.when = at_block(ctx) if when is None else when
        self._ordinal: int | None = None
        self._seq = 0
        self._holdings: dict[tuple[str, str], int] = {}

    def next_position(self) -> str:
        if self._ordinal is None:
            self._ordinal = self._claim_ordinal()
        pos = keys.position(self._ctx.block_height, self._ordinal, self._seq)
        self._seq += 1
        return pos

    def entry(self, event: str, data: Doc) -> Doc:
        ctx = self._ctx
        return {
            "event": event,
            "org": ctx.signer.org_id,
            "height": ctx.block_height,
            "time_ms": ctx.block_time_ms,
            **self.when.fields(),
            "tx_id": ctx.tx_id,
            "data": data,
        }

    def log(self, code_key: str, event: str, data: Doc) -> None:
        """Append an event to one code's log."""
        self._ctx.put(keys.log_prefix(code_key) + self.next_position(), self.entry(event, data))

    def batch_log(self, bid: str, event: str, data: Doc) -> None:
        """Append an event to a batch's log (the regulator's batch history)."""
        self._ctx.put(keys.batch_log_prefix(bid) + self.next_position(), self.entry(event, data))

    def alert(self, code_key: str, function: str, reasons: list[str], data: Doc) -> Doc:
        """Record an alert: event, global alert list and the code's own log. Not a rejection."""
        payload: Doc = {
            "code": code_key,
            "function": function,
            "reason": reasons[0],
            "reasons": list(reasons),
            **data,
        }
        self._ctx.put(keys.ALERT_PREFIX + self.next_position(), self.entry("alert", payload))
        self.log(code_key, "alert", payload)
        self._ctx.emit("alert", {**payload, "org": self._ctx.signer.org_id})
        return payload

    def hold_count(self, bid: str | None, org: str, delta: int) -> None:
        """Count a change of the codes of batch ``bid`` that ``org`` owns (flushed at the end)."""
        if bid is None or delta == 0:
            return
        pair = (bid, org)
        self._holdings[pair] = self._holdings.get(pair, 0) + delta

    def flush(self) -> None:
        """Write the accumulated holding counters, in key order (one write per batch and org)."""
        for bid, org in sorted(self._holdings):
            delta = self._holdings[(bid, org)]
            if delta == 0:
                continue
            key = keys.holding(bid, check_org(org))
            current = self._ctx.get(key)
            total = (current if isinstance(current, int) else 0) + delta
            if total < 0:
                raise ValueError(f"holding counter {key} would go negative")
            if total == 0:
                self._ctx.delete(key)
            else:
                self._ctx.put(key, total)
        self._holdings.clear()

    def _claim_ordinal(self) -> int:
        ctx = self._ctx
        found = ctx.get(keys.ORDINAL_KEY)
        ordinal = 0
        if isinstance(found, list) and len(found) == 2 and found[0] == ctx.block_height:
            previous = found[1]
            ordinal = previous + 1 if isinstance(previous, int) else 0
        ctx.put(keys.ORDINAL_KEY, [ctx.block_height, ordinal])
        return ordinal


def check_org(org: str) -> str:
    """Org ids become key parts: refuse one that could break the key layout."""
    if keys.ORG_PATTERN.fullmatch(org) is None:
        raise reject(BAD_ARGUMENT, f"org id {org[:40]!r} is not usable in trace state")
    return org
