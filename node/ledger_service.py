"""The real :class:`node.service.LedgerService`: the API's view of one running node.

Writes go through admission (stateless checks) into the runtime's pool; reads come from the
committed ledger in LMDB, after a ReadIndex round when the caller asks for a linearizable
read. Nothing here changes the ledger except through Raft.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from chaincode.api import Signer, Value
from chaincode.contracts.msp import SignerRejected, resolve_signer, state_reader
from chaincode.contracts.msp.records import MemberStatus, OrgStatus, load_member, load_org
from chaincode.errors import InvalidTransaction
from chaincode.executor import Invocation, run_query
from chaincode.registry import ContractRegistry
from node.admission import Admission
from node.chain import Chain
from node.errors import ForkDetected, NodeError, NoLeader, Overloaded
from node.membership import certificate_warnings
from node.runtime import NodeRuntime, node_public_key
from node.service import (
    BlockView,
    Consistency,
    Health,
    Identity,
    IdentityStatus,
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
from node.storage.ledger import LedgerStore
from sdk.block import Block
from sdk.errors import SdkError
from sdk.ids import sha256
from sdk.merkle import inclusion_proof
from sdk.tx import SignedTransaction

READ_INDEX_TIMEOUT_S = 5.0
CERT_WARNING_MS = 30 * 24 * 3600 * 1000
"""Health warns about certificates that expire within 30 days (issue: outages from expiry)."""
EVENT_BATCH = 1000
ROLE_NAMES = {
    "LEADER": "leader",
    "FOLLOWER": "follower",
    "CANDIDATE": "candidate",
    "PRE_CANDIDATE": "pre_candidate",
}


def _hex(data: bytes | None) -> str | None:
    return None if data is None else data.hex()


class NodeLedgerService:
    """Implements the API's ``LedgerService`` over a :class:`NodeRuntime`."""

    def __init__(
        self,
        *,
        runtime: NodeRuntime,
        admission: Admission,
        registry: ContractRegistry,
        clock_ms: Any = None,
    ) -> None:
        self.runtime = runtime
        self.chain: Chain = runtime.chain
        self.store: LedgerStore = runtime.chain.store
        self.admission = admission
        self.registry = registry
        self.chain_id = runtime.genesis.chain_id
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._cert_warnings: tuple[int, list[str]] = (-2, [])

    # -- writes ------------------------------------------------------------------------------

    async def submit(
        self, transactions: list[bytes], *, wait: bool, timeout_s: float
    ) -> list[SubmitResult]:
        if self.runtime.fork_alarm is not None:
            raise ForkDetected(
                f"this node stopped applying blocks: {self.runtime.fork_alarm}; submit to "
                "another node"
            )
        if self.runtime.leader_id == 0:
            raise NoLeader("no leader is elected right now; retry shortly or use another node")
        now_ms = self._clock_ms()
        checked = await asyncio.to_thread(self._admit_all, transactions, now_ms)
        admitted = [item for item in checked if isinstance(item, SignedTransaction)]
        known = await asyncio.to_thread(self.store.known_tx_ids, (tx.tx_id for tx in admitted))
        # Once per id: a batch may repeat a transaction, and each waiter must be forgotten.
        fresh = list({tx.tx_id: tx for tx in admitted if tx.tx_id not in known}.values())
        futures = {tx.tx_id: self.runtime.waiters.wait(tx.tx_id) for tx in fresh} if wait else {}
        try:
            self.runtime.submit_local(fresh)
        except Overloaded:
            for tx_id, future in futures.items():
                self.runtime.waiters.forget(tx_id, future)
            raise
        if futures:
            await asyncio.wait(futures.values(), timeout=timeout_s)
            for tx_id, future in futures.items():
                self.runtime.waiters.forget(tx_id, future)
                if future.done() and future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
        # One decode per block, off the event loop: a batch of n transactions in one block
        # would otherwise decode that block n times while Raft heartbeats wait.
        committed = await asyncio.to_thread(self._committed_receipts, [tx.tx_id for tx in admitted])
        answers: list[SubmitResult] = []
        for item in checked:
            if isinstance(item, SubmitResult):
                answers.append(item)
                continue
            receipt = committed.get(item.tx_id) or self._pending_receipt(item.tx_id)
            answers.append(SubmitResult(item.tx_id.hex(), True, receipt=receipt))
        return answers

    def _admit_all(
        self, transactions: list[bytes], now_ms: int
    ) -> list[SignedTransaction | SubmitResult]:
        out: list[SignedTransaction | SubmitResult] = []
        for wire in transactions:
            try:
                out.append(self.admission.admit(wire, now_ms=now_ms))
            except (NodeError, SdkError, InvalidTransaction) as exc:
                code = getattr(exc, "code", "tx.rejected")
                out.append(SubmitResult(_wire_label(wire), False, code, _message(exc)))
        return out

    # -- receipts -------------------------------------------------------------------------------

    def receipt(self, tx_id: str) -> Receipt:
        try:
            raw_id = bytes.fromhex(tx_id)
        except ValueError:
            return Receipt(tx_id, TxState.UNKNOWN)
        return self._receipt_by_id(raw_id)

    def _receipt_by_id(self, tx_id: bytes) -> Receipt:
        committed = self._committed_receipt(tx_id, {})
        return committed if committed is not None else self._pending_receipt(tx_id)

    def _pending_receipt(self, tx_id: bytes) -> Receipt:
        """The receipt of a transaction that is not in a committed block (yet)."""
        state = TxState.PENDING if tx_id in self.runtime.pool else TxState.UNKNOWN
        return Receipt(tx_id.hex(), state)

    def _committed_receipts(self, tx_ids: list[bytes]) -> dict[bytes, Receipt]:
        """Receipts of those of ``tx_ids`` that are committed; each block is decoded once."""
        blocks: dict[int, Block | None] = {}
        found: dict[bytes, Receipt] = {}
        for tx_id in tx_ids:
            receipt = self._committed_receipt(tx_id, blocks)
            if receipt is not None:
                found[tx_id] = receipt
        return found

    def _committed_receipt(self, tx_id: bytes, blocks: dict[int, Block | None]) -> Receipt | None:
        location = self.store.locate(tx_id)
        if location is None:
            return None
        outcome = self.store.outcome(tx_id)
        if location.height not in blocks:
            blocks[location.height] = self._block(location.height)
        block = blocks[location.height]
        code = block.results[location.index] if block is not None else ""
        return Receipt(
            tx_id=tx_id.hex(),
            state=TxState.COMMITTED,
            code=code,
            message=outcome.message if outcome is not None else "",
            height=location.height,
            index=location.index,
            block_hash=None if block is None else block.block_hash.hex(),
            block_time_ms=None if block is None else block.header.block_time_ms,
            result=outcome.result if outcome is not None else None,
        )

    # -- state --------------------------------------------------------------------------------

    async def _consistent(self, consistency: Consistency) -> None:
        if consistency is Consistency.LINEARIZABLE:
            await self.runtime.read_index(READ_INDEX_TIMEOUT_S)

    async def get_state(
        self, contract: str, key: str, *, consistency: Consistency
    ) -> StateEntry | None:
        await self._consistent(consistency)
        found = self.store.get_entry(contract, key)
        if found is None:
            return None
        return StateEntry(key, found.value, found.height, found.tx_index)

    async def range_state(
        self,
        contract: str,
        prefix: str,
        *,
        cursor: str | None,
        limit: int,
        consistency: Consistency,
    ) -> Page:
        await self._consistent(consistency)
        start = prefix if cursor is None else cursor + "\x00"
        if not start.startswith(prefix):
            start = prefix
        items: list[StateEntry] = []
        more = False
        for key, stored in self.store.range_entries(contract, start, _prefix_end(prefix)):
            if len(items) == limit:
                more = True
                break
            items.append(StateEntry(key, stored.value, stored.height, stored.tx_index))
        return Page(items=items, next_cursor=items[-1].key if more and items else None)

    def history(self, contract: str, key: str, *, cursor: str | None, limit: int) -> Page:
        after = _parse_history_cursor(cursor)
        items: list[StateEntry] = []
        more = False
        for version in self.store.history_from(contract, key, after=after):
            if len(items) == limit:
                more = True
                break
            items.append(StateEntry(key, version.value, version.height, version.tx_index))
        next_cursor = f"{items[-1].height}.{items[-1].tx_index}" if more and items else None
        return Page(items=items, next_cursor=next_cursor)

    # -- blocks and proofs ------------------------------------------------------------------------

    def _block(self, height: int) -> Block | None:
        raw = self.store.block(height)
        return None if raw is None else Block.from_wire(raw)

    def _view(self, height: int) -> BlockView | None:
        raw = self.store.block(height)
        if raw is None:
            return None
        block = Block.from_wire(raw)
        header = block.header
        return BlockView(
            height=header.height,
            block_hash=block.block_hash.hex(),
            header={
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
                "header_bytes": base64.b64encode(block.header_bytes).decode("ascii"),
                "signature": base64.b64encode(block.signature.value).decode("ascii"),
            },
            tx_ids=[tx_id.hex() for tx_id in block.tx_ids],
            results=list(block.results),
            transactions=[tx.to_wire() for tx in block.transactions],
            raw=raw,
        )

    def block_by_height(self, height: int) -> BlockView | None:
        return self._view(height)

    def block_by_hash(self, block_hash: str) -> BlockView | None:
        try:
            digest = bytes.fromhex(block_hash)
        except ValueError:
            return None
        height = self.store.height_of(digest)
        return None if height is None else self._view(height)

    def height(self) -> int:
        return self.store.height()

    def proof(self, tx_id: str) -> InclusionProof | None:
        try:
            raw_id = bytes.fromhex(tx_id)
        except ValueError:
            return None
        location = self.store.locate(raw_id)
        if location is None:
            return None
        view = self._view(location.height)
        if view is None:
            return None
        leaves = [bytes.fromhex(t) for t in view.tx_ids]
        path = inclusion_proof(leaves, location.index)
        return InclusionProof(
            tx_id=tx_id,
            height=location.height,
            index=location.index,
            tree_size=len(leaves),
            path=[p.hex() for p in path],
            tx_root=str(view.header["tx_root"]),
            block_hash=view.block_hash,
            header=view.header,
            checkpoints=[cp.to_json() for cp in self.runtime.checkpoints.latest(location.height)],
        )

    # -- queries -------------------------------------------------------------------------------

    async def query(
        self, contract: str, function: str, args: Mapping[str, Any], *, signer_key_id: str | None
    ) -> Value:
        tip = self.chain.tip()
        signer = Signer("", "", frozenset())
        if signer_key_id is not None:
            try:
                signer = resolve_signer(state_reader(self.store), signer_key_id, tip.block_time_ms)
            except SignerRejected as exc:
                raise InvalidTransaction(exc.message, code=exc.code) from exc
        invocation = Invocation(
            tx_id="00" * 32, signer=signer, contract=contract, function=function, args=args
        )
        return await asyncio.to_thread(
            run_query,
            self.registry,
            self.store,
            invocation,
            height=tip.height,
            block_time_ms=tip.block_time_ms,
        )

    # -- identities and audit ------------------------------------------------------------------

    def identity(self, key_id: str) -> Identity | None:
        read = state_reader(self.store)
        member = load_member(read, key_id)
        if member is None:
            return None
        org = load_org(read, member.org_id)
        if member.status is MemberStatus.REVOKED:
            status = IdentityStatus.REVOKED
        elif org is None or org.status is OrgStatus.REMOVED:
            status = IdentityStatus.ORG_REMOVED
        elif member.status is MemberStatus.SUSPENDED:
            status = IdentityStatus.SUSPENDED
        else:
            status = IdentityStatus.ACTIVE
        return Identity(
            key_id=member.key_id,
            org_id=member.org_id,
            roles=member.roles,
            status=status,
            public_key=node_public_key(member.cert_pem),
            not_before_ms=member.not_before_ms,
            not_after_ms=member.not_after_ms,
        )

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
        try:
            after = None if cursor is None else bytes.fromhex(cursor)
        except ValueError as exc:
            raise InvalidTransaction(
                f"bad audit cursor {cursor!r}: pass back the next_cursor of the previous page",
                code="request.bad_cursor",
            ) from exc
        items: list[KeyVersion] = []
        last: bytes | None = None
        more = False
        for position, key, version in self.store.history_range(contract, prefix, after=after):
            if len(items) == limit:
                more = True
                break
            last = position
            t = version.block_time_ms
            if (since_ms is not None and t < since_ms) or (until_ms is not None and t >= until_ms):
                continue
            items.append(
                KeyVersion(key, version.value, version.height, version.tx_index, version.tx_id, t)
            )
        return Page(items=items, next_cursor=last.hex() if more and last is not None else None)

    # -- events ---------------------------------------------------------------------------------

    def events(
        self, *, from_height: int, contracts: frozenset[str], types: frozenset[str]
    ) -> AsyncIterator[LedgerEvent]:
        return self._events(from_height, contracts, types)

    async def _events(
        self, from_height: int, contracts: frozenset[str], types: frozenset[str]
    ) -> AsyncIterator[LedgerEvent]:
        next_height = max(0, from_height)
        while True:
            if self.runtime.fork_alarm is not None:
                raise ForkDetected(self.runtime.fork_alarm)
            top = self.store.height()
            if next_height <= top:
                batch = await asyncio.to_thread(self._read_events, next_height, top)
                for event in batch:
                    if (not contracts or event.contract in contracts) and (
                        not types or event.type in types
                    ):
                        yield event
                next_height = top + 1
                continue
            await self.runtime.height.beyond(top)

    def _read_events(self, start: int, top: int) -> list[LedgerEvent]:
        out: list[LedgerEvent] = []
        for stored in self.store.events_from(start):
            if stored.height > top:
                break
            out.append(
                LedgerEvent(
                    height=stored.height,
                    tx_index=stored.tx_index,
                    event_index=stored.seq,
                    tx_id=stored.tx_id,
                    contract=stored.event.contract,
                    type=stored.event.type,
                    payload=stored.event.payload,
                )
            )
        return out

    # -- operations -----------------------------------------------------------------------------

    def health(self) -> Health:
        rt = self.runtime
        status = rt.raw.status()
        peers: list[PeerHealth] = []
        transport_stats = rt.transport.stats() if rt.transport is not None else None
        links = {int(p.node_id): p for p in transport_stats.peers} if transport_stats else {}
        progress = {int(node): view for node, view in status.progress.items()}
        for node_id in sorted({n.node_id for n in rt.membership.nodes} | set(links)):
            if node_id == rt.node_id:
                continue
            link = links.get(node_id)
            view = progress.get(node_id)
            peers.append(
                PeerHealth(
                    node_id=node_id,
                    connected=link is not None and (link.connected or link.inbound_connected),
                    match_index=None if view is None else view.match,
                    last_error="" if link is None else (link.last_error or ""),
                )
            )
        role = ROLE_NAMES.get(status.soft_state.role.name, status.soft_state.role.name.lower())
        if rt.node_id in {int(n) for n in rt.conf_state.learners}:
            role = "learner"
        leader = int(status.soft_state.leader)
        return Health(
            node_id=rt.node_id,
            chain_id=self.chain_id,
            role=role,
            leader_id=leader or None,
            term=status.hard_state.term,
            height=self.store.height(),
            applied_index=rt.applied.value,
            commit_index=status.hard_state.commit,
            fork_alarm=rt.fork_alarm,
            peers=peers,
            certificate_warnings=self._certificate_warnings(),
        )

    def _certificate_warnings(self) -> list[str]:
        """Active member and node keys whose certificate expires within 30 days (or has),
        recomputed once per committed height."""
        height = self.store.height()
        if self._cert_warnings[0] == height:
            return self._cert_warnings[1]
        warnings = certificate_warnings(
            self.store, now_ms=self._clock_ms(), within_ms=CERT_WARNING_MS
        )
        self._cert_warnings = (height, warnings)
        return warnings

    def metrics(self) -> str:
        rt = self.runtime
        health = self.health()
        stats = rt.stats
        lines = [
            "# HELP rxl_height Height of the last applied block.",
            "# TYPE rxl_height gauge",
            f"rxl_height {health.height}",
            "# HELP rxl_raft_term Current Raft term.",
            "# TYPE rxl_raft_term gauge",
            f"rxl_raft_term {health.term}",
            "# HELP rxl_raft_leader Id of the known leader (0: none).",
            "# TYPE rxl_raft_leader gauge",
            f"rxl_raft_leader {health.leader_id or 0}",
            "# HELP rxl_is_leader 1 when this node is the leader.",
            "# TYPE rxl_is_leader gauge",
            f"rxl_is_leader {1 if health.role == 'leader' else 0}",
            "# HELP rxl_raft_commit_index Raft commit index.",
            "# TYPE rxl_raft_commit_index gauge",
            f"rxl_raft_commit_index {health.commit_index}",
            "# HELP rxl_raft_applied_index Raft applied index.",
            "# TYPE rxl_raft_applied_index gauge",
            f"rxl_raft_applied_index {health.applied_index}",
            "# HELP rxl_pending_transactions Admitted transactions not yet committed.",
            "# TYPE rxl_pending_transactions gauge",
            f"rxl_pending_transactions {len(rt.pool)}",
            "# HELP rxl_blocks_applied_total Blocks applied since start.",
            "# TYPE rxl_blocks_applied_total counter",
            f"rxl_blocks_applied_total {stats.blocks_applied}",
            "# HELP rxl_transactions_applied_total Transactions in applied blocks since start.",
            "# TYPE rxl_transactions_applied_total counter",
            f"rxl_transactions_applied_total {stats.transactions_applied}",
            "# HELP rxl_commit_latency_seconds Submit-to-apply latency on this node.",
            "# TYPE rxl_commit_latency_seconds summary",
            f"rxl_commit_latency_seconds_sum {stats.commit_latency_sum_s:.6f}",
            f"rxl_commit_latency_seconds_count {stats.commit_latency_count}",
            "# HELP rxl_fork_alarm 1 when a checkpoint mismatch stopped this node.",
            "# TYPE rxl_fork_alarm gauge",
            f"rxl_fork_alarm {0 if health.fork_alarm is None else 1}",
            "# HELP rxl_transactions_rejected_total Committed transactions refused, by code.",
            "# TYPE rxl_transactions_rejected_total counter",
        ]
        for code, count in sorted(stats.rejected_by_code.items()):
            lines.append(f'rxl_transactions_rejected_total{{code="{code}"}} {count}')
        lines += [
            "# HELP rxl_peer_connected 1 when the link to a peer is up.",
            "# TYPE rxl_peer_connected gauge",
        ]
        for peer in health.peers:
            lines.append(f'rxl_peer_connected{{peer="{peer.node_id}"}} {int(peer.connected)}')
        return "\n".join(lines) + "\n"


def _prefix_end(prefix: str) -> str | None:
    if not prefix:
        return None
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _parse_history_cursor(cursor: str | None) -> tuple[int, int] | None:
    if cursor is None:
        return None
    try:
        height, index = cursor.split(".")
        return int(height), int(index)
    except ValueError as exc:
        raise InvalidTransaction(
            f"bad history cursor {cursor!r}: pass back the next_cursor of the previous page",
            code="request.bad_cursor",
        ) from exc


def _wire_label(wire: bytes) -> str:
    """The tx id if the body decodes far enough, else the hash of the bytes."""
    try:
        return SignedTransaction.from_wire(wire).tx_id.hex()
    except Exception:  # noqa: BLE001 - undecodable input still gets a stable label
        return sha256(wire).hex()


def _message(exc: Exception) -> str:
    return str(getattr(exc, "message", "") or exc)
