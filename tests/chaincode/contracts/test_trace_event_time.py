"""Event time: trace functions that are EPCIS events keep the business time they are given.

An EPCIS document re-imported on another ledger must export with the same event times, so
the same CBV 2.0 hashes (docs/trace.md, "Event time"). Absent, the event time is the block
time in UTC.
"""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.testing import ContractHarness
from tests.chaincode.contracts.scenario_trace import (
    CASE_GTIN,
    ITEM,
    LOT,
    MAKER,
    PHARMACY,
    REGULATOR,
    SSCC,
    commission_args,
    key,
    ok,
    sgtin,
    ship_args,
    trace,
    world,
)

HOUR_MS = 3_600_000
D1 = sgtin("D1", CASE_GTIN)
T1 = sgtin("T1")


@pytest.fixture
def ledger() -> ContractHarness:
    return world()


def _at(ledger: ContractHarness, hours_before: int, offset: str = "+01:00") -> dict[str, Any]:
    """Event-time args for an event ``hours_before`` the next block."""
    next_block = ledger.time_ms + 1000
    return {"event_time_ms": next_block - hours_before * HOUR_MS, "event_time_zone_offset": offset}


def _history(ledger: ContractHarness, serial: str, gtin: str | None = None) -> list[Any]:
    code = sgtin(serial) if gtin is None else sgtin(serial, gtin)
    answer = ledger.query(REGULATOR, "trace", "history", {"code": code})
    assert isinstance(answer, dict)
    events = answer["events"]
    assert isinstance(events, list)
    return events


def _times(event: Any) -> tuple[Any, Any]:
    return event["event_time_ms"], event["event_time_zone_offset"]


def test_every_epcis_function_keeps_the_event_time_it_is_given(ledger: ContractHarness) -> None:
    steps: list[tuple[Any, str, dict[str, Any]]] = [
        (MAKER, "commission", commission_args(["T1", "T2"])),
        (MAKER, "commission", commission_args(["D1"], gtin=CASE_GTIN)),
        (MAKER, "aggregate", {"parent": D1, "children": [T1]}),
        (MAKER, "commission_containers", {"codes": [SSCC]}),
        (MAKER, "aggregate", {"parent": SSCC, "children": [D1]}),
        (MAKER, "ship", ship_args([SSCC], to_org="corner")),
        (PHARMACY, "receive", {"codes": [SSCC]}),
        (PHARMACY, "disaggregate", {"parent": SSCC}),
        (PHARMACY, "disaggregate", {"parent": D1}),
        (PHARMACY, "dispense", {"code": T1}),
        (PHARMACY, "dispense", {"code": T1}),
    ]
    expected: list[tuple[int, str]] = []
    for hours, (signer, function, args) in enumerate(steps, start=1):
        when = _at(ledger, 100 - hours, f"+{hours:02d}:15")
        ok(trace(ledger, signer, function, args | when))
        expected.append((when["event_time_ms"], when["event_time_zone_offset"]))
    shown = _history(ledger, "T1")
    # T1's log, and its case's and pallet's logs while it was inside, each with its call's time.
    assert [(e["event"], e["via"]) for e in shown] == [
        ("commissioned", None),
        ("aggregated", None),
        ("packed", key("D1", CASE_GTIN)),
        ("aggregated", key("D1", CASE_GTIN)),
        ("packed", "sscc:106141411234567897"),
        ("shipped", "sscc:106141411234567897"),
        ("received", "sscc:106141411234567897"),
        ("disaggregated", key("D1", CASE_GTIN)),
        ("disaggregated", None),
        ("dispensed", None),
        ("alert", None),
    ]
    assert [_times(e) for e in shown] == [expected[i] for i in (0, 2, 2, 4, 4, 5, 6, 7, 8, 9, 10)]
    assert all(e["time_ms"] > e["event_time_ms"] for e in shown)


def test_decommission_and_recall_keep_the_event_time(ledger: ContractHarness) -> None:
    gone = _at(ledger, 5, "-05:00")
    ok(trace(ledger, MAKER, "decommission", {"codes": [sgtin("S2")], "reason": "sample"} | gone))
    recall = _at(ledger, 2, "+05:30")
    args = {"product_key": ITEM, "lot": LOT, "reason": "contamination"} | recall
    notice = ok(trace(ledger, MAKER, "recall", args))
    assert isinstance(notice, dict)
    assert _times(notice) == (recall["event_time_ms"], "+05:30")
    events = {e["event"]: e for e in _history(ledger, "S2")}
    assert _times(events["decommissioned"]) == (gone["event_time_ms"], "-05:00")
    assert _times(events["recalled"]) == (recall["event_time_ms"], "+05:30")
    page = ledger.query(REGULATOR, "trace", "batch_history", {"product_key": ITEM, "lot": LOT})
    assert isinstance(page, dict)
    shown = page["events"]
    assert isinstance(shown, list)
    last = shown[-1]
    assert isinstance(last, dict)
    assert last["event"] == "recalled"
    assert _times(last) == (recall["event_time_ms"], "+05:30")


def test_without_event_time_the_block_time_in_utc_is_kept(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "ship", ship_args([sgtin("S1")], to_org="corner")))
    shipped = _history(ledger, "S1")[-1]
    assert shipped["event"] == "shipped"
    assert _times(shipped) == (shipped["time_ms"], "+00:00")
    born = _history(ledger, "S1")[0]
    assert _times(born) == (born["time_ms"], "+00:00")


def test_an_offset_alone_keeps_the_block_time(ledger: ContractHarness) -> None:
    ok(
        trace(
            ledger, MAKER, "ship", ship_args([sgtin("S1")]) | {"event_time_zone_offset": "-14:00"}
        )
    )
    shipped = _history(ledger, "S1")[-1]
    assert _times(shipped) == (shipped["time_ms"], "-14:00")


@pytest.mark.parametrize(
    "offset",
    [
        *("CET", "Z", "+1:00", "01:00", "+01:0", "+0100", "+15:00", "+14:30", "-14:01"),
        *("+01:60", "+01:00 ", " +01:00", "+01:00\n", "+\u0661\u0660:00", ""),
    ],
)
def test_bad_zone_offsets_are_refused(ledger: ContractHarness, offset: str) -> None:
    args = ship_args([sgtin("S1")]) | {"event_time_zone_offset": offset}
    outcome = trace(ledger, MAKER, "ship", args)
    assert outcome.code == "contract.invalid_arguments"
    assert "event_time_zone_offset" in (outcome.message or "")


@pytest.mark.parametrize("offset", ["+00:00", "-00:00", "+14:00", "-14:00", "+13:59", "-09:30"])
def test_good_zone_offsets_are_kept(ledger: ContractHarness, offset: str) -> None:
    ok(trace(ledger, MAKER, "ship", ship_args([sgtin("S1")]) | {"event_time_zone_offset": offset}))
    assert _history(ledger, "S1")[-1]["event_time_zone_offset"] == offset


@pytest.mark.parametrize("value", [-1, True, "1700000000000", 10**15])
def test_bad_event_times_are_refused(ledger: ContractHarness, value: Any) -> None:
    outcome = trace(ledger, MAKER, "ship", ship_args([sgtin("S1")]) | {"event_time_ms": value})
    assert outcome.code == "contract.invalid_arguments"


def test_an_event_time_after_the_block_is_refused_beyond_clock_skew(
    ledger: ContractHarness,
) -> None:
    block = ledger.time_ms + 1000
    late = ship_args([sgtin("S1")]) | {"event_time_ms": block + 10 * 60 * 1000 + 1}
    outcome = trace(ledger, MAKER, "ship", late, time_ms=block)
    assert outcome.code == "trace.event_time_ahead"
    assert "client's clock" in (outcome.message or "")
    skewed = ship_args([sgtin("S1")]) | {"event_time_ms": block + 10 * 60 * 1000}
    ok(trace(ledger, MAKER, "ship", skewed, time_ms=block + 1000))


def test_event_time_is_refused_where_no_epcis_event_is_written(ledger: ContractHarness) -> None:
    when = _at(ledger, 1)
    hold = trace(ledger, MAKER, "suspect", {"codes": [sgtin("S1")], "reason": "dent"} | when)
    assert hold.code == "contract.invalid_arguments"
    verify = ledger.query(PHARMACY, "trace", "verify", {"code": sgtin("S1")})
    assert isinstance(verify, dict)
    assert key("S1") in str(verify)
