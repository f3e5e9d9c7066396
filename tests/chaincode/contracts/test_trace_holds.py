"""Recall by batch, suspect / quarantine / release of codes (issue 6 item 11)."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.api import Args, Context, Contract, Value, transaction
from chaincode.errors import InvalidTransaction
from chaincode.testing import ContractHarness
from tests.chaincode.contracts.scenario_trace import (
    ACME_QA,
    CASE_GTIN,
    ITEM,
    LOT,
    MAKER,
    OTHER_MAKER,
    PHARMACY,
    REGULATOR,
    WHOLESALER,
    contracts,
    deliver,
    key,
    ok,
    product_args,
    set_release,
    sgtin,
    trace,
    world,
)

RECALL = {"product_key": ITEM, "lot": LOT, "reason": "nitrosamine above limit"}


class ExcursionArgs(Args):
    codes: list[str]


class FakeColdchain(Contract):
    """Quarantines a shipment's codes the way the cold-chain contract does on an excursion."""

    name = "coldchain"
    version = "0.0.1-test"

    @transaction()
    def excursion(self, ctx: Context, args: ExcursionArgs) -> Value:
        return ctx.call("trace", "quarantine", {"codes": args.codes, "reason": "excursion"})


class Impostor(FakeColdchain):
    name = "impostor"


@pytest.fixture
def ledger() -> ContractHarness:
    ledger = ContractHarness([*contracts(), FakeColdchain(), Impostor()])
    ok(trace(ledger, MAKER, "register_product", product_args()))
    ok(
        trace(
            ledger,
            MAKER,
            "register_product",
            product_args(
                product_key=f"gtin:{CASE_GTIN}",
                packaging_level="case",
                pack_size=10,
                base_product=ITEM,
            ),
        )
    )
    set_release(ledger, "released", ["US"])
    args = {"lot": LOT, "production_date": "2025-06-01", "expiry": "2027-12-31"}
    ok(
        trace(
            ledger,
            MAKER,
            "commission",
            {**args, "gtin": "09501101530003", "serials": [f"S{i}" for i in range(1, 7)]},
        )
    )
    ok(trace(ledger, MAKER, "commission", {**args, "gtin": CASE_GTIN, "serials": ["C1"]}))
    return ledger


def _verify(ledger: ContractHarness, serial: str, gtin: str | None = None) -> Any:
    code = sgtin(serial) if gtin is None else sgtin(serial, gtin)
    return ledger.query(PHARMACY, "trace", "verify", {"code": code})


def _hold(ledger: ContractHarness, signer: Any, function: str, *codes: str) -> Any:
    return trace(ledger, signer, function, {"codes": list(codes), "reason": "check"})


# --- recall ---------------------------------------------------------------------------------


def test_recall_is_one_write_and_reaches_every_code(ledger: ContractHarness) -> None:
    case = sgtin("C1", CASE_GTIN)
    ok(trace(ledger, MAKER, "aggregate", {"parent": case, "children": [sgtin("S1")]}))
    deliver(ledger, [sgtin("S2")], PHARMACY)
    deliver(ledger, [sgtin("S3")], WHOLESALER)
    result = ok(trace(ledger, MAKER, "recall", RECALL))
    assert isinstance(result, dict)
    assert result["holders"] == ["acme", "corner", "wholesale"]
    touched = {w.key.split("/")[0] for w in ledger.write_sets[-1]}
    assert touched == {"batch", "blog", "meta"}
    assert all(_verify(ledger, s)["recalled"] for s in ["S1", "S2", "S3", "S6"])
    assert _verify(ledger, "C1", CASE_GTIN)["additionalInfo"] == "Recalled"
    [event] = ledger.events_of("trace", "recalled")
    assert (event["lot"], event["holders"]) == (LOT, ["acme", "corner", "wholesale"])


def test_holders_leave_the_scope_when_they_dispense_everything(ledger: ContractHarness) -> None:
    deliver(ledger, [sgtin("S1")], PHARMACY)
    ok(trace(ledger, PHARMACY, "dispense", {"code": sgtin("S1")}))
    status = ledger.query(REGULATOR, "trace", "batch_status", {"product_key": ITEM, "lot": LOT})
    assert status["holders"] == ["acme"]


def test_a_regulator_recalls_any_batch(ledger: ContractHarness) -> None:
    ok(trace(ledger, REGULATOR, "recall", RECALL))
    assert trace(ledger, REGULATOR, "recall", RECALL).code == "trace.already_recalled"


@pytest.mark.parametrize(
    ("signer", "args", "code"),
    [
        (OTHER_MAKER, RECALL, "trace.not_mah"),
        (PHARMACY, RECALL, "permission.missing_role"),
        (MAKER, {**RECALL, "lot": "L9"}, "trace.unknown_batch"),
    ],
)
def test_recall_rejections(
    ledger: ContractHarness, signer: Any, args: dict[str, Any], code: str
) -> None:
    assert trace(ledger, signer, "recall", args).code == code


# --- holds ----------------------------------------------------------------------------------


def test_quarantine_walks_the_hierarchy(ledger: ContractHarness) -> None:
    case = sgtin("C1", CASE_GTIN)
    ok(trace(ledger, MAKER, "aggregate", {"parent": case, "children": [sgtin("S1"), sgtin("S2")]}))
    result = ok(_hold(ledger, ACME_QA, "quarantine", case))
    assert result == {"count": 3, "kind": "quarantined"}
    assert [_verify(ledger, s)["hold"] for s in ["S1", "S2", "S3"]] == [
        "quarantined",
        "quarantined",
        None,
    ]
    assert _verify(ledger, "S1")["additionalInfo"] == "Suspect"
    ok(_hold(ledger, ACME_QA, "release_quarantine", case))
    assert _verify(ledger, "S2")["hold"] is None


def test_suspect_never_weakens_quarantine(ledger: ContractHarness) -> None:
    ok(_hold(ledger, ACME_QA, "quarantine", sgtin("S1")))
    assert ok(_hold(ledger, ACME_QA, "suspect", sgtin("S1"), sgtin("S2"))) == {
        "count": 1,
        "kind": "suspect",
    }
    assert [_verify(ledger, s)["hold"] for s in ["S1", "S2"]] == ["quarantined", "suspect"]
    ok(_hold(ledger, ACME_QA, "quarantine", sgtin("S2")))
    assert _verify(ledger, "S2")["hold"] == "quarantined"


def test_owner_places_and_lifts_its_own_holds(ledger: ContractHarness) -> None:
    deliver(ledger, [sgtin("S1")], PHARMACY)
    ok(_hold(ledger, PHARMACY, "suspect", sgtin("S1")))
    ok(_hold(ledger, PHARMACY, "release_quarantine", sgtin("S1")))
    assert _hold(ledger, PHARMACY, "suspect", sgtin("S2")).code == "trace.not_allowed"


def test_a_regulators_hold_needs_a_regulator_to_lift(ledger: ContractHarness) -> None:
    ok(_hold(ledger, REGULATOR, "quarantine", sgtin("S1")))
    assert _hold(ledger, ACME_QA, "release_quarantine", sgtin("S1")).code == (
        "trace.release_needs_regulator"
    )
    ok(_hold(ledger, REGULATOR, "release_quarantine", sgtin("S1")))


def test_release_of_a_code_not_on_hold_is_refused(ledger: ContractHarness) -> None:
    assert _hold(ledger, ACME_QA, "release_quarantine", sgtin("S1")).code == "trace.not_on_hold"


def test_the_coldchain_contract_quarantines_in_a_nested_call(ledger: ContractHarness) -> None:
    device = ContractHarness.signer("carrier", name="logger-7")
    codes = [sgtin("S1"), key("S2")]
    outcome = ledger.invoke(device, "coldchain", "excursion", {"codes": codes})
    assert ok(outcome) == {"count": 2, "kind": "quarantined"}
    assert _verify(ledger, "S2")["hold"] == "quarantined"
    refused = ledger.invoke(device, "impostor", "excursion", {"codes": codes})
    assert refused.code == "trace.not_allowed"
    assert _hold(ledger, device, "quarantine", sgtin("S3")).code == "trace.not_allowed"


def test_holds_need_known_codes(ledger: ContractHarness) -> None:
    assert _hold(ledger, ACME_QA, "quarantine", sgtin("NOPE")).code == "trace.unknown_code"
    assert _hold(ledger, ACME_QA, "quarantine", "bogus").code == "trace.bad_code"


def test_batch_status_is_for_regulators_and_the_mah() -> None:
    ledger = world()
    status = ledger.query(MAKER, "trace", "batch_status", {"product_key": ITEM, "lot": LOT})
    assert (status["codes"], status["holders"], status["release_status"]) == (
        8,
        ["acme"],
        "released",
    )
    with pytest.raises(InvalidTransaction, match="regulators"):
        ledger.query(OTHER_MAKER, "trace", "batch_status", {"product_key": ITEM, "lot": LOT})
