"""An EPCIS 2.0 document → trace contract invocations (issue 6 item 14; docs/epcis.md).

Each supported event becomes one `(function, args)` with args exactly as the trace
contract's argument models take them, in document order. Nothing is half-imported: if any
event is refused, `ImportRefusedError` lists every refusal and no invocation is returned.

Hash stability: for each event the importer also builds the event the exporter would write
for that invocation and compares the two field by field (CBV 2.0 pre-hash fragments). Any
field that would not come back — a `readPoint`, a different disposition, a missing
`rxl:org` — is a *difference*; by default such an event is refused, because re-exporting
it would give another event hash. `lossy=True` imports it anyway and reports the fields on
`TraceInvocation.differences`. The event's time and zone offset go into the args
(`event_time_ms`, `event_time_zone_offset`): the trace contract keeps them, so the exported
event has the source's `eventTime` whatever block commits it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sdk.codes import has_valid_check_digit
from sdk.epcis import trace_vocabulary as vocab
from sdk.epcis.document import document_events, document_namespaces, validate_document
from sdk.epcis.errors import EpcisError
from sdk.epcis.event_hash import event_hash, event_prehash
from sdk.epcis.event_reader import (
    EventReader,
    Refused,
    check_day,
    check_lot,
    check_text,
    expand_name,
)
from sdk.epcis.export import trace_event
from sdk.epcis.records import RecordedEvent, TraceRecord
from sdk.epcis.trace_errors import EventRefusal, ExportError, ImportRefusedError
from sdk.epcis.trace_ids import (
    batch_of_uri,
    gln_of_uri,
    org_of_uri,
    ref_of_transaction,
)
from sdk.epcis.vocabulary import canonical_identifier, expand_vocabulary

__all__ = ["TraceInvocation", "import_document"]

UNKNOWN_SIGNER = "(unknown signer)"
_ORG = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
_MARKET = re.compile(r"[A-Z]{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_NOT_HASHED = frozenset({"@context", "type", "eventID", "recordTime", "errorDeclaration"})
_PROBE_TIME = "2000-01-01T00:00:00.000Z"
BTT = "https://ref.gs1.org/cbv/BTT-"
FEW_CODES = 10_000


@dataclass(frozen=True, slots=True)
class TraceInvocation:
    """One trace transaction to submit for one event of the document."""

    function: str
    args: dict[str, Any]
    signer_org: str | None
    """The org that must sign (from `rxl:org` or the event's parties); None if unknown."""
    event_time_ms: int
    event_time_zone_offset: str
    event_hash: str
    """CBV 2.0 hash of the source event (its `eventID` as rxledger computes it)."""
    differences: tuple[str, ...] = ()
    """Fields a re-export would not reproduce; empty when the hash survives the round trip."""


@dataclass(frozen=True, slots=True)
class _Parsed:
    function: str
    args: dict[str, Any]
    party: str | None = None


def import_document(
    document: Any, *, parties: Mapping[str, str] | None = None, lossy: bool = False
) -> list[TraceInvocation]:
    """Trace invocations for every event of `document`, in document order.

    `parties` maps party identifiers (e.g. a PGLN Digital Link) to rxledger org ids, for
    documents that do not name orgs as `urn:rxledger:org:{id}`. Raises
    `DocumentInvalidError` for a document the EPCIS 2.0 schema refuses and
    `ImportRefusedError` when any event cannot be imported.
    """
    validate_document(document)
    namespaces = document_namespaces(document)
    orgs = {canonical_identifier(uri): org for uri, org in (parties or {}).items()}
    unusable = sorted(org for org in orgs.values() if not _ORG.fullmatch(org))
    if unusable:
        raise EpcisError(f"parties maps to {unusable[0]!r:.70}, which is not an org id")
    invocations: list[TraceInvocation] = []
    refusals: list[EventRefusal] = []
    for index, event in enumerate(document_events(document)):
        try:
            source_hash = event_hash(event, namespaces)
        except EpcisError as error:
            refusals.append(EventRefusal(index, None, error.reason))
            continue
        try:
            invocation = _invocation(EventReader(event, namespaces), source_hash, orgs)
        except Refused as refusal:
            refusals.append(EventRefusal(index, source_hash, refusal.reason))
            continue
        if invocation.differences and not lossy:
            fields = ", ".join(invocation.differences)
            reason = (
                f"{fields} would not be exported as written (the ledger keeps what the trace "
                "contract stores, and the signer as rxl:org), so the event hash would change; "
                "import with lossy=True to accept that"
            )
            refusals.append(EventRefusal(index, source_hash, reason))
            continue
        invocations.append(invocation)
    if refusals:
        raise ImportRefusedError(tuple(refusals))
    return invocations


def _invocation(reader: EventReader, source_hash: str, orgs: Mapping[str, str]) -> TraceInvocation:
    event = reader.event
    if "errorDeclaration" in event:
        raise Refused("error declarations (corrections of earlier events) are not supported")
    parse = _parser(reader)
    parsed = parse(reader, orgs)
    declared = reader.extension(vocab.RXL_NS + "org")
    if declared is not None and (not isinstance(declared, str) or not _ORG.fullmatch(declared)):
        raise Refused(f"rxl:org {declared!r:.40} is not an org id")
    signer = declared if declared is not None else parsed.party
    offset = event["eventTimeZoneOffset"]
    time_ms = reader.time_ms()
    predicted = _predicted(reader, parsed, signer, time_ms, offset)
    return TraceInvocation(
        function=parsed.function,
        args=parsed.args | {"event_time_ms": time_ms, "event_time_zone_offset": offset},
        signer_org=signer,
        event_time_ms=time_ms,
        event_time_zone_offset=offset,
        event_hash=source_hash,
        differences=_differences(event, reader.namespaces, predicted, source_hash),
    )


def _parser(reader: EventReader) -> Callable[[EventReader, Mapping[str, str]], _Parsed]:
    event = reader.event
    kind, action = str(event.get("type")), str(event.get("action"))
    step = reader.vocabulary("bizStep", "bizStep")
    disposition = reader.vocabulary("disposition", "disposition")
    if kind not in ("ObjectEvent", "AggregationEvent"):
        raise Refused(f"{kind} is not supported: import takes ObjectEvent and AggregationEvent")
    if kind == "ObjectEvent" and disposition == "recalled" and "quantityList" in event:
        return _recall
    if "quantityList" in event or "childQuantityList" in event:
        raise Refused("class-level quantities cannot be traced: name serialized EPCs")
    found = _PARSERS.get((kind, action, step))
    if found is None:
        raise Refused(
            f"{kind} {action} with bizStep {step or '(none)'} is not a trace operation; "
            f"supported: {', '.join(_SUPPORTED)}"
        )
    return found


def _commission(reader: EventReader, orgs: Mapping[str, str]) -> _Parsed:
    keys = reader.keys("epcList", most=1_000_000) or []
    level = reader.extension(vocab.RXL_NS + "level", reader.ilmd())
    if all(key.startswith("sscc:") for key in keys):
        if len(keys) > FEW_CODES:
            raise Refused(f"{len(keys)} SSCCs; one commissioning of containers takes {FEW_CODES}")
        if level is not None and level not in ("case", "pallet"):
            raise Refused(f"rxl:level of logistic units is case or pallet, not {level!r:.20}")
        args: dict[str, Any] = {"codes": keys} | ({} if level is None else {"level": level})
        return _Parsed("commission_containers", args)
    if any(key.startswith("sscc:") for key in keys):
        raise Refused("commissioning mixes SSCCs and trade items: split it into two events")
    products = {_product_of(key) for key in keys}
    if len(products) != 1 or None in products:
        raise Refused("a commissioning event names codes of exactly one product")
    return _Parsed("commission", _batch_args(reader, keys, level))


def _batch_args(reader: EventReader, keys: list[str], level: Any) -> dict[str, Any]:
    ilmd = reader.ilmd()
    lot = reader.extension(vocab.CBVMDA_NS + "lotNumber", ilmd)
    expiry = reader.extension(vocab.CBVMDA_NS + "itemExpirationDate", ilmd)
    produced = reader.extension(vocab.RXL_NS + "productionDate", ilmd)
    if lot is None or expiry is None or produced is None:
        raise Refused(
            "commissioning needs ilmd cbvmda:lotNumber, cbvmda:itemExpirationDate and "
            "rxl:productionDate (YYYY-MM-DD) to bind the batch"
        )
    args: dict[str, Any] = {
        "lot": check_lot(lot),
        "production_date": check_day(produced, "rxl:productionDate"),
        "expiry": check_day(expiry, "cbvmda:itemExpirationDate"),
    }
    if args["expiry"] < args["production_date"]:
        raise Refused("cbvmda:itemExpirationDate is before rxl:productionDate")
    if level is not None:
        if level not in ("item", "case", "pallet"):
            raise Refused(f"rxl:level is item, case or pallet, not {level!r:.20}")
        args["level"] = level
    gtins = {key[len("sgtin:") :].partition(".")[0] for key in keys if key.startswith("sgtin:")}
    if len(gtins) == 1 and all(key.startswith("sgtin:") for key in keys):
        gtin = gtins.pop()
        return args | {"gtin": gtin, "serials": [key.partition(".")[2] for key in keys]}
    return args | {"codes": keys}


def _product_of(key: str) -> str | None:
    if key.startswith("sgtin:"):
        return "gtin:" + key[len("sgtin:") :].partition(".")[0]
    if key.startswith("nmpa20:"):
        return "nmpa:" + key[len("nmpa20:") :][:7]
    return None


def _aggregate(reader: EventReader, orgs: Mapping[str, str]) -> _Parsed:
    function = "repack" if reader.vocabulary("bizStep", "bizStep") == "repackaging" else "aggregate"
    return _Parsed(
        function, {"parent": reader.key("parentID"), "children": reader.keys("childEPCs")}
    )


def _disaggregate(reader: EventReader, orgs: Mapping[str, str]) -> _Parsed:
    children = reader.keys("childEPCs", required=False)
    args: dict[str, Any] = {"parent": reader.key("parentID")}
    return _Parsed("disaggregate", args if children is None else args | {"children": children})


def _ship(reader: EventReader, orgs: Mapping[str, str]) -> _Parsed:
    recipients = reader.parties("destinationList", "destination", "owning_party")
    places = [
        gln_of_uri(uri) for uri in reader.parties("destinationList", "destination", "location")
    ]
    to_org = _one_org(recipients, orgs, "the recipient (destinationList owning_party)")
    if len(places) != 1 or places[0] is None or not has_valid_check_digit(places[0]):
        raise Refused("shipping needs one destinationList location that is a GLN (no extension)")
    market = reader.extension(vocab.RXL_NS + "market")
    if not isinstance(market, str) or not _MARKET.fullmatch(market):
        raise Refused("shipping needs rxl:market, the destination market (ISO 3166 alpha-2)")
    args: dict[str, Any] = {
        "codes": reader.keys("epcList"),
        "to_org": to_org,
        "to_gln": places[0],
        "market": market,
    }
    refs = _business_refs(reader)
    hashes = _document_hashes(reader)
    args |= ({"business_refs": refs} if refs else {}) | (
        {"document_hashes": hashes} if hashes else {}
    )
    senders = reader.parties("sourceList", "source", "owning_party")
    return _Parsed("ship", args, _party(senders, orgs))


def _business_refs(reader: EventReader) -> list[str]:
    entries = reader.event.get("bizTransactionList", [])
    if len(entries) > 20:
        raise Refused(f"{len(entries)} business transactions; a shipment keeps 20")
    refs = []
    for entry in entries:
        kind = entry.get("type")
        if kind is not None:
            expanded = expand_vocabulary("bizTransactionType", kind)
            kind = expanded.removeprefix(BTT) if expanded.startswith(BTT) else kind
        refs.append(check_text(ref_of_transaction(kind, entry["bizTransaction"]), "a business ref"))
    return refs


def _document_hashes(reader: EventReader) -> list[str]:
    value = reader.extension(vocab.RXL_NS + "documentHash")
    hashes = [] if value is None else value if isinstance(value, list) else [value]
    if len(hashes) > 20 or not all(isinstance(h, str) and _SHA256.fullmatch(h) for h in hashes):
        raise Refused("rxl:documentHash holds up to 20 lowercase SHA-256 hex digests")
    return hashes


def _receive(reader: EventReader, orgs: Mapping[str, str]) -> _Parsed:
    args: dict[str, Any] = {"codes": reader.keys("epcList")}
    location = reader.event.get("bizLocation", {}).get("id")
    gln = gln_of_uri(location) if isinstance(location, str) else None
    if gln is not None and has_valid_check_digit(gln):
        args["gln"] = gln
    receivers = reader.parties("destinationList", "destination", "owning_party")
    return _Parsed("receive", args, _party(receivers, orgs))


def _dispense(reader: EventReader, orgs: Mapping[str, str]) -> _Parsed:
    keys = reader.keys("epcList") or []
    if len(keys) != 1:
        raise Refused(f"a dispensing event names one pack, this one {len(keys)}: one per sale")
    return _Parsed("dispense", {"code": keys[0]})


def _decommission(reader: EventReader, orgs: Mapping[str, str]) -> _Parsed:
    reason = reader.extension(vocab.RXL_NS + "reason")
    if reason is None:
        step = reader.vocabulary("bizStep", "bizStep")
        disposition = reader.vocabulary("disposition", "disposition")
        if step == "destroying" or disposition == "destroyed":
            reason = "destroyed"
        elif disposition == "stolen":
            reason = "stolen"
    if reason not in vocab.DECOMMISSION_STEPS:
        raise Refused(
            "decommissioning needs a reason: bizStep destroying, disposition stolen, or "
            "rxl:reason exported, sample or free_sample"
        )
    return _Parsed("decommission", {"codes": reader.keys("epcList"), "reason": reason})


def _recall(reader: EventReader, orgs: Mapping[str, str]) -> _Parsed:
    quantities = reader.event["quantityList"]
    batch = batch_of_uri(quantities[0]["epcClass"]) if len(quantities) == 1 else None
    if batch is None or reader.event.get("epcList") or reader.event.get("action") != "OBSERVE":
        raise Refused(
            "a recall is an OBSERVE event whose quantityList names one batch class "
            "(an LGTIN such as https://id.gs1.org/01/{gtin}/10/{lot}) and no epcList"
        )
    reason = check_text(reader.extension(vocab.RXL_NS + "reason"), "rxl:reason of a recall")
    product_key, lot = batch
    return _Parsed("recall", {"product_key": product_key, "lot": check_lot(lot), "reason": reason})


def _party(uris: list[str], orgs: Mapping[str, str]) -> str | None:
    found = {
        org for org in (org_of_uri(u) or orgs.get(canonical_identifier(u)) for u in uris) if org
    }
    return found.pop() if len(found) == 1 else None


def _one_org(uris: list[str], orgs: Mapping[str, str], what: str) -> str:
    org = _party(uris, orgs)
    if org is None:
        raise Refused(
            f"{what} must be one urn:rxledger:org:{{id}}, or a party mapped to an org "
            "(parties={uri: org})"
        )
    return org


_PARSERS: dict[tuple[str, str, str | None], Callable[[EventReader, Mapping[str, str]], _Parsed]] = {
    ("ObjectEvent", "ADD", "commissioning"): _commission,
    ("ObjectEvent", "OBSERVE", "shipping"): _ship,
    ("ObjectEvent", "OBSERVE", "receiving"): _receive,
    ("ObjectEvent", "OBSERVE", "dispensing"): _dispense,
    ("ObjectEvent", "DELETE", "decommissioning"): _decommission,
    ("ObjectEvent", "DELETE", "destroying"): _decommission,
    ("AggregationEvent", "ADD", "packing"): _aggregate,
    ("AggregationEvent", "ADD", "repackaging"): _aggregate,
    ("AggregationEvent", "DELETE", "unpacking"): _disaggregate,
}
_SUPPORTED = [f"{k} {a} {s}" for k, a, s in _PARSERS] + ["ObjectEvent OBSERVE recalled batch"]


def _predicted(
    reader: EventReader, parsed: _Parsed, signer: str | None, time_ms: int, offset: str
) -> dict[str, Any]:
    """The event the exporter would write once this invocation is on the ledger."""
    outcome = RecordedEvent("dispensed", {})
    alert = reader.extension(vocab.RXL_NS + "alertReason")
    if alert is not None:
        reasons = alert if isinstance(alert, list) else [alert]
        outcome = RecordedEvent("alert", {"reasons": [str(r) for r in reasons]})
    record = TraceRecord(
        height=0,
        tx_index=0,
        tx_id="predicted",
        block_time_ms=time_ms,
        signer_org=signer or UNKNOWN_SIGNER,
        function=parsed.function,
        args=parsed.args,
        events=(outcome,),
        event_time_ms=time_ms,
        event_time_zone_offset=offset,
    )
    try:
        event = trace_event(record)
    except ExportError as error:
        raise Refused(f"the ledger could not export this back: {error.reason}") from error
    if event is None:
        raise ValueError(f"{parsed.function} has no export: the import and export tables differ")
    return event


def _differences(
    source: Mapping[str, Any], namespaces: Mapping[str, str], predicted: dict[str, Any], digest: str
) -> tuple[str, ...]:
    """Names of the fields whose pre-hash fragments differ (none when the hashes agree)."""
    if predicted["eventID"] == digest:
        return ()
    theirs = _fragments(source, namespaces)
    ours = _fragments(predicted, vocab.RXL_CONTEXT)
    names = {**_names(predicted, vocab.RXL_CONTEXT), **_names(source, namespaces)}
    changed = sorted(
        names[iri] for iri in theirs.keys() | ours.keys() if theirs.get(iri) != ours.get(iri)
    )
    return tuple(changed) if changed else ("the event as a whole",)


def _fragments(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> dict[str, str]:
    """Each hashed field's CBV 2.0 pre-hash fragment, keyed by its expanded name."""
    kind = event.get("type")
    fragments: dict[str, str] = {}
    for name, value in event.items():
        if name in _NOT_HASHED:
            continue
        probe = {"type": kind, "eventTime": _PROBE_TIME, name: value}
        fragments[expand_name(name, namespaces)] = event_prehash(probe, namespaces)
    return fragments


def _names(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> dict[str, str]:
    return {expand_name(name, namespaces): name for name in event if name not in _NOT_HASHED}
