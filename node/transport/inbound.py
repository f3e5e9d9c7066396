"""The receiving direction: the listener, the acceptor's half of the handshake, the read loop.

Every accepted socket is untrusted until three checks pass, within ``handshake_timeout_s``:
TLS 1.3 with a certificate chaining to a consortium CA (OpenSSL); a well-formed hello; and the
transport's ``authenticate`` (network id, node id in the peer table, certificate pinned for
that id). Anything else — plain TCP, garbage, a stranger's certificate, a lie about the node
id, silence — is logged as a warning, counted in ``refused`` and closed; the node never sees
it. At most ``max_pending_handshakes`` sockets may be in that state at once, so a connection
flood costs a bounded amount of memory.

The TLS handshake is driven here (``connect_accepted_socket``) rather than by
``start_server(ssl=...)`` so that its failures reach us to be logged and counted: asyncio's
server swallows them.

One inbound connection per peer: when a peer dials again (it restarted, or its old link is
half-open), the newer connection replaces the older one, which is closed.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from node.transport.config import TransportConfig
from node.transport.errors import FrameRejected, TransportConfigError, TransportError
from node.transport.framing import Hello, encode_frame, read_frame, read_hello
from node.transport.identity import CertFingerprint, NodeId
from node.transport.stats import PeerCounters
from node.transport.streams import close_writer, describe
from node.transport.tls import peer_fingerprint

logger = logging.getLogger(__name__)

FrameHandler = Callable[[NodeId, bytes], Awaitable[None]]
"""``await on_frame(sender, payload)`` once per inbound frame, in order per sender.

It may await (its waiting back-pressures that sender over TCP). It raises ``FrameRejected``
when it cannot decode the payload: the transport then drops the sender's connection."""

Authenticator = Callable[[Hello, CertFingerprint], NodeId]
"""Returns the peer's node id or raises ``PeerRefused``."""

ACCEPT_RETRY_S = 0.1
"""Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin."""
BACKLOG = 128


@dataclass(slots=True)
class _Inbound:
    task: asyncio.Task[None]
    writer: asyncio.StreamWriter


class InboundServer:
    """Accepts peer connections and hands each authenticated frame to ``on_frame``."""

    def __init__(
        self,
        config: TransportConfig,
        context: Callable[[], ssl.SSLContext],
        authenticate: Authenticator,
        counters: Callable[[NodeId], PeerCounters | None],
        on_frame: FrameHandler,
    ) -> None:
        self._config = config
        self._context = context
        self._authenticate = authenticate
        self._counters = counters
        self._on_frame = on_frame
        self._socket: socket.socket | None = None
        self._accept_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._active: dict[NodeId, _Inbound] = {}
        self._pending = 0
        self._port = 0
        self.refused = 0
        self.dropped = 0

    @property
    def port(self) -> int:
        """The port we listen on; 0 before start and after close."""
        return self._port

    def is_connected(self, node_id: NodeId) -> bool:
        return node_id in self._active

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        host, port = self._config.listen_host, self._config.listen_port
        try:
            infos = await loop.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
            )
            family, _, _, _, address = infos[0]
            self._socket = socket.create_server(address[:2], family=family, backlog=BACKLOG)
        except OSError as exc:
            raise TransportConfigError(f"cannot listen on {host}:{port}: {exc}") from exc
        self._socket.setblocking(False)
        self._port = self._socket.getsockname()[1]
        self._accept_task = asyncio.create_task(self._accept_loop(self._socket))

    async def disconnect(self, node_id: NodeId) -> None:
        """Close the peer's inbound connection, if any, and wait until it is gone."""
        conn = self._active.pop(node_id, None)
        if conn is not None:
            conn.task.cancel()
            await asyncio.wait({conn.task})

    async def close(self) -> None:
        if self._accept_task is not None:
            self._accept_task.cancel()
            await asyncio.wait({self._accept_task})
        if self._socket is not None:
            self._socket.close()
        self._port = 0
        tasks = set(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self._active.clear()

    async def _accept_loop(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                sock, address = await loop.sock_accept(listener)
            except OSError as exc:
                logger.warning("accept failed: %s", describe(exc))
                await asyncio.sleep(ACCEPT_RETRY_S)
                continue
            if self._pending >= self._config.max_pending_handshakes:
                sock.close()
                self._refuse(address, "too many connections still handshaking")
                continue
            self._pending += 1
            task = asyncio.create_task(self._serve(sock, address))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _refuse(self, address: object, reason: str) -> None:
        self.refused += 1
        logger.warning("refused peer connection from %s: %s", address, reason)

    async def _serve(self, sock: socket.socket, address: object) -> None:
        try:
            accepted = await self._accept(sock, address)
        finally:
            self._pending -= 1
        if accepted is None:
            return
        node_id, reader, writer = accepted
        logger.info("accepted link from node %d", node_id)
        try:
            await self._receive(node_id, reader)
        finally:
            if self._active.get(node_id) is not None and self._active[node_id].writer is writer:
                del self._active[node_id]
            await close_writer(writer, self._config.close_timeout_s)
            logger.debug("inbound link from node %d closed", node_id)

    async def _accept(
        self, sock: socket.socket, address: object
    ) -> tuple[NodeId, asyncio.StreamReader, asyncio.StreamWriter] | None:
        """TLS, hello, authentication and our hello back; None (socket closed) if refused."""
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(self._config.handshake_timeout_s):
                reader, writer = await self._start_tls(sock)
                hello = await read_hello(reader)
                node_id = self._authenticate(hello, peer_fingerprint(writer.transport))
                # Registered before our reply, so a concurrent update_peers that removes this
                # peer finds (and closes) the connection instead of missing it.
                self._register(node_id, writer)
                reply = Hello(self._config.node_id, self._config.network_id)
                writer.write(encode_frame(reply.encode()))
                await writer.drain()
        except TimeoutError:
            limit = self._config.handshake_timeout_s
            self._refuse(address, f"no TLS handshake and hello within {limit} s")
            self._discard(sock, writer)
            return None
        except (OSError, TransportError) as exc:
            self._refuse(address, describe(exc))
            self._discard(sock, writer)
            return None
        except BaseException:
            # Cancelled (transport closing, or a peer removed mid-handshake): free the socket.
            self._discard(sock, writer)
            raise
        return node_id, reader, writer

    def _discard(self, sock: socket.socket, writer: asyncio.StreamWriter | None) -> None:
        if writer is None:
            sock.close()
            return
        for node_id, conn in list(self._active.items()):
            if conn.writer is writer:
                del self._active[node_id]
        writer.transport.abort()

    async def _start_tls(
        self, sock: socket.socket
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        protocol = asyncio.StreamReaderProtocol(reader)
        transport, _ = await loop.connect_accepted_socket(
            lambda: protocol,
            sock,
            ssl=self._context(),
            ssl_shutdown_timeout=self._config.close_timeout_s,
        )
        return reader, asyncio.StreamWriter(transport, protocol, reader, loop)

    def _register(self, node_id: NodeId, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("inbound connections are served inside tasks")
        older = self._active.get(node_id)
        self._active[node_id] = _Inbound(task, writer)
        if older is not None:
            logger.info("node %d connected again; closing its older inbound link", node_id)
            older.task.cancel()

    async def _receive(self, node_id: NodeId, reader: asyncio.StreamReader) -> None:
        counters = self._counters(node_id) or PeerCounters()
        try:
            while (frame := await read_frame(reader, self._config.max_frame_bytes)) is not None:
                counters.frames_received += 1
                counters.bytes_received += len(frame)
                await self._on_frame(node_id, frame)
        except FrameRejected as exc:
            counters.frames_rejected += 1
            self._drop(node_id, f"upper layer rejected a frame: {describe(exc)}")
        except (OSError, TransportError) as exc:
            self._drop(node_id, describe(exc))
        except Exception:
            # on_frame may only raise FrameRejected; anything else is a bug in the node, which
            # is logged with its traceback here because a transport task has no caller to
            # raise to. The connection is dropped; the peer will redial.
            self.dropped += 1
            logger.exception("on_frame failed for a frame from node %d", node_id)

    def _drop(self, node_id: NodeId, reason: str) -> None:
        self.dropped += 1
        logger.warning("dropped inbound link from node %d: %s", node_id, reason)
