"""`rxl coldchain` on the ledger: data loggers, shipment legs, signed reading batches and
excursion decisions (docs/contracts.md, coldchain). Temperatures are given in °C.

Readings come from a CSV of `ISO time, °C` (as `rxl coldchain mkt` reads it) and are signed
with the logger's own key file (domain DEVICE_READING) before the member submits them.
Exit codes: 0 ok, 1 rejected by the ledger (its code is printed), 2 bad input, 3 no node.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from cli.coldchain import read_csv
from cli.context import (
    PASSPHRASE_ENV,
    CliError,
    JsonOption,
    ProfileOption,
    cell_text,
    client_for,
    emit_json,
    print_fields,
    run_command,
)
from cli.trace import centi_celsius, report_committed
from sdk.coldchain import ColdChainError, Reading
from sdk.encoding import encode
from sdk.keyfile import load_key
from sdk.keys import Domain, SigningKey

app = typer.Typer(help="Cold chain on the ledger: loggers, legs, readings, excursions.")

LegArgument = Annotated[str, typer.Argument(help="Leg id.")]
DeviceArgument = Annotated[str, typer.Argument(help="Logger (device) id.")]
READINGS_DOMAIN_TAG = "rxledger.coldchain.readings.v1"


def series(readings: list[Reading], interval_ms: int) -> tuple[int, list[int | None]]:
    """(start_ms, centi-°C values) on the logger's grid; a missing sample is None."""
    if not readings:
        raise CliError("the CSV holds no readings")
    ordered = sorted(readings, key=lambda r: r.time_ms)
    start = ordered[0].time_ms
    values: list[int | None] = [None] * ((ordered[-1].time_ms - start) // interval_ms + 1)
    for reading in ordered:
        slot, off_grid = divmod(reading.time_ms - start, interval_ms)
        if off_grid:
            raise CliError(
                f"a reading {reading.time_ms - start} ms after the first is off the "
                f"{interval_ms // 1000} s grid: give the logger's --interval"
            )
        if values[slot] is not None:
            raise CliError(f"two readings at the same time ({reading.time_ms} ms)")
        centi, rest = divmod(reading.milli_celsius, 10)
        if rest:
            raise CliError("readings are stored to 0.01 °C; round the CSV to two decimals")
        values[slot] = centi
    return start, values


def signed_readings(
    key: SigningKey,
    leg: str,
    device: str,
    start_ms: int,
    interval_ms: int,
    values: list[int | None],
) -> str:
    payload = encode([READINGS_DOMAIN_TAG, leg, device, start_ms, interval_ms, values])
    return key.sign(Domain.DEVICE_READING, payload).value.hex()


def _device_key(path: Path) -> SigningKey:
    try:
        return load_key(path, os.environ.get(PASSPHRASE_ENV, ""))
    except Exception as error:
        raise CliError(f"cannot load the logger key {path}: {error}") from error


@app.command("device")
def device(
    device_id: DeviceArgument,
    model: Annotated[str, typer.Option()],
    calibration_certificate: Annotated[str, typer.Option()],
    calibration_expiry: Annotated[str, typer.Option(help="Date the calibration lapses.")],
    public_key: Annotated[str | None, typer.Option(help="Ed25519 public key, hex.")] = None,
    device_key: Annotated[
        Path | None, typer.Option(help="The logger's key file (its public key is taken).")
    ] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register a data logger of your org."""
    with run_command(json_output=json_output):
        if (public_key is None) == (device_key is None):
            raise CliError("give either --public-key HEX or --device-key FILE")
        key_hex = public_key or _device_key(device_key or Path()).public_key.raw.hex()
        with client_for(profile) as client:
            committed = client.coldchain.register_device(
                device=device_id,
                public_key=key_hex,
                model=model,
                calibration_certificate=calibration_certificate,
                calibration_expiry=calibration_expiry,
            )
        report_committed(committed, f"logger {device_id} registered", json_output=json_output)


@app.command("calibration")
def calibration(
    device_id: DeviceArgument,
    certificate: Annotated[str, typer.Option()],
    expiry: Annotated[str, typer.Option()],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a logger's new calibration (its owner)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.coldchain.update_calibration(
                device=device_id, calibration_certificate=certificate, calibration_expiry=expiry
            )
        report_committed(committed, f"logger {device_id} recalibrated", json_output=json_output)


def _batch(text: str) -> dict[str, str]:
    product, sep, lot = text.rpartition(":")
    if not sep or not product or not lot:
        raise CliError(f"--batch {text!r}: write PRODUCT_KEY:LOT, e.g. gtin:09506000134376:L1")
    return {"product_key": product, "lot": lot}


@app.command("leg")
def leg(
    leg_id: LegArgument,
    min_c: Annotated[str, typer.Option("--min", help="Lowest allowed °C.")],
    max_c: Annotated[str, typer.Option("--max", help="Highest allowed °C.")],
    device_ids: Annotated[list[str], typer.Option("--device", help="Logger on board.")],
    batches: Annotated[list[str], typer.Option("--batch", help="PRODUCT_KEY:LOT carried.")],
    sscc: Annotated[list[str] | None, typer.Option(help="SSCC carried (quarantined).")] = None,
    allowed_minutes_out: Annotated[int, typer.Option(min=0)] = 0,
    mkt_limit: Annotated[str | None, typer.Option(help="MKT limit, °C.")] = None,
    freeze_sensitive: Annotated[bool, typer.Option()] = False,
    responsible_org: Annotated[str | None, typer.Option(help="Decides excursions.")] = None,
    from_gln: Annotated[str | None, typer.Option()] = None,
    to_gln: Annotated[str | None, typer.Option()] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Open a shipment leg with its temperature profile, loggers and batches."""
    with run_command(json_output=json_output):
        limits: Any = {
            "min_centi_c": centi_celsius(min_c, "--min"),
            "max_centi_c": centi_celsius(max_c, "--max"),
            "allowed_minutes_out": allowed_minutes_out,
            "freeze_sensitive": freeze_sensitive,
        }
        if mkt_limit is not None:
            limits["mkt_limit_centi_c"] = centi_celsius(mkt_limit, "--mkt-limit")
        carried: Any = [_batch(text) for text in batches]
        with client_for(profile) as client:
            committed = client.coldchain.create_leg(
                leg=leg_id,
                profile=limits,
                devices=list(device_ids),
                batches=carried,
                ssccs=list(sscc or []),
                responsible_org=responsible_org,
                from_gln=from_gln,
                to_gln=to_gln,
            )
        report_committed(committed, f"leg {leg_id} opened", json_output=json_output)


@app.command("close")
def close(
    leg_id: LegArgument, profile: ProfileOption = None, json_output: JsonOption = False
) -> None:
    """Close a leg: no more readings."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.coldchain.close_leg(leg=leg_id)
        report_committed(committed, f"leg {leg_id} closed", json_output=json_output)


@app.command("readings")
def readings(
    leg_id: LegArgument,
    device_id: DeviceArgument,
    file: Annotated[Path, typer.Argument(help="CSV: ISO 8601 time with offset, °C.")],
    device_key: Annotated[Path, typer.Option(help="The logger's key file (signs the batch).")],
    interval: Annotated[int, typer.Option(help="Sampling interval, seconds.", min=1)] = 10,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Submit a logger's readings, signed by the logger; prints excursions found."""
    with run_command(json_output=json_output):
        try:
            parsed = read_csv(file.read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise CliError(f"cannot read {file}: {error.strerror}") from error
        except ColdChainError as error:
            raise CliError(f"{file}: {error.reason}") from error
        interval_ms = interval * 1000
        start_ms, values = series(parsed, interval_ms)
        signature = signed_readings(
            _device_key(device_key), leg_id, device_id, start_ms, interval_ms, values
        )
        with client_for(profile) as client:
            committed = client.coldchain.submit_readings(
                leg=leg_id,
                device=device_id,
                start_ms=start_ms,
                interval_ms=interval_ms,
                values=values,
                signature=signature,
            )
        result = committed.result if isinstance(committed.result, dict) else {}
        excursion = result.get("excursion")
        report_committed(
            committed, f"{len(parsed)} readings of {device_id} recorded", json_output=json_output
        )
        if excursion is not None and not json_output:
            print_fields({"EXCURSION": cell_text(excursion)})


@app.command("resolve")
def resolve(
    leg_id: LegArgument,
    number: Annotated[int, typer.Argument(help="Excursion number on the leg.")],
    decision: Annotated[Literal["release", "reject", "destroy"], typer.Option()],
    reason: Annotated[str, typer.Option()],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Decide an excursion (QA of the leg's responsible org)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.coldchain.resolve_excursion(
                leg=leg_id, number=number, decision=decision, reason=reason
            )
        report_committed(
            committed, f"excursion {leg_id}/{number}: {decision}", json_output=json_output
        )


def _show(answer: Any, json_output: bool, missing: str) -> None:
    if json_output:
        emit_json(answer)
    elif isinstance(answer, dict):
        print_fields({name: cell_text(value) for name, value in answer.items()})
    elif isinstance(answer, list):
        for item in answer:
            print_fields(item if isinstance(item, dict) else {"item": item})
    else:
        raise CliError(missing)


@app.command("show-device")
def show_device(
    device_id: DeviceArgument, profile: ProfileOption = None, json_output: JsonOption = False
) -> None:
    """A logger: owner, public key, calibration."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            answer = client.coldchain.get_device(device=device_id)
        _show(answer, json_output, f"no logger {device_id}")


@app.command("show-leg")
def show_leg(
    leg_id: LegArgument, profile: ProfileOption = None, json_output: JsonOption = False
) -> None:
    """A leg with each logger's running summary (min, max, MKT, time out of range)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            answer = client.coldchain.get_leg(leg=leg_id)
        _show(answer, json_output, f"no leg {leg_id}")


@app.command("excursions")
def excursions(
    leg_id: LegArgument, profile: ProfileOption = None, json_output: JsonOption = False
) -> None:
    """Every excursion of a leg."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            answer = client.coldchain.leg_excursions(leg=leg_id)
        _show(answer, json_output, f"no leg {leg_id}")
