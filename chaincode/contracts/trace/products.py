"""Product master data (issue 6 item 6).

Who: a MANUFACTURER signer of the marketing-authorisation holder (MAH) org named in the record.
What may change: once registered, identity fields stay fixed (MAH, generic name, dosage form,
strength, pack size, packaging level, base product) because codes already commissioned are
bound to them; trade name, markets and the storage range may be updated by the same MAH, each
update bumping ``revision``.
"""

from __future__ import annotations

import re

from chaincode.api import Context, Value
from chaincode.contracts.trace import codes, keys
from chaincode.contracts.trace.errors import (
    BAD_ARGUMENT,
    NOT_MAH,
    PRODUCT_IMMUTABLE,
    UNKNOWN_PRODUCT,
    reject,
)
from chaincode.contracts.trace.models import RegisterProductArgs
from chaincode.contracts.trace.records import Doc, load_product, text

IMMUTABLE = (
    "mah_org",
    "generic_name",
    "dosage_form",
    "strength",
    "pack_size",
    "packaging_level",
    "base_product",
)


def check_product_key(product_key: str) -> str:
    """``gtin:{GTIN-14 with a valid check digit}`` or ``nmpa:{7-digit product resource code}``."""
    if product_key.startswith("gtin:"):
        gtin = product_key[len("gtin:") :]
        if re.fullmatch(r"\d{14}", gtin) and codes.gtin_product(gtin)[1] == product_key:
            return product_key
    elif re.fullmatch(r"nmpa:\d{7}", product_key):
        return product_key
    raise reject(BAD_ARGUMENT, f"{product_key!r} is not a product key (gtin:… or nmpa:…)")


def register_product(ctx: Context, args: RegisterProductArgs) -> Value:
    product_key = check_product_key(args.product_key)
    if args.mah_org != ctx.signer.org_id:
        raise reject(NOT_MAH, f"only the MAH org {args.mah_org!r} registers its products")
    if args.storage_min_centi_c > args.storage_max_centi_c:
        raise reject(BAD_ARGUMENT, "storage_min_centi_c is above storage_max_centi_c")
    _check_base(ctx, args)
    existing = load_product(ctx, product_key)
    record = _record(args, revision=1)
    if existing is not None:
        if text(existing, "mah_org") != ctx.signer.org_id:
            raise reject(NOT_MAH, f"{product_key} belongs to {text(existing, 'mah_org')!r}")
        changed = [f for f in IMMUTABLE if existing.get(f) != record.get(f)]
        if changed:
            raise reject(PRODUCT_IMMUTABLE, f"{product_key}: {', '.join(changed)} cannot change")
        previous = existing.get("revision")
        record["revision"] = (previous if isinstance(previous, int) else 0) + 1
    ctx.put(keys.product(product_key), record)
    event = "product_registered" if existing is None else "product_updated"
    ctx.emit(event, {"product_key": product_key, "revision": record["revision"]})
    return record


def _check_base(ctx: Context, args: RegisterProductArgs) -> None:
    """A case or pallet GTIN names the item product whose batches its codes belong to."""
    if args.base_product is None:
        return
    if args.packaging_level == "item" or args.base_product == args.product_key:
        raise reject(BAD_ARGUMENT, "only a case or pallet product has a base product")
    base = load_product(ctx, args.base_product)
    if base is None:
        raise reject(UNKNOWN_PRODUCT, f"base product {args.base_product} is not registered")
    if text(base, "mah_org") != args.mah_org or base.get("base_product") is not None:
        raise reject(BAD_ARGUMENT, "the base product must be an item product of the same MAH")


def _record(args: RegisterProductArgs, *, revision: int) -> Doc:
    markets: list[Value] = [*sorted(dict.fromkeys(args.markets))]
    return {
        "product_key": args.product_key,
        "mah_org": args.mah_org,
        "generic_name": args.generic_name,
        "trade_name": args.trade_name,
        "dosage_form": args.dosage_form,
        "strength": args.strength,
        "pack_size": args.pack_size,
        "packaging_level": args.packaging_level,
        "base_product": args.base_product,
        "markets": markets,
        "storage_min_centi_c": args.storage_min_centi_c,
        "storage_max_centi_c": args.storage_max_centi_c,
        "revision": revision,
    }


def batch_product(product: Doc) -> str:
    """The product key batches are released under: the base product for a case GTIN."""
    base = product.get("base_product")
    return base if isinstance(base, str) else text(product, "product_key")
