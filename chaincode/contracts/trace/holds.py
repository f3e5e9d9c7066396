"""Recall by batch, and suspect / quarantine / release of codes (issue 6 item 11).

A recall is one write to the batch record: every code of the batch reads as recalled from
then on, because verify, dispense and ship consult the batch (a million code records are
never rewritten). Its scope, the orgs holding codes of the batch, comes from the
``holding/{batch}|{org}`` counters that custody keeps.

Holds walk the hierarchy: quarantining a pallet holds every case and item on it. They may be
placed or lifted by a QA or REGULATOR signer, by the owner of the codes, or by the cold-chain
contract in a nested call (an excursion quarantines a shipment). A hold a regulator placed is
lifted only by a regulator; the cold-chain contract lifts only holds it placed itself and
skips the rest (its QA released the excursion, not anyone else's hold). Quarantine overrides
suspect; suspect never weakens quarantine.
"""

from __future__ import annotations

from chaincode.api import Context, Value
from chaincode.contracts.trace import keys
from chaincode.contracts.trace.errors import (
    ALREADY_RECALLED,
    NOT_ALLOWED,
    NOT_MAH,
    NOT_ON_HOLD,
    RELEASE_NEEDS_REGULATOR,
    reject,
)
from chaincode.contracts.trace.event_time import event_time
from chaincode.contracts.trace.journal import Journal
from chaincode.contracts.trace.models import HoldArgs, RecallArgs
from chaincode.contracts.trace.records import Doc, require_batch, store, text
from chaincode.contracts.trace.walking import Groups, flat, log_groups, top_keys, walk
from sdk.roles import Role

COLDCHAIN_CONTRACT = "coldchain"
SUSPECT = "suspect"
QUARANTINED = "quarantined"
_STRENGTH = {SUSPECT: 1, QUARANTINED: 2}


def holders(ctx: Context, bid: str) -> list[str]:
    """Orgs that own at least one code of the batch, in key order."""
    prefix = keys.holding_prefix(bid)
    return [k[len(prefix) :] for k, count in ctx.prefix(prefix) if isinstance(count, int) and count]


def recall(ctx: Context, args: RecallArgs) -> Value:
    when = event_time(ctx, args)
    bid, batch = require_batch(ctx, args.product_key, args.lot)
    is_regulator = Role.REGULATOR in ctx.signer.roles
    if not is_regulator and text(batch, "mah_org") != ctx.signer.org_id:
        raise reject(NOT_MAH, f"only the MAH {text(batch, 'mah_org')!r} or a regulator recalls")
    if batch.get("recall") is not None:
        raise reject(ALREADY_RECALLED, f"batch {args.lot} of {args.product_key} is recalled")
    scope = holders(ctx, bid)
    journal = Journal(ctx, when)
    notice: Doc = {
        "position": journal.next_position(),
        "reason": args.reason,
        "org": ctx.signer.org_id,
        "height": ctx.block_height,
        "time_ms": ctx.block_time_ms,
        **when.fields(),
        "tx_id": ctx.tx_id,
        "holders": list(scope),
    }
    ctx.put(keys.batch(bid), {**batch, "recall": notice})
    journal.batch_log(bid, "recalled", {"reason": args.reason, "holders": list(scope)})
    summary: Doc = {"product_key": args.product_key, "lot": args.lot, **notice}
    ctx.emit("recalled", summary)
    return summary


def suspect(ctx: Context, args: HoldArgs) -> Value:
    return _hold(ctx, args, SUSPECT)


def quarantine(ctx: Context, args: HoldArgs) -> Value:
    return _hold(ctx, args, QUARANTINED)


def release_quarantine(ctx: Context, args: HoldArgs) -> Value:
    groups = walk(ctx, top_keys(ctx, args.codes), must_be_top=False)
    _check_allowed(ctx, groups)
    regulator = Role.REGULATOR in ctx.signer.roles
    by_coldchain = ctx.caller == COLDCHAIN_CONTRACT
    for top, group in groups.items():
        if group[0].hold is None and not by_coldchain:
            raise reject(NOT_ON_HOLD, f"{top} is not on hold")
    changed: Groups = {}
    for top, group in groups.items():
        changed[top] = [r for r in group if _liftable(r.hold, by_coldchain)]
        for record in changed[top]:
            if record.hold is not None and record.hold.get("by_regulator") and not regulator:
                raise reject(RELEASE_NEEDS_REGULATOR, f"{record.key}: a regulator's hold")
    if by_coldchain:
        changed = {top: group for top, group in changed.items() if group}
    for record in flat(changed):
        store(ctx, record.but(hold=None))
    log_groups(ctx, Journal(ctx), changed, "hold_released", {"reason": args.reason})
    return {"count": len(flat(changed))}


def _hold(ctx: Context, args: HoldArgs, kind: str) -> Value:
    groups = walk(ctx, top_keys(ctx, args.codes), must_be_top=False)
    _check_allowed(ctx, groups)
    hold: Doc = {
        "kind": kind,
        "reason": args.reason,
        "org": ctx.signer.org_id,
        "by": ctx.caller or ctx.signer.org_id,
        "by_regulator": Role.REGULATOR in ctx.signer.roles,
        "height": ctx.block_height,
        "time_ms": ctx.block_time_ms,
    }
    changed: Groups = {}
    for top, group in groups.items():
        changed[top] = [r for r in group if _weaker(r.hold, kind)]
    for record in flat(changed):
        store(ctx, record.but(hold=hold))
    log_groups(ctx, Journal(ctx), changed, kind, {"reason": args.reason})
    return {"count": len(flat(changed)), "kind": kind}


def _liftable(hold: Doc | None, by_coldchain: bool) -> bool:
    """The cold-chain contract lifts only the holds it placed (an excursion's quarantine)."""
    return hold is not None and (not by_coldchain or hold.get("by") == COLDCHAIN_CONTRACT)


def _weaker(current: Doc | None, kind: str) -> bool:
    if current is None:
        return True
    return _STRENGTH[text(current, "kind")] < _STRENGTH[kind]


def _check_allowed(ctx: Context, groups: Groups) -> None:
    if ctx.caller == COLDCHAIN_CONTRACT or ctx.signer.roles & {Role.QA, Role.REGULATOR}:
        return
    org = ctx.signer.org_id
    others = [r.key for r in flat(groups) if r.owner != org]
    if others:
        raise reject(
            NOT_ALLOWED, f"holds need QA, REGULATOR or ownership; {others[0]} is not yours"
        )
