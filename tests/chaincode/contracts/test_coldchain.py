"""Coldchain contract: loggers, legs, signed reading batches, MKT, excursions, QA decisions."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chaincode.contracts.coldchain.series import (
    Limits,
    canonical_bytes,
    mkt_celsius,
    summarise,
)
from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from sdk import coldchain as sdk_cold
from sdk.keys import SigningKey
from sdk.roles import Role
from tests.chaincode.contracts.scenario_coldchain import (
    CONTRACTS,
    DAY,
    HOUR,
    LOGISTICS,
    MAKER_QA,
    PRODUCT,
    SSCC,
    device_args,
    leg_args,
    readings,
    run,
)

START = GENESIS_TIME_MS + HOUR
OTHER = ContractHarness.signer("rivalfreight", Role.LOGISTICS)


@pytest.fixture
def ledger() -> ContractHarness:
    h = ContractHarness(CONTRACTS())
    assert h.invoke(LOGISTICS, "coldchain", "register_device", device_args()).ok
    assert h.invoke(LOGISTICS, "coldchain", "create_leg", leg_args()).ok
    return h


def submit(h: ContractHarness, start: int, values: list[int | None], **kw: Any) -> Any:
    end = start + len(values) * kw.get("interval_ms", 10_000)
    signer = kw.pop("signer", LOGISTICS)
    return h.invoke(
        signer, "coldchain", "submit_readings", readings(start, values, **kw), time_ms=end
    )


def stream(h: ContractHarness) -> Any:
    return h.query(LOGISTICS, "coldchain", "get_leg", {"leg": "LEG1"})["streams"]["L1"]  # type: ignore[index,call-overload]


def test_mkt_matches_the_worked_example() -> None:
    limits = Limits(200, 800, None, None)
    two = summarise([2500, 3000], 60_000, limits)
    assert mkt_celsius(two.arrhenius_sum, 120_000) == Decimal("27.82")
    flat = summarise([500] * 8640, 10_000, limits)
    assert mkt_celsius(flat.arrhenius_sum, DAY) == Decimal("5.00")
    assert mkt_celsius(Decimal(0), 0) is None


def test_summary_counts_limits_pre_alarms_and_gaps() -> None:
    summary = summarise([100, 250, 500, 750, 900, None, -5], 10_000, Limits(200, 800, 300, 700))
    assert (summary.readings, summary.gaps) == (6, 1)
    assert (summary.minimum, summary.maximum) == (-5, 900)
    assert (summary.out_ms, summary.pre_alarm_ms, summary.below_zero) == (30_000, 20_000, 1)


def test_a_conformant_day_is_summarised_and_only_its_hash_stored(ledger: ContractHarness) -> None:
    values: list[int | None] = [500] * 8630 + [None] * 10
    out = submit(ledger, START, values)
    assert out.ok, out.message
    batch = out.result["batch"]
    expected = hashlib.sha256(canonical_bytes("LEG1", "L1", START, 10_000, values)).hexdigest()
    assert batch["series_sha256"] == expected
    assert all(not isinstance(v, list) for v in batch.values())
    s = stream(ledger)
    assert (s["readings"], s["blind_ms"], s["blind_spot_pct"], s["mkt_c"]) == (
        8630,
        100_000,
        "0.12",
        "5.00",
    )
    assert out.result["excursion"] is None
    assert ledger.query(LOGISTICS, "trace", "asked", {}) == []


def test_gap_between_batches_is_blind_time(ledger: ContractHarness) -> None:
    assert submit(ledger, START, [500] * 360).ok
    assert submit(ledger, START + 2 * HOUR, [500] * 360).ok
    s = stream(ledger)
    assert (s["blind_ms"], s["blind_spot_pct"]) == (HOUR, "33.33")


def test_pre_alarm_emits_an_event_without_quarantine(ledger: ContractHarness) -> None:
    assert submit(ledger, START, [750] * 6).ok
    assert ledger.events_of("coldchain", "coldchain.pre_alarm") == [
        {"leg": "LEG1", "device": "L1", "ms": 60_000}
    ]
    assert ledger.events_of("coldchain", "coldchain.excursion") == []


def test_time_out_of_range_within_allowance_is_no_excursion(ledger: ContractHarness) -> None:
    assert submit(ledger, START, [900] * 180 + [500] * 10).ok  # 30 min out, allowance 30
    assert stream(ledger)["out_of_range_ms"] == 30 * 60_000
    assert ledger.events_of("coldchain", "coldchain.excursion") == []


def test_excursion_quarantines_the_shipment_and_blocks_the_batch(ledger: ContractHarness) -> None:
    out = submit(ledger, START, [900] * 181)
    assert out.ok
    excursion = out.result["excursion"]
    assert excursion["kinds"] == ["time_out_of_range"]
    assert excursion["quarantine"] == {"requested": 1, "ok": True, "code": None}
    assert ledger.query(LOGISTICS, "trace", "asked", {}) == [
        [SSCC, "cold-chain excursion LEG1/1: time_out_of_range"]
    ]
    assert len(ledger.events_of("coldchain", "coldchain.excursion")) == 1
    blocked = ledger.query(
        MAKER_QA, "coldchain", "open_excursions", {"product_key": PRODUCT, "lot": "LOT1"}
    )
    assert [e["id"] for e in blocked] == ["LEG1/1"]  # type: ignore[index,union-attr]
    # Further findings while it is open join it: no second excursion, no second quarantine.
    assert submit(ledger, START + 181 * 10_000, [900] * 6).ok
    assert len(ledger.query(LOGISTICS, "trace", "asked", {})) == 1  # type: ignore[arg-type]
    record = ledger.query(LOGISTICS, "coldchain", "get_excursion", {"leg": "LEG1", "number": 1})
    assert len(record["findings"]) == 2  # type: ignore[index,call-overload]


def test_freeze_excursion_on_a_freeze_sensitive_profile(ledger: ContractHarness) -> None:
    out = submit(ledger, START, [500, -10, 500])
    assert out.result["excursion"]["kinds"] == ["freeze"]


def test_mkt_over_its_limit_is_an_excursion() -> None:
    h = ContractHarness(CONTRACTS())
    assert h.invoke(LOGISTICS, "coldchain", "register_device", device_args()).ok
    profile = {
        **leg_args()["profile"],
        "max_centi_c": 2500,
        "pre_alarm_high_centi_c": None,
        "mkt_limit_centi_c": 800,
    }
    assert h.invoke(LOGISTICS, "coldchain", "create_leg", leg_args(profile=profile)).ok
    out = submit(h, START, [900] * 10)
    assert out.result["excursion"]["kinds"] == ["mkt"]  # type: ignore[index]


def test_refused_quarantine_still_records_the_excursion() -> None:
    h = ContractHarness(CONTRACTS())
    assert h.invoke(LOGISTICS, "coldchain", "register_device", device_args()).ok
    assert h.invoke(LOGISTICS, "coldchain", "create_leg", leg_args(codes=["unknown-code"])).ok
    out = submit(h, START, [-50])
    assert out.ok
    assert out.result["excursion"]["quarantine"] == {
        "requested": 2,
        "ok": False,
        "code": "trace.unknown_code",
    }  # type: ignore[index]
    assert h.events_of("coldchain", "coldchain.quarantine_refused") == [
        {"leg": "LEG1", "code": "trace.unknown_code"}
    ]


def test_qa_of_the_responsible_org_resolves(ledger: ContractHarness) -> None:
    assert submit(ledger, START, [-50]).ok
    decide = {"leg": "LEG1", "number": 1, "decision": "destroy", "reason": "frozen"}
    assert ledger.invoke(
        ContractHarness.signer("rival", Role.QA), "coldchain", "resolve_excursion", decide
    ).code == ("coldchain.not_responsible_qa")
    assert (
        ledger.invoke(LOGISTICS, "coldchain", "resolve_excursion", decide).code
        == "permission.missing_role"
    )
    missing = {**decide, "number": 2}
    assert (
        ledger.invoke(MAKER_QA, "coldchain", "resolve_excursion", missing).code
        == "coldchain.unknown_excursion"
    )
    done = ledger.invoke(MAKER_QA, "coldchain", "resolve_excursion", decide)
    assert done.result["status"] == "destroyed"
    assert (
        ledger.invoke(MAKER_QA, "coldchain", "resolve_excursion", decide).code
        == "coldchain.excursion_closed"
    )
    assert (
        ledger.query(
            MAKER_QA, "coldchain", "open_excursions", {"product_key": PRODUCT, "lot": "LOT1"}
        )
        == []
    )
    # A new finding after the decision opens a new excursion.
    assert submit(ledger, START + 10_000, [-50]).result["excursion"]["number"] == 2


def test_device_registration_rules(ledger: ContractHarness) -> None:
    assert (
        ledger.invoke(LOGISTICS, "coldchain", "register_device", device_args()).code
        == "coldchain.duplicate"
    )
    bad_date = device_args("L2", expiry="2027-02-30")
    assert (
        ledger.invoke(LOGISTICS, "coldchain", "register_device", bad_date).code
        == "coldchain.bad_date"
    )
    calib = {"device": "L1", "calibration_certificate": "C", "calibration_expiry": "2028-01-01"}
    assert (
        ledger.invoke(OTHER, "coldchain", "update_calibration", calib).code == "coldchain.not_owner"
    )
    assert ledger.invoke(
        LOGISTICS, "coldchain", "update_calibration", {**calib, "device": "X"}
    ).code == ("coldchain.unknown_device")


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"leg": "LEG1"}, "coldchain.duplicate"),
        ({"devices": ["NOPE"]}, "coldchain.unknown_device"),
        ({"ssccs": ["106141411234567898"]}, "coldchain.bad_sscc"),
        (
            {"batches": [{"product_key": "gtin:09501101530004", "lot": "L"}]},
            "coldchain.bad_product_key",
        ),
        ({"profile": {"min_centi_c": 800, "max_centi_c": 200}}, "coldchain.bad_profile"),
    ],
)
def test_leg_rejections(ledger: ContractHarness, over: dict[str, Any], code: str) -> None:
    args = {**leg_args(), **over}
    if "leg" not in over:
        args["leg"] = "LEG2"
    assert ledger.invoke(LOGISTICS, "coldchain", "create_leg", args).code == code


def test_reading_rejections(ledger: ContractHarness) -> None:
    assert submit(ledger, START, [500], leg="NOPE").code == "coldchain.unknown_leg"
    assert submit(ledger, START, [500], device="NOPE").code == "coldchain.unknown_device"
    assert submit(ledger, START, [500], signer=OTHER).code == "coldchain.device_of_another_org"
    assert ledger.invoke(LOGISTICS, "coldchain", "register_device", device_args("L2")).ok
    assert submit(ledger, START, [500], device="L2").code == "coldchain.device_not_on_leg"
    late = GENESIS_TIME_MS + 400 * DAY
    assert submit(ledger, late, [500]).code == "coldchain.calibration_expired"
    forged = readings(START, [500], key=SigningKey.from_seed(bytes(32)))
    assert ledger.invoke(
        LOGISTICS, "coldchain", "submit_readings", forged, time_ms=START + HOUR
    ).code == ("coldchain.bad_signature")
    tampered = {**readings(START, [500, 500]), "values": [500, 400]}
    assert ledger.invoke(
        LOGISTICS, "coldchain", "submit_readings", tampered, time_ms=START + HOUR
    ).code == ("coldchain.bad_signature")
    future = ledger.invoke(
        LOGISTICS, "coldchain", "submit_readings", readings(START, [500] * 60), time_ms=START
    )
    assert future.code == "coldchain.future_readings"
    assert submit(ledger, START, [None, None]).code == "coldchain.bad_series"
    assert submit(ledger, START, [500] * 6).ok
    assert submit(ledger, START + 30_000, [500]).code == "coldchain.out_of_order"
    assert ledger.invoke(LOGISTICS, "coldchain", "close_leg", {"leg": "LEG1"}).ok
    assert (
        ledger.invoke(LOGISTICS, "coldchain", "close_leg", {"leg": "LEG1"}).code
        == "coldchain.leg_closed"
    )
    assert submit(ledger, START + HOUR, [500]).code == "coldchain.leg_closed"


def test_calibration_renewal_admits_later_readings(ledger: ContractHarness) -> None:
    late = GENESIS_TIME_MS + 400 * DAY
    calib = {"device": "L1", "calibration_certificate": "CAL-2", "calibration_expiry": "2028-01-01"}
    assert ledger.invoke(LOGISTICS, "coldchain", "update_calibration", calib).ok
    assert submit(ledger, late, [500]).ok


def test_only_the_leg_owner_closes_it(ledger: ContractHarness) -> None:
    assert (
        ledger.invoke(OTHER, "coldchain", "close_leg", {"leg": "LEG1"}).code
        == "coldchain.not_owner"
    )
    assert (
        ledger.invoke(OTHER, "coldchain", "close_leg", {"leg": "NOPE"}).code
        == "coldchain.unknown_leg"
    )


def test_scenario_runs_and_is_repeatable() -> None:
    first, second = ContractHarness(CONTRACTS()), ContractHarness(CONTRACTS())
    run(first)
    run(second)
    assert first.write_sets == second.write_sets
    assert (
        first.query(LOGISTICS, "coldchain", "leg_excursions", {"leg": "LEG1"})[0]["status"]
        == "released"
    )  # type: ignore[index]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-3000, 4000)), min_size=1, max_size=60))
def test_mkt_agrees_with_the_sdk_reference(values: list[int | None]) -> None:
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    assume(present)
    summary = summarise(values, 10_000, Limits(200, 800, None, None))
    ours = mkt_celsius(summary.arrhenius_sum, len(present) * 10_000)
    samples = [sdk_cold.Reading(START + i * 10_000, v * 10) for i, v in present]
    assert ours == sdk_cold.mean_kinetic_temperature(samples, 10_000)
