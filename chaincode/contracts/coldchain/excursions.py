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


def close(
    ctx: Context, leg: dict[str, Any], record: dict[str, Any], decision: str, reason: str
) -> dict[str, Value]:
    """QA decision on an open excursion; the batches stop being blocked by it.

    The codes follow the decision in the same transaction: ``release`` lifts the
    quarantine the excursion placed (``trace.release_quarantine`` in a nested call);
    ``reject`` and ``destroy`` leave them quarantined, so they can never ship again, and
    ``coldchain.codes_condemned`` tells their owners to decommission them.
    """
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
            "codes": _dispose(ctx, leg, record, decision, reason),
        },
    }
    ctx.put(excursion_key(record["leg"], record["number"]), decided)
    for batch in cast(list[dict[str, str]], record["batches"]):
        ctx.delete(
            open_index_key(batch["product_key"], batch["lot"], record["leg"], record["number"])
        )
    return decided


def _dispose(
    ctx: Context, leg: dict[str, Any], record: dict[str, Any], decision: str, reason: str
) -> Value:
    """What the decision did to the leg's codes in trace (recorded on the decision).

    Only a quarantine this excursion placed is lifted. A refusal by trace (a regulator's
    hold, a code released by hand meanwhile) does not undo the QA decision: it is recorded
    with its code and ``coldchain.quarantine_lift_refused`` is emitted; QA then lifts the
    holds with ``trace.release_quarantine`` directly.
    """
    codes: list[Value] = [*leg["ssccs"], *leg["codes"]]
    placed = cast(dict[str, Any], record["quarantine"])
    if decision != "release":
        if codes:
            ctx.emit(
                "coldchain.codes_condemned",
                {"id": record["id"], "decision": decision, "codes": codes},
            )
        return {"action": "kept_quarantined", "requested": len(codes), "ok": True, "code": None}
    if not codes or not placed["ok"]:
        return {"action": "none", "requested": 0, "ok": True, "code": None}
    lift_reason = f"QA released cold-chain excursion {record['id']}: {reason}"
    try:
        ctx.call("trace", "release_quarantine", {"codes": codes, "reason": lift_reason[:200]})
    except InvalidTransaction as refusal:
        ctx.emit(
            "coldchain.quarantine_lift_refused",
            {"id": record["id"], "code": refusal.code, "message": refusal.message},
        )
        return {"action": "lift", "requested": len(codes), "ok": False, "code": refusal.code}
    return {"action": "lift", "requested": len(codes), "ok": True, "code": None}
