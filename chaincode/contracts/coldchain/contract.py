"""The coldchain contract: loggers, shipment legs with a profile, signed readings, excursions.

State (besides ``excursions.py``):

    device/{device}                 logger: owner org, public key, model, calibration
    leg/{leg}                       profile, devices, SSCCs/codes, batches, status
    stream/{leg}|{device}           running summary of one logger on one leg
    batch/{leg}|{device}|{start:015d}  series hash and summary of one reading batch

Only summaries and the SHA-256 of each batch's canonical bytes go into state, never the
readings themselves (8,640 a day per logger); the signed batch is the evidence off-chain.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from chaincode.api import Context, Contract, Value, query, transaction
from chaincode.contracts.coldchain import errors
from chaincode.contracts.coldchain import excursions as exc
from chaincode.contracts.coldchain.ids import check_product_key, check_sscc, to_ms
from chaincode.contracts.coldchain.models import (
    BatchQuery,
    CalibrationArgs,
    CreateLegArgs,
    DeviceRef,
    ExcursionRef,
    LegRef,
    ReadingsArgs,
    RegisterDeviceArgs,
    ResolveArgs,
)
from chaincode.contracts.coldchain.series import (
    BatchSummary,
    Limits,
    add_sums,
    canonical_bytes,
    exceeds,
    mkt_celsius,
    percent,
    series_sha256,
    summarise,
)
from chaincode.contracts.coldchain.signature import public_key, verify_readings
from sdk.roles import Role

SEP = "|"
FUTURE_SKEW_MS = 300_000
"""Readings may be stamped at most 5 minutes after the block time (logger clock skew)."""
OPERATORS = (Role.MANUFACTURER, Role.DISTRIBUTOR, Role.LOGISTICS, Role.QA)


def _reject(code: str, message: str) -> errors.ColdChainRejection:
    return errors.ColdChainRejection(code, message)


def _load(ctx: Context, key: str, code: str, what: str) -> dict[str, Any]:
    found = ctx.get(key)
    if not isinstance(found, dict):
        raise _reject(code, f"no {what}")
    return cast(dict[str, Any], found)


class ColdChainContract(Contract):
    """Cold-chain evidence: who measured, what the profile allowed, what went wrong."""

    name = "coldchain"
    version = "1.0"

    @transaction(*OPERATORS)
    def register_device(self, ctx: Context, args: RegisterDeviceArgs) -> Value:
        """A logger of the signer's org with its Ed25519 key and calibration (yearly)."""
        if ctx.get(f"device/{args.device}") is not None:
            raise _reject(errors.DUPLICATE, f"device {args.device!r} exists")
        record: dict[str, Value] = {
            "device": args.device,
            "owner": ctx.signer.org_id,
            "public_key": args.public_key,
            "model": args.model,
            "calibration_certificate": args.calibration_certificate,
            "calibration_expiry_ms": to_ms(args.calibration_expiry, end_of_day=True),
        }
        public_key(args.public_key)
        ctx.put(f"device/{args.device}", record)
        return record

    @transaction(*OPERATORS)
    def update_calibration(self, ctx: Context, args: CalibrationArgs) -> Value:
        """A new calibration certificate for the owner's logger."""
        key = f"device/{args.device}"
        record = _load(ctx, key, errors.UNKNOWN_DEVICE, f"device {args.device!r}")
        if record["owner"] != ctx.signer.org_id:
            raise _reject(
                errors.NOT_OWNER, f"device {args.device!r} belongs to {record['owner']!r}"
            )
        updated: dict[str, Value] = {
            **record,
            "calibration_certificate": args.calibration_certificate,
            "calibration_expiry_ms": to_ms(args.calibration_expiry, end_of_day=True),
        }
        ctx.put(key, updated)
        return updated

    @transaction(Role.MANUFACTURER, Role.DISTRIBUTOR, Role.LOGISTICS)
    def create_leg(self, ctx: Context, args: CreateLegArgs) -> Value:
        """A shipment leg: profile, loggers, SSCCs/codes and the batches it carries."""
        if ctx.get(f"leg/{args.leg}") is not None:
            raise _reject(errors.DUPLICATE, f"leg {args.leg!r} exists")
        profile = args.profile
        lows = [profile.min_centi_c, profile.pre_alarm_low_centi_c or profile.min_centi_c]
        highs = [profile.pre_alarm_high_centi_c or profile.max_centi_c, profile.max_centi_c]
        if not (lows[0] <= lows[1] < highs[0] <= highs[1]):
            raise _reject(errors.BAD_PROFILE, "need min <= pre-alarm low < pre-alarm high <= max")
        for device in args.devices:
            _load(ctx, f"device/{device}", errors.UNKNOWN_DEVICE, f"device {device!r}")
        batches: list[Value] = []
        for batch in args.batches:
            check_product_key(batch.product_key)
            batches.append({"product_key": batch.product_key, "lot": batch.lot})
        record: dict[str, Value] = {
            "leg": args.leg,
            "owner": ctx.signer.org_id,
            "responsible_org": args.responsible_org or ctx.signer.org_id,
            "profile": cast(dict[str, Value], profile.model_dump()),
            "devices": cast(list[Value], sorted(set(args.devices))),
            "batches": batches,
            "ssccs": [check_sscc(s) for s in args.ssccs],
            "codes": list(args.codes),
            "from_gln": args.from_gln,
            "to_gln": args.to_gln,
            "status": "open",
            "created_ms": ctx.block_time_ms,
            "open_excursion": None,
            "excursions": 0,
        }
        ctx.put(f"leg/{args.leg}", record)
        ctx.emit("coldchain.leg_created", {"leg": args.leg, "batches": batches})
        return record

    @transaction(Role.MANUFACTURER, Role.DISTRIBUTOR, Role.LOGISTICS)
    def close_leg(self, ctx: Context, args: LegRef) -> Value:
        """Delivery: no more readings for this leg."""
        leg = _load(ctx, f"leg/{args.leg}", errors.UNKNOWN_LEG, f"leg {args.leg!r}")
        if leg["owner"] != ctx.signer.org_id:
            raise _reject(errors.NOT_OWNER, f"leg {args.leg!r} belongs to {leg['owner']!r}")
        if leg["status"] != "open":
            raise _reject(errors.LEG_CLOSED, f"leg {args.leg!r} is closed")
        closed: dict[str, Value] = {**leg, "status": "closed", "closed_ms": ctx.block_time_ms}
        ctx.put(f"leg/{args.leg}", closed)
        return closed

    @transaction(*OPERATORS, Role.DEVICE)
    def submit_readings(self, ctx: Context, args: ReadingsArgs) -> Value:
        """A device-signed batch of readings: verified, summarised, checked for excursions."""
        leg = _load(ctx, f"leg/{args.leg}", errors.UNKNOWN_LEG, f"leg {args.leg!r}")
        device = self._checked_device(ctx, leg, args)
        stream_key = f"stream/{args.leg}{SEP}{args.device}"
        stream = cast(dict[str, Any] | None, ctx.get(stream_key))
        self._check_times(ctx, stream, args)
        payload = canonical_bytes(
            args.leg, args.device, args.start_ms, args.interval_ms, args.values
        )
        verify_readings(device["public_key"], args.signature, payload, args.device)
        profile = cast(dict[str, Any], leg["profile"])
        limits = Limits(
            profile["min_centi_c"],
            profile["max_centi_c"],
            profile["pre_alarm_low_centi_c"],
            profile["pre_alarm_high_centi_c"],
        )
        summary = summarise(args.values, args.interval_ms, limits)
        end_ms = args.start_ms + len(args.values) * args.interval_ms
        updated, before_mkt = _fold(stream, summary, args, end_ms)
        ctx.put(stream_key, updated)
        record: dict[str, Value] = {
            "series_sha256": series_sha256(payload),
            "start_ms": args.start_ms,
            "interval_ms": args.interval_ms,
            "end_ms": end_ms,
            "readings": summary.readings,
            "gaps": summary.gaps,
            "min_centi_c": summary.minimum,
            "max_centi_c": summary.maximum,
            "out_of_range_ms": summary.out_ms,
            "tx_id": ctx.tx_id,
        }
        ctx.put(f"batch/{args.leg}{SEP}{args.device}{SEP}{args.start_ms:015d}", record)
        if summary.pre_alarm_ms:
            ctx.emit(
                "coldchain.pre_alarm",
                {"leg": args.leg, "device": args.device, "ms": summary.pre_alarm_ms},
            )
        findings = _findings(profile, summary, updated, before_mkt, args.device, args.start_ms)
        excursion = exc.raise_or_extend(ctx, leg, findings) if findings else None
        if excursion is not None:
            number = excursion["number"]
            ctx.put(f"leg/{args.leg}", {**leg, "open_excursion": number, "excursions": number})
        return {"batch": record, "stream": updated, "excursion": excursion}

    @transaction(Role.QA)
    def resolve_excursion(self, ctx: Context, args: ResolveArgs) -> Value:
        """QA of the responsible org decides: release (with reason), reject or destroy; a release
        lifts the excursion's quarantine in trace in the same transaction."""
        leg = _load(ctx, f"leg/{args.leg}", errors.UNKNOWN_LEG, f"leg {args.leg!r}")
        if ctx.signer.org_id != leg["responsible_org"]:
            raise _reject(
                errors.NOT_RESPONSIBLE_QA, f"QA of {leg['responsible_org']!r} decides on this leg"
            )
        record = _load(
            ctx,
            exc.excursion_key(args.leg, args.number),
            errors.UNKNOWN_EXCURSION,
            f"excursion {args.leg}/{args.number}",
        )
        if record["status"] != "open":
            raise _reject(errors.EXCURSION_CLOSED, f"excursion is already {record['status']}")
        decided = exc.close(ctx, leg, record, args.decision, args.reason)
        ctx.put(f"leg/{args.leg}", {**leg, "open_excursion": None})
        ctx.emit("coldchain.excursion_resolved", {"id": record["id"], "decision": args.decision})
        return decided

    @query()
    def get_device(self, ctx: Context, args: DeviceRef) -> Value:
        return _load(ctx, f"device/{args.device}", errors.UNKNOWN_DEVICE, f"device {args.device!r}")

    @query()
    def get_leg(self, ctx: Context, args: LegRef) -> Value:
        """The leg with each logger's running summary (MKT, time out of range, blind spot)."""
        leg = _load(ctx, f"leg/{args.leg}", errors.UNKNOWN_LEG, f"leg {args.leg!r}")
        streams = {k.split(SEP, 1)[1]: v for k, v in ctx.prefix(f"stream/{args.leg}{SEP}")}
        return {**leg, "streams": streams}

    @query()
    def leg_excursions(self, ctx: Context, args: LegRef) -> Value:
        return [v for _, v in ctx.prefix(f"excursion/{args.leg}{SEP}")]

    @query()
    def get_excursion(self, ctx: Context, args: ExcursionRef) -> Value:
        return ctx.get(exc.excursion_key(args.leg, args.number))

    @query()
    def open_excursions(self, ctx: Context, args: BatchQuery) -> Value:
        """Open (undecided) excursions on legs that carried this batch; the release contract
        refuses to release while this is not empty."""
        found: list[Value] = []
        for key, _ in ctx.prefix(f"openexc/{args.product_key}{SEP}{args.lot}{SEP}"):
            leg, number = key.rsplit(SEP, 2)[1:]
            found.append(ctx.get(exc.excursion_key(leg, int(number))))
        return found

    def _checked_device(
        self, ctx: Context, leg: dict[str, Any], args: ReadingsArgs
    ) -> dict[str, Any]:
        if leg["status"] != "open":
            raise _reject(errors.LEG_CLOSED, f"leg {args.leg!r} is closed")
        device = _load(
            ctx, f"device/{args.device}", errors.UNKNOWN_DEVICE, f"device {args.device!r}"
        )
        if device["owner"] != ctx.signer.org_id:
            raise _reject(
                errors.DEVICE_NOT_OWNED,
                f"device {args.device!r} belongs to {device['owner']!r}, not the signer's org",
            )
        if args.device not in leg["devices"]:
            raise _reject(
                errors.DEVICE_NOT_ON_LEG, f"device {args.device!r} is not on {args.leg!r}"
            )
        last_reading = args.start_ms + (len(args.values) - 1) * args.interval_ms
        if last_reading >= device["calibration_expiry_ms"]:
            raise _reject(
                errors.CALIBRATION_EXPIRED,
                f"device {args.device!r} calibration expired at {device['calibration_expiry_ms']}",
            )
        return device

    def _check_times(self, ctx: Context, stream: dict[str, Any] | None, args: ReadingsArgs) -> None:
        if stream is not None and args.start_ms < stream["end_ms"]:
            raise _reject(
                errors.OUT_OF_ORDER,
                f"batch starts at {args.start_ms}, before the last one ended ({stream['end_ms']})",
            )
        last_reading = args.start_ms + (len(args.values) - 1) * args.interval_ms
        if last_reading > ctx.block_time_ms + FUTURE_SKEW_MS:
            raise _reject(errors.FUTURE_READINGS, "readings are stamped after the block time")
        if all(v is None for v in args.values):
            raise _reject(errors.BAD_SERIES, "a batch needs at least one reading")


def _fold(
    stream: dict[str, Any] | None, summary: BatchSummary, args: ReadingsArgs, end_ms: int
) -> tuple[dict[str, Value], Decimal | None]:
    """The stream's running summary with this batch added, and its MKT before the batch."""
    if stream is None:
        stream = {
            "first_ms": args.start_ms,
            "end_ms": args.start_ms,
            "readings": 0,
            "blind_ms": 0,
            "out_of_range_ms": 0,
            "pre_alarm_ms": 0,
            "below_zero": 0,
            "min_centi_c": None,
            "max_centi_c": None,
            "arrhenius_sum": "0",
            "weight_ms": 0,
            "mkt_c": None,
        }
    before = None if stream["mkt_c"] is None else Decimal(stream["mkt_c"])
    between = args.start_ms - stream["end_ms"]
    arrhenius = add_sums(stream["arrhenius_sum"], summary.arrhenius_sum)
    weight = stream["weight_ms"] + summary.readings * args.interval_ms
    blind = stream["blind_ms"] + between + summary.gaps * args.interval_ms
    mkt = mkt_celsius(arrhenius, weight)
    lows = [v for v in (stream["min_centi_c"], summary.minimum) if v is not None]
    highs = [v for v in (stream["max_centi_c"], summary.maximum) if v is not None]
    updated: dict[str, Value] = {
        "first_ms": stream["first_ms"],
        "end_ms": end_ms,
        "readings": stream["readings"] + summary.readings,
        "blind_ms": blind,
        "blind_spot_pct": percent(blind, end_ms - stream["first_ms"]),
        "out_of_range_ms": stream["out_of_range_ms"] + summary.out_ms,
        "pre_alarm_ms": stream["pre_alarm_ms"] + summary.pre_alarm_ms,
        "below_zero": stream["below_zero"] + summary.below_zero,
        "min_centi_c": min(lows),
        "max_centi_c": max(highs),
        "arrhenius_sum": str(arrhenius),
        "weight_ms": weight,
        "mkt_c": None if mkt is None else str(mkt),
    }
    return updated, before


def _findings(
    profile: dict[str, Any],
    summary: BatchSummary,
    stream: dict[str, Value],
    before_mkt: Decimal | None,
    device: str,
    start_ms: int,
) -> list[dict[str, Value]]:
    """What this batch pushed past the profile (see ``excursions.py`` for the rules)."""
    found: list[dict[str, Value]] = []
    allowed_ms = profile["allowed_minutes_out"] * 60_000
    out_ms = cast(int, stream["out_of_range_ms"])
    if summary.out_ms and out_ms > allowed_ms:
        found.append(
            {"kind": "time_out_of_range", "out_of_range_ms": out_ms, "allowed_ms": allowed_ms}
        )
    limit = profile["mkt_limit_centi_c"]
    mkt_text = stream["mkt_c"]
    raised = isinstance(mkt_text, str) and (before_mkt is None or Decimal(mkt_text) > before_mkt)
    if limit is not None and isinstance(mkt_text, str) and raised and exceeds(mkt_text, limit):
        found.append({"kind": "mkt", "mkt_c": mkt_text, "limit_centi_c": limit})
    if profile["freeze_sensitive"] and summary.below_zero:
        found.append({"kind": "freeze", "readings_below_zero": summary.below_zero})
    for finding in found:
        finding["device"], finding["batch_start_ms"] = device, start_ms
    return found
