"""Products (issue 6 item 6) and bulk commissioning (item 7) of the trace contract."""

from __future__ import annotations

from typing import Any

import pytest

from chaincode.testing import ContractHarness
from tests.chaincode.contracts.scenario_trace import (
    CASE_GTIN,
    CASE_PRODUCT,
    EXPIRY,
    ITEM,
    ITEM_GTIN,
    LOT,
    MAKER,
    OTHER_MAKER,
    PHARMACY,
    REGULATOR,
    SSCC,
    SSCC_KEY,
    commission_args,
    contracts,
    key,
    ok,
    product_args,
    set_release,
    sgtin,
    trace,
    world,
)


@pytest.fixture
def ledger() -> ContractHarness:
    ledger = ContractHarness(contracts())
    ok(trace(ledger, MAKER, "register_product", product_args()))
    set_release(ledger, "pending", [])
    return ledger


def _code(ledger: ContractHarness, serial: str, gtin: str = ITEM_GTIN) -> Any:
    return ledger.query(REGULATOR, "trace", "verify", {"code": sgtin(serial, gtin)})


# --- products -------------------------------------------------------------------------------


def test_register_product_stores_master_data(ledger: ContractHarness) -> None:
    stored = ledger.state.get("trace", f"product/{ITEM}")
    assert isinstance(stored, dict)
    assert (stored["mah_org"], stored["markets"], stored["revision"]) == ("acme", ["DE", "US"], 1)
    assert ledger.events_of("trace", "product_registered") == [{"product_key": ITEM, "revision": 1}]


def test_mah_updates_mutable_fields_and_bumps_revision(ledger: ContractHarness) -> None:
    result = ok(trace(ledger, MAKER, "register_product", product_args(markets=["FR"])))
    assert isinstance(result, dict)
    assert (result["markets"], result["revision"]) == (["FR"], 2)


def test_identity_fields_are_immutable(ledger: ContractHarness) -> None:
    outcome = trace(ledger, MAKER, "register_product", product_args(strength="250 mg"))
    assert outcome.code == "trace.product_immutable_field"
    assert "strength" in outcome.message


@pytest.mark.parametrize(
    ("signer", "changes", "code"),
    [
        (MAKER, {"mah_org": "rival"}, "trace.not_mah"),
        (OTHER_MAKER, {"mah_org": "rival"}, "trace.not_mah"),
        (PHARMACY, {}, "permission.missing_role"),
        (MAKER, {"product_key": "gtin:09501101530004"}, "trace.bad_code"),
        (MAKER, {"product_key": "ndc:12345"}, "trace.bad_argument"),
        (MAKER, {"storage_min_centi_c": 900, "storage_max_centi_c": 200}, "trace.bad_argument"),
        (MAKER, {"base_product": ITEM}, "trace.bad_argument"),
        (
            MAKER,
            {
                "product_key": CASE_PRODUCT,
                "packaging_level": "case",
                "base_product": "nmpa:1234567",
            },
            "trace.unknown_product",
        ),
        (MAKER, {"markets": ["usa"]}, "contract.invalid_arguments"),
        (MAKER, {"storage_min_centi_c": 2.5}, "contract.invalid_arguments"),
    ],
)
def test_register_product_rejections(
    ledger: ContractHarness, signer: Any, changes: dict[str, Any], code: str
) -> None:
    assert trace(ledger, signer, "register_product", product_args(**changes)).code == code


def test_only_the_mah_updates(ledger: ContractHarness) -> None:
    ok(
        trace(
            ledger,
            OTHER_MAKER,
            "register_product",
            product_args(product_key="nmpa:1234567", mah_org="rival"),
        )
    )
    outcome = trace(ledger, MAKER, "register_product", product_args(product_key="nmpa:1234567"))
    assert outcome.code == "trace.not_mah"


# --- commissioning --------------------------------------------------------------------------


def test_commission_by_gtin_and_serials_binds_codes_to_the_batch(ledger: ContractHarness) -> None:
    result = ok(trace(ledger, MAKER, "commission", commission_args(["A1", "A2", "A/3"])))
    assert isinstance(result, dict)
    assert (result["count"], result["first"], result["last"]) == (3, key("A1"), key("A/3"))
    answer = _code(ledger, "A/3")
    assert (answer["verified"], answer["lot"], answer["expiry"], answer["level"]) == (
        True,
        LOT,
        EXPIRY,
        "item",
    )
    batch = ledger.state.get("trace", f"batch/{ITEM}|{LOT}")
    assert isinstance(batch, dict)
    assert (batch["codes"], batch["production_date"]) == (3, "2025-06-01")
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|acme") == 3


def test_commission_accepts_any_text_form(ledger: ContractHarness) -> None:
    texts = [
        sgtin("B1"),
        f"(01){ITEM_GTIN}(21)B2",
        f"https://id.gs1.org/01/{ITEM_GTIN}/10/{LOT}/21/B3?17=271231",
        f"]d201{ITEM_GTIN}1727123110{LOT}\x1d21B4",
    ]
    args = {**commission_args([]), "gtin": None, "serials": None, "codes": texts}
    ok(trace(ledger, MAKER, "commission", args))
    assert [_code(ledger, s)["commissioned"] for s in ["B1", "B2", "B3", "B4"]] == [True] * 4


def test_commission_nmpa_codes(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "register_product", product_args(product_key="nmpa:1234567")))
    set_release(ledger, "pending", [], product="nmpa:1234567")
    codes = ["12345670000000010001", "12345670000000020002"]
    args = {**commission_args([]), "gtin": None, "serials": None, "codes": codes}
    ok(trace(ledger, MAKER, "commission", args))
    answer = ledger.query(PHARMACY, "trace", "verify", {"code": codes[1]})
    assert (answer["code"], answer["commissioned"]) == (f"nmpa20:{codes[1]}", True)


def test_case_codes_belong_to_the_batch_of_their_base_product(ledger: ContractHarness) -> None:
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
    ok(trace(ledger, MAKER, "commission", commission_args(["K1"], gtin=CASE_GTIN)))
    answer = _code(ledger, "K1", CASE_GTIN)
    assert (answer["level"], answer["lot"], answer["product"]["product_key"]) == (
        "case",
        LOT,
        CASE_PRODUCT,
    )
    assert ledger.state.get("trace", f"holding/{ITEM}|{LOT}|acme") == 1


def test_duplicates_within_the_request_refuse_everything(ledger: ContractHarness) -> None:
    outcome = trace(ledger, MAKER, "commission", commission_args(["D1", "D2", "D1", "D2"]))
    assert outcome.code == "trace.duplicate_code"
    assert key("D1") in outcome.message
    assert key("D2") in outcome.message
    assert _code(ledger, "D1")["commissioned"] is False


def test_duplicates_across_transactions_are_listed(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "commission", commission_args(["E1", "E2"])))
    outcome = trace(ledger, MAKER, "commission", commission_args(["E3", "E2", "E1"]))
    assert outcome.code == "trace.duplicate_code"
    assert key("E2") in outcome.message
    assert key("E1") in outcome.message
    assert _code(ledger, "E3")["commissioned"] is False


def test_commission_needs_a_batch_known_to_release() -> None:
    ledger = ContractHarness(contracts())
    ok(trace(ledger, MAKER, "register_product", product_args()))
    assert trace(ledger, MAKER, "commission", commission_args(["X"])).code == "trace.unknown_batch"


def test_commission_before_release_is_allowed(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "commission", commission_args(["P1"])))
    assert _code(ledger, "P1")["batch_release"] == "pending"


def test_batch_binding_is_immutable(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "commission", commission_args(["F1"])))
    outcome = trace(ledger, MAKER, "commission", commission_args(["F2"], expiry="2028-01-31"))
    assert outcome.code == "trace.batch_mismatch"


def test_recalled_batch_takes_no_new_codes(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "commission", commission_args(["G1"])))
    ok(trace(ledger, MAKER, "recall", {"product_key": ITEM, "lot": LOT, "reason": "x"}))
    assert trace(ledger, MAKER, "commission", commission_args(["G2"])).code == (
        "trace.batch_recalled"
    )


@pytest.mark.parametrize(
    ("signer", "args", "code"),
    [
        (OTHER_MAKER, commission_args(["H1"]), "trace.not_mah"),
        (PHARMACY, commission_args(["H1"]), "permission.missing_role"),
        (MAKER, commission_args(["H1"], gtin="09501101530004"), "trace.bad_code"),
        (MAKER, commission_args(["H1"], gtin=CASE_GTIN), "trace.unknown_product"),
        (MAKER, commission_args(["bad serial"]), "trace.bad_code"),
        (MAKER, commission_args(["H1"], lot="L 1"), "trace.bad_argument"),
        (MAKER, commission_args(["H1"], expiry="2027-02-30"), "trace.bad_argument"),
        (MAKER, commission_args(["H1"], expiry="2024-01-01"), "trace.bad_argument"),
        (MAKER, {**commission_args(["H1"]), "codes": [sgtin("H2")]}, "contract.invalid_arguments"),
        (MAKER, commission_args([]), "contract.invalid_arguments"),
        (MAKER, commission_args(["H1"], level="crate"), "contract.invalid_arguments"),
    ],
)
def test_commission_rejections(
    ledger: ContractHarness, signer: Any, args: dict[str, Any], code: str
) -> None:
    outcome = trace(ledger, signer, "commission", args)
    assert outcome.code == code
    assert ledger.write_sets[-1] == []


@pytest.mark.parametrize(
    ("codes", "code"),
    [
        ([f"01{ITEM_GTIN}"], "trace.not_serialized"),
        (["not a code"], "trace.bad_code"),
        ([SSCC], "trace.product_mismatch"),
        ([sgtin("J1"), sgtin("J2", CASE_GTIN)], "trace.product_mismatch"),
        ([f"(01){ITEM_GTIN}(10)OTHER(21)J3"], "trace.code_batch_mismatch"),
        ([f"(01){ITEM_GTIN}(17)280101(21)J4"], "trace.code_batch_mismatch"),
        (["proprietary:acme:X|Y"], "trace.bad_code"),
    ],
)
def test_commission_refuses_codes_that_do_not_fit(
    ledger: ContractHarness, codes: list[str], code: str
) -> None:
    args = {**commission_args([]), "gtin": None, "serials": None, "codes": codes}
    assert trace(ledger, MAKER, "commission", args).code == code


def test_containers_are_commissioned_without_batch(ledger: ContractHarness) -> None:
    ok(trace(ledger, MAKER, "commission_containers", {"codes": [SSCC]}))
    answer = ledger.query(PHARMACY, "trace", "verify", {"code": SSCC_KEY})
    assert (answer["commissioned"], answer["lot"], answer["level"]) == (True, None, "pallet")
    assert trace(ledger, MAKER, "commission_containers", {"codes": [SSCC]}).code == (
        "trace.duplicate_code"
    )
    assert trace(ledger, MAKER, "commission_containers", {"codes": [sgtin("Z")]}).code == (
        "trace.bad_code"
    )


def test_world_builds() -> None:
    ledger = world()
    assert _code(ledger, "C1", CASE_GTIN)["commissioned"] is True
