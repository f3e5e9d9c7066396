"""Known-answer tests: the committed vectors under tests/sdk/vectors/ still hold.

A failure here means a wire format changed. If that is intended, regenerate with
``python -m tests.sdk.vectors.generate``, review the diff, and update docs/formats.md §8.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sdk.block import Block
from sdk.encoding import decode, encode
from sdk.keys import SigningKey
from sdk.merkle import merkle_root, verify_inclusion
from sdk.tx import SignedTransaction
from tests.sdk.vectors import generate

VECTORS = Path(__file__).resolve().parent / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(generate.FILES))
def test_committed_files_match_the_generator(name: str) -> None:
    assert (VECTORS / name).read_text(encoding="utf-8") == generate.render(name)


def test_encoding_vectors() -> None:
    cases = load("encoding.json")
    assert len(cases) >= 20
    for case in cases:
        value = ast.literal_eval(case["value"])
        assert encode(value).hex() == case["hex"], case["value"]
        assert decode(bytes.fromhex(case["hex"])) == value


def test_transaction_vector_from_the_committed_bytes() -> None:
    vector = load("transaction.json")
    key = SigningKey.from_seed(bytes.fromhex(vector["seed"]))
    assert key.public_key.raw.hex() == vector["public_key"]
    assert hashlib.sha256(key.public_key.raw).hexdigest() == vector["key_id"]
    tx = SignedTransaction.from_wire(bytes.fromhex(vector["wire_hex"]))
    tx.verify(key.public_key)
    assert tx.body.hex() == vector["body_hex"]
    assert tx.tx_id.hex() == vector["tx_id"] == hashlib.sha256(tx.body).hexdigest()
    assert tx.tx.args == ast.literal_eval(vector["args"])
    assert (tx.tx.nonce, tx.tx.client_time_ms) == (vector["nonce"], vector["client_time_ms"])
    # Checked with a second Ed25519 implementation over prefix || body.
    Ed25519PublicKey.from_public_bytes(key.public_key.raw).verify(
        bytes.fromhex(vector["signature_hex"]),
        bytes.fromhex(vector["domain_prefix"]) + tx.body,
    )


def test_block_vector_from_the_committed_bytes() -> None:
    vector = load("block.json")
    proposer = SigningKey.from_seed(bytes.fromhex(vector["proposer_seed"]))
    block = Block.from_wire(bytes.fromhex(vector["wire_hex"]))
    block.verify(proposer.public_key)
    assert block.header_bytes.hex() == vector["header_hex"]
    assert block.block_hash.hex() == vector["block_hash"]
    assert hashlib.sha256(block.header_bytes).hexdigest() == vector["block_hash"]
    assert [t.hex() for t in block.tx_ids] == vector["tx_ids"]
    assert block.header.tx_root.hex() == vector["tx_root"]
    assert block.results_root.hex() == vector["results_root"]
    assert block.header.prev_hash.hex() == vector["genesis_hash"]
    genesis_hash = hashlib.sha256(bytes.fromhex(vector["genesis_header_hex"])).hexdigest()
    assert genesis_hash == vector["genesis_hash"]


def test_merkle_vectors() -> None:
    for case in load("merkle.json"):
        leaves = [bytes.fromhex(leaf) for leaf in case["leaves"]]
        root = bytes.fromhex(case["root"])
        assert merkle_root(leaves) == root
        for index, proof in enumerate(case["proofs"]):
            hashes = [bytes.fromhex(p) for p in proof]
            assert verify_inclusion(leaves[index], index, len(leaves), hashes, root)


def test_docs_quote_the_committed_vectors() -> None:
    docs = (VECTORS.parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    section = docs.split("## 8. Test vectors", 1)[1]
    committed = "".join(p.read_text(encoding="utf-8") for p in VECTORS.glob("*.json"))
    quoted = re.findall(r"`([0-9a-f]{8,})`", section)
    assert len(quoted) >= 10
    for digits in quoted:
        assert digits in committed, digits
    assert f"({len(load('encoding.json'))} cases)" in section
