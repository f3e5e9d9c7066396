"""The replicated state machine: genesis, cutting, applying, skipping, refusing, forks.

Every test runs real LMDB stores in ``tmp_path`` and real Ed25519 keys and certificates.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chaincode.contracts.msp import genesis_state
from chaincode.errors import ContractPinMismatch
from chaincode.layers import Write
from node.chain import Chain, encode_write_set, genesis_proposer, next_state_root
from node.errors import ForkDetected, GenesisMismatch, NodeError
from node.genesis import ContractPinModel
from node.storage.env import LedgerEnv
from node.storage.ledger import LedgerStore
from sdk.block import Block, build_block, results_root_of
from sdk.encoding import encode
from sdk.ids import ZERO_HASH, TxId, sha256
from sdk.keys import Signature, SigningKey
from sdk.merkle import merkle_root
from sdk.tx import SignedTransaction, build
from tests.chaincode.contracts.scenario_msp import key, key_id
from tests.node.chain_fixtures import (
    ADMIN,
    CHAIN_ID,
    LINE,
    T0,
    Replica,
    batch_tx,
    bump,
    commission_tx,
    genesis,
    node_key,
    product_tx,
    registry,
    replicas,
    tx,
)

# --- genesis ----------------------------------------------------------------------------------


def test_genesis_writes_block_zero_and_the_membership_state(tmp_path: Path) -> None:
    replica = Replica(tmp_path / "n1")
    try:
        tip = replica.chain.tip()
        block = replica.block(0)
        assert (tip.height, tip.block_hash, tip.block_time_ms) == (
            0,
            block.block_hash,
            replica.model.created_ms,
        )
        assert block.header.proposer == genesis_proposer(replica.model).key_id
        assert block.header.prev_hash == ZERO_HASH == block.header.prev_results_root
        assert tip.results_root == merkle_root([])
        for k, v in genesis_state(replica.model):
            assert replica.store.get("msp", k) == v
        assert replica.store.get("config", "tx_time_window_ms") == replica.model.tx_time_window_ms
        # state_root_0 = SHA-256(32 zero bytes || SHA-256(encode(sorted write set)))
        writes = sorted(
            [("msp", k, v) for k, v in genesis_state(replica.model)]
            + [(ns, k, v) for ns, k, v in _config_items(replica.store)],
            key=lambda w: (w[0].encode(), w[1].encode()),
        )
        expected = sha256(ZERO_HASH + sha256(encode([list(w) for w in writes])))
        assert tip.state_root == expected == replica.store.state_root()
    finally:
        replica.close()


def _config_items(store: LedgerStore) -> list[tuple[str, str, object]]:
    return [("config", k, v) for k, v in store.range("config", "", None)]


def test_genesis_is_written_once_and_identically_everywhere(tmp_path: Path) -> None:
    with replicas(tmp_path) as (a, b):
        a.chain.ensure_genesis()
        assert a.chain.tip() == b.chain.tip()
        assert a.store.block(0) == b.store.block(0)


def test_a_store_of_another_genesis_is_refused(tmp_path: Path) -> None:
    Replica(tmp_path / "n1").close()
    env = LedgerEnv(tmp_path / "n1")
    try:
        other = genesis(created_ms=genesis().created_ms + 1)
        chain = Chain(store=LedgerStore(env), genesis=other, registry=registry())
        with pytest.raises(GenesisMismatch, match="another genesis") as raised:
            chain.ensure_genesis()
        assert raised.value.code == "node.genesis_mismatch"
        chain.close()
    finally:
        env.close()


def test_tip_before_genesis_says_what_to_do(tmp_path: Path) -> None:
    env = LedgerEnv(tmp_path / "empty")
    chain = Chain(store=LedgerStore(env), genesis=genesis(), registry=registry(), verify_workers=1)
    try:
        with pytest.raises(NodeError, match="ensure_genesis"):
            chain.tip()
    finally:
        chain.close()
        env.close()


def test_write_set_digest_is_the_digest_of_the_canonical_array() -> None:
    writes = [Write("a", f"k{i:03d}", {"z": i, "a": [i, None]}) for i in range(40)]
    writes.append(Write("b", "gone", None))
    encoded = encode_write_set(writes)
    canonical = encode([[w.namespace, w.key, w.value] for w in writes])
    assert encoded.digest == sha256(canonical)
    assert encoded.values[("a", "k007")] == encode({"a": [7, None], "z": 7})
    assert next_state_root(ZERO_HASH, encoded.digest) == sha256(ZERO_HASH + sha256(canonical))


# --- replicas agree ---------------------------------------------------------------------------


def test_two_replicas_applying_the_same_entries_agree_at_every_height(tmp_path: Path) -> None:
    blocks = [
        [product_tx(), batch_tx("L1"), bump("a"), bump("b", 5)],
        [commission_tx("L1", ["A1", "A2", "A3"]), bump("a", 2)],
        [commission_tx("L1", ["A1"]), tx(LINE, "counter", "refuse", {"key": "a"})],
        [],
    ]
    with replicas(tmp_path) as (leader, follower):
        for txs in blocks:
            index, data = leader.cut(txs)
            results = [leader.apply(index, data), follower.apply(index, data)]
            assert results[0] == results[1]
            assert results[0].skipped_reason is None
            assert leader.chain.tip() == follower.chain.tip()
        for height in range(len(blocks) + 1):
            assert leader.store.block(height) == follower.store.block(height)
        assert leader.block(3).results == (
            "trace.duplicate_code",
            "counter.refused",
        )
        assert leader.counter("a") == 3  # the refused transaction's write was discarded
        assert [e.event.type for e in leader.store.events_from(1) if e.event.contract == "counter"]


def test_each_header_binds_the_previous_state_and_results(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        index, data = replica.cut([bump("a"), tx(LINE, "counter", "refuse", {"key": "a"})])
        first = replica.apply(index, data)
        index, data = replica.cut([bump("b")])
        replica.apply(index, data)
        header = replica.block(2).header
        assert header.prev_state_root == first.state_root
        ids = [TxId(t) for t in first.tx_ids]
        assert header.prev_results_root == results_root_of(ids, ["ok", "counter.refused"])
        replica.block(1).check_results(header)


def test_receipts_hold_code_message_and_result(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        refused = tx(LINE, "counter", "refuse", {"key": "x"})
        index, data = replica.cut([bump("x", 4), refused])
        result = replica.apply(index, data)
        assert [(o.code, o.result) for o in result.outcomes] == [
            ("ok", 4),
            ("counter.refused", None),
        ]
        stored = replica.store.outcome(refused.tx_id)
        assert stored is not None
        assert (stored.code, stored.message) == ("counter.refused", "x may not be bumped")
        assert result.events[0][0] == 0
        assert result.events[0][1].payload == {"key": "x", "value": 4}
        assert result.settled_tx_ids == result.tx_ids


def test_history_and_state_record_versions_by_height_and_index(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        index, data = replica.cut([bump("h"), bump("h", 10)])
        replica.apply(index, data)
        entry = replica.store.get_entry("counter", "h")
        assert entry is not None
        assert (entry.value, entry.height, entry.tx_index) == (11, 1, 1)
        assert [(v.tx_index, v.value) for v in replica.store.history("counter", "h")] == [
            (0, 1),
            (1, 11),
        ]


# --- stale and duplicate proposals ------------------------------------------------------------


def test_stale_and_duplicate_proposals_are_skipped_identically(tmp_path: Path) -> None:
    with replicas(tmp_path) as (a, b):
        index, data = a.cut([bump("s")])
        assert a.apply(index, data).skipped_reason is None
        assert b.apply(index, data).skipped_reason is None
        cases = {
            "same block again": (index + 1, data, 1),
            "right place, other term": (index + 2, a.cut([bump("t")], index=index + 2)[1], 2),
            "cut for a later index": (index + 3, a.cut([bump("u")], index=index + 8)[1], 1),
            "not a block": (index + 4, b"\x93\x01\x02", 1),
        }
        for name, (entry, payload, term) in cases.items():
            skipped = [r.apply(entry, payload, term) for r in (a, b)]
            assert skipped[0].skipped_reason is not None, name
            assert skipped[0] == skipped[1], name
            assert a.store.applied_index() == entry  # a skipped entry is applied as a no-op
        assert a.counter("s") == b.counter("s") == 1
        assert a.chain.tip() == b.chain.tip()
        assert a.chain.tip().height == 1


def test_a_block_cut_on_an_old_tip_is_skipped(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        first_index, first = replica.cut([bump("o")])
        early = replica.cut([bump("p")], index=first_index + 1)[1]  # also on the genesis tip
        replica.apply(first_index, first)
        result = replica.apply(first_index + 1, early)
        assert result.skipped_reason is not None
        assert "another tip" in result.skipped_reason
        assert replica.counter("p") is None


def test_a_proposer_that_is_not_a_voting_node_is_skipped(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        tip = replica.chain.tip()
        forged = build_block(
            height=1,
            prev_hash=tip.block_hash,
            block_time_ms=T0,
            raft_term=1,
            raft_index=1,
            prev_state_root=tip.state_root,
            prev_results_root=tip.results_root,
            transactions=[bump("f")],
            proposer=SigningKey.from_seed(bytes(range(32))),
        )
        by_member = build_block(
            height=1,
            prev_hash=tip.block_hash,
            block_time_ms=T0,
            raft_term=1,
            raft_index=2,
            prev_state_root=tip.state_root,
            prev_results_root=tip.results_root,
            transactions=[bump("f")],
            proposer=key(LINE),
        )
        first = replica.apply(1, forged.to_wire())
        second = replica.apply(2, by_member.to_wire())
        assert first.skipped_reason is not None
        assert "not a node key" in first.skipped_reason
        assert second.skipped_reason is not None
        assert "not a node key" in second.skipped_reason
        assert replica.counter("f") is None


def test_a_block_whose_signature_does_not_verify_is_skipped(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        index, data = replica.cut([bump("g")])
        block = Block.from_wire(data)
        bad = Signature(block.signature.algorithm, bytes(64))
        tampered = Block(block.header_bytes, bad, block.transactions, ())
        result = replica.apply(index, tampered.to_wire())
        assert result.skipped_reason is not None
        assert "does not verify" in result.skipped_reason


def test_an_entry_applied_before_is_not_applied_again(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        index, data = replica.cut([bump("r")])
        replica.apply(index, data)
        again = replica.apply(index, data)
        assert again.skipped_reason == f"entry {index} was applied before"
        assert replica.counter("r") == 1


# --- transactions inside a block --------------------------------------------------------------


def _manual_block(replica: Replica, txs: list[SignedTransaction], index: int) -> bytes:
    """A block with exactly ``txs`` (cut_block would drop duplicates)."""
    tip = replica.chain.tip()
    return build_block(
        height=tip.height + 1,
        prev_hash=tip.block_hash,
        block_time_ms=T0 + 1000 * (tip.height + 1),
        raft_term=1,
        raft_index=index,
        prev_state_root=tip.state_root,
        prev_results_root=tip.results_root,
        transactions=txs,
        proposer=node_key(2),
    ).to_wire()


def test_a_duplicate_never_executes_twice(tmp_path: Path) -> None:
    with replicas(tmp_path) as (a, b):
        once = bump("d", 7)
        for index, txs in ((1, [once, once, bump("e")]), (2, [once])):
            data = _manual_block(a, txs, index)
            results = [a.apply(index, data), b.apply(index, data)]
            assert results[0] == results[1]
        assert a.block(1).results == ("ok", "tx.duplicate", "ok")
        assert a.block(2).results == ("tx.duplicate",)
        assert a.counter("d") == b.counter("d") == 7
        location = a.store.locate(once.tx_id)
        assert location is not None
        assert (location.height, location.index) == (1, 0)
        assert results[0].settled_tx_ids == [once.tx_id]


def test_cut_block_leaves_out_committed_and_repeated_transactions(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        first = bump("c")
        index, data = replica.cut([first])
        replica.apply(index, data)
        second = bump("c")
        block = replica.chain.cut_block(
            [first, second, second],
            proposer=node_key(),
            raft_term=1,
            raft_index=index + 1,
            now_ms=T0,  # earlier than the tip: the block time never goes back
        )
        assert block.tx_ids == [second.tx_id]
        assert block.header.block_time_ms == replica.chain.tip().block_time_ms
        assert block.header.height == 2


def test_a_bad_signature_is_refused_and_the_rest_execute(tmp_path: Path) -> None:
    with replicas(tmp_path) as (a, b):
        genuine = bump("v", 3)
        forged = SignedTransaction(genuine.body, Signature(genuine.signature.algorithm, bytes(64)))
        data = _manual_block(a, [forged, bump("w")], 1)
        results = [a.apply(1, data), b.apply(1, data)]
        assert results[0] == results[1]
        assert results[0].results == ["signature.invalid", "ok"]
        assert a.counter("v") is None
        assert a.counter("w") == 1
        assert a.store.locate(genuine.tx_id) is None  # a forged copy does not spend the id
        assert results[0].settled_tx_ids == [results[0].tx_ids[1]]
        index, data = a.cut([genuine])
        assert a.apply(index, data).results == ["ok"]
        assert a.counter("v") == 3


@pytest.mark.parametrize("workers", [1, 3])
def test_signatures_of_a_big_block_are_checked_in_order(tmp_path: Path, workers: int) -> None:
    txs = [bump(f"b{n}") for n in range(200)]
    for position in (0, 57, 199):
        genuine = txs[position]
        txs[position] = SignedTransaction(
            genuine.body, Signature(genuine.signature.algorithm, bytes(64))
        )
    replica = Replica(tmp_path / "n1", verify_workers=workers)
    try:
        index, data = replica.cut(txs)
        codes = replica.apply(index, data).results
        assert [n for n, code in enumerate(codes) if code != "ok"] == [0, 57, 199]
        assert {codes[0], codes[57], codes[199]} == {"signature.invalid"}
    finally:
        replica.close()


def test_signer_and_chain_refusals(tmp_path: Path) -> None:
    stranger = SigningKey.from_seed(bytes(32))
    by_stranger = build(
        CHAIN_ID, "counter", "bump", {"key": "z"}, stranger.key_id, client_time_ms=T0
    ).sign(stranger)
    txs = [
        by_stranger,
        tx(LINE, "counter", "bump", {"key": "z"}, chain_id="other-chain"),
        bump("z", at_ms=T0 - genesis().tx_time_window_ms - 1),
        bump("z", at_ms=T0 + 1000 + genesis().tx_time_window_ms + 1),
        bump("z", at_ms=T0 + 1000 + genesis().tx_time_window_ms),
    ]
    with replicas(tmp_path, 1) as (replica,):
        data = _manual_block(replica, txs, 1)  # block time T0 + 1000
        result = replica.apply(1, data)
        assert result.results == [
            "signer.unknown",
            "tx.wrong_chain",
            "tx.expired",
            "tx.from_future",
            "ok",
        ]
        assert result.indexed == [False, False, True, True, True]
        assert replica.counter("z") == 1


def test_a_revocation_earlier_in_the_block_counts(tmp_path: Path) -> None:
    revoke = tx(ADMIN, "msp", "revoke", {"key_id": key_id(LINE), "reason": "line retired"})
    with replicas(tmp_path) as (a, b):
        index, data = a.cut([bump("k"), revoke, bump("k")])
        results = [a.apply(index, data), b.apply(index, data)]
        assert results[0] == results[1]
        assert results[0].results == ["ok", "ok", "signer.revoked"]
        assert a.counter("k") == 1
        index, data = a.cut([bump("k")])
        assert a.apply(index, data).results == ["signer.revoked"]


# --- forks, pins and restarts -----------------------------------------------------------------


def test_a_wrong_prev_state_root_is_a_fork(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        tip = replica.chain.tip()
        for field_name in ("prev_state_root", "prev_results_root"):
            roots = {"prev_state_root": tip.state_root, "prev_results_root": tip.results_root}
            roots[field_name] = sha256(b"something else")
            block = build_block(
                height=1,
                prev_hash=tip.block_hash,
                block_time_ms=T0,
                raft_term=1,
                raft_index=1,
                transactions=[bump("q")],
                proposer=node_key(3),
                prev_state_root=roots["prev_state_root"],
                prev_results_root=roots["prev_results_root"],
            )
            with pytest.raises(ForkDetected, match="executed differently"):
                replica.apply(1, block.to_wire())
        assert replica.chain.tip() == tip
        assert replica.store.applied_index() == 0
        assert replica.counter("q") is None


def test_a_pinned_contract_with_other_code_stops_the_node(tmp_path: Path) -> None:
    pinned = genesis(
        contracts=[ContractPinModel(name="counter", version="0.0.1-test", code_hash="0" * 64)]
    )
    replica = Replica(tmp_path / "n1", pinned)
    try:
        index, data = replica.cut([bump("p")])
        with pytest.raises(ContractPinMismatch, match="install the pinned release"):
            replica.apply(index, data)
        assert replica.counter("p") is None
    finally:
        replica.close()


def test_a_restarted_replica_continues_where_it_stopped(tmp_path: Path) -> None:
    with replicas(tmp_path) as (a, b):
        index, data = a.cut([bump("n")])
        a.apply(index, data)
        b.apply(index, data)
        b_tip = b.chain.tip()
        b = b.reopen()
        try:
            assert b.chain.tip() == b_tip
            assert b.store.applied_index() == index
            index, data = a.cut([bump("n", 2)])
            assert a.apply(index, data) == b.apply(index, data)
            assert b.counter("n") == 3
            b.chain.mark_applied(index + 1)
            assert b.store.applied_index() == index + 1
            b.chain.mark_applied(index)
            assert b.store.applied_index() == index + 1
        finally:
            b.close()


def test_commissioning_through_a_block_is_verifiable(tmp_path: Path) -> None:
    with replicas(tmp_path, 1) as (replica,):
        index, data = replica.cut([product_tx(), batch_tx("L9")])
        replica.apply(index, data)
        serials = [f"S{n:04d}" for n in range(50)]
        index, data = replica.cut(
            [commission_tx("L9", serials[:25]), commission_tx("L9", serials[25:])]
        )
        result = replica.apply(index, data)
        assert result.results == ["ok", "ok"]
        assert replica.store.get("trace", "code/sgtin:09501101530003.S0049") is not None
