"""Merkle tree and inclusion proofs, RFC 6962 §2.1 (docs/formats.md §5)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdk.errors import ProofError
from sdk.merkle import EMPTY_ROOT, inclusion_proof, merkle_root, verify_inclusion


def reference_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 MTH written recursively, straight from the RFC, to check the fast version."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(
        b"\x01" + reference_root(leaves[:k]) + reference_root(leaves[k:])
    ).digest()


def shape(index: int, size: int) -> list[bool]:
    """Which side each audit-path sibling sits on (True: left), from RFC 6962 PATH(m, D[n]).

    A proof only proves the size up to its shape: sizes with the same path shape for an
    index (e.g. index 0 of 33 and of 34 leaves) accept the same proof. The signed block
    header's ``tx_count`` is what pins the size (docs/formats.md §5).
    """
    if index >= size:
        return [False] * 99
    if size == 1:
        return []
    k = 1
    while k * 2 < size:
        k *= 2
    if index < k:
        return [*shape(index, k), False]
    return [*shape(index - k, size - k), True]


def test_a_wrong_size_with_another_shape_fails_at_every_index() -> None:
    for size in range(1, 24):
        leaves = leaves_of(size)
        root = merkle_root(leaves)
        for index in range(size):
            proof = inclusion_proof(leaves, index)
            for other in range(1, 40):
                accepted = verify_inclusion(leaves[index], index, other, proof, root)
                assert accepted == (shape(index, other) == shape(index, size))


def leaves_of(size: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(size)]


def test_empty_and_single_leaf_roots() -> None:
    assert merkle_root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert merkle_root([b"a"]) == hashlib.sha256(b"\x00a").digest()
    assert inclusion_proof([b"a"], 0) == []
    assert verify_inclusion(b"a", 0, 1, [], merkle_root([b"a"]))


def test_three_leaves_follow_the_rfc_split() -> None:
    a, b, c = (hashlib.sha256(b"\x00" + x).digest() for x in (b"a", b"b", b"c"))
    ab = hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle_root([b"a", b"b", b"c"]) == hashlib.sha256(b"\x01" + ab + c).digest()


def test_leaf_and_node_prefixes_prevent_second_preimages() -> None:
    leaves = [b"a", b"b"]
    inner = hashlib.sha256(b"\x00a").digest() + hashlib.sha256(b"\x00b").digest()
    # The concatenated child hashes, offered as one leaf, must not reproduce the root.
    assert merkle_root([inner]) != merkle_root(leaves)


def test_odd_counts_do_not_duplicate_the_last_leaf() -> None:
    assert merkle_root([b"a", b"b", b"c"]) != merkle_root([b"a", b"b", b"c", b"c"])


@given(st.integers(min_value=0, max_value=70))
@settings(max_examples=71, deadline=None)
def test_root_matches_the_rfc_definition(size: int) -> None:
    assert merkle_root(leaves_of(size)) == reference_root(leaves_of(size))


@given(st.integers(min_value=1, max_value=70), st.data())
@settings(max_examples=120, deadline=None)
def test_proofs_verify_and_fail_for_anything_wrong(size: int, data: st.DataObject) -> None:
    leaves = leaves_of(size)
    root = merkle_root(leaves)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(leaves, index)
    assert verify_inclusion(leaves[index], index, size, proof, root)
    assert not verify_inclusion(b"\xff" * 32, index, size, proof, root)
    assert not verify_inclusion(leaves[index], index, size, proof, hashlib.sha256(root).digest())
    other_index = data.draw(st.integers(min_value=0, max_value=size + 2))
    if other_index != index:
        assert not verify_inclusion(leaves[index], other_index, size, proof, root)
    other_size = data.draw(st.integers(min_value=1, max_value=size + 70))
    if shape(index, other_size) != shape(index, size):
        assert not verify_inclusion(leaves[index], index, other_size, proof, root)
    if proof:
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)
        assert not verify_inclusion(leaves[index], index, size, [*proof, proof[0]], root)
        flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not verify_inclusion(leaves[index], index, size, flipped, root)


def test_every_index_of_a_ragged_tree() -> None:
    for size in range(1, 20):
        leaves = leaves_of(size)
        root = merkle_root(leaves)
        for index in range(size):
            assert verify_inclusion(
                leaves[index], index, size, inclusion_proof(leaves, index), root
            )


def test_bad_arguments() -> None:
    with pytest.raises(ProofError):
        inclusion_proof([b"a"], 1)
    with pytest.raises(ProofError):
        inclusion_proof([], 0)
    assert not verify_inclusion(b"a", 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(b"a", -1, 2, [b"x" * 32], merkle_root([b"a", b"b"]))
    assert not verify_inclusion(b"a", 0, 2, [b"short"], merkle_root([b"a", b"b"]))
