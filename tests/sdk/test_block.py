"""Blocks: header field order, hash, proposer signature, roots, results (docs/formats.md §4)."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from sdk import errors
from sdk.block import Block, BlockHeader, build_block, genesis_block, result_leaf
from sdk.encoding import decode, encode
from sdk.ids import ZERO_HASH, BlockHash
from sdk.keys import Domain, SigningKey
from sdk.merkle import inclusion_proof, merkle_root, verify_inclusion
from sdk.tx import SignedTransaction, build

CLIENT = SigningKey.from_seed(bytes(range(32)))
PROPOSER = SigningKey.from_seed(bytes(range(32, 64)))


def txs(count: int) -> list[SignedTransaction]:
    return [
        build("acme-net", "trace", "ship", {"n": n}, CLIENT.key_id, nonce=n, client_time_ms=n).sign(
            CLIENT
        )
        for n in range(count)
    ]


def chain() -> tuple[Block, Block]:
    genesis = genesis_block(proposer=PROPOSER, block_time_ms=1_000)
    block = build_block(
        height=1,
        prev_hash=genesis.block_hash,
        block_time_ms=2_000,
        raft_term=3,
        raft_index=4,
        prev_state_root=b"\x07" * 32,
        prev_results_root=genesis.results_root,
        transactions=txs(3),
        proposer=PROPOSER,
        results=["ok", "trace.already_dispensed", "ok"],
    )
    return genesis, block


def test_genesis() -> None:
    genesis, _ = chain()
    assert genesis.header.height == 0
    assert genesis.header.prev_hash == ZERO_HASH
    assert genesis.header.prev_results_root == ZERO_HASH
    assert genesis.header.tx_root == merkle_root([]) == hashlib.sha256(b"").digest()
    assert genesis.header.tx_count == 0
    genesis.verify(PROPOSER.public_key)


def test_header_field_order_and_hash() -> None:
    _, block = chain()
    h = block.header
    assert decode(block.header_bytes) == [
        1,
        1,
        h.prev_hash,
        h.tx_root,
        3,
        2_000,
        3,
        4,
        PROPOSER.key_id,
        b"\x07" * 32,
        h.prev_results_root,
    ]
    assert block.block_hash == hashlib.sha256(block.header_bytes).digest()
    assert BlockHeader.decode(block.header_bytes) == h
    assert h.encode() == block.header_bytes


def test_wire_round_trip_and_verify() -> None:
    _, block = chain()
    received = Block.from_wire(block.to_wire())
    assert received == block
    assert received.block_hash == block.block_hash
    assert received.results == ("ok", "trace.already_dispensed", "ok")
    received.verify(PROPOSER.public_key)
    assert decode(block.to_wire())[3] == list(block.results)


def test_header_signature_is_in_the_block_domain() -> None:
    _, block = chain()
    with pytest.raises(errors.InvalidSignature):
        PROPOSER.public_key.verify(Domain.TRANSACTION, block.header_bytes, block.signature)
    with pytest.raises(errors.SignerMismatch):
        block.verify(CLIENT.public_key)


def test_tampering_any_header_byte_fails() -> None:
    _, block = chain()
    for position in range(len(block.header_bytes)):
        header = bytearray(block.header_bytes)
        header[position] ^= 0x01
        with pytest.raises(errors.SdkError):
            Block(bytes(header), block.signature, block.transactions, block.results).verify(
                PROPOSER.public_key
            )


def test_transactions_are_bound_by_tx_root_and_count() -> None:
    _, block = chain()
    swapped = (block.transactions[1], block.transactions[0], block.transactions[2])
    with pytest.raises(errors.TxRootMismatch):
        Block(block.header_bytes, block.signature, swapped, block.results)
    with pytest.raises(errors.TxRootMismatch):
        Block(block.header_bytes, block.signature, block.transactions[:2], block.results[:2])


def test_results_are_bound_by_the_next_header() -> None:
    genesis, block = chain()
    genesis.check_results(block.header)
    nxt = build_block(
        height=2,
        prev_hash=block.block_hash,
        block_time_ms=3_000,
        raft_term=3,
        raft_index=5,
        prev_state_root=b"\x08" * 32,
        prev_results_root=block.results_root,
        transactions=[],
        proposer=PROPOSER,
    )
    block.check_results(nxt.header)
    lying = dataclasses.replace(block, results=("ok", "ok", "ok"))
    with pytest.raises(errors.ResultsRootMismatch):
        lying.check_results(nxt.header)
    with pytest.raises(errors.BlockMalformed):
        genesis.check_results(nxt.header)


def test_a_result_is_provable_against_the_next_header() -> None:
    _, block = chain()
    leaves = [result_leaf(t, c) for t, c in zip(block.tx_ids, block.results, strict=True)]
    proof = inclusion_proof(leaves, 1)
    leaf = encode([block.tx_ids[1], "trace.already_dispensed"])
    assert verify_inclusion(leaf, 1, block.header.tx_count, proof, block.results_root)
    assert not verify_inclusion(encode([block.tx_ids[1], "ok"]), 1, 3, proof, block.results_root)


def test_a_proposal_carries_no_results_until_executed() -> None:
    _, block = chain()
    proposal = Block(block.header_bytes, block.signature, block.transactions, ())
    assert not proposal.executed
    with pytest.raises(errors.BlockMalformed):
        _ = proposal.results_root
    executed = proposal.with_results(block.results)
    assert executed == block
    with pytest.raises(errors.BlockMalformed):
        proposal.with_results(["ok"])


@pytest.mark.parametrize("results", [["ok"], ["OK", "ok", "ok"], ["ok", "", "ok"], ["ok", 1, "ok"]])
def test_bad_result_codes(results: list[object]) -> None:
    _, block = chain()
    with pytest.raises(errors.BlockMalformed):
        Block(block.header_bytes, block.signature, block.transactions, tuple(results))  # type: ignore[arg-type]


def test_malformed_and_oversize_blocks() -> None:
    _, block = chain()
    wire = block.to_wire()
    with pytest.raises(errors.BlockTooLarge):
        Block.from_wire(wire, max_size=len(wire) - 1)
    with pytest.raises(errors.TxTooLarge):
        Block.from_wire(wire, max_tx_size=10)
    for bad in (
        encode([]),
        encode([block.header_bytes, block.signature.to_wire(), [1], []]),
        encode([block.header_bytes, block.signature.to_wire(), "x", []]),
        encode([encode([1, 2]), block.signature.to_wire(), [], []]),
        encode([encode([2, *decode(block.header_bytes)[1:]]), block.signature.to_wire(), [], []]),
    ):
        with pytest.raises(errors.BlockMalformed):
            Block.from_wire(bad)


def test_header_fields_are_checked() -> None:
    _, block = chain()
    with pytest.raises(errors.BlockMalformed):
        dataclasses.replace(block.header, prev_hash=BlockHash(b"short"))
    with pytest.raises(errors.BlockMalformed):
        dataclasses.replace(block.header, height=-1)
    with pytest.raises(errors.BlockMalformed):
        dataclasses.replace(block.header, block_time_ms=2**63)
