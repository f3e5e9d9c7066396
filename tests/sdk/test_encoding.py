"""Canonical msgpack (docs/formats.md §1): determinism, every refusal, property tests."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdk import errors
from sdk.encoding import MAX_DEPTH, decode, encode
from sdk.roles import Role

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.text()
    | st.binary()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@given(values)
@settings(max_examples=300, deadline=None)
def test_round_trip_and_determinism(value: Any) -> None:
    data = encode(value)
    assert encode(value) == data
    assert decode(data) == value
    assert encode(decode(data)) == data


@given(values)
@settings(max_examples=200, deadline=None)
def test_dict_insertion_order_does_not_matter(value: Any) -> None:
    if isinstance(value, dict):
        reversed_dict = dict(reversed(list(value.items())))
        assert encode(reversed_dict) == encode(value)


@given(values, st.data())
@settings(max_examples=300, deadline=None)
def test_single_byte_mutations_are_rejected_or_change_the_value(value: Any, data: Any) -> None:
    encoded = encode(value)
    position = data.draw(st.integers(min_value=0, max_value=len(encoded) - 1))
    replacement = data.draw(
        st.integers(min_value=0, max_value=255).filter(lambda b: b != encoded[position])
    )
    mutated = encoded[:position] + bytes([replacement]) + encoded[position + 1 :]
    try:
        decoded = decode(mutated)
    except errors.EncodingError:
        return
    # A mutation that decodes must decode to another value (True and 1 differ here,
    # though Python's == would call them equal), whose canonical bytes are the mutated ones.
    assert typed(decoded) != typed(value)
    assert encode(decoded) == mutated


def typed(value: Any) -> Any:
    """``value`` with each scalar tagged by its type, for a comparison where True != 1."""
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, dict):
        return ("dict", {k: typed(v) for k, v in value.items()})
    return (type(value).__name__, value)


@given(st.binary(max_size=40))
@settings(max_examples=400, deadline=None)
def test_arbitrary_bytes_decode_only_when_canonical(data: bytes) -> None:
    try:
        value = decode(data)
    except errors.EncodingError:
        return
    assert encode(value) == data


def test_tuples_encode_as_arrays_and_decode_as_lists() -> None:
    assert encode((1, "a")) == encode([1, "a"])
    assert decode(encode((1, (2,)))) == [1, [2]]


def test_known_bytes() -> None:
    assert encode({"b": 1, "a": [None, True, b"\x00"]}).hex() == "82a16193c0c3c40100a16201"
    assert encode(-1) == b"\xff"
    assert encode(2**64 - 1) == b"\xcf" + b"\xff" * 8


def test_keys_sort_by_utf8_bytes() -> None:
    # "Z" (0x5a) < "a" (0x61) < "é" (0xc3 0xa9) < "中" (0xe4 ...) in UTF-8 byte order.
    keys = list(decode(encode({"中": 0, "é": 0, "a": 0, "Z": 0})))
    assert keys == ["Z", "a", "é", "中"]
    assert keys == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_enum_subclasses_travel_as_their_base_type() -> None:
    class Level(IntEnum):
        CASE = 2

    assert encode([Role.QP, Level.CASE]) == encode(["qp", 2])
    assert type(decode(encode(Role.QP))) is str


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (1.5, errors.FloatNotAllowed),
        ([0.0], errors.FloatNotAllowed),
        ({"a": {"b": float("nan")}}, errors.FloatNotAllowed),
        (2**64, errors.IntegerOutOfRange),
        (-(2**63) - 1, errors.IntegerOutOfRange),
        ({1: "a"}, errors.NonStrKey),
        ({b"k": "a"}, errors.NonStrKey),
        ({"a"}, errors.UnsupportedType),
        (bytearray(b"x"), errors.UnsupportedType),
        (object(), errors.UnsupportedType),
        (msgpack.ExtType(1, b""), errors.ExtTypeNotAllowed),
        (msgpack.Timestamp(1, 0), errors.ExtTypeNotAllowed),
        ("\ud800", errors.InvalidUtf8),
    ],
)
def test_encode_refuses(value: Any, error: type[errors.EncodingError]) -> None:
    with pytest.raises(error) as caught:
        encode(value)
    assert caught.value.code.startswith("encoding.")
    assert caught.value.message


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def test_nesting_limit_is_the_same_both_ways() -> None:
    assert decode(encode(_nested(MAX_DEPTH))) == _nested(MAX_DEPTH)
    with pytest.raises(errors.TooDeep):
        encode(_nested(MAX_DEPTH + 1))
    with pytest.raises(errors.TooDeep):
        decode(b"\x91" * (MAX_DEPTH + 1) + b"\x00")
    with pytest.raises(errors.TooDeep):
        decode(b"\x91" * 5000 + b"\x00")


@pytest.mark.parametrize(
    ("data", "error", "says"),
    [
        (b"\x01\x02", errors.TrailingBytes, "trailing"),
        (b"\x92\x01", errors.Truncated, "ends"),
        (b"", errors.Truncated, "ends"),
        (b"\xc1", errors.Malformed, "type tag"),
        (b"\x82\xa1a\x01\xa1a\x02", errors.DuplicateKey, "twice"),
        (b"\x82\xa1b\x01\xa1a\x02", errors.KeyOrder, "sorted"),
        (msgpack.packb({1: 2}), errors.NonStrKey, "str"),
        (msgpack.packb({b"k": 2}, use_bin_type=True), errors.NonStrKey, "str"),
        (msgpack.packb(1.0), errors.FloatNotAllowed, "float"),
        (b"\xca\x00\x00\x00\x00", errors.FloatNotAllowed, "float"),
        (msgpack.packb([{"a": 0.5}]), errors.FloatNotAllowed, "float"),
        (msgpack.packb(msgpack.ExtType(5, b"x")), errors.ExtTypeNotAllowed, "ext"),
        (msgpack.packb(msgpack.Timestamp(1, 0)), errors.ExtTypeNotAllowed, "Timestamp"),
        (b"\xa1\xff", errors.InvalidUtf8, "UTF-8"),
        (b"\xcc\x01", errors.NonCanonical, "shortest"),  # 1 as uint8
        (b"\xd0\x01", errors.NonCanonical, "shortest"),  # 1 as int8
        (b"\xd1\xff\xff", errors.NonCanonical, "shortest"),  # -1 as int16
        (b"\xd9\x01a", errors.NonCanonical, "shortest"),  # "a" as str8
        (b"\xdc\x00\x01\x01", errors.NonCanonical, "shortest"),  # [1] as array16
        (b"\xde\x00\x00", errors.NonCanonical, "shortest"),  # {} as map16
        (b"\xc5\x00\x01x", errors.NonCanonical, "shortest"),  # b"x" as bin16
    ],
)
def test_decode_refuses(data: bytes, error: type[errors.EncodingError], says: str) -> None:
    with pytest.raises(error) as caught:
        decode(data)
    assert says in caught.value.message


def test_decode_refuses_oversize_input_before_parsing() -> None:
    data = encode("x" * 100)
    assert decode(data, max_size=len(data)) == "x" * 100
    with pytest.raises(errors.TooLarge, match="limit is 50"):
        decode(data, max_size=50)


def test_decode_takes_bytes_only() -> None:
    with pytest.raises(errors.UnsupportedType):
        decode(bytearray(b"\x00"))  # type: ignore[arg-type]
