"""`rxl audit`: a regulator's history of a code, a batch or an org over a time range.

A code's rows are its `trace.history` (commissioning, its cases' events while it was inside
them, a recall). A batch's and an org's come from the regulator audit export (`GET
/v1/audit/export`, docs/api.md) of the trace contract's batch journal (docs/trace.md, State
layout): `blog/{product}|{lot}|…` for a batch, every entry the org recorded for an org.
`--from`/`--to` keep entries whose block time is in [from, to). Formats: a table, JSON,
CSV, or an EPCIS 2.0 document of the transactions behind the rows (`sdk.epcis`).

Exit codes: 0 ok, 1 refused (e.g. `access.denied`: the key is not a regulator's), 2 bad
input, 3 no node reachable.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from cli.context import (
    CliError,
    ProfileOption,
    client_for,
    emit_json,
    format_time_ms,
    parse_time_ms,
    print_table,
    progress,
    run_command,
    success,
    to_jsonable,
)
from sdk.client import Client, ProtocolError
from sdk.client.calls import Call, error_of, json_ok
from sdk.client.errors import error_for
from sdk.epcis import EpcisError, export_document, records_from_api
from sdk.tx import SignedTransaction

app = typer.Typer(
    help="Regulator audit: history of a code, batch or org over a time range (table, JSON, "
    "CSV, EPCIS).",
    no_args_is_help=True,
)

TRACE = "trace"
CSV_COLUMNS = ("block_time", "height", "tx_index", "tx_id", "event", "org", "subject", "data")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    epcis = "epcis"


FromOption = Annotated[
    str | None,
    typer.Option("--from", help="Start (inclusive): ISO 8601 date/time or epoch ms."),
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="End (exclusive): ISO 8601 date/time or epoch ms.")
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table, json, csv or epcis.")]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
]


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One journal entry: a trace event recorded for a code or a batch."""

    block_time_ms: int
    height: int
    tx_index: int | None
    """None for rows of a code's history (the contract tells positions, not indexes)."""
    tx_id: str
    event: str
    org: str
    subject: str
    """The code key or `product|lot` the entry is journaled under."""
    data: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "block_time": format_time_ms(self.block_time_ms),
            "height": self.height,
            "tx_index": self.tx_index,
            "tx_id": self.tx_id,
            "event": self.event,
            "org": self.org,
            "subject": self.subject,
            "data": to_jsonable(self.data),
        }


# -- reading the ledger ---------------------------------------------------------------------


def _ndjson(response: httpx.Response) -> list[dict[str, Any]]:
    if not response.is_success:
        raise error_of(response)
    lines: list[dict[str, Any]] = []
    for number, text in enumerate(response.text.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except json.JSONDecodeError as error:
            raise ProtocolError(f"audit export line {number} is not JSON") from error
        if not isinstance(line, dict):
            raise ProtocolError(f"audit export line {number} is not an object")
        failure = line.get("error")
        if isinstance(failure, dict):
            # The node failed mid-stream: the export is incomplete, never shown as complete.
            raise error_for(
                str(failure.get("code", "internal")),
                f"the audit export stopped early: {failure.get('message', '')}",
                status=500,
            )
        lines.append(line)
    return lines


def audit_export(
    client: Client,
    prefix: str,
    *,
    contract: str = TRACE,
    from_ms: int | None = None,
    to_ms: int | None = None,
) -> list[dict[str, Any]]:
    """Every committed version of the keys under ``prefix`` (regulators only)."""
    params = [("contract", contract), ("prefix", prefix)]
    if from_ms is not None:
        params.append(("from_ms", str(from_ms)))
    if to_ms is not None:
        params.append(("to_ms", str(to_ms)))
    call = Call("GET", "/v1/audit/export", parse=_ndjson, params=tuple(params), wait_s=60.0)
    return client._send(call)  # the SDK has no public audit export yet (see docs/cli.md)


def journal_rows(
    versions: Sequence[Mapping[str, Any]], *, org: str | None = None
) -> list[AuditRow]:
    """Audit rows from export lines of `log/…` or `blog/…` keys (deletions skipped)."""
    rows: list[AuditRow] = []
    for line in versions:
        value = line.get("value")
        if not isinstance(value, Mapping):
            continue
        if org is not None and value.get("org") != org:
            continue
        key = str(line.get("key", ""))
        subject = key.split("/", 1)[-1].rsplit("|", 1)[0]
        rows.append(
            AuditRow(
                block_time_ms=int(line["block_time_ms"]),
                height=int(line["height"]),
                tx_index=int(line["tx_index"]),
                tx_id=str(line["tx_id"]),
                event=str(value.get("event", "")),
                org=str(value.get("org", "")),
                subject=subject,
                data=value.get("data"),
            )
        )
    rows.sort(key=lambda r: (r.height, r.tx_index or 0, r.subject))
    return rows


def code_rows(answer: object, *, from_ms: int | None, to_ms: int | None) -> list[AuditRow]:
    """Audit rows from a `trace.history` answer, kept when their block time is in range.

    The history holds what the journals do not: the commissioning (derived from the code's
    record), its cases' events while it was inside them, and a batch recall.
    """
    events = answer.get("events") if isinstance(answer, dict) else None
    if not isinstance(events, list):
        raise ProtocolError("trace.history answered without an events list")
    rows: list[AuditRow] = []
    for event in events:
        if not isinstance(event, dict):
            raise ProtocolError("trace.history answered an event that is not an object")
        time_ms = int(str(event["time_ms"]))
        if (from_ms is not None and time_ms < from_ms) or (to_ms is not None and time_ms >= to_ms):
            continue
        rows.append(
            AuditRow(
                block_time_ms=time_ms,
                height=int(str(event["height"])),
                tx_index=None,
                tx_id=str(event["tx_id"]),
                event=str(event.get("event", "")),
                org=str(event.get("org", "")),
                subject=str(event.get("via") or event.get("code")),
                data=event.get("data"),
            )
        )
    return rows


def canonical_code(client: Client, text: str) -> str:
    """The ledger's key for any scanned form of a code (what `trace.verify` answers)."""
    answer = client.trace.verify(code=text)
    key = answer.get("code") if isinstance(answer, dict) else None
    if not isinstance(key, str):
        raise CliError(f"{text!r} is not a code the ledger can read")
    return key


def _raw(client: Client, path: str) -> dict[str, Any]:
    answer = client._send(Call("GET", path, parse=json_ok))
    if not isinstance(answer, dict):
        raise ProtocolError(f"{path} did not answer a JSON object")
    return answer


def epcis_document(client: Client, rows: Sequence[AuditRow]) -> dict[str, Any]:
    """An EPCIS 2.0 document of the trace transactions behind ``rows``."""
    tx_ids = {row.tx_id for row in rows}
    heights = sorted({row.height for row in rows})
    blocks: list[dict[str, Any]] = []
    signers: set[str] = set()
    dispenses: set[str] = set()
    with progress() as bar:
        task = bar.add_task("reading blocks", total=len(heights))
        for height in heights:
            block = _raw(client, f"/v1/blocks/{height}")
            blocks.append(block)
            for tx_id, body in zip(block["tx_ids"], block["transactions"], strict=True):
                if tx_id in tx_ids and isinstance(body, str):
                    tx = SignedTransaction.from_wire(_b64(body)).tx
                    signers.add(tx.signer.hex())
                    if tx.contract == TRACE and tx.function == "dispense":
                        dispenses.add(tx_id)
            bar.advance(task)
    members = [_raw(client, f"/v1/state/msp/member/{key_id}") for key_id in sorted(signers)]
    events = _dispense_events(client, [r for r in rows if r.tx_id in dispenses])
    try:
        records = records_from_api(blocks, events, members, tx_ids=tx_ids)
        return export_document(records, creation_date=datetime.now(UTC)).document
    except EpcisError as error:
        raise CliError(f"cannot export EPCIS: {error}") from error


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _dispense_events(client: Client, rows: Sequence[AuditRow]) -> list[dict[str, Any]]:
    """The outcome event (`dispensed` or `alert`) of each dispense transaction."""
    waiting = {row.tx_id for row in rows}
    if not waiting:
        return []
    frames: list[dict[str, Any]] = []
    with client.events(from_height=min(r.height for r in rows), contracts=TRACE) as stream:
        for event in stream:
            if event.tx_id in waiting:
                frames.append(
                    {
                        "tx_id": event.tx_id,
                        "event_index": event.event_index,
                        "type": event.type,
                        "payload": event.payload,
                        "contract": event.contract,
                    }
                )
                if event.type in ("dispensed", "alert"):
                    waiting.discard(event.tx_id)
            if not waiting:
                break
    return frames


# -- output ---------------------------------------------------------------------------------


def rows_csv(rows: Sequence[AuditRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        fields = row.to_dict()
        fields["data"] = json.dumps(fields["data"], sort_keys=True, ensure_ascii=False)
        writer.writerow(fields)
    return buffer.getvalue()


def _write(text: str, out: Path | None, what: str) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CliError(f"cannot write {out}: {error.strerror or error}") from error
    success(f"{what} written to {out}")


def _emit(client: Client, rows: list[AuditRow], fmt: Format, out: Path | None, title: str) -> None:
    if fmt is Format.table and out is None:
        if not rows:
            typer.echo(f"{title}: no entries in this time range")
            return
        print_table(
            ["time", "height", "event", "org", "subject", "tx"],
            [
                [format_time_ms(r.block_time_ms), r.height, r.event, r.org, r.subject, r.tx_id[:16]]
                for r in rows
            ],
            title=title,
        )
        return
    if fmt is Format.csv:
        _write(rows_csv(rows), out, f"{len(rows)} rows (CSV)")
    elif fmt is Format.epcis:
        document = epcis_document(client, rows)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        _write(text, out, f"EPCIS document of {len(rows)} entries")
    elif out is None:
        emit_json([row.to_dict() for row in rows])
    else:
        text = json.dumps([row.to_dict() for row in rows], indent=2, ensure_ascii=False) + "\n"
        _write(text, out, f"{len(rows)} rows (JSON)")


def _range(start: str | None, end: str | None) -> tuple[int | None, int | None]:
    from_ms = None if start is None else parse_time_ms(start, option="--from")
    to_ms = None if end is None else parse_time_ms(end, option="--to")
    if from_ms is not None and to_ms is not None and to_ms <= from_ms:
        raise CliError("--to must be after --from")
    return from_ms, to_ms


Select = Callable[[Client, int | None, int | None], tuple[list[AuditRow], str]]
"""Reads the rows of one audit (client, from_ms, to_ms) and names them for a table title."""


def _run(
    profile: str | None,
    fmt: Format,
    out: Path | None,
    start: str | None,
    end: str | None,
    select: Select,
) -> None:
    with run_command(json_output=fmt is Format.json):
        if fmt is Format.table and out is not None:
            raise CliError("--out needs --format csv, json or epcis")
        from_ms, to_ms = _range(start, end)
        with client_for(profile) as client:
            rows, title = select(client, from_ms, to_ms)
            _emit(client, rows, fmt, out, title)


def _journal(prefix: str, title: str, org: str | None = None) -> Select:
    def select(
        client: Client, from_ms: int | None, to_ms: int | None
    ) -> tuple[list[AuditRow], str]:
        versions = audit_export(client, prefix, from_ms=from_ms, to_ms=to_ms)
        return journal_rows(versions, org=org), title

    return select


@app.command("code")
def code_command(
    code: Annotated[str, typer.Argument(help="Any scanned form of the code, or its key.")],
    start: FromOption = None,
    end: ToOption = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
    profile: ProfileOption = None,
) -> None:
    """Every event of one code (and of the cases it travelled in) over a time range."""

    def select(
        client: Client, from_ms: int | None, to_ms: int | None
    ) -> tuple[list[AuditRow], str]:
        key = canonical_code(client, code)
        answer = client.trace.history(code=key)
        return code_rows(answer, from_ms=from_ms, to_ms=to_ms), f"history of {key}"

    _run(profile, fmt, out, start, end, select)


@app.command("batch")
def batch_command(
    product_key: Annotated[str, typer.Argument(help="The batch's product, e.g. gtin:0950…")],
    lot: Annotated[str, typer.Argument(help="The lot number.")],
    start: FromOption = None,
    end: ToOption = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
    profile: ProfileOption = None,
) -> None:
    """Every event recorded for a batch over a time range."""
    if "|" in product_key or "|" in lot:
        raise typer.BadParameter("a product key or lot never contains '|'")
    _run(
        profile,
        fmt,
        out,
        start,
        end,
        _journal(f"blog/{product_key}|{lot}|", f"batch {product_key} lot {lot}"),
    )


@app.command("org")
def org_command(
    org: Annotated[str, typer.Argument(help="The organization id, e.g. distributor.")],
    start: FromOption = None,
    end: ToOption = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
    profile: ProfileOption = None,
) -> None:
    """Every batch event an organization recorded over a time range."""
    _run(profile, fmt, out, start, end, _journal("blog/", f"events by {org}", org))
