"""Inclusion proofs checked client-side: every leaf of an odd-sized block verifies; any
tampering with the path, the claims or the header, or an untrusted proposer, is refused."""

from __future__ import annotations

import dataclasses

import pytest

from sdk.client import Client, Proof, ProofInvalid, verify_inclusion
from sdk.keys import SigningKey
from sdk.roles import Role
from tests.sdk.client.conftest import MAKER, REGULATOR, ServedNode
from tests.sdk.client.ledger import PROPOSER, MemoryLedger
from tests.sdk.client.streams import commissions, product_and_batch

TRUSTED = [PROPOSER.public_key]


def fill(ledger: MemoryLedger) -> None:
    product_and_batch(ledger, MAKER)
    commissions(ledger, MAKER, blocks=1, per_block=5)  # an odd-sized tree
    commissions(ledger, MAKER, blocks=1, per_block=1)


@pytest.fixture(scope="module")
def proofs() -> list[Proof]:
    """Proofs as the client models them, straight from a ledger (the API is tested below)."""
    ledger = MemoryLedger()
    ledger.enroll(MAKER.key, "acme", Role.MANUFACTURER, Role.QA)
    fill(ledger)
    served = [ledger.proof(tx_id) for tx_id in ledger.receipts]
    return [
        Proof(
            tx_id=p.tx_id,
            height=p.height,
            index=p.index,
            tree_size=p.tree_size,
            path=tuple(p.path),
            tx_root=p.tx_root,
            block_hash=p.block_hash,
            header=dict(p.header),
            checkpoints=(),
        )
        for p in served
        if p is not None
    ]


def in_block(proofs: list[Proof], height: int) -> list[Proof]:
    return [p for p in proofs if p.height == height]


def test_every_transaction_of_every_block_verifies(proofs: list[Proof]) -> None:
    assert [p.tree_size for p in in_block(proofs, 3)] == [5] * 5
    for proof in proofs:
        header = verify_inclusion(proof, TRUSTED)
        assert header.height == proof.height
        assert header.proposer == PROPOSER.key_id


def test_the_client_fetches_and_verifies(node1: ServedNode, ledger: MemoryLedger) -> None:
    fill(ledger)
    tx_id = list(ledger.receipts)[3]
    with Client([node1.url], identity=REGULATOR) as client:
        proof = client.proof(tx_id)
        header = client.verify_inclusion(tx_id, {"any": PROPOSER.public_key})
    assert header.tx_count == 5
    assert (proof.tx_id, proof.height, proof.index) == (tx_id, 3, 1)
    assert verify_inclusion(proof, TRUSTED) == header


def tampered(proofs: list[Proof]) -> dict[str, Proof]:
    proof = in_block(proofs, 3)[2]
    other = in_block(proofs, 3)[0]
    elsewhere = in_block(proofs, 4)[0]
    flipped = proof.path[0][:-1] + ("0" if proof.path[0][-1] != "0" else "1")
    return {
        "a path step": dataclasses.replace(proof, path=(flipped, *proof.path[1:])),
        "a path step dropped": dataclasses.replace(proof, path=proof.path[:-1]),
        "the index": dataclasses.replace(proof, index=3),
        "another tx id": dataclasses.replace(proof, tx_id=elsewhere.tx_id),
        "the tree size": dataclasses.replace(proof, tree_size=8),
        "the tx root": dataclasses.replace(proof, tx_root=elsewhere.tx_root),
        "the block hash": dataclasses.replace(proof, block_hash=elsewhere.block_hash),
        "the whole header": dataclasses.replace(
            proof, header=elsewhere.header, block_hash=elsewhere.block_hash
        ),
        "the signature": dataclasses.replace(
            proof, header={**proof.header, "signature": elsewhere.header["signature"]}
        ),
        "no header bytes": dataclasses.replace(
            proof, header={k: v for k, v in proof.header.items() if k != "header_bytes"}
        ),
        "the height": dataclasses.replace(proof, height=4),
        "a sibling's path": dataclasses.replace(proof, path=other.path),
    }


@pytest.mark.parametrize(
    "what",
    [
        "a path step",
        "a path step dropped",
        "the index",
        "another tx id",
        "the tree size",
        "the tx root",
        "the block hash",
        "the whole header",
        "the signature",
        "no header bytes",
        "the height",
        "a sibling's path",
    ],
)
def test_tampering_is_refused(proofs: list[Proof], what: str) -> None:
    assert verify_inclusion(in_block(proofs, 3)[2], TRUSTED)  # the untouched proof holds
    with pytest.raises(ProofInvalid):
        verify_inclusion(tampered(proofs)[what], TRUSTED)


def test_an_untrusted_proposer_is_refused(proofs: list[Proof]) -> None:
    stranger = SigningKey.from_seed(bytes(32)).public_key
    with pytest.raises(ProofInvalid, match="not among the trusted"):
        verify_inclusion(proofs[0], [stranger])
