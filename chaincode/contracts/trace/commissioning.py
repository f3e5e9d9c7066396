"""Commissioning serialized codes in bulk (issue 6 item 7).

A transaction commissions up to a million codes of one product and batch. The work per code
is: parse once (or, on the GTIN + serials path, one pattern match), one set membership test,
one state read and one write. All codes of a transaction share a single record value, since
everything a code carries at birth (product, batch, level, owner, block) is the same for all.
Nothing is logged per code: ``history`` derives the commissioning event from the record.
"""

from __future__ import annotations

from chaincode.api import Context, Value
from chaincode.contracts.trace import codes, keys
from chaincode.contracts.trace.errors import (
    BAD_ARGUMENT,
    BAD_CODE,
    BATCH_MISMATCH,
    BATCH_RECALLED,
    CODE_BATCH_MISMATCH,
    DUPLICATE_CODE,
    NOT_MAH,
    PRODUCT_MISMATCH,
    UNKNOWN_BATCH,
    UNKNOWN_PRODUCT,
    listing,
    reject,
)
from chaincode.contracts.trace.event_time import EventTime, event_time
from chaincode.contracts.trace.journal import Journal, check_org
from chaincode.contracts.trace.models import CommissionArgs, ContainerArgs
from chaincode.contracts.trace.products import batch_product
from chaincode.contracts.trace.records import ACTIVE, Doc, load_batch, load_product, text
from chaincode.contracts.trace.release import ReleaseView

MAX_LISTED = 5


def commission(ctx: Context, args: CommissionArgs) -> Value:
    production, expiry = _dates(args)
    when = event_time(ctx, args)
    if keys.LOT_PATTERN.fullmatch(args.lot) is None:
        raise reject(BAD_ARGUMENT, f"lot {args.lot!r} is not 1–20 characters of GS1 set 82")
    product_key, code_keys = _keys(ctx, args, expiry=expiry)
    product = load_product(ctx, product_key)
    if product is None:
        raise reject(UNKNOWN_PRODUCT, f"{product_key} is not registered")
    if text(product, "mah_org") != ctx.signer.org_id:
        raise reject(NOT_MAH, f"only {text(product, 'mah_org')!r} commissions {product_key}")
    base = batch_product(product)
    if ReleaseView(ctx).info(base, args.lot) is None:
        raise reject(UNKNOWN_BATCH, f"the release contract knows no batch {args.lot} of {base}")
    bid = keys.batch_id(base, args.lot)
    _reject_duplicates(ctx, code_keys)
    _bind_batch(ctx, bid, base, args.lot, production, expiry, len(code_keys))
    owner = check_org(ctx.signer.org_id)
    level = args.level or text(product, "packaging_level")
    _write(ctx, code_keys, _birth(ctx, when, level, product_key, bid, owner))
    journal = Journal(ctx, when)
    journal.hold_count(bid, owner, len(code_keys))
    summary: Doc = {
        "product_key": product_key,
        "lot": args.lot,
        "level": level,
        "count": len(code_keys),
        "first": code_keys[0],
        "last": code_keys[-1],
    }
    journal.batch_log(bid, "commissioned", summary)
    journal.flush()
    ctx.emit("commissioned", summary)
    return summary


def commission_containers(ctx: Context, args: ContainerArgs) -> Value:
    """SSCC logistic units: no product, no batch; owned by the signer's org."""
    when = event_time(ctx, args)
    code_keys = [codes.key_of(ctx, text_) for text_ in args.codes]
    not_sscc = [k for k in code_keys if not k.startswith("sscc:")]
    if not_sscc:
        raise reject(BAD_CODE, f"not SSCCs: {listing(not_sscc)}")
    _reject_duplicates(ctx, code_keys)
    owner = check_org(ctx.signer.org_id)
    _write(ctx, code_keys, _birth(ctx, when, args.level, None, None, owner))
    summary: Doc = {"level": args.level, "count": len(code_keys), "codes": list(code_keys)}
    ctx.emit("containers_commissioned", summary)
    return summary


def _dates(args: CommissionArgs) -> tuple[str, str]:
    production = keys.parse_day(args.production_date)
    expiry = keys.parse_day(args.expiry)
    if production is None or expiry is None:
        raise reject(BAD_ARGUMENT, "production_date and expiry must be YYYY-MM-DD calendar days")
    if expiry < production:
        raise reject(BAD_ARGUMENT, "expiry is before the production date")
    return production.isoformat(), expiry.isoformat()


def _keys(ctx: Context, args: CommissionArgs, *, expiry: str) -> tuple[str, list[str]]:
    """(product key, code keys) from either argument form; one product per transaction."""
    if args.gtin is not None and args.serials is not None:
        gtin14, gtin_key = codes.gtin_product(args.gtin)
        return gtin_key, codes.serial_keys(gtin14, args.serials)
    texts = args.codes or []
    scans = [codes.scan_serialized(ctx, t) for t in texts]
    first = scans[0].product_key
    if first is None:
        raise reject(PRODUCT_MISMATCH, f"{scans[0].key} has no product: use commission_containers")
    product_key: str = first
    others = [s.key for s in scans if s.product_key != product_key]
    if others:
        raise reject(
            PRODUCT_MISMATCH, f"codes of another product than {product_key}: {listing(others)}"
        )
    wrong = [
        s.key
        for s in scans
        if (s.lot is not None and s.lot != args.lot)
        or (s.expiry is not None and s.expiry.isoformat() != expiry)
    ]
    if wrong:
        raise reject(CODE_BATCH_MISMATCH, f"printed lot or expiry differs: {listing(wrong)}")
    return product_key, [s.key for s in scans]


def _reject_duplicates(ctx: Context, code_keys: list[str]) -> None:
    """Refuse the whole transaction if any code repeats, in the list or on the ledger."""
    seen: set[str] = set()
    repeated: list[str] = []
    for key in code_keys:
        if key in seen:
            repeated.append(key)
            if len(repeated) >= MAX_LISTED:
                break
        seen.add(key)
    if repeated:
        raise reject(DUPLICATE_CODE, f"codes repeated in the request: {listing(repeated)}")
    get = ctx.get
    taken: list[str] = []
    for key in code_keys:
        if get(keys.code(key)) is not None:
            taken.append(key)
            if len(taken) >= MAX_LISTED:
                break
    if taken:
        raise reject(DUPLICATE_CODE, f"codes already commissioned: {listing(taken)}")


def _bind_batch(
    ctx: Context, bid: str, product_key: str, lot: str, production: str, expiry: str, count: int
) -> None:
    """A batch is bound once to its dates; later commissions must agree (immutable binding)."""
    batch = load_batch(ctx, bid)
    if batch is None:
        batch = {
            "product_key": product_key,
            "lot": lot,
            "production_date": production,
            "expiry": expiry,
            "mah_org": ctx.signer.org_id,
            "codes": 0,
        }
    elif batch.get("production_date") != production or batch.get("expiry") != expiry:
        raise reject(
            BATCH_MISMATCH,
            f"batch {lot} is bound to production {batch.get('production_date')!r} "
            f"and expiry {batch.get('expiry')!r}",
        )
    elif batch.get("recall") is not None:
        raise reject(BATCH_RECALLED, f"batch {lot} of {product_key} is recalled")
    total = batch.get("codes")
    ctx.put(keys.batch(bid), {**batch, "codes": (total if isinstance(total, int) else 0) + count})


def _birth(
    ctx: Context, when: EventTime, level: str, product_key: str | None, bid: str | None, owner: str
) -> Doc:
    record: Doc = {
        "level": level,
        "owner": owner,
        "state": ACTIVE,
        "commissioned": {
            "height": ctx.block_height,
            "time_ms": ctx.block_time_ms,
            **when.fields(),
            "org": owner,
            "tx_id": ctx.tx_id,
        },
    }
    if product_key is not None and bid is not None:
        record["product"] = product_key
        record["batch"] = bid
    return record


def _write(ctx: Context, code_keys: list[str], record: Doc) -> None:
    # One shared value: records are never mutated in place (updates build new maps).
    put = ctx.put
    for key in code_keys:
        put(keys.code(key), record)
