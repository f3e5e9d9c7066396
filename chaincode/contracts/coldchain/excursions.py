"""Excursion detection on a stream of readings, the quarantine it triggers, QA decisions.

State (the separator "|" never occurs in ids):

    excursion/{leg}|{number:06d}                      one excursion (open or decided)
    openexc/{product_key}|{lot}|{leg}|{number:06d}    index of open excursions per batch

An excursion (STANDARDS.md, Cold chain) is raised by a reading batch that pushes its stream
past the profile: cumulative time outside the hard limits beyond the allowance (and this
batch added some), the stream's MKT over its limit (and this batch raised it), or any reading
below 0 °C on a freeze-sensitive profile. While an excursion of the leg is open, later
findings are added to it instead of opening (and quarantining) again.
"""

from __future__ import annotations

from typing import Any, cast

from chaincode.api import Context, Value
from chaincode.errors import InvalidTransaction

SEP = "|"


def excursion_key(leg: str, number: int) -> str:
    return f"excursion/{leg}{SEP}{number:06d}"


def open_index_key(product_key: str, lot: str, leg: str, number: int) -> str:
    return f"openexc/{product_key}{SEP}{lot}{SEP}{leg}{SEP}{number:06d}"


def raise_or_extend(
    ctx: Context, leg: dict[str, Any], findings: list[dict[str, Value]]
) -> dict[str, Value] | None:
    """Record ``findings`` on the leg's open excursion, or open one and quarantine."""
    leg_id = cast(str, leg["leg"])
    number = leg["open_excursion"]
    if number is not None:
        record = cast(dict[str, Any], ctx.get(excursion_key(leg_id, number)))
        updated: dict[str, Value] = {**record, "findings": [*record["findings"], *findings]}
        ctx.put(excursion_key(leg_id, number), updated)
        return None
    number = cast(int, leg["excursions"]) + 1
    kinds = sorted({cast(str, f["kind"]) for f in findings})
    reason = f"cold-chain excursion {leg_id}/{number}: {', '.join(kinds)}"
    record = {
        "leg": leg_id,
        "number": number,
        "id": f"{leg_id}/{number}",
        "status": "open",
        "kinds": cast(list[Value], kinds),
        "findings": cast(list[Value], findings),
        "detected_ms": ctx.block_time_ms,
        "tx_id": ctx.tx_id,
        "batches": leg["batches"],
        "quarantine": _quarantine(ctx, leg, reason),
        "decision": None,
    }
    ctx.put(excursion_key(leg_id, number), record)
    for batch in cast(list[dict[str, str]], leg["batches"]):
        ctx.put(open_index_key(batch["product_key"], batch["lot"], leg_id, number), leg_id)
    ctx.emit("coldchain.excursion", {k: record[k] for k in ("id", "kinds", "batches")})
    return record


def _quarantine(ctx: Context, leg: dict[str, Any], reason: str) -> Value:
    """Ask trace to quarantine every SSCC and code of the leg, in this transaction.

    A refusal by trace (say, a code it does not know) must not lose the evidence: the
    excursion is still recorded, with the refusal, and still blocks release.
    """
    codes: list[Value] = [*leg["ssccs"], *leg["codes"]]
    if not codes:
        return {"requested": 0, "ok": True, "code": None}
    try:
        ctx.call("trace", "quarantine", {"codes": codes, "reason": reason})
    except InvalidTransaction as refusal:
        ctx.emit("coldchain.quarantine_refused", {"leg": leg["leg"], "code": refusal.code})
        return {"requested": len(codes), "ok": False, "code": refusal.code}
    return {"requested": len(codes), "ok": True, "code": None}


def close(ctx: Context, record: dict[str, Any], decision: str, reason: str) -> dict[str, Value]:
    """QA decision on an open excursion; the batches stop being blocked by it."""
    status = {"release": "released", "reject": "rejected", "destroy": "destroyed"}[decision]
    decided: dict[str, Value] = {
        **record,
        "status": status,
        "decision": {
            "decision": decision,
            "reason": reason,
            "by": ctx.signer.key_id,
            "org": ctx.signer.org_id,
            "at_ms": ctx.block_time_ms,
        },
    }
    ctx.put(excursion_key(record["leg"], record["number"]), decided)
    for batch in cast(list[dict[str, str]], record["batches"]):
        ctx.delete(
            open_index_key(batch["product_key"], batch["lot"], record["leg"], record["number"])
        )
    return decided
