"""History of a code, of a batch, and the alert list (issue 6 item 13).

A code's own log holds what happened to it by name; while it sat inside a parent, what
happened to the parent happened to it too. ``aggregated`` and ``disaggregated`` entries in the
child's log bound those intervals, and the parent's log (and its own parents', recursively)
is read for just those intervals. Positions are fixed-width strings in ledger order, so the
merge is a sort on one string.
"""

from __future__ import annotations

import re

from chaincode.api import Context, Value
from chaincode.contracts.trace import codes, keys
from chaincode.contracts.trace.errors import BAD_ARGUMENT, NOT_MAH, reject
from chaincode.contracts.trace.event_time import UTC_OFFSET
from chaincode.contracts.trace.hierarchy import MAX_DEPTH
from chaincode.contracts.trace.holds import holders
from chaincode.contracts.trace.models import BatchArgs, BatchHistoryArgs, CodeArgs, PageArgs
from chaincode.contracts.trace.records import Doc, as_doc, load, load_batch, require_batch, text
from chaincode.contracts.trace.release import ReleaseView
from sdk.roles import Role

POSITION = re.compile(r"\d{12}\|\d{6}\|\d{4}")
END = "~"
"""Sorts after every position character (digits and "|"): the open end of an interval."""


def history(ctx: Context, args: CodeArgs) -> Value:
    key = codes.key_of(ctx, args.code)
    record = load(ctx, key)
    events: list[Doc] = []
    if record is not None:
        born = record.commissioned
        events.append(
            {
                "position": None,
                "code": key,
                "via": None,
                "event": "commissioned",
                "org": born.get("org"),
                "height": born.get("height"),
                "time_ms": born.get("time_ms"),
                "event_time_ms": born.get("event_time_ms", born.get("time_ms")),
                "event_time_zone_offset": born.get("event_time_zone_offset", UTC_OFFSET),
                "tx_id": born.get("tx_id"),
                "data": {"product_key": record.product, "batch": record.batch},
            }
        )
    events.extend(_events(ctx, key, "", END, via=None, depth=0))
    recall = _recall_event(ctx, record.batch if record is not None else None)
    if recall is not None:
        events.append(recall)
        events.sort(key=lambda e: str(e["position"] or ""))
    shown: list[Value] = list(events)
    return {"code": key, "commissioned": record is not None, "events": shown}


def _events(ctx: Context, key: str, lo: str, hi: str, *, via: str | None, depth: int) -> list[Doc]:
    """Events of ``key`` positioned in [lo, hi), plus its parents' while it was inside."""
    prefix = keys.log_prefix(key)
    entries = [(k[len(prefix) :], as_doc(v) or {}) for k, v in ctx.prefix(prefix)]
    found = [_shown(pos, key, via, entry) for pos, entry in entries if lo <= pos < hi]
    if depth >= MAX_DEPTH:
        return found
    for parent, start, end in _intervals(entries):
        sub_lo, sub_hi = max(lo, start), min(hi, end)
        if sub_lo < sub_hi:
            found.extend(_events(ctx, parent, sub_lo, sub_hi, via=parent, depth=depth + 1))
    found.sort(key=lambda e: str(e["position"]))
    return found


def _recall_event(ctx: Context, bid: str | None) -> Doc | None:
    """A batch recall is an event of every code of the batch (stored once, on the batch)."""
    batch = load_batch(ctx, bid) if bid is not None else None
    notice = None if batch is None else as_doc(batch.get("recall"))
    if notice is None:
        return None
    return {
        "position": notice.get("position"),
        "code": None,
        "via": bid,
        "event": "recalled",
        "org": notice.get("org"),
        "height": notice.get("height"),
        "time_ms": notice.get("time_ms"),
        "event_time_ms": notice.get("event_time_ms", notice.get("time_ms")),
        "event_time_zone_offset": notice.get("event_time_zone_offset", UTC_OFFSET),
        "tx_id": notice.get("tx_id"),
        "data": {"reason": notice.get("reason")},
    }


def _intervals(entries: list[tuple[str, Doc]]) -> list[tuple[str, str, str]]:
    """(parent, from, to) spans during which the code sat in ``parent``."""
    spans: list[tuple[str, str, str]] = []
    open_: tuple[str, str] | None = None
    for pos, entry in entries:
        data = as_doc(entry.get("data")) or {}
        parent = data.get("parent")
        if not isinstance(parent, str):
            continue
        if entry.get("event") == "aggregated":
            open_ = (parent, pos)
        elif entry.get("event") == "disaggregated" and open_ is not None:
            spans.append((open_[0], open_[1], pos))
            open_ = None
    if open_ is not None:
        spans.append((open_[0], open_[1], END))
    return spans


def _shown(pos: str, key: str, via: str | None, entry: Doc) -> Doc:
    return {"position": pos, "code": key, "via": via, **entry}


def batch_history(ctx: Context, args: BatchHistoryArgs) -> Value:
    bid, batch = require_batch(ctx, args.product_key, args.lot)
    _check_regulator_or_mah(ctx, batch)
    page, cursor = _page(ctx, keys.batch_log_prefix(bid), args.after, args.limit)
    return {"product_key": args.product_key, "lot": args.lot, "events": page, "next": cursor}


def alerts(ctx: Context, args: PageArgs) -> Value:
    page, cursor = _page(ctx, keys.ALERT_PREFIX, args.after, args.limit)
    return {"alerts": page, "next": cursor}


def batch_status(ctx: Context, args: BatchArgs) -> Value:
    """The batch binding, recall notice, current holders and release status."""
    bid, batch = require_batch(ctx, args.product_key, args.lot)
    _check_regulator_or_mah(ctx, batch)
    info = ReleaseView(ctx).info(args.product_key, args.lot)
    return {
        **batch,
        "holders": list[Value](holders(ctx, bid)),
        "release_status": None if info is None else info.status,
        "released_markets": [] if info is None else list[Value](info.markets),
    }


def _check_regulator_or_mah(ctx: Context, batch: Doc) -> None:
    if Role.REGULATOR not in ctx.signer.roles and text(batch, "mah_org") != ctx.signer.org_id:
        raise reject(NOT_MAH, "batch records are for regulators and the batch's MAH")


def _page(
    ctx: Context, prefix: str, after: str | None, limit: int
) -> tuple[list[Value], str | None]:
    """Up to ``limit`` entries after the cursor, and the cursor of the next page (None: end)."""
    start = prefix
    if after is not None:
        if POSITION.fullmatch(after) is None:
            raise reject(BAD_ARGUMENT, f"cursor {after!r} is not a position")
        start = prefix + after + END
    rows = list(ctx.range(start, prefix + END, limit=limit + 1))
    page: list[Value] = [
        {"position": k[len(prefix) :], **(as_doc(v) or {})} for k, v in rows[:limit]
    ]
    cursor = rows[limit - 1][0][len(prefix) :] if len(rows) > limit else None
    return page, cursor
