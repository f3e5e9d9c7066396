"""`rxl code`: Parse, convert and render product codes (GS1, China 20-digit, proprietary).

Exit codes: 0 ok, 2 invalid code or bad usage (one-line reason on stderr).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Annotated, Any

import qrcode
import typer
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathImage
from rich.console import Console
from rich.table import Table

from sdk.codes import Code, CodeError, Gs1Code, Nmpa20Code, ProprietaryCode, parse_code

app = typer.Typer(
    help="Parse, convert and render product codes (GS1, China 20-digit, proprietary).",
    no_args_is_help=True,
)


def _fail(reason: str) -> typer.Exit:
    typer.echo(f"error: {reason}", err=True)
    return typer.Exit(2)


def code_fields(code: Code) -> dict[str, Any]:
    """The JSON view of a parsed code; keys that do not apply are omitted."""
    fields: dict[str, Any] = {"scheme": code.scheme}
    if isinstance(code, Gs1Code):
        fields |= {
            "gtin": code.gtin,
            "serial": code.serial,
            "lot": code.lot,
            "expiry": code.expiry.isoformat() if code.expiry else None,
            "expiry_raw": code.expiry_raw,
            "sscc": code.sscc,
            "gln": code.gln,
            "digital_link": code.digital_link,
            "element_string": code.element_string,
            "hri": code.hri,
        }
        # A GTIN without serial has no pure-identity URN, so the key is then absent.
        if code.company_prefix_length is not None and code.is_serialized:
            fields["epc_urn"] = code.epc_urn()
    elif isinstance(code, Nmpa20Code):
        fields |= {"product_resource_code": code.product_resource_code, "serial": code.serial}
    else:
        fields |= {"issuer": code.issuer, "serial": code.value}
    fields |= {
        "key": code.key,
        "product_key": code.product_key,
        "is_serialized": code.is_serialized,
    }
    if isinstance(code, Gs1Code) and code.warnings:
        fields["warnings"] = [str(w) for w in code.warnings]
    return {key: value for key, value in fields.items() if value is not None}


def _parse(
    text: str, reference_year: int | None, company_prefix_length: int | None, lenient: bool
) -> Code:
    try:
        return parse_code(
            text,
            reference_year=reference_year,
            company_prefix_length=company_prefix_length,
            lenient=lenient,
        )
    except CodeError as error:
        raise _fail(error.reason) from error


@app.command("parse")
def parse_command(
    text: Annotated[str, typer.Argument(help="Element string, Digital Link, EPC URN, HRI, …")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    reference_year: Annotated[
        int | None, typer.Option(help="Year for the AI 17 century window (default: now).")
    ] = None,
    company_prefix_length: Annotated[
        int | None, typer.Option(help="GS1 company prefix length, to emit an EPC URN.")
    ] = None,
    lenient: Annotated[bool, typer.Option(help="Normalize instead of rejecting.")] = False,
) -> None:
    """Parse a code and print its canonical forms."""
    code = _parse(text, reference_year, company_prefix_length, lenient)
    fields = code_fields(code)
    if as_json:
        typer.echo(json.dumps(fields, ensure_ascii=True))
        return
    table = Table(title=f"{code.scheme} code", show_header=False)
    for key, value in fields.items():
        shown = value.replace("\x1d", "<GS>") if isinstance(value, str) else str(value)
        table.add_row(key, shown)
    Console(soft_wrap=True).print(table)


def _qr_payload(code: Code) -> str:
    if isinstance(code, Gs1Code):
        return code.digital_link
    if isinstance(code, ProprietaryCode):
        return code.text
    return code.code


@app.command("qr")
def qr_command(
    text: Annotated[str, typer.Argument(help="Any code parse accepts.")],
    out: Annotated[
        Path | None, typer.Option(help="Write a .png or .svg file instead of terminal text.")
    ] = None,
    reference_year: Annotated[int | None, typer.Option(help="AI 17 century window.")] = None,
    lenient: Annotated[bool, typer.Option(help="Normalize instead of rejecting.")] = False,
) -> None:
    """Render the canonical Digital Link (GS1) or the code text (others) as a QR code."""
    code = _parse(text, reference_year, None, lenient)
    payload = _qr_payload(code)
    if out is None:
        qr = qrcode.QRCode(border=2)
        qr.add_data(payload)
        buffer = io.StringIO()
        qr.print_ascii(out=buffer)
        typer.echo(buffer.getvalue(), nl=False)
        typer.echo(payload)
        return
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise _fail(f"--out must end in .png or .svg, got {out.name!r}")
    factory = PyPNGImage if suffix == ".png" else SvgPathImage
    image = qrcode.make(payload, image_factory=factory)
    try:
        with out.open("wb") as stream:
            image.save(stream)
    except OSError as error:
        raise _fail(f"cannot write {out}: {error.strerror}") from error
    typer.echo(f"{out}: {payload}")
