"""The demo told as transactions: qualify, make, release, pack, ship cold, sell, recall.

:class:`Story` drives any :class:`DemoLedger` (the node API, or an in-memory ledger in
tests) through the supply chain of :mod:`network.demo.catalog`, each step signed by the
member whose role the contract asks for.

Seeding twice is safe. Before anything is written the story asks the public verify
answer of two packs: when the dispensed pack is dispensed and the other lot's pack is
recalled, the network is already seeded and nothing is submitted. When the first pack is
commissioned but the story did not finish, the ledger holds half a demo that cannot be
completed blindly (custody moved, a sale happened): :class:`DemoPartlySeeded` says how to
start over. Steps before commissioning only register master data, so a refusal that means
"already there" (``supplier.duplicate``, ``release.batch_locked`` for a decided batch, …)
counts as done and an interrupted first run simply resumes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from network.demo import catalog
from network.demo.catalog import (
    MAKER,
    MAKER_QA,
    MAKER_QP,
    PHARMACIST,
    WHOLESALER,
    DemoCalendar,
    DemoLot,
    DemoWorld,
    MemberRef,
)
from network.demo.errors import DemoPartlySeeded, DemoRefused
from sdk.keys import SigningKey


@dataclass(frozen=True, slots=True)
class Outcome:
    """A committed transaction's result code (``ok`` or a rejection), message and result."""

    code: str
    message: str
    result: Any

    @property
    def ok(self) -> bool:
        return self.code == "ok"


class DemoLedger(Protocol):
    """What the story needs from a ledger."""

    def submit(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Outcome:
        """Sign as ``member``, submit, and wait until the transaction commits."""
        ...

    def query(
        self, member: MemberRef, contract: str, function: str, args: Mapping[str, Any]
    ) -> Any:
        """A read-only contract function, asked as ``member``."""
        ...

    def verify(self, code: str) -> Mapping[str, Any]:
        """The public verify answer for scanned text (``GET /v1/verify``)."""
        ...


class Progress(enum.Enum):
    FRESH = "fresh"
    PARTLY = "partly"
    SEEDED = "seeded"


@dataclass(frozen=True, slots=True)
class ColdChainSummary:
    """The logger's running summary after the journey (centi-degrees; MKT as text, °C)."""

    readings: int
    min_centi_c: int | None
    max_centi_c: int | None
    mkt_c: str | None
    excursion: bool


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What the seeding did; ``already_seeded`` when it found its work on the ledger."""

    world: DemoWorld
    already_seeded: bool
    transactions: int = 0
    recall_holders: tuple[str, ...] = ()
    cold_chain: ColdChainSummary | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """How far an earlier seeding got; ``world`` is the seeded one (its dates) when done."""

    progress: Progress
    world: DemoWorld


def survey(ledger: DemoLedger, world: DemoWorld) -> Found:
    """Ask the public verify answer of the two packs the story ends with, and of the first
    pack it commissions. Canonical keys, not printed codes: the dates in a printed code are
    the day of seeding, which may not be today."""
    dispensed = ledger.verify(world.dispensed_pack.key)
    recalled = ledger.verify(world.recalled_pack.key)
    if dispensed.get("status") == "dispensed" and recalled.get("recalled") is True:
        return Found(Progress.SEEDED, _world_of(dispensed, world))
    first = ledger.verify(world.shipped.pack(0).key)
    return Found(Progress.PARTLY if first.get("commissioned") else Progress.FRESH, world)


def _world_of(answer: Mapping[str, Any], fallback: DemoWorld) -> DemoWorld:
    """The world as seeded: production date (and so expiry) from the ledger's answer."""
    produced = answer.get("production_date")
    if not isinstance(produced, str):
        return fallback
    try:
        day = date.fromisoformat(produced)
    except ValueError:
        return fallback
    return DemoWorld(DemoCalendar(day, fallback.calendar.now_ms))


@dataclass
class Story:
    """One seeding run. ``clock`` gives the ledger's idea of now in ms (signing times)."""

    ledger: DemoLedger
    world: DemoWorld
    device_key: SigningKey
    clock: Callable[[], int]
    say: Callable[[str], None] = field(default=lambda _message: None)
    submitted: int = 0

    def tell(self) -> SeedReport:
        found = survey(self.ledger, self.world)
        if found.progress is Progress.SEEDED:
            return SeedReport(found.world, already_seeded=True)
        if found.progress is Progress.PARTLY:
            raise DemoPartlySeeded(
                "this network holds part of the demo (an earlier seeding stopped after "
                "commissioning, and custody cannot be replayed blindly); wipe the ledgers "
                "and seed again"
            )
        self.qualify_supplier()
        self.register_products()
        for lot in self.world.lots:
            self.release(lot)
        self.commission_and_pack()
        cold_chain = self.ship_cold_to_distributor()
        self.deliver_case_to_pharmacy()
        self.dispense()
        holders = self.recall()
        return SeedReport(
            self.world,
            already_seeded=False,
            transactions=self.submitted,
            recall_holders=holders,
            cold_chain=cold_chain,
        )

    # --- the chapters ---------------------------------------------------------------------

    def qualify_supplier(self) -> None:
        calendar = self.world.calendar
        self.say(f"qualifying supplier {catalog.SUPPLIER} for {catalog.MATERIAL} (QA)")
        once = {"supplier.duplicate"}
        self._supplier("register_supplier", catalog.supplier_args(), once)
        self._supplier("register_material", catalog.material_args(), once)
        assign = {"supplier": catalog.SUPPLIER, "material": catalog.MATERIAL}
        self._supplier("assign_material", assign, once)
        self._supplier("submit_certificate", catalog.gmp_certificate_args(calendar), once)
        self._supplier("record_audit", catalog.audit_args(calendar), once)
        self._supplier("record_agreement", catalog.agreement_args(calendar), once)
        approved = {"supplier.bad_transition"}
        self._supplier("set_status", catalog.approval_args(None), approved)
        self._supplier("set_status", catalog.approval_args(catalog.MATERIAL), approved)

    def register_products(self) -> None:
        self.say(f"registering products {catalog.ITEM_PRODUCT} (pack) and {catalog.CASE_PRODUCT}")
        self._do(MAKER, "trace", "register_product", catalog.item_product_args())
        self._do(MAKER, "trace", "register_product", catalog.case_product_args())

    def release(self, lot: DemoLot) -> None:
        """Batch record, CoA, materials, then the QP signs the reviewed record's hash."""
        self.say(f"lot {lot.lot}: batch record, certificate of analysis, QP release")
        decided = {"release.batch_locked"}
        self._do(MAKER, "release", "register_batch", catalog.batch_args(lot), {"release.duplicate"})
        self._do(MAKER_QA, "release", "record_coa", catalog.coa_args(lot), decided)
        materials = catalog.materials_args(lot, used_at_ms=self.clock())
        self._do(MAKER, "release", "add_materials", materials, decided)
        reviewed = self.ledger.query(MAKER_QP, "release", "get_batch", catalog.batch_ref(lot))
        if _status(reviewed) == "released":
            return
        args = catalog.release_args(lot, str(reviewed["record_sha256"]), self.clock())
        self._do(MAKER_QP, "release", "release_batch", args)

    def commission_and_pack(self) -> None:
        self.say("commissioning serialised packs and cases, packing them onto a pallet")
        for lot in self.world.lots:
            packs = catalog.commission_args(
                lot, gtin=catalog.ITEM_GTIN, serial_list=lot.pack_serials
            )
            self._do(MAKER, "trace", "commission", packs)
            case = catalog.commission_args(
                lot, gtin=catalog.CASE_GTIN, serial_list=[lot.case_serial]
            )
            self._do(MAKER, "trace", "commission", case)
        pallet = {"codes": [self.world.pallet], "level": "pallet"}
        self._do(MAKER, "trace", "commission_containers", pallet)
        for lot in self.world.lots:
            children = [pack.key for pack in lot.packs]
            self._do(MAKER, "trace", "aggregate", {"parent": lot.case.key, "children": children})
        cases = [lot.case.key for lot in self.world.lots]
        self._do(MAKER, "trace", "aggregate", {"parent": self.world.pallet, "children": cases})

    def ship_cold_to_distributor(self) -> ColdChainSummary:
        """The distributor collects the pallet with its own logger on board."""
        calendar = self.world.calendar
        self.say(f"shipping pallet {catalog.PALLET_SSCC} to the distributor at 2-8 °C")
        logger = catalog.logger_args(calendar, self.device_key)
        self._do(WHOLESALER, "coldchain", "register_device", logger)
        self._do(WHOLESALER, "coldchain", "create_leg", catalog.leg_args(self.world))
        shipment = catalog.ship_args(
            [self.world.pallet], WHOLESALER, catalog.WAREHOUSE_GLN, "DESADV-0001"
        )
        self._do(MAKER, "trace", "ship", shipment)
        readings = catalog.readings_args(calendar, self.device_key)
        logged = self._do(WHOLESALER, "coldchain", "submit_readings", readings)
        self._do(WHOLESALER, "coldchain", "close_leg", {"leg": catalog.LEG})
        receive = {"codes": [self.world.pallet], "gln": catalog.WAREHOUSE_GLN}
        self._do(WHOLESALER, "trace", "receive", receive)
        return _summary(logged.result)

    def deliver_case_to_pharmacy(self) -> None:
        case = self.world.shipped.case.key
        self.say(f"distributor ships case {case} to the pharmacy")
        self._do(WHOLESALER, "trace", "disaggregate", {"parent": self.world.pallet})
        shipment = catalog.ship_args([case], PHARMACIST, catalog.PHARMACY_GLN, "ORD-PH-7731")
        self._do(WHOLESALER, "trace", "ship", shipment)
        self._do(PHARMACIST, "trace", "receive", {"codes": [case], "gln": catalog.PHARMACY_GLN})

    def dispense(self) -> None:
        pack = self.world.dispensed_pack
        self.say(f"pharmacy dispenses pack {pack.key}")
        sold = self._do(PHARMACIST, "trace", "dispense", {"code": pack.hri})
        if not (isinstance(sold.result, dict) and sold.result.get("dispensed") is True):
            raise DemoRefused("dispense", "alert", f"the sale raised an alert: {sold.result}")

    def recall(self) -> tuple[str, ...]:
        lot = self.world.recalled
        self.say(f"manufacturer recalls lot {lot.lot}")
        notice = self._do(MAKER, "trace", "recall", catalog.recall_args(lot)).result
        holders = notice.get("holders", []) if isinstance(notice, dict) else []
        return tuple(str(org) for org in holders)

    # --- plumbing -------------------------------------------------------------------------

    def _supplier(self, function: str, args: Mapping[str, Any], done: set[str]) -> None:
        self._do(MAKER_QA, "supplier", function, args, done)

    def _do(
        self,
        member: MemberRef,
        contract: str,
        function: str,
        args: Mapping[str, Any],
        done: set[str] | None = None,
    ) -> Outcome:
        """Submit one step; a rejection in ``done`` means its effect is already there."""
        outcome = self.ledger.submit(member, contract, function, args)
        self.submitted += 1
        if outcome.ok or outcome.code in (done or set()):
            return outcome
        raise DemoRefused(f"{contract}.{function} as {member}", outcome.code, outcome.message)


def _status(batch_view: Any) -> str | None:
    status = batch_view.get("status") if isinstance(batch_view, dict) else None
    found = status.get("status") if isinstance(status, dict) else None
    return found if isinstance(found, str) else None


def _summary(result: Any) -> ColdChainSummary:
    """The logger's running summary from ``submit_readings``'s result."""
    stream = result.get("stream") if isinstance(result, dict) else None
    stream = stream if isinstance(stream, dict) else {}
    batch = result.get("batch") if isinstance(result, dict) else None
    batch = batch if isinstance(batch, dict) else {}

    def number(value: Any) -> int | None:
        return value if isinstance(value, int) else None

    mkt = stream.get("mkt_c")
    return ColdChainSummary(
        readings=number(batch.get("readings")) or 0,
        min_centi_c=number(batch.get("min_centi_c")),
        max_centi_c=number(batch.get("max_centi_c")),
        mkt_c=None if mkt is None else str(mkt),
        excursion=isinstance(result, dict) and result.get("excursion") is not None,
    )
