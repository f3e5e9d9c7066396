"""Typed helpers for the ``coldchain`` contract: loggers, legs, readings, excursions
(docs/contracts.md). Names and shapes mirror ``chaincode/contracts/coldchain/models.py``.

Temperatures are integer hundredths of a degree Celsius; ``submit_readings`` carries the
logger's own signature over the readings (the device signs, not the member).
"""

# No ``from __future__ import annotations`` (see sdk.client.contracts.trace).
from typing import Literal, NotRequired, TypedDict, TypeVar, Unpack

from sdk.client.contracts.base import ContractApi

T_co = TypeVar("T_co", covariant=True)
Q_co = TypeVar("Q_co", covariant=True)

Time = int | str


class RegisterDeviceArgs(TypedDict):
    device: str
    public_key: str
    model: str
    calibration_certificate: str
    calibration_expiry: Time


class CalibrationArgs(TypedDict):
    device: str
    calibration_certificate: str
    calibration_expiry: Time


class Profile(TypedDict):
    min_centi_c: int
    max_centi_c: int
    pre_alarm_low_centi_c: NotRequired[int | None]
    pre_alarm_high_centi_c: NotRequired[int | None]
    allowed_minutes_out: NotRequired[int]
    mkt_limit_centi_c: NotRequired[int | None]
    freeze_sensitive: NotRequired[bool]


class BatchRef(TypedDict):
    product_key: str
    lot: str


class CreateLegArgs(TypedDict):
    leg: str
    profile: Profile
    devices: list[str]
    batches: list[BatchRef]
    ssccs: NotRequired[list[str]]
    codes: NotRequired[list[str]]
    responsible_org: NotRequired[str | None]
    from_gln: NotRequired[str | None]
    to_gln: NotRequired[str | None]


class LegRef(TypedDict):
    leg: str


class ReadingsArgs(TypedDict):
    leg: str
    device: str
    start_ms: int
    interval_ms: int
    values: list[int | None]
    signature: str


class ResolveArgs(TypedDict):
    leg: str
    number: int
    decision: Literal["release", "reject", "destroy"]
    reason: str


class DeviceRef(TypedDict):
    device: str


class ExcursionRef(TypedDict):
    leg: str
    number: int


class ColdChainApi(ContractApi[T_co, Q_co]):
    """``client.coldchain``: temperature-controlled shipments and their excursions."""

    contract = "coldchain"

    def register_device(self, **args: Unpack[RegisterDeviceArgs]) -> T_co:
        return self._tx("register_device", args)

    def update_calibration(self, **args: Unpack[CalibrationArgs]) -> T_co:
        return self._tx("update_calibration", args)

    def create_leg(self, **args: Unpack[CreateLegArgs]) -> T_co:
        return self._tx("create_leg", args)

    def close_leg(self, **args: Unpack[LegRef]) -> T_co:
        return self._tx("close_leg", args)

    def submit_readings(self, **args: Unpack[ReadingsArgs]) -> T_co:
        return self._tx("submit_readings", args)

    def resolve_excursion(self, **args: Unpack[ResolveArgs]) -> T_co:
        return self._tx("resolve_excursion", args)

    def get_device(self, **args: Unpack[DeviceRef]) -> Q_co:
        return self._query("get_device", args)

    def get_leg(self, **args: Unpack[LegRef]) -> Q_co:
        return self._query("get_leg", args)

    def leg_excursions(self, **args: Unpack[LegRef]) -> Q_co:
        return self._query("leg_excursions", args)

    def get_excursion(self, **args: Unpack[ExcursionRef]) -> Q_co:
        return self._query("get_excursion", args)

    def open_excursions(self, **args: Unpack[BatchRef]) -> Q_co:
        return self._query("open_excursions", args)
