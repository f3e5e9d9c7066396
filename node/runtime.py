"""The running node: drives Raft over the peer transport and turns committed entries into blocks.

One asyncio task (the *driver*) owns the ``RawNode``. It wakes on a tick, a peer message, a
client submission or a cut deadline, feeds Raft, and handles every ``Ready`` in the order the
consensus contract demands (docs/consensus.md):

1. persist entries and hard state to LMDB, fsynced, in one write transaction;
2. only then send Raft messages to peers;
3. apply committed entries: a block entry runs through :class:`node.chain.Chain` (verify,
   execute, one LMDB commit), a conf change updates the peer set, a no-op only moves the
   applied index; after each block the node signs and broadcasts a checkpoint;
4. ``advance``.

The leader cuts block n+1 only when everything in its log is applied (so the header's
``prev_state_root`` and ``prev_results_root`` are known) and no block proposal of its own is
in flight. Every node keeps the transactions it admitted in its pool until they commit and
(re)forwards them to the leader, so a leader change loses no accepted transaction.

Blocking LMDB work (fsync, block execution) runs in a worker thread so the API stays
responsive; the driver itself is strictly sequential.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from consensus import (
    NONE,
    Config,
    ConfState,
    Entry,
    EntryType,
    Message,
    ProposalDropped,
    RawNode,
    ReadIndexDropped,
    Ready,
    Role,
)
from consensus import (
    NodeId as RaftId,
)
from consensus.errors import ConfChangeRefused
from consensus.types import ConfChange, apply_conf_change
from node.chain import ApplyResult, Chain
from node.checkpoints import Checkpoint, CheckpointBook, sign_checkpoint, verify_checkpoint
from node.config import NodeConfig
from node.errors import ForkDetected, NoLeader, NotCurrent, Overloaded
from node.frames import (
    CheckpointFrame,
    ForwardFrame,
    RaftFrame,
    checkpoint_frame,
    forward_frame,
    parse_frame,
    raft_frame,
)
from node.genesis import Genesis
from node.membership import MEMBERSHIP_EVENTS, Membership, next_conf_change, read_membership
from node.pool import TxPool
from node.signals import CommitWaiters, Progress
from node.storage.raft_storage import RaftStorage
from node.transport import (
    FrameRejected,
    PeerInfo,
    PeerTransport,
    TransportConfig,
)
from node.transport import NodeId as PeerId
from sdk.keys import PublicKey, SigningKey
from sdk.pki import certificate_from_pem
from sdk.tx import SignedTransaction

log = logging.getLogger("rxledger.node")
T = TypeVar("T")

REFORWARD_AFTER_S = 2.0
"""A follower re-sends transactions still pending after this long (the leader may have lost
them in a crash or a leader change); duplicates are dropped by the leader."""
INBOX_LIMIT = 10_000
"""Raft messages queued for the driver; beyond it the transport is back-pressured."""


def node_public_key(cert_pem: str) -> PublicKey:
    cert = certificate_from_pem(cert_pem)
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("node certificates must carry Ed25519 keys")
    return PublicKey.ed25519(key.public_bytes_raw())


@dataclass
class Inflight:
    """The leader's own block proposal that has not been applied yet."""

    index: int
    term: int
    transactions: list[SignedTransaction]


@dataclass
class DriverStats:
    blocks_applied: int = 0
    blocks_skipped: int = 0
    transactions_applied: int = 0
    rejected_by_code: dict[str, int] = field(default_factory=dict)
    last_commit_latency_s: float = 0.0
    commit_latency_sum_s: float = 0.0
    commit_latency_count: int = 0


class NodeRuntime:
    """Raft driver and block pipeline of one node: :meth:`start`, then :meth:`stop`."""

    def __init__(
        self,
        *,
        config: NodeConfig,
        genesis: Genesis,
        chain: Chain,
        raft_storage: RaftStorage,
        checkpoints: CheckpointBook,
        pool: TxPool,
        node_key: SigningKey,
        clock_ms: Callable[[], int] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.genesis = genesis
        self.chain = chain
        self.storage = raft_storage
        self.checkpoints = checkpoints
        self.pool = pool
        self.node_key = node_key
        self.node_id = config.node_id
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._rng = rng or random.Random()
        self.stats = DriverStats()
        self.waiters = CommitWaiters()
        self.applied = Progress(chain.store.applied_index())
        self.height = Progress(chain.store.height())
        self.leader_id: int = NONE
        self.role: Role = Role.FOLLOWER
        self.term = 0
        self.commit_index = 0
        self.fork_alarm: str | None = checkpoints.alarm
        self.membership: Membership = read_membership(chain.store)
        self._inbox: asyncio.Queue[Message] = asyncio.Queue(INBOX_LIMIT)
        self._wake = asyncio.Event()
        self._inflight: Inflight | None = None
        self._read_waiters: dict[bytes, asyncio.Future[int]] = {}
        self._read_seq = 0
        self._forwarded_at: dict[bytes, float] = {}
        self._submitted_at: dict[bytes, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-writer")
        self._stopping = False
        self.transport: PeerTransport | None = None
        self.raw = self._make_raw_node()
        self.conf_state: ConfState = self.raw.status().conf_state
        self._peer_keys = self._keys_of(self.membership)

    # -- setup ------------------------------------------------------------------------------

    def _make_raw_node(self) -> RawNode:
        if not self.storage.is_bootstrapped():
            voters = frozenset(RaftId(n.id) for n in self.genesis.nodes if n.voter)
            learners = frozenset(RaftId(n.id) for n in self.genesis.nodes if not n.voter)
            self.storage.bootstrap(ConfState(voters, learners))
        raft = self.config.raft
        cfg = Config(
            id=RaftId(self.node_id),
            election_tick=raft.election_ticks,
            heartbeat_tick=raft.heartbeat_ticks,
            applied=self.chain.store.applied_index(),
            max_size_per_msg=raft.max_message_bytes,
            max_inflight_msgs=raft.max_inflight,
            max_uncommitted_entries_size=4 * self.config.block.max_bytes + (1 << 20),
            check_quorum=True,
            pre_vote=True,
        )
        return RawNode(cfg, self.storage, self._rng)

    def transport_config(self) -> TransportConfig:
        return TransportConfig(
            node_id=PeerId(self.node_id),
            cert_path=self.config.tls.cert,
            key_path=self.config.tls.key,
            trusted_ca_pems=self.membership.trusted_ca_pems(self._raft_members()),
            network_id=bytes.fromhex(self.genesis.hash()),
            listen_host=self.config.peer.host,
            listen_port=self.config.peer.port,
            max_frame_bytes=max(16 << 20, self.config.raft.max_message_bytes + (1 << 20)),
        )

    def peers(self) -> dict[PeerId, PeerInfo]:
        """Active nodes from committed msp state (genesis seeds it; governance changes it),
        and removed nodes that Raft's configuration still counts (node/membership.py)."""
        return self.membership.peers(self.node_id, self._raft_members())

    def _raft_members(self) -> frozenset[int]:
        return frozenset(int(n) for n in self.conf_state.voters | self.conf_state.learners)

    def _keys_of(self, membership: Membership) -> dict[int, PublicKey]:
        return {
            n.node_id: node_public_key(n.cert_pem)
            for n in membership.linked_nodes(self._raft_members())
            if n.node_id != self.node_id
        }

    async def _refresh_membership(self) -> None:
        """Re-read membership after a block or a Raft configuration change that changed it:
        peers, pins, trusted CAs."""
        before = (self.membership.nodes, self.peers())
        self.membership = read_membership(self.chain.store)
        self._peer_keys = self._keys_of(self.membership)
        if self.transport is not None:
            await self.transport.update_peers(
                self.peers(),
                trusted_ca_pems=self.membership.trusted_ca_pems(self._raft_members()),
            )
        if (self.membership.nodes, self.peers()) != before:
            log.info(
                "node %s: membership now nodes %s, peers %s",
                self.node_id,
                [n.node_id for n in self.membership.nodes],
                sorted(int(p) for p in self.peers()),
            )

    def _maybe_change_conf(self, applied_all: bool) -> None:
        """Leader only: move Raft's configuration one step toward msp's (docs/node.md)."""
        if self.role is not Role.LEADER or not applied_all:
            return
        change = next_conf_change(self.conf_state, self.membership.desired_conf())
        if change is None:
            return
        if int(change.node_id) == self.node_id:
            self._step_aside()  # the leader never removes or demotes itself; the next will
            return
        try:
            self.raw.propose_conf_change(change)
        except (ConfChangeRefused, ProposalDropped) as exc:
            log.info("node %s: membership change %s deferred: %s", self.node_id, change, exc)
            return
        log.info("node %s: proposed %s %s", self.node_id, change.type.name, change.node_id)

    def _step_aside(self) -> None:
        """Hand leadership to the most up-to-date other voter (thesis §3.10), once at a time.

        The leader never proposes its own removal, and its peers keep its links until Raft
        drops it (see ``peers``), so nothing else would ever depose it; the new leader then
        makes the change.
        """
        status = self.raw.status()
        if status.lead_transferee != NONE:
            return
        candidates = [
            (view.match, int(node))
            for node, view in status.progress.items()
            if node in self.conf_state.voters and int(node) != self.node_id
        ]
        if not candidates:
            return
        _, successor = max(candidates)
        log.info(
            "node %s: leaving the configuration; hands leadership to %s", self.node_id, successor
        )
        self.raw.transfer_leader(RaftId(successor))

    async def start(self) -> None:
        self.transport = PeerTransport(
            self.transport_config(), self.peers(), self._on_frame, rng=self._rng
        )
        await self.transport.start()
        self._task = asyncio.create_task(self._drive(), name=f"raft-driver-{self.node_id}")

    async def _blocking(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run the driver's LMDB work (fsync, block execution) off the event loop, on ONE
        worker thread that :meth:`stop` waits for: cancelling the driver must never leave a
        write running while the store is closed underneath it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, functools.partial(fn, *args, **kwargs))

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        # A write already handed to the worker finishes (each is one durable transaction).
        await asyncio.get_running_loop().run_in_executor(None, self._worker.shutdown, True)
        if self.transport is not None:
            await self.transport.close()
        self.waiters.fail_all(NoLeader("the node is shutting down; resubmit to another node"))

    # -- inputs -------------------------------------------------------------------------------

    async def _on_frame(self, sender: PeerId, frame: bytes) -> None:
        parsed = parse_frame(frame, max_size=self.transport_config().max_frame_bytes)
        if isinstance(parsed, RaftFrame):
            message = parsed.message
            if int(message.from_) != int(sender) or int(message.to) != self.node_id:
                raise FrameRejected(
                    f"raft message from {message.from_} to {message.to} arrived on the link "
                    f"of node {sender}"
                )
            await self._inbox.put(message)
            self._wake.set()
        elif isinstance(parsed, ForwardFrame):
            # Off the event loop: decoding thousands of transactions here would starve the
            # driver long enough for followers to miss heartbeats and start an election.
            fresh = await asyncio.to_thread(self._decode_forwarded, parsed.transactions)
            self._accept_forwarded(fresh)
        elif isinstance(parsed, CheckpointFrame):
            self._accept_checkpoint(int(sender), parsed.body)

    def _decode_forwarded(self, wires: list[bytes]) -> list[SignedTransaction]:
        """The forwarded transactions that decode and are not committed yet (worker thread)."""
        decoded: list[SignedTransaction] = []
        for wire in wires:
            try:
                decoded.append(SignedTransaction.from_wire(wire))
            except Exception as exc:  # noqa: BLE001 - a peer's garbage must not stop the node
                log.warning("dropping a forwarded transaction that does not decode: %s", exc)
        known = self.chain.store.known_tx_ids(tx.tx_id for tx in decoded)
        return [tx for tx in decoded if tx.tx_id not in known]

    def _accept_forwarded(self, transactions: list[SignedTransaction]) -> None:
        added = 0
        for tx in transactions:
            try:
                added += self.pool.add(tx)
            except Overloaded:
                # Not the sender's fault: it keeps them and forwards them again later. Raising
                # here would drop the link, and with it the Raft messages it carries.
                log.warning(
                    "node %s: the pool is full; %d forwarded transactions wait at their node",
                    self.node_id,
                    len(transactions) - added,
                )
                break
        if added:
            self._wake.set()

    def _accept_checkpoint(self, sender: int, body: object) -> None:
        key = self._peer_keys.get(sender)
        if key is None:
            raise FrameRejected(f"checkpoint from unknown node {sender}")
        try:
            checkpoint = Checkpoint.from_wire(body)
            if checkpoint.node_id != sender:
                raise FrameRejected(f"node {sender} relayed node {checkpoint.node_id}'s checkpoint")
            verify_checkpoint(checkpoint, key)
        except FrameRejected:
            raise
        except Exception as exc:
            raise FrameRejected(f"bad checkpoint from node {sender}: {exc}") from exc
        alarm = self.checkpoints.record_peer(checkpoint)
        if alarm is not None and self.fork_alarm is None:
            self._raise_fork_alarm(str(alarm))

    def submit_local(self, transactions: Sequence[SignedTransaction]) -> None:
        """Queue admitted transactions: into the pool, and to the leader if it is elsewhere.

        All or nothing: when the pool cannot take every new one, :class:`Overloaded` and none
        is queued, so a client told to retry (503) never has half its batch committing.
        """
        new = {tx.tx_id for tx in transactions if tx.tx_id not in self.pool}
        room = self.pool.max_pending - len(self.pool)
        if len(new) > room:
            hint = (
                f"send batches of at most {self.pool.max_pending}"
                if len(new) > self.pool.max_pending
                else "retry after a short back-off"
            )
            raise Overloaded(
                f"{len(self.pool)} transactions are waiting for a block (the limit is "
                f"{self.pool.max_pending}) and {len(new)} more do not fit; {hint}"
            )
        now = time.monotonic()
        fresh: list[bytes] = []
        for tx in transactions:
            if self.pool.add(tx):
                self._submitted_at[tx.tx_id] = now
                fresh.append(tx.to_wire())
        if fresh and self.leader_id not in (NONE, self.node_id):
            self._send_forward(fresh, now, [tx.tx_id for tx in transactions])
        self._wake.set()

    def _send_forward(self, wires: list[bytes], now: float, tx_ids: Sequence[bytes]) -> None:
        if self.transport is None:
            return
        for start in range(0, len(wires), 5000):
            self.transport.send(PeerId(self.leader_id), forward_frame(wires[start : start + 5000]))
        for tx_id in tx_ids:
            self._forwarded_at[tx_id] = now

    async def read_index(self, timeout_s: float) -> int:
        """Confirm leadership through ReadIndex and wait until this node applied that index."""
        if self.fork_alarm is not None:
            raise ForkDetected(self.fork_alarm)
        if self.leader_id == NONE:
            raise NoLeader("no leader is known yet; retry shortly or read with consistency=stale")
        self._read_seq += 1
        ctx = self.node_id.to_bytes(8, "big") + self._read_seq.to_bytes(8, "big")
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._read_waiters[ctx] = future
        try:
            self.raw.read_index(ctx)
        except ReadIndexDropped as exc:
            self._read_waiters.pop(ctx, None)
            raise NotCurrent(f"the read index was dropped: {exc}; retry") from exc
        self._wake.set()
        try:
            async with asyncio.timeout(timeout_s):
                index = await future
                await self.applied.reach(index)
                return index
        except TimeoutError as exc:
            raise NotCurrent(
                f"could not confirm a linearizable read within {timeout_s:g} s; retry, or read "
                "with consistency=stale"
            ) from exc
        finally:
            self._read_waiters.pop(ctx, None)

    # -- the driver ---------------------------------------------------------------------------

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        tick_s = self.config.raft.tick_ms / 1000
        next_tick = loop.time() + tick_s
        next_reforward = loop.time() + REFORWARD_AFTER_S
        try:
            while not self._stopping:
                timeout = max(0.0, min(next_tick, self._cut_deadline(loop.time())) - loop.time())
                if not self._wake.is_set() and self._inbox.empty():
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(timeout):
                            await self._wake.wait()
                self._wake.clear()
                now = loop.time()
                # Messages first, then at most one tick (Go's ticker drops ticks a slow reader
                # missed, and so do we): after the loop stalled, say on a big batch, the
                # heartbeats that arrived meanwhile count before time does, and a stall is
                # never replayed as many ticks at once, which would start an election (or
                # depose the leader by check-quorum) although every peer kept in touch.
                self._step_inbox()
                if now >= next_tick:
                    self.raw.tick()
                    next_tick += tick_s
                    if next_tick <= now:
                        next_tick = now + tick_s
                if self.fork_alarm is not None:
                    continue
                await self._process_ready()
                if self.fork_alarm is not None:
                    continue
                if self.role is Role.LEADER:
                    # Membership first: a block cut now would need the quorum of the old
                    # configuration, which may count a node its peers just cut off.
                    status = self.raw.status()
                    self._maybe_change_conf(
                        self.applied.value == status.last_index == status.hard_state.commit
                    )
                await self._maybe_cut()
                await self._process_ready()
                if now >= next_reforward:
                    self._reforward(now)
                    next_reforward = now + REFORWARD_AFTER_S
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "the raft driver of node %s failed; the node stops applying", self.node_id
            )
            self._raise_fork_alarm("internal error in the raft driver; see the node log")
            raise

    def _step_inbox(self) -> None:
        while not self._inbox.empty():
            message = self._inbox.get_nowait()
            try:
                self.raw.step(message)
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the node
                log.warning(
                    "dropping raft message %s from %s: %s", message.type, message.from_, exc
                )

    async def _process_ready(self) -> None:
        while self.raw.has_ready() and self.fork_alarm is None:
            ready = self.raw.ready()
            await self._handle_ready(ready)

    async def _handle_ready(self, ready: Ready) -> None:
        if ready.snapshot is not None and not ready.snapshot.is_empty():
            # Nodes never compact their Raft log (docs/operations.md), so no leader ever sends
            # a snapshot; a snapshot here means a peer runs a different build.
            self._raise_fork_alarm("received a Raft snapshot, which this build never sends")
            return
        if ready.entries or ready.hard_state is not None:
            await self._blocking(
                self.storage.persist,
                entries=ready.entries,
                hard_state=ready.hard_state,
                snapshot=None,
                sync=ready.must_sync,
            )
        if ready.hard_state is not None:
            self.term = ready.hard_state.term
            self.commit_index = ready.hard_state.commit
        if self.transport is not None:
            for message in ready.messages:
                self.transport.send(PeerId(int(message.to)), raft_frame(message))
        if ready.committed_entries:
            await self._apply(ready.committed_entries)
            if self.fork_alarm is not None:
                return
        for state in ready.read_states:
            future = self._read_waiters.get(state.ctx)
            if future is not None and not future.done():
                future.set_result(state.index)
        self.raw.advance(ready)
        if ready.soft_state is not None:
            self._on_soft_state(int(ready.soft_state.leader), ready.soft_state.role)

    def _on_soft_state(self, leader: int, role: Role) -> None:
        changed = leader != self.leader_id
        self.leader_id, self.role = leader, role
        if role is not Role.LEADER and self._inflight is not None:
            self.pool.return_front(self._pending_of(self._inflight.transactions))
            self._inflight = None
        if changed:
            log.info("node %s: leader is now %s (role %s)", self.node_id, leader or "unknown", role)
            self._reforward(time.monotonic(), force=True)

    def _pending_of(self, txs: list[SignedTransaction]) -> list[SignedTransaction]:
        known = self.chain.store.known_tx_ids(tx.tx_id for tx in txs)
        return [tx for tx in txs if tx.tx_id not in known and tx.tx_id not in self.pool]

    def _reforward(self, now: float, *, force: bool = False) -> None:
        if self.leader_id in (NONE, self.node_id) or not len(self.pool):
            return
        due = [
            tx
            for tx in self.pool.snapshot()
            if force or now - self._forwarded_at.get(tx.tx_id, 0.0) >= REFORWARD_AFTER_S
        ]
        if due:
            self._send_forward([tx.to_wire() for tx in due], now, [tx.tx_id for tx in due])

    # -- applying -----------------------------------------------------------------------------

    async def _apply(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            if entry.type is EntryType.CONF_CHANGE:
                self._apply_conf_change(entry)
                await self._blocking(self.chain.mark_applied, entry.index)
                # A removed node keeps its link until Raft no longer counts it: now, maybe.
                await self._refresh_membership()
            elif not entry.data:
                await self._blocking(self.chain.mark_applied, entry.index)
            else:
                try:
                    result = await self._blocking(
                        self.chain.apply_entry, index=entry.index, term=entry.term, data=entry.data
                    )
                except ForkDetected as exc:
                    self._raise_fork_alarm(str(exc))
                    return
                self._after_block(entry, result)
                if any(
                    event.contract == "msp" and event.type in MEMBERSHIP_EVENTS
                    for _, event in result.events
                ):
                    await self._refresh_membership()
            self.applied.advance(entry.index)
        if self._inflight is not None and self.applied.value >= self._inflight.index:
            self._inflight = None

    def _apply_conf_change(self, entry: Entry) -> None:
        change = ConfChange.decode(entry.data)
        log.info("node %s: membership change %s %s", self.node_id, change.type.name, change.node_id)
        self.conf_state = apply_conf_change(self.conf_state, change)

    def _after_block(self, entry: Entry, result: ApplyResult) -> None:
        inflight = self._inflight
        if result.skipped_reason is not None:
            self.stats.blocks_skipped += 1
            log.info(
                "node %s: entry %s skipped: %s", self.node_id, entry.index, result.skipped_reason
            )
            if inflight is not None and inflight.index == entry.index:
                self.pool.return_front(self._pending_of(inflight.transactions))
                self._inflight = None
            return
        self.stats.blocks_applied += 1
        self.stats.transactions_applied += len(result.tx_ids)
        for code in result.results:
            if code != "ok":
                self.stats.rejected_by_code[code] = self.stats.rejected_by_code.get(code, 0) + 1
        now = time.monotonic()
        for tx_id in result.settled_tx_ids:
            submitted = self._submitted_at.pop(tx_id, None)
            self._forwarded_at.pop(tx_id, None)
            if submitted is not None:
                latency = now - submitted
                self.stats.last_commit_latency_s = latency
                self.stats.commit_latency_sum_s += latency
                self.stats.commit_latency_count += 1
        self.pool.discard(result.settled_tx_ids)
        self.waiters.committed(result.settled_tx_ids)
        self.height.advance(result.height)
        checkpoint = sign_checkpoint(
            height=result.height,
            block_hash=result.block_hash,
            state_root=result.state_root,
            node_id=self.node_id,
            key=self.node_key,
        )
        alarm = self.checkpoints.record_own(checkpoint)
        if alarm is not None:
            self._raise_fork_alarm(str(alarm))
            return
        if self.transport is not None:
            frame = checkpoint_frame(checkpoint.to_wire())
            for peer in self._peer_keys:
                self.transport.send(PeerId(peer), frame)

    def _raise_fork_alarm(self, reason: str) -> None:
        if self.fork_alarm is None:
            log.critical(
                "node %s STOPPED APPLYING BLOCKS: %s. Compare checkpoints across nodes "
                "(GET /health, /metrics) before restarting anything.",
                self.node_id,
                reason,
            )
        self.fork_alarm = reason
        self.waiters.fail_all(ForkDetected(reason))

    # -- cutting blocks (leader) ----------------------------------------------------------------

    def _cut_deadline(self, now: float) -> float:
        if self.role is not Role.LEADER or not len(self.pool) or self._inflight is not None:
            return now + 3600.0
        age_ms = self.pool.oldest_age_ms(self._clock_ms())
        # Once due, a cut may still wait for the log to be applied: poll gently, not spin.
        remaining_ms = max(2, self.config.block.timeout_ms - age_ms)
        return now + remaining_ms / 1000

    async def _maybe_cut(self) -> None:
        if self.role is not Role.LEADER or self._inflight is not None or not len(self.pool):
            return
        status = self.raw.status()
        if self.applied.value != status.last_index or status.hard_state.commit != status.last_index:
            return  # the tip is not known until everything in the log is applied
        limits = self.config.block
        now_ms = self._clock_ms()
        due = (
            len(self.pool) >= limits.max_transactions
            or self.pool.pending_bytes >= limits.max_bytes
            or self.pool.oldest_age_ms(now_ms) >= limits.timeout_ms
        )
        if not due:
            return
        txs = self.pool.take(limits.max_transactions, limits.max_bytes)
        index, term = status.last_index + 1, status.hard_state.term
        block = await self._blocking(
            self.chain.cut_block,
            txs,
            proposer=self.node_key,
            raft_term=term,
            raft_index=index,
            now_ms=now_ms,
        )
        if not block.transactions:
            return
        try:
            self.raw.propose(block.to_wire())
        except ProposalDropped as exc:
            log.info("node %s: block proposal dropped: %s", self.node_id, exc)
            self.pool.return_front(txs)
            return
        self._inflight = Inflight(index, term, list(block.transactions))
