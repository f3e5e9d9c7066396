"""Trace data shared by the client tests and the examples' tests (valid GS1 numbers)."""

from __future__ import annotations

from typing import Any

ITEM_GTIN = "09501101530003"
PRODUCT = f"gtin:{ITEM_GTIN}"
LOT = "L1"
GLN = "0614141000005"
SHA = "ab" * 32


def sgtin(serial: str) -> str:
    return f"sgtin:{ITEM_GTIN}.{serial}"


def product_args() -> dict[str, Any]:
    return {
        "product_key": PRODUCT,
        "mah_org": "acme",
        "generic_name": "amoxicillin",
        "dosage_form": "capsule",
        "strength": "500 mg",
        "pack_size": 20,
        "markets": ["DE"],
        "storage_min_centi_c": 1500,
        "storage_max_centi_c": 2500,
    }


def batch_args(lot: str = LOT) -> dict[str, Any]:
    return {
        "product_key": PRODUCT,
        "lot": lot,
        "size": 1000,
        "site_gln": GLN,
        "manufactured": "2025-12-01",
        "expiry": "2027-12-01",
        "ebr_sha256": SHA,
    }


def commission_args(serials: list[str], lot: str = LOT) -> dict[str, Any]:
    return {
        "lot": lot,
        "production_date": "2025-12-01",
        "expiry": "2027-12-01",
        "gtin": ITEM_GTIN,
        "serials": serials,
    }
