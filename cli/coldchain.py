"""`rxl coldchain`: Cold-chain tools: mean kinetic temperature and excursion statistics.

Exit codes: 0 ok, 2 unreadable file or bad readings (reason on stderr).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from sdk.coldchain import ColdChainError, Reading, milli_celsius, summarize

app = typer.Typer(
    help="Cold-chain tools: mean kinetic temperature and excursion statistics.",
    no_args_is_help=True,
)


def _fail(reason: str) -> typer.Exit:
    typer.echo(f"error: {reason}", err=True)
    return typer.Exit(2)


def _time_ms(text: str, line: int) -> int:
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise ColdChainError(f"line {line}: {text!r} is not an ISO 8601 time") from error
    if moment.tzinfo is None:
        raise ColdChainError(f"line {line}: time {text!r} has no UTC offset")
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    delta = moment - epoch
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def read_csv(text: str) -> list[Reading]:
    """Rows `ISO time, °C`; a first row whose time does not parse is taken as a header."""
    readings: list[Reading] = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise ColdChainError(f"line {line}: expected 2 columns (time, °C), got {len(row)}")
        if line == 1 and not row[0].strip()[:1].isdigit():
            continue
        try:
            temperature = milli_celsius(Decimal(row[1].strip()))
        except InvalidOperation as error:
            raise ColdChainError(f"line {line}: {row[1]!r} is not a temperature") from error
        except ColdChainError as error:
            raise ColdChainError(f"line {line}: {error.reason}") from error
        readings.append(Reading(_time_ms(row[0], line), temperature))
    return readings


def _bound(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return milli_celsius(Decimal(value))
    except (InvalidOperation, ColdChainError) as error:
        raise _fail(f"{name} {value!r} is not a temperature") from error


@app.command("mkt")
def mkt_command(
    file: Annotated[Path, typer.Argument(help="CSV: ISO 8601 time with offset, °C.")],
    min_c: Annotated[str | None, typer.Option("--min", help="Lower limit, °C.")] = None,
    max_c: Annotated[str | None, typer.Option("--max", help="Upper limit, °C.")] = None,
    interval_seconds: Annotated[
        int, typer.Option(help="Nominal sampling interval in seconds.")
    ] = 10,
) -> None:
    """Print MKT, min, max, minutes out of range and gap statistics as JSON.

    Decimal results are JSON strings with fixed decimals (exact, never floats).
    """
    low, high = _bound(min_c, "--min"), _bound(max_c, "--max")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise _fail(f"cannot read {file}") from error
    try:
        summary = summarize(
            read_csv(text), interval_ms=interval_seconds * 1000, low_milli=low, high_milli=high
        )
    except ColdChainError as error:
        raise _fail(error.reason) from error
    result: dict[str, Any] = {
        "readings": summary.readings,
        "mkt_celsius": str(summary.mkt_celsius),
        "min": str(summary.min_celsius),
        "max": str(summary.max_celsius),
    }
    if summary.minutes_out_of_range is not None:
        result["minutes_out_of_range"] = str(summary.minutes_out_of_range)
    gaps = summary.gaps
    result |= {
        "gap_count": gaps.gap_count,
        "longest_gap_seconds": str(
            (Decimal(gaps.longest_gap_ms) / 1000).quantize(Decimal("0.001"))
        ),
        "blind_spot_percent": str(gaps.blind_spot_percent),
    }
    typer.echo(json.dumps(result))
