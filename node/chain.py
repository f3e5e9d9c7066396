"""The replicated state machine: blocks in, ledger out (DESIGN.md, Pipeline; issue 4 item 4).

Like hashicorp/raft's ``FSM.Apply``, :meth:`Chain.apply_entry` must be deterministic and produce
the same result on every node: it reads nothing but the entry, the committed ledger and the
genesis, and every node calls it for the same committed entries in the same order.

A committed entry becomes block ``tip + 1`` only if it was cut for exactly that place (its Raft
index and term, height and ``prev_hash``); anything else is a stale or duplicate proposal and
is *skipped*, identically everywhere. A block on the right place whose ``prev_state_root`` or
``prev_results_root`` differs from ours means this node executed something differently from
the proposer: :class:`~node.errors.ForkDetected`, and the node stops applying.

Each transaction is checked again, against the block (signature, chain id, client time against
block time, signer at block time over the block's own state so an earlier revocation counts,
duplicate id), then executed through the contract registry. Outcomes, state, history, indexes,
events and the new state root go to disk in ONE LMDB write transaction
(:meth:`LedgerStore.commit`)::

    state_root_n = SHA-256(state_root_{n-1} || SHA-256(encode(sorted write set of block n)))
    write set    = [[namespace, key, value | None], ...] sorted by (namespace, key) UTF-8 bytes

with ``state_root_{-1}`` = 32 zero bytes, so ``state_root_0`` covers the genesis state.

Which refused transactions enter the tx index (so their id is spent forever):

- authenticated ones (the signer's key is enrolled and the signature verifies), whatever the
  verdict after that (``signer.*``, ``tx.expired``, a contract's code): replay protection;
- never one that is not authenticated (``signature.invalid``, ``signer.unknown``,
  ``tx.wrong_chain``) nor a duplicate: a forged copy must not spend the genuine id.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Final

from chaincode.api import Event, Signer
from chaincode.contracts.config import NAMESPACE as CONFIG_NAMESPACE
from chaincode.contracts.config import config_genesis_state
from chaincode.contracts.config.state import TX_WINDOW, contract_key
from chaincode.contracts.msp import NAMESPACE as MSP_NAMESPACE
from chaincode.contracts.msp import (
    SignerRejected,
    genesis_state,
    resolve_signer,
    state_reader,
)
from chaincode.contracts.msp.errors import SIGNER_UNKNOWN
from chaincode.contracts.msp.records import (
    KeyKind,
    MemberStatus,
    NodeStatus,
    load_member,
    load_node,
)
from chaincode.errors import ContractPinMismatch, UnknownContract
from chaincode.executor import BlockExecutor, Invocation, TxOutcome
from chaincode.layers import BlockLayer, Layer, Write
from chaincode.registry import ContractRegistry, code_hash
from node.admission import (
    TX_WRONG_CHAIN,
    SignerKeys,
    time_window_message,
    time_window_refusal,
    wrong_chain_message,
)
from node.errors import DuplicateTransaction, ForkDetected, GenesisMismatch, NodeError
from node.genesis import Genesis
from node.storage.ledger import BlockRecord, LedgerStore, StoredOutcome
from sdk.block import (
    DEFAULT_MAX_BLOCK_BYTES,
    MAX_RESULT_CODE,
    RESULT_CODE,
    Block,
    build_block,
    genesis_block,
    results_root_of,
)
from sdk.encoding import encode
from sdk.errors import InvalidSignature, SdkError
from sdk.ids import ZERO_HASH, sha256
from sdk.keys import Domain, PublicKey, SigningKey
from sdk.merkle import merkle_root
from sdk.tx import SignedTransaction

GENESIS_SEED_PREFIX: Final = b"rxledger/v1/genesis-proposer\x00"
"""Block 0 is signed by a key derived from the genesis hash: every node derives the same block
0, and its ``proposer`` field binds it to the genesis file (nobody holds a secret for it)."""
GENESIS_TX_ID: Final = "00" * 32
"""The tx id recorded in the history of state written at genesis (no transaction wrote it)."""
TX_DUPLICATE: Final = DuplicateTransaction.code
BAD_RESULT_CODE: Final = "contract.bad_result_code"
MAX_MESSAGE: Final = 1000
"""Characters of a rejection message kept in the receipt."""
PARALLEL_VERIFY_MIN: Final = 128
"""Below this many signatures a block verifies them on the applying thread alone."""
_ARRAY3: Final = b"\x93"
_EMPTY_ARRAY: Final = b"\x90"


@dataclass(frozen=True, slots=True)
class EncodedWriteSet:
    """A block's sorted write set, its digest, and each final value's canonical bytes."""

    writes: list[Write]
    digest: bytes
    values: dict[tuple[str, str], bytes]


def encode_write_set(writes: Sequence[Write]) -> EncodedWriteSet:
    """``SHA-256(encode([[namespace, key, value | None], ...]))`` over ``writes`` (sorted).

    Built by concatenation (a canonical array is its header followed by its items'
    encodings), so each value is encoded once and the store reuses those bytes.
    """
    values: dict[tuple[str, str], bytes] = {}
    digest = hashlib.sha256(_array_header(len(writes)))
    for w in writes:
        value = encode(w.value)
        values[(w.namespace, w.key)] = value
        digest.update(_ARRAY3 + encode(w.namespace) + encode(w.key) + value)
    return EncodedWriteSet(list(writes), digest.digest(), values)


def next_state_root(previous: bytes, write_set_digest: bytes) -> bytes:
    """DESIGN.md, State: ``SHA-256(state_root_{n-1} || SHA-256(canonical write set of n))``."""
    return sha256(previous + write_set_digest)


def _array_header(size: int) -> bytes:
    """The shortest msgpack array header (docs/formats.md §1)."""
    if size < 16:
        return bytes([0x90 | size])
    if size < 1 << 16:
        return b"\xdc" + size.to_bytes(2, "big")
    return b"\xdd" + size.to_bytes(4, "big")


def genesis_proposer(genesis: Genesis) -> SigningKey:
    return SigningKey.from_seed(sha256(GENESIS_SEED_PREFIX + bytes.fromhex(genesis.hash())))


@dataclass(frozen=True, slots=True)
class Tip:
    """The last applied block: what block ``height + 1`` must chain to."""

    height: int
    block_hash: bytes
    state_root: bytes
    """State root after this block (carried as ``prev_state_root`` by the next header)."""
    results_root: bytes
    """Merkle root of this block's result codes (``prev_results_root`` of the next)."""
    block_time_ms: int


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What applying one committed entry did; ``skipped_reason`` set means nothing changed."""

    index: int
    height: int
    block_hash: bytes
    state_root: bytes
    tx_ids: list[bytes] = field(default_factory=list)
    """Every transaction of the block, in order (aligned with ``results`` and ``outcomes``)."""
    results: list[str] = field(default_factory=list)
    outcomes: list[StoredOutcome] = field(default_factory=list)
    """Code, message and result value per transaction: the receipts."""
    indexed: list[bool] = field(default_factory=list)
    """Whether each transaction entered the tx index with this block."""
    events: list[tuple[int, Event]] = field(default_factory=list)
    """(tx_index, event) in emission order."""
    skipped_reason: str | None = None

    @property
    def skipped(self) -> bool:
        return self.skipped_reason is not None

    @property
    def settled_tx_ids(self) -> list[bytes]:
        """Ids whose fate is now on the ledger (indexed here, or earlier: duplicates).

        The pool discards these and commit waiters resolve; a transaction refused as not
        authenticated (a forged copy) is *not* settled, its genuine twin may still commit.
        """
        return [
            tx_id
            for tx_id, new, code in zip(self.tx_ids, self.indexed, self.results, strict=True)
            if new or code == TX_DUPLICATE
        ]


@dataclass(frozen=True, slots=True)
class _Refusal:
    """A transaction refused before execution; ``authenticated`` ones spend their id."""

    code: str
    message: str
    authenticated: bool = False


@dataclass(slots=True)
class _BlockRun:
    """Mutable state of one block's execution."""

    block: Block
    executor: BlockExecutor
    window_ms: int
    known: set[bytes]
    verdicts: list[bool | None]
    seen: set[bytes] = field(default_factory=set)
    signers: dict[bytes, Signer | SignerRejected] = field(default_factory=dict)
    outcomes: list[TxOutcome] = field(default_factory=list)
    indexed: list[bool] = field(default_factory=list)

    @property
    def layer(self) -> BlockLayer:
        return self.executor.layer

    @property
    def time_ms(self) -> int:
        return self.block.header.block_time_ms


class Chain:
    """Genesis, block cutting (leader) and block application (every node) over one store."""

    def __init__(
        self,
        *,
        store: LedgerStore,
        genesis: Genesis,
        registry: ContractRegistry,
        verify_workers: int | None = None,
        keys: SignerKeys | None = None,
    ) -> None:
        """``verify_workers`` threads check a block's signatures (default: up to 4 cores)."""
        self.store = store
        self.genesis = genesis
        self.registry = registry
        self.keys = keys or SignerKeys()
        self._tip: Tip | None = None
        self._code_hashes: dict[str, str] = {}
        workers = verify_workers or min(4, os.cpu_count() or 1)
        self._verifier = ThreadPoolExecutor(workers) if workers > 1 else None
        self._workers = workers

    def close(self) -> None:
        if self._verifier is not None:
            self._verifier.shutdown()

    # -- genesis -----------------------------------------------------------------------------

    def genesis_block(self) -> Block:
        """Block 0 of this genesis: no transactions, Raft term/index 0 (docs/formats.md §4)."""
        return genesis_block(
            proposer=genesis_proposer(self.genesis),
            block_time_ms=self.genesis.created_ms,
            prev_state_root=ZERO_HASH,
        )

    def ensure_genesis(self) -> None:
        """Write height 0 into an empty store; refuse a store that holds another genesis."""
        block = self.genesis_block()
        if self.store.height() >= 0:
            stored = self.store.block(0)
            if stored is None or Block.from_wire(stored).block_hash != block.block_hash:
                raise GenesisMismatch(
                    f"the data directory {self.store.env.path} holds a ledger of another "
                    f"genesis (chain {self.genesis.chain_id!r}, genesis hash "
                    f"{self.genesis.hash()[:16]}… derives block 0 {block.block_hash.hex()[:16]}…"
                    "); point data_dir at this chain's data or at an empty directory"
                )
            return
        layer = BlockLayer(self.store, height=0, block_time_ms=self.genesis.created_ms)
        tx = Layer(layer)
        for namespace, pairs in (
            (MSP_NAMESPACE, genesis_state(self.genesis)),
            (CONFIG_NAMESPACE, config_genesis_state(self.genesis)),
        ):
            for key, value in pairs:
                tx.put(namespace, key, value)
        layer.commit_tx(tx, tx_index=0, tx_id=GENESIS_TX_ID)
        write_set = encode_write_set(layer.write_set())
        state_root = next_state_root(ZERO_HASH, write_set.digest)
        self.store.commit(
            BlockRecord(
                height=0,
                block_hash=block.block_hash,
                block_bytes=block.to_wire(),
                block_time_ms=self.genesis.created_ms,
                tx_ids=[],
                new_tx=[],
                writes=write_set.writes,
                versions=layer.versions,
                events=[],
                state_root=state_root,
                applied_index=0,
                encoded_values=write_set.values,
            )
        )
        self._tip = Tip(0, block.block_hash, state_root, merkle_root([]), self.genesis.created_ms)

    # -- the tip -----------------------------------------------------------------------------

    def tip(self) -> Tip:
        """The last applied block (read from the store once, then kept by this object)."""
        if self._tip is None:
            self._tip = self._load_tip()
        return self._tip

    def _load_tip(self) -> Tip:
        height = self.store.height()
        raw = self.store.block(height) if height >= 0 else None
        state_root = self.store.state_root()
        if raw is None or state_root is None:
            raise NodeError(
                "the ledger has no genesis block yet: call Chain.ensure_genesis() first",
                code="node.no_genesis",
            )
        block = Block.from_wire(raw, max_tx_size=DEFAULT_MAX_BLOCK_BYTES)
        return Tip(
            height, block.block_hash, state_root, block.results_root, block.header.block_time_ms
        )

    # -- cutting (leader) --------------------------------------------------------------------

    def cut_block(
        self,
        txs: Sequence[SignedTransaction],
        *,
        proposer: SigningKey,
        raft_term: int,
        raft_index: int,
        now_ms: int,
    ) -> Block:
        """Block ``tip + 1`` on the current tip, for Raft entry (``raft_index``, ``raft_term``).

        The caller guarantees every earlier entry is applied. Transactions already committed,
        or repeated in ``txs``, are left out; the block may come out empty.
        """
        tip = self.tip()
        known = self.store.known_tx_ids(tx.tx_id for tx in txs)
        chosen: list[SignedTransaction] = []
        for tx in txs:
            if tx.tx_id not in known:
                known.add(tx.tx_id)
                chosen.append(tx)
        return build_block(
            height=tip.height + 1,
            prev_hash=tip.block_hash,
            block_time_ms=max(now_ms, tip.block_time_ms),
            raft_term=raft_term,
            raft_index=raft_index,
            prev_state_root=tip.state_root,
            prev_results_root=tip.results_root,
            transactions=chosen,
            proposer=proposer,
        )

    # -- applying (every node) ---------------------------------------------------------------

    def mark_applied(self, index: int) -> None:
        """Record a committed entry that carries no block (no-op, membership change)."""
        if index > self.store.applied_index():
            self.store.set_applied_index(index)

    def apply_entry(self, *, index: int, term: int, data: bytes) -> ApplyResult:
        """Apply one committed normal entry; see the module docstring for what that means."""
        tip = self.tip()
        if index <= self.store.applied_index():
            return _skipped(index, tip, f"entry {index} was applied before")
        try:
            block = Block.from_wire(data, max_tx_size=DEFAULT_MAX_BLOCK_BYTES)
        except SdkError as exc:
            return self._skip(index, tip, f"not a block ({exc.code}: {exc.message})")
        reason = _placement_refusal(block, index=index, term=term, tip=tip)
        if reason is None:
            reason = self._proposer_refusal(block)
        if reason is not None:
            return self._skip(index, tip, reason)
        _check_roots(block, tip)
        self._check_pins(block)
        return self._execute(block, data, index, tip)

    def _skip(self, index: int, tip: Tip, reason: str) -> ApplyResult:
        self.mark_applied(index)
        return _skipped(index, tip, reason)

    def _proposer_refusal(self, block: Block) -> str | None:
        """Only a current voting node may propose, with its own key (msp state, committed)."""
        read = state_reader(self.store)
        proposer = block.header.proposer
        member = load_member(read, proposer.hex())
        if member is None or member.kind is not KeyKind.NODE or member.node_id is None:
            return f"proposer {proposer.hex()[:16]}… is not a node key"
        if member.status is not MemberStatus.ACTIVE:
            return f"proposer key of node {member.node_id} is {member.status.value}"
        node = load_node(read, member.node_id)
        if (
            node is None
            or node.status is not NodeStatus.ACTIVE
            or not node.voter
            or node.key_id != member.key_id
        ):
            return f"node {member.node_id} is not a current voter with this key"
        key = self.keys.get(read, proposer)
        if key is None:
            return f"no certificate for the key of node {member.node_id}"
        try:
            block.verify(key)
        except SdkError as exc:
            return f"block signature of node {member.node_id} does not verify ({exc.code})"
        return None

    def _check_pins(self, block: Block) -> None:
        """DESIGN.md, Contracts: refuse to run a block with another contract code than pinned."""
        for name in sorted({tx.tx.contract for tx in block.transactions}):
            pin = self.store.get(CONFIG_NAMESPACE, contract_key(name))
            if not isinstance(pin, dict):
                continue
            try:
                cls = type(self.registry.contract(name))
            except UnknownContract:
                continue  # refused per transaction, with its code
            actual = self._code_hashes.get(name)
            if actual is None:
                actual = self._code_hashes[name] = code_hash(cls)
            version, pinned_hash = str(pin.get("version")), str(pin.get("code_hash"))
            if cls.version != version or actual != pinned_hash:
                raise ContractPinMismatch(
                    f"block {block.header.height} calls contract {name!r}, pinned at version "
                    f"{version} hash {pinned_hash[:12]}…; this node runs {cls.version} hash "
                    f"{actual[:12]}…: install the pinned release and restart"
                )

    # -- execution ---------------------------------------------------------------------------

    def _execute(self, block: Block, data: bytes, index: int, tip: Tip) -> ApplyResult:
        header = block.header
        txs = block.transactions
        run = _BlockRun(
            block=block,
            executor=BlockExecutor(
                self.registry, self.store, height=header.height, block_time_ms=header.block_time_ms
            ),
            window_ms=self._time_window_ms(),
            known=self.store.known_tx_ids(tx.tx_id for tx in txs),
            verdicts=self._verify_signatures(txs),
        )
        for position, tx in enumerate(txs):
            self._run_one(run, position, tx)
        return self._commit(run, data, index, tip)

    def _run_one(self, run: _BlockRun, position: int, tx: SignedTransaction) -> None:
        checked = self._check(run, position, tx)
        if isinstance(checked, _Refusal):
            run.outcomes.append(run.executor.skip(checked.code, checked.message))
            run.indexed.append(checked.authenticated)
            if checked.authenticated:
                run.seen.add(tx.tx_id)
            return
        journal_before = len(run.layer.journal)
        body = tx.tx
        outcome = run.executor.execute(
            Invocation(tx.tx_id.hex(), checked, body.contract, body.function, body.args)
        )
        run.outcomes.append(outcome)
        run.indexed.append(True)
        run.seen.add(tx.tx_id)
        if outcome.ok and _touches(run.layer.journal, journal_before, MSP_NAMESPACE):
            run.signers.clear()  # membership changed: resolve signers again from here on

    def _check(self, run: _BlockRun, position: int, tx: SignedTransaction) -> Signer | _Refusal:
        """The signer to execute ``tx`` as, or why it is refused before execution."""
        body = tx.tx
        if tx.tx_id in run.known or tx.tx_id in run.seen:
            return _Refusal(TX_DUPLICATE, "this transaction id was committed before")
        if body.chain_id != self.genesis.chain_id:
            return _Refusal(TX_WRONG_CHAIN, wrong_chain_message(body, self.genesis.chain_id))
        verdict = run.verdicts[position]
        if verdict is None:
            key = self.keys.get(state_reader(run.layer), body.signer)
            if key is None:
                return _Refusal(SIGNER_UNKNOWN, f"key {body.signer.hex()[:16]}… is not enrolled")
            verdict = _verifies(key, tx)
        if not verdict:
            return _Refusal(InvalidSignature.code, "the signature does not verify for its signer")
        signer = self._signer(run, body.signer)
        if isinstance(signer, SignerRejected):
            return _Refusal(signer.code, signer.message, authenticated=True)
        refusal = time_window_refusal(body, run.time_ms, run.window_ms)
        if refusal is not None:
            message = time_window_message(body, run.time_ms, run.window_ms)
            return _Refusal(refusal, message, authenticated=True)
        return signer

    def _signer(self, run: _BlockRun, key_id: bytes) -> Signer | SignerRejected:
        """resolve_signer over the block's own state, cached until msp state changes."""
        found = run.signers.get(key_id)
        if found is None:
            try:
                found = resolve_signer(state_reader(run.layer), key_id.hex(), run.time_ms)
            except SignerRejected as exc:
                found = exc
            run.signers[key_id] = found
        return found

    def _time_window_ms(self) -> int:
        """The window in force (config state, set from the genesis file at height 0)."""
        value = self.store.get(CONFIG_NAMESPACE, TX_WINDOW)
        return value if isinstance(value, int) else self.genesis.tx_time_window_ms

    def _verify_signatures(self, txs: Sequence[SignedTransaction]) -> list[bool | None]:
        """Verdict per transaction whose signer has a key in committed state (else None).

        The key behind a key id never changes, so checking now, before execution, gives the
        verdict checking in order would; signers enrolled by this very block are checked when
        their turn comes. Verification releases the GIL, so threads use more than one core.
        """
        read = state_reader(self.store)
        keys = [self.keys.get(read, tx.tx.signer) for tx in txs]
        if self._verifier is None or len(txs) < PARALLEL_VERIFY_MIN:
            return _verify_chunk(keys, txs)
        size = -(-len(txs) // self._workers)
        futures = [
            self._verifier.submit(_verify_chunk, keys[i : i + size], txs[i : i + size])
            for i in range(0, len(txs), size)
        ]
        verdicts: list[bool | None] = []
        for future in futures:
            verdicts.extend(future.result())
        return verdicts

    def _commit(self, run: _BlockRun, proposal: bytes, index: int, tip: Tip) -> ApplyResult:
        block = run.block
        header = block.header
        codes = [_result_code(o.code) for o in run.outcomes]
        outcomes = [
            StoredOutcome(code, o.message[:MAX_MESSAGE], o.result)
            for code, o in zip(codes, run.outcomes, strict=True)
        ]
        events = [(i, e) for i, o in enumerate(run.outcomes) for e in o.events]
        write_set = encode_write_set(run.layer.write_set())
        state_root = next_state_root(tip.state_root, write_set.digest)
        tx_ids: list[bytes] = list(block.tx_ids)
        results_root = results_root_of(block.tx_ids, codes)
        self.store.commit(
            BlockRecord(
                height=header.height,
                block_hash=block.block_hash,
                block_bytes=_executed_bytes(block, proposal, codes),
                block_time_ms=header.block_time_ms,
                tx_ids=tx_ids,
                new_tx=run.indexed,
                writes=write_set.writes,
                versions=run.layer.versions,
                events=events,
                state_root=state_root,
                applied_index=index,
                outcomes=outcomes,
                encoded_values=write_set.values,
            )
        )
        self._tip = Tip(
            header.height, block.block_hash, state_root, results_root, header.block_time_ms
        )
        return ApplyResult(
            index=index,
            height=header.height,
            block_hash=block.block_hash,
            state_root=state_root,
            tx_ids=tx_ids,
            results=codes,
            outcomes=outcomes,
            indexed=run.indexed,
            events=events,
        )


def _skipped(index: int, tip: Tip, reason: str) -> ApplyResult:
    return ApplyResult(index, tip.height, tip.block_hash, tip.state_root, skipped_reason=reason)


def _placement_refusal(block: Block, *, index: int, term: int, tip: Tip) -> str | None:
    """Why a committed block is not block ``tip + 1`` of this entry: stale or duplicate."""
    header = block.header
    if header.raft_index != index or header.raft_term != term:
        return (
            f"cut for entry {header.raft_index} of term {header.raft_term}, committed as "
            f"entry {index} of term {term}"
        )
    if header.height != tip.height + 1 or header.prev_hash != tip.block_hash:
        return f"cut as height {header.height} on another tip; the tip is {tip.height}"
    if header.block_time_ms < tip.block_time_ms:
        return f"block time {header.block_time_ms} precedes the tip's {tip.block_time_ms}"
    if block.results:
        return "a proposal carries result codes; only execution fills them in"
    return None


def _executed_bytes(block: Block, proposal: bytes, codes: Sequence[str]) -> bytes:
    """The stored block: the proposal's bytes with its (empty) result list filled in.

    A proposal's canonical encoding ends with its empty results array (``0x90``); swapping
    that byte for the encoded codes gives exactly ``block.with_results(codes).to_wire()``
    without encoding every transaction again.
    """
    if proposal.endswith(_EMPTY_ARRAY) and not block.results:
        return proposal[: -len(_EMPTY_ARRAY)] + encode(list(codes))
    return block.with_results(codes).to_wire()


def _check_roots(block: Block, tip: Tip) -> None:
    header = block.header
    for name, theirs, ours in (
        ("state root", header.prev_state_root, tip.state_root),
        ("results root", header.prev_results_root, tip.results_root),
    ):
        if theirs != ours:
            raise ForkDetected(
                f"block {header.height} says the {name} after block {tip.height} is "
                f"{theirs.hex()[:16]}…, this node computed {ours.hex()[:16]}…: the proposer "
                "and this node executed differently; compare checkpoints before restarting"
            )


def _verify_chunk(
    keys: Sequence[PublicKey | None], txs: Sequence[SignedTransaction]
) -> list[bool | None]:
    return [None if key is None else _verifies(key, tx) for key, tx in zip(keys, txs, strict=True)]


def _verifies(key: PublicKey, tx: SignedTransaction) -> bool:
    try:
        key.verify(Domain.TRANSACTION, tx.body, tx.signature)
    except SdkError:
        return False
    return True


def _touches(journal: list[Write], start: int, namespace: str) -> bool:
    return any(w.namespace == namespace for w in islice(journal, start, None))


def _result_code(code: str) -> str:
    """A contract's code if it is a valid result code, else a fixed one (determinism)."""
    if len(code) <= MAX_RESULT_CODE and RESULT_CODE.fullmatch(code):
        return code
    return BAD_RESULT_CODE
