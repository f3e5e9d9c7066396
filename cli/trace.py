"""`rxl trace`: serialized packs on the ledger — products, commissioning, packing, custody,
dispensing, recalls, the public verify, histories and EPCIS 2.0 documents.

Codes are accepted as any text a scanner or a person gives: a GS1 element string (with or
without `]d2`), an HRI `(01)…(21)…`, a GS1 Digital Link, a 20-digit China code, or a
canonical key (`sgtin:…`, `sscc:…`). Exit codes: 0 ok; 1 rejected by the ledger (its code
is printed), a red verify verdict, or a sale that raised an alert; 2 bad input; 3 no node.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import typer
from rich.markup import escape

from cli.context import (
    CliError,
    JsonOption,
    ProfileOption,
    cell_text,
    client_for,
    console,
    emit_json,
    format_time_ms,
    print_fields,
    print_table,
    run_command,
    success,
)
from cli.trace_bulk import CommissionPlan, commission_in_batches, read_serials, write_serials
from cli.trace_epcis import export_codes, import_file
from sdk.client import Committed, Verification
from sdk.codes import CodeError, parse_code

app = typer.Typer(
    help="Serialized packs: commission, pack, ship, sell, recall, verify, history, EPCIS.",
    no_args_is_help=True,
)
product_app = typer.Typer(
    help="Product master data (the MAH's manufacturer).", no_args_is_help=True
)
app.add_typer(product_app, name="product")

CANONICAL_PREFIXES: Final = ("sgtin:", "sscc:", "nmpa20:", "prop:")
SERIAL_ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Generated serials avoid 0/O and 1/I: a pharmacist may have to type one from the pack."""

Level = Literal["item", "case", "pallet"]
CodesArgument = Annotated[
    list[str], typer.Argument(help="Codes: element string, HRI, Digital Link, China code or key.")
]


# -- input ---------------------------------------------------------------------------------------


def code_text(text: str) -> str:
    """The code as given (trimmed), once it is known to be a code; CliError (exit 2) if not.

    The text itself goes to the ledger, not its key: a printed lot or expiry is checked there.
    """
    stripped = text.strip()
    if stripped.startswith(CANONICAL_PREFIXES):
        return stripped
    try:
        parse_code(stripped, lenient=True)
    except CodeError as error:
        raise CliError(f"{text!r} is not a code: {error.reason}", code="cli.bad_code") from error
    return stripped


def codes_text(texts: Sequence[str]) -> list[str]:
    return [code_text(text) for text in texts]


def centi_celsius(text: str, option: str) -> int:
    """`2`, `-20`, `8.5` °C as integer hundredths of a degree (exact)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as error:
        raise CliError(f"{option} {text!r} is not a temperature in °C (e.g. 2 or 8.5)") from error
    centi = value * 100
    if not value.is_finite() or centi != centi.to_integral_value():
        raise CliError(f"{option} {text!r}: give at most two decimals of °C")
    return int(centi)


def generate_serials(count: int) -> list[str]:
    """``count`` distinct random serials of 12 characters (EU FMD asks for randomised ones)."""
    found: dict[str, None] = {}
    while len(found) < count:
        found[("".join(secrets.choice(SERIAL_ALPHABET) for _ in range(12)))] = None
    return list(found)


# -- output --------------------------------------------------------------------------------------


def report_committed(committed: Committed, what: str, *, json_output: bool) -> None:
    """One line (or the JSON of the whole outcome) for a committed transaction."""
    if json_output:
        emit_json(committed)
        return
    success(f"{what} (block {committed.height}, tx {committed.tx_id[:16]}…)")


# -- products ----------------------------------------------------------------------------------


@product_app.command("add")
def product_add(
    product_key: Annotated[str, typer.Argument(help="gtin:{14 digits} or nmpa:{7}.")],
    mah_org: Annotated[str, typer.Option(help="Marketing authorisation holder (your org).")],
    generic_name: Annotated[str, typer.Option(help="INN, e.g. amoxicillin.")],
    dosage_form: Annotated[str, typer.Option(help="e.g. capsule.")],
    strength: Annotated[str, typer.Option(help="e.g. 500 mg.")],
    pack_size: Annotated[int, typer.Option(help="Units in one pack.", min=1)],
    market: Annotated[list[str], typer.Option(help="ISO 3166 country; repeat for several.")],
    storage_min: Annotated[str, typer.Option(help="Lowest storage temperature, °C.")],
    storage_max: Annotated[str, typer.Option(help="Highest storage temperature, °C.")],
    level: Annotated[Level, typer.Option(help="Packaging level of this GTIN.")] = "item",
    trade_name: Annotated[str | None, typer.Option(help="Brand name.")] = None,
    base_product: Annotated[
        str | None, typer.Option(help="For a case/pallet GTIN: its item product key.")
    ] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register a product, or update its trade name, markets and storage range."""
    with run_command(json_output=json_output):
        low = centi_celsius(storage_min, "--storage-min")
        high = centi_celsius(storage_max, "--storage-max")
        with client_for(profile) as client:
            committed = client.trace.register_product(
                product_key=product_key,
                mah_org=mah_org,
                generic_name=generic_name,
                dosage_form=dosage_form,
                strength=strength,
                pack_size=pack_size,
                packaging_level=level,
                markets=[m.upper() for m in market],
                storage_min_centi_c=low,
                storage_max_centi_c=high,
                trade_name=trade_name,
                base_product=base_product,
            )
        revision = committed.result.get("revision") if isinstance(committed.result, dict) else None
        suffix = f", revision {cell_text(revision)}" if revision is not None else ""
        report_committed(
            committed, f"product {product_key} registered{suffix}", json_output=json_output
        )


# -- commissioning ---------------------------------------------------------------------------


@app.command("commission")
def commission(
    gtin: Annotated[str, typer.Option(help="GTIN-14 of the product (registered, yours).")],
    lot: Annotated[str, typer.Option(help="Batch/lot number (registered with release).")],
    production_date: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
    expiry: Annotated[str, typer.Option(help="YYYY-MM-DD.")],
    serials: Annotated[
        Path | None,
        typer.Option("--serials", help="CSV of serials (a 'serial' column, else the first)."),
    ] = None,
    count: Annotated[
        int | None, typer.Option(help="Generate this many random serials instead.", min=1)
    ] = None,
    batch_size: Annotated[
        int, typer.Option(help="Serials per transaction.", min=1, max=100_000)
    ] = 1000,
    in_flight: Annotated[
        int, typer.Option(help="Transactions sent before waiting for their commits.", min=1)
    ] = 8,
    out: Annotated[
        Path | None, typer.Option(help="Write the commissioned serials here (CSV) for printing.")
    ] = None,
    level: Annotated[Level | None, typer.Option(help="Default: the product's level.")] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Commission serialized packs of one batch in transactions of --batch-size serials.

    A refused transaction (e.g. a duplicate serial) refuses only its own serials; the others
    commit. Exit 1 when any transaction was refused.
    """
    with run_command(json_output=json_output):
        if (serials is None) == (count is None):
            raise CliError("give either --serials FILE.csv or --count N")
        wanted = read_serials(serials) if serials is not None else generate_serials(count or 0)
        plan = CommissionPlan(
            gtin=gtin,
            lot=lot,
            production_date=production_date,
            expiry=expiry,
            level=level,
            serials=wanted,
            batch_size=batch_size,
        )
        with client_for(profile) as client:
            outcome = commission_in_batches(client, plan, in_flight=in_flight)
        if out is not None:
            write_serials(out, outcome.committed_serials)
        if json_output:
            emit_json(outcome.as_json())
        else:
            for refusal in outcome.refused:
                console().print(
                    f"[red]rejected[/red] serials {refusal.first}…{refusal.last} "
                    f"({refusal.count}): [bold]{escape(refusal.code)}[/bold]: "
                    f"{escape(refusal.message)}",
                    highlight=False,
                )
            done = len(outcome.committed_serials)
            success(
                f"commissioned {done} of {len(wanted)} packs of lot {lot} "
                f"in {outcome.transactions} transactions"
            )
        if outcome.refused:
            raise typer.Exit(1)


@app.command("containers")
def containers(
    codes: CodesArgument,
    level: Annotated[Literal["case", "pallet"], typer.Option(help="Logistic level.")] = "pallet",
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Commission logistic units (SSCCs) to pack codes into."""
    with run_command(json_output=json_output):
        named = codes_text(codes)
        with client_for(profile) as client:
            committed = client.trace.commission_containers(codes=named, level=level)
        report_committed(
            committed, f"commissioned {len(named)} {level}(s)", json_output=json_output
        )


# -- packing and custody ---------------------------------------------------------------------


@app.command("aggregate")
def aggregate(
    parent: Annotated[str, typer.Argument(help="Case or pallet code.")],
    children: CodesArgument,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Pack codes into a case or pallet (all yours, at rest, active)."""
    with run_command(json_output=json_output):
        top, inside = code_text(parent), codes_text(children)
        with client_for(profile) as client:
            committed = client.trace.aggregate(parent=top, children=inside)
        report_committed(
            committed, f"packed {len(inside)} code(s) into {top}", json_output=json_output
        )


@app.command("ship")
def ship(
    codes: CodesArgument,
    to_org: Annotated[str, typer.Option(help="Receiving organization id.")],
    to_gln: Annotated[str, typer.Option(help="GLN of the receiving location.")],
    market: Annotated[str, typer.Option(help="ISO 3166 country the goods go to.")],
    ref: Annotated[
        list[str] | None, typer.Option(help="Business reference, e.g. 'po urn:…' (repeat).")
    ] = None,
    document_hash: Annotated[
        list[str] | None, typer.Option(help="SHA-256 hex of a shipping document (repeat).")
    ] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Ship top-level codes (and everything packed inside) to another organization."""
    with run_command(json_output=json_output):
        named = codes_text(codes)
        with client_for(profile) as client:
            committed = client.trace.ship(
                codes=named,
                to_org=to_org,
                to_gln=to_gln,
                market=market.upper(),
                business_refs=list(ref or []),
                document_hashes=list(document_hash or []),
            )
        report_committed(
            committed, f"shipped {len(named)} code(s) to {to_org}", json_output=json_output
        )


@app.command("receive")
def receive(
    codes: CodesArgument,
    gln: Annotated[str | None, typer.Option(help="GLN where the goods arrived.")] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Receive codes shipped to your organization (custody of the whole hierarchy moves)."""
    with run_command(json_output=json_output):
        named = codes_text(codes)
        with client_for(profile) as client:
            committed = client.trace.receive(codes=named, gln=gln)
        report_committed(committed, f"received {len(named)} code(s)", json_output=json_output)


@app.command("dispense")
def dispense(
    code: Annotated[str, typer.Argument(help="The pack's code, as scanned.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Dispense a pack to a patient. An unsafe sale is not refused but recorded as an alert
    (recalled, already dispensed, suspect, expired…): then nothing is sold and exit is 1."""
    with run_command(json_output=json_output):
        scanned = code_text(code)
        with client_for(profile) as client:
            committed = client.trace.dispense(code=scanned)
        result = committed.result if isinstance(committed.result, dict) else {}
        sold = result.get("dispensed") is True
        if json_output:
            emit_json(committed)
        elif sold:
            success(f"dispensed {scanned} (block {committed.height})")
        else:
            alert = result.get("alert")
            reasons = alert.get("reasons") if isinstance(alert, dict) else None
            why = ", ".join(str(r) for r in reasons) if isinstance(reasons, list) else "alert"
            console().print(
                f"[bold red]✗ DO NOT DISPENSE[/bold red] {escape(scanned)}: {escape(why)} "
                f"(alert recorded in block {committed.height})",
                highlight=False,
            )
        if not sold:
            raise typer.Exit(1)


@app.command("recall")
def recall(
    product_key: Annotated[str, typer.Option(help="The batch's product, e.g. gtin:0950….")],
    lot: Annotated[str, typer.Option(help="Batch/lot number.")],
    reason: Annotated[str, typer.Option(help="Why, as the recall notice says.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Recall a batch: every code of it reads as recalled at once; prints the holders."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.trace.recall(product_key=product_key, lot=lot, reason=reason)
        result = committed.result if isinstance(committed.result, dict) else {}
        holders = result.get("holders")
        names = [str(h) for h in holders] if isinstance(holders, list) else []
        if json_output:
            emit_json(committed)
            return
        success(f"recalled lot {lot} of {product_key} (block {committed.height})")
        console().print(f"holders to notify: {escape(', '.join(names) or 'none')}", highlight=False)


# -- verify and history ----------------------------------------------------------------------


def verdict_reason(answer: Verification) -> str | None:
    """Why a pack must not be dispensed; None when it is safe."""
    if answer.safe_to_dispense:
        return None
    if not answer.verified:
        return answer.failure_reason or "not verified"
    if not answer.commissioned:
        return "never commissioned"
    if answer.additional_info:
        return answer.additional_info
    if answer.status != "active":
        return f"status {answer.status}"
    if answer.batch_release != "released":
        return f"batch not released ({answer.batch_release or 'unknown'})"
    return "not safe to dispense"


@app.command("verify")
def verify(
    code: Annotated[
        str, typer.Argument(help="Scanned text: element string, Digital Link, HRI, 20-digit code.")
    ],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """The public check a pharmacy makes before dispensing: a green or red verdict with the
    reason. No key needed. Exit 0 when safe to dispense, 1 when not."""
    with run_command(json_output=json_output):
        scanned = code_text(code)
        with client_for(profile, identity=False) as client:
            answer = client.verify_code(scanned)
        reason = verdict_reason(answer)
        if json_output:
            emit_json(
                {**_verification_json(answer), "safe_to_dispense": reason is None, "reason": reason}
            )
        else:
            if reason is None:
                console().print(
                    f"[bold green]✓ GENUINE — safe to dispense[/bold green] {escape(answer.code)}",
                    highlight=False,
                )
            else:
                console().print(
                    f"[bold red]✗ DO NOT DISPENSE[/bold red] {escape(answer.code)}: "
                    f"{escape(reason)}",
                    highlight=False,
                )
            if answer.commissioned:
                product = answer.product or {}
                print_fields(
                    {
                        "product": _product_name(product),
                        "lot": answer.lot,
                        "expiry": answer.expiry,
                        "status": answer.status,
                        "recalled": answer.recalled,
                        "hold": answer.hold,
                        "batch release": answer.batch_release,
                    }
                )
        if reason is not None:
            raise typer.Exit(1)


def _product_name(product: dict[str, Any]) -> str:
    return f"{product.get('generic_name', '-')} {product.get('strength') or ''}".strip()


def _verification_json(answer: Verification) -> dict[str, Any]:
    fields = (
        "code", "verified", "failure_reason", "additional_info", "commissioned", "product",
        "lot", "expiry", "production_date", "level", "status", "recalled", "expired",
        "dispensed", "hold", "batch_release",
    )  # fmt: skip
    return {name: getattr(answer, name) for name in fields}


@app.command("history")
def history(
    code: Annotated[str, typer.Argument(help="The code, as scanned or as a key.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Every event of a code in ledger order, with those of the cases and pallets it was in."""
    with run_command(json_output=json_output):
        scanned = code_text(code)
        with client_for(profile) as client:
            answer = client.trace.history(code=scanned)
        if json_output:
            emit_json(answer)
            return
        events = answer.get("events") if isinstance(answer, dict) else None
        rows = []
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict):
                continue
            time_ms = event.get("time_ms")
            rows.append(
                [
                    event.get("height"),
                    format_time_ms(time_ms) if isinstance(time_ms, int) else "-",
                    event.get("event"),
                    event.get("org"),
                    event.get("via"),
                    event.get("data"),
                ]
            )
        key = cell_text(answer.get("code")) if isinstance(answer, dict) else scanned
        print_table(
            ["block", "time (UTC)", "event", "org", "via", "data"], rows, title=f"history of {key}"
        )


# -- EPCIS ---------------------------------------------------------------------------------------


@app.command("export-epcis")
def export_epcis(
    codes: CodesArgument,
    out: Annotated[Path, typer.Option(help="Where to write the EPCIS 2.0 JSON-LD document.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Export the trace history of codes as one EPCIS 2.0 document (a regulator's key, or
    the org that signed every transaction, can read the bodies)."""
    with run_command(json_output=json_output):
        named = codes_text(codes)
        with client_for(profile) as client:
            export = export_codes(client, named)
        out.write_text(export.json_text(), encoding="utf-8")
        if json_output:
            emit_json(export.summary(out))
        else:
            success(f"wrote {len(export.event_hashes)} EPCIS events to {out}")


@app.command("import-epcis")
def import_epcis(
    file: Annotated[Path, typer.Argument(help="EPCIS 2.0 JSON(-LD) document.")],
    party: Annotated[
        list[str] | None, typer.Option(help="URI=org: map a party id of the document to an org.")
    ] = None,
    lossy: Annotated[
        bool, typer.Option(help="Import events whose hash would change on re-export.")
    ] = False,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Replay a document's events as trace transactions, in document order, signed by you.
    Every event must be your org's (rxl:org or its parties); nothing is sent otherwise."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            result = import_file(client, file, parties=party or [], lossy=lossy)
        if json_output:
            emit_json(result.as_json())
        else:
            success(f"imported {len(result.committed)} events from {file}")
