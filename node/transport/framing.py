"""The wire format: length-prefixed frames, and the hello frame that opens every connection.

A frame is a 4-byte big-endian unsigned length followed by that many payload bytes. The
payload is opaque here (the node puts msgpack in it). A length above the receiver's
``max_frame_bytes`` is refused *before* any payload is buffered, so a hostile or broken peer
cannot make us allocate more than one maximal frame per connection.

The hello is the first frame in each direction, after TLS:

    offset  size  field
    0       4     magic  b"RXLT"
    4       1     protocol version (1)
    5       8     node id, u64 big-endian
    13      32    network id (SHA-256 of the genesis file)

It is exactly 45 bytes; a different length, magic or version is garbage and drops the
connection.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

from node.transport.errors import FrameTooLarge, ProtocolViolation
from node.transport.identity import NodeId

HEADER = struct.Struct(">I")
MAX_ENCODABLE = (1 << 32) - 1
HELLO_MAGIC = b"RXLT"
PROTOCOL_VERSION = 1
NETWORK_ID_BYTES = 32
_HELLO = struct.Struct(">4sBQ32s")
HELLO_BYTES = _HELLO.size


def encode_frame(payload: bytes) -> bytes:
    """Header and payload as one buffer, so TLS seals them into the same record."""
    if len(payload) > MAX_ENCODABLE:
        raise FrameTooLarge(f"a frame of {len(payload)} bytes does not fit a 32-bit length")
    return HEADER.pack(len(payload)) + payload


async def read_frame(reader: asyncio.StreamReader, max_frame_bytes: int) -> bytes | None:
    """The next payload, or None on a clean end of stream between frames.

    Raises FrameTooLarge for a length above ``max_frame_bytes`` and ProtocolViolation when the
    stream ends inside a frame.
    """
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise ProtocolViolation("stream ended inside a frame header") from exc
    (length,) = HEADER.unpack(header)
    if length > max_frame_bytes:
        raise FrameTooLarge(f"frame length {length} exceeds the limit of {max_frame_bytes}")
    try:
        return await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        raise ProtocolViolation(
            f"stream ended after {len(exc.partial)} of {length} payload bytes"
        ) from exc


@dataclass(frozen=True, slots=True)
class Hello:
    """What a peer claims after TLS; checked against its certificate and the peer table."""

    node_id: NodeId
    network_id: bytes

    def encode(self) -> bytes:
        return _HELLO.pack(HELLO_MAGIC, PROTOCOL_VERSION, self.node_id, self.network_id)

    @classmethod
    def decode(cls, payload: bytes) -> Hello:
        if len(payload) != HELLO_BYTES:
            raise ProtocolViolation(f"hello of {len(payload)} bytes, expected {HELLO_BYTES}")
        magic, version, node_id, network_id = _HELLO.unpack(payload)
        if magic != HELLO_MAGIC:
            raise ProtocolViolation("hello does not start with the protocol magic")
        if version != PROTOCOL_VERSION:
            raise ProtocolViolation(f"unsupported protocol version {version}")
        return cls(NodeId(node_id), network_id)


async def read_hello(reader: asyncio.StreamReader) -> Hello:
    """The peer's hello; any other first frame (or none) is a protocol violation."""
    try:
        payload = await read_frame(reader, HELLO_BYTES)
    except FrameTooLarge as exc:
        raise ProtocolViolation("first frame is not a hello (length too large)") from exc
    if payload is None:
        raise ProtocolViolation("connection closed before the hello")
    return Hello.decode(payload)
