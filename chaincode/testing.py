"""Unit-test contracts with no node: an in-memory ledger that runs blocks of invocations.

ledger = ContractHarness([TraceContract()])
maker = ledger.signer("acme", Role.MANUFACTURER)
outcome = ledger.invoke(maker, "trace", "register_product", {...})
assert outcome.ok
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from chaincode.api import Contract, Event, Signer, Value
from chaincode.executor import BlockExecutor, Invocation, TxOutcome, run_query
from chaincode.layers import Write
from chaincode.memory import MemoryState
from chaincode.registry import ContractRegistry
from sdk.roles import Role

GENESIS_TIME_MS = 1_767_225_600_000
"""2026-01-01T00:00:00Z: the harness clock starts here and advances one second a block."""


class ContractHarness:
    """A single-node ledger in memory: blocks of invocations, committed state, history, events."""

    def __init__(
        self, contracts: Iterable[Contract], *, start_time_ms: int = GENESIS_TIME_MS
    ) -> None:
        self.registry = ContractRegistry(contracts)
        self.state = MemoryState()
        self.height = 0
        self.time_ms = start_time_ms
        self.events: list[Event] = []
        self.write_sets: list[list[Write]] = []
        self._tx_counter = 0

    @staticmethod
    def signer(org_id: str, *roles: Role, name: str | None = None) -> Signer:
        """A signer whose key id is derived from its org and name (stable across runs)."""
        label = f"{org_id}/{name or '-'.join(sorted(r.value for r in roles)) or 'member'}"
        return Signer(hashlib.sha256(label.encode()).hexdigest(), org_id, frozenset(roles))

    def invocation(
        self, signer: Signer, contract: str, function: str, args: Mapping[str, Any]
    ) -> Invocation:
        self._tx_counter += 1
        tx_id = hashlib.sha256(f"harness-tx-{self._tx_counter}".encode()).hexdigest()
        return Invocation(tx_id, signer, contract, function, args)

    def block(
        self, invocations: Sequence[Invocation], *, time_ms: int | None = None
    ) -> list[TxOutcome]:
        """Execute one block and commit it; returns each transaction's outcome in order."""
        self.height += 1
        self.time_ms = self.time_ms + 1000 if time_ms is None else time_ms
        executor = BlockExecutor(
            self.registry, self.state, height=self.height, block_time_ms=self.time_ms
        )
        outcomes = [executor.execute(inv) for inv in invocations]
        self.write_sets.append(executor.layer.write_set())
        self.state.apply(executor.layer)
        for outcome in outcomes:
            self.events.extend(outcome.events)
        return outcomes

    def invoke(
        self,
        signer: Signer,
        contract: str,
        function: str,
        args: Mapping[str, Any],
        *,
        time_ms: int | None = None,
    ) -> TxOutcome:
        """One transaction in a block of its own."""
        return self.block([self.invocation(signer, contract, function, args)], time_ms=time_ms)[0]

    def query(self, signer: Signer, contract: str, function: str, args: Mapping[str, Any]) -> Value:
        return run_query(
            self.registry,
            self.state,
            self.invocation(signer, contract, function, args),
            height=self.height,
            block_time_ms=self.time_ms,
        )

    def events_of(self, contract: str, event_type: str) -> list[Value]:
        return [e.payload for e in self.events if e.contract == contract and e.type == event_type]
