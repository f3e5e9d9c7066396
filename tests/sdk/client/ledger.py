"""An in-memory ledger with the real formats, behind the API's ``LedgerService`` protocol.

Transactions are real signed ``sdk.tx`` bytes, checked like admission does (decode, chain,
enrolled signer, signature, call and roles); blocks are real ``sdk.block`` blocks signed by
a proposer key; execution runs the built-in contracts over ``chaincode.MemoryState``. So the
SDK is tested against the formats a node serves, without Raft or LMDB. Several
:class:`NodeView` s share one ledger, each with its own faults, to test fail-over.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from chaincode.api import Signer, Value
from chaincode.contracts.coldchain import ColdChainContract
from chaincode.contracts.release import ReleaseContract
from chaincode.contracts.supplier import SupplierContract
from chaincode.contracts.trace import TraceContract
from chaincode.errors import InvalidTransaction
from chaincode.executor import BlockExecutor, Invocation, run_query
from chaincode.memory import MemoryState
from chaincode.registry import ContractRegistry
from node.admission import check_call
from node.errors import ForkDetected, NoLeader, Overloaded
from node.service import (
    BlockView,
    Consistency,
    Health,
    Identity,
    IdentityStatus,
    InclusionProof,
    LedgerEvent,
    Page,
    Receipt,
    StateEntry,
    SubmitResult,
    TxState,
)
from sdk.block import Block, build_block, genesis_block
from sdk.errors import SdkError
from sdk.keys import SigningKey
from sdk.merkle import inclusion_proof
from sdk.roles import Role
from sdk.tx import SignedTransaction

CHAIN_ID = "rx-sdk-test"
GENESIS_MS = 1_767_225_600_000
"""2026-01-01T00:00:00Z; each block is one second later."""
PROPOSER = SigningKey.from_seed(bytes(range(100, 132)))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def header_view(block: Block) -> dict[str, Value]:
    """The header as a node serves it (hex fields plus the signed bytes and signature)."""
    header = block.header
    return {
        "height": header.height,
        "prev_hash": header.prev_hash.hex(),
        "tx_root": header.tx_root.hex(),
        "tx_count": header.tx_count,
        "block_time_ms": header.block_time_ms,
        "raft_term": header.raft_term,
        "raft_index": header.raft_index,
        "proposer": header.proposer.hex(),
        "prev_state_root": header.prev_state_root.hex(),
        "prev_results_root": header.prev_results_root.hex(),
        "header_bytes": _b64(block.header_bytes),
        "signature": _b64(block.signature.value),
    }


@dataclass
class MemoryLedger:
    """The shared chain: state, blocks, receipts, events and enrolled members."""

    chain_id: str = CHAIN_ID
    hold_commits: bool = False
    """When set, a waited submit returns with its transactions still pending."""
    registry: ContractRegistry = field(
        default_factory=lambda: ContractRegistry(
            [TraceContract(), ReleaseContract(), SupplierContract(), ColdChainContract()]
        )
    )
    state: MemoryState = field(default_factory=MemoryState)
    blocks: list[Block] = field(default_factory=lambda: [_genesis()])
    pending: list[SignedTransaction] = field(default_factory=list)
    receipts: dict[str, Receipt] = field(default_factory=dict)
    log: list[LedgerEvent] = field(default_factory=list)
    members: dict[str, Identity] = field(default_factory=dict)
    executions: dict[str, int] = field(default_factory=dict)
    """How many times each tx id was executed (must never exceed one)."""
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _watchers: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = field(default_factory=list)

    def enroll(self, key: SigningKey, org_id: str, *roles: Role) -> Identity:
        identity = Identity(
            key_id=key.key_id.hex(),
            org_id=org_id,
            roles=frozenset(roles),
            status=IdentityStatus.ACTIVE,
            public_key=key.public_key,
            not_before_ms=0,
            not_after_ms=2**62,
        )
        self.members[identity.key_id] = identity
        return identity

    def signer(self, key_id: str) -> Signer:
        member = self.members.get(key_id)
        if member is None:
            return Signer("", "", frozenset())
        return Signer(member.key_id, member.org_id, member.roles)

    # -- writes ------------------------------------------------------------------------

    def admit(self, wire: bytes) -> SubmitResult:
        try:
            tx = SignedTransaction.from_wire(wire)
        except SdkError as exc:
            return SubmitResult("0" * 64, False, exc.code, exc.message)
        tx_id = tx.tx_id.hex()
        refusal = self._refusal(tx)
        if refusal is not None:
            return SubmitResult(tx_id, False, *refusal)
        with self._lock:
            if tx_id in self.receipts or any(p.tx_id == tx.tx_id for p in self.pending):
                return SubmitResult(tx_id, False, "tx.duplicate", "already submitted")
            self.pending.append(tx)
        return SubmitResult(tx_id, True, receipt=Receipt(tx_id, TxState.PENDING))

    def _refusal(self, tx: SignedTransaction) -> tuple[str, str] | None:
        if tx.tx.chain_id != self.chain_id:
            return "tx.wrong_chain", f"signed for chain {tx.tx.chain_id}"
        member = self.members.get(tx.tx.signer.hex())
        if member is None:
            return "signer.unknown", "the signer is not enrolled"
        try:
            tx.verify(member.public_key)
            check_call(self.registry, tx.tx, self.signer(member.key_id))
        except (SdkError, InvalidTransaction) as exc:
            return exc.code, exc.message
        return None

    def commit(self) -> Block | None:
        """Cut, execute and append a block of everything pending."""
        with self._lock:
            if not self.pending:
                return None
            txs, self.pending = self.pending, []
            block = self._execute(txs)
            self.blocks.append(block)
        self._wake()
        return block

    def _execute(self, txs: list[SignedTransaction]) -> Block:
        height = len(self.blocks)
        time_ms = GENESIS_MS + height * 1000
        executor = BlockExecutor(self.registry, self.state, height=height, block_time_ms=time_ms)
        outcomes = []
        for tx in txs:
            invocation = Invocation(
                tx.tx_id.hex(),
                self.signer(tx.tx.signer.hex()),
                tx.tx.contract,
                tx.tx.function,
                tx.tx.args,
            )
            outcomes.append(executor.execute(invocation))
            self.executions[invocation.tx_id] = self.executions.get(invocation.tx_id, 0) + 1
        previous = self.blocks[-1]
        block = build_block(
            height=height,
            prev_hash=previous.block_hash,
            block_time_ms=time_ms,
            raft_term=1,
            raft_index=height,
            prev_state_root=bytes(32),
            prev_results_root=previous.results_root,
            transactions=txs,
            proposer=PROPOSER,
            results=[outcome.code for outcome in outcomes],
        )
        self.state.apply(executor.layer)
        for index, (tx, outcome) in enumerate(zip(txs, outcomes, strict=True)):
            tx_id = tx.tx_id.hex()
            self.receipts[tx_id] = Receipt(
                tx_id,
                TxState.COMMITTED,
                code=outcome.code,
                message=outcome.message,
                height=height,
                index=index,
                block_hash=block.block_hash.hex(),
                block_time_ms=time_ms,
                result=outcome.result,
            )
            for number, event in enumerate(outcome.events):
                self.log.append(
                    LedgerEvent(
                        height, index, number, tx_id, event.contract, event.type, event.payload
                    )
                )
        return block

    def _wake(self) -> None:
        for loop, wake in list(self._watchers):
            loop.call_soon_threadsafe(wake.set)

    # -- reads -------------------------------------------------------------------------

    def receipt(self, tx_id: str) -> Receipt:
        with self._lock:
            if tx_id in self.receipts:
                return self.receipts[tx_id]
            if any(tx.tx_id.hex() == tx_id for tx in self.pending):
                return Receipt(tx_id, TxState.PENDING)
        return Receipt(tx_id, TxState.UNKNOWN)

    def entry(self, contract: str, key: str) -> StateEntry | None:
        value = self.state.get(contract, key)
        if value is None:
            return None
        last = list(self.state.history(contract, key))[-1]
        return StateEntry(key, value, last.height, last.tx_index)

    def range(self, contract: str, prefix: str, cursor: str | None, limit: int) -> Page:
        start = prefix if cursor is None else cursor + "\0"
        keys = []
        for key, _ in self.state.range(contract, start, None):
            if not key.startswith(prefix):
                break
            keys.append(key)
            if len(keys) > limit:
                break
        chosen = keys[:limit]
        items = [self.entry(contract, key) for key in chosen]
        more = len(keys) > limit
        return Page(items=items, next_cursor=chosen[-1] if more else None)

    def history(self, contract: str, key: str, cursor: str | None, limit: int) -> Page:
        versions = list(self.state.history(contract, key))
        start = 0 if cursor is None else int(cursor)
        chosen = versions[start : start + limit]
        end = start + len(chosen)
        items = [StateEntry(key, v.value, v.height, v.tx_index) for v in chosen]
        return Page(items=items, next_cursor=str(end) if end < len(versions) else None)

    def view(self, height: int) -> BlockView | None:
        if not 0 <= height < len(self.blocks):
            return None
        block = self.blocks[height]
        return BlockView(
            height=height,
            block_hash=block.block_hash.hex(),
            header=header_view(block),
            tx_ids=[tx_id.hex() for tx_id in block.tx_ids],
            results=list(block.results),
            transactions=[tx.to_wire() for tx in block.transactions],
            raw=block.to_wire(),
        )

    def proof(self, tx_id: str) -> InclusionProof | None:
        receipt = self.receipts.get(tx_id)
        if receipt is None or receipt.height is None or receipt.index is None:
            return None
        block = self.blocks[receipt.height]
        path = inclusion_proof(block.tx_ids, receipt.index)
        return InclusionProof(
            tx_id=tx_id,
            height=receipt.height,
            index=receipt.index,
            tree_size=len(block.transactions),
            path=[step.hex() for step in path],
            tx_root=block.header.tx_root.hex(),
            block_hash=block.block_hash.hex(),
            header=header_view(block),
            checkpoints=[],
        )

    def query(
        self, contract: str, function: str, args: Mapping[str, Any], key_id: str | None
    ) -> Value:
        tip = self.blocks[-1].header
        invocation = Invocation(
            "00" * 32, self.signer(key_id or ""), contract, function, dict(args)
        )
        return run_query(
            self.registry,
            self.state,
            invocation,
            height=tip.height,
            block_time_ms=tip.block_time_ms,
        )

    async def stream(
        self,
        from_height: int,
        contracts: frozenset[str],
        types: frozenset[str],
        *,
        live: bool,
    ) -> AsyncGenerator[LedgerEvent, None]:
        wake = asyncio.Event()
        watcher = (asyncio.get_running_loop(), wake)
        self._watchers.append(watcher)
        index = 0
        try:
            while True:
                wake.clear()
                while index < len(self.log):
                    event = self.log[index]
                    index += 1
                    wanted = (not contracts or event.contract in contracts) and (
                        not types or event.type in types
                    )
                    if event.height >= from_height and wanted:
                        yield event
                if not live:
                    return
                if index >= len(self.log):
                    await wake.wait()
        finally:
            self._watchers.remove(watcher)


def _genesis() -> Block:
    return genesis_block(proposer=PROPOSER, block_time_ms=GENESIS_MS).with_results(())


class ForcedDisconnect(RuntimeError):
    """Raised inside a stream to cut the connection (not a coded error: no error frame)."""


@dataclass
class NodeView:
    """One node's API view of the shared ledger, with faults to inject."""

    ledger: MemoryLedger
    chain_id: str = field(init=False)
    node_id: int = 1
    no_leader: bool = False
    overloaded: bool = False
    live_streams: bool = True
    """False: a stream ends after what exists (what ASGITransport needs: it buffers)."""
    cut_stream_after: list[int] = field(default_factory=list)
    """Each stream opened takes the next number: it is cut after that many events."""
    cut: str = "abrupt"
    """How a stream is cut: ``abrupt`` (the connection drops mid-body), ``clean`` (the body
    ends) or ``fork`` (an ``event: error`` frame, as a node that halted sends)."""
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.chain_id = self.ledger.chain_id

    def _available(self, what: str) -> None:
        self.calls.append(what)
        if self.no_leader:
            raise NoLeader("no leader is elected right now")
        if self.overloaded:
            raise Overloaded("the pending queue is full")

    async def submit(
        self, transactions: list[bytes], *, wait: bool, timeout_s: float
    ) -> list[SubmitResult]:
        self._available("submit")
        results = [self.ledger.admit(wire) for wire in transactions]
        if wait and not self.ledger.hold_commits:
            self.ledger.commit()
        return [
            SubmitResult(r.tx_id, True, receipt=self.ledger.receipt(r.tx_id)) if r.accepted else r
            for r in results
        ]

    def receipt(self, tx_id: str) -> Receipt:
        self._available("receipt")
        return self.ledger.receipt(tx_id)

    async def get_state(
        self, contract: str, key: str, *, consistency: Consistency
    ) -> StateEntry | None:
        self._available("get_state")
        return self.ledger.entry(contract, key)

    async def range_state(
        self,
        contract: str,
        prefix: str,
        *,
        cursor: str | None,
        limit: int,
        consistency: Consistency,
    ) -> Page:
        self._available("range_state")
        return self.ledger.range(contract, prefix, cursor, limit)

    def history(self, contract: str, key: str, *, cursor: str | None, limit: int) -> Page:
        self._available("history")
        return self.ledger.history(contract, key, cursor, limit)

    def block_by_height(self, height: int) -> BlockView | None:
        self._available("block")
        return self.ledger.view(height)

    def block_by_hash(self, block_hash: str) -> BlockView | None:
        self._available("block")
        for height, block in enumerate(self.ledger.blocks):
            if block.block_hash.hex() == block_hash:
                return self.ledger.view(height)
        return None

    def height(self) -> int:
        return len(self.ledger.blocks) - 1

    def proof(self, tx_id: str) -> InclusionProof | None:
        self._available("proof")
        return self.ledger.proof(tx_id)

    async def query(
        self, contract: str, function: str, args: Mapping[str, Any], *, signer_key_id: str | None
    ) -> Value:
        self._available("query")
        result: Value = self.ledger.query(contract, function, args, signer_key_id)
        return result

    def events(
        self, *, from_height: int, contracts: frozenset[str], types: frozenset[str]
    ) -> AsyncIterator[LedgerEvent]:
        self._available("events")
        cut = self.cut_stream_after.pop(0) if self.cut_stream_after else None
        source = self.ledger.stream(from_height, contracts, types, live=self.live_streams)
        return source if cut is None else _cut_after(source, cut, self.cut)

    def health(self) -> Health:
        return Health(
            node_id=self.node_id,
            chain_id=self.chain_id,
            role="leader" if self.node_id == 1 else "follower",
            leader_id=None if self.no_leader else 1,
            term=1,
            height=self.height(),
            applied_index=self.height(),
            commit_index=self.height(),
            fork_alarm=None,
        )

    def metrics(self) -> str:
        return ""

    def identity(self, key_id: str) -> Identity | None:
        return self.ledger.members.get(key_id)

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
        return Page(items=[], next_cursor=None)


async def _cut_after(
    source: AsyncGenerator[LedgerEvent, None], count: int, how: str
) -> AsyncIterator[LedgerEvent]:
    sent = 0
    try:
        async for event in source:
            if sent == count:
                if how == "fork":
                    raise ForkDetected("checkpoint of node 2 disagrees at height 1")
                if how == "abrupt":
                    raise ForcedDisconnect(f"connection cut after {count} events")
                return
            sent += 1
            yield event
    finally:
        await source.aclose()
