"""`rxl supplier`: the buyer's approved supplier list (ICH Q7 §7, ICH Q10 §2.7, EU GMP ch. 5/7).

The buyer's QA registers suppliers and materials, assigns materials, records audits and
quality agreements, verifies certificates and decides every status; a supplier's own
member may submit its certificates. Dates are ISO (`2027-01-31`) or ms since the epoch.
Exit codes: 0 ok, 1 rejected by the ledger (its code is printed), 2 bad input, 3 no node.
"""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from cli.context import (
    CliError,
    JsonOption,
    ProfileOption,
    cell_text,
    client_for,
    emit_json,
    format_time_ms,
    parse_time_ms,
    print_fields,
    print_table,
    run_command,
)
from cli.trace import report_committed
from sdk.client.contracts.supplier import CertificateType, Site, StatusName

app = typer.Typer(
    help="Approved supplier lists: qualify, certify, audit, approve.", no_args_is_help=True
)

SupplierArgument = Annotated[str, typer.Argument(help="Supplier id on your list.")]
Outcome = Literal["satisfactory", "satisfactory_with_findings", "unsatisfactory"]
AuditKind = Literal["onsite", "remote", "desk", "questionnaire"]


def parse_site(text: str) -> Site:
    """`GLN=name` or `GLN=name=address`."""
    gln, _, rest = text.partition("=")
    name, _, address = rest.partition("=")
    if not gln.strip() or not name.strip():
        raise CliError(f"--site {text!r}: write GLN=name or GLN=name=address")
    return {"gln": gln.strip(), "name": name.strip(), "address": address.strip() or None}


@app.command("register")
def register(
    supplier: SupplierArgument,
    org_id: Annotated[str, typer.Option(help="The supplier's org id on the network.")],
    name: Annotated[str, typer.Option(help="Legal name.")],
    site: Annotated[list[str], typer.Option(help="GLN=name[=address]; repeat per site.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Put a supplier on your list (QA); it starts `pending`."""
    with run_command(json_output=json_output):
        sites = [parse_site(text) for text in site]
        with client_for(profile) as client:
            committed = client.supplier.register_supplier(
                supplier=supplier, org_id=org_id, name=name, sites=sites
            )
        report_committed(committed, f"supplier {supplier} registered", json_output=json_output)


@app.command("material")
def material(
    material_id: Annotated[str, typer.Argument(metavar="MATERIAL", help="Material id.")],
    name: Annotated[str, typer.Option()],
    specification: Annotated[str, typer.Option(help="Specification id.")],
    spec_version: Annotated[str, typer.Option()],
    spec_sha256: Annotated[str, typer.Option(help="SHA-256 hex of the specification.")],
    critical: Annotated[bool, typer.Option(help="A critical material (e.g. an API).")] = False,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register a material and its specification (QA)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.supplier.register_material(
                material=material_id,
                name=name,
                specification=specification,
                spec_version=spec_version,
                spec_sha256=spec_sha256,
                critical=critical,
            )
        report_committed(committed, f"material {material_id} registered", json_output=json_output)


@app.command("assign")
def assign(
    supplier: SupplierArgument,
    material_id: Annotated[str, typer.Argument(metavar="MATERIAL")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Open the (supplier, material) record, `pending` until approved (QA)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.supplier.assign_material(supplier=supplier, material=material_id)
        report_committed(
            committed, f"{material_id} assigned to {supplier}", json_output=json_output
        )


@app.command("status")
def status(
    supplier: SupplierArgument,
    new_status: Annotated[StatusName, typer.Argument(metavar="STATUS")],
    reason: Annotated[str, typer.Option()],
    material_id: Annotated[
        str | None, typer.Option("--material", help="For one material (default: supplier).")
    ] = None,
    scope: Annotated[str | None, typer.Option(help="What a conditional approval covers.")] = None,
    until: Annotated[str | None, typer.Option(help="End of a conditional approval.")] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Decide a status: approved, conditional (--scope, --until), suspended, disqualified."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.supplier.set_status(
                supplier=supplier,
                material=material_id,
                status=new_status,
                reason=reason,
                scope=scope,
                until=until,
            )
        what = f"{supplier}" + (f" / {material_id}" if material_id else "")
        report_committed(committed, f"{what} is {new_status}", json_output=json_output)


@app.command("certificate")
def certificate(
    supplier: SupplierArgument,
    certificate_id: Annotated[str, typer.Argument(metavar="CERTIFICATE")],
    kind: Annotated[CertificateType, typer.Option("--type")],
    issuer: Annotated[str, typer.Option()],
    number: Annotated[str, typer.Option()],
    scope: Annotated[str, typer.Option()],
    valid_from: Annotated[str, typer.Option()],
    valid_to: Annotated[str, typer.Option()],
    document_sha256: Annotated[str, typer.Option()],
    material_ids: Annotated[
        list[str] | None, typer.Option("--material", help="Materials covered (default: all).")
    ] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Submit a certificate (the buyer's QA, or the supplier itself: then unverified)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.supplier.submit_certificate(
                supplier=supplier,
                certificate=certificate_id,
                type=kind,
                issuer=issuer,
                number=number,
                scope=scope,
                valid_from=valid_from,
                valid_to=valid_to,
                document_sha256=document_sha256,
                materials=list(material_ids or []),
            )
        report_committed(
            committed, f"certificate {certificate_id} submitted", json_output=json_output
        )


@app.command("verify-certificate")
def verify_certificate(
    supplier: SupplierArgument,
    certificate_id: Annotated[str, typer.Argument(metavar="CERTIFICATE")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Mark a certificate as checked against its issuer (QA); only verified ones count."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.supplier.verify_certificate(
                supplier=supplier, certificate=certificate_id
            )
        report_committed(
            committed, f"certificate {certificate_id} verified", json_output=json_output
        )


@app.command("audit")
def audit(
    supplier: SupplierArgument,
    audit_id: Annotated[str, typer.Argument(metavar="AUDIT")],
    date: Annotated[str, typer.Option(help="Audit date.")],
    auditor: Annotated[str, typer.Option()],
    outcome: Annotated[Outcome, typer.Option()],
    next_due: Annotated[str, typer.Option(help="Requalification due date.")],
    kind: Annotated[AuditKind, typer.Option()] = "onsite",
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record an audit (QA); the latest sets the requalification date."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.supplier.record_audit(
                supplier=supplier,
                audit=audit_id,
                date=date,
                auditor=auditor,
                kind=kind,
                outcome=outcome,
                next_due=next_due,
            )
        report_committed(committed, f"audit {audit_id} recorded", json_output=json_output)


@app.command("agreement")
def agreement(
    supplier: SupplierArgument,
    agreement_id: Annotated[str, typer.Argument(metavar="AGREEMENT")],
    signed: Annotated[str, typer.Option(help="Date signed.")],
    document_sha256: Annotated[str, typer.Option()],
    valid_to: Annotated[str | None, typer.Option()] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a quality agreement (QA)."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.supplier.record_agreement(
                supplier=supplier,
                agreement=agreement_id,
                signed=signed,
                valid_to=valid_to,
                document_sha256=document_sha256,
            )
        report_committed(committed, f"agreement {agreement_id} recorded", json_output=json_output)


@app.command("link")
def link(
    supplier: SupplierArgument,
    subsupplier: Annotated[str, typer.Argument(help="The supplier's own supplier.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Link a sub-supplier (QA, or the supplier's own member); cycles are refused."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            committed = client.supplier.link_subsupplier(supplier=supplier, subsupplier=subsupplier)
        report_committed(committed, f"{subsupplier} supplies {supplier}", json_output=json_output)


@app.command("show")
def show(
    supplier: SupplierArgument,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """The entry, its effective statuses now, certificates, audits and agreements."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            entry = client.supplier.get_supplier(supplier=supplier)
        if json_output:
            emit_json(entry)
            return
        if not isinstance(entry, dict):
            raise CliError(f"no supplier {supplier}")
        print_fields({name: cell_text(value) for name, value in entry.items()}, title=supplier)


@app.command("history")
def history(
    supplier: SupplierArgument,
    material_id: Annotated[str | None, typer.Option("--material")] = None,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Every status decision (automatic suspensions included), oldest first."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            entries = client.supplier.status_history(supplier=supplier, material=material_id)
        if json_output:
            emit_json(entries)
            return
        rows = []
        for item in entries if isinstance(entries, list) else []:
            if isinstance(item, dict):
                at = item.get("at_ms")
                when = format_time_ms(at) if isinstance(at, int) else "-"
                rows.append([when, item.get("status"), item.get("by"), item.get("reason")])
        print_table(["at (UTC)", "status", "by", "reason"], rows, title=f"status of {supplier}")


@app.command("was-approved")
def was_approved(
    supplier: SupplierArgument,
    material_id: Annotated[str, typer.Argument(metavar="MATERIAL")],
    at: Annotated[str, typer.Option(help="The instant (ISO time or ms); e.g. a usage time.")],
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Was the supplier approved for the material at that instant? Exit 1 when not."""
    with run_command(json_output=json_output):
        at_ms = parse_time_ms(at, option="--at")
        with client_for(profile) as client:
            answer = client.supplier.was_approved(
                supplier=supplier, material=material_id, at_ms=at_ms
            )
        approved = isinstance(answer, dict) and answer.get("approved") is True
        if json_output:
            emit_json(answer)
        else:
            state = cell_text(answer.get("status")) if isinstance(answer, dict) else "-"
            mark = "[green]✓ approved[/green]" if approved else "[red]✗ not approved[/red]"
            print_fields({"verdict": mark, "status": state, "at": format_time_ms(at_ms)})
        if not approved:
            raise typer.Exit(1)


@app.command("tree")
def tree(
    supplier: SupplierArgument,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """The supply tree below a supplier (tiers 1-4) and its flags."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            answer = client.supplier.supplier_tree(supplier=supplier)
        if json_output:
            emit_json(answer)
        else:
            print_fields(dict(answer) if isinstance(answer, dict) else {"tree": answer})


@app.command("due")
def due(
    before: Annotated[str, typer.Option(help="Requalifications due before this date.")],
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    profile: ProfileOption = None,
    json_output: JsonOption = False,
) -> None:
    """Suppliers due for requalification, soonest first."""
    with run_command(json_output=json_output):
        with client_for(profile) as client:
            items = client.supplier.due_for_requalification(before=before, limit=limit)
        if json_output:
            emit_json(items)
            return
        rows = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                due_ms = item.get("next_due_ms")
                when = format_time_ms(due_ms) if isinstance(due_ms, int) else "-"
                rows.append([item.get("supplier"), when, item.get("status")])
        print_table(["supplier", "due (UTC)", "status"], rows, title=f"due before {before}")
