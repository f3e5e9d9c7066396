"""Blocks: the signed header, its hash, and a body bound to it (docs/formats.md §4).

Header (canonical array, this order)::

    [version=1, height, prev_hash, tx_root, tx_count, block_time_ms, raft_term, raft_index,
     proposer_key_id, prev_state_root, prev_results_root]

``tx_count`` is the Merkle tree size: an inclusion proof is only as good as the size it is
checked against, so the size comes from the signed header, never from the node's word.

``block_hash = SHA-256(header bytes)``; the proposer signs ``Domain.BLOCK.prefix || header``.

Execution outputs are bound one block later. The proposer cuts and signs a block BEFORE
anyone executes it (execution happens on commit, DESIGN.md, Pipeline), so the header of
block n cannot know block n's results — the same reason it carries ``prev_state_root``, the
state root after block n-1. Block n's result codes are therefore bound by
``prev_results_root`` in the header of block n+1: the Merkle root (sdk.merkle) of
``encode([tx_id, code])`` per transaction of block n. We chose this over a separately signed
result set because it needs no second signature or message: the hash chain, the proposer's
signature and every checkpoint over a later block hash cover the results, every replica
checks the root against its own execution (a mismatch is a fork, like a state root
mismatch), and a client proves "transaction t had result c" with an ordinary inclusion
proof against the next header. Genesis has ``prev_results_root`` = 32 zero bytes.

Wire form (canonical array)::

    [header_bytes, [algorithm_id, signature], [tx_wire_bytes, ...], [result_code, ...]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sdk.encoding import decode, encode
from sdk.errors import (
    BlockMalformed,
    BlockTooLarge,
    ResultsRootMismatch,
    SchemaError,
    SignerMismatch,
    TxRootMismatch,
)
from sdk.ids import ZERO_HASH, BlockHash, KeyId, TxId, check_digest, sha256
from sdk.keys import Domain, PublicKey, Signature, SigningKey
from sdk.merkle import merkle_root
from sdk.tx import DEFAULT_MAX_TX_BYTES, SignedTransaction

BLOCK_VERSION: Final = 1
DEFAULT_MAX_BLOCK_BYTES: Final = 64 * 1024 * 1024
RESULT_OK: Final = "ok"
RESULT_CODE: Final = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")
MAX_RESULT_CODE = 64
_DIGEST_FIELDS: Final = ("prev_hash", "tx_root", "proposer", "prev_state_root", "prev_results_root")
_U64: Final = 2**64 - 1
_I64: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class BlockHeader:
    height: int
    prev_hash: BlockHash
    tx_root: bytes
    tx_count: int
    block_time_ms: int
    raft_term: int
    raft_index: int
    proposer: KeyId
    prev_state_root: bytes
    prev_results_root: bytes

    def __post_init__(self) -> None:
        try:
            for name in _DIGEST_FIELDS:
                check_digest(getattr(self, name), name)
        except SchemaError as exc:
            raise BlockMalformed(exc.message) from exc
        for name, maximum in (
            ("height", _U64),
            ("tx_count", _U64),
            ("block_time_ms", _I64),
            ("raft_term", _U64),
            ("raft_index", _U64),
        ):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= maximum:
                raise BlockMalformed(f"{name} must be an integer in [0, {maximum}]")

    def encode(self) -> bytes:
        """THE bytes that are hashed and signed."""
        return encode(
            [
                BLOCK_VERSION,
                self.height,
                self.prev_hash,
                self.tx_root,
                self.tx_count,
                self.block_time_ms,
                self.raft_term,
                self.raft_index,
                self.proposer,
                self.prev_state_root,
                self.prev_results_root,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> BlockHeader:
        fields = decode(data, max_size=len(data))
        if type(fields) is not list or len(fields) != 11:
            raise BlockMalformed("a block header is an array of 11 fields")
        if type(fields[0]) is not int or fields[0] != BLOCK_VERSION:
            raise BlockMalformed(f"unsupported block version {fields[0]!r:.20}")
        return cls(*fields[1:])


def block_hash_of(header_bytes: bytes) -> BlockHash:
    return BlockHash(sha256(header_bytes))


def result_leaf(tx_id: TxId, code: str) -> bytes:
    """The Merkle leaf binding one transaction's result code to its id."""
    return encode([tx_id, code])


def results_root_of(tx_ids: Sequence[TxId], results: Sequence[str]) -> bytes:
    return merkle_root([result_leaf(t, c) for t, c in zip(tx_ids, results, strict=True)])


@dataclass(frozen=True, slots=True)
class Block:
    """Header bytes + proposer signature + transactions + result codes, checked together.

    ``results`` holds one code per transaction (:data:`RESULT_OK` or the rejection's error
    code) once the block is executed, and is empty in a proposal.
    """

    header_bytes: bytes
    signature: Signature
    transactions: tuple[SignedTransaction, ...]
    results: tuple[str, ...]
    header: BlockHeader = field(init=False, compare=False)
    block_hash: BlockHash = field(init=False, compare=False)

    def __post_init__(self) -> None:
        header = BlockHeader.decode(self.header_bytes)
        object.__setattr__(self, "header", header)
        object.__setattr__(self, "block_hash", block_hash_of(self.header_bytes))
        _check_results(self.results, len(self.transactions), allow_pending=True)
        if header.tx_count != len(self.transactions):
            raise TxRootMismatch(
                f"header says {header.tx_count} transactions, the block has "
                f"{len(self.transactions)}"
            )
        if merkle_root(self.tx_ids) != header.tx_root:
            raise TxRootMismatch("tx_root does not match the block's transactions")

    @property
    def tx_ids(self) -> list[TxId]:
        return [tx.tx_id for tx in self.transactions]

    @property
    def executed(self) -> bool:
        """Whether the result codes are filled in (a proposal carries none)."""
        return len(self.results) == len(self.transactions)

    def with_results(self, results: Sequence[str]) -> Block:
        """The same signed block with its result codes, once executed."""
        _check_results(results, len(self.transactions), allow_pending=False)
        return Block(self.header_bytes, self.signature, self.transactions, tuple(results))

    @property
    def results_root(self) -> bytes:
        """What the NEXT block's header must carry as ``prev_results_root``."""
        if not self.executed:
            raise BlockMalformed(f"block {self.header.height} has not been executed yet")
        return results_root_of(self.tx_ids, self.results)

    def check_results(self, next_header: BlockHeader) -> None:
        """Raise unless ``next_header`` (height + 1, chained to us) binds our result codes."""
        if next_header.height != self.header.height + 1 or next_header.prev_hash != self.block_hash:
            raise BlockMalformed("the header given is not the next block's")
        if next_header.prev_results_root != self.results_root:
            raise ResultsRootMismatch(
                f"result codes of block {self.header.height} do not match the "
                "prev_results_root of the next block"
            )

    def verify(self, proposer_key: PublicKey) -> None:
        """Raise unless ``proposer_key`` is the header's proposer and signed this header."""
        if proposer_key.key_id != self.header.proposer:
            raise SignerMismatch("the key given is not the block's proposer")
        proposer_key.verify(Domain.BLOCK, self.header_bytes, self.signature)

    def to_wire(self) -> bytes:
        return encode(
            [
                self.header_bytes,
                self.signature.to_wire(),
                [tx.to_wire() for tx in self.transactions],
                list(self.results),
            ]
        )

    @classmethod
    def from_wire(
        cls,
        data: bytes,
        max_size: int = DEFAULT_MAX_BLOCK_BYTES,
        max_tx_size: int = DEFAULT_MAX_TX_BYTES,
    ) -> Block:
        """Decode and check structure and roots (not the signature: that needs the key)."""
        if len(data) > max_size:
            raise BlockTooLarge(f"block is {len(data)} bytes, the limit is {max_size}")
        parts = decode(data, max_size=max_size)
        if (
            type(parts) is not list
            or len(parts) != 4
            or type(parts[0]) is not bytes
            or type(parts[2]) is not list
            or type(parts[3]) is not list
        ):
            raise BlockMalformed("a block is [header bytes, signature, [txs], [result codes]]")
        for item in parts[2]:
            if type(item) is not bytes:
                raise BlockMalformed("each transaction in a block is its wire bytes")
        transactions = tuple(SignedTransaction.from_wire(t, max_tx_size) for t in parts[2])
        return cls(parts[0], Signature.from_wire(parts[1]), transactions, tuple(parts[3]))


def build_block(
    *,
    height: int,
    prev_hash: bytes,
    block_time_ms: int,
    raft_term: int,
    raft_index: int,
    prev_state_root: bytes,
    prev_results_root: bytes,
    transactions: Sequence[SignedTransaction],
    proposer: SigningKey,
    results: Sequence[str] = (),
) -> Block:
    """Compute tx_root, sign the header in the BLOCK domain, and return the block.

    A proposal passes ``results=()``; once executed, :meth:`Block.with_results` fills them
    in without touching the signed header.
    """
    tx_ids = [tx.tx_id for tx in transactions]
    _check_results(results, len(tx_ids), allow_pending=True)
    header = BlockHeader(
        height=height,
        prev_hash=BlockHash(prev_hash),
        tx_root=merkle_root(tx_ids),
        tx_count=len(tx_ids),
        block_time_ms=block_time_ms,
        raft_term=raft_term,
        raft_index=raft_index,
        proposer=proposer.key_id,
        prev_state_root=prev_state_root,
        prev_results_root=prev_results_root,
    )
    header_bytes = header.encode()
    signature = proposer.sign(Domain.BLOCK, header_bytes)
    return Block(header_bytes, signature, tuple(transactions), tuple(results))


def genesis_block(
    *,
    proposer: SigningKey,
    block_time_ms: int,
    transactions: Sequence[SignedTransaction] = (),
    results: Sequence[str] = (),
    prev_state_root: bytes = ZERO_HASH,
) -> Block:
    """Height 0, ``prev_hash`` and ``prev_results_root`` 32 zero bytes, Raft term/index 0."""
    return build_block(
        height=0,
        prev_hash=ZERO_HASH,
        block_time_ms=block_time_ms,
        raft_term=0,
        raft_index=0,
        prev_state_root=prev_state_root,
        prev_results_root=ZERO_HASH,
        transactions=transactions,
        results=results,
        proposer=proposer,
    )


def _check_results(results: Sequence[str], tx_count: int, *, allow_pending: bool) -> None:
    """Either one code per transaction, or (a proposal, before execution) none at all."""
    if len(results) != tx_count and not (allow_pending and not results):
        raise BlockMalformed(f"{tx_count} transactions but {len(results)} result codes")
    for code in results:
        _check_result_code(code)


def _check_result_code(code: Any) -> None:
    if type(code) is not str or len(code) > MAX_RESULT_CODE or not RESULT_CODE.fullmatch(code):
        raise BlockMalformed(f"result code {code!r:.80} is not a dotted lower-case code")
