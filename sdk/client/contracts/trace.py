"""Typed helpers for the ``trace`` contract (docs/trace.md).

Argument names and shapes mirror the contract's own models
(``chaincode/contracts/trace/models.py``); ``tests/sdk/client/test_contract_models.py``
checks that they match field for field. Codes are any scanned text the contract reads (GS1
element string, Digital Link, HRI, 20-digit NMPA code) or a canonical key.
"""

# No ``from __future__ import annotations``: on Python 3.11 it hides NotRequired from
# TypedDict, and every field would count as required.
from typing import Literal, NotRequired, TypedDict, TypeVar, Unpack

from sdk.client.contracts.base import ContractApi

T_co = TypeVar("T_co", covariant=True)
Q_co = TypeVar("Q_co", covariant=True)

Level = Literal["item", "case", "pallet"]
DecommissionReason = Literal["destroyed", "exported", "sample", "free_sample", "stolen"]


class RegisterProductArgs(TypedDict):
    product_key: str
    mah_org: str
    generic_name: str
    dosage_form: str
    strength: str
    pack_size: int
    packaging_level: NotRequired[Level]
    markets: list[str]
    storage_min_centi_c: int
    storage_max_centi_c: int
    trade_name: NotRequired[str | None]
    base_product: NotRequired[str | None]


class EventTimeArgs(TypedDict):
    """When the business event happened (EPCIS ``eventTime``); default: the block time."""

    event_time_ms: NotRequired[int | None]
    event_time_zone_offset: NotRequired[str | None]


class CommissionArgs(EventTimeArgs):
    """Either ``codes`` or ``gtin`` plus ``serials`` (the fast path for one GTIN)."""

    lot: str
    production_date: str
    expiry: str
    level: NotRequired[Level | None]
    codes: NotRequired[list[str] | None]
    gtin: NotRequired[str | None]
    serials: NotRequired[list[str] | None]


class ContainerArgs(EventTimeArgs):
    codes: list[str]
    level: NotRequired[Literal["case", "pallet"]]


class AggregateArgs(EventTimeArgs):
    parent: str
    children: list[str]


class DisaggregateArgs(EventTimeArgs):
    parent: str
    children: NotRequired[list[str] | None]


class ShipArgs(EventTimeArgs):
    codes: list[str]
    to_org: str
    to_gln: str
    market: str
    business_refs: NotRequired[list[str]]
    document_hashes: NotRequired[list[str]]


class ReceiveArgs(EventTimeArgs):
    codes: list[str]
    gln: NotRequired[str | None]


class CodeArgs(TypedDict):
    code: str


class DispenseArgs(EventTimeArgs):
    code: str


class ReturnArgs(TypedDict):
    code: str
    reason: str


class DecommissionArgs(EventTimeArgs):
    codes: list[str]
    reason: DecommissionReason


class CodesArgs(TypedDict):
    codes: list[str]


class RecallArgs(EventTimeArgs):
    product_key: str
    lot: str
    reason: str


class HoldArgs(TypedDict):
    codes: list[str]
    reason: str


class BatchArgs(TypedDict):
    product_key: str
    lot: str


class BatchHistoryArgs(TypedDict):
    product_key: str
    lot: str
    limit: NotRequired[int]
    after: NotRequired[str | None]


class PageArgs(TypedDict):
    limit: NotRequired[int]
    after: NotRequired[str | None]


class TraceApi(ContractApi[T_co, Q_co]):
    """``client.trace``: serialized track and trace, from commissioning to dispensing."""

    contract = "trace"

    def register_product(self, **args: Unpack[RegisterProductArgs]) -> T_co:
        return self._tx("register_product", args)

    def commission(self, **args: Unpack[CommissionArgs]) -> T_co:
        return self._tx("commission", args)

    def commission_containers(self, **args: Unpack[ContainerArgs]) -> T_co:
        return self._tx("commission_containers", args)

    def aggregate(self, **args: Unpack[AggregateArgs]) -> T_co:
        return self._tx("aggregate", args)

    def disaggregate(self, **args: Unpack[DisaggregateArgs]) -> T_co:
        return self._tx("disaggregate", args)

    def repack(self, **args: Unpack[AggregateArgs]) -> T_co:
        return self._tx("repack", args)

    def ship(self, **args: Unpack[ShipArgs]) -> T_co:
        return self._tx("ship", args)

    def receive(self, **args: Unpack[ReceiveArgs]) -> T_co:
        return self._tx("receive", args)

    def dispense(self, **args: Unpack[DispenseArgs]) -> T_co:
        """Never refused for an unsafe sale: the result then carries ``alert`` instead."""
        return self._tx("dispense", args)

    def return_dispense(self, **args: Unpack[ReturnArgs]) -> T_co:
        return self._tx("return_dispense", args)

    def decommission(self, **args: Unpack[DecommissionArgs]) -> T_co:
        return self._tx("decommission", args)

    def undo_decommission(self, **args: Unpack[CodesArgs]) -> T_co:
        return self._tx("undo_decommission", args)

    def recall(self, **args: Unpack[RecallArgs]) -> T_co:
        return self._tx("recall", args)

    def suspect(self, **args: Unpack[HoldArgs]) -> T_co:
        return self._tx("suspect", args)

    def quarantine(self, **args: Unpack[HoldArgs]) -> T_co:
        return self._tx("quarantine", args)

    def release_quarantine(self, **args: Unpack[HoldArgs]) -> T_co:
        return self._tx("release_quarantine", args)

    def verify(self, **args: Unpack[CodeArgs]) -> Q_co:
        """The member's view of a code (custody included); ``client.verify_code`` is the
        public one."""
        return self._query("verify", args)

    def history(self, **args: Unpack[CodeArgs]) -> Q_co:
        return self._query("history", args)

    def batch_history(self, **args: Unpack[BatchHistoryArgs]) -> Q_co:
        return self._query("batch_history", args)

    def batch_status(self, **args: Unpack[BatchArgs]) -> Q_co:
        return self._query("batch_status", args)

    def alerts(self, **args: Unpack[PageArgs]) -> Q_co:
        return self._query("alerts", args)
