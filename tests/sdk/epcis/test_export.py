"""Trace history → EPCIS 2.0: records from the contract and the API, events, documents.

A real trace contract runs in the in-memory harness; each committed transaction is captured
as a `TraceRecord` exactly as `records_from_api` would build it (function, args, signer org,
block time, emitted events). test_import.py reuses `supply_chain` and `Recorder`.
"""

from __future__ import annotations

import base64
import datetime
import random
from collections.abc import Mapping
from typing import Any

import pytest

from chaincode.api import Signer
from chaincode.executor import TxOutcome
from chaincode.testing import ContractHarness
from sdk.epcis import (
    ExportError,
    RecordedEvent,
    TraceRecord,
    document_event_hashes,
    export_document,
    export_events,
    history_transactions,
    records_from_api,
    trace_event,
    validate_document,
)
from sdk.epcis.trace_vocabulary import RXL_CONTEXT
from sdk.keys import SigningKey
from sdk.tx import build
from tests.chaincode.contracts.scenario_trace import (
    CASE_GTIN,
    CASE_PRODUCT,
    EXPIRY,
    GLN,
    ITEM,
    ITEM_GTIN,
    LOT,
    MAKER,
    PHARMACY,
    PRODUCED,
    REGULATOR,
    SSCC,
    WHOLESALER,
    commission_args,
    contracts,
    ok,
    product_args,
    set_release,
    sgtin,
    ship_args,
    trace,
)

CREATED = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
PO = "po http://transaction.acme.com/po/12345678"
DOC_HASH = "ab" * 32
SIGNERS: dict[str, Signer] = {s.org_id: s for s in (MAKER, WHOLESALER, PHARMACY)}


class Recorder:
    """Runs trace transactions one per block and keeps a record of each committed one."""

    def __init__(self, ledger: ContractHarness) -> None:
        self.ledger = ledger
        self.records: list[TraceRecord] = []

    def run(
        self, signer: Signer, function: str, args: Mapping[str, Any], *, time_ms: int | None = None
    ) -> TxOutcome:
        invocation = self.ledger.invocation(signer, "trace", function, args)
        outcome = self.ledger.block([invocation], time_ms=time_ms)[0]
        if not outcome.ok:
            raise AssertionError(f"{function}: {outcome.code} {outcome.message}")
        events = tuple(
            RecordedEvent(e.type, e.payload) for e in outcome.events if e.contract == "trace"
        )
        record = TraceRecord(
            height=self.ledger.height,
            tx_index=0,
            tx_id=invocation.tx_id,
            block_time_ms=self.ledger.time_ms,
            signer_org=signer.org_id,
            function=function,
            args=dict(args),
            events=events,
        )
        self.records.append(record)
        return outcome


def master_data() -> ContractHarness:
    """Products and a released batch: what must exist before any EPCIS event (not events)."""
    ledger = ContractHarness(contracts())
    ok(trace(ledger, MAKER, "register_product", product_args()))
    case = product_args(
        product_key=CASE_PRODUCT, packaging_level="case", pack_size=10, base_product=ITEM
    )
    ok(trace(ledger, MAKER, "register_product", case))
    set_release(ledger, "released", ["US"])
    return ledger


def supply_chain() -> Recorder:
    """Commission, pack, ship, receive, unpack, dispense twice, decommission, hold, recall."""
    run = Recorder(master_data())
    case1, case2 = sgtin("C1", CASE_GTIN), sgtin("C2", CASE_GTIN)
    run.run(MAKER, "commission", commission_args([f"S{i}" for i in range(1, 7)]))
    codes = [sgtin("S7"), f"(01){ITEM_GTIN}(21)S8"]
    run.run(
        MAKER,
        "commission",
        {
            "lot": LOT,
            "production_date": PRODUCED,
            "expiry": EXPIRY,
            "codes": codes,
            "level": "item",
        },
    )
    run.run(MAKER, "commission", commission_args(["C1", "C2"], gtin=CASE_GTIN))
    run.run(MAKER, "commission_containers", {"codes": [SSCC], "level": "pallet"})
    run.run(MAKER, "aggregate", {"parent": case1, "children": [sgtin(f"S{i}") for i in (1, 2, 3)]})
    run.run(MAKER, "aggregate", {"parent": case2, "children": [sgtin("S4"), sgtin("S5")]})
    run.run(MAKER, "repack", {"parent": case1, "children": [sgtin("S5")]})
    run.run(MAKER, "aggregate", {"parent": SSCC, "children": [case1, case2]})
    refs = {"business_refs": [PO, "INV 2026/7"], "document_hashes": [DOC_HASH]}
    run.run(MAKER, "ship", ship_args([SSCC]) | refs)
    run.run(WHOLESALER, "receive", {"codes": [SSCC], "gln": GLN})
    run.run(WHOLESALER, "disaggregate", {"parent": SSCC})
    run.run(WHOLESALER, "ship", ship_args([case1], to_org="corner"))
    run.run(PHARMACY, "receive", {"codes": [case1]})
    run.run(PHARMACY, "disaggregate", {"parent": case1, "children": [sgtin("S1")]})
    run.run(PHARMACY, "dispense", {"code": sgtin("S1")})
    run.run(PHARMACY, "dispense", {"code": sgtin("S1")})  # 一码一用: an alert, not a sale
    run.run(PHARMACY, "decommission", {"codes": [sgtin("S2")], "reason": "destroyed"})
    run.run(PHARMACY, "decommission", {"codes": [sgtin("S3")], "reason": "sample"})
    run.run(REGULATOR, "quarantine", {"codes": [sgtin("S6")], "reason": "inspection"})
    run.run(MAKER, "recall", {"product_key": ITEM, "lot": LOT, "reason": "contamination"})
    return run


@pytest.fixture(scope="module")
def chain() -> Recorder:
    return supply_chain()


def _events(chain: Recorder) -> list[dict[str, Any]]:
    document = export_document(chain.records, creation_date=CREATED).document
    events: list[dict[str, Any]] = document["epcisBody"]["eventList"]
    return events


def _by_step(events: list[dict[str, Any]], step: str) -> list[dict[str, Any]]:
    return [e for e in events if e.get("bizStep") == step]


def test_exported_document_validates_and_ids_are_event_hashes(chain: Recorder) -> None:
    export = export_document(chain.records, creation_date=CREATED)
    validate_document(export.document)
    events = export.document["epcisBody"]["eventList"]
    assert len(events) == len(chain.records) - 1  # the quarantine has no EPCIS event
    assert [e["eventID"] for e in events] == export.event_hashes
    assert export.event_hashes == document_event_hashes(export.document)
    assert len(set(export.event_hashes)) == len(events)
    assert all(
        h.startswith("ni:///sha-256;") and h.endswith("?ver=CBV2.0") for h in export.event_hashes
    )
    assert [(s.function, s.reason) for s in export.skipped] == [
        ("quarantine", "trace.quarantine has no EPCIS event (docs/epcis.md)")
    ]
    assert export.document["@context"][1] == RXL_CONTEXT


def test_commissioning_carries_batch_in_ilmd_and_digital_links(chain: Recorder) -> None:
    first, second, cases, pallet = _by_step(_events(chain), "commissioning")
    assert first["action"] == "ADD"
    assert first["disposition"] == "active"
    assert first["epcList"][0] == f"https://id.gs1.org/01/{ITEM_GTIN}/21/S1"
    assert first["ilmd"] == {
        "cbvmda:lotNumber": LOT,
        "cbvmda:itemExpirationDate": EXPIRY,
        "rxl:productionDate": PRODUCED,
    }
    # The element-string and HRI forms of the codes form export the same canonical EPCs.
    assert second["epcList"] == [f"https://id.gs1.org/01/{ITEM_GTIN}/21/S{i}" for i in (7, 8)]
    assert second["ilmd"]["rxl:level"] == "item"
    assert cases["epcList"][0] == f"https://id.gs1.org/01/{CASE_GTIN}/21/C1"
    assert pallet["epcList"] == ["https://id.gs1.org/00/106141411234567897"]
    assert pallet["ilmd"] == {"rxl:level": "pallet"}
    assert all(e["rxl:org"] == "acme" for e in (first, second, cases, pallet))


def test_aggregation_events(chain: Recorder) -> None:
    events = _events(chain)
    packing = _by_step(events, "packing")
    assert [e["type"] for e in packing] == ["AggregationEvent"] * 3
    assert packing[2]["parentID"] == "https://id.gs1.org/00/106141411234567897"
    assert packing[2]["childEPCs"] == [
        f"https://id.gs1.org/01/{CASE_GTIN}/21/C1",
        f"https://id.gs1.org/01/{CASE_GTIN}/21/C2",
    ]
    (repack,) = _by_step(events, "repackaging")
    assert repack["action"] == "ADD"
    everything, some = _by_step(events, "unpacking")
    assert everything["action"] == some["action"] == "DELETE"
    assert "childEPCs" not in everything  # EPCIS 2.0: DELETE without children = all of them
    assert some["childEPCs"] == [f"https://id.gs1.org/01/{ITEM_GTIN}/21/S1"]


def test_shipping_and_receiving(chain: Recorder) -> None:
    events = _events(chain)
    to_wholesale, to_pharmacy = _by_step(events, "shipping")
    assert to_wholesale["disposition"] == "in_transit"
    assert to_wholesale["sourceList"] == [
        {"type": "owning_party", "source": "urn:rxledger:org:acme"}
    ]
    assert to_wholesale["destinationList"] == [
        {"type": "owning_party", "destination": "urn:rxledger:org:wholesale"},
        {"type": "location", "destination": f"https://id.gs1.org/414/{GLN}"},
    ]
    assert to_wholesale["bizTransactionList"] == [
        {"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"},
        {"bizTransaction": "urn:rxledger:ref:INV%202026%2F7"},
    ]
    assert to_wholesale["rxl:market"] == "US"
    assert to_wholesale["rxl:documentHash"] == [DOC_HASH]
    assert "bizTransactionList" not in to_pharmacy
    assert "rxl:documentHash" not in to_pharmacy
    at_wholesale, at_pharmacy = _by_step(events, "receiving")
    assert at_wholesale["bizLocation"] == {"id": f"https://id.gs1.org/414/{GLN}"}
    assert at_wholesale["rxl:org"] == "wholesale"
    assert "bizLocation" not in at_pharmacy


def test_dispense_sale_and_alert(chain: Recorder) -> None:
    sale, alert = _by_step(_events(chain), "dispensing")
    assert sale["disposition"] == "dispensed"
    assert "rxl:alertReason" not in sale
    assert "disposition" not in alert
    assert alert["rxl:alertReason"] == ["already_dispensed"]
    assert sale["epcList"] == alert["epcList"]
    assert sale["eventID"] != alert["eventID"]


def test_decommission_and_recall(chain: Recorder) -> None:
    events = _events(chain)
    (destroyed,) = _by_step(events, "destroying")
    assert (destroyed["action"], destroyed["disposition"]) == ("DELETE", "destroyed")
    assert "rxl:reason" not in destroyed
    (sample,) = _by_step(events, "decommissioning")
    assert (sample["disposition"], sample["rxl:reason"]) == ("inactive", "sample")
    recall = events[-1]
    assert recall["disposition"] == "recalled"
    assert "bizStep" not in recall
    assert "epcList" not in recall
    assert recall["quantityList"] == [{"epcClass": f"https://id.gs1.org/01/{ITEM_GTIN}/10/{LOT}"}]
    assert recall["rxl:reason"] == "contamination"


def test_a_codes_history_selects_its_transactions_and_its_parents(chain: Recorder) -> None:
    result = chain.ledger.query(MAKER, "trace", "history", {"code": sgtin("S1")})
    answer = {"contract": "trace", "function": "history", "result": result}
    wanted = {tx_id for _, tx_id in history_transactions(answer)}
    records = [r for r in chain.records if r.tx_id in wanted]
    assert len(records) == len(wanted)
    assert [r.function for r in records] == [
        *("commission", "aggregate", "repack", "aggregate", "ship", "receive", "disaggregate"),
        *("ship", "receive", "disaggregate", "dispense", "dispense", "recall"),
    ]
    export = export_document(records, creation_date=CREATED)
    validate_document(export.document)
    everything = export_document(chain.records, creation_date=CREATED).event_hashes
    assert set(export.event_hashes) <= set(everything)  # the same events, seen from one code
    with pytest.raises(ExportError, match="'events' list"):
        history_transactions({"result": None})


def test_export_ignores_record_order_and_duplicates(chain: Recorder) -> None:
    shuffled = [*chain.records, *chain.records[:5]]
    random.Random(7).shuffle(shuffled)
    again = export_document(shuffled, creation_date=CREATED)
    assert again.document == export_document(chain.records, creation_date=CREATED).document


def test_event_time_of_record_wins_over_block_time(chain: Recorder) -> None:
    record = chain.records[0]
    plain = trace_event(record)
    timed = TraceRecord(
        **(record.to_dict() | {"events": record.events})
        | {"event_time_ms": record.block_time_ms - 3_600_000, "event_time_zone_offset": "+01:00"}
    )
    event = trace_event(timed)
    assert plain is not None
    assert event is not None
    assert event["eventTime"] == "2025-12-31T23:00:04.000Z"
    assert event["eventTimeZoneOffset"] == "+01:00"
    assert event["recordTime"] == plain["recordTime"] == "2026-01-01T00:00:04.000Z"
    assert event["eventID"] != plain["eventID"]


def test_record_dict_shape_round_trips(chain: Recorder) -> None:
    for record in chain.records:
        assert TraceRecord.from_dict(record.to_dict()) == record


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"colour": "red"}, "unknown fields: colour"),
        ({"height": -1}, "height must be a non-negative integer"),
        ({"tx_id": ""}, "tx_id must be a non-empty string"),
        ({"args": []}, "args must be an object"),
        ({"events": {}}, "events must be a list"),
        ({"events": [{"payload": {}}]}, "string 'type'"),
        ({"event_time_ms": 5}, "together"),
        ({"event_time_ms": 5, "event_time_zone_offset": "CET"}, r"\+01:00"),
    ],
)
def test_malformed_record_dicts_are_refused(
    chain: Recorder, change: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ExportError, match=reason):
        TraceRecord.from_dict(chain.records[0].to_dict() | change)


def test_missing_record_fields_are_named() -> None:
    with pytest.raises(ExportError, match="lacks: args, block_time_ms"):
        TraceRecord.from_dict(
            {"height": 1, "tx_index": 0, "tx_id": "t", "signer_org": "a"} | {"function": "ship"}
        )


def _record(
    function: str, args: dict[str, Any], events: tuple[RecordedEvent, ...] = (), tx_id: str = "t1"
) -> TraceRecord:
    return TraceRecord(1, 0, tx_id, 1_767_225_600_000, "acme", function, args, events)


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (_record("dispense", {"code": sgtin("S1")}), "include the transaction's events"),
        (_record("dispense", {"code": "not a code"}), "is not a serialized code"),
        (_record("ship", {"codes": [SSCC], "to_org": "x", "to_gln": GLN}), "args.market"),
        (_record("aggregate", {"parent": SSCC, "children": "S1"}), "list of strings"),
        (_record("receive", {"codes": [f"01{ITEM_GTIN}"]}), "is not a serialized code"),
        (_record("decommission", {"codes": [SSCC], "reason": "lost"}), "unknown decommission"),
    ],
)
def test_records_that_cannot_become_events(record: TraceRecord, reason: str) -> None:
    with pytest.raises(ExportError, match=reason) as caught:
        trace_event(record)
    assert "t1" in caught.value.reason


def test_functions_without_events_are_skipped_not_dropped() -> None:
    records = [_record("register_product", {}), _record("return_dispense", {}, tx_id="t2")]
    events, skipped = export_events(records)
    assert events == []
    assert [s.function for s in skipped] == ["register_product", "return_dispense"]


# --- records from raw API answers -------------------------------------------------------


class FakeApi:
    """Blocks, event frames and msp member answers shaped as the node API serves them."""

    def __init__(self, chain: Recorder) -> None:
        self.keys = {
            org: SigningKey.from_seed(bytes([n + 1]) * 32) for n, org in enumerate(SIGNERS)
        }
        self.blocks: list[dict[str, Any]] = []
        self.frames: list[dict[str, Any]] = []
        for record in chain.records:
            if record.signer_org in self.keys:
                self._add(record)

    def _add(self, record: TraceRecord) -> None:
        key = self.keys[record.signer_org]
        signed = build(
            "rxl-test",
            "trace",
            record.function,
            dict(record.args),
            key.key_id,
            nonce=record.height,
            client_time_ms=record.block_time_ms,
        ).sign(key)
        other = build("rxl-test", "release", "set_batch", {}, key.key_id, nonce=0, client_time_ms=0)
        noise = other.sign(key)
        tx_id = signed.tx_id.hex()
        bodies = [signed, noise, signed]
        self.blocks.append(
            {
                "height": record.height,
                "block_hash": "00" * 32,
                "header": {"height": record.height, "block_time_ms": record.block_time_ms},
                "tx_ids": [tx_id, noise.tx_id.hex(), "ff" * 32],
                "results": ["ok", "ok", "trace.not_owner"],
                "transactions": [base64.b64encode(b.to_wire()).decode() for b in bodies],
            }
        )
        for index, event in reversed(list(enumerate(record.events))):
            frame = {"height": record.height, "tx_index": 0, "event_index": index}
            self.frames.append(
                frame
                | {"tx_id": tx_id, "contract": "trace"}
                | {"type": event.type, "payload": event.payload}
            )
        self.frames.append({"tx_id": tx_id, "contract": "msp", "event_index": 9, "type": "x"})

    def members(self) -> list[dict[str, Any]]:
        return [
            {
                "contract": "msp",
                "consistency": "stale",
                "entry": {
                    "key": f"member/{key.key_id.hex()}",
                    "value": {"key_id": key.key_id.hex(), "org_id": org, "roles": []},
                    "height": 1,
                    "tx_index": 0,
                },
            }
            for org, key in self.keys.items()
        ]


def test_records_from_api_export_the_same_events(chain: Recorder) -> None:
    api = FakeApi(chain)
    records = records_from_api(api.blocks, api.frames, api.members())
    mine = [r for r in chain.records if r.signer_org in SIGNERS]
    assert [(r.function, r.signer_org, r.height, r.tx_index) for r in records] == [
        (r.function, r.signer_org, r.height, 0) for r in mine
    ]
    assert [r.events for r in records] == [r.events for r in mine]
    ours = export_document(mine, creation_date=CREATED).event_hashes
    assert export_document(records, creation_date=CREATED).event_hashes == ours


def test_records_from_api_filters_transactions(chain: Recorder) -> None:
    api = FakeApi(chain)
    wanted = api.blocks[3]["tx_ids"][0]
    (record,) = records_from_api(api.blocks, api.frames, api.members(), tx_ids=[wanted])
    assert record.tx_id == wanted
    with pytest.raises(ExportError, match="fetch their blocks"):
        records_from_api(api.blocks[:2], [], api.members(), tx_ids=[wanted])


def test_records_from_api_refuses_hidden_or_unknown_signers(chain: Recorder) -> None:
    api = FakeApi(chain)
    hidden = api.blocks[0] | {"transactions": [None, None, None]}
    with pytest.raises(ExportError, match="regulator's key"):
        records_from_api([hidden], [], api.members())
    with pytest.raises(ExportError, match="GET /v1/state/msp/member/"):
        records_from_api(api.blocks[:1], [], [])
    forged = api.blocks[0] | {"tx_ids": ["aa" * 32, *api.blocks[0]["tx_ids"][1:]]}
    with pytest.raises(ExportError, match="holds transaction"):
        records_from_api([forged], [], api.members())
    garbled = api.blocks[0] | {"transactions": ["!!", None, None]}
    with pytest.raises(ExportError, match="does not decode"):
        records_from_api([garbled], [], api.members())
    with pytest.raises(ExportError, match=r"header\.block_time_ms"):
        records_from_api([api.blocks[0] | {"header": {}}], [], api.members())
