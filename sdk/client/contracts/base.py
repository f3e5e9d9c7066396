"""Typed helpers over any client: a contract's functions as methods.

A helper only names the contract and function and passes the arguments on; the client it
is built over decides what a call returns: the sync :class:`~sdk.client.Client` gives
``Committed`` for transactions and the value for queries, the
:class:`~sdk.client.AsyncClient` awaitables of the same. So one helper class per contract
serves both.
"""

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Protocol, TypeVar

T_co = TypeVar("T_co", covariant=True)
Q_co = TypeVar("Q_co", covariant=True)


class Invoker(Protocol[T_co, Q_co]):
    """What a helper needs: submit a transaction and wait for it; run a query."""

    def invoke(
        self, contract: str, function: str, args: Mapping[str, Any] | None = None
    ) -> T_co: ...

    def query(
        self, contract: str, function: str, args: Mapping[str, Any] | None = None
    ) -> Q_co: ...


class ContractApi(Generic[T_co, Q_co]):
    """Base of the per-contract helpers; ``contract`` is the on-chain name."""

    contract: ClassVar[str]

    def __init__(self, invoker: Invoker[T_co, Q_co]) -> None:
        self._invoker = invoker

    def _tx(self, function: str, args: Mapping[str, Any]) -> T_co:
        return self._invoker.invoke(self.contract, function, args)

    def _query(self, function: str, args: Mapping[str, Any]) -> Q_co:
        return self._invoker.query(self.contract, function, args)
