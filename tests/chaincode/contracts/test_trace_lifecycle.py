"""Dispense exactly once with alerts, return, decommission and its undo (issue 6 item 10)."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from tests.chaincode.contracts.scenario_trace import (
    CASE_GTIN,
    DAY_MS,
    HOSPITAL,
    ITEM,
    LOT,
    MAKER,
    PHARMACY,
    REGULATOR,
    WHOLESALER,
    deliver,
    key,
    ok,
    set_release,
    sgtin,
    ship_args,
    trace,
    world,
)

AFTER_EXPIRY_MS = GENESIS_TIME_MS + 730 * DAY_MS  # 2028-01-01, the day after expiry


@pytest.fixture
def ledger() -> ContractHarness:
    ledger = world()
    deliver(ledger, [sgtin(f"S{i}") for i in range(1, 5)], PHARMACY)
    return ledger


def _dispense(ledger: ContractHarness, serial: str, signer: Any = PHARMACY, **kw: Any) -> Any:
    return trace(ledger, signer, "dispense", {"code": sgtin(serial)}, **kw)


def _alert(ledger: ContractHarness, serial: str, **kw: Any) -> Any:
    """Dispense expecting an alert: the transaction commits, the code stays as it was."""
    before = ledger.state.get("trace", f"code/{key(serial)}")
    result = ok(_dispense(ledger, serial, **kw))
    assert isinstance(result, dict)
    assert result["dispensed"] is False
    assert ledger.state.get("trace", f"code/{key(serial)}") == before
    return result["alert"]


def _status(ledger: ContractHarness, serial: str) -> Any:
    return ledger.query(PHARMACY, "trace", "verify", {"code": sgtin(serial)})


# --- dispense -------------------------------------------------------------------------------


def test_dispense_once(ledger: ContractHarness) -> None:
    assert ok(_dispense(ledger, "S1")) == {"dispensed": True, "code": key("S1")}
    answer = _status(ledger, "S1")
    assert (answer["status"], answer["dispensed"], answer["additionalInfo"]) == (
        "dispensed",
        True,
        "Dispensed",
    )
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|corner") == 3


def test_second_dispense_is_an_alert_not_an_error(ledger: ContractHarness) -> None:
    ok(_dispense(ledger, "S1"))
    alert = _alert(ledger, "S1")
    assert (alert["reason"], alert["code"]) == ("already_dispensed", key("S1"))
    [event] = ledger.events_of("trace", "alert")
    assert (event["reason"], event["org"]) == ("already_dispensed", "corner")
    stored = list(ledger.state.range("trace", "alert/", "alert/~"))
    assert len(stored) == 1


def test_a_second_pharmacy_is_flagged_too(ledger: ContractHarness) -> None:
    ok(_dispense(ledger, "S1"))
    assert _alert(ledger, "S1", signer=HOSPITAL)["reason"] == "already_dispensed"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (("recall", MAKER, {"product_key": ITEM, "lot": LOT, "reason": "x"}), "recalled"),
        (("suspect", PHARMACY, {"codes": ["S1"], "reason": "seal"}), "suspect"),
        (("quarantine", REGULATOR, {"codes": ["S1"], "reason": "probe"}), "quarantined"),
        (("decommission", PHARMACY, {"codes": ["S1"], "reason": "destroyed"}), "destroyed"),
        (("decommission", PHARMACY, {"codes": ["S1"], "reason": "stolen"}), "stolen"),
    ],
)
def test_unsafe_dispense_is_recorded_as_an_alert(
    ledger: ContractHarness, setup: tuple[str, Any, dict[str, Any]], reason: str
) -> None:
    function, signer, args = setup
    if "codes" in args:
        args = {**args, "codes": [sgtin(s) for s in args["codes"]]}
    ok(trace(ledger, signer, function, args))
    assert _alert(ledger, "S1")["reasons"] == [reason]


def test_expired_dispense_is_an_alert(ledger: ContractHarness) -> None:
    assert _alert(ledger, "S1", time_ms=AFTER_EXPIRY_MS)["reason"] == "expired"


def test_unreleased_batch_dispense_is_an_alert(ledger: ContractHarness) -> None:
    set_release(ledger, "quarantined", [])
    assert _alert(ledger, "S1")["reason"] == "batch_not_released"


def test_a_recall_recorded_by_release_is_honoured(ledger: ContractHarness) -> None:
    set_release(ledger, "recalled", [])
    assert _alert(ledger, "S1")["reasons"] == ["recalled", "batch_not_released"]
    answer = _status(ledger, "S1")
    assert (answer["recalled"], answer["additionalInfo"]) == (True, "Recalled")


def test_unknown_code_dispense_is_an_alert(ledger: ContractHarness) -> None:
    alert = ok(trace(ledger, PHARMACY, "dispense", {"code": sgtin("FAKE")}))
    assert isinstance(alert, dict)
    assert alert["alert"]["reason"] == "not_commissioned"
    history = ledger.query(REGULATOR, "trace", "history", {"code": sgtin("FAKE")})
    assert [e["event"] for e in history["events"]] == ["alert"]


def test_several_reasons_are_all_recorded(ledger: ContractHarness) -> None:
    ok(_dispense(ledger, "S1"))
    ok(trace(ledger, MAKER, "recall", {"product_key": ITEM, "lot": LOT, "reason": "x"}))
    assert _alert(ledger, "S1")["reasons"] == ["recalled", "already_dispensed"]


def test_dispense_rejections(ledger: ContractHarness) -> None:
    assert _dispense(ledger, "S5").code == "trace.not_owner"
    assert _dispense(ledger, "S1", signer=WHOLESALER).code == "permission.missing_role"
    assert _dispense(ledger, "S1", signer=REGULATOR).code == "permission.missing_role"
    ok(trace(ledger, MAKER, "ship", ship_args([sgtin("S6")], to_org="corner")))
    assert _dispense(ledger, "S6").code == "trace.in_transit"
    assert trace(ledger, PHARMACY, "dispense", {"code": "garbage"}).code == "trace.bad_code"


def test_a_case_is_unpacked_before_dispensing(ledger: ContractHarness) -> None:
    case = sgtin("C1", CASE_GTIN)
    ok(trace(ledger, MAKER, "aggregate", {"parent": case, "children": [sgtin("S5")]}))
    deliver(ledger, [case], PHARMACY)
    outcome = trace(ledger, PHARMACY, "dispense", {"code": case})
    assert outcome.code == "trace.not_allowed"
    ok(_dispense(ledger, "S5"))
    assert ledger.state.get("trace", f"parent/{key('S5')}") is None


# --- return ---------------------------------------------------------------------------------


def test_return_within_the_window_restores_the_code(ledger: ContractHarness) -> None:
    ok(_dispense(ledger, "S1"))
    args = {"code": sgtin("S1"), "reason": "unopened"}
    ok(trace(ledger, PHARMACY, "return_dispense", args))
    assert _status(ledger, "S1")["status"] == "active"
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|corner") == 4
    ok(_dispense(ledger, "S1"))


def test_return_rejections(ledger: ContractHarness) -> None:
    args = {"code": sgtin("S1"), "reason": "r"}
    assert trace(ledger, PHARMACY, "return_dispense", args).code == "trace.not_dispensed"
    ok(_dispense(ledger, "S1"))
    assert trace(ledger, HOSPITAL, "return_dispense", args).code == "trace.not_dispenser"
    late = ledger.time_ms + 11 * DAY_MS
    outcome = trace(ledger, PHARMACY, "return_dispense", args, time_ms=late)
    assert outcome.code == "trace.return_window_closed"


def test_recalled_or_held_sales_are_not_returned(ledger: ContractHarness) -> None:
    ok(_dispense(ledger, "S1"))
    ok(_dispense(ledger, "S2"))
    ok(trace(ledger, REGULATOR, "suspect", {"codes": [sgtin("S2")], "reason": "x"}))
    args = {"code": sgtin("S2"), "reason": "r"}
    assert trace(ledger, PHARMACY, "return_dispense", args).code == "trace.on_hold"
    ok(trace(ledger, MAKER, "recall", {"product_key": ITEM, "lot": LOT, "reason": "x"}))
    args = {"code": sgtin("S1"), "reason": "r"}
    assert trace(ledger, PHARMACY, "return_dispense", args).code == "trace.recalled"


# --- decommission and undo ------------------------------------------------------------------


def test_decommission_walks_the_hierarchy_and_undo_restores_it() -> None:
    ledger = world()
    case = sgtin("C1", CASE_GTIN)
    ok(trace(ledger, MAKER, "aggregate", {"parent": case, "children": [sgtin("S1"), sgtin("S2")]}))
    ok(trace(ledger, MAKER, "decommission", {"codes": [case], "reason": "exported"}))
    assert [_status(ledger, s)["status"] for s in ["S1", "S2"]] == ["exported", "exported"]
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|acme") == 5
    ok(trace(ledger, MAKER, "undo_decommission", {"codes": [case]}))
    assert [_status(ledger, s)["status"] for s in ["S1", "S2"]] == ["active", "active"]
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|acme") == 8


def test_decommission_rejections(ledger: ContractHarness) -> None:
    args = {"codes": [sgtin("S1")], "reason": "sample"}
    assert trace(ledger, WHOLESALER, "decommission", args).code == "trace.not_owner"
    ok(trace(ledger, PHARMACY, "decommission", args))
    assert trace(ledger, PHARMACY, "decommission", args).code == "trace.not_active"
    ok(trace(ledger, MAKER, "ship", ship_args([sgtin("S6")])))
    transit = {"codes": [sgtin("S6")], "reason": "sample"}
    assert trace(ledger, MAKER, "decommission", transit).code == "trace.in_transit"
    bad = {"codes": [sgtin("S2")], "reason": "lost"}
    assert trace(ledger, PHARMACY, "decommission", bad).code == "contract.invalid_arguments"


@pytest.mark.parametrize("reason", ["destroyed", "stolen"])
def test_destroyed_and_stolen_are_final(ledger: ContractHarness, reason: str) -> None:
    ok(trace(ledger, PHARMACY, "decommission", {"codes": [sgtin("S1")], "reason": reason}))
    outcome = trace(ledger, PHARMACY, "undo_decommission", {"codes": [sgtin("S1")]})
    assert outcome.code == "trace.irreversible"


def test_undo_rejections(ledger: ContractHarness) -> None:
    undo = {"codes": [sgtin("S1")]}
    assert trace(ledger, PHARMACY, "undo_decommission", undo).code == "trace.not_decommissioned"
    ok(trace(ledger, PHARMACY, "decommission", {"codes": [sgtin("S1")], "reason": "sample"}))
    assert trace(ledger, HOSPITAL, "undo_decommission", undo).code == "trace.not_decommissioner"
    late = ledger.time_ms + 10 * DAY_MS + 1000
    outcome = trace(ledger, PHARMACY, "undo_decommission", undo, time_ms=late)
    assert outcome.code == "trace.undo_window_closed"


def test_no_undo_for_recalled_or_expired(ledger: ContractHarness) -> None:
    for serial in ["S1", "S2"]:
        args = {"codes": [sgtin(serial)], "reason": "free_sample"}
        ok(trace(ledger, PHARMACY, "decommission", args, time_ms=AFTER_EXPIRY_MS - DAY_MS))
    outcome = trace(
        ledger, PHARMACY, "undo_decommission", {"codes": [sgtin("S1")]}, time_ms=AFTER_EXPIRY_MS
    )
    assert outcome.code == "trace.expired"
    ok(
        trace(
            ledger,
            MAKER,
            "recall",
            {"product_key": ITEM, "lot": LOT, "reason": "x"},
            time_ms=AFTER_EXPIRY_MS - DAY_MS // 2,
        )
    )
    outcome = trace(ledger, PHARMACY, "undo_decommission", {"codes": [sgtin("S2")]})
    assert outcome.code == "trace.recalled"
