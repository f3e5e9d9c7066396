"""What the client returns: receipts, state entries, pages, blocks, proofs, events, health.

Plain frozen dataclasses built from the API's JSON (docs/api.md) by the ``parse`` functions
below; ids and hashes stay lower-case hex strings as the API writes them.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from sdk.client.errors import ClientError, ProtocolError, rejection
from sdk.client.values import Fields, LedgerValue, from_json
from sdk.tx import SignedTransaction

T = TypeVar("T")

OK = "ok"


class TxState(StrEnum):
    PENDING = "pending"
    """Accepted by a node, not yet in a committed block."""
    COMMITTED = "committed"
    """In a committed block; ``code`` says whether it executed (``ok``) or was rejected."""


class Consistency(StrEnum):
    LINEARIZABLE = "linearizable"
    """Confirmed with the leader first (ReadIndex): never behind a write you saw commit."""
    STALE = "stale"
    """This node's applied state, at once; may lag the leader."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where and how a transaction ended up (``pending`` until its block commits)."""

    tx_id: str
    state: TxState
    code: str
    message: str
    height: int | None
    index: int | None
    block_hash: str | None
    block_time_ms: int | None
    result: LedgerValue

    @property
    def committed(self) -> bool:
        return self.state is TxState.COMMITTED

    @property
    def ok(self) -> bool:
        """Committed and executed (not rejected by its contract)."""
        return self.committed and self.code == OK

    def outcome(self) -> Committed:
        """The committed outcome; raises the typed rejection when its contract refused it."""
        if not self.committed or self.height is None or self.index is None:
            raise ValueError(f"transaction {self.tx_id} is {self.state.value}, not committed")
        if self.code != OK:
            raise rejection(self.code, self.message, tx_id=self.tx_id, receipt=self)
        return Committed(
            tx_id=self.tx_id,
            height=self.height,
            index=self.index,
            block_hash=self.block_hash or "",
            block_time_ms=self.block_time_ms or 0,
            result=self.result,
        )


@dataclass(frozen=True, slots=True)
class Committed:
    """A transaction that committed and executed: where it is and what it returned."""

    tx_id: str
    height: int
    index: int
    block_hash: str
    block_time_ms: int
    result: LedgerValue


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """One transaction of a batch: accepted (``receipt``) or refused (``error``)."""

    tx_id: str
    receipt: Receipt | None
    error: ClientError | None

    @property
    def accepted(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class StateEntry:
    """A version of a key: its value and the (height, tx_index) that wrote it.

    In a history, ``value`` None means the key was deleted by that write.
    """

    key: str
    value: LedgerValue
    height: int
    tx_index: int


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None
    """Pass back as ``cursor`` for the next page; None when there is no more."""


@dataclass(frozen=True, slots=True)
class BlockInfo:
    """A committed block as JSON: header fields, ids, result codes and visible bodies."""

    height: int
    block_hash: str
    header: dict[str, LedgerValue]
    tx_ids: tuple[str, ...]
    results: tuple[str, ...]
    transactions: tuple[bytes | None, ...]
    """Wire bytes; None where the caller may not see the body (another org's)."""

    def transaction(self, index: int) -> SignedTransaction:
        wire = self.transactions[index]
        if wire is None:
            raise ValueError(f"the body of transaction {index} is not visible to this caller")
        return SignedTransaction.from_wire(wire)


@dataclass(frozen=True, slots=True)
class Proof:
    """A Merkle inclusion proof as the node answers it; check it with ``verify_inclusion``."""

    tx_id: str
    height: int
    index: int
    tree_size: int
    path: tuple[str, ...]
    tx_root: str
    block_hash: str
    header: dict[str, LedgerValue]
    checkpoints: tuple[dict[str, LedgerValue], ...]


_EVENT_ID = re.compile(r"(\d{1,19})-(\d{1,9})-(\d{1,9})")


@dataclass(frozen=True, slots=True, order=True)
class EventPosition:
    """Where an event sits in the chain; the stream's ``id``, a total order."""

    height: int
    tx_index: int
    event_index: int

    @classmethod
    def parse(cls, text: str) -> EventPosition:
        match = _EVENT_ID.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"an event id is {{height}}-{{tx_index}}-{{event_index}}: {text!r}")
        return cls(int(match[1]), int(match[2]), int(match[3]))

    def __str__(self) -> str:
        return f"{self.height}-{self.tx_index}-{self.event_index}"


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    height: int
    tx_index: int
    event_index: int
    tx_id: str
    contract: str
    type: str
    payload: LedgerValue

    @property
    def position(self) -> EventPosition:
        return EventPosition(self.height, self.tx_index, self.event_index)


@dataclass(frozen=True, slots=True)
class PeerHealth:
    node_id: int
    connected: bool
    match_index: int | None
    last_error: str


@dataclass(frozen=True, slots=True)
class Health:
    healthy: bool
    node_id: int
    chain_id: str
    role: str
    leader_id: int | None
    term: int
    height: int
    applied_index: int
    commit_index: int
    fork_alarm: str | None
    peers: tuple[PeerHealth, ...]
    certificate_warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Verification:
    """The public answer to a scanned code (``GET /v1/verify``; docs/trace.md, Verify)."""

    code: str
    verified: bool
    failure_reason: str | None
    """GS1 ``verificationFailureReason``: ``No_match_GTIN_Serial``, ``No_match_Code``, …"""
    additional_info: str | None
    """The most serious condition: Recalled, Illegitimate, Suspect, Expired, Dispensed, …"""
    commissioned: bool
    product: dict[str, LedgerValue] | None
    lot: str | None
    expiry: str | None
    production_date: str | None
    level: str | None
    status: str | None
    recalled: bool | None
    expired: bool | None
    dispensed: bool | None
    hold: str | None
    batch_release: str | None

    @property
    def safe_to_dispense(self) -> bool:
        """Genuine, active, of a released batch, and nothing (recall, hold, expiry, a prior
        sale) speaks against it: a dispense would raise no alert (docs/trace.md, Alerts)."""
        return (
            self.verified
            and self.commissioned
            and self.additional_info is None
            and self.status == "active"
            and self.batch_release == "released"
        )


# --- parsing ------------------------------------------------------------------------------


def parse_receipt(document: object) -> Receipt:
    f = Fields(document, "receipt")
    state = f.text("state")
    if state not in (TxState.PENDING, TxState.COMMITTED):
        raise ProtocolError(f"receipt: unknown state {state!r}")
    return Receipt(
        tx_id=f.text("tx_id"),
        state=TxState(state),
        code=f.text("code"),
        message=f.text("message"),
        height=f.opt_integer("height"),
        index=f.opt_integer("index"),
        block_hash=f.opt_text("block_hash"),
        block_time_ms=f.opt_integer("block_time_ms"),
        result=f.opt_value("result"),
    )


def parse_entry(document: object) -> StateEntry:
    f = Fields(document, "state entry")
    return StateEntry(
        key=f.text("key"),
        value=f.opt_value("value"),
        height=f.integer("height"),
        tx_index=f.integer("tx_index"),
    )


def parse_entry_page(document: object) -> Page[StateEntry]:
    f = Fields(document, "page")
    return Page(
        items=tuple(parse_entry(item) for item in f.items("items")),
        next_cursor=f.opt_text("next_cursor"),
    )


def _b64_or_none(item: object) -> bytes | None:
    if item is None:
        return None
    if not isinstance(item, str):
        raise ProtocolError("block: a transaction is base64 or null")
    try:
        return base64.b64decode(item, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError("block: a transaction is not valid base64") from exc


def parse_block(document: object) -> BlockInfo:
    f = Fields(document, "block")
    return BlockInfo(
        height=f.integer("height"),
        block_hash=f.text("block_hash"),
        header=f.mapping("header"),
        tx_ids=f.texts("tx_ids"),
        results=f.texts("results"),
        transactions=tuple(_b64_or_none(item) for item in f.items("transactions")),
    )


def parse_proof(document: object) -> Proof:
    f = Fields(document, "proof")
    checkpoints: list[dict[str, LedgerValue]] = []
    for item in f.items("checkpoints"):
        value = from_json(item)
        if not isinstance(value, dict):
            raise ProtocolError("proof: a checkpoint is an object")
        checkpoints.append(value)
    return Proof(
        tx_id=f.text("tx_id"),
        height=f.integer("height"),
        index=f.integer("index"),
        tree_size=f.integer("tree_size"),
        path=f.texts("path"),
        tx_root=f.text("tx_root"),
        block_hash=f.text("block_hash"),
        header=f.mapping("header"),
        checkpoints=tuple(checkpoints),
    )


def parse_event(document: object) -> LedgerEvent:
    f = Fields(document, "event")
    return LedgerEvent(
        height=f.integer("height"),
        tx_index=f.integer("tx_index"),
        event_index=f.integer("event_index"),
        tx_id=f.text("tx_id"),
        contract=f.text("contract"),
        type=f.text("type"),
        payload=f.opt_value("payload"),
    )


def parse_health(document: object) -> Health:
    f = Fields(document, "health")
    peers = []
    for item in f.items("peers"):
        p = Fields(item, "health.peers[]")
        peers.append(
            PeerHealth(
                node_id=p.integer("node_id"),
                connected=p.flag("connected"),
                match_index=p.opt_integer("match_index"),
                last_error=p.text("last_error"),
            )
        )
    return Health(
        healthy=f.flag("healthy"),
        node_id=f.integer("node_id"),
        chain_id=f.text("chain_id"),
        role=f.text("role"),
        leader_id=f.opt_integer("leader_id"),
        term=f.integer("term"),
        height=f.integer("height"),
        applied_index=f.integer("applied_index"),
        commit_index=f.integer("commit_index"),
        fork_alarm=f.opt_text("fork_alarm"),
        peers=tuple(peers),
        certificate_warnings=f.texts("certificate_warnings"),
    )


def parse_verification(document: object) -> Verification:
    f = Fields(document, "verify")
    product = f.opt_value("product")
    if product is not None and not isinstance(product, dict):
        raise ProtocolError("verify: product is an object or null")
    return Verification(
        code=f.text("code"),
        verified=f.flag("verified"),
        failure_reason=f.opt_text("verificationFailureReason"),
        additional_info=f.opt_text("additionalInfo"),
        commissioned=f.flag("commissioned"),
        product=product,
        lot=f.opt_text("lot"),
        expiry=f.opt_text("expiry"),
        production_date=f.opt_text("production_date"),
        level=f.opt_text("level"),
        status=f.opt_text("status"),
        recalled=f.opt_flag("recalled"),
        expired=f.opt_flag("expired"),
        dispensed=f.opt_flag("dispensed"),
        hold=f.opt_text("hold"),
        batch_release=f.opt_text("batch_release"),
    )


def hex_id(value: str | bytes, what: str = "tx id") -> str:
    """An id as the API spells it: 64 lower-case hex digits (bytes ids are converted)."""
    text = value.hex() if isinstance(value, bytes) else value
    if re.fullmatch(r"[0-9a-f]{64}", text) is None:
        raise ValueError(f"{what} must be 32 bytes or 64 lower-case hex digits, got {text!r:.80}")
    return text


def as_tuple(values: Sequence[str] | str) -> tuple[str, ...]:
    return (values,) if isinstance(values, str) else tuple(values)
