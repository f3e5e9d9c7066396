"""Argument models of the coldchain contract (strict: no coercion, no unknown fields)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chaincode.api import Args

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:\-]{1,64}$")]
"""Device and leg ids: no "|" (key separator) and no "/" (excursion ids are ``leg/n``)."""
Org = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:\-]{1,64}$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Time = Annotated[int, Field(ge=0)] | Annotated[str, Field(min_length=10, max_length=40)]
Centi = Annotated[int, Field(ge=-27_315, le=10_000)]
"""A temperature in centi-degrees Celsius (−273.15 °C … 100 °C)."""
Lot = Annotated[str, Field(pattern=r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")]
MAX_VALUES = 17_280
"""Two days of 10 s samples in one transaction."""


class RegisterDeviceArgs(Args):
    device: Id
    public_key: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    model: Text
    calibration_certificate: Text
    calibration_expiry: Time


class CalibrationArgs(Args):
    device: Id
    calibration_certificate: Text
    calibration_expiry: Time


class Profile(Args):
    """A temperature profile: hard limits, pre-alarms, allowance, MKT limit, freezing."""

    min_centi_c: Centi
    max_centi_c: Centi
    pre_alarm_low_centi_c: Centi | None = None
    pre_alarm_high_centi_c: Centi | None = None
    allowed_minutes_out: Annotated[int, Field(ge=0, le=525_600)] = 0
    mkt_limit_centi_c: Centi | None = None
    freeze_sensitive: bool = False


class BatchRef(Args):
    product_key: Annotated[str, Field(min_length=1, max_length=40)]
    lot: Lot


class CreateLegArgs(Args):
    leg: Id
    profile: Profile
    devices: Annotated[list[Id], Field(min_length=1, max_length=16)]
    batches: Annotated[list[BatchRef], Field(min_length=1, max_length=1000)]
    ssccs: Annotated[list[Annotated[str, Field(pattern=r"^\d{18}$")]], Field(max_length=10_000)] = (
        Field(default_factory=list)
    )
    codes: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=10_000)
    ] = Field(default_factory=list)
    responsible_org: Org | None = None
    """Whose QA decides on excursions (the batches' owner); default: the creating org."""
    from_gln: Annotated[str, Field(pattern=r"^\d{13}$")] | None = None
    to_gln: Annotated[str, Field(pattern=r"^\d{13}$")] | None = None


class LegRef(Args):
    leg: Id


class ReadingsArgs(Args):
    leg: Id
    device: Id
    start_ms: Annotated[int, Field(ge=0)]
    interval_ms: Annotated[int, Field(ge=1000, le=3_600_000)]
    values: Annotated[list[Centi | None], Field(min_length=1, max_length=MAX_VALUES)]
    signature: Annotated[str, Field(pattern=r"^[0-9a-f]{128}$")]


class ExcursionRef(Args):
    leg: Id
    number: Annotated[int, Field(ge=1)]


class ResolveArgs(Args):
    leg: Id
    number: Annotated[int, Field(ge=1)]
    decision: Literal["release", "reject", "destroy"]
    reason: Text


class BatchQuery(Args):
    product_key: Annotated[str, Field(min_length=1, max_length=40)]
    lot: Annotated[str, Field(min_length=1, max_length=20)]


class DeviceRef(Args):
    device: Id
