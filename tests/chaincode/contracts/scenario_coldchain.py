"""Coldchain scenario: a refrigerated leg, a conformant day, an excursion, a QA decision.

Also home of the helpers the coldchain and release tests share: a fake ``trace`` contract
that records what it was asked to quarantine, and a deterministic logger key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from pydantic import Field

from chaincode.api import Args, Context, Contract, NoArgs, Value, query, transaction
from chaincode.contracts.coldchain import ColdChainContract
from chaincode.contracts.coldchain.series import canonical_bytes
from chaincode.errors import InvalidTransaction
from chaincode.testing import GENESIS_TIME_MS, ContractHarness
from sdk.keys import Domain, SigningKey
from sdk.roles import Role

HOUR = 3_600_000
DAY = 24 * HOUR
LOGISTICS = ContractHarness.signer("coolfreight", Role.LOGISTICS)
MAKER_QA = ContractHarness.signer("pharmaco", Role.QA)
LOGGER_KEY = SigningKey.from_seed(bytes(range(32)))
SSCC = "106141411234567897"
PRODUCT = "gtin:09501101530003"


class QuarantineArgs(Args):
    codes: Annotated[list[str], Field(min_length=1)]
    reason: str


class FakeTrace(Contract):
    """Stands in for the trace contract: accepts ``quarantine`` only from coldchain."""

    name = "trace"
    version = "test"

    @transaction()
    def quarantine(self, ctx: Context, args: QuarantineArgs) -> Value:
        if ctx.caller != "coldchain":
            raise InvalidTransaction("only coldchain may quarantine here", code="trace.not_allowed")
        if "unknown-code" in args.codes:
            raise InvalidTransaction("no such code", code="trace.unknown_code")
        asked = ctx.get("asked")
        ctx.put("asked", [*(asked if isinstance(asked, list) else []), [*args.codes, args.reason]])
        return len(args.codes)

    @query()
    def asked(self, ctx: Context, args: NoArgs) -> Value:
        return ctx.get("asked") or []


def contracts() -> list[Contract]:
    return [ColdChainContract(), FakeTrace()]


CONTRACTS: Callable[[], list[Contract]] = contracts


def device_args(device: str = "L1", expiry: int | str = "2027-01-01") -> dict[str, Any]:
    return {
        "device": device,
        "public_key": LOGGER_KEY.public_key.raw.hex(),
        "model": "TempTale 4",
        "calibration_certificate": "CAL-2025-77",
        "calibration_expiry": expiry,
    }


def leg_args(leg: str = "LEG1", **over: Any) -> dict[str, Any]:
    base = {
        "leg": leg,
        "profile": {
            "min_centi_c": 200,
            "max_centi_c": 800,
            "pre_alarm_low_centi_c": 300,
            "pre_alarm_high_centi_c": 700,
            "allowed_minutes_out": 30,
            "mkt_limit_centi_c": 1000,
            "freeze_sensitive": True,
        },
        "devices": ["L1"],
        "batches": [{"product_key": PRODUCT, "lot": "LOT1"}],
        "ssccs": [SSCC],
        "responsible_org": "pharmaco",
    }
    return {**base, **over}


def readings(
    start_ms: int,
    values: Sequence[int | None],
    *,
    leg: str = "LEG1",
    device: str = "L1",
    interval_ms: int = 10_000,
    key: SigningKey = LOGGER_KEY,
) -> dict[str, Any]:
    """A reading batch signed by the logger (domain DEVICE_READING)."""
    payload = canonical_bytes(leg, device, start_ms, interval_ms, values)
    return {
        "leg": leg,
        "device": device,
        "start_ms": start_ms,
        "interval_ms": interval_ms,
        "values": list(values),
        "signature": key.sign(Domain.DEVICE_READING, payload).value.hex(),
    }


def run(harness: ContractHarness) -> None:
    """Every coldchain function, in the order a real shipment uses them."""
    start = GENESIS_TIME_MS + HOUR
    checks = [
        harness.invoke(LOGISTICS, "coldchain", "register_device", device_args()),
        harness.invoke(
            LOGISTICS,
            "coldchain",
            "update_calibration",
            {
                "device": "L1",
                "calibration_certificate": "CAL-2026-01",
                "calibration_expiry": "2027-06-30",
            },
        ),
        harness.invoke(LOGISTICS, "coldchain", "create_leg", leg_args()),
        harness.invoke(
            LOGISTICS,
            "coldchain",
            "submit_readings",
            readings(start, [500] * 8640),
            time_ms=start + DAY,
        ),
        harness.invoke(
            LOGISTICS,
            "coldchain",
            "submit_readings",
            readings(start + DAY, [1200] * 360 + [None] * 10),
            time_ms=start + 2 * DAY,
        ),
        harness.invoke(
            MAKER_QA,
            "coldchain",
            "resolve_excursion",
            {
                "leg": "LEG1",
                "number": 1,
                "decision": "release",
                "reason": "stability data cover 1 h at 12 °C",
            },
        ),
        harness.invoke(LOGISTICS, "coldchain", "close_leg", {"leg": "LEG1"}),
    ]
    for outcome in checks:
        if not outcome.ok:
            raise AssertionError(f"scenario step refused: {outcome.code} {outcome.message}")
    harness.query(LOGISTICS, "coldchain", "get_device", {"device": "L1"})
    harness.query(LOGISTICS, "coldchain", "get_leg", {"leg": "LEG1"})
    harness.query(LOGISTICS, "coldchain", "leg_excursions", {"leg": "LEG1"})
    harness.query(LOGISTICS, "coldchain", "get_excursion", {"leg": "LEG1", "number": 1})
    harness.query(
        LOGISTICS, "coldchain", "open_excursions", {"product_key": PRODUCT, "lot": "LOT1"}
    )
