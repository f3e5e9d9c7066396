"""A small, real, in-memory ledger behind the ``LedgerService`` protocol, for API tests.

Its transactions are msgpack maps ``{"contract", "key", "value", "signer", "nonce"}`` (not
signed: signatures are the node core's business, not the API's). A block is cut on every
waited submit or on :meth:`FakeLedger.cut_block`; each transaction writes one key and emits
one ``put`` event.
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
    InclusionProof,
    LedgerEvent,
    Page,
    PeerHealth,
    Receipt,
    StateEntry,
    SubmitResult,
    TxState,
)

CONTRACT = "registry"
SIGNERS = frozenset({"alice", "bob"})
BLOCK_TIME_MS = 1_700_000_000_000


def make_tx(key: str, value: Value, *, signer: str = "alice", nonce: int = 0) -> bytes:
    """The wire bytes of one fake transaction."""
    doc = {"contract": CONTRACT, "key": key, "value": value, "signer": signer, "nonce": nonce}
    packed: bytes = msgpack.packb(doc, use_bin_type=True)
    return packed


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
        key, value = tx.doc["key"], tx.doc["value"]
        entry = StateEntry(key=key, value=value, height=block.height, tx_index=index)
        self.versions.setdefault((CONTRACT, key), []).append(entry)
        self.log.append(
            LedgerEvent(block.height, index, 0, tx.tx_id, CONTRACT, "put", {"key": key})
        )
        if isinstance(value, int):
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
