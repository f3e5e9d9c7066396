"""Read-only answers: verify (the pharmacy's scan) and history (issue 6 items 12–13).

``verify`` is public to any signer and shows no commercial data: shipment records (business
references, document hashes) are never read here. It answers in a few key reads: the code
record, its batch, its product, and the release contract's batch status. Field names follow
the DSCSA verification router (``verified``, ``verificationFailureReason``, ``additionalInfo``).
"""

from __future__ import annotations

from chaincode.api import Context, Value
from chaincode.contracts.trace import codes
from chaincode.contracts.trace.lifecycle import IRREVERSIBLE_REASONS
from chaincode.contracts.trace.models import CodeArgs
from chaincode.contracts.trace.records import (
    DECOMMISSIONED,
    DISPENSED,
    CodeRecord,
    Doc,
    is_expired,
    is_recalled,
    load,
    load_batch,
    load_product,
    split_batch,
    text,
)
from chaincode.contracts.trace.release import RECALLED, ReleaseView

PUBLIC_PRODUCT_FIELDS = (
    "product_key",
    "generic_name",
    "trade_name",
    "dosage_form",
    "strength",
    "pack_size",
    "packaging_level",
    "storage_min_centi_c",
    "storage_max_centi_c",
)


def verify(ctx: Context, args: CodeArgs) -> Value:
    scanned = codes.scan_serialized(ctx, args.code)
    record = load(ctx, scanned.key)
    if record is None:
        return {
            "code": scanned.key,
            "verified": False,
            "verificationFailureReason": _no_match(scanned.key, ""),
            "additionalInfo": None,
            "commissioned": False,
        }
    batch = load_batch(ctx, record.batch) if record.batch is not None else None
    lot_differs = batch is not None and scanned.lot is not None and scanned.lot != batch["lot"]
    expiry_differs = (
        batch is not None
        and scanned.expiry is not None
        and scanned.expiry.isoformat() != batch["expiry"]
    )
    suffix = ("_Lot" if lot_differs else "") + ("_Expiry" if expiry_differs else "")
    facts = _facts(ctx, record, batch)
    return {
        "code": record.key,
        "verified": not suffix,
        "verificationFailureReason": _no_match(record.key, suffix) if suffix else None,
        "additionalInfo": _additional_info(ctx, record, batch, facts["recalled"] is True),
        "commissioned": True,
        **facts,
    }


def status_of(record: CodeRecord) -> str:
    """active | in_transit | dispensed | one of the EU FMD decommission states."""
    if record.state == DECOMMISSIONED and record.decommissioned is not None:
        return text(record.decommissioned, "reason")
    if record.state == DISPENSED:
        return DISPENSED
    return "in_transit" if record.in_transit else record.state


def _facts(ctx: Context, record: CodeRecord, batch: Doc | None) -> Doc:
    product = load_product(ctx, record.product) if record.product is not None else None
    release: Value = None
    if record.batch is not None:
        info = ReleaseView(ctx).info(*split_batch(record.batch))
        release = None if info is None else info.status
    transit = record.transit
    return {
        "product": {f: product.get(f) for f in PUBLIC_PRODUCT_FIELDS} if product else None,
        "lot": None if batch is None else batch["lot"],
        "expiry": None if batch is None else batch["expiry"],
        "production_date": None if batch is None else batch["production_date"],
        "level": record.level,
        "status": status_of(record),
        "recalled": is_recalled(batch) or release == RECALLED,
        "expired": is_expired(batch, ctx.block_time_ms),
        "dispensed": record.state == DISPENSED,
        "hold": None if record.hold is None else record.hold["kind"],
        "batch_release": release,
        "custody": {
            "owner": record.owner,
            "in_transit": transit is not None,
            "destination": None if transit is None else transit.get("to"),
        },
    }


def _additional_info(
    ctx: Context, record: CodeRecord, batch: Doc | None, recalled: bool
) -> str | None:
    """The most serious condition, in DSCSA words where DSCSA has one."""
    decommissioned = record.decommissioned
    reason = None if decommissioned is None else text(decommissioned, "reason")
    checks = (
        (recalled, "Recalled"),
        (reason == "stolen", "Illegitimate"),
        (record.hold is not None, "Suspect"),
        (is_expired(batch, ctx.block_time_ms), "Expired"),
        (record.state == DISPENSED, "Dispensed"),
        (reason in IRREVERSIBLE_REASONS, "Destroyed"),
        (reason is not None, "Decommissioned"),
    )
    return next((label for hit, label in checks if hit), None)


def _no_match(key: str, suffix: str) -> str:
    return ("No_match_GTIN_Serial" if key.startswith("sgtin:") else "No_match_Code") + suffix
