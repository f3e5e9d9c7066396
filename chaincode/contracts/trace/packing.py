"""Aggregate, disaggregate and repack (issue 6 item 8; EPCIS AggregationEvent ADD/DELETE).

A child has at most one parent; a parent is a case or pallet code (a case-level SGTIN or an
SSCC); a child's packaging level is not above its parent's; a code can never end up inside
itself. Only the owner of every code involved packs or unpacks, and never while in transit.
"""

from __future__ import annotations

from chaincode.api import Context, Value
from chaincode.contracts.trace import hierarchy
from chaincode.contracts.trace.errors import (
    ALREADY_AGGREGATED,
    BAD_PARENT,
    CYCLE,
    IN_TRANSIT,
    NOT_ACTIVE,
    NOT_IN_PARENT,
    NOT_OWNER,
    ON_HOLD,
    listing,
    reject,
)
from chaincode.contracts.trace.event_time import event_time
from chaincode.contracts.trace.journal import Journal
from chaincode.contracts.trace.models import AggregateArgs, DisaggregateArgs
from chaincode.contracts.trace.records import ACTIVE, CodeRecord, require
from chaincode.contracts.trace.walking import top_keys

RANK = {"item": 0, "case": 1, "pallet": 2}


def aggregate(ctx: Context, args: AggregateArgs) -> Value:
    when = event_time(ctx, args)
    parent, children = _prepare(ctx, args)
    taken = [c.key for c in children if hierarchy.parent_of(ctx, c.key) is not None]
    if taken:
        raise reject(ALREADY_AGGREGATED, f"already packed elsewhere: {listing(taken)}")
    return _pack(ctx, Journal(ctx, when), parent, children)


def repack(ctx: Context, args: AggregateArgs) -> Value:
    """Move children from whatever parent holds them into ``parent`` in one transaction."""
    when = event_time(ctx, args)
    parent, children = _prepare(ctx, args)
    journal = Journal(ctx, when)
    for child in children:
        current = hierarchy.parent_of(ctx, child.key)
        if current is None:
            continue
        if current == parent.key:
            raise reject(ALREADY_AGGREGATED, f"{child.key} is already in {parent.key}")
        _check_packable(require(ctx, current), ctx.signer.org_id, as_parent=True)
        _unpack(ctx, journal, current, [child.key])
    return _pack(ctx, journal, parent, children)


def disaggregate(ctx: Context, args: DisaggregateArgs) -> Value:
    when = event_time(ctx, args)
    parent_key = top_keys(ctx, [args.parent])[0]
    parent = require(ctx, parent_key)
    _check_owner_at_rest(parent, ctx.signer.org_id)
    inside = hierarchy.children_of(ctx, parent_key)
    if args.children is None:
        chosen = inside
    else:
        chosen = top_keys(ctx, args.children)
        members = set(inside)
        strangers = [k for k in chosen if k not in members]
        if strangers:
            raise reject(NOT_IN_PARENT, f"not in {parent_key}: {listing(strangers)}")
    journal = Journal(ctx, when)
    _unpack(ctx, journal, parent_key, chosen)
    ctx.emit("disaggregated", {"parent": parent_key, "children": list(chosen)})
    return {"parent": parent_key, "children": list(chosen)}


def _prepare(ctx: Context, args: AggregateArgs) -> tuple[CodeRecord, list[CodeRecord]]:
    keys_ = top_keys(ctx, [args.parent, *args.children])
    org = ctx.signer.org_id
    parent = require(ctx, keys_[0])
    _check_packable(parent, org, as_parent=True)
    above = set(hierarchy.ancestors(ctx, parent.key))
    children: list[CodeRecord] = []
    for key in keys_[1:]:
        child = require(ctx, key)
        _check_packable(child, org, as_parent=False)
        if key in above:
            raise reject(CYCLE, f"{key} contains {parent.key}: packing it inside would loop")
        if RANK[child.level] > RANK[parent.level]:
            raise reject(BAD_PARENT, f"a {child.level} cannot go into a {parent.level}")
        children.append(child)
    return parent, children


def _check_owner_at_rest(record: CodeRecord, org: str) -> None:
    if record.owner != org:
        raise reject(NOT_OWNER, f"{record.key} is owned by {record.owner!r}")
    if record.in_transit:
        raise reject(IN_TRANSIT, f"{record.key} is in transit")


def _check_packable(record: CodeRecord, org: str, *, as_parent: bool) -> None:
    _check_owner_at_rest(record, org)
    if record.state != ACTIVE:
        raise reject(NOT_ACTIVE, f"{record.key} is {record.state}")
    if record.hold is not None:
        raise reject(ON_HOLD, f"{record.key} is on hold")
    if as_parent and record.level == "item":
        raise reject(BAD_PARENT, f"{record.key} is an item: only cases and pallets contain codes")


def _pack(ctx: Context, journal: Journal, parent: CodeRecord, children: list[CodeRecord]) -> Value:
    child_keys = [c.key for c in children]
    for key in child_keys:
        hierarchy.attach(ctx, parent.key, key)
        journal.log(key, "aggregated", {"parent": parent.key})
    journal.log(parent.key, "packed", {"children": list(child_keys)})
    ctx.emit("aggregated", {"parent": parent.key, "children": list(child_keys)})
    return {"parent": parent.key, "children": list(child_keys)}


def _unpack(ctx: Context, journal: Journal, parent_key: str, child_keys: list[str]) -> None:
    for key in child_keys:
        hierarchy.detach(ctx, parent_key, key)
        journal.log(key, "disaggregated", {"parent": parent_key})
    journal.log(parent_key, "unpacked", {"children": list(child_keys)})
