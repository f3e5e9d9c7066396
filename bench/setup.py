"""The trace world a benchmark stands on, built through the API like any client would.

Members (preset orgs of network/orgs.py): the manufacturer's ``operator`` (MAH, ships),
``qa`` and ``qp`` (batch release), the distributor's ``operator`` and the pharmacy's
``pharmacist``. Every run uses a fresh lot and fresh serials (``Batch.tag``), so
benchmarks can run again and again on the same network.

A shippable batch needs, in this order: the product registered, the batch registered with
release, a passing certificate of analysis, the QP's release for the market (with the
21 CFR 11 manifest bound to the record's hash), and its codes commissioned.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from bench.consortium import Consortium, MemberRef
from bench.plan import TxSpec
from sdk.keys import SigningKey

MAKER: Final = "maker"
QA: Final = "qa"
QP: Final = "qp"
DISTRIBUTOR: Final = "distributor"
PHARMACY: Final = "pharmacy"
MEMBERS: Final[dict[str, MemberRef]] = {
    MAKER: MemberRef("manufacturer", "operator"),
    QA: MemberRef("manufacturer", "qa"),
    QP: MemberRef("manufacturer", "qp"),
    DISTRIBUTOR: MemberRef("distributor", "operator"),
    PHARMACY: MemberRef("pharmacy", "pharmacist"),
}
"""The bench's signer names and the consortium members behind them."""

ITEM_GTIN: Final = "09501101530003"
PRODUCT: Final = f"gtin:{ITEM_GTIN}"
GLN: Final = "0614141000005"
MARKET: Final = "US"
PRODUCED: Final = "2025-06-01"
EXPIRY: Final = "2030-12-31"
MAX_CODES_PER_SHIP: Final = 10_000
"""The trace contract's limit for ship/receive (docs/trace.md)."""
BULK_CODES_PER_TX: Final = 2_000


def load_keys(
    consortium: Consortium, names: Sequence[str] = tuple(MEMBERS)
) -> dict[str, SigningKey]:
    return {name: consortium.key(MEMBERS[name]) for name in names}


def seeds(keys: dict[str, SigningKey]) -> dict[str, bytes]:
    return {name: key.seed for name, key in keys.items()}


@dataclass(frozen=True, slots=True)
class Batch:
    """A lot of the benchmark product with serials ``{tag}{n:08d}``."""

    tag: str

    @classmethod
    def fresh(cls) -> Batch:
        return cls(secrets.token_hex(4).upper())

    @property
    def lot(self) -> str:
        return f"L{self.tag}"

    def serial(self, number: int) -> str:
        return f"{self.tag}{number:08d}"

    def code(self, number: int) -> str:
        """The canonical key of serial ``number`` (what the trace contract keys state by)."""
        return f"sgtin:{ITEM_GTIN}.{self.serial(number)}"


# --- transaction builders ----------------------------------------------------------------


def register_product() -> TxSpec:
    return TxSpec(
        MAKER,
        "trace",
        "register_product",
        {
            "product_key": PRODUCT,
            "mah_org": MEMBERS[MAKER].org,
            "generic_name": "amoxicillin",
            "dosage_form": "capsule",
            "strength": "500 mg",
            "pack_size": 20,
            "packaging_level": "item",
            "markets": [MARKET, "DE"],
            "storage_min_centi_c": 1500,
            "storage_max_centi_c": 2500,
        },
    )


def _ref(batch: Batch) -> dict[str, Any]:
    return {"product_key": PRODUCT, "lot": batch.lot}


def register_batch(batch: Batch, size: int) -> TxSpec:
    digest = hashlib.sha256(f"ebr/{batch.lot}".encode()).hexdigest()
    args = {
        **_ref(batch),
        "size": max(size, 1),
        "site_gln": GLN,
        "manufactured": PRODUCED,
        "expiry": EXPIRY,
        "ebr_sha256": digest,
    }
    return TxSpec(MAKER, "release", "register_batch", args)


def record_coa(batch: Batch) -> TxSpec:
    test = {
        "test": "assay",
        "name": "Assay (HPLC)",
        "method": "Ph. Eur. 2.2.29",
        "spec": {"kind": "numeric", "min": 950, "max": 1050, "scale": 1},
        "result": {"kind": "numeric", "value": 9990, "scale": 2},
    }
    digest = hashlib.sha256(f"coa/{batch.lot}".encode()).hexdigest()
    args = {**_ref(batch), "lab": "QC lab 1", "document_sha256": digest, "tests": [test]}
    return TxSpec(QA, "release", "record_coa", args)


def release_batch(batch: Batch, record_sha256: str, *, now_ms: int) -> TxSpec:
    manifest = {
        "printed_name": "Bench QP",
        "signed_at_ms": now_ms,
        "meaning": "release",
        "record_sha256": record_sha256,
    }
    args = {**_ref(batch), "markets": [MARKET], "manifest": manifest}
    return TxSpec(QP, "release", "release_batch", args)


def commission(batch: Batch, numbers: range, *, per_tx: int) -> list[TxSpec]:
    """Commission serials ``numbers`` in transactions of ``per_tx`` serials (fast path)."""
    specs = []
    for start in range(numbers.start, numbers.stop, per_tx):
        chunk = range(start, min(start + per_tx, numbers.stop))
        args = {
            "lot": batch.lot,
            "production_date": PRODUCED,
            "expiry": EXPIRY,
            "gtin": ITEM_GTIN,
            "serials": [batch.serial(n) for n in chunk],
        }
        specs.append(TxSpec(MAKER, "trace", "commission", args, units=len(chunk)))
    return specs


def ship(codes: Sequence[str], *, to: str, signer: str = MAKER) -> TxSpec:
    args = {"codes": list(codes), "to_org": MEMBERS[to].org, "to_gln": GLN, "market": MARKET}
    return TxSpec(signer, "trace", "ship", args, units=len(codes))


def receive(codes: Sequence[str], *, signer: str) -> TxSpec:
    return TxSpec(signer, "trace", "receive", {"codes": list(codes)}, units=len(codes))


def dispense(code: str) -> TxSpec:
    return TxSpec(PHARMACY, "trace", "dispense", {"code": code})


def chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- preparing the ledger -----------------------------------------------------------------


class Ledger(Protocol):
    """Where preparation happens: a node's API (bench.ledger.LedgerClient), or a contract
    harness in tests."""

    def submit(self, specs: Sequence[TxSpec]) -> list[Any]:
        """Sign and commit every transaction; raise unless each committed with ``ok``."""
        ...

    def query(self, contract: str, function: str, args: dict[str, Any], *, signer: str) -> Any: ...

    def now_ms(self) -> int:
        """The ledger's idea of now (what a QP's signing time is checked against)."""
        ...


def released_batch(client: Ledger, size: int) -> Batch:
    """A fresh batch of the (re-)registered product, released for :data:`MARKET`."""
    batch = Batch.fresh()
    client.submit([register_product(), register_batch(batch, size)])
    client.submit([record_coa(batch)])
    reviewed = client.query("release", "get_batch", _ref(batch), signer=MAKER)
    client.submit([release_batch(batch, str(reviewed["record_sha256"]), now_ms=client.now_ms())])
    return batch


def commission_all(client: Ledger, batch: Batch, count: int, say: Callable[[str], None]) -> None:
    specs = commission(batch, range(count), per_tx=BULK_CODES_PER_TX)
    for done, spec in enumerate(specs, start=1):
        client.submit([spec])
        if done % 20 == 0 or done == len(specs):
            say(f"commissioned {min(done * BULK_CODES_PER_TX, count)} of {count} codes")


def deliver(client: Ledger, codes: Sequence[str], *, to: str, receive_too: bool) -> None:
    """Ship ``codes`` from the manufacturer to ``to`` in bulk; receive them there too when
    ``receive_too`` (else they stay in transit)."""
    for group in chunks(codes, BULK_CODES_PER_TX):
        client.submit([ship(group, to=to)])
        if receive_too:
            client.submit([receive(group, signer=to)])
