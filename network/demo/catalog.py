"""The demo's world: who signs, what is made, where it goes, and the arguments to say so.

One refrigerated product (an insulin pen, 2–8 °C) of a fictional MAH, sold in packs of five
pens, ten packs to a case, cases on a pallet. Two lots are made from one qualified API
supplier: lot A travels to the distributor on a logged pallet, a case goes on to the
pharmacy and a pack is dispensed; lot B is recalled while the distributor holds it.

Every identifier is a GS1 key with a valid check digit in the ``950`` range (GS1's own
prefix for examples), so the codes parse with ``rxl code parse`` and no real company is
named. Serial numbers are randomised as the EU FMD asks (Reg. 2016/161 art. 4(b)), but
derived from a hash, so every demo network holds the same codes and a second seeding can
recognise its own work.

Dates come from a :class:`DemoCalendar` (today, and the clock in ms): the ledger checks
them against block time (certificate validity, the QP's signing time, readings no later
than the block), so they cannot be fixed in the source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sdk.codes import Gs1Code, build_gs1
from sdk.encoding import encode
from sdk.keys import Domain, SigningKey

# --- who signs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A member of the preset consortium (network/orgs.py): its org and key file stem."""

    org: str
    name: str

    def __str__(self) -> str:
        return f"{self.name}@{self.org}"


MAKER: Final = MemberRef("manufacturer", "operator")
MAKER_QA: Final = MemberRef("manufacturer", "qa")
MAKER_QP: Final = MemberRef("manufacturer", "qp")
WHOLESALER: Final = MemberRef("distributor", "operator")
PHARMACIST: Final = MemberRef("pharmacy", "pharmacist")
SIGNERS: Final = (MAKER, MAKER_QA, MAKER_QP, WHOLESALER, PHARMACIST)

# --- what is made and where it goes ---------------------------------------------------------

ITEM_GTIN: Final = "09506000134376"
CASE_GTIN: Final = "19506000134373"
ITEM_PRODUCT: Final = f"gtin:{ITEM_GTIN}"
CASE_PRODUCT: Final = f"gtin:{CASE_GTIN}"
PALLET_SSCC: Final = "195060001000000019"
PLANT_GLN: Final = "9506000000015"
WAREHOUSE_GLN: Final = "9506000000022"
PHARMACY_GLN: Final = "9506000000039"
MARKET: Final = "DE"
MARKETS: Final = ("AT", "DE", "NL")
LOT_SHIPPED: Final = "GZ24117"
LOT_RECALLED: Final = "GZ24118"
LOTS: Final = (LOT_SHIPPED, LOT_RECALLED)
PACKS_PER_CASE: Final = 10
SUPPLIER: Final = "SUP-AURORA-API"
SUPPLIER_ORG: Final = "aurora-api"
MATERIAL: Final = "API-GLARGINE"
LOGGER: Final = "TL-DIST-0001"
LEG: Final = "LEG-GZ24117-DE"
STORAGE_MIN_CENTI_C: Final = 200
STORAGE_MAX_CENTI_C: Final = 800
SERIAL_ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: a pharmacist may have to type a serial from the pack."""
SERIAL_LENGTH: Final = 12
READING_INTERVAL_MS: Final = 5 * 60_000
JOURNEY_READINGS: Final = 48
"""Four hours in the truck at one reading every five minutes."""
ARRIVED_AGO_MS: Final = 10 * 60_000


def demo_sha256(label: str) -> str:
    """Stands in for the SHA-256 of a document the demo does not have (EBR, CoA PDF, …)."""
    return hashlib.sha256(f"rxledger demo document: {label}".encode()).hexdigest()


def serials(lot: str, count: int, *, kind: str = "pack") -> list[str]:
    """``count`` serial numbers for ``lot``: random-looking, the same on every network."""
    found = []
    for index in range(count):
        digest = hashlib.sha256(f"rxledger demo/{kind}/{lot}/{index}".encode()).digest()
        found.append(
            "".join(SERIAL_ALPHABET[b % len(SERIAL_ALPHABET)] for b in digest[:SERIAL_LENGTH])
        )
    return found


@dataclass(frozen=True, slots=True)
class DemoCalendar:
    """Today (UTC) and the clock in ms: where the demo's dates come from."""

    today: date
    now_ms: int

    @classmethod
    def now(cls) -> DemoCalendar:
        moment = datetime.now(UTC)
        return cls(moment.date(), int(moment.timestamp() * 1000))

    def day(self, offset_days: int) -> str:
        return (self.today + timedelta(days=offset_days)).isoformat()

    @property
    def production_date(self) -> str:
        return self.day(0)

    @property
    def expiry(self) -> str:
        return self.day(2 * 365)


@dataclass(frozen=True, slots=True)
class DemoLot:
    """One lot: its packs, and the case they are packed in."""

    lot: str
    calendar: DemoCalendar

    @property
    def pack_serials(self) -> list[str]:
        return serials(self.lot, PACKS_PER_CASE)

    @property
    def case_serial(self) -> str:
        return serials(self.lot, 1, kind="case")[0]

    def pack(self, index: int) -> Gs1Code:
        """The pack as its 2D code prints it: GTIN, expiry, lot, serial."""
        return self._code(ITEM_GTIN, self.pack_serials[index])

    @property
    def packs(self) -> list[Gs1Code]:
        return [self.pack(i) for i in range(PACKS_PER_CASE)]

    @property
    def case(self) -> Gs1Code:
        return self._code(CASE_GTIN, self.case_serial)

    def _code(self, gtin: str, serial: str) -> Gs1Code:
        expiry = date.fromisoformat(self.calendar.expiry)
        return build_gs1(
            [("01", gtin), ("17", expiry.strftime("%y%m%d")), ("10", self.lot), ("21", serial)],
            reference_year=self.calendar.today.year,
        )


@dataclass(frozen=True, slots=True)
class DemoWorld:
    calendar: DemoCalendar

    @property
    def shipped(self) -> DemoLot:
        return DemoLot(LOT_SHIPPED, self.calendar)

    @property
    def recalled(self) -> DemoLot:
        return DemoLot(LOT_RECALLED, self.calendar)

    @property
    def lots(self) -> tuple[DemoLot, DemoLot]:
        return (self.shipped, self.recalled)

    @property
    def dispensed_pack(self) -> Gs1Code:
        return self.shipped.pack(0)

    @property
    def recalled_pack(self) -> Gs1Code:
        return self.recalled.pack(0)

    @property
    def pallet(self) -> str:
        return f"sscc:{PALLET_SSCC}"


# --- supplier qualification (ICH Q7 §7) -----------------------------------------------------


def supplier_args() -> dict[str, Any]:
    site = {"gln": PLANT_GLN, "name": "Aurora API plant 2", "address": "Example Park 2, Basel"}
    return {"supplier": SUPPLIER, "org_id": SUPPLIER_ORG, "name": "Aurora API AG", "sites": [site]}


def material_args() -> dict[str, Any]:
    return {
        "material": MATERIAL,
        "name": "Insulin glargine (rDNA), drug substance",
        "specification": "SPEC-API-GLA",
        "spec_version": "4",
        "spec_sha256": demo_sha256("API specification v4"),
        "critical": True,
    }


def gmp_certificate_args(calendar: DemoCalendar) -> dict[str, Any]:
    return {
        "supplier": SUPPLIER,
        "certificate": "GMP-CH-2026-0117",
        "type": "gmp_certificate",
        "issuer": "Swissmedic",
        "number": "GMP-CH-2026-0117",
        "scope": "Manufacture of biological active substances",
        "valid_from": calendar.day(-200),
        "valid_to": calendar.day(3 * 365),
        "document_sha256": demo_sha256("GMP certificate"),
    }


def audit_args(calendar: DemoCalendar) -> dict[str, Any]:
    return {
        "supplier": SUPPLIER,
        "audit": "AUD-2026-014",
        "date": calendar.day(-60),
        "auditor": "QA auditor, Manufacturer",
        "kind": "onsite",
        "outcome": "satisfactory",
        "next_due": calendar.day(2 * 365 - 60),
    }


def agreement_args(calendar: DemoCalendar) -> dict[str, Any]:
    return {
        "supplier": SUPPLIER,
        "agreement": "QAG-AURORA-3",
        "signed": calendar.day(-90),
        "document_sha256": demo_sha256("quality agreement"),
    }


def approval_args(material: str | None) -> dict[str, Any]:
    reason = "on-site audit satisfactory, GMP certificate verified"
    if material is None:
        return {"supplier": SUPPLIER, "status": "approved", "reason": reason}
    return {"supplier": SUPPLIER, "material": material, "status": "approved", "reason": reason}


# --- products -------------------------------------------------------------------------------


def item_product_args() -> dict[str, Any]:
    return {
        "product_key": ITEM_PRODUCT,
        "mah_org": MAKER.org,
        "generic_name": "insulin glargine",
        "trade_name": "Glarzenta",
        "dosage_form": "solution for injection in pre-filled pen",
        "strength": "100 units/mL",
        "pack_size": 5,
        "packaging_level": "item",
        "markets": list(MARKETS),
        "storage_min_centi_c": STORAGE_MIN_CENTI_C,
        "storage_max_centi_c": STORAGE_MAX_CENTI_C,
    }


def case_product_args() -> dict[str, Any]:
    return {
        **item_product_args(),
        "product_key": CASE_PRODUCT,
        "pack_size": PACKS_PER_CASE,
        "packaging_level": "case",
        "base_product": ITEM_PRODUCT,
    }


# --- batch record and QP release (EU GMP Annex 16, 21 CFR 11.50) ----------------------------


def batch_ref(lot: DemoLot) -> dict[str, Any]:
    return {"product_key": ITEM_PRODUCT, "lot": lot.lot}


def batch_args(lot: DemoLot) -> dict[str, Any]:
    return {
        **batch_ref(lot),
        "size": 24_000,
        "unit": "packs",
        "site_gln": PLANT_GLN,
        "manufactured": lot.calendar.production_date,
        "expiry": lot.calendar.expiry,
        "ebr_sha256": demo_sha256(f"electronic batch record {lot.lot}"),
    }


def coa_args(lot: DemoLot) -> dict[str, Any]:
    """The QC results; the contract computes pass/fail from spec and result."""
    tests = [
        _numeric("assay", "Assay (HPLC), % of label claim", "Ph. Eur. 2.2.29", 950, 1050, 1003),
        _numeric("ph", "pH", "Ph. Eur. 2.2.3", 35, 45, 40),
        {
            "test": "appearance",
            "name": "Appearance",
            "method": "visual, Ph. Eur. 2.9.20",
            "spec": {"kind": "text", "expected": ["clear colourless solution"]},
            "result": {"kind": "text", "text": "clear colourless solution"},
        },
        {
            "test": "sterility",
            "name": "Sterility",
            "method": "Ph. Eur. 2.6.1",
            "spec": {"kind": "text", "expected": ["complies"]},
            "result": {"kind": "text", "text": "complies"},
        },
    ]
    return {
        **batch_ref(lot),
        "lab": "QC laboratory, Manufacturer",
        "document_sha256": demo_sha256(f"certificate of analysis {lot.lot}"),
        "tests": tests,
    }


def _numeric(test: str, name: str, method: str, low: int, high: int, value: int) -> dict[str, Any]:
    """A numeric test at one decimal place (``1003`` is 100.3)."""
    return {
        "test": test,
        "name": name,
        "method": method,
        "spec": {"kind": "numeric", "min": low, "max": high, "scale": 1},
        "result": {"kind": "numeric", "value": value, "scale": 1},
    }


def materials_args(lot: DemoLot, used_at_ms: int) -> dict[str, Any]:
    line = {
        "material": MATERIAL,
        "supplier": SUPPLIER,
        "supplier_lot": f"AUR-{lot.lot[-3:]}",
        "quantity": 1_250,
        "scale": 3,
        "unit": "kg",
        "used_at": used_at_ms,
    }
    return {**batch_ref(lot), "materials": [line]}


def release_args(lot: DemoLot, record_sha256: str, signed_at_ms: int) -> dict[str, Any]:
    manifest = {
        "printed_name": "Dr. Jane Example, Qualified Person",
        "signed_at_ms": signed_at_ms,
        "meaning": "release",
        "record_sha256": record_sha256,
    }
    return {**batch_ref(lot), "markets": list(MARKETS), "manifest": manifest}


# --- serialisation and packing ---------------------------------------------------------------


def commission_args(lot: DemoLot, *, gtin: str, serial_list: Sequence[str]) -> dict[str, Any]:
    return {
        "lot": lot.lot,
        "production_date": lot.calendar.production_date,
        "expiry": lot.calendar.expiry,
        "gtin": gtin,
        "serials": list(serial_list),
    }


# --- cold chain -----------------------------------------------------------------------------


def logger_args(calendar: DemoCalendar, device_key: SigningKey) -> dict[str, Any]:
    return {
        "device": LOGGER,
        "public_key": device_key.public_key.raw.hex(),
        "model": "USB PDF logger, 2-8 °C, ±0.3 °C",
        "calibration_certificate": "CAL-TL-2026-0412",
        "calibration_expiry": calendar.day(300),
    }


def leg_args(world: DemoWorld) -> dict[str, Any]:
    profile = {
        "min_centi_c": STORAGE_MIN_CENTI_C,
        "max_centi_c": STORAGE_MAX_CENTI_C,
        "pre_alarm_low_centi_c": 300,
        "pre_alarm_high_centi_c": 700,
        "allowed_minutes_out": 30,
        "mkt_limit_centi_c": 800,
        "freeze_sensitive": True,
    }
    return {
        "leg": LEG,
        "profile": profile,
        "devices": [LOGGER],
        "batches": [batch_ref(lot) for lot in world.lots],
        "ssccs": [PALLET_SSCC],
        "responsible_org": MAKER.org,
        "from_gln": PLANT_GLN,
        "to_gln": WAREHOUSE_GLN,
    }


def journey_values() -> list[int]:
    """Four hours between 4.3 °C and 5.8 °C: cooling down after loading, then steady."""
    cooling = [580, 560, 540, 520, 500, 480]
    steady = [470, 460, 450, 440, 430, 440, 450, 460]
    values = cooling + steady * ((JOURNEY_READINGS - len(cooling)) // len(steady) + 1)
    return values[:JOURNEY_READINGS]


def readings_args(calendar: DemoCalendar, device_key: SigningKey) -> dict[str, Any]:
    """The logger's reading batch, signed by the logger's own key (domain DEVICE_READING)."""
    values = journey_values()
    end_ms = calendar.now_ms - ARRIVED_AGO_MS
    start_ms = end_ms - len(values) * READING_INTERVAL_MS
    payload = encode(
        ["rxledger.coldchain.readings.v1", LEG, LOGGER, start_ms, READING_INTERVAL_MS, values]
    )
    signature = device_key.sign(Domain.DEVICE_READING, payload)
    return {
        "leg": LEG,
        "device": LOGGER,
        "start_ms": start_ms,
        "interval_ms": READING_INTERVAL_MS,
        "values": values,
        "signature": signature.value.hex(),
    }


# --- custody --------------------------------------------------------------------------------


def ship_args(codes: Sequence[str], to: MemberRef, to_gln: str, reference: str) -> dict[str, Any]:
    return {
        "codes": list(codes),
        "to_org": to.org,
        "to_gln": to_gln,
        "market": MARKET,
        "business_refs": [reference],
        "document_hashes": [demo_sha256(f"dispatch note {reference}")],
    }


def recall_args(lot: DemoLot) -> dict[str, Any]:
    reason = "Class II recall: particulate matter found in retained samples"
    return {**batch_ref(lot), "reason": reason}
