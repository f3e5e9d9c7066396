"""Argument models of the trace contract functions (strict: no coercion, no unknown fields)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from chaincode.api import Args

Level = Literal["item", "case", "pallet"]
DecommissionReason = Literal["destroyed", "exported", "sample", "free_sample", "stolen"]

Text = Annotated[str, Field(min_length=1, max_length=200)]
CodeText = Annotated[str, Field(min_length=1, max_length=200)]
Codes = Annotated[list[CodeText], Field(min_length=1, max_length=1_000_000)]
FewCodes = Annotated[list[CodeText], Field(min_length=1, max_length=10_000)]
Org = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:\-]{1,64}$")]
Market = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Limit = Annotated[int, Field(ge=1, le=1000)]
EventTimeMs = Annotated[int, Field(ge=0, le=253_402_300_799_999)]
"""Milliseconds since the Unix epoch, up to 9999-12-31T23:59:59.999Z (EPCIS dateTime)."""
ZoneOffset = Annotated[str, Field(pattern=r"^(?:[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)$")]
"""An EPCIS ``eventTimeZoneOffset``: ``±hh:mm`` from -14:00 to +14:00."""


class EventTimeArgs(Args):
    """When the business event happened (EPCIS ``eventTime``), if not at the block time.

    Both default from the block: ``event_time_ms`` to its time, the offset to ``+00:00``.
    """

    event_time_ms: EventTimeMs | None = None
    event_time_zone_offset: ZoneOffset | None = None


class RegisterProductArgs(Args):
    """Product master data; ``base_product`` links a case/pallet GTIN to its item product."""

    product_key: Text
    mah_org: Org
    generic_name: Text
    dosage_form: Text
    strength: Text
    pack_size: Annotated[int, Field(ge=1, le=1_000_000)]
    packaging_level: Level = "item"
    markets: Annotated[list[Market], Field(min_length=1, max_length=250)]
    storage_min_centi_c: Annotated[int, Field(ge=-27_315, le=10_000)]
    storage_max_centi_c: Annotated[int, Field(ge=-27_315, le=10_000)]
    trade_name: Text | None = None
    base_product: Text | None = None


class CommissionArgs(EventTimeArgs):
    """Codes of one batch: either ``codes`` (any text form) or ``gtin`` plus ``serials``."""

    lot: Text
    production_date: Text
    expiry: Text
    level: Level | None = None
    codes: Codes | None = None
    gtin: Annotated[str, Field(pattern=r"^\d{14}$")] | None = None
    serials: Codes | None = None

    @model_validator(mode="after")
    def _one_form(self) -> CommissionArgs:
        if (self.codes is None) == (self.gtin is None or self.serials is None):
            raise ValueError("give either codes, or gtin and serials")
        if self.codes is not None and (self.gtin is not None or self.serials is not None):
            raise ValueError("give either codes, or gtin and serials, not both")
        return self


class ContainerArgs(EventTimeArgs):
    """Logistic units (SSCC) carry no product or batch."""

    codes: FewCodes
    level: Literal["case", "pallet"] = "pallet"


class AggregateArgs(EventTimeArgs):
    parent: CodeText
    children: FewCodes


class DisaggregateArgs(EventTimeArgs):
    """``children`` None unpacks every child."""

    parent: CodeText
    children: FewCodes | None = None


class ShipArgs(EventTimeArgs):
    codes: FewCodes
    to_org: Org
    to_gln: Annotated[str, Field(pattern=r"^\d{13}$")]
    market: Market
    business_refs: Annotated[list[Text], Field(max_length=20)] = Field(default_factory=list)
    document_hashes: Annotated[list[Sha256Hex], Field(max_length=20)] = Field(default_factory=list)


class ReceiveArgs(EventTimeArgs):
    codes: FewCodes
    gln: Annotated[str, Field(pattern=r"^\d{13}$")] | None = None


class CodeArgs(Args):
    code: CodeText


class DispenseArgs(EventTimeArgs):
    code: CodeText


class ReturnArgs(Args):
    code: CodeText
    reason: Text


class DecommissionArgs(EventTimeArgs):
    codes: FewCodes
    reason: DecommissionReason


class BatchArgs(Args):
    product_key: Text
    lot: Text


class RecallArgs(EventTimeArgs):
    product_key: Text
    lot: Text
    reason: Text


class HoldArgs(Args):
    codes: FewCodes
    reason: Text


class BatchHistoryArgs(Args):
    product_key: Text
    lot: Text
    limit: Limit = 100
    after: Annotated[str, Field(max_length=40)] | None = None


class PageArgs(Args):
    limit: Limit = 100
    after: Annotated[str, Field(max_length=40)] | None = None


class CodesArgs(Args):
    codes: FewCodes
