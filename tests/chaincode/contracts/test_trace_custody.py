"""Aggregation (issue 6 item 8) and custody: ship and receive (item 9, issue 7 item 12)."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.testing import ContractHarness
from tests.chaincode.contracts.scenario_trace import (
    CASE_GTIN,
    GLN,
    ITEM,
    LOT,
    MAKER,
    PHARMACY,
    REGULATOR,
    SSCC,
    SSCC_KEY,
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

C1 = sgtin("C1", CASE_GTIN)
C2 = sgtin("C2", CASE_GTIN)


@pytest.fixture
def ledger() -> ContractHarness:
    return world()


def _verify(ledger: ContractHarness, code: str) -> Any:
    return ledger.query(PHARMACY, "trace", "verify", {"code": code})


def _pack(ledger: ContractHarness, parent: str, *children: str, signer: Any = MAKER) -> Any:
    return trace(ledger, signer, "aggregate", {"parent": parent, "children": list(children)})


def _pallet(ledger: ContractHarness) -> None:
    """SSCC ⊃ {C1 ⊃ {S1, S2}, C2 ⊃ {S3}}."""
    ok(trace(ledger, MAKER, "commission_containers", {"codes": [SSCC]}))
    ok(_pack(ledger, C1, sgtin("S1"), sgtin("S2")))
    ok(_pack(ledger, C2, sgtin("S3")))
    ok(_pack(ledger, SSCC, C1, C2))


# --- aggregation ----------------------------------------------------------------------------


def test_aggregate_records_both_directions(ledger: ContractHarness) -> None:
    ok(_pack(ledger, C1, sgtin("S1"), sgtin("S2")))
    c1 = key("C1", CASE_GTIN)
    assert ledger.state.get("trace", f"child/{c1}|{key('S1')}") == 1
    assert ledger.state.get("trace", f"parent/{key('S2')}") == c1
    assert ledger.events_of("trace", "aggregated") == [
        {"parent": c1, "children": [key("S1"), key("S2")]}
    ]


def test_a_child_cannot_be_in_two_parents(ledger: ContractHarness) -> None:
    ok(_pack(ledger, C1, sgtin("S1")))
    assert _pack(ledger, C2, sgtin("S1")).code == "trace.already_aggregated"


def test_cycles_are_refused(ledger: ContractHarness) -> None:
    _pallet(ledger)
    assert _pack(ledger, C1, SSCC).code == "trace.cycle"
    assert _pack(ledger, C1, C1).code == "trace.duplicate_code"


@pytest.mark.parametrize(
    ("parent", "children", "code"),
    [
        (sgtin("S1"), [sgtin("S2")], "trace.bad_parent"),
        (C1, [sgtin("NOPE")], "trace.unknown_code"),
        (C1, ["garbage"], "trace.bad_code"),
    ],
)
def test_aggregate_rejections(
    ledger: ContractHarness, parent: str, children: list[str], code: str
) -> None:
    assert _pack(ledger, parent, *children).code == code


def test_a_pallet_does_not_go_into_a_case(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "commission_containers", {"codes": [SSCC]}))
    assert _pack(ledger, C1, SSCC).code == "trace.bad_parent"


def test_only_the_owner_packs_codes_at_rest(ledger: ContractHarness) -> None:
    deliver(ledger, [sgtin("S1")], WHOLESALER)
    assert _pack(ledger, C1, sgtin("S1")).code == "trace.not_owner"
    ok(trace(ledger, MAKER, "ship", ship_args([sgtin("S2")])))
    assert _pack(ledger, C1, sgtin("S2")).code == "trace.in_transit"


def test_held_or_retired_codes_are_not_packed(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "suspect", {"codes": [sgtin("S1")], "reason": "dent"}))
    assert _pack(ledger, C1, sgtin("S1")).code == "trace.on_hold"
    ok(trace(ledger, MAKER, "decommission", {"codes": [sgtin("S2")], "reason": "destroyed"}))
    assert _pack(ledger, C1, sgtin("S2")).code == "trace.not_active"


def test_disaggregate_some_then_all(ledger: ContractHarness) -> None:
    ok(_pack(ledger, C1, sgtin("S1"), sgtin("S2"), sgtin("S3")))
    ok(trace(ledger, MAKER, "disaggregate", {"parent": C1, "children": [sgtin("S2")]}))
    assert _verify(ledger, sgtin("S2"))["custody"]["owner"] == "acme"
    assert ledger.state.get("trace", f"parent/{key('S2')}") is None
    result = ok(trace(ledger, MAKER, "disaggregate", {"parent": C1}))
    assert result == {"parent": key("C1", CASE_GTIN), "children": [key("S1"), key("S3")]}
    assert ledger.state.get("trace", f"parent/{key('S1')}") is None


def test_disaggregate_refuses_strangers(ledger: ContractHarness) -> None:
    ok(_pack(ledger, C1, sgtin("S1")))
    outcome = trace(ledger, MAKER, "disaggregate", {"parent": C1, "children": [sgtin("S2")]})
    assert outcome.code == "trace.not_in_parent"


def test_repack_moves_children_between_parents(ledger: ContractHarness) -> None:
    ok(_pack(ledger, C1, sgtin("S1"), sgtin("S2")))
    ok(trace(ledger, MAKER, "repack", {"parent": C2, "children": [sgtin("S2"), sgtin("S3")]}))
    assert ledger.state.get("trace", f"parent/{key('S2')}") == key("C2", CASE_GTIN)
    assert ledger.state.get("trace", f"parent/{key('S1')}") == key("C1", CASE_GTIN)
    outcome = trace(ledger, MAKER, "repack", {"parent": C2, "children": [sgtin("S2")]})
    assert outcome.code == "trace.already_aggregated"


# --- ship and receive -----------------------------------------------------------------------


def test_shipping_a_pallet_moves_its_whole_hierarchy(ledger: ContractHarness) -> None:
    _pallet(ledger)
    result = ok(trace(ledger, MAKER, "ship", ship_args([SSCC])))
    assert isinstance(result, dict)
    assert result["count"] == 6
    item = _verify(ledger, sgtin("S2"))
    assert (item["status"], item["custody"]) == (
        "in_transit",
        {"owner": "acme", "in_transit": True, "destination": "wholesale"},
    )
    ok(trace(ledger, WHOLESALER, "receive", {"codes": [SSCC], "gln": GLN}))
    assert _verify(ledger, sgtin("S3"))["custody"] == {
        "owner": "wholesale",
        "in_transit": False,
        "destination": None,
    }
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|wholesale") == 5
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|acme") == 3


def test_shipment_keeps_commercial_data_apart(ledger: ContractHarness) -> None:
    digest = "ab" * 32
    args = {**ship_args([sgtin("S1")]), "business_refs": ["po:4711"], "document_hashes": [digest]}
    result = ok(trace(ledger, MAKER, "ship", args))
    assert isinstance(result, dict)
    shipment = ledger.state.get("trace", f"shipment/{result['shipment']}")
    assert isinstance(shipment, dict)
    assert (shipment["business_refs"], shipment["document_hashes"]) == (["po:4711"], [digest])
    public = repr(_verify(ledger, sgtin("S1")))
    assert digest not in public
    assert "4711" not in public


def test_shipping_needs_release_for_the_destination_market() -> None:
    ledger = world(released=False)
    assert trace(ledger, MAKER, "ship", ship_args([sgtin("S1")])).code == (
        "trace.batch_not_released"
    )
    set_release(ledger, "released", ["DE"])
    assert trace(ledger, MAKER, "ship", ship_args([sgtin("S1")], market="US")).code == (
        "trace.batch_not_released"
    )
    ok(trace(ledger, MAKER, "ship", ship_args([sgtin("S1")], market="DE")))


def test_shipping_needs_the_product_authorised_in_the_market(ledger: ContractHarness) -> None:
    set_release(ledger, "released", ["US", "JP"])
    outcome = trace(ledger, MAKER, "ship", ship_args([sgtin("S1")], market="JP"))
    assert outcome.code == "trace.market_not_authorized"


def test_a_case_of_an_unreleased_batch_is_refused_whole(ledger: ContractHarness) -> None:
    _pallet(ledger)
    set_release(ledger, "quarantined", [])
    assert trace(ledger, MAKER, "ship", ship_args([SSCC])).code == "trace.batch_not_released"
    assert _verify(ledger, sgtin("S1"))["custody"]["in_transit"] is False


def test_ship_rejections(ledger: ContractHarness) -> None:
    ok(_pack(ledger, C1, sgtin("S1")))
    assert trace(ledger, MAKER, "ship", ship_args([sgtin("S1")])).code == "trace.aggregated"
    assert trace(ledger, WHOLESALER, "ship", ship_args([sgtin("S2")])).code == "trace.not_owner"
    ok(trace(ledger, MAKER, "ship", ship_args([sgtin("S2")])))
    assert trace(ledger, MAKER, "ship", ship_args([sgtin("S2")])).code == "trace.in_transit"
    bad_gln = {**ship_args([sgtin("S3")]), "to_gln": "0614141000006"}
    assert trace(ledger, MAKER, "ship", bad_gln).code == "trace.bad_argument"
    assert trace(ledger, REGULATOR, "ship", ship_args([sgtin("S3")])).code == (
        "permission.missing_role"
    )


@pytest.mark.parametrize(
    ("function", "args", "code"),
    [
        ("suspect", {"codes": [sgtin("S1")], "reason": "x"}, "trace.on_hold"),
        ("quarantine", {"codes": [sgtin("S1")], "reason": "x"}, "trace.on_hold"),
        ("decommission", {"codes": [sgtin("S1")], "reason": "destroyed"}, "trace.not_active"),
        ("recall", {"product_key": ITEM, "lot": LOT, "reason": "x"}, "trace.recalled"),
    ],
)
def test_held_retired_or_recalled_codes_are_not_shipped(
    ledger: ContractHarness, function: str, args: dict[str, Any], code: str
) -> None:
    ok(trace(ledger, MAKER, function, args))
    assert trace(ledger, MAKER, "ship", ship_args([sgtin("S1")])).code == code


def test_a_retired_code_inside_a_case_blocks_the_case(ledger: ContractHarness) -> None:
    ok(_pack(ledger, C1, sgtin("S1")))
    ok(trace(ledger, MAKER, "suspect", {"codes": [sgtin("S1")], "reason": "x"}))
    assert trace(ledger, MAKER, "ship", ship_args([C1])).code == "trace.on_hold"


def test_receive_rejections(ledger: ContractHarness) -> None:
    assert trace(ledger, WHOLESALER, "receive", {"codes": [sgtin("S1")]}).code == (
        "trace.not_in_transit"
    )
    ok(trace(ledger, MAKER, "ship", ship_args([sgtin("S1")])))
    assert trace(ledger, PHARMACY, "receive", {"codes": [sgtin("S1")]}).code == (
        "trace.not_recipient"
    )
    bad = {"codes": [sgtin("S1")], "gln": "0614141000006"}
    assert trace(ledger, WHOLESALER, "receive", bad).code == "trace.bad_argument"
    ok(trace(ledger, WHOLESALER, "receive", {"codes": [sgtin("S1")]}))


def test_a_shipment_is_received_by_its_shipped_codes(ledger: ContractHarness) -> None:
    _pallet(ledger)
    ok(trace(ledger, MAKER, "ship", ship_args([SSCC])))
    outcome = trace(ledger, WHOLESALER, "receive", {"codes": [C1]})
    assert outcome.code == "trace.aggregated"
    assert _verify(ledger, sgtin("S1"))["custody"]["owner"] == "acme"


def test_custody_moves_along_the_chain(ledger: ContractHarness) -> None:
    deliver(ledger, [sgtin("S1")], WHOLESALER)
    deliver(ledger, [sgtin("S1")], PHARMACY, sender=WHOLESALER)
    assert _verify(ledger, sgtin("S1"))["custody"]["owner"] == "corner"
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|wholesale") is None
    assert [e["to"] for e in ledger.events_of("trace", "shipped")] == ["wholesale", "corner"]


def test_containers_ship_without_release_checks_of_their_own(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "commission_containers", {"codes": [SSCC]}))
    ok(trace(ledger, MAKER, "ship", ship_args([SSCC])))
    assert _verify(ledger, SSCC_KEY)["custody"]["in_transit"] is True
