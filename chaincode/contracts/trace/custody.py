"""Custody: ship and receive, whole hierarchies at once (issue 6 item 9, issue 7 item 12).

Only the current owner ships; only the named recipient receives, and ownership moves on
receipt. A shipped parent carries everything below it: the walk updates each record so that
verify stays one read. Shipping needs the release contract to say the batch is released for
the destination market, and the product to be authorised there.
"""

from __future__ import annotations

from chaincode.api import Context, Value
from chaincode.contracts.trace import codes, keys
from chaincode.contracts.trace.errors import (
    BAD_ARGUMENT,
    BATCH_NOT_RELEASED,
    IN_TRANSIT,
    MARKET_NOT_AUTHORIZED,
    NOT_ACTIVE,
    NOT_IN_TRANSIT,
    NOT_OWNER,
    NOT_RECIPIENT,
    ON_HOLD,
    RECALLED,
    reject,
)
from chaincode.contracts.trace.event_time import event_time
from chaincode.contracts.trace.journal import Journal, check_org
from chaincode.contracts.trace.models import ReceiveArgs, ShipArgs
from chaincode.contracts.trace.records import (
    ACTIVE,
    CodeRecord,
    Doc,
    is_recalled,
    load_batch,
    load_product,
    split_batch,
    store,
    text,
)
from chaincode.contracts.trace.release import ReleaseView
from chaincode.contracts.trace.walking import flat, log_groups, top_keys, walk


def check_movable(record: CodeRecord, org: str) -> None:
    """The owner's code, at rest, active and not held (suspect, quarantined)."""
    if record.owner != org:
        raise reject(NOT_OWNER, f"{record.key} is owned by {record.owner!r}, not {org!r}")
    if record.in_transit:
        raise reject(IN_TRANSIT, f"{record.key} is in transit")
    if record.state != ACTIVE:
        raise reject(NOT_ACTIVE, f"{record.key} is {record.state}")
    if record.hold is not None:
        raise reject(ON_HOLD, f"{record.key} is {text(record.hold, 'kind')}")


def ship(ctx: Context, args: ShipArgs) -> Value:
    if not codes.gln_valid(args.to_gln):
        raise reject(BAD_ARGUMENT, f"GLN {args.to_gln} has a wrong check digit")
    when = event_time(ctx, args)
    to_org = check_org(args.to_org)
    sender = ctx.signer.org_id
    tops = top_keys(ctx, args.codes)
    groups = walk(ctx, tops, must_be_top=True)
    records = flat(groups)
    _check_shippable(ctx, records, sender, args.market)
    transit: Doc = {
        "shipment": ctx.tx_id,
        "from": sender,
        "to": to_org,
        "gln": args.to_gln,
        "market": args.market,
        "height": ctx.block_height,
        "time_ms": ctx.block_time_ms,
        **when.fields(),
    }
    for record in records:
        store(ctx, record.but(transit=transit))
    ctx.put(
        keys.shipment(ctx.tx_id),
        {
            **transit,
            "codes": list(tops),
            "count": len(records),
            "business_refs": list(args.business_refs),
            "document_hashes": list(args.document_hashes),
        },
    )
    public: Doc = {"to": to_org, "gln": args.to_gln, "market": args.market}
    log_groups(ctx, Journal(ctx, when), groups, "shipped", {**public, "shipment": ctx.tx_id})
    return {"shipment": ctx.tx_id, "count": len(records)}


def receive(ctx: Context, args: ReceiveArgs) -> Value:
    if args.gln is not None and not codes.gln_valid(args.gln):
        raise reject(BAD_ARGUMENT, f"GLN {args.gln} has a wrong check digit")
    when = event_time(ctx, args)
    receiver = check_org(ctx.signer.org_id)
    tops = top_keys(ctx, args.codes)
    # A shipment is received by the codes that were shipped (the tops), never a part of one.
    groups = walk(ctx, tops, must_be_top=True)
    records = flat(groups)
    for record in records:
        if record.transit is None:
            raise reject(NOT_IN_TRANSIT, f"{record.key} is not in transit")
        if record.transit.get("to") != receiver:
            raise reject(NOT_RECIPIENT, f"{record.key} is shipped to {record.transit.get('to')!r}")
    journal = Journal(ctx, when)
    for record in records:
        journal.hold_count(record.batch, record.owner, -1)
        journal.hold_count(record.batch, receiver, 1)
        store(ctx, record.but(owner=receiver, transit=None))
    first = records[0].transit or {}
    data: Doc = {"from": first.get("from"), "shipment": first.get("shipment"), "gln": args.gln}
    log_groups(ctx, journal, groups, "received", data)
    return {"count": len(records)}


def _check_shippable(ctx: Context, records: list[CodeRecord], sender: str, market: str) -> None:
    release = ReleaseView(ctx)
    batches: dict[str, Doc | None] = {}
    products: dict[str, bool] = {}
    for record in records:
        check_movable(record, sender)
        if record.batch is None or record.product is None:
            continue  # a logistic unit: its contents are checked on their own
        if record.batch not in batches:
            batches[record.batch] = load_batch(ctx, record.batch)
        if is_recalled(batches[record.batch]):
            raise reject(RECALLED, f"{record.key} belongs to a recalled batch")
        base, lot = split_batch(record.batch)
        info = release.info(base, lot)
        if info is None or not info.released_for(market):
            raise reject(
                BATCH_NOT_RELEASED, f"batch {lot} of {base} is not released for market {market}"
            )
        if record.product not in products:
            product = load_product(ctx, record.product) or {}
            markets = product.get("markets")
            products[record.product] = isinstance(markets, list) and market in markets
        if not products[record.product]:
            raise reject(MARKET_NOT_AUTHORIZED, f"{record.product} is not authorised in {market}")
