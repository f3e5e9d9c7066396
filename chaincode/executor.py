"""Executing transactions of a block, deterministically, against a block layer.

Every node runs the same transactions in the same order over the same committed state and
must reach the same results, write set and events. A rejection (``InvalidTransaction``) is a
result like any other: recorded with its code, its writes discarded. Any other exception is a
bug in a contract and propagates so the node stops (fail-stop) instead of diverging.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chaincode.api import Event, Signer, StateReader, Value
from chaincode.context import TxContext
from chaincode.errors import InvalidTransaction
from chaincode.layers import BlockLayer, Layer
from chaincode.registry import ContractRegistry

OK = "ok"
"""Result code of a transaction that executed and committed its writes."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """What a transaction asks for, already authenticated: who, which function, which args."""

    tx_id: str
    signer: Signer
    contract: str
    function: str
    args: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TxOutcome:
    """The result of one transaction: ``code`` is ``ok`` or the rejection's stable code."""

    code: str
    message: str
    result: Value
    events: tuple[Event, ...]

    @property
    def ok(self) -> bool:
        return self.code == OK


class BlockExecutor:
    """Runs the transactions of one block in order over a fresh block layer."""

    def __init__(
        self, registry: ContractRegistry, committed: StateReader, *, height: int, block_time_ms: int
    ) -> None:
        self.registry = registry
        self.layer = BlockLayer(committed, height=height, block_time_ms=block_time_ms)
        self._next_index = 0

    def execute(self, invocation: Invocation) -> TxOutcome:
        tx_index = self._next_index
        self._next_index += 1
        tx_layer = Layer(self.layer)
        ctx = self._context(invocation, tx_layer, read_only=False)
        try:
            result = self.registry.invoke(ctx, invocation.function, invocation.args)
        except InvalidTransaction as rejection:
            return TxOutcome(rejection.code, rejection.message, None, ())
        self.layer.commit_tx(tx_layer, tx_index=tx_index, tx_id=invocation.tx_id)
        return TxOutcome(OK, "", result, tuple(ctx.events))

    def skip(self, code: str, message: str) -> TxOutcome:
        """Record a transaction refused before execution (e.g. duplicate id): it takes an index."""
        self._next_index += 1
        return TxOutcome(code, message, None, ())

    def _context(self, invocation: Invocation, layer: Layer, *, read_only: bool) -> TxContext:
        return TxContext(
            registry=self.registry,
            layer=layer,
            contract=invocation.contract,
            signer=invocation.signer,
            tx_id=invocation.tx_id,
            block_height=self.layer.height,
            block_time_ms=self.layer.block_time_ms,
            read_only=read_only,
        )


def run_query(
    registry: ContractRegistry,
    committed: StateReader,
    invocation: Invocation,
    *,
    height: int,
    block_time_ms: int,
) -> Value:
    """Run a read-only function against committed state; rejections propagate to the caller."""
    ctx = TxContext(
        registry=registry,
        layer=Layer(committed),
        contract=invocation.contract,
        signer=invocation.signer,
        tx_id=invocation.tx_id,
        block_height=height,
        block_time_ms=block_time_ms,
        read_only=True,
    )
    return registry.invoke(ctx, invocation.function, invocation.args)
