"""CBV 2.0 event hash: the STANDARDS.md worked example and the canonicalization rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sdk.epcis import EventHashError, event_hash, event_prehash

WORKED_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2022-02-16T20:33:31.116000-06:00",
    "eventTimeZoneOffset": "-06:00",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    "bizTransactionList": [
        {"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}
    ],
}
WORKED_PREHASH = (
    "eventType=ObjectEventeventTime=2022-02-17T02:33:31.116ZeventTimeZoneOffset=-06:00"
    "epcListepc=https://id.gs1.org/01/10614141073464/21/2017"
    "epc=https://id.gs1.org/01/10614141073464/21/2018action=OBSERVE"
    "bizStep=https://ref.gs1.org/cbv/BizStep-shipping"
    "disposition=https://ref.gs1.org/cbv/Disp-in_transit"
    "readPointid=https://id.gs1.org/414/0614141073467/254/1234"
    "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-po"
    "bizTransaction=http://transaction.acme.com/po/12345678"
)
WORKED_HASH = (
    "ni:///sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0"
)


def test_worked_example_prehash() -> None:
    assert event_prehash(WORKED_EVENT) == WORKED_PREHASH


def test_worked_example_hash() -> None:
    assert event_hash(WORKED_EVENT) == WORKED_HASH


def _variant(**changes: Any) -> dict[str, Any]:
    event = copy.deepcopy(WORKED_EVENT)
    event.update(changes)
    return event


@pytest.mark.parametrize(
    "event",
    [
        # Same event, other serializations: list order, URN vocabulary, DL ids, time zone,
        # excluded fields, key order.
        _variant(epcList=list(reversed(WORKED_EVENT["epcList"]))),
        _variant(bizStep="urn:epcglobal:cbv:bizstep:shipping"),
        _variant(disposition="https://ref.gs1.org/cbv/Disp-in_transit"),
        _variant(
            epcList=[
                "https://example.com/01/10614141073464/21/2018",
                "https://id.gs1.org/01/10614141073464/21/2017",
            ]
        ),
        _variant(eventTime="2022-02-17T02:33:31.116Z"),
        _variant(eventTime="2022-02-16T20:33:31.1161-06:00"),
        _variant(recordTime="2023-01-01T00:00:00Z", eventID="ni:///x"),
        _variant(errorDeclaration={"declarationTime": "2023-01-01T00:00:00Z"}),
        dict(reversed(list(WORKED_EVENT.items()))),
    ],
)
def test_equivalent_serializations_hash_the_same(event: dict[str, Any]) -> None:
    assert event_hash(event) == WORKED_HASH


@pytest.mark.parametrize(
    "event",
    [
        _variant(action="ADD"),
        _variant(epcList=WORKED_EVENT["epcList"][:1]),
        _variant(eventTime="2022-02-16T20:33:31.117000-06:00"),
        _variant(bizLocation={"id": "urn:epc:id:sgln:0614141.07346.0"}),
        _variant(**{"example:note": "x"}),
    ],
)
def test_relevant_changes_change_the_hash(event: dict[str, Any]) -> None:
    assert event_hash(event) != WORKED_HASH


def test_quantities_sensors_ilmd_and_extensions() -> None:
    event = {
        "type": "ObjectEvent",
        "eventTime": "2024-03-01T10:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "ADD",
        "quantityList": [
            {"epcClass": "urn:epc:class:lgtin:0614141.107346.LOT1", "quantity": 10.0, "uom": "EA"}
        ],
        "persistentDisposition": {"set": ["recalled"], "unset": ["active"]},
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:sgln:0614141.00001.0"}],
        "sensorElementList": [
            {
                "sensorMetadata": {"time": "2024-03-01T10:00:00+01:00", "deviceID": "urn:dev:1"},
                "sensorReport": [
                    {"type": "gs1:Temperature", "value": 5.50, "uom": "CEL"},
                    {"type": "Temperature", "minValue": 2, "uom": "CEL"},
                ],
            }
        ],
        "ilmd": {"ex:grade": "A", "ex:batch": {"ex:id": 7}},
        "ex:extra": "z",
    }
    prehash = event_prehash(event, {"ex": "https://example.com/ns/"})
    assert prehash == (
        "eventType=ObjectEventeventTime=2024-03-01T09:00:00.000ZeventTimeZoneOffset=+01:00"
        "quantityListquantityElementepcClass=https://id.gs1.org/01/10614141073464/10/LOT1"
        "quantity=10uom=EAaction=ADD"
        "persistentDispositionset=https://ref.gs1.org/cbv/Disp-recalled"
        "unset=https://ref.gs1.org/cbv/Disp-active"
        "sourceListtype=https://ref.gs1.org/cbv/SDT-owning_party"
        "source=https://id.gs1.org/414/0614141000012"
        "sensorElementListsensorElementsensorMetadatatime=2024-03-01T09:00:00.000Z"
        "deviceID=urn:dev:1"
        "sensorReporttype=https://gs1.org/voc/TemperatureminValue=2uom=CEL"
        "sensorReporttype=https://gs1.org/voc/Temperaturevalue=5.5uom=CEL"
        "ilmd{https://example.com/ns/}batch{https://example.com/ns/}id=7"
        "{https://example.com/ns/}grade=A"
        "{https://example.com/ns/}extra=z"
    )


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"eventTime": "2024-01-01T00:00:00Z"}, "no 'type'"),
        ({"type": "ObjectEvent"}, "no eventTime"),
        ({"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00"}, "no UTC offset"),
        ({"type": "ObjectEvent", "eventTime": "yesterday"}, "not ISO 8601"),
        ({"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "epcList": "x"}, "list"),
    ],
)
def test_malformed_events_rejected(event: dict[str, Any], reason: str) -> None:
    with pytest.raises(EventHashError, match=reason):
        event_hash(event)
