"""Committed trace transactions as plain data: what an EPCIS export reads (docs/epcis.md).

One record per committed (`ok`) transaction of the `trace` contract::

    {"height": 12, "tx_index": 0, "tx_id": "…64 hex…", "block_time_ms": 1767225600000,
     "signer_org": "acme", "function": "ship", "args": {…the transaction's args…},
     "events": [{"type": "shipped", "payload": {…}}],
     "event_time_ms": null, "event_time_zone_offset": null}

`events` are the trace events the transaction emitted, in order (needed for `dispense`, whose
outcome — a sale or an alert — is not in its args). `event_time_ms` and
`event_time_zone_offset` are the business time of the event; null means the block time in
UTC. The trace contract keeps the `event_time_ms` / `event_time_zone_offset` args of its
EPCIS functions in every entry it writes, defaulting to the block time and `+00:00`
(docs/trace.md, "Event time"); records built from the API carry the same values.

`records_from_api` builds records from raw node API answers: blocks (`GET /v1/blocks/{h}`),
event stream frames (`GET /v1/events`, the `data:` objects) and msp member entries
(`GET /v1/state/msp/member/{key_id}`) that name each signer's organization.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sdk.epcis.trace_errors import ExportError
from sdk.errors import SdkError
from sdk.tx import SignedTransaction

__all__ = ["RecordedEvent", "TraceRecord", "history_transactions", "records_from_api"]

TRACE = "trace"
UTC_OFFSET = "+00:00"
_OFFSET = re.compile(r"[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00")
_FIELDS = frozenset(
    {"height", "tx_index", "tx_id", "block_time_ms", "signer_org", "function", "args"}
    | {"events", "event_time_ms", "event_time_zone_offset"}
)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event a transaction emitted: its type and payload."""

    type: str
    payload: Any


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One committed trace transaction (see the module docstring for the dict shape)."""

    height: int
    tx_index: int
    tx_id: str
    block_time_ms: int
    signer_org: str
    function: str
    args: Mapping[str, Any]
    events: tuple[RecordedEvent, ...] = ()
    event_time_ms: int | None = None
    event_time_zone_offset: str | None = None

    def __post_init__(self) -> None:
        where = f"record {self.tx_id!r:.70}"
        for name in ("height", "tx_index", "block_time_ms"):
            _require_int(getattr(self, name), f"{where}: {name}")
        for name in ("tx_id", "signer_org", "function"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ExportError(f"{where}: {name} must be a non-empty string")
        if not isinstance(self.args, Mapping):
            raise ExportError(f"{where}: args must be an object")
        if (self.event_time_ms is None) != (self.event_time_zone_offset is None):
            raise ExportError(f"{where}: give event_time_ms and event_time_zone_offset together")
        if self.event_time_ms is not None:
            _require_int(self.event_time_ms, f"{where}: event_time_ms")
        offset = self.event_time_zone_offset
        if offset is not None and (not isinstance(offset, str) or not _OFFSET.fullmatch(offset)):
            raise ExportError(f"{where}: event_time_zone_offset must look like +01:00")

    def events_of(self, event_type: str) -> list[Any]:
        """Payloads of the events of `event_type`, in order."""
        return [e.payload for e in self.events if e.type == event_type]

    def to_dict(self) -> dict[str, Any]:
        return {
            "height": self.height,
            "tx_index": self.tx_index,
            "tx_id": self.tx_id,
            "block_time_ms": self.block_time_ms,
            "signer_org": self.signer_org,
            "function": self.function,
            "args": dict(self.args),
            "events": [{"type": e.type, "payload": e.payload} for e in self.events],
            "event_time_ms": self.event_time_ms,
            "event_time_zone_offset": self.event_time_zone_offset,
        }

    @classmethod
    def from_dict(cls, data: Any) -> TraceRecord:
        """Read the plain-dict shape strictly (unknown keys are refused: they are typos)."""
        if not isinstance(data, Mapping):
            raise ExportError("a trace record must be an object")
        unknown = sorted(set(data) - _FIELDS)
        if unknown:
            raise ExportError(f"trace record has unknown fields: {', '.join(unknown)}")
        missing = sorted(
            _FIELDS - {"events", "event_time_ms", "event_time_zone_offset"} - set(data)
        )
        if missing:
            raise ExportError(f"trace record lacks: {', '.join(missing)}")
        return cls(
            height=data["height"],
            tx_index=data["tx_index"],
            tx_id=data["tx_id"],
            block_time_ms=data["block_time_ms"],
            signer_org=data["signer_org"],
            function=data["function"],
            args=data["args"],
            events=tuple(_recorded_event(e) for e in _list(data.get("events", []), "events")),
            event_time_ms=data.get("event_time_ms"),
            event_time_zone_offset=data.get("event_time_zone_offset"),
        )


@dataclass(slots=True)
class _Signers:
    orgs: dict[str, str] = field(default_factory=dict)

    def add(self, answer: Any) -> None:
        entry = answer.get("entry") if isinstance(answer, Mapping) else None
        value = entry.get("value") if isinstance(entry, Mapping) else None
        if not isinstance(value, Mapping):
            raise ExportError("an msp member answer has no entry.value")
        key_id, org = value.get("key_id"), value.get("org_id")
        if not isinstance(key_id, str) or not isinstance(org, str):
            raise ExportError("an msp member entry lacks key_id or org_id")
        self.orgs[key_id.lower()] = org

    def org_of(self, key_id: str, tx_id: str) -> str:
        org = self.orgs.get(key_id)
        if org is None:
            raise ExportError(
                f"transaction {tx_id} is signed by key {key_id}, whose org is unknown: "
                f"add the answer of GET /v1/state/msp/member/{key_id}"
            )
        return org


def records_from_api(
    blocks: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]],
    members: Iterable[Mapping[str, Any]],
    *,
    tx_ids: Collection[str] | None = None,
) -> list[TraceRecord]:
    """Trace records from raw API answers, in ledger order (height, transaction index).

    Only committed `ok` transactions of the `trace` contract become records; with `tx_ids`,
    only those (each must be found in `blocks`). A transaction body hidden from the caller
    (`null`: a member sees only its own org's bodies) cannot be exported.
    """
    signers = _Signers()
    for answer in members:
        signers.add(answer)
    emitted = _events_by_tx(events)
    wanted = None if tx_ids is None else set(tx_ids)
    records: list[TraceRecord] = []
    found: set[str] = set()
    for block in blocks:
        for record in _block_records(block, emitted, signers, wanted):
            found.add(record.tx_id)
            records.append(record)
    if wanted is not None and wanted - found:
        missing = ", ".join(sorted(wanted - found)[:3])
        raise ExportError(f"transactions not in the given blocks (fetch their blocks): {missing}")
    records.sort(key=lambda r: (r.height, r.tx_index))
    return records


def history_transactions(answer: Mapping[str, Any]) -> list[tuple[int, str]]:
    """(height, tx id) of every transaction a trace history answer mentions, in ledger order.

    `answer` is a `trace.history` or `trace.batch_history` result, or the API's query answer
    around one (`{"result": …}`): the blocks to fetch for `records_from_api`. A code's history
    shows its parents' events while it was inside them, so their transactions are included;
    the commissioning of those parents is in their own histories.
    """
    result = answer.get("result", answer)
    events = result.get("events") if isinstance(result, Mapping) else None
    if not isinstance(events, list):
        raise ExportError("a history answer has an 'events' list")
    found: set[tuple[int, str]] = set()
    for event in events:
        height = event.get("height") if isinstance(event, Mapping) else None
        tx_id = event.get("tx_id") if isinstance(event, Mapping) else None
        if not isinstance(height, int) or not isinstance(tx_id, str):
            raise ExportError("every history event needs height and tx_id")
        found.add((height, tx_id))
    return sorted(found)


def _block_records(
    block: Mapping[str, Any],
    emitted: Mapping[str, tuple[RecordedEvent, ...]],
    signers: _Signers,
    wanted: set[str] | None,
) -> Iterable[TraceRecord]:
    height = block.get("height")
    header = block.get("header")
    time_ms = header.get("block_time_ms") if isinstance(header, Mapping) else None
    ids, results, bodies = block.get("tx_ids"), block.get("results"), block.get("transactions")
    if not isinstance(height, int) or not isinstance(time_ms, int):
        raise ExportError("a block answer needs height and header.block_time_ms")
    if not (isinstance(ids, list) and isinstance(results, list) and isinstance(bodies, list)):
        raise ExportError(f"block {height}: tx_ids, results and transactions must be lists")
    if not len(ids) == len(results) == len(bodies):
        raise ExportError(f"block {height}: tx_ids, results and transactions differ in length")
    for index, (tx_id, result, body) in enumerate(zip(ids, results, bodies, strict=True)):
        if result != "ok" or (wanted is not None and tx_id not in wanted):
            continue
        tx = _transaction(body, height, tx_id)
        if tx.tx.contract != TRACE:
            continue
        if not isinstance(tx.tx.args, dict):
            raise ExportError(f"transaction {tx_id}: args are not an object")
        event_time_ms, zone_offset = _event_time(tx.tx.args, time_ms, tx_id)
        yield TraceRecord(
            height=height,
            tx_index=index,
            tx_id=tx_id,
            block_time_ms=time_ms,
            signer_org=signers.org_of(tx.tx.signer.hex(), tx_id),
            function=tx.tx.function,
            args=tx.tx.args,
            events=emitted.get(tx_id, ()),
            event_time_ms=event_time_ms,
            event_time_zone_offset=zone_offset,
        )


def _event_time(args: Mapping[str, Any], block_time_ms: int, tx_id: str) -> tuple[int, str]:
    """The event time the trace contract stored for a transaction with these args."""
    time_ms, offset = args.get("event_time_ms"), args.get("event_time_zone_offset")
    if time_ms is not None and (type(time_ms) is not int or time_ms < 0):
        raise ExportError(f"transaction {tx_id}: args.event_time_ms is not a millisecond time")
    if offset is not None and not isinstance(offset, str):
        raise ExportError(f"transaction {tx_id}: args.event_time_zone_offset is not text")
    return (block_time_ms if time_ms is None else time_ms), (offset or UTC_OFFSET)


def _transaction(body: Any, height: int, tx_id: Any) -> SignedTransaction:
    if body is None:
        raise ExportError(
            f"transaction {tx_id} in block {height} is hidden from this caller: read the "
            "blocks with a regulator's key or a key of the org that signed it"
        )
    if not isinstance(body, str):
        raise ExportError(f"transaction {tx_id} in block {height} is not base64 text")
    try:
        tx = SignedTransaction.from_wire(base64.b64decode(body, validate=True))
    except (binascii.Error, SdkError) as error:
        raise ExportError(f"transaction {tx_id} in block {height} does not decode") from error
    if tx.tx_id.hex() != tx_id:
        raise ExportError(f"block {height} lists {tx_id} but holds transaction {tx.tx_id.hex()}")
    return tx


def _events_by_tx(frames: Iterable[Mapping[str, Any]]) -> dict[str, tuple[RecordedEvent, ...]]:
    grouped: dict[str, list[tuple[int, RecordedEvent]]] = {}
    for frame in frames:
        if not isinstance(frame, Mapping):
            raise ExportError("an event frame must be an object")
        if frame.get("contract") != TRACE:
            continue
        tx_id, index, kind = frame.get("tx_id"), frame.get("event_index"), frame.get("type")
        if not isinstance(tx_id, str) or not isinstance(index, int) or not isinstance(kind, str):
            raise ExportError("an event frame needs tx_id, event_index and type")
        grouped.setdefault(tx_id, []).append((index, RecordedEvent(kind, frame.get("payload"))))
    return {
        tx_id: tuple(event for _, event in sorted(items, key=lambda item: item[0]))
        for tx_id, items in grouped.items()
    }


def _recorded_event(data: Any) -> RecordedEvent:
    if not isinstance(data, Mapping) or not isinstance(data.get("type"), str):
        raise ExportError("a recorded event is an object with a string 'type'")
    return RecordedEvent(data["type"], data.get("payload"))


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise ExportError(f"{name} must be a list")
    return value


def _require_int(value: Any, what: str) -> None:
    if type(value) is not int or value < 0:
        raise ExportError(f"{what} must be a non-negative integer")
