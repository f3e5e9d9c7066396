"""EPCIS 2.0 → trace invocations: contract-valid args, refusals with reasons, round trips.

The round trip that matters: a ledger's history exported, imported, replayed through the real
trace contract on a fresh ledger and exported again gives the same events and event hashes.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from chaincode.contracts.trace import models
from sdk.codes import CS82, check_digit, parse_code
from sdk.epcis import (
    DocumentInvalidError,
    EpcisError,
    ImportRefusedError,
    RecordedEvent,
    TraceInvocation,
    TraceRecord,
    build_document,
    export_document,
    import_document,
    trace_event,
)
from sdk.epcis.trace_ids import (
    batch_of_uri,
    batch_uri,
    epc_uri,
    key_of_epc,
    ref_of_transaction,
    transaction_of_ref,
)
from sdk.epcis.trace_vocabulary import RXL_CONTEXT, RXL_NS
from tests.chaincode.contracts.scenario_trace import GLN, ITEM_GTIN, SSCC_KEY
from tests.sdk.epcis.test_event_hash import WORKED_EVENT
from tests.sdk.epcis.test_export import CREATED, SIGNERS, Recorder, master_data, supply_chain

MODELS: dict[str, type[BaseModel]] = {
    "commission": models.CommissionArgs,
    "commission_containers": models.ContainerArgs,
    "aggregate": models.AggregateArgs,
    "repack": models.AggregateArgs,
    "disaggregate": models.DisaggregateArgs,
    "ship": models.ShipArgs,
    "receive": models.ReceiveArgs,
    "dispense": models.DispenseArgs,
    "decommission": models.DecommissionArgs,
    "recall": models.RecallArgs,
}
DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def chain() -> Recorder:
    return supply_chain()


@pytest.fixture(scope="module")
def exported(chain: Recorder) -> dict[str, Any]:
    return export_document(chain.records, creation_date=CREATED).document


def replay(invocations: list[TraceInvocation], *, shift_ms: int = 0) -> Recorder:
    """Submit the invocations to a fresh ledger (same master data), each signed by its org."""
    run = Recorder(master_data())
    for invocation in invocations:
        assert invocation.signer_org is not None
        signer = SIGNERS[invocation.signer_org]
        run.run(
            signer,
            invocation.function,
            invocation.args,
            time_ms=invocation.event_time_ms + shift_ms,
        )
    return run


def _doc(*events: dict[str, Any], context: dict[str, str] | None = None) -> dict[str, Any]:
    return build_document(events, creation_date=CREATED, extra_context=[context or RXL_CONTEXT])


def _events(document: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = copy.deepcopy(document["epcisBody"]["eventList"])
    return events


def _refusal(document: dict[str, Any], **options: Any) -> str:
    with pytest.raises(ImportRefusedError) as caught:
        import_document(document, **options)
    (refusal,) = caught.value.refusals
    return refusal.reason


# --- round trips through the real contract ---------------------------------------------


def business_args(invocation: TraceInvocation) -> dict[str, Any]:
    """The args without the event time, after checking it is the source event's."""
    args = dict(invocation.args)
    assert args.pop("event_time_ms") == invocation.event_time_ms
    assert args.pop("event_time_zone_offset") == invocation.event_time_zone_offset
    return args


def test_import_gives_contract_valid_args_in_document_order(exported: dict[str, Any]) -> None:
    invocations = import_document(exported)
    assert [i.function for i in invocations] == [
        *["commission"] * 3,
        "commission_containers",
        *["aggregate"] * 2,
        "repack",
        "aggregate",
        "ship",
        "receive",
        "disaggregate",
        "ship",
        "receive",
        "disaggregate",
        "dispense",
        "dispense",
        "decommission",
        "decommission",
        "recall",
    ]
    for invocation in invocations:
        MODELS[invocation.function].model_validate(invocation.args)
        assert invocation.differences == ()
    hashes = [e["eventID"] for e in exported["epcisBody"]["eventList"]]
    assert [i.event_hash for i in invocations] == hashes
    assert business_args(invocations[0]) == {
        "lot": "L1",
        "production_date": "2025-06-01",
        "expiry": "2027-12-31",
        "gtin": ITEM_GTIN,
        "serials": ["S1", "S2", "S3", "S4", "S5", "S6"],
    }
    ship = invocations[8]
    assert ship.signer_org == "acme"
    assert ship.args["business_refs"] == [
        "po http://transaction.acme.com/po/12345678",
        "INV 2026/7",
    ]
    assert business_args(invocations[9]) == {"codes": [SSCC_KEY], "gln": GLN}
    assert business_args(invocations[10]) == {"parent": SSCC_KEY}


def test_replayed_history_exports_identical_events(exported: dict[str, Any]) -> None:
    again = export_document(replay(import_document(exported)).records, creation_date=CREATED)
    assert again.skipped == ()
    assert again.document == exported  # same events, times, hashes: the ledger did the same


def test_event_time_kept_by_the_ledger_keeps_hashes_across_block_times(
    exported: dict[str, Any],
) -> None:
    invocations = import_document(exported)
    later = replay(invocations, shift_ms=3 * DAY_MS)
    timed = [
        dataclasses.replace(
            record,
            event_time_ms=invocation.event_time_ms,
            event_time_zone_offset=invocation.event_time_zone_offset,
        )
        for record, invocation in zip(later.records, invocations, strict=True)
    ]
    original = [e["eventID"] for e in exported["epcisBody"]["eventList"]]
    assert export_document(timed, creation_date=CREATED).event_hashes == original
    # Without the event time the block time shows, and every hash changes.
    untimed = export_document(later.records, creation_date=CREATED).event_hashes
    assert not set(untimed) & set(original)


def test_json_text_round_trip(exported: dict[str, Any]) -> None:
    parsed = json.loads(json.dumps(exported))
    assert import_document(parsed) == import_document(exported)


# --- what other writers send ------------------------------------------------------------


def test_epc_urns_and_other_hosts_read_as_the_same_codes(exported: dict[str, Any]) -> None:
    receive = _events(exported)[9]
    urn = parse_code("(00)106141411234567897", company_prefix_length=7).epc_urn()
    receive["epcList"] = [urn]
    receive["bizLocation"] = {"id": "urn:epc:id:sgln:0614141.00000.0"}
    (invocation,) = import_document(_doc(receive))
    assert business_args(invocation) == {"codes": [SSCC_KEY], "gln": GLN}
    assert invocation.differences == ()  # the CBV hash canonicalizes both to Digital Links
    receive["epcList"] = ["http://example.com/00/106141411234567897"]
    assert import_document(_doc(receive))[0].event_hash == invocation.event_hash


def test_extension_prefix_is_resolved_through_the_context(exported: dict[str, Any]) -> None:
    renamed = [json.loads(json.dumps(event).replace('"rxl:', '"x:')) for event in _events(exported)]
    document = _doc(*renamed, context={"x": RXL_NS})
    assert import_document(document) == import_document(exported)


def test_worked_example_is_lossy_and_says_which_fields(exported: dict[str, Any]) -> None:
    event = WORKED_EVENT | {
        "destinationList": [
            {"type": "owning_party", "destination": "urn:rxledger:org:corner"},
            {"type": "location", "destination": "urn:epc:id:sgln:0614141.00000.0"},
        ],
        "rxl:market": "US",
    }
    reason = _refusal(_doc(event))
    assert reason.startswith("readPoint, rxl:org, sourceList would not be exported as written")
    assert "lossy=True" in reason
    (invocation,) = import_document(_doc(event), lossy=True)
    assert invocation.differences == ("readPoint", "rxl:org", "sourceList")
    assert invocation.signer_org is None
    assert business_args(invocation) == {
        "codes": ["sgtin:10614141073464.2017", "sgtin:10614141073464.2018"],
        "to_org": "corner",
        "to_gln": GLN,
        "market": "US",
        "business_refs": ["po http://transaction.acme.com/po/12345678"],
    }
    assert invocation.event_time_zone_offset == "-06:00"
    assert invocation.event_time_ms == 1_645_065_211_116
    models.ShipArgs.model_validate(invocation.args)


def test_parties_map_foreign_identifiers_to_orgs(exported: dict[str, Any]) -> None:
    ship = _events(exported)[8]
    del ship["rxl:org"]
    ship["sourceList"] = [{"type": "owning_party", "source": "https://example.com/p/acme"}]
    ship["destinationList"][0]["destination"] = "https://example.com/p/wh"
    assert "parties={uri: org}" in _refusal(_doc(ship))
    parties = {"https://example.com/p/acme": "acme", "https://example.com/p/wh": "wholesale"}
    (invocation,) = import_document(_doc(ship), parties=parties, lossy=True)
    assert invocation.args["to_org"] == "wholesale"
    assert invocation.signer_org == "acme"
    assert invocation.differences == ("destinationList", "rxl:org", "sourceList")
    with pytest.raises(EpcisError, match="not an org id"):
        import_document(_doc(ship), parties={"https://example.com/p/wh": "who? me!"})


def test_cbv_vocabulary_in_any_form(exported: dict[str, Any]) -> None:
    ship = _events(exported)[8]
    ship["bizStep"] = "https://ref.gs1.org/cbv/BizStep-shipping"
    ship["disposition"] = "https://ref.gs1.org/cbv/Disp-in_transit"
    ship["bizTransactionList"][0]["type"] = "https://ref.gs1.org/cbv/BTT-po"
    ship["destinationList"][1]["type"] = "https://ref.gs1.org/cbv/SDT-location"
    (invocation,) = import_document(_doc(ship))
    assert invocation.differences == ()
    assert invocation.args["business_refs"][0] == "po http://transaction.acme.com/po/12345678"


# --- refusals ----------------------------------------------------------------------------


def _with(exported: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    event = _events(exported)[index]
    for name, value in changes.items():
        if value is None:
            event.pop(name.replace("__", ":"), None)
        else:
            event[name.replace("__", ":")] = value
    return _doc(event)


@pytest.mark.parametrize(
    ("index", "changes", "reason"),
    [
        (0, {"bizStep": "inspecting"}, "ObjectEvent ADD with bizStep inspecting is not a trace"),
        (0, {"ilmd": {"cbvmda:lotNumber": "L1"}}, "commissioning needs ilmd"),
        (0, {"epcList": [f"https://id.gs1.org/01/{ITEM_GTIN}"]}, "not serialized GS1 items"),
        (0, {"epcList": [epc_uri(SSCC_KEY), epc_uri(f"sgtin:{ITEM_GTIN}.S1")]}, "mixes SSCCs"),
        (0, {"epcList": []}, "epcList is missing or empty"),
        (0, {"quantityList": [{"epcClass": batch_uri(f"gtin:{ITEM_GTIN}", "L1")}]}, "class-level"),
        (
            0,
            {"ilmd": {"cbvmda:lotNumber": "L 1", "cbvmda:itemExpirationDate": "2027-12-31"}}
            | {"rxl__productionDate": None},
            "commissioning needs ilmd",
        ),
        (
            0,
            {
                "ilmd": {
                    "cbvmda:lotNumber": "L1",
                    "cbvmda:itemExpirationDate": "2027-02-30",
                    "rxl:productionDate": "2025-01-01",
                }
            },
            "must be a YYYY-MM-DD calendar day",
        ),
        (4, {"parentID": "urn:epc:id:sgln:0614141.00000.0"}, "is not a serialized GS1 item"),
        (8, {"rxl__market": None}, "shipping needs rxl:market"),
        (8, {"destinationList": []}, "the recipient (destinationList owning_party)"),
        (8, {"rxl__documentHash": ["ABC"]}, "rxl:documentHash"),
        (8, {"rxl__org": "not an org!"}, "is not an org id"),
        (14, {"epcList": [epc_uri(f"sgtin:{ITEM_GTIN}.S{i}") for i in (1, 2)]}, "one per sale"),
        (16, {"bizStep": "decommissioning", "disposition": "inactive"}, "needs a reason"),
        (18, {"rxl__reason": None}, "rxl:reason of a recall must be text"),
        (18, {"quantityList": [{"epcClass": f"https://id.gs1.org/01/{ITEM_GTIN}"}]}, "one batch"),
        (18, {"errorDeclaration": {"declarationTime": "2026-01-02T00:00:00Z"}}, "corrections"),
    ],
)
def test_unsupported_events_are_refused_with_a_reason(
    exported: dict[str, Any], index: int, changes: dict[str, Any], reason: str
) -> None:
    assert reason in _refusal(_with(exported, index, **changes))


def test_other_event_types_are_refused() -> None:
    event = {
        "type": "TransactionEvent",
        "eventTime": "2026-01-01T00:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "ADD",
        "epcList": [epc_uri(SSCC_KEY)],
        "bizTransactionList": [{"type": "po", "bizTransaction": "http://x.example/po/1"}],
    }
    assert _refusal(_doc(event)) == (
        "TransactionEvent is not supported: import takes ObjectEvent and AggregationEvent"
    )


def test_every_refusal_is_listed_and_nothing_is_returned(exported: dict[str, Any]) -> None:
    events = _events(exported)
    events[2]["bizStep"] = "inspecting"
    events[7]["childEPCs"] = ["urn:example:thing"]
    with pytest.raises(ImportRefusedError) as caught:
        import_document(_doc(*events))
    assert [r.index for r in caught.value.refusals] == [2, 7]
    assert caught.value.refusals[0].event_hash is not None
    assert caught.value.reason.startswith("2 event(s) refused: event 2: ObjectEvent ADD")


def test_schema_invalid_documents_are_refused_before_reading(exported: dict[str, Any]) -> None:
    event = _events(exported)[0]
    del event["eventTimeZoneOffset"]
    with pytest.raises(DocumentInvalidError, match="eventTimeZoneOffset"):
        import_document(_doc(event))
    with pytest.raises(DocumentInvalidError):
        import_document([])


# --- identifiers -------------------------------------------------------------------------


def _digits(count: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=count, max_size=count)


def _with_check(count: int) -> st.SearchStrategy[str]:
    return _digits(count - 1).map(lambda body: body + str(check_digit(body)))


SERIALS = st.text(sorted(CS82), min_size=1, max_size=20)
GTINS = _with_check(14)
SGTINS = st.builds(lambda gtin, serial: f"sgtin:{gtin}.{serial}", GTINS, SERIALS)
SSCCS = _with_check(18).map(lambda digits: f"sscc:{digits}")
NMPAS = _digits(20).map(lambda digits: f"nmpa20:{digits}")
PROPS = st.from_regex(r"prop:[a-z0-9][a-z0-9-]{0,31}:[A-Za-z0-9._-]{1,64}", fullmatch=True)
UNIT_KEYS = st.one_of(SGTINS, SSCCS, NMPAS, PROPS)
REFS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)


@given(UNIT_KEYS)
def test_every_code_key_round_trips_through_its_epc(key: str) -> None:
    assert key_of_epc(epc_uri(key)) == key


@given(GTINS, SERIALS)
def test_batches_round_trip_through_their_class(gtin: str, lot: str) -> None:
    assert batch_of_uri(batch_uri(f"gtin:{gtin}", lot)) == (f"gtin:{gtin}", lot)
    assert batch_of_uri(batch_uri("nmpa:1234567", lot)) == ("nmpa:1234567", lot)


@given(REFS)
def test_business_refs_write_back_to_the_same_transaction(ref: str) -> None:
    kind, uri = transaction_of_ref(ref)
    assert transaction_of_ref(ref_of_transaction(kind, uri)) == (kind, uri)


@given(
    st.sampled_from(["po", None, "urn:example:btt"]),
    st.from_regex(r"urn:rxledger:ref:\S+", fullmatch=True),
)
def test_foreign_ref_urns_come_back_verbatim_when_not_canonical(kind: str | None, uri: str) -> None:
    assert transaction_of_ref(ref_of_transaction(kind, uri)) == (kind, uri)


# --- the round-trip property over single records ------------------------------------------


def _unique(elements: st.SearchStrategy[str], most: int = 4) -> st.SearchStrategy[list[str]]:
    return st.lists(elements, min_size=1, max_size=most, unique=True)


ORGS = st.from_regex(r"[A-Za-z0-9._:\-]{1,64}", fullmatch=True)
DAYS = st.dates(datetime.date(2000, 1, 1), datetime.date(2090, 12, 31))


@st.composite
def _commission(draw: st.DrawFn) -> dict[str, Any]:
    produced = draw(DAYS)
    expiry = produced + datetime.timedelta(days=draw(st.integers(0, 2000)))
    args: dict[str, Any] = {
        "lot": draw(SERIALS),
        "production_date": produced.isoformat(),
        "expiry": expiry.isoformat(),
    }
    if draw(st.booleans()):
        args["level"] = draw(st.sampled_from(["item", "case", "pallet"]))
    if draw(st.booleans()):
        return args | {"gtin": draw(GTINS), "serials": draw(_unique(SERIALS))}
    product = draw(_digits(7))
    codes = draw(_unique(_digits(13).map(lambda rest: f"nmpa20:{product}{rest}")))
    return args | {"codes": codes}


def _optional(name: str, values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(st.just({}), values.map(lambda value: {name: value}))


ARGS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "commission": _commission(),
    "commission_containers": st.builds(
        lambda codes, extra: {"codes": codes} | extra,
        _unique(SSCCS),
        _optional("level", st.sampled_from(["case", "pallet"])),
    ),
    "aggregate": st.fixed_dictionaries({"parent": UNIT_KEYS, "children": _unique(UNIT_KEYS)}),
    "repack": st.fixed_dictionaries({"parent": UNIT_KEYS, "children": _unique(UNIT_KEYS)}),
    "disaggregate": st.builds(
        lambda parent, extra: {"parent": parent} | extra,
        UNIT_KEYS,
        _optional("children", _unique(UNIT_KEYS)),
    ),
    "ship": st.builds(
        lambda fixed, refs, hashes: fixed | refs | hashes,
        st.fixed_dictionaries(
            {
                "codes": _unique(UNIT_KEYS),
                "to_org": ORGS,
                "to_gln": _with_check(13),
                "market": st.from_regex(r"[A-Z]{2}", fullmatch=True),
            }
        ),
        _optional("business_refs", _unique(REFS, 3)),
        _optional("document_hashes", _unique(st.from_regex(r"[0-9a-f]{64}", fullmatch=True), 2)),
    ),
    "receive": st.builds(
        lambda codes, extra: {"codes": codes} | extra,
        _unique(UNIT_KEYS),
        _optional("gln", _with_check(13)),
    ),
    "dispense": st.fixed_dictionaries({"code": UNIT_KEYS}),
    "decommission": st.fixed_dictionaries(
        {
            "codes": _unique(UNIT_KEYS),
            "reason": st.sampled_from(["destroyed", "exported", "sample", "free_sample", "stolen"]),
        }
    ),
    "recall": st.fixed_dictionaries(
        {
            "product_key": st.one_of(
                GTINS.map(lambda g: f"gtin:{g}"), _digits(7).map(lambda d: f"nmpa:{d}")
            ),
            "lot": SERIALS,
            "reason": st.text(min_size=1, max_size=200),
        }
    ),
}
ALERTS = st.lists(
    st.sampled_from(["recalled", "already_dispensed", "expired", "suspect"]),
    min_size=1,
    max_size=3,
    unique=True,
)


@st.composite
def records(draw: st.DrawFn) -> TraceRecord:
    function = draw(st.sampled_from(sorted(ARGS)))
    events: tuple[RecordedEvent, ...] = ()
    if function == "dispense":
        reasons = draw(st.one_of(st.none(), ALERTS))
        events = (
            (RecordedEvent("dispensed", {}),)
            if reasons is None
            else (RecordedEvent("alert", {"reasons": reasons}),)
        )
    block_time = draw(st.integers(0, 4_102_444_800_000))
    timed = draw(st.booleans())
    return TraceRecord(
        height=draw(st.integers(1, 10**6)),
        tx_index=draw(st.integers(0, 99)),
        tx_id="a" * 64,
        block_time_ms=block_time,
        signer_org=draw(ORGS),
        function=function,
        args=draw(ARGS[function]),
        events=events,
        event_time_ms=draw(st.integers(0, block_time)) if timed else None,
        event_time_zone_offset=draw(st.sampled_from(["+01:00", "-06:00", "+05:30", "+14:00"]))
        if timed
        else None,
    )


@settings(max_examples=200, deadline=None)
@given(records())
def test_export_import_export_keeps_the_event_hash(record: TraceRecord) -> None:
    event = trace_event(record)
    assert event is not None
    (invocation,) = import_document(_doc(event))
    assert invocation.differences == ()
    assert invocation.event_hash == event["eventID"]
    assert invocation.signer_org == record.signer_org
    MODELS[invocation.function].model_validate(invocation.args)
    later = TraceRecord(
        height=record.height + 5,
        tx_index=0,
        tx_id="b" * 64,
        block_time_ms=record.block_time_ms + DAY_MS,
        signer_org=record.signer_org,
        function=invocation.function,
        args=invocation.args,
        events=record.events,
        event_time_ms=invocation.event_time_ms,
        event_time_zone_offset=invocation.event_time_zone_offset,
    )
    again = trace_event(later)
    assert again is not None
    assert again["eventID"] == event["eventID"]
