"""``GET /v1/verify``: the public view of a scan, built from real trace.verify answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chaincode.testing import ContractHarness
from node.api.access_rules import PUBLIC_VERIFY_FIELDS
from tests.chaincode.contracts.scenario_trace import (
    ITEM_GTIN,
    LOT,
    MAKER,
    PHARMACY,
    REGULATOR,
    ok,
    sgtin,
    ship_args,
    trace,
    world,
)
from tests.node.api.fake import FakeLedger
from tests.node.api.helpers import error_of

IN_TRANSIT = sgtin("S2")
SCANNED = f"(01){ITEM_GTIN}(17)271231(10){LOT}(21)S1"


@pytest.fixture
def harness() -> ContractHarness:
    """The trace contract's own world: S1 at the maker, S2 shipped to the pharmacy."""
    ledger = world()
    ok(trace(ledger, MAKER, "ship", ship_args([IN_TRANSIT], to_org=PHARMACY.org_id)))
    return ledger


def _real_answer(harness: ContractHarness, ledger: FakeLedger, text: str) -> Any:
    answer = harness.query(PHARMACY, "trace", "verify", {"code": text})
    ledger.verify_answers[text] = answer
    return answer


async def test_the_public_answer_has_no_custody(
    anonymous: httpx.AsyncClient, ledger: FakeLedger, harness: ContractHarness
) -> None:
    full = _real_answer(harness, ledger, IN_TRANSIT)
    assert full["custody"]["destination"] == PHARMACY.org_id  # what the contract knows
    response = await anonymous.get("/v1/verify", params={"code": IN_TRANSIT})
    assert response.status_code == 200
    public = response.json()
    assert set(public) == set(PUBLIC_VERIFY_FIELDS)
    assert "custody" not in public
    assert PHARMACY.org_id not in response.text
    assert MAKER.org_id not in response.text
    assert public["status"] == "in_transit"
    assert public["product"]["generic_name"] == "amoxicillin"
    for name in PUBLIC_VERIFY_FIELDS:
        if name != "product":
            assert public[name] == full[name]
    # The query ran unsigned: the public view does not depend on who asks.
    assert ledger.queries[-1] == ("trace", "verify", {"code": IN_TRANSIT}, None)


async def test_a_scan_with_lot_and_expiry_and_a_recall(
    anonymous: httpx.AsyncClient, ledger: FakeLedger, harness: ContractHarness
) -> None:
    recall = {"product_key": f"gtin:{ITEM_GTIN}", "lot": LOT, "reason": "contamination"}
    ok(trace(harness, REGULATOR, "recall", recall))
    _real_answer(harness, ledger, SCANNED)
    public = (await anonymous.get("/v1/verify", params={"code": SCANNED})).json()
    assert (public["verified"], public["recalled"], public["additionalInfo"]) == (
        True,
        True,
        "Recalled",
    )
    assert (public["lot"], public["expiry"]) == (LOT, "2027-12-31")


async def test_an_unknown_code_is_an_answer_not_an_error(
    anonymous: httpx.AsyncClient, ledger: FakeLedger, harness: ContractHarness
) -> None:
    _real_answer(harness, ledger, sgtin("NOPE"))
    response = await anonymous.get("/v1/verify", params={"code": sgtin("NOPE")})
    assert response.status_code == 200
    assert response.json()["verificationFailureReason"] == "No_match_GTIN_Serial"
    assert response.json()["commissioned"] is False


async def test_fields_the_contract_may_add_later_stay_private(
    anonymous: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    ledger.verify_answers["sgtin:X"] = {
        "code": "sgtin:X",
        "verified": True,
        "commissioned": True,
        "unit_price_cents": 1299,
        "product": {"product_key": "gtin:1", "mah_org": "acme", "list_price": 5},
    }
    public = (await anonymous.get("/v1/verify", params={"code": "sgtin:X"})).json()
    assert "unit_price_cents" not in public
    assert "mah_org" not in public["product"]
    assert "list_price" not in public["product"]


@pytest.mark.parametrize("params", [{}, {"code": ""}, {"code": "x" * 513}])
async def test_a_missing_or_absurd_code_is_400(
    anonymous: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await anonymous.get("/v1/verify", params=params)
    assert response.status_code == 400
    assert error_of(response)["code"] == "request.invalid"
