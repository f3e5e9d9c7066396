"""EPCIS 2.0 for `rxl trace export-epcis` and `import-epcis`, over a live network.

Export reads what `sdk.epcis.records_from_api` needs (docs/epcis.md, Records): the codes'
histories name the transactions, their blocks hold the bodies, the msp contract names each
signer's org, and the event stream tells a sale from an alert for `dispense`. Import turns
every event into a trace transaction (`sdk.epcis.import_document`) and submits them in
document order, all signed by the caller, who must be the org each event names.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cli.context import CliError, progress, to_jsonable, warn
from sdk.client import BlockInfo, Client, Committed, Rejected
from sdk.epcis import (
    EpcisError,
    ImportRefusedError,
    TraceExport,
    TraceInvocation,
    export_document,
    history_transactions,
    import_document,
    records_from_api,
)
from sdk.tx import SignedTransaction

# -- export ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CodesExport:
    export: TraceExport
    transactions: int

    @property
    def event_hashes(self) -> list[str]:
        return self.export.event_hashes

    def json_text(self) -> str:
        return json.dumps(self.export.document, indent=2, ensure_ascii=False) + "\n"

    def summary(self, out: Path) -> dict[str, Any]:
        return {
            "file": str(out),
            "events": len(self.event_hashes),
            "event_hashes": self.event_hashes,
            "skipped": [
                {"tx_id": s.tx_id, "function": s.function, "reason": s.reason}
                for s in self.export.skipped
            ],
        }


def export_codes(client: Client, codes: Sequence[str]) -> CodesExport:
    """One EPCIS document of every transaction in the histories of ``codes``."""
    wanted: set[tuple[int, str]] = set()
    for code in codes:
        answer = client.trace.history(code=code)
        if not isinstance(answer, dict) or answer.get("commissioned") is not True:
            raise CliError(f"{code} was never commissioned: there is no history to export")
        wanted.update(history_transactions(answer))
    blocks = [client.block(height) for height in sorted({h for h, _ in wanted})]
    tx_ids = {tx_id for _, tx_id in wanted}
    members = [_member(client, key_id) for key_id in sorted(_signers(blocks, tx_ids))]
    raw_blocks = [_block_json(block) for block in blocks]
    try:
        records = records_from_api(raw_blocks, [], members, tx_ids=tx_ids)
        sales = {r.tx_id: r.height for r in records if r.function == "dispense"}
        if sales:
            records = records_from_api(raw_blocks, _frames(client, sales), members, tx_ids=tx_ids)
        export = export_document(records, creation_date=datetime.now(UTC))
    except EpcisError as error:
        raise CliError(f"cannot export: {error.reason}", code="cli.export") from error
    return CodesExport(export, len(records))


def _signers(blocks: Sequence[BlockInfo], tx_ids: set[str]) -> set[str]:
    keys: set[str] = set()
    for block in blocks:
        for index, tx_id in enumerate(block.tx_ids):
            wire = block.transactions[index]
            if tx_id in tx_ids and wire is not None:
                keys.add(SignedTransaction.from_wire(wire).tx.signer.hex())
    return keys


def _member(client: Client, key_id: str) -> dict[str, Any]:
    entry = client.get_state("msp", f"member/{key_id}")
    if entry is None:
        raise CliError(f"signer key {key_id} is not an msp member: cannot name its org")
    return {"entry": {"key": entry.key, "value": to_jsonable(entry.value)}}


def _block_json(block: BlockInfo) -> dict[str, Any]:
    return {
        "height": block.height,
        "header": dict(block.header),
        "tx_ids": list(block.tx_ids),
        "results": list(block.results),
        "transactions": [
            None if wire is None else base64.b64encode(wire).decode("ascii")
            for wire in block.transactions
        ],
    }


def _frames(client: Client, sales: dict[str, int]) -> list[dict[str, Any]]:
    """The trace events of the blocks of ``sales`` until each sale's transaction is seen
    (every dispense emits one: ``dispensed`` or ``alert``)."""
    frames: list[dict[str, Any]] = []
    missing = set(sales)
    stream = client.events(from_height=min(sales.values()), contracts="trace")
    with stream:
        for event in stream:
            frames.append(
                {
                    "tx_id": event.tx_id,
                    "event_index": event.event_index,
                    "type": event.type,
                    "contract": event.contract,
                    "payload": to_jsonable(event.payload),
                }
            )
            missing.discard(event.tx_id)
            if not missing or event.height > max(sales.values()):
                break
    return frames


# -- import ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportResult:
    committed: list[tuple[TraceInvocation, Committed]]

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": len(self.committed),
            "transactions": [
                {
                    "function": call.function,
                    "event_hash": call.event_hash,
                    "tx_id": done.tx_id,
                    "height": done.height,
                    "differences": list(call.differences),
                }
                for call, done in self.committed
            ],
        }


def parse_parties(pairs: Sequence[str]) -> dict[str, str]:
    parties: dict[str, str] = {}
    for pair in pairs:
        uri, sep, org = pair.partition("=")
        if not sep or not uri.strip() or not org.strip():
            raise CliError(
                f"--party {pair!r}: write it as URI=org, e.g. https://id.gs1.org/417/…=acme"
            )
        parties[uri.strip()] = org.strip()
    return parties


def read_document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CliError(f"{path} is not UTF-8") from error
    except json.JSONDecodeError as error:
        raise CliError(f"{path} is not JSON: {error.msg} at line {error.lineno}") from error


def plan_import(
    document: Any, *, parties: dict[str, str], lossy: bool, org: str
) -> list[TraceInvocation]:
    """The invocations of ``document``; CliError when any event cannot be imported or is not
    ``org``'s to sign (then nothing is submitted)."""
    try:
        calls = import_document(document, parties=parties, lossy=lossy)
    except ImportRefusedError as error:
        lines = "; ".join(str(r) for r in error.refusals[:5])
        more = len(error.refusals) - 5
        tail = f" (and {more} more)" if more > 0 else ""
        raise CliError(f"nothing imported: {lines}{tail}", code="cli.epcis_refused") from error
    except EpcisError as error:
        raise CliError(f"not an importable EPCIS 2.0 document: {error.reason}") from error
    others = sorted({c.signer_org for c in calls if c.signer_org is not None} - {org})
    if others:
        raise CliError(
            f"nothing imported: events of {', '.join(str(o) for o in others)} must be signed "
            f"by those orgs, not by {org}; split the document or import it with their profiles",
            code="cli.epcis_other_org",
        )
    return calls


def import_file(client: Client, path: Path, *, parties: Sequence[str], lossy: bool) -> ImportResult:
    identity = client.identity
    org = identity.org_id if identity is not None else None
    if org is None:
        raise CliError("importing signs transactions: the profile needs a member's key and cert")
    calls = plan_import(read_document(path), parties=parse_parties(parties), lossy=lossy, org=org)
    done: list[tuple[TraceInvocation, Committed]] = []
    with progress() as bar:
        task = bar.add_task(f"importing {path.name}", total=len(calls))
        for call in calls:
            try:
                done.append((call, client.invoke("trace", call.function, call.args)))
            except Rejected:
                warn(
                    f"event {call.event_hash} ({call.function}) was refused; the "
                    f"{len(done)} events before it were imported"
                )
                raise
            bar.advance(task)
    return ImportResult(done)
