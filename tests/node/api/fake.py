"""A small, real, in-memory ledger behind the ``LedgerService`` protocol, for API tests.

Two kinds of transactions: legacy msgpack maps ``{"contract", "key", "value", "signer",
"nonce"}`` (:func:`make_tx`, contract ``registry``, signers ``alice``/``bob``, unknown to
the msp so only regulators see their bodies), and real ``sdk.tx`` signed transactions
(:func:`make_signed_tx`) of an enrolled test member, whose ``args`` are ``{"key", "value",
"event"?, "payload"?}`` and write one key of any contract. Signatures are not checked (that
is admission's job, not the API's). A block is cut on every waited submit or on
:meth:`FakeLedger.cut_block`; each transaction writes one key and emits one event (``put``
unless it names another), legacy integer values a second one.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgpack

from chaincode.api import Value
from chaincode.errors import PermissionDenied, UnknownContract, UnknownFunction
from node.errors import ForkDetected, NoLeader, NotCurrent, Overloaded
from node.service import (
    BlockView,
    Consistency,
    Health,
    Identity,
    InclusionProof,
    KeyVersion,
    LedgerEvent,
    Page,
    PeerHealth,
    Receipt,
    StateEntry,
    SubmitResult,
    TxState,
)
from sdk import tx as sdk_tx
from sdk.errors import SdkError
from tests.node.api.members import ENROLLED, NOW_MS, Member

CONTRACT = "registry"
SIGNERS = frozenset({"alice", "bob"})
BLOCK_TIME_MS = 1_700_000_000_000


def make_tx(key: str, value: Value, *, signer: str = "alice", nonce: int = 0) -> bytes:
    """The wire bytes of one fake transaction."""
    doc = {"contract": CONTRACT, "key": key, "value": value, "signer": signer, "nonce": nonce}
    packed: bytes = msgpack.packb(doc, use_bin_type=True)
    return packed


def make_signed_tx(
    member: Member,
    contract: str,
    key: str,
    value: Value,
    *,
    event: str | None = None,
    payload: Value = None,
    nonce: int = 0,
    chain_id: str = "rx-test",
) -> bytes:
    """The wire bytes of a real signed transaction of ``member`` writing ``contract``/``key``."""
    args: dict[str, Value] = {"key": key, "value": value}
    if event is not None:
        args["event"] = event
        args["payload"] = payload
    unsigned = sdk_tx.build(
        chain_id, contract, "put", args, member.key.key_id, nonce=nonce, client_time_ms=NOW_MS
    )
    return unsigned.sign(member.key).to_wire()


def tx_id_of(wire: bytes) -> str:
    return hashlib.sha256(wire).hexdigest()


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def merkle_root_and_path(leaves: list[bytes], index: int) -> tuple[bytes, list[bytes]]:
    """RFC 6962-style tree (odd node promoted): the root and the audit path of ``index``."""
    level, path, i = list(leaves), [], index
    while len(level) > 1:
        sibling = i ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        pairs = [
            _h(b"\x01" + level[j] + level[j + 1]) if j + 1 < len(level) else level[j]
            for j in range(0, len(level), 2)
        ]
        level, i = pairs, i // 2
    return level[0], path


@dataclass
class _Tx:
    tx_id: str
    wire: bytes
    doc: dict[str, Any]


@dataclass
class FakeLedger:
    chain_id: str = "rx-test"
    leader_id: int | None = 1
    fork_alarm: str | None = None
    overloaded: bool = False
    stale_only: bool = False
    hold_commits: bool = False
    """When set, waited submits time out: their receipts stay pending."""
    stream_failure_after: int | None = None
    """When set, the event stream raises ForkDetected after yielding this many events."""
    pending: list[_Tx] = field(default_factory=list)
    blocks: list[BlockView] = field(default_factory=list)
    versions: dict[tuple[str, str], list[StateEntry]] = field(default_factory=dict)
    log: list[LedgerEvent] = field(default_factory=list)
    receipts: dict[str, Receipt] = field(default_factory=dict)
    submitted_wait: list[float] = field(default_factory=list)
    identities: dict[str, Identity] = field(
        default_factory=lambda: {m.key_id: m.identity() for m in ENROLLED}
    )
    verify_answers: dict[str, Value] = field(default_factory=dict)
    """trace.verify answers by scanned text (what the contract would compute)."""
    query_results: dict[tuple[str, str], Value] = field(default_factory=dict)
    """Answers of other contract queries, by (contract, function)."""
    queries: list[tuple[str, str, dict[str, Any], str | None]] = field(default_factory=list)
    """Every query the API ran: contract, function, args, signer key id."""
    identity_lookups: int = 0

    # -- writes -------------------------------------------------------------------------

    async def submit(
        self, transactions: list[bytes], *, wait: bool, timeout_s: float
    ) -> list[SubmitResult]:
        if self.leader_id is None:
            raise NoLeader("no leader elected")
        if self.overloaded:
            raise Overloaded("pending queue full")
        self.submitted_wait.append(timeout_s)
        results = [self._admit(wire) for wire in transactions]
        if wait and not self.hold_commits:
            self.cut_block()
        return [
            SubmitResult(r.tx_id, True, receipt=self.receipt(r.tx_id)) if r.accepted else r
            for r in results
        ]

    def _admit(self, wire: bytes) -> SubmitResult:
        tx_id = tx_id_of(wire)
        try:
            signed = sdk_tx.SignedTransaction.from_wire(wire)
        except SdkError:
            signed = None
        if signed is not None:
            return self._admit_signed(tx_id, wire, signed)
        try:
            doc = msgpack.unpackb(wire, raw=False)
        except (ValueError, TypeError):
            return SubmitResult(tx_id, False, "tx.malformed", "not a transaction")
        if not isinstance(doc, dict) or doc.get("contract") != CONTRACT:
            return SubmitResult(tx_id, False, "contract.unknown", "unknown contract")
        if doc.get("signer") not in SIGNERS:
            return SubmitResult(tx_id, False, "identity.unknown_signer", "signer not registered")
        if tx_id in self.receipts or any(tx.tx_id == tx_id for tx in self.pending):
            return SubmitResult(tx_id, False, "tx.duplicate", "already submitted")
        self.pending.append(_Tx(tx_id, wire, doc))
        return SubmitResult(tx_id, True, receipt=Receipt(tx_id, TxState.PENDING))

    def _admit_signed(
        self, tx_id: str, wire: bytes, signed: sdk_tx.SignedTransaction
    ) -> SubmitResult:
        signer = signed.tx.signer.hex()
        if signer not in self.identities:
            return SubmitResult(tx_id, False, "signer.unknown", "signer not enrolled")
        if tx_id in self.receipts or any(tx.tx_id == tx_id for tx in self.pending):
            return SubmitResult(tx_id, False, "tx.duplicate", "already submitted")
        args = signed.tx.args
        doc = {
            "contract": signed.tx.contract,
            "key": args["key"],
            "value": args["value"],
            "signer": signer,
            "event": args.get("event", "put"),
            "payload": args.get("payload", {"key": args["key"]}),
        }
        self.pending.append(_Tx(tx_id, wire, doc))
        return SubmitResult(tx_id, True, receipt=Receipt(tx_id, TxState.PENDING))

    def cut_block(self) -> BlockView | None:
        if not self.pending:
            return None
        txs, self.pending = self.pending, []
        height = len(self.blocks) + 1
        prev = self.blocks[-1].block_hash if self.blocks else "00" * 32
        leaves = [bytes.fromhex(tx.tx_id) for tx in txs]
        root, _ = merkle_root_and_path(leaves, 0)
        header: dict[str, Value] = {
            "height": height,
            "prev_hash": prev,
            "tx_root": root.hex(),
            "time_ms": BLOCK_TIME_MS + height,
            "proposer": b"\x01\x02",
        }
        block_hash = hashlib.sha256(msgpack.packb(header, use_bin_type=True)).hexdigest()
        raw = msgpack.packb([header, [tx.wire for tx in txs]], use_bin_type=True)
        block = BlockView(
            height=height,
            block_hash=block_hash,
            header=header,
            tx_ids=[tx.tx_id for tx in txs],
            results=["ok"] * len(txs),
            transactions=[tx.wire for tx in txs],
            raw=raw,
        )
        self.blocks.append(block)
        for index, tx in enumerate(txs):
            self._apply(block, index, tx)
        return block

    def _apply(self, block: BlockView, index: int, tx: _Tx) -> None:
        key, value, contract = tx.doc["key"], tx.doc["value"], tx.doc["contract"]
        entry = StateEntry(key=key, value=value, height=block.height, tx_index=index)
        self.versions.setdefault((contract, key), []).append(entry)
        event_type, payload = tx.doc.get("event", "put"), tx.doc.get("payload", {"key": key})
        self.log.append(
            LedgerEvent(block.height, index, 0, tx.tx_id, contract, event_type, payload)
        )
        if isinstance(value, int) and contract == CONTRACT:
            self.log.append(
                LedgerEvent(block.height, index, 1, tx.tx_id, CONTRACT, "number", value)
            )
        self.receipts[tx.tx_id] = Receipt(
            tx.tx_id,
            TxState.COMMITTED,
            code="ok",
            height=block.height,
            index=index,
            block_hash=block.block_hash,
            block_time_ms=BLOCK_TIME_MS + block.height,
            result=value,
        )

    # -- reads --------------------------------------------------------------------------

    def receipt(self, tx_id: str) -> Receipt:
        if tx_id in self.receipts:
            return self.receipts[tx_id]
        if any(tx.tx_id == tx_id for tx in self.pending):
            return Receipt(tx_id, TxState.PENDING)
        return Receipt(tx_id, TxState.UNKNOWN)

    def _check(self, consistency: Consistency) -> None:
        if consistency is Consistency.LINEARIZABLE and self.stale_only:
            raise NotCurrent("read index not confirmed")

    async def get_state(
        self, contract: str, key: str, *, consistency: Consistency
    ) -> StateEntry | None:
        self._check(consistency)
        versions = self.versions.get((contract, key))
        if not versions or versions[-1].value is None:
            return None
        return versions[-1]

    async def range_state(
        self,
        contract: str,
        prefix: str,
        *,
        cursor: str | None,
        limit: int,
        consistency: Consistency,
    ) -> Page:
        self._check(consistency)
        keys = sorted(
            k
            for (c, k), v in self.versions.items()
            if c == contract and k.startswith(prefix) and v[-1].value is not None
        )
        if cursor is not None:
            keys = [k for k in keys if k > cursor]
        chosen = keys[:limit]
        items = [self.versions[(contract, k)][-1] for k in chosen]
        more = len(keys) > limit
        return Page(items=items, next_cursor=chosen[-1] if more else None)

    def history(self, contract: str, key: str, *, cursor: str | None, limit: int) -> Page:
        versions = self.versions.get((contract, key), [])
        start = int(cursor) if cursor is not None else 0
        chosen = versions[start : start + limit]
        end = start + len(chosen)
        return Page(items=list(chosen), next_cursor=str(end) if end < len(versions) else None)

    def block_by_height(self, height: int) -> BlockView | None:
        return self.blocks[height - 1] if 1 <= height <= len(self.blocks) else None

    def block_by_hash(self, block_hash: str) -> BlockView | None:
        return next((b for b in self.blocks if b.block_hash == block_hash), None)

    def height(self) -> int:
        return len(self.blocks)

    def proof(self, tx_id: str) -> InclusionProof | None:
        receipt = self.receipts.get(tx_id)
        if receipt is None or receipt.height is None or receipt.index is None:
            return None
        block = self.blocks[receipt.height - 1]
        leaves = [bytes.fromhex(t) for t in block.tx_ids]
        root, path = merkle_root_and_path(leaves, receipt.index)
        return InclusionProof(
            tx_id=tx_id,
            height=block.height,
            index=receipt.index,
            tree_size=len(leaves),
            path=[p.hex() for p in path],
            tx_root=root.hex(),
            block_hash=block.block_hash,
            header=block.header,
            checkpoints=[{"node_id": 1, "height": block.height, "block_hash": block.block_hash}],
        )

    async def query(
        self, contract: str, function: str, args: Mapping[str, Any], *, signer_key_id: str | None
    ) -> Value:
        self.queries.append((contract, function, dict(args), signer_key_id))
        if (contract, function) == ("trace", "verify"):
            code = str(args.get("code"))
            return self.verify_answers.get(code, _unknown_code(code))
        if (contract, function) in self.query_results:
            return self.query_results[(contract, function)]
        if contract != CONTRACT:
            raise UnknownContract(f"no contract {contract}")
        if function == "get":
            versions = self.versions.get((contract, str(args.get("key"))), [])
            return versions[-1].value if versions else None
        if function == "count":
            return sum(1 for c, _ in self.versions if c == contract)
        if function == "secret":
            raise PermissionDenied("regulators only")
        if function == "boom":
            raise RuntimeError("database handle /var/lib/secret is closed")
        raise UnknownFunction(f"{contract} has no function {function}")

    async def _stream(
        self, from_height: int, contracts: frozenset[str], types: frozenset[str]
    ) -> AsyncIterator[LedgerEvent]:
        sent = 0
        for event in list(self.log):
            if event.height < from_height:
                continue
            if (contracts and event.contract not in contracts) or (
                types and event.type not in types
            ):
                continue
            if self.stream_failure_after is not None and sent >= self.stream_failure_after:
                raise ForkDetected("checkpoint of node 2 disagrees at height 1")
            sent += 1
            yield event

    def events(
        self, *, from_height: int, contracts: frozenset[str], types: frozenset[str]
    ) -> AsyncIterator[LedgerEvent]:
        return self._stream(from_height, contracts, types)

    # -- identities and audit -------------------------------------------------------------

    def identity(self, key_id: str) -> Identity | None:
        self.identity_lookups += 1
        return self.identities.get(key_id)

    def audit_versions(
        self,
        contract: str,
        prefix: str,
        *,
        since_ms: int | None,
        until_ms: int | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        found: list[KeyVersion] = []
        for (c, key), versions in sorted(self.versions.items()):
            if c != contract or not key.startswith(prefix):
                continue
            for v in versions:
                block = self.blocks[v.height - 1]
                time_ms = BLOCK_TIME_MS + v.height
                if (since_ms is not None and time_ms < since_ms) or (
                    until_ms is not None and time_ms >= until_ms
                ):
                    continue
                found.append(
                    KeyVersion(
                        key, v.value, v.height, v.tx_index, block.tx_ids[v.tx_index], time_ms
                    )
                )
        start = int(cursor) if cursor is not None else 0
        end = start + limit
        return Page(
            items=list(found[start:end]), next_cursor=str(end) if end < len(found) else None
        )

    # -- operations ---------------------------------------------------------------------

    def health(self) -> Health:
        return Health(
            node_id=1,
            chain_id=self.chain_id,
            role="leader" if self.leader_id == 1 else "follower",
            leader_id=self.leader_id,
            term=3,
            height=self.height(),
            applied_index=self.height(),
            commit_index=self.height(),
            fork_alarm=self.fork_alarm,
            peers=[PeerHealth(node_id=2, connected=True, match_index=self.height())],
        )

    def metrics(self) -> str:
        return f"# TYPE rxl_node_height gauge\nrxl_node_height {self.height()}"


def _unknown_code(code: str) -> Value:
    return {
        "code": code,
        "verified": False,
        "verificationFailureReason": "No_match_Code",
        "additionalInfo": None,
        "commissioned": False,
    }
