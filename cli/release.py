"""`rxl release`: batch records and the QP's disposition (EU GMP Annex 16, 21 CFR 211.192).

The manufacturer registers a batch and its materials; QA records the certificate of
analysis, deviations and change controls; the QP reviews what blocks a release and signs
the decision over the SHA-256 of the record as it stands (21 CFR 11.50), so a record edited
after review invalidates the signature. A batch is named by its product key and lot.
Exit codes: 0 ok, 1 rejected by the ledger (its code is printed), 2 bad input, 3 no node.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from cli.context import (
    CliError,
    JsonOption,
    ProfileOption,
    client_for,
    console,
    emit_json,
    print_fields,
    print_table,
    read_json_argument,
    run_command,
    success,
)
from cli.trace import report_committed
from sdk.client import Client

app = typer.Typer(
    help="Batch records, CoA, deviations and the QP's release decision.", no_args_is_help=True
)

ProductArgument = Annotated[str, typer.Argument(help="The batch's product, e.g. gtin:0950….")]
LotArgument = Annotated[str, typer.Argument(help="Batch/lot number.")]
ReasonOption = Annotated[str, typer.Option(help="Why, for the batch record.")]
PrintedNameOption = Annotated[
    str, typer.Option(help="The QP's printed name, part of the signature (21 CFR 11.50).")
]


def _json_list(text: str, option: str) -> list[Any]:
    value = read_json_argument(text, option=option)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise CliError(f"{option} must be a JSON list of objects (inline, @FILE or -)")
    return value


@app.command("register")
def register(
    product_key: ProductArgument,
    lot: LotArgument,
    size: Annotated[int, typer.Option(help="Batch size in units.", min=1)],
    site_gln: Annotated[str, typer.Option(help="GLN of the manufacturing site.")],
    manufactured: Annotated[str, typer.Option(help="Date of manufacture, YYYY-MM-DD.")],
    expiry: Annotated[str, typer.Option(help="Expiry date, YYYY-MM-DD.")],
    ebr_sha256: Annotated[str, typer.Option(help="SHA-256 hex of the electronic batch record.")],
    unit: Annotated[str | None, typer.Option(help="Unit of the size, e.g. packs.")] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register a batch (manufacturer or QA of the owning org); it starts `pending`."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            if unit is None:
                committed = client.release.register_batch(
                    product_key=product_key,
                    lot=lot,
                    size=size,
                    site_gln=site_gln,
                    manufactured=manufactured,
                    expiry=expiry,
                    ebr_sha256=ebr_sha256,
                )
            else:
                committed = client.release.register_batch(
                    product_key=product_key,
                    lot=lot,
                    size=size,
                    unit=unit,
                    site_gln=site_gln,
                    manufactured=manufactured,
                    expiry=expiry,
                    ebr_sha256=ebr_sha256,
                )
        report_committed(committed, f"batch {lot} registered", json_output=json_output)


@app.command("coa")
def coa(
    product_key: ProductArgument,
    lot: LotArgument,
    lab: Annotated[str, typer.Option(help="The QC laboratory.")],
    document_sha256: Annotated[str, typer.Option(help="SHA-256 hex of the CoA document.")],
    tests: Annotated[
        str,
        typer.Option(
            help="JSON list of {test, name, method, spec, result} (inline, @FILE or -); "
            "the contract computes pass/fail."
        ),
    ],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record the certificate of analysis (QA)."""
    with run_command(json_output=json_output):
        results = _json_list(tests, "--tests")
        with client_for(profile) as client:
            committed = client.release.record_coa(
                product_key=product_key,
                lot=lot,
                lab=lab,
                document_sha256=document_sha256,
                tests=results,
            )
        report_committed(committed, f"CoA of {lot} recorded", json_output=json_output)


@app.command("deviation")
def deviation(
    product_key: ProductArgument,
    lot: LotArgument,
    deviation_id: Annotated[str, typer.Argument(metavar="DEVIATION", help="Deviation id.")],
    severity: Annotated[Literal["critical", "major", "minor"], typer.Option()],
    description: Annotated[str, typer.Option()],
    impact_assessment: Annotated[str | None, typer.Option()] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a deviation (QA); an open critical or major one blocks the release."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.release.record_deviation(
                product_key=product_key,
                lot=lot,
                deviation=deviation_id,
                severity=severity,
                description=description,
                impact_assessment=impact_assessment,
            )
        report_committed(committed, f"deviation {deviation_id} recorded", json_output=json_output)


@app.command("close-deviation")
def close_deviation(
    product_key: ProductArgument,
    lot: LotArgument,
    deviation_id: Annotated[str, typer.Argument(metavar="DEVIATION", help="Deviation id.")],
    impact_assessment: Annotated[
        str | None, typer.Option(help="Required unless given when it was recorded.")
    ] = None,
    capa: Annotated[str | None, typer.Option(help="Corrective/preventive action.")] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Close a deviation (QA)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.release.close_deviation(
                product_key=product_key,
                lot=lot,
                deviation=deviation_id,
                impact_assessment=impact_assessment,
                capa=capa,
            )
        report_committed(committed, f"deviation {deviation_id} closed", json_output=json_output)


@app.command("change-control")
def change_control(
    product_key: ProductArgument,
    lot: LotArgument,
    change: Annotated[str, typer.Argument(help="Change control id.")],
    description: Annotated[str, typer.Option()],
    status: Annotated[Literal["proposed", "approved", "rejected"], typer.Option()],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a change control (QA); one not approved blocks the release."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.release.record_change_control(
                product_key=product_key,
                lot=lot,
                change=change,
                description=description,
                status=status,
            )
        report_committed(committed, f"change {change} is {status}", json_output=json_output)


@app.command("materials")
def materials(
    product_key: ProductArgument,
    lot: LotArgument,
    lines: Annotated[
        str,
        typer.Option(
            "--materials",
            help="JSON list of {material, supplier, supplier_lot, quantity, scale, unit, "
            "used_at, product_key?} (inline, @FILE or -).",
        ),
    ],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Add the materials used (each supplier must be approved for it at `used_at`)."""
    with run_command(json_output=json_output):
        used = _json_list(lines, "--materials")
        with client_for(profile) as client:
            committed = client.release.add_materials(
                product_key=product_key, lot=lot, materials=used
            )
        report_committed(committed, f"{len(used)} material line(s) added", json_output=json_output)


@app.command("blockers")
def blockers(
    product_key: ProductArgument,
    lot: LotArgument,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """What stops the QP from releasing the batch now (nothing: releasable)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            found = client.release.release_blockers(product_key=product_key, lot=lot)
        items = found if isinstance(found, list) else []
        if json_output:
            emit_json(items)
        elif not items:
            success(f"batch {lot} is releasable: no blockers")
        else:
            rows = [
                [b.get("code"), b.get("subject"), b.get("detail")]
                for b in items
                if isinstance(b, dict)
            ]
            print_table(["code", "subject", "detail"], rows, title=f"blockers of {lot}")


@app.command("show")
def show(
    product_key: ProductArgument,
    lot: LotArgument,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """The batch record, its SHA-256 (what the QP signs) and its status."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            batch = client.release.get_batch(product_key=product_key, lot=lot)
        if json_output:
            emit_json(batch)
            return
        if not isinstance(batch, dict):
            raise CliError(f"no batch {lot} of {product_key}")
        status = batch.get("status") if isinstance(batch.get("status"), dict) else {}
        assert isinstance(status, dict)
        print_fields(
            {
                "batch": f"{product_key} {lot}",
                "status": status.get("status"),
                "released markets": status.get("released_markets"),
                "record sha256": batch.get("record_sha256"),
            }
        )


def _manifest(client: Client, product_key: str, lot: str, name: str, meaning: str) -> Any:
    """The signature manifestation over the record as it stands now."""
    batch = client.release.get_batch(product_key=product_key, lot=lot)
    record_hash = batch.get("record_sha256") if isinstance(batch, dict) else None
    if not isinstance(record_hash, str):
        raise CliError(f"no batch {lot} of {product_key} to sign (register it first)")
    return {
        "printed_name": name,
        "signed_at_ms": int(time.time() * 1000),
        "meaning": meaning,
        "record_sha256": record_hash,
    }


@app.command("release")
def release(
    product_key: ProductArgument,
    lot: LotArgument,
    market: Annotated[list[str], typer.Option(help="ISO 3166 country; repeat for several.")],
    printed_name: PrintedNameOption,
    meaning: Annotated[Literal["release", "approval"], typer.Option()] = "release",
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """QP: release the batch for markets, signing the SHA-256 of the current record."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            manifest = _manifest(client, product_key, lot, printed_name, meaning)
            committed = client.release.release_batch(
                product_key=product_key,
                lot=lot,
                markets=[m.upper() for m in market],
                manifest=manifest,
            )
        if not json_output:
            console().print(
                f"signed record sha256 {escape(manifest['record_sha256'])}", highlight=False
            )
        report_committed(
            committed, f"batch {lot} released for {', '.join(market)}", json_output=json_output
        )


@app.command("reject")
def reject(
    product_key: ProductArgument,
    lot: LotArgument,
    reason: ReasonOption,
    printed_name: PrintedNameOption,
    meaning: Annotated[Literal["rejection", "review"], typer.Option()] = "rejection",
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """QP: reject the batch (final), signing the SHA-256 of the current record."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            manifest = _manifest(client, product_key, lot, printed_name, meaning)
            committed = client.release.reject_batch(
                product_key=product_key, lot=lot, reason=reason, manifest=manifest
            )
        report_committed(committed, f"batch {lot} rejected", json_output=json_output)


@app.command("quarantine")
def quarantine(
    product_key: ProductArgument,
    lot: LotArgument,
    reason: ReasonOption,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """QA/QP: put the batch in quarantine (the record becomes editable again)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.release.quarantine_batch(
                product_key=product_key, lot=lot, reason=reason
            )
        report_committed(committed, f"batch {lot} quarantined", json_output=json_output)


@app.command("recall")
def recall(
    product_key: ProductArgument,
    lot: LotArgument,
    reason: ReasonOption,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """QA/QP of the owner, or a regulator: set the batch's release status to recalled
    (`rxl trace recall` records the recall notice on the packs and names the holders)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.release.recall_batch(product_key=product_key, lot=lot, reason=reason)
        report_committed(committed, f"batch {lot} recalled", json_output=json_output)
