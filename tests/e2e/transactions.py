"""Signed trace transactions for end-to-end tests: many distinct, valid product registrations.

``register_product`` (docs/trace.md) needs only the manufacturer's ``operator`` member and
no prior state, so every one of them commits with code ``ok``; each gets a fresh GTIN, so
the state grows by one product per transaction and no two transactions touch the same key.
"""

from __future__ import annotations

import dataclasses
import itertools
import secrets
from typing import Any, Final

from sdk.keys import SigningKey
from sdk.tx import SignedTransaction, UnsignedTransaction, build

MANUFACTURER: Final = "manufacturer"
GTIN_PREFIX: Final = "0950600"
"""Seven digits; six more come from a counter, then the check digit."""


def gtin14(number: int) -> str:
    """A GTIN-14 with a valid check digit (GS1 mod-10, weights 3,1 from the right)."""
    data = f"{GTIN_PREFIX}{number:06d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(data))
    return data + str((10 - total % 10) % 10)


def product_args(number: int, mah_org: str = MANUFACTURER) -> dict[str, Any]:
    return {
        "product_key": f"gtin:{gtin14(number)}",
        "mah_org": mah_org,
        "generic_name": "amoxicillin",
        "dosage_form": "capsule",
        "strength": "500 mg",
        "pack_size": 20,
        "packaging_level": "item",
        "markets": ["DE", "US"],
        "storage_min_centi_c": 1500,
        "storage_max_centi_c": 2500,
    }


class Registrations:
    """Distinct ``trace.register_product`` transactions signed by one member.

    Products are numbered from a random start (up to 10^6 per run), so transactions of two
    factories on the same chain do not collide.
    """

    def __init__(self, chain_id: str, key: SigningKey, *, mah_org: str = MANUFACTURER) -> None:
        self.chain_id = chain_id
        self.key = key
        self.mah_org = mah_org
        self._numbers = itertools.count(secrets.randbelow(500_000))

    def unsigned(self, **overrides: Any) -> UnsignedTransaction:
        """The next registration; ``overrides`` replace fields (``chain_id``, ``args``, ...)."""
        number = next(self._numbers) % 1_000_000
        tx = build(
            self.chain_id,
            "trace",
            "register_product",
            product_args(number, self.mah_org),
            self.key.key_id,
        )
        return dataclasses.replace(tx, **overrides)

    def one(self, **overrides: Any) -> SignedTransaction:
        return self.unsigned(**overrides).sign(self.key)

    def batch(self, count: int) -> list[SignedTransaction]:
        return [self.one() for _ in range(count)]
