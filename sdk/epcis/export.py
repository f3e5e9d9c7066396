"""Trace history → an EPCIS 2.0 JSON-LD document (issue 6 item 14; docs/epcis.md).

Each committed trace transaction (a `TraceRecord`) becomes one event, built only from what
the ledger holds (args, signer org, block time, and for `dispense` its outcome event), so
exporting the same transaction always gives the same event and the same CBV 2.0 hash, which
is the event's `eventID`. `recordTime` is the block time (not hashed). Functions with no
EPCIS meaning (product master data, holds, returns, undo) are listed as skipped.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sdk.epcis import trace_vocabulary as vocab
from sdk.epcis.document import build_document, document_event_hashes
from sdk.epcis.event_hash import event_hash
from sdk.epcis.records import TraceRecord
from sdk.epcis.trace_errors import ExportError
from sdk.epcis.trace_ids import (
    batch_uri,
    code_key,
    epc_uri,
    gln_uri,
    org_uri,
    transaction_of_ref,
)

__all__ = ["SkippedRecord", "TraceExport", "export_document", "export_events", "trace_event"]

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
UTC_OFFSET = "+00:00"


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A transaction the export leaves out, and why."""

    tx_id: str
    function: str
    reason: str


@dataclass(frozen=True, slots=True)
class TraceExport:
    """An EPCIS 2.0 document and the transactions it does not show."""

    document: dict[str, Any]
    skipped: tuple[SkippedRecord, ...]

    @property
    def event_hashes(self) -> list[str]:
        return document_event_hashes(self.document)


def export_document(
    records: Iterable[TraceRecord], *, creation_date: datetime.datetime
) -> TraceExport:
    """An EPCIS 2.0 document of `records` (deduplicated by tx id, in ledger order)."""
    events, skipped = export_events(records)
    document = build_document(
        events, creation_date=creation_date, extra_context=[vocab.RXL_CONTEXT]
    )
    return TraceExport(document, tuple(skipped))


def export_events(
    records: Iterable[TraceRecord],
) -> tuple[list[dict[str, Any]], list[SkippedRecord]]:
    """The events of `records` in ledger order, and the records that have none."""
    unique = {record.tx_id: record for record in records}
    ordered = sorted(unique.values(), key=lambda r: (r.height, r.tx_index))
    events: list[dict[str, Any]] = []
    skipped: list[SkippedRecord] = []
    for record in ordered:
        event = trace_event(record)
        if event is None:
            reason = f"trace.{record.function} has no EPCIS event (docs/epcis.md)"
            skipped.append(SkippedRecord(record.tx_id, record.function, reason))
        else:
            events.append(event)
    return events, skipped


def trace_event(record: TraceRecord) -> dict[str, Any] | None:
    """The EPCIS event of one trace transaction, `eventID` set; None if it has no event."""
    builder = _BUILDERS.get(record.function)
    if builder is None:
        return None
    shape = vocab.EXPORTED_FUNCTIONS[record.function]
    reader = _Args(record)
    body = builder(reader)
    body.setdefault("bizStep", shape.biz_step)
    body.setdefault("disposition", shape.disposition)
    return _finish(record, shape, body)


def iso_ms(time_ms: int) -> str:
    """UTC time with milliseconds and `Z` (the CBV 2.0 canonical form)."""
    moment = _EPOCH + datetime.timedelta(milliseconds=time_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_FIELD_ORDER = (
    *("parentID", "epcList", "childEPCs", "quantityList", "action", "bizStep", "disposition"),
    *("bizLocation", "bizTransactionList", "sourceList", "destinationList", "ilmd"),
)


def _finish(record: TraceRecord, shape: vocab.Shape, body: dict[str, Any]) -> dict[str, Any]:
    time_ms = record.block_time_ms if record.event_time_ms is None else record.event_time_ms
    event: dict[str, Any] = {
        "type": shape.event_type,
        "eventTime": iso_ms(time_ms),
        "eventTimeZoneOffset": record.event_time_zone_offset or UTC_OFFSET,
        "recordTime": iso_ms(record.block_time_ms),
    }
    body["action"] = shape.action
    for name in _FIELD_ORDER:
        if body.get(name) is not None:
            event[name] = body.pop(name)
    event.update({k: v for k, v in body.items() if v is not None})
    event[vocab.ORG] = record.signer_org
    identified = {"type": event["type"], "eventID": event_hash(event, vocab.RXL_CONTEXT)}
    return identified | event


class _Args:
    """Typed reads of one record's args; a malformed record names itself in the error."""

    def __init__(self, record: TraceRecord) -> None:
        self.record = record
        self.args = record.args
        self.year = (_EPOCH + datetime.timedelta(milliseconds=record.block_time_ms)).year

    def fail(self, problem: str) -> ExportError:
        return ExportError(f"{self.record.function} transaction {self.record.tx_id}: {problem}")

    def text(self, name: str) -> str:
        value = self.args.get(name)
        if not isinstance(value, str) or not value:
            raise self.fail(f"args.{name} must be a non-empty string")
        return value

    def optional_text(self, name: str) -> str | None:
        return None if self.args.get(name) is None else self.text(name)

    def texts(self, name: str) -> list[str] | None:
        value = self.args.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"args.{name} must be a list of strings")
        return value

    def epc(self, text: str) -> str:
        """The EPC URI of a code text, read as the contract read it."""
        key = code_key(text, self.year)
        try:
            return epc_uri(key or "")
        except ValueError as error:
            raise self.fail(f"{text[:60]!r} is not a serialized code") from error

    def epcs(self, name: str) -> list[str]:
        return [self.epc(text) for text in self.texts(name) or []]

    def commissioned_epcs(self) -> list[str]:
        gtin, serials = self.optional_text("gtin"), self.texts("serials")
        if gtin is not None and serials is not None:
            return [self.epc(f"sgtin:{gtin}.{serial}") for serial in serials]
        return self.epcs("codes")


def _commission(args: _Args) -> dict[str, Any]:
    ilmd = {
        vocab.LOT: args.text("lot"),
        vocab.EXPIRY: args.text("expiry"),
        vocab.PRODUCTION_DATE: args.text("production_date"),
    }
    level = args.optional_text("level")
    if level is not None:
        ilmd[vocab.LEVEL] = level
    return {"epcList": args.commissioned_epcs(), "ilmd": ilmd}


def _containers(args: _Args) -> dict[str, Any]:
    level = args.optional_text("level")
    return {"epcList": args.epcs("codes"), "ilmd": None if level is None else {vocab.LEVEL: level}}


def _pack(args: _Args) -> dict[str, Any]:
    children = args.texts("children")
    child_epcs = None if children is None else [args.epc(child) for child in children]
    return {"parentID": args.epc(args.text("parent")), "childEPCs": child_epcs}


def _ship(args: _Args) -> dict[str, Any]:
    refs = args.texts("business_refs") or []
    hashes = args.texts("document_hashes") or []
    transactions: list[dict[str, str]] = []
    for ref in refs:
        kind, uri = transaction_of_ref(ref)
        typed = {} if kind is None else {"type": kind}
        transactions.append(typed | {"bizTransaction": uri})
    return {
        "epcList": args.epcs("codes"),
        "bizTransactionList": transactions or None,
        "sourceList": [{"type": "owning_party", "source": org_uri(args.record.signer_org)}],
        "destinationList": [
            {"type": "owning_party", "destination": org_uri(args.text("to_org"))},
            {"type": "location", "destination": gln_uri(args.text("to_gln"))},
        ],
        vocab.MARKET: args.text("market"),
        vocab.DOCUMENT_HASH: hashes or None,
    }


def _receive(args: _Args) -> dict[str, Any]:
    gln = args.optional_text("gln")
    return {
        "epcList": args.epcs("codes"),
        "bizLocation": None if gln is None else {"id": gln_uri(gln)},
    }


def _dispense(args: _Args) -> dict[str, Any]:
    epc = args.epc(args.text("code"))
    if args.record.events_of("dispensed"):
        return {"epcList": [epc]}
    alerts = args.record.events_of("alert")
    reasons = alerts[0].get("reasons") if alerts and isinstance(alerts[0], Mapping) else None
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise args.fail(
            "no 'dispensed' or 'alert' event with reasons: include the transaction's events "
            "(GET /v1/events) in the record"
        )
    return {"epcList": [epc], "disposition": None, vocab.ALERT_REASON: list(reasons)}


def _decommission(args: _Args) -> dict[str, Any]:
    reason = args.text("reason")
    if reason not in vocab.DECOMMISSION_STEPS:
        raise args.fail(f"unknown decommission reason {reason!r}")
    biz_step, disposition = vocab.DECOMMISSION_STEPS[reason]
    return {
        "epcList": args.epcs("codes"),
        "bizStep": biz_step,
        "disposition": disposition,
        vocab.REASON: None if reason in vocab.IMPLIED_REASONS else reason,
    }


def _recall(args: _Args) -> dict[str, Any]:
    batch = batch_uri(args.text("product_key"), args.text("lot"))
    return {"quantityList": [{"epcClass": batch}], vocab.REASON: args.text("reason")}


_BUILDERS: dict[str, Callable[[_Args], dict[str, Any]]] = {
    "commission": _commission,
    "commission_containers": _containers,
    "aggregate": _pack,
    "repack": _pack,
    "disaggregate": _pack,
    "ship": _ship,
    "receive": _receive,
    "dispense": _dispense,
    "decommission": _decommission,
    "recall": _recall,
}
