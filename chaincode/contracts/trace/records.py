"""Typed views of the records the trace contract stores (state holds plain ledger values).

A code record carries what verify must answer in one read: owner, transit, hold, lifecycle
state. Batch-wide facts (expiry, recall) live once in the batch record, so a recall is one
write however many codes the batch has (issue 6 item 11).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from chaincode.api import Context, Value
from chaincode.contracts.trace import keys
from chaincode.contracts.trace.errors import UNKNOWN_BATCH, UNKNOWN_CODE, reject

ACTIVE = "active"
DISPENSED = "dispensed"
DECOMMISSIONED = "decommissioned"

Doc = dict[str, Value]


def as_doc(value: Value | None) -> Doc | None:
    """A stored map, or None when absent; anything else in state is a bug (fail-stop)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"trace state holds {type(value).__name__} where a map belongs")
    return value


def text(doc: Doc, name: str) -> str:
    value = doc[name]
    if not isinstance(value, str):
        raise TypeError(f"trace record field {name!r} is not text")
    return value


def number(doc: Doc, name: str) -> int:
    value = doc[name]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"trace record field {name!r} is not an integer")
    return value


def opt_text(doc: Doc, name: str) -> str | None:
    value = doc.get(name)
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class CodeRecord:
    """One commissioned code. Sub-records are None when not applicable."""

    key: str
    level: str
    product: str | None
    batch: str | None
    owner: str
    state: str
    commissioned: Doc
    transit: Doc | None = None
    hold: Doc | None = None
    dispensed: Doc | None = None
    decommissioned: Doc | None = None

    @classmethod
    def from_value(cls, key: str, value: Value | None) -> CodeRecord | None:
        doc = as_doc(value)
        if doc is None:
            return None
        return cls(
            key=key,
            level=text(doc, "level"),
            product=opt_text(doc, "product"),
            batch=opt_text(doc, "batch"),
            owner=text(doc, "owner"),
            state=text(doc, "state"),
            commissioned=_sub(doc, "commissioned") or {},
            transit=_sub(doc, "transit"),
            hold=_sub(doc, "hold"),
            dispensed=_sub(doc, "dispensed"),
            decommissioned=_sub(doc, "decommissioned"),
        )

    def to_value(self) -> Doc:
        doc: Doc = {
            "level": self.level,
            "owner": self.owner,
            "state": self.state,
            "commissioned": self.commissioned,
        }
        for name in ("product", "batch", "transit", "hold", "dispensed", "decommissioned"):
            value = getattr(self, name)
            if value is not None:
                doc[name] = value
        return doc

    def but(self, **changes: Any) -> CodeRecord:
        return replace(self, **changes)

    @property
    def in_transit(self) -> bool:
        return self.transit is not None


def _sub(doc: Doc, name: str) -> Doc | None:
    return as_doc(doc.get(name))


def load(ctx: Context, key: str) -> CodeRecord | None:
    return CodeRecord.from_value(key, ctx.get(keys.code(key)))


def require(ctx: Context, key: str) -> CodeRecord:
    found = load(ctx, key)
    if found is None:
        raise reject(UNKNOWN_CODE, f"code {key} was never commissioned")
    return found


def store(ctx: Context, record: CodeRecord) -> None:
    ctx.put(keys.code(record.key), record.to_value())


def load_batch(ctx: Context, bid: str) -> Doc | None:
    return as_doc(ctx.get(keys.batch(bid)))


def require_batch(ctx: Context, product_key: str, lot: str) -> tuple[str, Doc]:
    bid = keys.batch_id(product_key, lot)
    found = load_batch(ctx, bid)
    if found is None:
        raise reject(UNKNOWN_BATCH, f"no codes were commissioned for batch {lot} of {product_key}")
    return bid, found


def load_product(ctx: Context, product_key: str) -> Doc | None:
    return as_doc(ctx.get(keys.product(product_key)))


def split_batch(bid: str) -> tuple[str, str]:
    """(product key, lot) of a batch id; neither part may contain the separator."""
    product_key, lot = bid.split(keys.SEP, 1)
    return product_key, lot


def is_recalled(batch_doc: Doc | None) -> bool:
    return batch_doc is not None and batch_doc.get("recall") is not None


def is_expired(batch_doc: Doc | None, block_time_ms: int) -> bool:
    """Expired once the block's UTC day is past the expiry day (EU FMD: derived from date)."""
    if batch_doc is None:
        return False
    return text(batch_doc, "expiry") < keys.day_of(block_time_ms).isoformat()
