"""Bulk commissioning for `rxl trace commission`: serials from a CSV (or generated), cut into
transactions of K serials, sent a window at a time, with a progress bar.

A transaction the ledger refuses refuses only its own serials (the contract checks a whole
transaction at once); the other transactions still commit, and the outcome lists both.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cli.context import CliError, progress
from sdk.client import Client, ClientError, Rejected
from sdk.tx import SignedTransaction

Level = Literal["item", "case", "pallet"]


@dataclass(frozen=True, slots=True)
class CommissionPlan:
    gtin: str
    lot: str
    production_date: str
    expiry: str
    level: Level | None
    serials: Sequence[str]
    batch_size: int

    def chunks(self) -> Iterator[list[str]]:
        for start in range(0, len(self.serials), self.batch_size):
            yield list(self.serials[start : start + self.batch_size])

    def args(self, serials: list[str]) -> dict[str, Any]:
        args: dict[str, Any] = {
            "lot": self.lot,
            "production_date": self.production_date,
            "expiry": self.expiry,
            "gtin": self.gtin,
            "serials": serials,
        }
        if self.level is not None:
            args["level"] = self.level
        return args


@dataclass(frozen=True, slots=True)
class RefusedChunk:
    """One transaction of serials the ledger refused, with its stable code."""

    first: str
    last: str
    count: int
    code: str
    message: str
    tx_id: str


@dataclass(slots=True)
class CommissionOutcome:
    committed_serials: list[str] = field(default_factory=list)
    refused: list[RefusedChunk] = field(default_factory=list)
    transactions: int = 0
    heights: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "commissioned": len(self.committed_serials),
            "transactions": self.transactions,
            "heights": sorted(set(self.heights)),
            "refused": [
                {
                    "first": r.first,
                    "last": r.last,
                    "count": r.count,
                    "code": r.code,
                    "message": r.message,
                    "tx_id": r.tx_id,
                }
                for r in self.refused
            ],
        }


def read_serials(path: Path) -> list[str]:
    """Serials from a CSV: the column named ``serial`` when the first row names one, else the
    first column; blank rows are skipped, a serial given twice is bad input."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CliError(f"{path} is not UTF-8 text") from error
    rows = [row for row in csv.reader(text.splitlines()) if any(cell.strip() for cell in row)]
    column = 0
    if rows:
        header = [cell.strip().lower() for cell in rows[0]]
        if "serial" in header:
            column = header.index("serial")
            rows = rows[1:]
    serials: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=1):
        if column >= len(row) or not row[column].strip():
            raise CliError(f"{path}: row {line} has no serial")
        serial = row[column].strip()
        if serial in seen:
            raise CliError(
                f"{path}: serial {serial!r} appears twice (rows {seen[serial]} and {line})"
            )
        seen[serial] = line
        serials.append(serial)
    if not serials:
        raise CliError(f"{path} holds no serials")
    return serials


def write_serials(path: Path, serials: Sequence[str]) -> None:
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["serial"])
            writer.writerows([s] for s in serials)
    except OSError as error:
        raise CliError(f"cannot write {path}: {error.strerror}") from error


def commission_in_batches(
    client: Client, plan: CommissionPlan, *, in_flight: int
) -> CommissionOutcome:
    """Sign every chunk, send ``in_flight`` transactions per request, then wait for each."""
    outcome = CommissionOutcome()
    chunks = list(plan.chunks())
    with progress() as bar:
        task = bar.add_task(f"commissioning lot {plan.lot}", total=len(plan.serials))
        for start in range(0, len(chunks), in_flight):
            window = chunks[start : start + in_flight]
            txs = [client.build("trace", "commission", plan.args(chunk)) for chunk in window]
            for chunk, tx, sent in zip(window, txs, client.submit_batch(txs), strict=True):
                outcome.transactions += 1
                _settle(client, chunk, tx, sent.error, outcome)
                bar.advance(task, len(chunk))
    return outcome


def _settle(
    client: Client,
    chunk: list[str],
    tx: SignedTransaction,
    refused_at_admission: ClientError | None,
    outcome: CommissionOutcome,
) -> None:
    """Wait for one chunk's commit and record it; a rejection is recorded, not raised."""
    tx_id = tx.tx_id.hex()
    try:
        if refused_at_admission is not None:
            raise refused_at_admission
        committed = client.wait(tx_id)
    except Rejected as refusal:
        outcome.refused.append(
            RefusedChunk(chunk[0], chunk[-1], len(chunk), refusal.code, refusal.message, tx_id)
        )
        return
    outcome.committed_serials.extend(chunk)
    outcome.heights.append(committed.height)
