"""Status records with history, and the lazy-then-materialised automatic suspension.

State layout (the separator "|" never occurs in an id):

    supplier/{supplier}                the supplier entry (org, buyer, sites, links, next due)
    material/{material}                material master with its specification reference
    status/{supplier}|                 supplier-level status history
    status/{supplier}|{material}       status history of the (supplier, material) approval
    cert/{supplier}|{certificate}      certificates (verified ones count towards coverage)
    audit/{supplier}|{audit}           audits
    agreement/{supplier}|{agreement}   quality agreements
    due/{next_due_ms:015d}|{supplier}  requalification index

Automatic suspension (STANDARDS.md, Supplier qualification: "an expired certificate suspends
automatically"): any read at block time T computes the effective status, which is
``suspended`` as soon as a required, verified certificate group has had no valid certificate
since some instant L <= T (or a conditional approval ran out). The next transaction touching
the supplier materialises that suspension into the history with ``at_ms = L`` and an event, so
the history answers "was it approved at t" the same before and after materialisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from chaincode.api import Context, Value
from chaincode.contracts.supplier import errors
from chaincode.contracts.supplier.rules import USABLE, Coverage, Status, lapse_time

SEP = "|"
AUTO = "auto"
"""``by`` of an entry the contract wrote itself (automatic suspension)."""


def supplier_key(supplier: str) -> str:
    return f"supplier/{supplier}"


def material_key(material: str) -> str:
    return f"material/{material}"


def status_key(supplier: str, material: str | None) -> str:
    return f"status/{supplier}{SEP}{material or ''}"


def cert_key(supplier: str, certificate: str) -> str:
    return f"cert/{supplier}{SEP}{certificate}"


def due_key(due_ms: int, supplier: str) -> str:
    return f"due/{due_ms:015d}{SEP}{supplier}"


@dataclass(frozen=True, slots=True)
class Effective:
    """A status as seen at some instant, with where it came from."""

    status: Status
    since_ms: int
    reason: str
    scope: str | None
    until_ms: int | None
    auto_pending: bool
    """True when the suspension is computed, not yet written to the history."""


def load_supplier(ctx: Context, supplier: str) -> dict[str, Any]:
    found = ctx.get(supplier_key(supplier))
    if not isinstance(found, dict):
        raise errors.SupplierRejection(errors.UNKNOWN_SUPPLIER, f"no supplier {supplier!r}")
    return cast(dict[str, Any], found)


def history(ctx: Context, supplier: str, material: str | None) -> list[dict[str, Any]]:
    found = ctx.get(status_key(supplier, material))
    if not isinstance(found, dict):
        return []
    return cast(list[dict[str, Any]], found["history"])


def coverage(ctx: Context, supplier: str, material: str | None) -> list[Coverage]:
    """Verified, required certificates that bear on this status record."""
    covers = []
    for _, raw in ctx.prefix(f"cert/{supplier}{SEP}"):
        cert = cast(dict[str, Any], raw)
        if not (cert["verified"] and cert["required"]):
            continue
        materials = cast(list[str], cert["materials"])
        if (material is None and materials) or (material is not None and material not in materials):
            continue
        group = f"{cert['type']}{SEP}{','.join(materials)}"
        covers.append(
            Coverage(group, cert["certificate"], cert["valid_from_ms"], cert["valid_until_ms"])
        )
    return covers


def effective_at(
    entries: list[dict[str, Any]], covers: list[Coverage], at_ms: int
) -> Effective | None:
    """The status in force at ``at_ms`` per the history, then lapses applied lazily."""
    entry = None
    for candidate in entries:
        if candidate["at_ms"] <= at_ms:
            entry = candidate
    if entry is None:
        return None
    status = Status(entry["status"])
    until = entry.get("until_ms")
    if status in USABLE:
        lapse = lapse_time(covers, entry["at_ms"]) if covers else None
        if lapse is not None and lapse[0] <= at_ms and (until is None or lapse[0] <= until):
            reason = f"certificate {lapse[1]} expired: no valid required certificate"
            return Effective(Status.SUSPENDED, lapse[0], reason, None, None, True)
        if status is Status.CONDITIONAL and until is not None and until <= at_ms:
            reason = "conditional approval ran out"
            return Effective(Status.SUSPENDED, until, reason, None, None, True)
    return Effective(status, entry["at_ms"], entry["reason"], entry.get("scope"), until, False)


def effective(ctx: Context, supplier: str, material: str | None, at_ms: int) -> Effective | None:
    return effective_at(history(ctx, supplier, material), coverage(ctx, supplier, material), at_ms)


def append(ctx: Context, supplier: str, material: str | None, entry: dict[str, Value]) -> None:
    entries: list[Value] = list(history(ctx, supplier, material))
    entries.append(entry)
    ctx.put(status_key(supplier, material), {"history": entries})


def materialise(ctx: Context, supplier: str) -> list[Value]:
    """Write due automatic suspensions of the supplier and its materials (with events)."""
    done: list[Value] = []
    for key, _ in list(ctx.prefix(f"status/{supplier}{SEP}")):
        material = key.split(SEP, 1)[1] or None
        now = effective(ctx, supplier, material, ctx.block_time_ms)
        if now is None or not now.auto_pending:
            continue
        entry: dict[str, Value] = {
            "status": Status.SUSPENDED.value,
            "at_ms": now.since_ms,
            "recorded_ms": ctx.block_time_ms,
            "by": AUTO,
            "org": None,
            "reason": now.reason,
        }
        append(ctx, supplier, material, entry)
        payload: dict[str, Value] = {
            "supplier": supplier,
            "material": material,
            "at_ms": now.since_ms,
            "reason": now.reason,
        }
        ctx.emit("supplier.auto_suspended", payload)
        done.append(payload)
    return done
