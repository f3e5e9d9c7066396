"""Write the known-answer vectors of docs/formats.md §8 from fixed seeds.

Run once: ``.venv/bin/python -m tests.sdk.vectors.generate``. The JSON files are committed;
tests/sdk/test_vectors.py recomputes every vector and compares, so a change to any wire
format shows up as a failing test and a reviewable diff of these files, never silently.
Values that JSON cannot hold (bytes) are written as Python literals (``repr``) and read back
with ``ast.literal_eval``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sdk.block import build_block, genesis_block
from sdk.encoding import encode
from sdk.keys import Domain, SigningKey
from sdk.merkle import inclusion_proof, merkle_root
from sdk.tx import build

HERE = Path(__file__).resolve().parent
CLIENT_SEED = bytes(range(32))
PROPOSER_SEED = bytes(range(32, 64))

ENCODING_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    127,
    128,
    255,
    256,
    65536,
    2**32,
    2**64 - 1,
    -1,
    -32,
    -33,
    -129,
    -(2**63),
    "",
    "rxledger",
    "药品追溯码",
    "a" * 32,
    b"",
    b"\x00\xff",
    [],
    [1, "two", b"3", None],
    {},
    {"b": 1, "a": 2, "aa": 3, "B": 4},
    {"é": 1, "z": 2, "ü": [True, {"k": b"v"}]},
]


def encoding_vectors() -> list[dict[str, str]]:
    return [{"value": repr(v), "hex": encode(v).hex()} for v in ENCODING_VALUES]


def transaction_vector() -> dict[str, Any]:
    key = SigningKey.from_seed(CLIENT_SEED)
    args = {"code": "0109501101530003172612311000ABC12321XYZ987", "to": "acme-dc-1"}
    tx = build("acme-net", "trace", "ship", args, key.key_id, nonce=7, client_time_ms=1_700_000)
    signed = tx.sign(key)
    return {
        "seed": CLIENT_SEED.hex(),
        "public_key": key.public_key.raw.hex(),
        "key_id": key.key_id.hex(),
        "chain_id": tx.chain_id,
        "contract": tx.contract,
        "function": tx.function,
        "args": repr(args),
        "nonce": tx.nonce,
        "client_time_ms": tx.client_time_ms,
        "domain_prefix": Domain.TRANSACTION.prefix.hex(),
        "body_hex": signed.body.hex(),
        "signature_hex": signed.signature.value.hex(),
        "wire_hex": signed.to_wire().hex(),
        "tx_id": signed.tx_id.hex(),
    }


def block_vector() -> dict[str, Any]:
    client = SigningKey.from_seed(CLIENT_SEED)
    proposer = SigningKey.from_seed(PROPOSER_SEED)
    txs = [
        build("acme-net", "trace", "ship", {"n": n}, client.key_id, nonce=n, client_time_ms=n).sign(
            client
        )
        for n in range(3)
    ]
    genesis = genesis_block(proposer=proposer, block_time_ms=1_000)
    block = build_block(
        height=1,
        prev_hash=genesis.block_hash,
        block_time_ms=2_000,
        raft_term=1,
        raft_index=2,
        prev_state_root=bytes([7]) * 32,
        prev_results_root=genesis.results_root,
        transactions=txs,
        proposer=proposer,
        results=["ok", "trace.already_dispensed", "ok"],
    )
    return {
        "proposer_seed": PROPOSER_SEED.hex(),
        "genesis_header_hex": genesis.header_bytes.hex(),
        "genesis_hash": genesis.block_hash.hex(),
        "header_hex": block.header_bytes.hex(),
        "block_hash": block.block_hash.hex(),
        "signature_hex": block.signature.value.hex(),
        "tx_ids": [t.hex() for t in block.tx_ids],
        "tx_root": block.header.tx_root.hex(),
        "results": list(block.results),
        "results_root": block.results_root.hex(),
        "wire_hex": block.to_wire().hex(),
    }


def merkle_vectors() -> list[dict[str, Any]]:
    cases = []
    for size in (0, 1, 2, 3, 5, 7, 8):
        leaves = [bytes([i]) * 32 for i in range(size)]
        cases.append(
            {
                "leaves": [leaf.hex() for leaf in leaves],
                "root": merkle_root(leaves).hex(),
                "proofs": [[p.hex() for p in inclusion_proof(leaves, i)] for i in range(size)],
            }
        )
    return cases


FILES = {
    "encoding.json": encoding_vectors,
    "transaction.json": transaction_vector,
    "block.json": block_vector,
    "merkle.json": merkle_vectors,
}


def render(name: str) -> str:
    return json.dumps(FILES[name](), indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    for name in FILES:
        (HERE / name).write_text(render(name), encoding="utf-8")


if __name__ == "__main__":
    main()
