"""Issue 6 "done means": the trace story on a 3-node network, exported as EPCIS 2.0 and
re-imported into a fresh network with the same CBV 2.0 event hashes.

Register products, release the batch (release contract), commission 10,000 codes in four
transactions, pack them into ten cases and the cases onto a pallet, ship the pallet to the
pharmacy, receive, unpack, dispense a pack, dispense it again (an alert; state unchanged),
recall the batch and verify (recalled). Then every committed trace transaction becomes an
EPCIS document (`records_from_api` + `export_document`); a second network gets the same
master data (products and batch release are not EPCIS), the document's invocations are
submitted in order, each signed by its org, and the second network's export has the same
event ids.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest

from sdk.client import Client, Identity
from sdk.epcis import export_document, import_document, records_from_api
from tests.e2e.harness import Cluster, SignedReads

pytestmark = pytest.mark.e2e

ORGS: Final = ("regulator", "manufacturer", "pharmacy")
"""The regulator first: the harness reads blocks as the first org's admin, and only a
regulator sees every org's transaction bodies."""
MEMBERS: Final = {"manufacturer": "operator", "pharmacy": "pharmacist", "regulator": "auditor"}
ITEM_GTIN: Final = "09501101530003"
CASE_GTIN: Final = "19501101530000"
ITEM: Final = f"gtin:{ITEM_GTIN}"
CASE: Final = f"gtin:{CASE_GTIN}"
LOT: Final = "E2E1"
PRODUCED, EXPIRY = "2025-06-01", "2027-12-31"
PALLET: Final = "(00)106141411234567897"
PHARMACY_GLN: Final = "0614141000005"
CODES, PER_COMMISSION, PER_CASE = 10_000, 2_500, 1_000
CREATED: Final = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def item(n: int) -> str:
    return f"sgtin:{ITEM_GTIN}.P{n:05d}"


def case(n: int) -> str:
    return f"sgtin:{CASE_GTIN}.C{n:02d}"


class Network:
    """A running cluster and one client per member the story needs."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.node = cluster.wait_leader()
        urls = [cluster.nodes[n].api_url for n in cluster.ids]
        self.clients = {
            (org, member): Client(
                urls, identity=Identity(cluster.member_key(org, member)), chain_id=cluster.chain_id
            )
            for org, member in [*MEMBERS.items(), ("manufacturer", "qa"), ("manufacturer", "qp")]
        }

    def as_(self, org: str, member: str | None = None) -> Client:
        return self.clients[(org, member or MEMBERS[org])]

    def trace(self, org: str, function: str, args: dict[str, Any]) -> Any:
        return self.as_(org).invoke("trace", function, args).result

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


@pytest.fixture
def networks(tmp_path: Path) -> Iterator[tuple[Network, Network]]:
    """Two networks booting side by side; the second is only built once the first's ports
    are bound, so the harness cannot hand both the same free ports."""
    clusters: list[Cluster] = []
    try:
        for name in ("first", "fresh"):
            cluster = Cluster(tmp_path / name, ORGS)
            clusters.append(cluster)
            cluster.start_all()
            if name == "first":
                cluster.wait_leader()
        yield Network(clusters[0]), Network(clusters[1])
    finally:
        for cluster in clusters:
            cluster.close()


def master_data(net: Network) -> None:
    """Products and the QP's batch release: what the trace story needs and EPCIS lacks."""
    product = {
        "product_key": ITEM,
        "mah_org": "manufacturer",
        "generic_name": "amoxicillin",
        "dosage_form": "capsule",
        "strength": "500 mg",
        "pack_size": 20,
        "packaging_level": "item",
        "markets": ["US"],
        "storage_min_centi_c": 1500,
        "storage_max_centi_c": 2500,
    }
    net.trace("manufacturer", "register_product", product)
    case_product = product | {
        "product_key": CASE,
        "packaging_level": "case",
        "pack_size": PER_CASE,
        "base_product": ITEM,
    }
    net.trace("manufacturer", "register_product", case_product)
    ref = {"product_key": ITEM, "lot": LOT}
    maker, qa, qp = (net.as_("manufacturer", m) for m in ("operator", "qa", "qp"))
    batch = {"size": CODES, "site_gln": PHARMACY_GLN, "manufactured": PRODUCED, "expiry": EXPIRY}
    batch["ebr_sha256"] = "e" * 64
    maker.invoke("release", "register_batch", ref | batch)
    result = {"kind": "text", "text": "complies"}
    test = {"test": "sterility", "name": "Sterility", "method": "Ph. Eur. 2.6.1"}
    coa = test | {"spec": {"kind": "text", "expected": ["complies"]}, "result": result}
    qa.invoke(
        "release",
        "record_coa",
        ref | {"lab": "QC lab", "document_sha256": "c" * 64, "tests": [coa]},
    )
    reviewed = qp.query("release", "get_batch", ref)
    assert isinstance(reviewed, dict)
    manifest = {
        "printed_name": "Dr. Q. Person",
        "signed_at_ms": int(time.time() * 1000),
        "meaning": "release",
        "record_sha256": reviewed["record_sha256"],
    }
    qp.invoke("release", "release_batch", ref | {"markets": ["US"], "manifest": manifest})


def story(net: Network) -> str:
    """The supply chain of issue 6; returns the dispensed pack."""
    for start in range(0, CODES, PER_COMMISSION):
        serials = [f"P{n:05d}" for n in range(start, start + PER_COMMISSION)]
        commission = {"lot": LOT, "production_date": PRODUCED, "expiry": EXPIRY}
        done = net.trace(
            "manufacturer", "commission", commission | {"gtin": ITEM_GTIN, "serials": serials}
        )
        assert done["count"] == PER_COMMISSION
    cases = [f"C{n:02d}" for n in range(CODES // PER_CASE)]
    commission = {"lot": LOT, "production_date": PRODUCED, "expiry": EXPIRY, "gtin": CASE_GTIN}
    net.trace("manufacturer", "commission", commission | {"serials": cases})
    for n in range(len(cases)):
        children = [item(i) for i in range(n * PER_CASE, (n + 1) * PER_CASE)]
        net.trace("manufacturer", "aggregate", {"parent": case(n), "children": children})
    net.trace("manufacturer", "commission_containers", {"codes": [PALLET]})
    net.trace(
        "manufacturer", "aggregate", {"parent": PALLET, "children": [case(n) for n in range(10)]}
    )
    shipment = {"codes": [PALLET], "to_org": "pharmacy", "to_gln": PHARMACY_GLN, "market": "US"}
    assert net.trace("manufacturer", "ship", shipment)["count"] == 1 + 10 + CODES
    assert (
        net.trace("pharmacy", "receive", {"codes": [PALLET], "gln": PHARMACY_GLN})["count"]
        == 1 + 10 + CODES
    )
    net.trace("pharmacy", "disaggregate", {"parent": PALLET})
    net.trace("pharmacy", "disaggregate", {"parent": case(0), "children": [item(7)]})
    sold = item(7)
    assert net.trace("pharmacy", "dispense", {"code": sold})["dispensed"] is True
    before = net.as_("pharmacy").query("trace", "verify", {"code": sold})
    again = net.trace("pharmacy", "dispense", {"code": sold})
    assert again["dispensed"] is False
    assert again["alert"]["reason"] == "already_dispensed"
    assert net.as_("pharmacy").query("trace", "verify", {"code": sold}) == before
    recall = {"product_key": ITEM, "lot": LOT, "reason": "out-of-specification assay"}
    assert net.trace("manufacturer", "recall", recall)["holders"] == ["pharmacy"]
    return sold


def public_verify(net: Network, code: str) -> dict[str, Any]:
    cluster = net.cluster
    response = cluster.http.get(cluster.url(net.node, "/v1/verify"), params={"code": code})
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def blocks_as_signers(net: Network, height: int) -> list[dict[str, Any]]:
    """Blocks 1..height with every body: a member's JSON block shows only its own org's
    bodies, so each org's view fills in the transactions it signed."""
    cluster = net.cluster
    merged: list[dict[str, Any]] = []
    views = {
        org: SignedReads(cluster.chain_id, cluster.member_key(org, member))
        for org, member in MEMBERS.items()
    }
    for h in range(1, height + 1):
        block: dict[str, Any] | None = None
        for reader in views.values():
            response = cluster.http.get(cluster.url(net.node, f"/v1/blocks/{h}"), auth=reader)
            response.raise_for_status()
            seen = response.json()
            if block is None:
                block = seen
                continue
            bodies = [
                a or b for a, b in zip(block["transactions"], seen["transactions"], strict=True)
            ]
            block["transactions"] = bodies
        assert block is not None
        merged.append(block)
    return merged


def dispense_frames(net: Network, tx_ids: set[str]) -> list[dict[str, Any]]:
    """The pharmacy's trace events of the dispense transactions (their outcome)."""
    frames: list[dict[str, Any]] = []
    stream = net.as_("pharmacy").events(from_height=1, contracts="trace")
    try:
        for event in stream:
            if event.tx_id in tx_ids:
                frames.append(dataclasses.asdict(event))
                tx_ids = tx_ids - {event.tx_id}
            if not tx_ids:
                break
    finally:
        stream.close()
    return frames


def export_all(net: Network) -> Any:
    """Every committed trace transaction of the network as one EPCIS 2.0 document."""
    cluster = net.cluster
    blocks = blocks_as_signers(net, cluster.wait_converged())
    members = [
        cluster.get(net.node, f"/v1/state/msp/member/{key.key_id.hex()}").json()
        for key in (cluster.member_key(org, member) for org, member in MEMBERS.items())
    ]
    bare = records_from_api(blocks, [], members)
    dispenses = {r.tx_id for r in bare if r.function == "dispense"}
    records = records_from_api(blocks, dispense_frames(net, dispenses), members)
    return export_document(records, creation_date=CREATED)


def test_trace_story_exports_and_reimports_with_identical_event_hashes(
    networks: tuple[Network, Network],
) -> None:
    first, fresh = networks
    try:
        master_data(first)
        sold = story(first)
        verdict = public_verify(first, sold)
        assert verdict["recalled"] is True
        assert verdict["dispensed"] is True
        assert verdict["additionalInfo"] is not None
        shelf = public_verify(first, item(9_999))
        assert (shelf["recalled"], shelf["status"]) == (True, "active")

        exported = export_all(first)
        kinds = [r.function for r in exported.skipped]
        assert kinds == ["register_product", "register_product"]
        hashes = exported.event_hashes
        assert len(hashes) == 4 + 1 + 10 + 1 + 1 + 1 + 1 + 2 + 2 + 1

        master_data(fresh)
        for invocation in import_document(exported.document):
            assert invocation.signer_org is not None
            fresh.trace(invocation.signer_org, invocation.function, invocation.args)
        again = export_all(fresh)
        assert again.event_hashes == hashes
        assert public_verify(fresh, sold)["recalled"] is True
    finally:
        first.close()
        fresh.close()
