"""verify (issue 6 item 12) and history / batch_history / alerts (item 13)."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.errors import InvalidTransaction
from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from tests.chaincode.contracts.scenario_trace import (
    CASE_GTIN,
    DAY_MS,
    ITEM,
    ITEM_GTIN,
    LOT,
    MAKER,
    OTHER_MAKER,
    PHARMACY,
    REGULATOR,
    SSCC,
    WHOLESALER,
    deliver,
    key,
    ok,
    sgtin,
    ship_args,
    trace,
    world,
)


@pytest.fixture
def ledger() -> ContractHarness:
    return world()


def _verify(ledger: ContractHarness, code: str) -> Any:
    return ledger.query(PHARMACY, "trace", "verify", {"code": code})


def _events(ledger: ContractHarness, code: str) -> list[tuple[str, str | None]]:
    answer = ledger.query(REGULATOR, "trace", "history", {"code": code})
    return [(e["event"], e["via"]) for e in answer["events"]]


# --- verify ---------------------------------------------------------------------------------


def test_verify_a_genuine_code(ledger: ContractHarness) -> None:
    answer = _verify(ledger, f"(01){ITEM_GTIN}(17)271231(10){LOT}(21)S1")
    assert answer["verified"] is True
    assert answer["verificationFailureReason"] is None
    assert answer["additionalInfo"] is None
    assert answer["product"]["generic_name"] == "amoxicillin"
    assert (answer["lot"], answer["expiry"], answer["status"]) == (LOT, "2027-12-31", "active")
    assert answer["custody"] == {"owner": "acme", "in_transit": False, "destination": None}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (sgtin("NOPE"), "No_match_GTIN_Serial"),
        ("12345670000000099999", "No_match_Code"),
        (f"(01){ITEM_GTIN}(10)L2(21)S1", "No_match_GTIN_Serial_Lot"),
        (f"(01){ITEM_GTIN}(17)280131(21)S1", "No_match_GTIN_Serial_Expiry"),
        (f"(01){ITEM_GTIN}(17)280131(10)L2(21)S1", "No_match_GTIN_Serial_Lot_Expiry"),
    ],
)
def test_verify_failure_reasons(ledger: ContractHarness, text: str, reason: str) -> None:
    answer = _verify(ledger, text)
    assert (answer["verified"], answer["verificationFailureReason"]) == (False, reason)


def test_verify_reports_expiry_from_the_block_date(ledger: ContractHarness) -> None:
    ledger.block([], time_ms=GENESIS_TIME_MS + 730 * DAY_MS)
    answer = _verify(ledger, sgtin("S1"))
    assert (answer["expired"], answer["additionalInfo"], answer["verified"]) == (
        True,
        "Expired",
        True,
    )


def test_verify_flags_stolen_as_illegitimate(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "decommission", {"codes": [sgtin("S1")], "reason": "stolen"}))
    answer = _verify(ledger, sgtin("S1"))
    assert (answer["status"], answer["additionalInfo"]) == ("stolen", "Illegitimate")


def test_verify_refuses_what_is_not_a_unit_code(ledger: ContractHarness) -> None:
    with pytest.raises(InvalidTransaction, match="no serial"):
        _verify(ledger, f"01{ITEM_GTIN}")


def test_any_signer_verifies(ledger: ContractHarness) -> None:
    anyone = ContractHarness.signer("public")
    assert ledger.query(anyone, "trace", "verify", {"code": sgtin("S2")})["verified"] is True


# --- history --------------------------------------------------------------------------------


def test_history_includes_parent_events_only_while_inside(ledger: ContractHarness) -> None:
    case = sgtin("C1", CASE_GTIN)
    ok(trace(ledger, MAKER, "commission_containers", {"codes": [SSCC]}))
    ok(trace(ledger, MAKER, "aggregate", {"parent": case, "children": [sgtin("S1")]}))
    ok(trace(ledger, MAKER, "aggregate", {"parent": SSCC, "children": [case]}))
    deliver(ledger, [SSCC], WHOLESALER)
    ok(trace(ledger, WHOLESALER, "disaggregate", {"parent": SSCC}))
    ok(trace(ledger, WHOLESALER, "disaggregate", {"parent": case}))
    deliver(ledger, [case], PHARMACY, sender=WHOLESALER)  # S1 is no longer inside
    sscc, c1 = "sscc:106141411234567897", key("C1", CASE_GTIN)
    assert _events(ledger, sgtin("S1")) == [
        ("commissioned", None),
        ("aggregated", None),
        ("packed", c1),
        ("aggregated", c1),
        ("packed", sscc),
        ("shipped", sscc),
        ("received", sscc),
        ("disaggregated", c1),
        ("disaggregated", None),
    ]


def test_history_entries_carry_height_time_and_org(ledger: ContractHarness) -> None:
    deliver(ledger, [sgtin("S1")], PHARMACY)
    ok(trace(ledger, PHARMACY, "dispense", {"code": sgtin("S1")}))
    events = ledger.query(REGULATOR, "trace", "history", {"code": sgtin("S1")})["events"]
    assert [(e["event"], e["org"]) for e in events] == [
        ("commissioned", "acme"),
        ("shipped", "acme"),
        ("received", "corner"),
        ("dispensed", "corner"),
    ]
    heights = [e["height"] for e in events]
    assert heights == sorted(heights)
    assert all(e["time_ms"] == GENESIS_TIME_MS + 1000 * e["height"] for e in events)


def test_history_shows_the_batch_recall(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "recall", {"product_key": ITEM, "lot": LOT, "reason": "x"}))
    assert _events(ledger, sgtin("S4"))[-1] == ("recalled", f"{ITEM}|{LOT}")


def test_two_transactions_in_one_block_keep_their_order(ledger: ContractHarness) -> None:
    ledger.block(
        [
            ledger.invocation(MAKER, "trace", "suspect", {"codes": [sgtin("S1")], "reason": "a"}),
            ledger.invocation(
                MAKER, "trace", "quarantine", {"codes": [sgtin("S1")], "reason": "b"}
            ),
        ]
    )
    events = ledger.query(REGULATOR, "trace", "history", {"code": sgtin("S1")})["events"]
    assert [(e["event"], e["position"][13:19]) for e in events[1:]] == [
        ("suspect", "000000"),
        ("quarantined", "000001"),
    ]


def test_batch_history_pages_with_a_cursor(ledger: ContractHarness) -> None:
    for serial in ["S1", "S2", "S3"]:
        deliver(ledger, [sgtin(serial)], WHOLESALER)
    args: dict[str, Any] = {"product_key": ITEM, "lot": LOT, "limit": 3}
    seen: list[str] = []
    while True:
        page = ledger.query(REGULATOR, "trace", "batch_history", args)
        seen.extend(e["event"] for e in page["events"])
        if page["next"] is None:
            break
        args = {**args, "after": page["next"]}
    assert seen == ["commissioned", "commissioned"] + ["shipped", "received"] * 3


def test_batch_history_rejections(ledger: ContractHarness) -> None:
    with pytest.raises(InvalidTransaction, match="cursor"):
        ledger.query(
            REGULATOR, "trace", "batch_history", {"product_key": ITEM, "lot": LOT, "after": "x"}
        )
    with pytest.raises(InvalidTransaction, match="regulators"):
        ledger.query(OTHER_MAKER, "trace", "batch_history", {"product_key": ITEM, "lot": LOT})
    with pytest.raises(InvalidTransaction) as refused:
        ledger.query(PHARMACY, "trace", "batch_history", {"product_key": ITEM, "lot": LOT})
    assert refused.value.code == "permission.missing_role"


def test_alerts_are_listed_for_regulators(ledger: ContractHarness) -> None:
    deliver(ledger, [sgtin("S1")], PHARMACY)
    for _ in range(3):
        ok(trace(ledger, PHARMACY, "dispense", {"code": sgtin("S1")}))
    first = ledger.query(REGULATOR, "trace", "alerts", {"limit": 1})
    assert [a["data"]["reason"] for a in first["alerts"]] == ["already_dispensed"]
    rest = ledger.query(REGULATOR, "trace", "alerts", {"after": first["next"]})
    assert (len(rest["alerts"]), rest["next"]) == (1, None)


def test_in_transit_custody_is_public_but_commercial_data_is_not(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "ship", {**ship_args([sgtin("S1")]), "business_refs": ["inv:99"]}))
    answer = _verify(ledger, sgtin("S1"))
    assert answer["custody"] == {"owner": "acme", "in_transit": True, "destination": "wholesale"}
    assert "inv:99" not in repr(answer)
