"""The contract plug-in API: what a contract author writes against.

A contract is a class with a ``name``, a ``version`` and functions declared with
:func:`transaction` (may write) or :func:`query` (read-only). Each function takes the
execution :class:`Context` and one pydantic argument model, and returns a ledger value.

The one rule, as hashicorp/raft states it for ``FSM.Apply``: a contract function must be
deterministic and produce the same result on every node. So: no wall clock (use
``ctx.block_time_ms``), no randomness, no I/O, no floats in state, no iteration over unordered
sets. A deterministic refusal raises :class:`~chaincode.errors.InvalidTransaction`; anything
else escaping a function is a bug and stops the node.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, TypeAlias, TypeVar

from pydantic import BaseModel, ConfigDict

from chaincode.errors import ContractDefinitionError
from sdk.roles import Role

Value: TypeAlias = bool | int | str | bytes | list["Value"] | dict[str, "Value"] | None
"""What state, arguments, results and event payloads hold: canonical-encodable, no floats."""


class Args(BaseModel):
    """Base of every argument model: immutable, no unknown fields, no type coercion surprises."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class NoArgs(Args):
    """Argument model of a function that takes none."""


@dataclass(frozen=True, slots=True)
class Signer:
    """Who signed the transaction, as the membership state knew them at this block."""

    key_id: str
    org_id: str
    roles: frozenset[Role]

    def has_any(self, roles: frozenset[Role]) -> bool:
        return not roles or bool(self.roles & roles)


@dataclass(frozen=True, slots=True)
class Version:
    """One committed version of a key: written at (height, tx_index); ``value`` None = deleted."""

    height: int
    tx_index: int
    tx_id: str
    block_time_ms: int
    value: Value


@dataclass(frozen=True, slots=True)
class Event:
    """An event a transaction emitted; delivered to subscribers once its block commits."""

    contract: str
    type: str
    payload: Value


class StateReader(Protocol):
    """Committed state as of the end of the previous block (LMDB on a node, dict in tests).

    Keys are ordered by their UTF-8 bytes; ``range`` yields ``start <= key < end`` in order.
    """

    def get(self, namespace: str, key: str) -> Value | None: ...

    def range(self, namespace: str, start: str, end: str | None) -> Iterator[tuple[str, Value]]: ...

    def history(self, namespace: str, key: str) -> Iterator[Version]: ...


class Context(Protocol):
    """What a contract function sees. State calls are scoped to the contract's namespace."""

    @property
    def signer(self) -> Signer: ...

    @property
    def tx_id(self) -> str: ...

    @property
    def block_height(self) -> int: ...

    @property
    def block_time_ms(self) -> int: ...

    @property
    def contract(self) -> str: ...

    @property
    def caller(self) -> str | None: ...

    def get(self, key: str) -> Value | None: ...

    def put(self, key: str, value: Value) -> None: ...

    def delete(self, key: str) -> None: ...

    def range(
        self, start: str, end: str | None = None, *, limit: int | None = None
    ) -> Iterator[tuple[str, Value]]: ...

    def prefix(self, prefix: str, *, limit: int | None = None) -> Iterator[tuple[str, Value]]: ...

    def history(self, key: str) -> Iterator[Version]: ...

    def emit(self, event_type: str, payload: Value) -> None: ...

    def read(self, contract: str, key: str) -> Value | None: ...

    def read_prefix(
        self, contract: str, prefix: str, *, limit: int | None = None
    ) -> Iterator[tuple[str, Value]]: ...

    def call(self, contract: str, function: str, args: Mapping[str, Any]) -> Value: ...

    def require_role(self, *roles: Role) -> None: ...


A = TypeVar("A", bound=Args)
ContractT = TypeVar("ContractT", bound="Contract")
Handler: TypeAlias = Callable[[Any, Context, Any], Value]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """Routing metadata of one contract function (Sawtooth's handler metadata, per function)."""

    name: str
    args: type[Args]
    roles: frozenset[Role]
    read_only: bool
    handler: Handler = field(repr=False)
    doc: str = ""


_SPEC_ATTR = "__rxl_function__"


def _declare(
    *, roles: tuple[Role, ...], read_only: bool, name: str | None
) -> Callable[[Callable[[ContractT, Context, A], Value]], Callable[[ContractT, Context, A], Value]]:
    def mark(
        fn: Callable[[ContractT, Context, A], Value],
    ) -> Callable[[ContractT, Context, A], Value]:
        setattr(fn, _SPEC_ATTR, (name or fn.__name__, frozenset(roles), read_only))
        return fn

    return mark


def transaction(
    *roles: Role, name: str | None = None
) -> Callable[[Callable[[ContractT, Context, A], Value]], Callable[[ContractT, Context, A], Value]]:
    """Declare a writing function. A signer needs at least one of ``roles`` (none = anyone).

    Role checks happen here, in one place, before the function runs (issue 5: one mechanism
    rather than ad-hoc checks); finer rules (only the current owner ships) stay in the body.
    """
    return _declare(roles=roles, read_only=False, name=name)


def query(
    *roles: Role, name: str | None = None
) -> Callable[[Callable[[ContractT, Context, A], Value]], Callable[[ContractT, Context, A], Value]]:
    """Declare a read-only function; writes or events from it raise ReadOnlyViolation."""
    return _declare(roles=roles, read_only=True, name=name)


class Contract:
    """Base class of contracts. Subclasses set ``name`` and ``version`` and declare functions."""

    name: ClassVar[str]
    version: ClassVar[str]
    functions: ClassVar[Mapping[str, FunctionSpec]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        specs: dict[str, FunctionSpec] = {}
        for base in reversed(cls.__mro__):
            for attr in vars(base).values():
                marker = getattr(attr, _SPEC_ATTR, None)
                if marker is not None:
                    spec = _spec_for(cls, attr, marker)
                    specs[spec.name] = spec
        cls.functions = specs


def _spec_for(cls: type, fn: Handler, marker: tuple[str, frozenset[Role], bool]) -> FunctionSpec:
    fn_name, roles, read_only = marker
    try:
        hints = typing.get_type_hints(fn)
    except NameError as exc:
        raise ContractDefinitionError(
            f"{cls.__name__}.{fn.__name__}: define its argument model before the contract class"
        ) from exc
    params = [v for k, v in hints.items() if k not in ("self", "ctx", "return")]
    if len(params) != 1 or not (isinstance(params[0], type) and issubclass(params[0], Args)):
        raise ContractDefinitionError(
            f"{cls.__name__}.{fn.__name__}: takes (self, ctx, args) with args an Args subclass"
        )
    return FunctionSpec(fn_name, params[0], roles, read_only, fn, (fn.__doc__ or "").strip())
