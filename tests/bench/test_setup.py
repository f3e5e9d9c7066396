"""The bench's preparation and measured transactions are valid against the real contracts."""

from __future__ import annotations

from bench import setup
from bench.scenarios import single_event
from sdk.codes import parse_code
from tests.bench.harness import HarnessLedger


def test_batch_codes_are_canonical_sgtins_of_the_bench_product() -> None:
    batch = setup.Batch("0A1B2C3D")
    code = batch.code(7)
    assert code == "sgtin:09501101530003.0A1B2C3D00000007"
    assert parse_code(f"01{setup.ITEM_GTIN}21{batch.serial(7)}") is not None
    assert batch.lot == "L0A1B2C3D"
    assert setup.Batch.fresh().tag != setup.Batch.fresh().tag


def test_commissioning_is_split_into_transactions_of_per_tx_serials() -> None:
    specs = setup.commission(setup.Batch("AB"), range(2, 12), per_tx=4)
    assert [s.units for s in specs] == [4, 4, 2]
    assert [len(s.args["serials"]) for s in specs] == [4, 4, 2]
    assert specs[0].args["serials"][0] == "AB00000002"
    assert specs[-1].args["serials"][-1] == "AB00000011"
    assert {s.signer for s in specs} == {setup.MAKER}


def test_split_three_and_interleave_keep_every_item_once() -> None:
    codes = [f"c{i}" for i in range(8)]
    first, second, third = single_event.split_three(codes)
    assert [*first, *second, *third] == codes
    assert (len(first), len(second), len(third)) == (3, 3, 2)
    mixed = single_event.interleave(
        [setup.dispense("a"), setup.dispense("b")], [setup.dispense("c")]
    )
    assert [s.args["code"] for s in mixed] == ["a", "c", "b"]


def test_a_released_batch_can_be_commissioned_and_shipped() -> None:
    ledger = HarnessLedger()
    batch = setup.released_batch(ledger, 10)
    info = ledger.query(
        "release", "batch_info", {"product_key": setup.PRODUCT, "lot": batch.lot}, signer="maker"
    )
    assert info["status"] == "released"
    assert info["released_markets"] == [setup.MARKET]
    outcomes = ledger.run(setup.commission(batch, range(10), per_tx=10))
    assert [o.ok for o in outcomes] == [True]


def test_every_prepared_single_event_transaction_commits_ok() -> None:
    ledger = HarnessLedger()
    events = single_event.prepare(ledger, 9, lambda _message: None)
    assert [e.function for e in events[:3]] == ["ship", "receive", "dispense"]
    outcomes = ledger.run(events)
    assert [(o.code, o.message) for o in outcomes if not o.ok] == []
    dispenses = [
        o.result for e, o in zip(events, outcomes, strict=True) if e.function == "dispense"
    ]
    assert len(dispenses) == 3
    assert all(isinstance(r, dict) and r.get("dispensed") is True for r in dispenses), dispenses
