"""The wire format, without sockets: frames round-trip, limits hold before buffering, and the
hello accepts exactly one shape (docs/transport.md, "Wire format")."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from node.transport import NodeId
from node.transport.errors import FrameTooLarge, ProtocolViolation
from node.transport.framing import (
    HELLO_BYTES,
    Hello,
    encode_frame,
    read_frame,
    read_hello,
)


def _reader(data: bytes, *, eof: bool = True) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


async def _read_all(data: bytes, limit: int) -> list[bytes]:
    reader = _reader(data)
    frames = []
    while (frame := await read_frame(reader, limit)) is not None:
        frames.append(frame)
    return frames


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=8))
async def test_frames_round_trip_in_order(payloads: list[bytes]) -> None:
    wire = b"".join(encode_frame(p) for p in payloads)
    assert await _read_all(wire, 300) == payloads


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.data())
async def test_a_stream_cut_inside_a_frame_is_a_violation(
    payload: bytes, data: st.DataObject
) -> None:
    wire = encode_frame(payload)
    cut = data.draw(st.integers(min_value=1, max_value=len(wire) - 1))
    with pytest.raises(ProtocolViolation):
        await _read_all(wire[:cut], 64)


async def test_header_is_big_endian_length() -> None:
    assert encode_frame(b"abc") == b"\x00\x00\x00\x03abc"


async def test_oversize_length_is_refused_before_the_payload_arrives() -> None:
    # No payload and no EOF: had the reader tried to buffer the frame, it would wait forever.
    reader = _reader(b"\x00\x01\x00\x01", eof=False)
    with pytest.raises(FrameTooLarge, match="65537 exceeds the limit of 65536"):
        await read_frame(reader, 65536)


async def test_a_frame_of_exactly_the_limit_is_accepted() -> None:
    assert await _read_all(encode_frame(b"z" * 10), 10) == [b"z" * 10]


async def test_hello_round_trips_and_has_a_fixed_size() -> None:
    hello = Hello(NodeId(2**64 - 1), bytes(range(32)))
    assert len(hello.encode()) == HELLO_BYTES == 45
    assert await read_hello(_reader(encode_frame(hello.encode()))) == hello


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"RXLT\x01" + b"\x00" * 39, "hello of 44 bytes"),
        (b"HTTP\x01" + b"\x00" * 40, "magic"),
        (b"RXLT\x02" + b"\x00" * 40, "unsupported protocol version 2"),
    ],
)
async def test_malformed_hellos_are_violations(payload: bytes, message: str) -> None:
    with pytest.raises(ProtocolViolation, match=message):
        await read_hello(_reader(encode_frame(payload)))


async def test_a_first_frame_longer_than_a_hello_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation, match="not a hello"):
        await read_hello(_reader(b"\x00\x00\x10\x00", eof=False))


async def test_no_hello_at_all_is_a_violation() -> None:
    with pytest.raises(ProtocolViolation, match="closed before the hello"):
        await read_hello(_reader(b""))
