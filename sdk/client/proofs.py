"""Client-side check of a Merkle inclusion proof against a signed block header.

A node's answer is trusted for nothing (docs/formats.md §4, §5): the header is re-read from
its signed bytes, the block hash recomputed from them, the Merkle path checked against the
header's own ``tx_root`` and ``tx_count`` (RFC 9162 §2.1.3.2, ``sdk.merkle``), and the header
signature checked with a proposer key the caller already trusts (from the consortium's
genesis or node certificates). Only then is the transaction known to be in that block.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping

from sdk.block import BlockHeader, block_hash_of
from sdk.client.errors import ProofInvalid
from sdk.client.models import Proof
from sdk.client.values import LedgerValue
from sdk.errors import SdkError
from sdk.keys import Domain, PublicKey, Signature
from sdk.merkle import verify_inclusion as merkle_holds

TrustedKeys = Mapping[str, PublicKey] | Iterable[PublicKey]
"""Proposer keys trusted to sign blocks: by key id (hex) or as plain public keys."""


def verify_inclusion(proof: Proof, trusted_keys: TrustedKeys) -> BlockHeader:
    """The verified header of the block holding ``proof.tx_id``; ProofInvalid otherwise."""
    header_bytes = _bytes_field(proof.header, "header_bytes")
    try:
        header = BlockHeader.decode(header_bytes)
    except SdkError as exc:
        raise ProofInvalid(f"the header bytes do not decode: {exc.message}") from exc
    if block_hash_of(header_bytes).hex() != proof.block_hash:
        raise ProofInvalid("the block hash is not the hash of the header bytes")
    if header.height != proof.height:
        raise ProofInvalid(f"the proof says height {proof.height}, the header {header.height}")
    if proof.tx_root != header.tx_root.hex() or proof.tree_size != header.tx_count:
        raise ProofInvalid("the proof's tx_root or tree size differs from the signed header's")
    if not _path_holds(proof, header):
        raise ProofInvalid(
            f"the Merkle path does not lead from {proof.tx_id} at index {proof.index} "
            "to the header's tx_root"
        )
    _check_signature(header, header_bytes, _bytes_field(proof.header, "signature"), trusted_keys)
    return header


def _path_holds(proof: Proof, header: BlockHeader) -> bool:
    try:
        leaf = bytes.fromhex(proof.tx_id)
        path = [bytes.fromhex(step) for step in proof.path]
    except ValueError:
        return False
    return merkle_holds(leaf, proof.index, header.tx_count, path, header.tx_root)


def _check_signature(
    header: BlockHeader, header_bytes: bytes, signature: bytes, trusted_keys: TrustedKeys
) -> None:
    keys = _by_id(trusted_keys)
    proposer = header.proposer.hex()
    key = keys.get(proposer)
    if key is None:
        raise ProofInvalid(
            f"block {header.height} was proposed by key {proposer[:16]}…, which is not among "
            "the trusted node keys; pass the consortium's node public keys"
        )
    try:
        key.verify(Domain.BLOCK, header_bytes, Signature(key.algorithm, signature))
    except SdkError as exc:
        raise ProofInvalid(f"the header signature does not verify: {exc.message}") from exc


def _by_id(trusted_keys: TrustedKeys) -> dict[str, PublicKey]:
    if isinstance(trusted_keys, Mapping):
        return {key.key_id.hex(): key for key in trusted_keys.values()}
    return {key.key_id.hex(): key for key in trusted_keys}


def _bytes_field(header: Mapping[str, LedgerValue], name: str) -> bytes:
    """A bytes field of the served header: base64 text (as nodes send it) or tagged bytes."""
    value = header.get(name)
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ProofInvalid(f"the header's {name} is not valid base64") from exc
    raise ProofInvalid(f"the served header carries no {name}; ask a node that serves it")
