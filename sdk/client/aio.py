"""``AsyncClient``: the asyncio client (httpx), the same API as ``Client`` with ``await``.

Same calls, flows, fail-over and signing as :mod:`sdk.client.sync`; only the I/O differs.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx

from sdk.block import Block, BlockHeader
from sdk.client import calls, flows
from sdk.client.calls import Call, error_of
from sdk.client.contracts import ColdChainApi, ConfigApi, MspApi, ReleaseApi, SupplierApi, TraceApi
from sdk.client.core import (
    DEFAULT_COMMIT_TIMEOUT_S,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT_S,
    ClientCore,
    Failure,
)
from sdk.client.errors import ClientError
from sdk.client.events import EventCursor, SseDecoder, StreamFailed
from sdk.client.identity import Identity
from sdk.client.models import (
    BlockInfo,
    Committed,
    Consistency,
    EventPosition,
    Health,
    LedgerEvent,
    Page,
    Proof,
    Receipt,
    StateEntry,
    SubmitResult,
    Verification,
    as_tuple,
    hex_id,
)
from sdk.client.proofs import TrustedKeys, verify_inclusion
from sdk.client.retry import Backoff
from sdk.client.values import LedgerValue
from sdk.tx import SignedTransaction

T = TypeVar("T")


class AsyncEventStream(AsyncIterator[LedgerEvent]):
    """Committed events, in chain order, resuming by itself after a disconnect.

    ``position`` is the last event delivered (persist it to resume in a later process).
    """

    def __init__(self, events: AsyncGenerator[LedgerEvent, None], cursor: EventCursor) -> None:
        self._events = events
        self._cursor = cursor

    def __aiter__(self) -> AsyncEventStream:
        return self

    async def __anext__(self) -> LedgerEvent:
        return await anext(self._events)

    @property
    def position(self) -> EventPosition | None:
        return self._cursor.last

    async def aclose(self) -> None:
        await self._events.aclose()

    async def __aenter__(self) -> AsyncEventStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncClient:
    """An asyncio client of one or several nodes; see :class:`~sdk.client.Client`.

    ``timeout`` arguments are kept (rather than leaving it to ``asyncio.timeout``) because
    a commit timeout is an answer, not a cancellation: it raises ``CommitTimeout`` with the
    transaction's id after the last receipt check, and the transaction may still commit.
    """

    def __init__(
        self,
        nodes: Sequence[str] | str,
        *,
        identity: Identity | None = None,
        chain_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        commit_timeout: float = DEFAULT_COMMIT_TIMEOUT_S,
        verify: bool | ssl.SSLContext = True,
        ca: str | Path | None = None,
        retries: int = DEFAULT_RETRIES,
        backoff: Backoff | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._core = ClientCore(
            nodes,
            identity=identity,
            chain_id=chain_id,
            timeout=timeout,
            commit_timeout=commit_timeout,
            retries=retries,
            backoff=backoff or Backoff(),
            rng=rng,
        )
        self._http = httpx.AsyncClient(transport=transport, **self._core.http_options(verify, ca))
        self._sleep = sleep
        self._clock = clock
        self.trace: TraceApi[Awaitable[Committed], Awaitable[LedgerValue]] = TraceApi(self)
        self.supplier: SupplierApi[Awaitable[Committed], Awaitable[LedgerValue]] = SupplierApi(self)
        self.coldchain: ColdChainApi[Awaitable[Committed], Awaitable[LedgerValue]] = ColdChainApi(
            self
        )
        self.release: ReleaseApi[Awaitable[Committed], Awaitable[LedgerValue]] = ReleaseApi(self)
        self.msp: MspApi[Awaitable[Committed], Awaitable[LedgerValue]] = MspApi(self)
        self.config: ConfigApi[Awaitable[Committed], Awaitable[LedgerValue]] = ConfigApi(self)

    # -- lifecycle -----------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def nodes(self) -> tuple[str, ...]:
        return self._core.router.nodes

    @property
    def identity(self) -> Identity | None:
        return self._core.identity

    async def chain_id(self) -> str:
        """The chain's id (asked from a node once when not configured)."""
        if self._core.chain_id is None:
            self._core.chain_id = (await self._send(calls.health())).chain_id
        return self._core.chain_id

    # -- transactions --------------------------------------------------------------------

    async def build(
        self, contract: str, function: str, args: Mapping[str, Any] | None = None
    ) -> SignedTransaction:
        return self._core.signer().sign_transaction(
            await self.chain_id(), contract, function, dict(args or {})
        )

    async def invoke(
        self,
        contract: str,
        function: str,
        args: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (see the class docstring)
    ) -> Committed:
        tx = await self.build(contract, function, args)
        return await self.submit_and_wait(tx, timeout=timeout)

    async def submit(self, tx: SignedTransaction) -> Receipt:
        return await self._run(flows.submit(tx))

    async def submit_batch(
        self,
        txs: Sequence[SignedTransaction],
        *,
        wait: bool = False,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[SubmitResult]:
        return await self._run(flows.submit_batch(txs, wait=wait, timeout_s=timeout))

    async def submit_and_wait(
        self,
        tx: SignedTransaction,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Committed:
        seconds = self._core.commit_timeout if timeout is None else timeout
        return await self._run(flows.submit_and_wait(tx, timeout_s=seconds, clock=self._clock))

    async def wait(
        self,
        tx_id: str | bytes,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> Committed:
        seconds = self._core.commit_timeout if timeout is None else timeout
        return await self._run(flows.wait(hex_id(tx_id), timeout_s=seconds, clock=self._clock))

    async def receipt(self, tx_id: str | bytes) -> Receipt:
        return await self._send(calls.receipt(hex_id(tx_id)))

    # -- reads ---------------------------------------------------------------------------

    async def query(
        self, contract: str, function: str, args: Mapping[str, Any] | None = None
    ) -> LedgerValue:
        return await self._send(calls.query(contract, function, args))

    async def get_state(
        self, contract: str, key: str, *, consistency: Consistency = Consistency.LINEARIZABLE
    ) -> StateEntry | None:
        return await self._send(calls.get_state(contract, key, consistency))

    async def state_page(
        self,
        contract: str,
        prefix: str = "",
        *,
        cursor: str | None = None,
        limit: int | None = None,
        consistency: Consistency = Consistency.LINEARIZABLE,
    ) -> Page[StateEntry]:
        return await self._send(
            calls.state_page(contract, prefix, cursor=cursor, limit=limit, consistency=consistency)
        )

    async def iter_state(
        self,
        contract: str,
        prefix: str = "",
        *,
        page_size: int | None = None,
        consistency: Consistency = Consistency.LINEARIZABLE,
    ) -> AsyncIterator[StateEntry]:
        cursor: str | None = None
        while True:
            page = await self.state_page(
                contract, prefix, cursor=cursor, limit=page_size, consistency=consistency
            )
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def history_page(
        self, contract: str, key: str, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[StateEntry]:
        return await self._send(calls.history_page(contract, key, cursor=cursor, limit=limit))

    async def iter_history(
        self, contract: str, key: str, *, page_size: int | None = None
    ) -> AsyncIterator[StateEntry]:
        cursor: str | None = None
        while True:
            page = await self.history_page(contract, key, cursor=cursor, limit=page_size)
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def block(self, height: int) -> BlockInfo:
        return await self._send(calls.block(height))

    async def block_by_hash(self, block_hash: str | bytes) -> BlockInfo:
        return await self._send(calls.block_by_hash(hex_id(block_hash, "block hash")))

    async def latest_block(self) -> BlockInfo:
        return await self._send(calls.latest_block())

    async def raw_block(self, height: int) -> Block:
        return await self._send(calls.raw_block(height))

    async def proof(self, tx_id: str | bytes) -> Proof:
        return await self._send(calls.proof(hex_id(tx_id)))

    async def verify_inclusion(self, tx_id: str | bytes, trusted_keys: TrustedKeys) -> BlockHeader:
        return verify_inclusion(await self.proof(tx_id), trusted_keys)

    async def verify_code(self, code: str) -> Verification:
        return await self._send(calls.verify_code(code))

    async def health(self) -> Health:
        return await self._send(calls.health())

    # -- events --------------------------------------------------------------------------

    def events(
        self,
        *,
        from_height: int | None = None,
        after: EventPosition | str | None = None,
        contracts: Sequence[str] | str = (),
        types: Sequence[str] | str = (),
    ) -> AsyncEventStream:
        """``async for event in client.events(...)``: see :meth:`Client.events`."""
        position = EventPosition.parse(after) if isinstance(after, str) else after
        cursor = EventCursor(
            from_height=from_height,
            after=position,
            contracts=as_tuple(contracts),
            types=as_tuple(types),
        )
        return AsyncEventStream(self._stream(cursor), cursor)

    async def _stream(self, cursor: EventCursor) -> AsyncGenerator[LedgerEvent, None]:
        if cursor.needs_start:
            cursor.from_height = (await self.health()).height + 1
        attempts = self._core.router.attempts()
        while True:
            call = cursor.call()
            await self._ensure_chain_id(call)
            node = attempts.node
            failure: Failure
            try:
                request = self._core.build(self._http, node, call)
                response = await self._http.send(request, stream=True)
                try:
                    refused = await self._refusal(call, response)
                    if refused is not None:
                        failure = refused
                    else:
                        self._core.router.prefer(node)
                        decoder = SseDecoder()
                        async for line in response.aiter_lines():
                            frame = decoder.feed(line)
                            event = None if frame is None else cursor.accept(frame)
                            if event is not None:
                                attempts.progressed()
                                yield event
                        failure = Failure("the event stream ended")
                finally:
                    await response.aclose()
            except httpx.TransportError as exc:
                failure = self._core.unreachable(exc)
            except StreamFailed as exc:
                failure = Failure(exc.message, exc.code)
            await self._pause(
                attempts.failed(
                    failure.reason, code=failure.code, retry_after=failure.retry_after_s
                )
            )

    async def _refusal(self, call: Call[Any], response: httpx.Response) -> Failure | None:
        if response.status_code == 200:
            return None
        await response.aread()
        failure = self._core.retryable(call, response)
        if failure is None:
            raise error_of(response)
        return failure

    # -- driving calls and flows ---------------------------------------------------------

    async def _ensure_chain_id(self, call: Call[Any]) -> None:
        if self._core.needs_chain_id(call):
            await self.chain_id()

    async def _send(self, call: Call[T]) -> T:
        await self._ensure_chain_id(call)
        attempts = self._core.router.attempts()
        while True:
            node = attempts.node
            try:
                response = await self._http.send(self._core.build(self._http, node, call))
            except httpx.TransportError as exc:
                failure = self._core.unreachable(exc)
            else:
                retry = self._core.retryable(call, response)
                if retry is None:
                    self._core.router.prefer(node)
                    return call.parse(response)
                failure = retry
            await self._pause(
                attempts.failed(
                    failure.reason, code=failure.code, retry_after=failure.retry_after_s
                )
            )

    async def _run(self, flow: flows.Flow[T]) -> T:
        reply: Any = None
        error: ClientError | None = None
        while True:
            try:
                step = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as done:
                result: T = done.value
                return result
            reply, error = None, None
            if isinstance(step, flows.Sleep):
                await self._pause(step.seconds)
                continue
            try:
                reply = await self._send(step)
            except ClientError as exc:
                error = exc

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            await self._sleep(seconds)
