"""Issue 7 "Done means" on a 3-node network: supplier, release and cold chain end to end.

One story, each step signed by the member whose role the contract asks for and sent to
that member's own node: QA qualifies a supplier that sources from a tier-2 supplier
(look-through), a batch made from its material is refused release on a failing CoA, then
released on a corrected one; the pallet ships, the distributor's logger (an Ed25519 key made
here and registered on the ledger) reports a freeze, and the public verify shows the packs
quarantined until the maker's QA releases the excursion. Finally a certificate of the
supplier runs out: the first block after its end suspends the supplier, and a new batch
made from its material is refused release.

Ids carry a random run tag, so the story runs on the shared network next to other tests.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any, Final

import pytest

from network.demo.api import ApiLedger
from network.demo.catalog import MemberRef, demo_sha256
from network.demo.story import Outcome
from sdk.encoding import encode
from sdk.keys import Domain, SigningKey
from tests.e2e.harness import Cluster

pytestmark = pytest.mark.e2e

MAKER: Final = MemberRef("manufacturer", "operator")
MAKER_QA: Final = MemberRef("manufacturer", "qa")
MAKER_QP: Final = MemberRef("manufacturer", "qp")
WHOLESALER: Final = MemberRef("distributor", "operator")
PLANT_GLN: Final = "9506000000015"
WAREHOUSE_GLN: Final = "9506000000022"
MARKET: Final = "DE"
DAY_MS: Final = 86_400_000
CERT_LIFETIME_MS: Final = 4_000
"""How long the short certificate stays valid after it is recorded: the test waits this out."""
PACKS: Final = 4


def check_digit(digits: str) -> str:
    """GS1 mod-10 check digit (weights 3, 1 from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Run:
    """The story's ids (unique per run) and its ledger, with the steps' arguments."""

    def __init__(self, ledger: ApiLedger) -> None:
        self.ledger = ledger
        tag = secrets.token_hex(3).upper()
        number = int(tag, 16) % 1_000_000
        gtin13 = f"0950612{number:06d}"
        self.gtin = gtin13 + check_digit(gtin13)
        self.product = f"gtin:{self.gtin}"
        sscc17 = f"095061200{number:08d}"
        self.sscc = sscc17 + check_digit(sscc17)
        self.supplier = f"SUP-{tag}"
        self.tier2 = f"SUP2-{tag}"
        self.material = f"API-{tag}"
        self.lot = f"Q{tag}A"
        self.second_lot = f"Q{tag}B"
        self.device = f"TL-{tag}"
        self.leg = f"LEG-{tag}"
        self.device_key = SigningKey.generate()
        self.produced = time.strftime("%Y-%m-%d", time.gmtime())
        self.expiry = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 700 * 86_400))

    # --- plumbing -------------------------------------------------------------------------

    def submit(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Outcome:
        return self.ledger.submit(member, contract, function, args)

    def do(self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]) -> Any:
        outcome = self.submit(member, contract, function, args)
        assert outcome.ok, f"{contract}.{function} as {member}: {outcome.code} {outcome.message}"
        return outcome.result

    def query(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Any:
        return self.ledger.query(member, contract, function, args)

    def batch(self, lot: str) -> dict[str, Any]:
        return {"product_key": self.product, "lot": lot}

    def pack(self, index: int) -> str:
        return f"sgtin:{self.gtin}.P{self.lot}{index}"

    # --- supplier qualification -----------------------------------------------------------

    def qualify(self, supplier: str, org_id: str, *, material: str | None) -> None:
        today = now_ms()
        site = {"gln": PLANT_GLN, "name": "API plant", "address": "Example Park 2, Basel"}
        entry = {"supplier": supplier, "org_id": org_id, "name": org_id, "sites": [site]}
        self.do(MAKER_QA, "supplier", "register_supplier", entry)
        self.certificate(supplier, f"GMP-{supplier}", "gmp_certificate", today + 900 * DAY_MS)
        audit = {
            "supplier": supplier,
            "audit": f"AUD-{supplier}",
            "date": today - 60 * DAY_MS,
            "auditor": "QA auditor",
            "kind": "onsite",
            "outcome": "satisfactory",
            "next_due": today + 700 * DAY_MS,
        }
        self.do(MAKER_QA, "supplier", "record_audit", audit)
        approve = {"supplier": supplier, "status": "approved", "reason": "audit satisfactory"}
        self.do(MAKER_QA, "supplier", "set_status", approve)
        if material is not None:
            assign = {"supplier": supplier, "material": material}
            self.do(MAKER_QA, "supplier", "assign_material", assign)
            self.do(MAKER_QA, "supplier", "set_status", {**approve, "material": material})

    def certificate(self, supplier: str, certificate: str, kind: str, valid_to_ms: int) -> Any:
        """A required certificate recorded (and so verified) by the buyer's QA."""
        args = {
            "supplier": supplier,
            "certificate": certificate,
            "type": kind,
            "issuer": "Swissmedic",
            "number": certificate,
            "scope": "Manufacture of active substances",
            "valid_from": now_ms() - 200 * DAY_MS,
            "valid_to": valid_to_ms,
            "document_sha256": demo_sha256(certificate),
        }
        return self.do(MAKER_QA, "supplier", "submit_certificate", args)

    # --- batch record and QP release ------------------------------------------------------

    def record_batch(self, lot: str) -> None:
        record = {
            **self.batch(lot),
            "size": 1000,
            "unit": "packs",
            "site_gln": PLANT_GLN,
            "manufactured": self.produced,
            "expiry": self.expiry,
            "ebr_sha256": demo_sha256(f"batch record {lot}"),
        }
        self.do(MAKER, "release", "register_batch", record)
        line = {
            "material": self.material,
            "supplier": self.supplier,
            "supplier_lot": f"AUR-{lot}",
            "quantity": 1250,
            "scale": 3,
            "unit": "kg",
            "used_at": now_ms(),
        }
        self.do(MAKER, "release", "add_materials", {**self.batch(lot), "materials": [line]})

    def coa(self, lot: str, assay: int) -> None:
        """A CoA whose assay (one decimal: 1003 is 100.3 %) must lie in 95.0–105.0 %."""
        test = {
            "test": "assay",
            "name": "Assay (HPLC), % of label claim",
            "method": "Ph. Eur. 2.2.29",
            "spec": {"kind": "numeric", "min": 950, "max": 1050, "scale": 1},
            "result": {"kind": "numeric", "value": assay, "scale": 1},
        }
        args = {
            **self.batch(lot),
            "lab": "QC laboratory",
            "document_sha256": demo_sha256(f"CoA {lot} {assay}"),
            "tests": [test],
        }
        self.do(MAKER_QA, "release", "record_coa", args)

    def release(self, lot: str) -> Outcome:
        """The QP signs the reviewed record's hash (21 CFR 11.50 manifestation)."""
        reviewed = self.query(MAKER_QP, "release", "get_batch", self.batch(lot))
        manifest = {
            "printed_name": "Dr. Jane Example, Qualified Person",
            "signed_at_ms": now_ms(),
            "meaning": "release",
            "record_sha256": reviewed["record_sha256"],
        }
        args = {**self.batch(lot), "markets": [MARKET], "manifest": manifest}
        return self.submit(MAKER_QP, "release", "release_batch", args)

    def assert_blockers(self, lot: str, *codes: str) -> None:
        """What blocks release (review by exception) is exactly ``codes``, in check order."""
        found = self.query(MAKER_QA, "release", "release_blockers", self.batch(lot))
        assert [b["code"] for b in found] == list(codes), found

    # --- serialisation, cold chain --------------------------------------------------------

    def commission_and_pack(self) -> None:
        args = {
            "lot": self.lot,
            "production_date": self.produced,
            "expiry": self.expiry,
            "gtin": self.gtin,
            "serials": [f"P{self.lot}{i}" for i in range(PACKS)],
        }
        self.do(MAKER, "trace", "commission", args)
        pallet = f"sscc:{self.sscc}"
        self.do(MAKER, "trace", "commission_containers", {"codes": [pallet], "level": "pallet"})
        children = [self.pack(i) for i in range(PACKS)]
        self.do(MAKER, "trace", "aggregate", {"parent": pallet, "children": children})

    def readings(self, values: list[int]) -> dict[str, Any]:
        """A reading batch signed by the logger's own key, ending a minute ago."""
        interval = 60_000
        start = now_ms() - (len(values) + 1) * interval
        payload = encode(
            ["rxledger.coldchain.readings.v1", self.leg, self.device, start, interval, values]
        )
        signature = self.device_key.sign(Domain.DEVICE_READING, payload)
        return {
            "leg": self.leg,
            "device": self.device,
            "start_ms": start,
            "interval_ms": interval,
            "values": values,
            "signature": signature.value.hex(),
        }


def verified_everywhere(cluster: Cluster, code: str, *, hold: str | None, info: str | None) -> None:
    """Every node's public ``/v1/verify`` answers ``hold`` and ``additionalInfo`` for ``code``
    (a node may apply the block a moment after the one that answered the submit)."""
    for node_id in cluster.ids:

        def shows(node_id: int = node_id) -> dict[str, Any] | None:
            response = cluster.http.get(cluster.url(node_id, "/v1/verify"), params={"code": code})
            answer: dict[str, Any] = response.json()
            return answer if (answer["hold"], answer["additionalInfo"]) == (hold, info) else None

        cluster.wait_for(f"node {node_id} verifies {code} with hold {hold}", shows, 10.0)


def product_args(run: Run) -> dict[str, Any]:
    return {
        "product_key": run.product,
        "mah_org": MAKER.org,
        "generic_name": "insulin glargine",
        "dosage_form": "solution for injection",
        "strength": "100 units/mL",
        "pack_size": 5,
        "packaging_level": "item",
        "markets": [MARKET],
        "storage_min_centi_c": 200,
        "storage_max_centi_c": 800,
    }


def leg_args(run: Run) -> dict[str, Any]:
    profile = {
        "min_centi_c": 200,
        "max_centi_c": 800,
        "pre_alarm_low_centi_c": 300,
        "pre_alarm_high_centi_c": 700,
        "allowed_minutes_out": 30,
        "freeze_sensitive": True,
    }
    return {
        "leg": run.leg,
        "profile": profile,
        "devices": [run.device],
        "batches": [run.batch(run.lot)],
        "ssccs": [run.sscc],
        "responsible_org": MAKER.org,
        "from_gln": PLANT_GLN,
        "to_gln": WAREHOUSE_GLN,
    }


def test_qualify_release_ship_excursion_and_expiry(three_nodes: Cluster) -> None:
    with ApiLedger(three_nodes.directory, deadline_s=30.0) as ledger:
        run = Run(ledger)

        # Qualify: the tier-2 supplier first, then the API supplier sourcing from it.
        run.do(
            MAKER_QA,
            "supplier",
            "register_material",
            {
                "material": run.material,
                "name": "Insulin glargine, drug substance",
                "specification": "SPEC-API",
                "spec_version": "1",
                "spec_sha256": demo_sha256("spec"),
                "critical": True,
            },
        )
        run.qualify(run.tier2, "tier2-intermediates", material=None)
        run.qualify(run.supplier, "aurora-api", material=run.material)
        link = {"supplier": run.supplier, "subsupplier": run.tier2}
        run.do(MAKER_QA, "supplier", "link_subsupplier", link)
        tree = run.query(MAKER_QA, "supplier", "supplier_tree", {"supplier": run.supplier})
        assert tree["flags"] == []
        [tier2] = tree["tree"]["children"]
        assert (tier2["supplier"], tier2["tier"], tier2["status"]) == (run.tier2, 2, "approved")

        # Batch record, a failing CoA refused, a corrected one released.
        run.do(MAKER, "trace", "register_product", product_args(run))
        run.record_batch(run.lot)
        run.coa(run.lot, assay=912)
        refused = run.release(run.lot)
        assert refused.code == "release.coa_failed", refused
        run.assert_blockers(run.lot, "release.coa_failed")
        run.coa(run.lot, assay=1003)
        run.assert_blockers(run.lot)
        released = run.release(run.lot)
        assert released.ok, released

        # Ship the pallet cold; the logger reports a freeze on the way.
        run.commission_and_pack()
        logger = {
            "device": run.device,
            "public_key": run.device_key.public_key.raw.hex(),
            "model": "USB logger, 2-8 °C",
            "calibration_certificate": f"CAL-{run.device}",
            "calibration_expiry": now_ms() + 300 * DAY_MS,
        }
        run.do(WHOLESALER, "coldchain", "register_device", logger)
        run.do(WHOLESALER, "coldchain", "create_leg", leg_args(run))
        shipment = {
            "codes": [f"sscc:{run.sscc}"],
            "to_org": WHOLESALER.org,
            "to_gln": WAREHOUSE_GLN,
            "market": MARKET,
        }
        run.do(MAKER, "trace", "ship", shipment)
        # The short certificate starts its clock now, so its expiry overlaps the cold chain.
        lapse_ms = now_ms() + CERT_LIFETIME_MS
        run.certificate(run.supplier, f"LIC-{run.supplier}", "manufacturing_licence", lapse_ms)
        logged = run.do(
            WHOLESALER, "coldchain", "submit_readings", run.readings([450] * 8 + [-150] * 2)
        )
        excursion = logged["excursion"]
        assert excursion["kinds"] == ["freeze"]
        assert excursion["quarantine"] == {"requested": 1, "ok": True, "code": None}
        for code in (run.pack(0), f"sscc:{run.sscc}"):
            verified_everywhere(three_nodes, code, hold="quarantined", info="Suspect")
        run.assert_blockers(run.lot, "release.cold_chain_excursion")

        # The maker's QA releases the excursion: the quarantine is lifted in that transaction.
        decision = {
            "leg": run.leg,
            "number": excursion["number"],
            "decision": "release",
            "reason": "stability data cover 20 min at -1.5 °C",
        }
        decided = run.do(MAKER_QA, "coldchain", "resolve_excursion", decision)
        assert decided["decision"]["codes"]["ok"] is True
        verified_everywhere(three_nodes, run.pack(1), hold=None, info=None)

        # The certificate runs out: the first block after it suspends the supplier.
        while now_ms() <= lapse_ms + 500:
            time.sleep(0.1)
        swept = run.do(MAKER, "supplier", "sweep_expired", {})
        mine = [entry for entry in swept if entry.get("supplier") == run.supplier]
        assert [entry["at_ms"] for entry in mine if entry["material"] is None] == [lapse_ms]
        seen = run.query(MAKER_QA, "supplier", "get_supplier", {"supplier": run.supplier})
        assert seen["status"]["status"] == "suspended", seen["status"]
        history = run.query(MAKER_QA, "supplier", "status_history", {"supplier": run.supplier})
        assert history[-1]["by"] == "auto", history[-1]

        # A new batch made from that supplier's material cannot be released.
        run.record_batch(run.second_lot)
        run.coa(run.second_lot, assay=1003)
        refused = run.release(run.second_lot)
        assert refused.code == "release.supplier_not_approved", refused
