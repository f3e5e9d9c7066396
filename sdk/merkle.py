"""Merkle tree over a block's tx ids, RFC 6962 §2.1 / RFC 9162 §2.1 (docs/formats.md §5).

    MTH([])        = SHA-256()                                   (the empty block's root)
    MTH([d0])      = SHA-256(0x00 || d0)                         leaf
    MTH(D[0:n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))  node, k = largest power
                                                                  of two strictly below n

The distinct leaf and node prefixes make the tree second-preimage safe: an inner node can
never be passed off as a leaf. The split rule fixes odd counts: the right subtree is simply
smaller, nothing is duplicated (so, unlike Bitcoin's rule, two different lists never share a
root). Built bottom-up, this is the same as pairing neighbours and carrying an unpaired last
node up unchanged, which is how :func:`merkle_root` computes it.

:func:`verify_inclusion` needs nothing but the leaf, its index, the tree size, the proof and
a root the client already trusts (from a signed block header).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from sdk.errors import ProofError

LEAF_PREFIX: Final = b"\x00"
NODE_PREFIX: Final = b"\x01"
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH of ``leaves`` (each leaf is the data, e.g. a 32-byte tx id, not its hash)."""
    if not leaves:
        return EMPTY_ROOT
    return _subtree_root([leaf_hash(leaf) for leaf in leaves])


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of ``leaves[index]``, RFC 6962 §2.1.1 PATH(m, D[n]), leaf side first."""
    if not 0 <= index < len(leaves):
        raise ProofError(f"leaf index {index} is outside a tree of {len(leaves)} leaves")
    hashes = [leaf_hash(leaf) for leaf in leaves]
    proof: list[bytes] = []
    _path(index, hashes, proof)
    return proof


def _path(index: int, hashes: Sequence[bytes], proof: list[bytes]) -> None:
    if len(hashes) <= 1:
        return
    split = _split(len(hashes))
    if index < split:
        _path(index, hashes[:split], proof)
        proof.append(_subtree_root(hashes[split:]))
    else:
        _path(index - split, hashes[split:], proof)
        proof.append(_subtree_root(hashes[:split]))


def _subtree_root(hashes: Sequence[bytes]) -> bytes:
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def _split(size: int) -> int:
    """Largest power of two strictly less than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when ``proof`` shows ``leaf`` at ``index`` of a ``tree_size`` tree with ``root``.

    RFC 9162 §2.1.3.2, run by a client that trusts only ``root``.
    """
    if not 0 <= index < tree_size:
        return False
    node, last = index, tree_size - 1
    computed = leaf_hash(leaf)
    for sibling in proof:
        if len(sibling) != hashlib.sha256().digest_size or last == 0:
            return False
        if node & 1 or node == last:
            computed = node_hash(sibling, computed)
            if not node & 1:
                # A right-edge node carried up unchanged: skip the levels it was not paired.
                while node and not node & 1:
                    node >>= 1
                    last >>= 1
        else:
            computed = node_hash(computed, sibling)
        node >>= 1
        last >>= 1
    return last == 0 and computed == root
