"""A QA decision on a cold-chain excursion carries through to the codes in trace.

Real coldchain and trace contracts (release is the trace tests' stand-in): a pallet of
cases and packs travels on a logged leg, an excursion quarantines all of it in a nested
call, and the QA decision lifts (release) or keeps (reject, destroy) that quarantine in the
same transaction.
"""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.contracts.coldchain import ColdChainContract
from chaincode.contracts.trace import TraceContract
from chaincode.executor import TxOutcome
from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from tests.chaincode.contracts.scenario_coldchain import (
    HOUR,
    LOGISTICS,
    MAKER_QA,
    PRODUCT,
    device_args,
    leg_args,
    readings,
)
from tests.chaincode.contracts.scenario_coldchain import contracts as coldchain_with_fake_trace
from tests.chaincode.contracts.scenario_trace import (
    ACME_QA,
    CASE_GTIN,
    CASE_PRODUCT,
    ITEM,
    LOT,
    MAKER,
    REGULATOR,
    SSCC,
    SSCC_KEY,
    FakeRelease,
    commission_args,
    key,
    ok,
    product_args,
    set_release,
    trace,
)

START = GENESIS_TIME_MS + HOUR
PALLET = SSCC_KEY
CASE = key("C1", CASE_GTIN)
PACKS = [key(f"S{i}") for i in range(1, 4)]
OUTSIDE = key("S4")
"""A pack of the same batch that never travelled on the leg."""


@pytest.fixture
def ledger() -> ContractHarness:
    """Three packs in a case on a pallet, on a leg whose excursions acme's QA decides."""
    h = ContractHarness([ColdChainContract(), TraceContract(), FakeRelease()])
    ok(trace(h, MAKER, "register_product", product_args()))
    case_product = product_args(
        product_key=CASE_PRODUCT, packaging_level="case", pack_size=10, base_product=ITEM
    )
    ok(trace(h, MAKER, "register_product", case_product))
    set_release(h, "released", ["US"])
    ok(trace(h, MAKER, "commission", commission_args([f"S{i}" for i in range(1, 5)])))
    ok(trace(h, MAKER, "commission", commission_args(["C1"], gtin=CASE_GTIN)))
    ok(trace(h, MAKER, "commission_containers", {"codes": [SSCC], "level": "pallet"}))
    ok(trace(h, MAKER, "aggregate", {"parent": CASE, "children": PACKS}))
    ok(trace(h, MAKER, "aggregate", {"parent": PALLET, "children": [CASE]}))
    ok(h.invoke(LOGISTICS, "coldchain", "register_device", device_args()))
    leg = leg_args(
        ssccs=[SSCC_KEY.removeprefix("sscc:")],
        batches=[{"product_key": ITEM, "lot": LOT}],
        responsible_org="acme",
    )
    ok(h.invoke(LOGISTICS, "coldchain", "create_leg", leg))
    return h


def doc(value: Any) -> dict[str, Any]:
    """A contract result or query answer that must be a map."""
    assert isinstance(value, dict), value
    return value


def excursion(h: ContractHarness) -> dict[str, Any]:
    """A frozen reading on the freeze-sensitive leg: excursion 1, the pallet quarantined."""
    outcome = h.invoke(
        LOGISTICS, "coldchain", "submit_readings", readings(START, [-50]), time_ms=START + 10_000
    )
    return doc(doc(ok(outcome))["excursion"])


def decide(h: ContractHarness, decision: str, signer: Any = ACME_QA) -> TxOutcome:
    args = {"leg": "LEG1", "number": 1, "decision": decision, "reason": "stability data"}
    return h.invoke(signer, "coldchain", "resolve_excursion", args)


def holds(h: ContractHarness, *codes: str) -> list[Any]:
    return [doc(h.query(MAKER, "trace", "verify", {"code": c}))["hold"] for c in codes]


def test_an_excursion_quarantines_the_whole_pallet(ledger: ContractHarness) -> None:
    record = excursion(ledger)
    assert record["quarantine"] == {"requested": 1, "ok": True, "code": None}
    assert holds(ledger, PALLET, CASE, *PACKS, OUTSIDE) == [*["quarantined"] * 5, None]


def test_qa_release_lifts_the_quarantine_in_the_same_transaction(
    ledger: ContractHarness,
) -> None:
    excursion(ledger)
    decided = doc(ok(decide(ledger, "release")))
    assert decided["status"] == "released"
    assert decided["decision"]["codes"] == {
        "action": "lift",
        "requested": 1,
        "ok": True,
        "code": None,
    }
    assert holds(ledger, PALLET, CASE, *PACKS) == [None] * 5
    written = {(w.namespace, w.key.split("/")[0]) for w in ledger.write_sets[-1]}
    assert {("coldchain", "excursion"), ("trace", "code")} <= written, written
    [lifted] = ledger.events_of("trace", "hold_released")
    assert doc(lifted)["count"] == 5
    assert "LEG1/1" in doc(lifted)["reason"]
    # The pallet ships again once its quarantine is lifted.
    ship = {"codes": [PALLET], "to_org": "wholesale", "to_gln": "0614141000005", "market": "US"}
    ok(trace(ledger, MAKER, "ship", ship))


@pytest.mark.parametrize("decision", ["reject", "destroy"])
def test_reject_and_destroy_keep_the_codes_quarantined(
    ledger: ContractHarness, decision: str
) -> None:
    excursion(ledger)
    decided = doc(ok(decide(ledger, decision)))
    assert decided["decision"]["codes"]["action"] == "kept_quarantined"
    assert holds(ledger, PALLET, CASE, *PACKS) == ["quarantined"] * 5
    [condemned] = ledger.events_of("coldchain", "coldchain.codes_condemned")
    assert condemned == {
        "id": "LEG1/1",
        "decision": decision,
        "codes": [PALLET.removeprefix("sscc:")],
    }
    ship = {"codes": [PALLET], "to_org": "wholesale", "to_gln": "0614141000005", "market": "US"}
    assert trace(ledger, MAKER, "ship", ship).code == "trace.on_hold"


def test_release_leaves_holds_the_excursion_did_not_place(ledger: ContractHarness) -> None:
    ok(trace(ledger, ACME_QA, "quarantine", {"codes": [PACKS[0]], "reason": "counterfeit?"}))
    ok(trace(ledger, REGULATOR, "quarantine", {"codes": [PACKS[1]], "reason": "inspection"}))
    excursion(ledger)
    ok(decide(ledger, "release"))
    assert holds(ledger, PALLET, CASE, *PACKS) == [None, None, "quarantined", "quarantined", None]
    info = doc(ledger.query(MAKER, "trace", "verify", {"code": PACKS[0]}))
    assert info["additionalInfo"] == "Suspect"


def test_release_after_qa_lifted_by_hand_still_commits(ledger: ContractHarness) -> None:
    excursion(ledger)
    ok(trace(ledger, ACME_QA, "release_quarantine", {"codes": [PALLET], "reason": "by hand"}))
    decided = doc(ok(decide(ledger, "release")))
    assert decided["decision"]["codes"]["ok"] is True
    assert doc(ledger.events_of("trace", "hold_released")[-1])["count"] == 0
    assert decided["status"] == "released"


def test_a_refused_lift_is_recorded_and_the_decision_stands() -> None:
    """Trace refuses the lift (here: a trace without ``release_quarantine``)."""
    h = ContractHarness(coldchain_with_fake_trace())
    ok(h.invoke(LOGISTICS, "coldchain", "register_device", device_args()))
    ok(h.invoke(LOGISTICS, "coldchain", "create_leg", leg_args()))
    excursion(h)
    decided = doc(ok(decide(h, "release", MAKER_QA)))
    assert decided["status"] == "released"
    assert decided["decision"]["codes"] == {
        "action": "lift",
        "requested": 1,
        "ok": False,
        "code": "contract.unknown_function",
    }
    [refused] = h.events_of("coldchain", "coldchain.quarantine_lift_refused")
    assert (doc(refused)["id"], doc(refused)["code"]) == ("LEG1/1", "contract.unknown_function")
    assert (
        h.query(MAKER_QA, "coldchain", "open_excursions", {"product_key": PRODUCT, "lot": "LOT1"})
        == []
    )


def test_nothing_is_lifted_when_the_quarantine_was_refused(ledger: ContractHarness) -> None:
    leg = leg_args(leg="LEG2", codes=[key("NEVER-MADE")], ssccs=[], responsible_org="acme")
    ok(ledger.invoke(LOGISTICS, "coldchain", "create_leg", leg))
    outcome = ledger.invoke(
        LOGISTICS,
        "coldchain",
        "submit_readings",
        readings(START, [-50], leg="LEG2"),
        time_ms=START + 10_000,
    )
    assert doc(ok(outcome))["excursion"]["quarantine"]["code"] == "trace.unknown_code"
    args = {"leg": "LEG2", "number": 1, "decision": "release", "reason": "stability data"}
    decided = doc(ok(ledger.invoke(ACME_QA, "coldchain", "resolve_excursion", args)))
    assert decided["decision"]["codes"]["action"] == "none"
    assert ledger.events_of("trace", "hold_released") == []


def test_a_decision_needs_the_responsible_orgs_qa(ledger: ContractHarness) -> None:
    excursion(ledger)
    rival_qa = ContractHarness.signer("rival", *ACME_QA.roles)
    assert decide(ledger, "release", rival_qa).code == "coldchain.not_responsible_qa"
    assert holds(ledger, PALLET) == ["quarantined"]
