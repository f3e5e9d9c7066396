"""Argument models of the release contract (strict: no coercion, no unknown fields)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chaincode.api import Args

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:\-/]{1,64}$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Time = Annotated[int, Field(ge=0)] | Annotated[str, Field(min_length=10, max_length=40)]
ProductKey = Annotated[str, Field(min_length=6, max_length=19)]
Lot = Annotated[str, Field(pattern=r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")]
Scale = Annotated[int, Field(ge=0, le=9)]
"""Decimal places: value 1234 with scale 2 is 12.34."""
Market = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class BatchRef(Args):
    product_key: ProductKey
    lot: Lot


class RegisterBatchArgs(BatchRef):
    size: Annotated[int, Field(ge=1)]
    unit: Annotated[str, Field(min_length=1, max_length=16)] = "packs"
    site_gln: Annotated[str, Field(pattern=r"^\d{13}$")]
    manufactured: Time
    expiry: Time
    ebr_sha256: Sha256Hex


class NumericSpec(Args):
    kind: Literal["numeric"] = "numeric"
    min: int | None = None
    max: int | None = None
    scale: Scale = 0


class TextSpec(Args):
    kind: Literal["text"] = "text"
    expected: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]], Field(min_length=1)
    ]


class NumericResult(Args):
    kind: Literal["numeric"] = "numeric"
    value: int
    scale: Scale = 0


class TextResult(Args):
    kind: Literal["text"] = "text"
    text: Annotated[str, Field(min_length=1, max_length=200)]


class CoaTest(Args):
    test: Id
    name: Text
    method: Text
    spec: Annotated[NumericSpec | TextSpec, Field(discriminator="kind")]
    result: Annotated[NumericResult | TextResult, Field(discriminator="kind")]


class CoaArgs(BatchRef):
    lab: Text
    document_sha256: Sha256Hex
    tests: Annotated[list[CoaTest], Field(min_length=1, max_length=500)]


class DeviationArgs(BatchRef):
    deviation: Id
    severity: Literal["critical", "major", "minor"]
    description: Text
    impact_assessment: Text | None = None


class CloseDeviationArgs(BatchRef):
    deviation: Id
    impact_assessment: Text | None = None
    capa: Text | None = None


class ChangeControlArgs(BatchRef):
    change: Id
    description: Text
    status: Literal["proposed", "approved", "rejected"]


class MaterialLine(Args):
    material: Id
    supplier: Id
    supplier_lot: Lot
    quantity: Annotated[int, Field(ge=1)]
    scale: Scale = 0
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    used_at: Time
    product_key: ProductKey | None = None
    """Set when the material itself is a traced product (its cold chain is then checked)."""


class MaterialsArgs(BatchRef):
    materials: Annotated[list[MaterialLine], Field(min_length=1, max_length=500)]


class Manifest(Args):
    """21 CFR 11.50: printed name, date and time, meaning, bound to the record's hash."""

    printed_name: Annotated[str, Field(min_length=2, max_length=200)]
    signed_at_ms: Annotated[int, Field(ge=0)]
    meaning: Annotated[str, Field(min_length=1, max_length=32)]
    record_sha256: Sha256Hex


class ReleaseArgs(BatchRef):
    markets: Annotated[list[Market], Field(min_length=1, max_length=250)]
    manifest: Manifest


class RejectArgs(BatchRef):
    reason: Text
    manifest: Manifest


class ReasonArgs(BatchRef):
    reason: Text


class BatchInfoArgs(Args):
    """Loose on purpose: trace asks with whatever it holds; unknown shapes answer None."""

    product_key: Annotated[str, Field(min_length=1, max_length=64)]
    lot: Annotated[str, Field(min_length=1, max_length=64)]
