"""The execution context handed to contract functions (the implementation of ``Context``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

from chaincode.api import Event, Signer, Value, Version
from chaincode.errors import InvalidTransaction, PermissionDenied, ReadOnlyViolation
from chaincode.layers import Layer
from sdk.roles import Role

if TYPE_CHECKING:
    from chaincode.registry import ContractRegistry

MAX_CALL_DEPTH = 8
"""Contract-to-contract calls deeper than this are refused: a bound every node agrees on."""


def prefix_end(prefix: str) -> str | None:
    """An exclusive upper bound for keys starting with ``prefix`` (None: unbounded).

    U+10FFFF encodes to the greatest 4-byte UTF-8 sequence, so ``prefix + U+10FFFF`` sorts
    after every key that starts with ``prefix`` in UTF-8 byte order.
    """
    return prefix + "\U0010ffff" if prefix else None


MAX_KEY_BYTES = 480
"""Below LMDB's 511-byte key limit, leaving room for the namespace and history suffix."""


def check_key(key: str) -> None:
    """State keys are non-empty UTF-8 without NUL (NUL separates namespace, key and version)."""
    encoded = key.encode("utf-8", errors="strict") if isinstance(key, str) else b""
    if not encoded or b"\x00" in encoded or len(encoded) > MAX_KEY_BYTES:
        raise InvalidTransaction(
            f"state key {key!r:.60} must be 1..{MAX_KEY_BYTES} bytes of UTF-8 without NUL",
            code="state.bad_key",
        )


def missing_role(where: str, signer: Signer, roles: frozenset[Role]) -> PermissionDenied:
    """The one rejection for a signer without any of the roles a function needs."""
    wanted = ", ".join(sorted(r.value for r in roles))
    held = ", ".join(sorted(r.value for r in signer.roles)) or "none"
    return PermissionDenied(
        f"{where} needs one of the roles: {wanted}; signer {signer.key_id[:16]}… of org "
        f"{signer.org_id!r} has: {held}",
        code="permission.missing_role",
    )


class TxContext:
    """One contract's view of one transaction: its namespace, the signer, the block."""

    def __init__(
        self,
        *,
        registry: ContractRegistry,
        layer: Layer,
        contract: str,
        signer: Signer,
        tx_id: str,
        block_height: int,
        block_time_ms: int,
        read_only: bool = False,
        depth: int = 0,
        caller: str | None = None,
    ) -> None:
        self._registry = registry
        self._layer = layer
        self._contract = contract
        self._signer = signer
        self._tx_id = tx_id
        self._height = block_height
        self._time = block_time_ms
        self._read_only = read_only
        self._depth = depth
        self._caller = caller
        self.events: list[Event] = []

    @property
    def signer(self) -> Signer:
        return self._signer

    @property
    def tx_id(self) -> str:
        return self._tx_id

    @property
    def block_height(self) -> int:
        return self._height

    @property
    def block_time_ms(self) -> int:
        return self._time

    @property
    def contract(self) -> str:
        return self._contract

    @property
    def caller(self) -> str | None:
        """The contract that called this one inside the transaction; None at the top level."""
        return self._caller

    def get(self, key: str) -> Value | None:
        return self._layer.get(self._contract, key)

    def put(self, key: str, value: Value) -> None:
        self._check_writable("put")
        check_key(key)
        if value is None:
            raise TypeError("put(key, None) is ambiguous: call delete(key) to remove a key")
        self._layer.put(self._contract, key, value)

    def delete(self, key: str) -> None:
        self._check_writable("delete")
        check_key(key)
        self._layer.delete(self._contract, key)

    def range(
        self, start: str, end: str | None = None, *, limit: int | None = None
    ) -> Iterator[tuple[str, Value]]:
        return islice(self._layer.range(self._contract, start, end), limit)

    def prefix(self, prefix: str, *, limit: int | None = None) -> Iterator[tuple[str, Value]]:
        return self.range(prefix, prefix_end(prefix), limit=limit)

    def history(self, key: str) -> Iterator[Version]:
        return self._layer.history(self._contract, key)

    def emit(self, event_type: str, payload: Value) -> None:
        self._check_writable("emit")
        self.events.append(Event(self._contract, event_type, payload))

    def read(self, contract: str, key: str) -> Value | None:
        return self._layer.get(contract, key)

    def read_prefix(
        self, contract: str, prefix: str, *, limit: int | None = None
    ) -> Iterator[tuple[str, Value]]:
        return islice(self._layer.range(contract, prefix, prefix_end(prefix)), limit)

    def call(self, contract: str, function: str, args: Mapping[str, Any]) -> Value:
        """Run another contract's function inside this transaction, all-or-nothing.

        The callee runs on a layer of its own: if it raises, none of its writes or events
        survive, even when the caller catches the rejection and carries on.
        """
        return self._registry.call_nested(self, contract, function, args)

    def require_role(self, *roles: Role) -> None:
        if not self._signer.has_any(frozenset(roles)):
            raise missing_role(self._contract, self._signer, frozenset(roles))

    def child(self, *, contract: str, layer: Layer, read_only: bool) -> TxContext:
        """A context for a nested call: same signer and transaction, its own layer."""
        return TxContext(
            registry=self._registry,
            layer=layer,
            contract=contract,
            signer=self._signer,
            tx_id=self._tx_id,
            block_height=self._height,
            block_time_ms=self._time,
            read_only=read_only or self._read_only,
            depth=self._depth + 1,
            caller=self._contract,
        )

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def layer(self) -> Layer:
        return self._layer

    def _check_writable(self, what: str) -> None:
        if self._read_only:
            raise ReadOnlyViolation(f"{self._contract}: {what} inside a read-only query")
