"""Typed helpers for the ``release`` contract: batches, CoA, deviations, materials and the
QP release (docs/contracts.md). Names and shapes mirror
``chaincode/contracts/release/models.py``.

Decimal results are integers with a ``scale`` (1234 with scale 2 is 12.34). The QP's
``manifest`` is the 21 CFR 11.50 signature manifestation: printed name, time, meaning and
the SHA-256 of the record being signed.
"""

# No ``from __future__ import annotations`` (see sdk.client.contracts.trace).
from typing import Literal, NotRequired, TypedDict, TypeVar, Unpack

from sdk.client.contracts.base import ContractApi

T_co = TypeVar("T_co", covariant=True)
Q_co = TypeVar("Q_co", covariant=True)

Time = int | str


class BatchRef(TypedDict):
    product_key: str
    lot: str


class RegisterBatchArgs(TypedDict):
    product_key: str
    lot: str
    size: int
    unit: NotRequired[str]
    site_gln: str
    manufactured: Time
    expiry: Time
    ebr_sha256: str


class NumericSpec(TypedDict):
    kind: Literal["numeric"]
    min: NotRequired[int | None]
    max: NotRequired[int | None]
    scale: NotRequired[int]


class TextSpec(TypedDict):
    kind: Literal["text"]
    expected: list[str]


class NumericResult(TypedDict):
    kind: Literal["numeric"]
    value: int
    scale: NotRequired[int]


class TextResult(TypedDict):
    kind: Literal["text"]
    text: str


class CoaTest(TypedDict):
    test: str
    name: str
    method: str
    spec: NumericSpec | TextSpec
    result: NumericResult | TextResult


class CoaArgs(TypedDict):
    product_key: str
    lot: str
    lab: str
    document_sha256: str
    tests: list[CoaTest]


class DeviationArgs(TypedDict):
    product_key: str
    lot: str
    deviation: str
    severity: Literal["critical", "major", "minor"]
    description: str
    impact_assessment: NotRequired[str | None]


class CloseDeviationArgs(TypedDict):
    product_key: str
    lot: str
    deviation: str
    impact_assessment: NotRequired[str | None]
    capa: NotRequired[str | None]


class ChangeControlArgs(TypedDict):
    product_key: str
    lot: str
    change: str
    description: str
    status: Literal["proposed", "approved", "rejected"]


class MaterialLine(TypedDict):
    material: str
    supplier: str
    supplier_lot: str
    quantity: int
    scale: NotRequired[int]
    unit: str
    used_at: Time
    product_key: NotRequired[str | None]


class MaterialsArgs(TypedDict):
    product_key: str
    lot: str
    materials: list[MaterialLine]


class Manifest(TypedDict):
    printed_name: str
    signed_at_ms: int
    meaning: str
    record_sha256: str


class ReleaseArgs(TypedDict):
    product_key: str
    lot: str
    markets: list[str]
    manifest: Manifest


class RejectArgs(TypedDict):
    product_key: str
    lot: str
    reason: str
    manifest: Manifest


class ReasonArgs(TypedDict):
    product_key: str
    lot: str
    reason: str


class ReleaseApi(ContractApi[T_co, Q_co]):
    """``client.release``: batch records and the QP's release decision."""

    contract = "release"

    def register_batch(self, **args: Unpack[RegisterBatchArgs]) -> T_co:
        return self._tx("register_batch", args)

    def record_coa(self, **args: Unpack[CoaArgs]) -> T_co:
        return self._tx("record_coa", args)

    def record_deviation(self, **args: Unpack[DeviationArgs]) -> T_co:
        return self._tx("record_deviation", args)

    def close_deviation(self, **args: Unpack[CloseDeviationArgs]) -> T_co:
        return self._tx("close_deviation", args)

    def record_change_control(self, **args: Unpack[ChangeControlArgs]) -> T_co:
        return self._tx("record_change_control", args)

    def add_materials(self, **args: Unpack[MaterialsArgs]) -> T_co:
        return self._tx("add_materials", args)

    def release_batch(self, **args: Unpack[ReleaseArgs]) -> T_co:
        return self._tx("release_batch", args)

    def reject_batch(self, **args: Unpack[RejectArgs]) -> T_co:
        return self._tx("reject_batch", args)

    def quarantine_batch(self, **args: Unpack[ReasonArgs]) -> T_co:
        return self._tx("quarantine_batch", args)

    def recall_batch(self, **args: Unpack[ReasonArgs]) -> T_co:
        return self._tx("recall_batch", args)

    def batch_info(self, **args: Unpack[BatchRef]) -> Q_co:
        return self._query("batch_info", args)

    def get_batch(self, **args: Unpack[BatchRef]) -> Q_co:
        return self._query("get_batch", args)

    def release_blockers(self, **args: Unpack[BatchRef]) -> Q_co:
        return self._query("release_blockers", args)
