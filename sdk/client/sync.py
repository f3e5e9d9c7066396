"""``Client``: the synchronous client (httpx), for scripts, ERP jobs and the CLI.

Every method maps to the node API (docs/api.md) through a :class:`~sdk.client.calls.Call`;
multi-step operations run the shared flows of :mod:`sdk.client.flows`. Fail-over, back-off
and request signing are per attempt (:mod:`sdk.client.retry`, :mod:`sdk.client.signing`).
"""

from __future__ import annotations

import random
import ssl
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
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


class EventStream(Iterator[LedgerEvent]):
    """Committed events, in chain order, resuming by itself after a disconnect.

    ``position`` is the last event delivered: persist it and pass it back as
    ``client.events(after=...)`` to resume in a later process.
    """

    def __init__(self, events: Generator[LedgerEvent, None, None], cursor: EventCursor) -> None:
        self._events = events
        self._cursor = cursor

    def __iter__(self) -> EventStream:
        return self

    def __next__(self) -> LedgerEvent:
        return next(self._events)

    @property
    def position(self) -> EventPosition | None:
        return self._cursor.last

    def close(self) -> None:
        self._events.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Client:
    """A synchronous client of one or several nodes of a chain.

    ``nodes`` are base URLs (``http://127.0.0.1:8080``); the client sticks to the last one
    that answered and fails over to the others. ``identity`` signs transactions and reads;
    without it only public calls work (``verify_code``, ``health``, submitting transactions
    signed elsewhere). ``chain_id`` is read from ``/health`` when not given.

    ``timeout`` bounds connecting and each answer; ``commit_timeout`` is the default wait for
    a commit. ``retries`` and ``backoff`` bound fail-over (:mod:`sdk.client.retry`).
    ``verify``/``ca`` configure TLS (``ca``: the consortium's org CA bundle). ``transport``,
    ``sleep``, ``clock`` and ``rng`` replace httpx's transport, the waiting, the monotonic
    clock and the jitter source: tests pass in-memory and virtual ones.
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
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
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
        self._http = httpx.Client(transport=transport, **self._core.http_options(verify, ca))
        self._sleep = sleep
        self._clock = clock
        self.trace: TraceApi[Committed, LedgerValue] = TraceApi(self)
        self.supplier: SupplierApi[Committed, LedgerValue] = SupplierApi(self)
        self.coldchain: ColdChainApi[Committed, LedgerValue] = ColdChainApi(self)
        self.release: ReleaseApi[Committed, LedgerValue] = ReleaseApi(self)
        self.msp: MspApi[Committed, LedgerValue] = MspApi(self)
        self.config: ConfigApi[Committed, LedgerValue] = ConfigApi(self)

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def nodes(self) -> tuple[str, ...]:
        return self._core.router.nodes

    @property
    def identity(self) -> Identity | None:
        return self._core.identity

    @property
    def chain_id(self) -> str:
        """The chain's id (asked from a node once when not configured)."""
        if self._core.chain_id is None:
            self._core.chain_id = self._send(calls.health()).chain_id
        return self._core.chain_id

    # -- transactions --------------------------------------------------------------------

    def build(
        self, contract: str, function: str, args: Mapping[str, Any] | None = None
    ) -> SignedTransaction:
        """A transaction signed by this client's identity (not yet submitted)."""
        return self._core.signer().sign_transaction(
            self.chain_id, contract, function, dict(args or {})
        )

    def invoke(
        self,
        contract: str,
        function: str,
        args: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> Committed:
        """Build, sign, submit and wait: the committed outcome or the typed rejection."""
        return self.submit_and_wait(self.build(contract, function, args), timeout=timeout)

    def submit(self, tx: SignedTransaction) -> Receipt:
        """Submit without waiting: the receipt (``pending``, or ``committed`` when the node
        already had it). Refused at admission: the typed rejection is raised."""
        return self._run(flows.submit(tx))

    def submit_batch(
        self,
        txs: Sequence[SignedTransaction],
        *,
        wait: bool = False,
        timeout: float | None = None,
    ) -> list[SubmitResult]:
        """One request for many transactions; one result per transaction, in order."""
        return self._run(flows.submit_batch(txs, wait=wait, timeout_s=timeout))

    def submit_and_wait(self, tx: SignedTransaction, timeout: float | None = None) -> Committed:
        """Submit and wait for the commit. Safe to call again with the same transaction
        after a timeout: it never executes twice, and the real outcome comes back."""
        seconds = self._core.commit_timeout if timeout is None else timeout
        return self._run(flows.submit_and_wait(tx, timeout_s=seconds, clock=self._clock))

    def wait(self, tx_id: str | bytes, timeout: float | None = None) -> Committed:
        seconds = self._core.commit_timeout if timeout is None else timeout
        return self._run(flows.wait(hex_id(tx_id), timeout_s=seconds, clock=self._clock))

    def receipt(self, tx_id: str | bytes) -> Receipt:
        return self._send(calls.receipt(hex_id(tx_id)))

    # -- reads ---------------------------------------------------------------------------

    def query(
        self, contract: str, function: str, args: Mapping[str, Any] | None = None
    ) -> LedgerValue:
        """Run a read-only contract function (answered by one node, from committed state)."""
        return self._send(calls.query(contract, function, args))

    def get_state(
        self, contract: str, key: str, *, consistency: Consistency = Consistency.LINEARIZABLE
    ) -> StateEntry | None:
        return self._send(calls.get_state(contract, key, consistency))

    def state_page(
        self,
        contract: str,
        prefix: str = "",
        *,
        cursor: str | None = None,
        limit: int | None = None,
        consistency: Consistency = Consistency.LINEARIZABLE,
    ) -> Page[StateEntry]:
        return self._send(
            calls.state_page(contract, prefix, cursor=cursor, limit=limit, consistency=consistency)
        )

    def iter_state(
        self,
        contract: str,
        prefix: str = "",
        *,
        page_size: int | None = None,
        consistency: Consistency = Consistency.LINEARIZABLE,
    ) -> Iterator[StateEntry]:
        """Every key with ``prefix``, in key order, fetched page by page."""
        cursor: str | None = None
        while True:
            page = self.state_page(
                contract, prefix, cursor=cursor, limit=page_size, consistency=consistency
            )
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def history_page(
        self, contract: str, key: str, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[StateEntry]:
        return self._send(calls.history_page(contract, key, cursor=cursor, limit=limit))

    def iter_history(
        self, contract: str, key: str, *, page_size: int | None = None
    ) -> Iterator[StateEntry]:
        """Every version of a key, oldest first (``value`` None: deleted)."""
        cursor: str | None = None
        while True:
            page = self.history_page(contract, key, cursor=cursor, limit=page_size)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def block(self, height: int) -> BlockInfo:
        return self._send(calls.block(height))

    def block_by_hash(self, block_hash: str | bytes) -> BlockInfo:
        return self._send(calls.block_by_hash(hex_id(block_hash, "block hash")))

    def latest_block(self) -> BlockInfo:
        return self._send(calls.latest_block())

    def raw_block(self, height: int) -> Block:
        """The block's canonical bytes, decoded and checked (regulators only)."""
        return self._send(calls.raw_block(height))

    def proof(self, tx_id: str | bytes) -> Proof:
        return self._send(calls.proof(hex_id(tx_id)))

    def verify_inclusion(self, tx_id: str | bytes, trusted_keys: TrustedKeys) -> BlockHeader:
        """Fetch the inclusion proof of a committed transaction and check it here, against
        the signed header and ``trusted_keys``; the verified header, or ProofInvalid."""
        return verify_inclusion(self.proof(tx_id), trusted_keys)

    def verify_code(self, code: str) -> Verification:
        """The public pharmacy check of a scanned code (no identity needed)."""
        return self._send(calls.verify_code(code))

    def health(self) -> Health:
        return self._send(calls.health())

    # -- events --------------------------------------------------------------------------

    def events(
        self,
        *,
        from_height: int | None = None,
        after: EventPosition | str | None = None,
        contracts: Sequence[str] | str = (),
        types: Sequence[str] | str = (),
    ) -> EventStream:
        """Committed events from ``from_height`` (or strictly after ``after``; default: new
        events only), filtered by contract and type, across reconnects and fail-overs."""
        position = EventPosition.parse(after) if isinstance(after, str) else after
        cursor = EventCursor(
            from_height=from_height,
            after=position,
            contracts=as_tuple(contracts),
            types=as_tuple(types),
        )
        if cursor.needs_start:
            # Pinned now: "new events" means from this call on, whatever a reconnect meets.
            cursor.from_height = self.health().height + 1
        return EventStream(self._stream(cursor), cursor)

    def _stream(self, cursor: EventCursor) -> Generator[LedgerEvent, None, None]:
        attempts = self._core.router.attempts()
        while True:
            call = cursor.call()
            self._ensure_chain_id(call)
            node = attempts.node
            failure: Failure
            try:
                response = self._http.send(self._core.build(self._http, node, call), stream=True)
                try:
                    refused = self._refusal(call, response)
                    if refused is not None:
                        failure = refused
                    else:
                        self._core.router.prefer(node)
                        decoder = SseDecoder()
                        for line in response.iter_lines():
                            frame = decoder.feed(line)
                            event = None if frame is None else cursor.accept(frame)
                            if event is not None:
                                attempts.progressed()
                                yield event
                        failure = Failure("the event stream ended")
                finally:
                    response.close()
            except httpx.TransportError as exc:
                failure = self._core.unreachable(exc)
            except StreamFailed as exc:
                failure = Failure(exc.message, exc.code)
            self._pause(
                attempts.failed(
                    failure.reason, code=failure.code, retry_after=failure.retry_after_s
                )
            )

    def _refusal(self, call: Call[Any], response: httpx.Response) -> Failure | None:
        """None for a 200 to stream; a Failure to retry elsewhere; raises a final refusal."""
        if response.status_code == 200:
            return None
        response.read()
        failure = self._core.retryable(call, response)
        if failure is None:
            raise error_of(response)
        return failure

    # -- driving calls and flows ---------------------------------------------------------

    def _ensure_chain_id(self, call: Call[Any]) -> None:
        if self._core.needs_chain_id(call):
            _ = self.chain_id

    def _send(self, call: Call[T]) -> T:
        """One call with fail-over: the parsed final answer, or its typed error."""
        self._ensure_chain_id(call)
        attempts = self._core.router.attempts()
        while True:
            node = attempts.node
            try:
                response = self._http.send(self._core.build(self._http, node, call))
            except httpx.TransportError as exc:
                failure = self._core.unreachable(exc)
            else:
                retry = self._core.retryable(call, response)
                if retry is None:
                    self._core.router.prefer(node)
                    return call.parse(response)
                failure = retry
            self._pause(
                attempts.failed(
                    failure.reason, code=failure.code, retry_after=failure.retry_after_s
                )
            )

    def _run(self, flow: flows.Flow[T]) -> T:
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
                self._pause(step.seconds)
                continue
            try:
                reply = self._send(step)
            except ClientError as exc:
                error = exc

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)
