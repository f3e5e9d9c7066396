"""Review by exception: everything that stands between a batch and its release.

STANDARDS.md, Batch release (EU Annex 16; 21 CFR 211.192; China GMP 质量受权人): CoA within
spec, no open critical/major deviation, changes approved, every material's supplier approved
at the time of use (``supplier.was_approved``), cold chain conformant
(``coldchain.open_excursions`` for the batch and every traced input). ``release_batch``
refuses with the first blocker's code; ``release_blockers`` lists them all.
"""

from __future__ import annotations

from typing import Any, cast

from chaincode.api import Context, Value
from chaincode.contracts.release import errors
from chaincode.contracts.release.record import evaluate
from chaincode.errors import InvalidTransaction

BLOCKING_SEVERITIES = ("critical", "major")


def blockers(ctx: Context, record: dict[str, Any]) -> list[dict[str, Value]]:
    found: list[dict[str, Value]] = []
    found.extend(_coa(record))
    for dev_id, dev in sorted(cast(dict[str, Any], record["deviations"]).items()):
        if dev["status"] == "open" and dev["severity"] in BLOCKING_SEVERITIES:
            found.append(
                _blocker(errors.OPEN_DEVIATION, dev_id, f"{dev['severity']} deviation open")
            )
    for change_id, change in sorted(cast(dict[str, Any], record["changes"]).items()):
        if change["status"] != "approved":
            found.append(
                _blocker(errors.CHANGE_NOT_APPROVED, change_id, f"change {change['status']}")
            )
    for line in cast(list[dict[str, Any]], record["materials"]):
        found.extend(_supplier(ctx, record, line))
    inputs = [(record["product_key"], record["lot"])] + [
        (m["product_key"], m["supplier_lot"])
        for m in cast(list[dict[str, Any]], record["materials"])
        if m["product_key"] is not None
    ]
    for product_key, lot in inputs:
        found.extend(_cold_chain(ctx, product_key, lot))
    return found


def _blocker(code: str, subject: str, detail: str) -> dict[str, Value]:
    return {"code": code, "subject": subject, "detail": detail}


def _coa(record: dict[str, Any]) -> list[dict[str, Value]]:
    tests = cast(dict[str, Any], record["coa"]["tests"])
    if not tests:
        return [_blocker(errors.COA_MISSING, "coa", "no certificate of analysis recorded")]
    found = []
    for test_id, test in sorted(tests.items()):
        passed, why = evaluate(test["spec"], test["result"])
        if not passed:
            found.append(_blocker(errors.COA_FAILED, test_id, f"{test['name']}: {why}"))
    return found


def _supplier(ctx: Context, record: dict[str, Any], line: dict[str, Any]) -> list[dict[str, Value]]:
    subject = f"{line['material']}@{line['supplier']}/{line['supplier_lot']}"
    args = {"supplier": line["supplier"], "material": line["material"], "at_ms": line["used_at_ms"]}
    try:
        verdict = cast(dict[str, Any], ctx.call("supplier", "was_approved", args))
    except InvalidTransaction as exc:
        return [_blocker(errors.CHECK_UNAVAILABLE, subject, f"supplier check failed: {exc.code}")]
    if not verdict["approved"]:
        why = f"not approved at {line['used_at_ms']}: {verdict['status']} ({verdict['reason']})"
        return [_blocker(errors.SUPPLIER_NOT_APPROVED, subject, why)]
    if verdict["buyer"] != record["owner"]:
        why = f"on the supplier list of {verdict['buyer']!r}, not of {record['owner']!r}"
        return [_blocker(errors.SUPPLIER_NOT_APPROVED, subject, why)]
    return []


def _cold_chain(ctx: Context, product_key: str, lot: str) -> list[dict[str, Value]]:
    subject = f"{product_key}/{lot}"
    try:
        open_ = ctx.call("coldchain", "open_excursions", {"product_key": product_key, "lot": lot})
    except InvalidTransaction as exc:
        return [_blocker(errors.CHECK_UNAVAILABLE, subject, f"cold-chain check failed: {exc.code}")]
    return [
        _blocker(errors.COLD_CHAIN_EXCURSION, subject, f"open excursion {e['id']}")
        for e in cast(list[dict[str, Any]], open_)
    ]
