"""The sending direction: one bounded queue and one persistent dialled connection per peer.

Direction rule: a connection carries frames one way only. The dialler sends; the acceptor
receives. So each pair of nodes holds two TLS connections, one per direction, and "both sides
connect at once" needs no tie-break. After the hello exchange the acceptor never writes, so
any byte the dialler reads afterwards is a protocol violation, and end-of-stream means the
peer went away: the link is torn down and redialled.

Back-pressure: ``SendQueue.offer`` never waits. When the queue holds ``max_frames`` frames or
adding the frame would pass ``max_bytes`` bytes, the frame is dropped and counted (Raft
retransmits; the node sees the drop as ``send() -> False`` and in the metrics).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections import deque
from collections.abc import Callable

from node.transport.backoff import Jitter, backoff_delay
from node.transport.config import TransportConfig
from node.transport.errors import PeerRefused, ProtocolViolation, TransportError
from node.transport.framing import Hello, encode_frame, read_hello
from node.transport.identity import NodeId, PeerInfo
from node.transport.stats import PeerCounters
from node.transport.streams import close_writer, describe
from node.transport.tls import peer_fingerprint

logger = logging.getLogger(__name__)

BATCH_BYTES = 1 << 20
"""Frames written before one drain: large enough to amortise, small enough to stay fair."""


class SendQueue:
    """A FIFO of frames bounded by count and by bytes; overflow drops the new frame."""

    __slots__ = ("_bytes", "_frames", "_max_bytes", "_max_frames", "_ready")

    def __init__(self, max_frames: int, max_bytes: int) -> None:
        self._frames: deque[bytes] = deque()
        self._bytes = 0
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def queued_bytes(self) -> int:
        return self._bytes

    def offer(self, frame: bytes) -> bool:
        if len(self._frames) >= self._max_frames or self._bytes + len(frame) > self._max_bytes:
            return False
        self._frames.append(frame)
        self._bytes += len(frame)
        self._ready.set()
        return True

    def take_batch(self, max_bytes: int = BATCH_BYTES) -> list[bytes]:
        """At least one frame if any is queued, then more while under ``max_bytes``."""
        batch: list[bytes] = []
        size = 0
        while self._frames and (not batch or size + len(self._frames[0]) <= max_bytes):
            frame = self._frames.popleft()
            batch.append(frame)
            size += len(frame)
        self._bytes -= size
        if not self._frames:
            self._ready.clear()
        return batch

    def wake(self) -> None:
        """Let a waiting sender re-check its connection even though nothing was queued."""
        self._ready.set()

    async def wait(self) -> None:
        await self._ready.wait()
        if not self._frames:
            self._ready.clear()


class OutboundLink:
    """Dials one peer, keeps the connection up and drains the peer's queue into it."""

    def __init__(
        self,
        config: TransportConfig,
        target: NodeId,
        info: PeerInfo,
        queue: SendQueue,
        counters: PeerCounters,
        context: Callable[[], ssl.SSLContext],
        rng: Jitter,
    ) -> None:
        self._config = config
        self._target = target
        self._info = info
        self._queue = queue
        self._counters = counters
        self._context = context
        self._rng = rng
        self.connected = False

    async def run(self) -> None:
        """Dial, pump, and on any failure back off and dial again, until cancelled."""
        failures = 0
        had_link = False
        while True:
            if failures:
                await asyncio.sleep(
                    backoff_delay(
                        failures, self._rng, self._config.backoff_base_s, self._config.backoff_cap_s
                    )
                )
            try:
                reader, writer = await self._dial()
            except (OSError, TransportError) as exc:
                failures += 1
                self._record_failure(exc, first=failures == 1)
                continue
            self._counters.connects += 1
            if had_link:
                self._counters.reconnects += 1
            self._counters.last_error = None
            had_link = True
            logger.info("link to node %d is up", self._target)
            await self._serve(reader, writer)
            # A link that drops right after it came up must not turn into a redial storm.
            failures = 1

    def _record_failure(self, exc: BaseException, *, first: bool) -> None:
        reason = describe(exc)
        self._counters.connect_failures += 1
        # One warning per outage (and per change of reason); the retries log at debug level.
        level = logging.WARNING if first or reason != self._counters.last_error else logging.DEBUG
        logger.log(
            level,
            "dial to node %d (%s:%d) failed: %s",
            self._target,
            self._info.host,
            self._info.port,
            reason,
        )
        self._counters.last_error = reason

    async def _dial(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """TCP, TLS, pin check, hello out, hello back: all within ``connect_timeout_s``."""
        async with asyncio.timeout(self._config.connect_timeout_s):
            reader, writer = await asyncio.open_connection(
                self._info.host,
                self._info.port,
                ssl=self._context(),
                ssl_shutdown_timeout=self._config.close_timeout_s,
            )
            try:
                await self._handshake(reader, writer)
            except BaseException:
                # Whatever went wrong (including a timeout cancelling us), free the socket now.
                writer.transport.abort()
                raise
        return reader, writer

    async def _handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fingerprint = peer_fingerprint(writer.transport)
        if fingerprint != self._info.expected_identity:
            raise PeerRefused(
                f"node {self._target} presented certificate {fingerprint[:16]}…, "
                f"not the pinned {self._info.expected_identity[:16]}…"
            )
        writer.write(encode_frame(Hello(self._config.node_id, self._config.network_id).encode()))
        await writer.drain()
        try:
            hello = await read_hello(reader)
        except ProtocolViolation as exc:
            # The acceptor closes without a word when it refuses us (unknown cert, wrong id).
            raise PeerRefused(f"node {self._target} closed the handshake: {exc}") from exc
        if hello.node_id != self._target or hello.network_id != self._config.network_id:
            raise PeerRefused(
                f"dialled node {self._target} but it answered as node {hello.node_id}"
                + ("" if hello.network_id == self._config.network_id else " of another network")
            )

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connected = True
        watch = asyncio.create_task(_watch_for_close(reader))
        watch.add_done_callback(lambda _: self._queue.wake())
        try:
            await self._pump(writer, watch)
        except (OSError, TransportError) as exc:
            self._counters.last_error = describe(exc)
            logger.warning("link to node %d lost: %s", self._target, self._counters.last_error)
        finally:
            self.connected = False
            watch.cancel()
            await asyncio.wait({watch})
            await close_writer(writer, self._config.close_timeout_s)
            logger.debug("link to node %d closed", self._target)

    async def _pump(self, writer: asyncio.StreamWriter, watch: asyncio.Task[str]) -> None:
        while True:
            await self._queue.wait()
            if watch.done():
                raise ConnectionResetError(watch.result())
            batch = self._queue.take_batch()
            if not batch:
                continue
            size = sum(len(frame) for frame in batch)
            try:
                for frame in batch:
                    writer.write(encode_frame(frame))
                async with asyncio.timeout(self._config.write_timeout_s):
                    await writer.drain()
            except BaseException:
                self._counters.frames_dropped += len(batch)
                self._counters.bytes_dropped += size
                raise
            self._counters.frames_sent += len(batch)
            self._counters.bytes_sent += size


async def _watch_for_close(reader: asyncio.StreamReader) -> str:
    """Wait until the acceptor closes or misbehaves; return why (it never sends data)."""
    try:
        data = await reader.read(1)
    except OSError as exc:
        return describe(exc)
    if data:
        return describe(ProtocolViolation("the accepting side sent data after the hello"))
    return "peer closed the connection"
