"""A consortium, contracts and replicas for the block pipeline tests (real LMDB, real keys).

The consortium is the msp tests' one (org CAs and certificates from fixed seeds, via
``sdk.pki``) plus a manufacturing line key, so trace commissions can be signed for real.
A :class:`Replica` is one node's ledger: an LMDB environment, its store and a :class:`Chain`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chaincode.api import Args, Context, Contract, Value, transaction
from chaincode.contracts.config import ConfigContract
from chaincode.contracts.msp import MspContract
from chaincode.contracts.trace import TraceContract
from chaincode.errors import InvalidTransaction
from chaincode.registry import ContractRegistry
from chaincode.testing import GENESIS_TIME_MS
from node.chain import ApplyResult, Chain
from node.genesis import Genesis, GenesisMember
from node.storage.env import LedgerEnv
from node.storage.ledger import LedgerStore
from sdk.block import Block
from sdk.keys import SigningKey
from sdk.roles import Role
from sdk.tx import SignedTransaction, build
from tests.chaincode.contracts.scenario_msp import genesis_model, key, member_pem
from tests.chaincode.contracts.scenario_trace import FakeRelease

CHAIN_ID = "rx-test"
T0 = GENESIS_TIME_MS
"""Block times of the tests start here (the genesis is a day earlier, certificates valid)."""
LINE = "pharmaco/line"
"""A manufacturing line's key: role manufacturer in org pharmaco."""
ADMIN = "pharmaco/admin"
NODE_KEYS = {1: "pharmaco/node1", 2: "distrib/node2", 3: "nmpa/node3"}
ITEM_GTIN = "09501101530003"


class BumpArgs(Args):
    key: str
    by: int = 1


class Counter(Contract):
    """A test contract whose state effect is easy to count."""

    name = "counter"
    version = "0.0.1-test"

    @transaction()
    def bump(self, ctx: Context, args: BumpArgs) -> Value:
        found = ctx.get(args.key)
        value = (found if isinstance(found, int) else 0) + args.by
        ctx.put(args.key, value)
        ctx.emit("bumped", {"key": args.key, "value": value})
        return value

    @transaction()
    def refuse(self, ctx: Context, args: BumpArgs) -> Value:
        ctx.put(args.key, -1)
        raise InvalidTransaction(f"{args.key} may not be bumped", code="counter.refused")


def genesis(**changes: Any) -> Genesis:
    base = genesis_model()
    members = [
        *base.members,
        GenesisMember(cert_pem=member_pem("pharmaco", "line", (Role.MANUFACTURER,))),
    ]
    return base.model_copy(update={"members": members, **changes})


def registry() -> ContractRegistry:
    return ContractRegistry(
        [MspContract(), ConfigContract(), TraceContract(), FakeRelease(), Counter()]
    )


_nonces = itertools.count(1)


def tx(
    who: str,
    contract: str,
    function: str,
    args: Mapping[str, Any],
    *,
    at_ms: int = T0,
    chain_id: str = CHAIN_ID,
    nonce: int | None = None,
) -> SignedTransaction:
    signer = key(who)
    unsigned = build(
        chain_id,
        contract,
        function,
        dict(args),
        signer.key_id,
        nonce=next(_nonces) if nonce is None else nonce,
        client_time_ms=at_ms,
    )
    return unsigned.sign(signer)


def bump(name: str, by: int = 1, *, who: str = LINE, at_ms: int = T0) -> SignedTransaction:
    return tx(who, "counter", "bump", {"key": name, "by": by}, at_ms=at_ms)


def product_tx(at_ms: int = T0) -> SignedTransaction:
    args = {
        "product_key": f"gtin:{ITEM_GTIN}",
        "mah_org": "pharmaco",
        "generic_name": "amoxicillin",
        "dosage_form": "capsule",
        "strength": "500 mg",
        "pack_size": 20,
        "packaging_level": "item",
        "markets": ["US", "DE"],
        "storage_min_centi_c": 1500,
        "storage_max_centi_c": 2500,
    }
    return tx(LINE, "trace", "register_product", args, at_ms=at_ms)


def batch_tx(lot: str, at_ms: int = T0) -> SignedTransaction:
    args = {
        "product_key": f"gtin:{ITEM_GTIN}",
        "lot": lot,
        "status": "pending",
        "released_markets": [],
    }
    return tx(LINE, "release", "set_batch", args, at_ms=at_ms)


def commission_tx(lot: str, serials: Sequence[str], at_ms: int = T0) -> SignedTransaction:
    args = {
        "lot": lot,
        "production_date": "2025-06-01",
        "expiry": "2027-12-31",
        "gtin": ITEM_GTIN,
        "serials": list(serials),
    }
    return tx(LINE, "trace", "commission", args, at_ms=at_ms)


def node_key(node_id: int = 1) -> SigningKey:
    return key(NODE_KEYS[node_id])


class Replica:
    """One node's ledger on disk."""

    def __init__(
        self, path: Path, model: Genesis | None = None, *, verify_workers: int | None = None
    ) -> None:
        self.path = path
        self.model = model or genesis()
        self.env = LedgerEnv(path)
        self.store = LedgerStore(self.env)
        self.chain = Chain(
            store=self.store,
            genesis=self.model,
            registry=registry(),
            verify_workers=verify_workers,
        )
        self.chain.ensure_genesis()
        self.next_index = 1

    def close(self) -> None:
        self.chain.close()
        self.env.close()

    def reopen(self) -> Replica:
        self.close()
        return Replica(self.path, self.model)

    def cut(
        self,
        txs: Sequence[SignedTransaction],
        *,
        at_ms: int | None = None,
        term: int = 1,
        index: int | None = None,
        proposer: int = 1,
    ) -> tuple[int, bytes]:
        """A block on this replica's tip as the leader would cut it: (raft index, entry data)."""
        index = self.store.applied_index() + 1 if index is None else index
        block = self.chain.cut_block(
            txs,
            proposer=node_key(proposer),
            raft_term=term,
            raft_index=index,
            now_ms=at_ms or T0 + 1000 * (self.chain.tip().height + 1),
        )
        return index, block.to_wire()

    def apply(self, index: int, data: bytes, term: int = 1) -> ApplyResult:
        return self.chain.apply_entry(index=index, term=term, data=data)

    def counter(self, name: str) -> Value:
        return self.store.get("counter", name)

    def block(self, height: int) -> Block:
        raw = self.store.block(height)
        if raw is None:
            raise AssertionError(f"no block at height {height}")
        return Block.from_wire(raw)


@contextmanager
def replicas(root: Path, count: int = 2) -> Iterator[list[Replica]]:
    made = [Replica(root / f"node{i + 1}") for i in range(count)]
    try:
        yield made
    finally:
        for replica in made:
            replica.close()
