"""Dispense exactly once, return, decommission and its undo (issue 6 item 10).

Dispensing a code that must not be dispensed (already dispensed — 一码一用 —, recalled,
expired, suspect, quarantined, decommissioned, never commissioned, batch not released) is
not refused: the transaction commits an alert with its reason codes and the code is left as
it was, so the signal is on the ledger for the regulator (STANDARDS.md, market rules).

Return of a dispensed code: by the org that dispensed it, within ``RETURN_WINDOW_MS`` of the
sale, and only while the code is not recalled, expired or held. Undo of a decommission
(EU FMD, Delegated Regulation (EU) 2016/161 art. 13): same org, within 10 days, never for a
recalled or expired batch, never for ``destroyed`` or ``stolen``.
"""

from __future__ import annotations

from chaincode.api import Context, Value
from chaincode.contracts.trace import codes, hierarchy, keys
from chaincode.contracts.trace.errors import (
    EXPIRED,
    IN_TRANSIT,
    IRREVERSIBLE,
    NOT_ACTIVE,
    NOT_ALLOWED,
    NOT_DECOMMISSIONED,
    NOT_DECOMMISSIONER,
    NOT_DISPENSED,
    NOT_DISPENSER,
    NOT_OWNER,
    ON_HOLD,
    RECALLED,
    RETURN_WINDOW_CLOSED,
    UNDO_WINDOW_CLOSED,
    reject,
)
from chaincode.contracts.trace.event_time import event_time
from chaincode.contracts.trace.journal import Journal
from chaincode.contracts.trace.models import (
    CodesArgs,
    DecommissionArgs,
    DispenseArgs,
    ReturnArgs,
)
from chaincode.contracts.trace.records import (
    ACTIVE,
    DECOMMISSIONED,
    DISPENSED,
    CodeRecord,
    Doc,
    is_expired,
    is_recalled,
    load,
    load_batch,
    number,
    require,
    split_batch,
    store,
    text,
)
from chaincode.contracts.trace.release import RECALLED as RELEASE_RECALLED
from chaincode.contracts.trace.release import RELEASED, ReleaseView
from chaincode.contracts.trace.walking import Groups, flat, log_groups, top_keys, walk

RETURN_WINDOW_MS = 10 * keys.DAY_MS
UNDO_WINDOW_MS = 10 * keys.DAY_MS
IRREVERSIBLE_REASONS = ("destroyed", "stolen")


def dispense_alerts(ctx: Context, record: CodeRecord | None) -> list[str]:
    """Every reason this code must not be dispensed now, most serious first."""
    if record is None:
        return ["not_commissioned"]
    reasons: list[str] = []
    batch = load_batch(ctx, record.batch) if record.batch is not None else None
    info = ReleaseView(ctx).info(*split_batch(record.batch)) if record.batch else None
    if is_recalled(batch) or (info is not None and info.status == RELEASE_RECALLED):
        reasons.append("recalled")
    if record.state == DISPENSED:
        reasons.append("already_dispensed")
    if record.decommissioned is not None:
        reasons.append(text(record.decommissioned, "reason"))
    if record.hold is not None:
        reasons.append(text(record.hold, "kind"))
    if is_expired(batch, ctx.block_time_ms):
        reasons.append("expired")
    if record.batch is not None and (info is None or info.status != RELEASED):
        reasons.append("batch_not_released")
    return reasons


def dispense(ctx: Context, args: DispenseArgs) -> Value:
    when = event_time(ctx, args)
    key = codes.key_of(ctx, args.code)
    record = load(ctx, key)
    journal = Journal(ctx, when)
    reasons = dispense_alerts(ctx, record)
    if reasons:
        alert = journal.alert(key, "dispense", reasons, {})
        return {"dispensed": False, "alert": alert}
    if record is None:
        raise ValueError("a missing code always raises an alert")
    org = ctx.signer.org_id
    if record.in_transit:
        raise reject(IN_TRANSIT, f"{key} is in transit: receive it first")
    if record.owner != org:
        raise reject(NOT_OWNER, f"{key} is owned by {record.owner!r}")
    if hierarchy.children_of(ctx, key):
        raise reject(NOT_ALLOWED, f"{key} contains codes: unpack it before dispensing")
    _leave_parent(ctx, journal, key)
    sale: Doc = {
        "org": org,
        "height": ctx.block_height,
        "time_ms": ctx.block_time_ms,
        **when.fields(),
    }
    store(ctx, record.but(state=DISPENSED, dispensed={**sale, "tx_id": ctx.tx_id}))
    journal.hold_count(record.batch, org, -1)
    journal.log(key, "dispensed", {})
    if record.batch is not None:
        journal.batch_log(record.batch, "dispensed", {"code": key})
    journal.flush()
    ctx.emit("dispensed", {"code": key, **sale})
    return {"dispensed": True, "code": key}


def return_dispense(ctx: Context, args: ReturnArgs) -> Value:
    key = codes.key_of(ctx, args.code)
    record = require(ctx, key)
    if record.dispensed is None or record.state != DISPENSED:
        raise reject(NOT_DISPENSED, f"{key} is {record.state}, not dispensed")
    if text(record.dispensed, "org") != ctx.signer.org_id:
        raise reject(NOT_DISPENSER, f"{key} was dispensed by {text(record.dispensed, 'org')!r}")
    if ctx.block_time_ms - number(record.dispensed, "time_ms") > RETURN_WINDOW_MS:
        raise reject(RETURN_WINDOW_CLOSED, f"{key} was dispensed more than 10 days ago")
    _check_restorable(ctx, record)
    if record.hold is not None:
        raise reject(ON_HOLD, f"{key} is {text(record.hold, 'kind')}")
    journal = Journal(ctx)
    store(ctx, record.but(state=ACTIVE, dispensed=None))
    journal.hold_count(record.batch, ctx.signer.org_id, 1)
    journal.log(key, "dispense_returned", {"reason": args.reason})
    if record.batch is not None:
        journal.batch_log(record.batch, "dispense_returned", {"code": key})
    journal.flush()
    ctx.emit("dispense_returned", {"code": key, "reason": args.reason})
    return {"code": key, "state": ACTIVE}


def decommission(ctx: Context, args: DecommissionArgs) -> Value:
    """Take codes (and everything packed in them) out of the supply chain, EU FMD states."""
    when = event_time(ctx, args)
    org = ctx.signer.org_id
    groups = walk(ctx, top_keys(ctx, args.codes), must_be_top=False)
    for record in flat(groups):
        if record.owner != org:
            raise reject(NOT_OWNER, f"{record.key} is owned by {record.owner!r}")
        if record.in_transit:
            raise reject(IN_TRANSIT, f"{record.key} is in transit")
        if record.state != ACTIVE:
            raise reject(NOT_ACTIVE, f"{record.key} is {record.state}")
    journal = Journal(ctx, when)
    for top in groups:
        _leave_parent(ctx, journal, top)
    stamp: Doc = {
        "reason": args.reason,
        "org": org,
        "height": ctx.block_height,
        "time_ms": ctx.block_time_ms,
        **when.fields(),
        "tx_id": ctx.tx_id,
    }
    for record in flat(groups):
        store(ctx, record.but(state=DECOMMISSIONED, decommissioned=stamp))
        journal.hold_count(record.batch, org, -1)
    log_groups(ctx, journal, groups, "decommissioned", {"reason": args.reason})
    return {"count": len(flat(groups)), "reason": args.reason}


def undo_decommission(ctx: Context, args: CodesArgs) -> Value:
    org = ctx.signer.org_id
    groups = walk(ctx, top_keys(ctx, args.codes), must_be_top=False)
    restored: Groups = {}
    for top, group in groups.items():
        stamp = _check_undoable(ctx, group[0], org)
        # Only what that same decommission took out comes back.
        restored[top] = [
            r for r in group if r.decommissioned is not None and r.decommissioned == stamp
        ]
    journal = Journal(ctx)
    for record in flat(restored):
        store(ctx, record.but(state=ACTIVE, decommissioned=None))
        journal.hold_count(record.batch, org, 1)
    log_groups(ctx, journal, restored, "decommission_undone", {})
    return {"count": len(flat(restored))}


def _check_undoable(ctx: Context, record: CodeRecord, org: str) -> Doc:
    stamp = record.decommissioned
    if stamp is None or record.state != DECOMMISSIONED:
        raise reject(NOT_DECOMMISSIONED, f"{record.key} is {record.state}")
    if text(stamp, "org") != org:
        raise reject(NOT_DECOMMISSIONER, f"{record.key} was decommissioned by another org")
    if text(stamp, "reason") in IRREVERSIBLE_REASONS:
        raise reject(IRREVERSIBLE, f"{record.key} is {text(stamp, 'reason')}: final")
    if ctx.block_time_ms - number(stamp, "time_ms") > UNDO_WINDOW_MS:
        raise reject(UNDO_WINDOW_CLOSED, f"{record.key} was decommissioned over 10 days ago")
    _check_restorable(ctx, record)
    return stamp


def _check_restorable(ctx: Context, record: CodeRecord) -> None:
    batch = load_batch(ctx, record.batch) if record.batch is not None else None
    if is_recalled(batch):
        raise reject(RECALLED, f"{record.key} belongs to a recalled batch")
    if is_expired(batch, ctx.block_time_ms):
        raise reject(EXPIRED, f"{record.key} is expired")


def _leave_parent(ctx: Context, journal: Journal, key: str) -> None:
    """A code leaving the supply chain leaves its case, so the case's walks skip it."""
    parent = hierarchy.parent_of(ctx, key)
    if parent is not None:
        hierarchy.detach(ctx, parent, key)
        journal.log(key, "disaggregated", {"parent": parent})
        journal.log(parent, "unpacked", {"children": [key]})
