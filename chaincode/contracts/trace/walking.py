"""Naming codes and walking the hierarchies below them, shared by every bulk operation.

Operations on a parent apply to everything below it (issue 6 item 8): ship, receive,
decommission, suspect, quarantine and release walk by key range. Records are read before
anything is written. Events are logged once on each named code and once per batch touched,
not per descendant: a child's history picks up its parents' events while it was inside.
"""

from __future__ import annotations

from chaincode.api import Context
from chaincode.contracts.trace import codes, hierarchy
from chaincode.contracts.trace.errors import AGGREGATED, DUPLICATE_CODE, listing, reject
from chaincode.contracts.trace.journal import Journal
from chaincode.contracts.trace.records import CodeRecord, Doc, require

Groups = dict[str, list[CodeRecord]]
"""Per named code (in request order): its record first, then everything below it."""


def top_keys(ctx: Context, texts: list[str]) -> list[str]:
    """Canonical keys of the named codes, refusing a code named twice."""
    found = [codes.key_of(ctx, t) for t in texts]
    seen: set[str] = set()
    twice: list[str] = []
    for key in found:
        if key in seen:
            twice.append(key)
        seen.add(key)
    if twice:
        raise reject(DUPLICATE_CODE, f"codes named twice: {listing(twice)}")
    return found


def walk(ctx: Context, tops: list[str], *, must_be_top: bool) -> Groups:
    groups: Groups = {}
    for top in tops:
        require(ctx, top)
        if must_be_top and (above := hierarchy.parent_of(ctx, top)) is not None:
            raise reject(AGGREGATED, f"{top} is packed in {above}: use the parent or unpack")
        groups[top] = [require(ctx, key) for key in hierarchy.descendants(ctx, top)]
    return groups


def flat(groups: Groups) -> list[CodeRecord]:
    return [record for group in groups.values() for record in group]


def log_groups(ctx: Context, journal: Journal, groups: Groups, event: str, data: Doc) -> None:
    """Log ``event`` on each named code and on each batch touched, flush counters, emit."""
    per_batch: dict[str, int] = {}
    for record in flat(groups):
        if record.batch is not None:
            per_batch[record.batch] = per_batch.get(record.batch, 0) + 1
    for top, group in groups.items():
        journal.log(top, event, {**data, "count": len(group)})
    for bid in sorted(per_batch):
        journal.batch_log(bid, event, {**data, "count": per_batch[bid]})
    journal.flush()
    ctx.emit(event, {**data, "codes": list(groups), "count": len(flat(groups))})
