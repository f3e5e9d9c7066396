"""A trace world for tests: a fake ``release`` contract, parties, products and one scenario.

``CONTRACTS`` and ``run`` make this module a determinism scenario (test_determinism.py runs
it twice and compares write sets); the builders are shared with the trace unit tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chaincode.api import Args, Context, Contract, Value, query, transaction
from chaincode.contracts.trace import TraceContract
from chaincode.executor import TxOutcome
from chaincode.testing import ContractHarness
from sdk.roles import Role

ITEM_GTIN = "09501101530003"
CASE_GTIN = "19501101530000"
ITEM = f"gtin:{ITEM_GTIN}"
CASE_PRODUCT = f"gtin:{CASE_GTIN}"
LOT = "L1"
PRODUCED = "2025-06-01"
EXPIRY = "2027-12-31"
SSCC = "(00)106141411234567897"
SSCC_KEY = "sscc:106141411234567897"
GLN = "0614141000005"
DAY_MS = 86_400_000

MAKER = ContractHarness.signer("acme", Role.MANUFACTURER)
ACME_QA = ContractHarness.signer("acme", Role.QA)
OTHER_MAKER = ContractHarness.signer("rival", Role.MANUFACTURER)
WHOLESALER = ContractHarness.signer("wholesale", Role.DISTRIBUTOR)
PHARMACY = ContractHarness.signer("corner", Role.PHARMACY)
HOSPITAL = ContractHarness.signer("general", Role.HOSPITAL)
REGULATOR = ContractHarness.signer("fda", Role.REGULATOR)


class BatchKeyArgs(Args):
    product_key: str
    lot: str


class SetBatchArgs(Args):
    product_key: str
    lot: str
    status: str
    released_markets: list[str]


class FakeRelease(Contract):
    """Just the release contract's ``batch_info`` query, over its own state."""

    name = "release"
    version = "0.0.1-test"

    @transaction()
    def set_batch(self, ctx: Context, args: SetBatchArgs) -> Value:
        markets: list[Value] = [*args.released_markets]
        ctx.put(
            f"{args.product_key}|{args.lot}", {"status": args.status, "released_markets": markets}
        )
        return None

    @query()
    def batch_info(self, ctx: Context, args: BatchKeyArgs) -> Value:
        return ctx.get(f"{args.product_key}|{args.lot}")


def contracts() -> list[Contract]:
    return [TraceContract(), FakeRelease()]


CONTRACTS = contracts


def sgtin(serial: str, gtin: str = ITEM_GTIN) -> str:
    """An element string (serial last, so no GS separator is needed)."""
    return f"01{gtin}21{serial}"


def key(serial: str, gtin: str = ITEM_GTIN) -> str:
    return f"sgtin:{gtin}.{serial}"


def ok(outcome: TxOutcome) -> Value:
    if not outcome.ok:
        raise AssertionError(f"expected ok, got {outcome.code}: {outcome.message}")
    return outcome.result


def trace(
    ledger: ContractHarness, signer: Any, function: str, args: Mapping[str, Any], **kw: Any
) -> TxOutcome:
    return ledger.invoke(signer, "trace", function, args, **kw)


def product_args(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "product_key": ITEM,
        "mah_org": "acme",
        "generic_name": "amoxicillin",
        "dosage_form": "capsule",
        "strength": "500 mg",
        "pack_size": 20,
        "packaging_level": "item",
        "markets": ["US", "DE"],
        "storage_min_centi_c": 1500,
        "storage_max_centi_c": 2500,
    }
    args.update(changes)
    return args


def set_release(
    ledger: ContractHarness, status: str, markets: list[str], *, product: str = ITEM, lot: str = LOT
) -> None:
    ok(
        ledger.invoke(
            MAKER,
            "release",
            "set_batch",
            {"product_key": product, "lot": lot, "status": status, "released_markets": markets},
        )
    )


def commission_args(serials: list[str], **changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "lot": LOT,
        "production_date": PRODUCED,
        "expiry": EXPIRY,
        "gtin": ITEM_GTIN,
        "serials": serials,
    }
    args.update(changes)
    return args


def world(*, released: bool = True, serials: int = 6) -> ContractHarness:
    """Products (item and case), a batch known to release, items S1.. and cases C1, C2."""
    ledger = ContractHarness(contracts())
    ok(trace(ledger, MAKER, "register_product", product_args()))
    ok(
        trace(
            ledger,
            MAKER,
            "register_product",
            product_args(
                product_key=CASE_PRODUCT, packaging_level="case", pack_size=10, base_product=ITEM
            ),
        )
    )
    set_release(ledger, "released" if released else "pending", ["US"] if released else [])
    ok(
        trace(
            ledger, MAKER, "commission", commission_args([f"S{i}" for i in range(1, serials + 1)])
        )
    )
    ok(
        trace(
            ledger,
            MAKER,
            "commission",
            commission_args(["C1", "C2"], gtin=CASE_GTIN),
        )
    )
    return ledger


def ship_args(codes: list[str], to_org: str = "wholesale", market: str = "US") -> dict[str, Any]:
    return {"codes": codes, "to_org": to_org, "to_gln": GLN, "market": market}


def deliver(ledger: ContractHarness, codes: list[str], to: Any, sender: Any = MAKER) -> None:
    ok(trace(ledger, sender, "ship", ship_args(codes, to_org=to.org_id)))
    ok(trace(ledger, to, "receive", {"codes": codes}))


def run(ledger: ContractHarness) -> None:
    """Every trace function once or more, happy paths and refusals, in a fixed order."""
    ok(trace(ledger, MAKER, "register_product", product_args()))
    ok(trace(ledger, MAKER, "register_product", product_args(markets=["US", "DE", "FR"])))
    ok(
        trace(
            ledger,
            MAKER,
            "register_product",
            product_args(
                product_key=CASE_PRODUCT, packaging_level="case", pack_size=10, base_product=ITEM
            ),
        )
    )
    trace(ledger, MAKER, "commission", commission_args(["S1"]))  # refused: no batch yet
    set_release(ledger, "pending", [])
    ok(trace(ledger, MAKER, "commission", commission_args([f"S{i}" for i in range(1, 9)])))
    ok(
        trace(
            ledger,
            MAKER,
            "commission",
            {
                **commission_args([]),
                "gtin": None,
                "serials": None,
                "codes": [sgtin("S9"), f"(01){ITEM_GTIN}(21)S10"],
            },
        )
    )
    trace(ledger, MAKER, "commission", commission_args(["S1", "S11"]))  # refused: duplicate
    ok(trace(ledger, MAKER, "commission", commission_args(["C1", "C2"], gtin=CASE_GTIN)))
    ok(trace(ledger, MAKER, "commission_containers", {"codes": [SSCC]}))
    ok(
        trace(
            ledger,
            MAKER,
            "aggregate",
            {"parent": sgtin("C1", CASE_GTIN), "children": [sgtin(f"S{i}") for i in range(1, 5)]},
        )
    )
    ok(
        trace(
            ledger,
            MAKER,
            "aggregate",
            {"parent": sgtin("C2", CASE_GTIN), "children": [sgtin("S5"), sgtin("S6")]},
        )
    )
    ok(
        trace(
            ledger,
            MAKER,
            "aggregate",
            {"parent": SSCC, "children": [sgtin("C1", CASE_GTIN), sgtin("C2", CASE_GTIN)]},
        )
    )
    trace(
        ledger, MAKER, "aggregate", {"parent": sgtin("C1", CASE_GTIN), "children": [SSCC]}
    )  # cycle
    ok(
        trace(
            ledger,
            MAKER,
            "disaggregate",
            {"parent": sgtin("C2", CASE_GTIN), "children": [sgtin("S6")]},
        )
    )
    ok(
        trace(
            ledger, MAKER, "repack", {"parent": sgtin("C2", CASE_GTIN), "children": [sgtin("S4")]}
        )
    )
    trace(ledger, MAKER, "ship", ship_args([SSCC]))  # refused: not released
    set_release(ledger, "released", ["US"])
    ok(trace(ledger, MAKER, "ship", ship_args([SSCC], to_org="wholesale")))
    trace(ledger, PHARMACY, "receive", {"codes": [SSCC]})  # refused: not the recipient
    ok(trace(ledger, WHOLESALER, "receive", {"codes": [SSCC], "gln": GLN}))
    ok(trace(ledger, WHOLESALER, "disaggregate", {"parent": SSCC}))
    ok(trace(ledger, WHOLESALER, "ship", ship_args([sgtin("C1", CASE_GTIN)], to_org="corner")))
    ok(trace(ledger, PHARMACY, "receive", {"codes": [sgtin("C1", CASE_GTIN)]}))
    ok(trace(ledger, PHARMACY, "dispense", {"code": sgtin("S1")}))
    ok(trace(ledger, PHARMACY, "dispense", {"code": sgtin("S1")}))  # alert: already dispensed
    ok(trace(ledger, PHARMACY, "return_dispense", {"code": sgtin("S1"), "reason": "unopened"}))
    ok(trace(ledger, PHARMACY, "decommission", {"codes": [sgtin("S2")], "reason": "sample"}))
    ok(trace(ledger, PHARMACY, "undo_decommission", {"codes": [sgtin("S2")]}))
    ok(trace(ledger, PHARMACY, "suspect", {"codes": [sgtin("S3")], "reason": "damaged seal"}))
    ok(
        trace(
            ledger, REGULATOR, "quarantine", {"codes": [sgtin("C2", CASE_GTIN)], "reason": "probe"}
        )
    )
    ok(
        trace(
            ledger,
            REGULATOR,
            "release_quarantine",
            {"codes": [sgtin("C2", CASE_GTIN)], "reason": "cleared"},
        )
    )
    ok(trace(ledger, REGULATOR, "recall", {"product_key": ITEM, "lot": LOT, "reason": "impurity"}))
    ok(trace(ledger, PHARMACY, "dispense", {"code": sgtin("S2")}))  # alert: recalled
    for function, args in [
        ("verify", {"code": sgtin("S1")}),
        ("history", {"code": sgtin("S1")}),
        ("batch_history", {"product_key": ITEM, "lot": LOT, "limit": 5}),
        ("batch_status", {"product_key": ITEM, "lot": LOT}),
        ("alerts", {}),
    ]:
        ledger.query(REGULATOR, "trace", function, args)
