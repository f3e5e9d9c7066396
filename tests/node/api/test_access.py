"""The access policy end to end: public, member (own org + shared) and regulator views."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.node.api.conftest import ClientFactory
from tests.node.api.fake import FakeLedger, make_signed_tx, tx_id_of
from tests.node.api.helpers import error_of, parse_sse
from tests.node.api.members import DISTRIBUTOR, MAH, PHARMACY, REGULATOR, Member

ACME, WHOLESALE, CORNER, HOSPITAL = (
    "acme-pharma",
    "wholesale-co",
    "corner-pharmacy",
    "city-hospital",
)
ORIGIN = {"org": ACME, "height": 1}


def _code(owner: str, transit_to: str | None = None) -> dict[str, object]:
    transit = None if transit_to is None else {"from": owner, "to": transit_to}
    return {"owner": owner, "commissioned": ORIGIN, "transit": transit, "state": "active"}


class Chain:
    """The committed scenario: who wrote what, and the tx ids."""

    def __init__(self) -> None:
        self.txs: dict[str, str] = {}


async def _put(
    ledger: FakeLedger,
    chain: Chain,
    label: str,
    member: Member,
    contract: str,
    key: str,
    value: object,
    **event: object,
) -> None:
    wire = make_signed_tx(member, contract, key, value, nonce=len(chain.txs), **event)  # type: ignore[arg-type]
    chain.txs[label] = tx_id_of(wire)
    await ledger.submit([wire], wait=True, timeout_s=1)


@pytest.fixture
async def chain(ledger: FakeLedger) -> Chain:
    c = Chain()
    await _put(ledger, c, "product", MAH, "trace", "product/gtin:1", {"mah_org": ACME})
    await _put(
        ledger,
        c,
        "ship_hospital",
        DISTRIBUTOR,
        "trace",
        "shipment/s-hosp",
        {"from": WHOLESALE, "to": HOSPITAL, "business_refs": ["PO-7"], "price_cents": 91_500},
        event="shipped",
        payload={"to": HOSPITAL, "codes": ["sgtin:A"]},
    )
    await _put(
        ledger,
        c,
        "ship_pharmacy",
        DISTRIBUTOR,
        "trace",
        "shipment/s-pharm",
        {"from": WHOLESALE, "to": CORNER, "business_refs": ["PO-8"]},
        event="shipped",
        payload={"to": CORNER, "codes": ["sgtin:B"]},
    )
    await _put(
        ledger, c, "code_a", DISTRIBUTOR, "trace", "code/sgtin:A", _code(WHOLESALE, HOSPITAL)
    )
    await _put(ledger, c, "code_b1", DISTRIBUTOR, "trace", "code/sgtin:B", _code(WHOLESALE, CORNER))
    await _put(
        ledger,
        c,
        "code_b2",
        PHARMACY,
        "trace",
        "code/sgtin:B",
        _code(CORNER),
        event="received",
        payload={"from": WHOLESALE, "codes": ["sgtin:B"]},
    )
    await _put(ledger, c, "code_c1", PHARMACY, "trace", "code/sgtin:C", _code(CORNER))
    await _put(ledger, c, "code_c2", DISTRIBUTOR, "trace", "code/sgtin:C", _code(WHOLESALE))
    await _put(ledger, c, "alert", REGULATOR, "trace", "alert/000001", {"reason": "recalled"})
    await _put(
        ledger,
        c,
        "supplier",
        MAH,
        "supplier",
        "supplier/api-1",
        {"buyer": ACME, "org_id": "api-maker"},
        event="supplier.registered",
        payload={"supplier": "api-1", "buyer": ACME},
    )
    await _put(
        ledger,
        c,
        "member",
        REGULATOR,
        "msp",
        "org/ema",
        {"org_id": "ema"},
        event="msp.org_added",
        payload={"org_id": "ema"},
    )
    return c


@pytest.fixture
async def pharmacy(client_as: ClientFactory, chain: Chain) -> AsyncIterator[httpx.AsyncClient]:
    async with client_as(PHARMACY) as c:
        yield c


@pytest.fixture
async def distributor(client_as: ClientFactory, chain: Chain) -> AsyncIterator[httpx.AsyncClient]:
    async with client_as(DISTRIBUTOR) as c:
        yield c


@pytest.fixture
async def mah(client_as: ClientFactory, chain: Chain) -> AsyncIterator[httpx.AsyncClient]:
    async with client_as(MAH) as c:
        yield c


def _denied(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert error_of(response)["code"] == "access.denied"


# -- the pharmacy and the distributor's shipments ---------------------------------------------


async def test_a_pharmacy_cannot_read_a_distributors_shipments(
    pharmacy: httpx.AsyncClient, distributor: httpx.AsyncClient, chain: Chain, ledger: FakeLedger
) -> None:
    # Not the record, nor its history, nor in a range of shipments ...
    _denied(await pharmacy.get("/v1/state/trace/shipment/s-hosp"))
    history = await pharmacy.get("/v1/history/trace/shipment/s-hosp")
    assert history.status_code == 200
    assert history.json()["items"] == []
    listed = await pharmacy.get("/v1/state/trace", params={"prefix": "shipment/"})
    assert [item["key"] for item in listed.json()["items"]] == ["shipment/s-pharm"]
    # ... nor the transaction that recorded it, its receipt or its event.
    ship = ledger.receipts[chain.txs["ship_hospital"]]
    block = (await pharmacy.get(f"/v1/blocks/{ship.height}")).json()
    assert block["tx_ids"] == [chain.txs["ship_hospital"]]  # ids and results stay, for proofs
    assert block["transactions"] == [None]
    _denied(await pharmacy.get(f"/v1/transactions/{chain.txs['ship_hospital']}"))
    events = parse_sse((await pharmacy.get("/v1/events?from_height=0")).text)
    assert {"to": HOSPITAL, "codes": ["sgtin:A"]} not in [f.data["payload"] for f in events]
    # The distributor that shipped it reads all of it.
    assert (await distributor.get("/v1/state/trace/shipment/s-hosp")).json()["entry"]["value"][
        "price_cents"
    ] == 91_500
    own_block = (await distributor.get(f"/v1/blocks/{ship.height}")).json()
    assert own_block["transactions"][0] is not None
    assert (
        await distributor.get(f"/v1/transactions/{chain.txs['ship_hospital']}")
    ).status_code == 200


async def test_a_pharmacy_reads_the_shipment_addressed_to_it(pharmacy: httpx.AsyncClient) -> None:
    response = await pharmacy.get("/v1/state/trace/shipment/s-pharm")
    assert response.status_code == 200
    assert response.json()["entry"]["value"]["to"] == CORNER


# -- codes: current parties, and each version for itself --------------------------------


async def test_a_code_belongs_to_its_originator_owner_and_transit_parties(
    pharmacy: httpx.AsyncClient, distributor: httpx.AsyncClient, mah: httpx.AsyncClient
) -> None:
    assert (await distributor.get("/v1/state/trace/code/sgtin:A")).status_code == 200
    assert (await mah.get("/v1/state/trace/code/sgtin:A")).status_code == 200  # commissioned it
    _denied(await pharmacy.get("/v1/state/trace/code/sgtin:A"))  # bound for the hospital
    assert (await pharmacy.get("/v1/state/trace/code/sgtin:B")).status_code == 200


async def test_a_former_owner_sees_only_the_versions_it_was_party_to(
    pharmacy: httpx.AsyncClient, mah: httpx.AsyncClient
) -> None:
    _denied(await pharmacy.get("/v1/state/trace/code/sgtin:C"))  # returned to the wholesaler
    mine = (await pharmacy.get("/v1/history/trace/code/sgtin:C")).json()["items"]
    assert [item["value"]["owner"] for item in mine] == [CORNER]
    everything = (await mah.get("/v1/history/trace/code/sgtin:C")).json()["items"]
    assert [item["value"]["owner"] for item in everything] == [CORNER, WHOLESALE]


async def test_an_absent_private_key_is_403_not_404_so_existence_does_not_leak(
    pharmacy: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    _denied(await pharmacy.get("/v1/state/trace/shipment/no-such"))
    missing_shared = await pharmacy.get("/v1/state/trace/product/gtin:404")
    assert error_of(missing_shared)["code"] == "state.not_found"
    assert (
        error_of(await client.get("/v1/state/trace/shipment/no-such"))["code"] == "state.not_found"
    )


async def test_shared_and_regulator_only_data(pharmacy: httpx.AsyncClient) -> None:
    assert (await pharmacy.get("/v1/state/trace/product/gtin:1")).status_code == 200
    assert (await pharmacy.get("/v1/state/msp/org/ema")).status_code == 200
    _denied(await pharmacy.get("/v1/state/trace/alert/000001"))
    _denied(await pharmacy.get("/v1/state/supplier/supplier/api-1"))
    _denied(await pharmacy.get("/v1/state/unlisted-contract/anything"))


# -- queries -------------------------------------------------------------------------------


async def test_queries_follow_the_same_parties(
    pharmacy: httpx.AsyncClient, mah: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    ledger.query_results[("supplier", "get_supplier")] = {"supplier": "api-1"}
    ledger.query_results[("trace", "history")] = [{"event": "commissioned"}]
    ledger.query_results[("msp", "orgs")] = [{"org_id": "ema"}]
    args = {"args": {"supplier": "api-1"}}
    assert (await mah.post("/v1/query/supplier/get_supplier", json=args)).status_code == 200
    _denied(await pharmacy.post("/v1/query/supplier/get_supplier", json=args))
    code = {"args": {"code": "sgtin:B"}}
    assert (await mah.post("/v1/query/trace/history", json=code)).status_code == 200
    _denied(await pharmacy.post("/v1/query/trace/history", json=code))  # the MAH's view
    _denied(await pharmacy.post("/v1/query/supplier/due_for_requalification", json={}))
    _denied(await pharmacy.post("/v1/query/trace/unlisted", json={}))
    assert (await pharmacy.post("/v1/query/msp/orgs", json={})).status_code == 200
    # Queries run as the caller, so contracts check its roles.
    assert ledger.queries[-1][3] == PHARMACY.key_id


async def test_member_verify_shows_custody_only_to_its_parties(
    pharmacy: httpx.AsyncClient, distributor: httpx.AsyncClient, ledger: FakeLedger
) -> None:
    ledger.verify_answers["sgtin:A"] = {
        "code": "sgtin:A",
        "verified": True,
        "commissioned": True,
        "custody": {"owner": WHOLESALE, "in_transit": True, "destination": HOSPITAL},
    }
    body = {"args": {"code": "sgtin:A"}}
    seen = (await distributor.post("/v1/query/trace/verify", json=body)).json()["result"]
    assert seen["custody"]["destination"] == HOSPITAL
    trimmed = (await pharmacy.post("/v1/query/trace/verify", json=body)).json()["result"]
    assert "custody" not in trimmed
    assert trimmed["verified"] is True


# -- events --------------------------------------------------------------------------------


async def test_a_member_streams_its_own_events_those_naming_it_and_shared_ones(
    pharmacy: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    seen = parse_sse((await pharmacy.get("/v1/events?from_height=0")).text)
    kinds = [(f.data["contract"], f.data["type"], f.data["payload"]) for f in seen]
    assert kinds == [
        ("trace", "shipped", {"to": CORNER, "codes": ["sgtin:B"]}),  # addressed to it
        ("trace", "received", {"from": WHOLESALE, "codes": ["sgtin:B"]}),  # its own
        ("trace", "put", {"key": "code/sgtin:C"}),  # its own
        ("msp", "msp.org_added", {"org_id": "ema"}),  # the consortium directory
    ]
    everything = parse_sse((await client.get("/v1/events?from_height=0")).text)
    assert len(everything) == 11


# -- anonymous and regulator -----------------------------------------------------------------

MEMBER_ONLY = [
    ("GET", "/v1/state/trace/product/gtin:1"),
    ("GET", "/v1/state/trace?prefix=product/"),
    ("GET", "/v1/history/trace/product/gtin:1"),
    ("GET", "/v1/blocks/latest"),
    ("GET", "/v1/blocks/1"),
    ("GET", "/v1/blocks/1?format=raw"),
    ("GET", "/v1/proofs/" + "00" * 32),
    ("GET", "/v1/transactions/" + "00" * 32),
    ("POST", "/v1/query/trace/verify"),
    ("GET", "/v1/events?from_height=0"),
    ("GET", "/v1/audit/export?contract=trace"),
]


@pytest.mark.parametrize(("method", "path"), MEMBER_ONLY)
async def test_an_anonymous_client_gets_only_the_public_view(
    anonymous: httpx.AsyncClient, chain: Chain, method: str, path: str
) -> None:
    response = await anonymous.request(method, path)
    assert response.status_code == 401
    assert error_of(response)["code"] == "auth.required"


async def test_anonymous_public_endpoints(anonymous: httpx.AsyncClient, chain: Chain) -> None:
    assert (await anonymous.get("/v1/verify", params={"code": "sgtin:A"})).status_code == 200
    assert (await anonymous.get("/health")).status_code == 200
    assert (await anonymous.get("/metrics")).status_code == 200


async def test_a_regulator_reads_everything(
    client: httpx.AsyncClient, chain: Chain, ledger: FakeLedger
) -> None:
    for key in ("shipment/s-hosp", "code/sgtin:A", "alert/000001"):
        assert (await client.get(f"/v1/state/trace/{key}")).status_code == 200
    assert (await client.get("/v1/state/supplier/supplier/api-1")).status_code == 200
    history = (await client.get("/v1/history/trace/code/sgtin:C")).json()["items"]
    assert len(history) == 2
    raw = await client.get("/v1/blocks/2?format=raw")
    assert raw.status_code == 200
    assert raw.content == ledger.blocks[1].raw
    block = (await client.get("/v1/blocks/2")).json()
    assert None not in block["transactions"]
    receipt = await client.get(f"/v1/transactions/{chain.txs['ship_hospital']}")
    assert receipt.status_code == 200
    assert (await client.post("/v1/query/trace/unlisted", json={})).status_code != 403


async def test_members_may_not_fetch_raw_blocks_or_the_audit_export(
    distributor: httpx.AsyncClient,
) -> None:
    _denied(await distributor.get("/v1/blocks/2?format=raw"))
    _denied(await distributor.get("/v1/audit/export?contract=trace"))
    proof = await distributor.get(f"/v1/proofs/{'00' * 32}")
    assert error_of(proof)["code"] == "proof.not_found"  # proofs carry no bodies: members ok
