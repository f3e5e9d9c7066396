"""Canonical msgpack: the one byte form of every signed or hashed value (docs/formats.md §1).

Rules (DESIGN.md, Data model: "msgpack with a fixed, documented field order ... no floats"):

- Allowed values: ``None``, ``bool``, ``int`` in [-2**63, 2**64), ``str`` (valid UTF-8),
  ``bytes`` (msgpack bin), ``list``/``tuple`` (array; decodes to ``list``) and ``dict`` with
  ``str`` keys (map). Nothing else: no floats, no ext types (timestamps included), no sets.
- Maps are written with keys sorted by their UTF-8 bytes. For valid Unicode scalar values
  UTF-8 byte order equals code point order, so Python's ``sorted`` on ``str`` is that order.
- Every integer and every str/bin/array/map length uses the shortest msgpack form (what
  msgpack's packer writes). Nesting is limited to :data:`MAX_DEPTH` containers.

:func:`decode` accepts exactly the bytes :func:`encode` can produce: it unpacks with
msgpack's C unpacker (duplicate and order checks run in ``object_pairs_hook``, only on maps),
then re-encodes the result and compares bytes. That one C-speed comparison rejects every
non-minimal integer or length header without parsing headers in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeAlias

import msgpack

from sdk.errors import (
    DuplicateKey,
    EncodingError,
    ExtTypeNotAllowed,
    FloatNotAllowed,
    IntegerOutOfRange,
    InvalidUtf8,
    KeyOrder,
    Malformed,
    NonCanonical,
    NonStrKey,
    TooDeep,
    TooLarge,
    TrailingBytes,
    Truncated,
    UnsupportedType,
)

Canonical: TypeAlias = (
    bool | int | str | bytes | list["Canonical"] | tuple["Canonical", ...] | dict[str, "Canonical"]
) | None
"""A value :func:`encode` accepts. :func:`decode` returns lists, never tuples."""

MAX_DEPTH: Final = 64
"""Containers nested deeper than this are refused on both sides (bounds recursion)."""

DEFAULT_MAX_SIZE: Final = 16 * 1024 * 1024
"""Largest input :func:`decode` reads unless told otherwise."""

INT_MIN: Final = -(2**63)
INT_MAX: Final = 2**64 - 1

_DECODED_SCALARS: Final = frozenset({type(None), bool, int, str, bytes})


def encode(value: Any) -> bytes:
    """The canonical bytes of ``value``; the same value always gives the same bytes."""
    normalized = _normalize(value, 0)
    try:
        packed: bytes = msgpack.packb(normalized, use_bin_type=True)
    except UnicodeEncodeError as exc:
        raise InvalidUtf8(f"string is not valid UTF-8 (lone surrogate?): {exc}") from exc
    return packed


def decode(data: bytes, *, max_size: int = DEFAULT_MAX_SIZE) -> Any:
    """Decode canonical bytes; anything :func:`encode` would not produce raises EncodingError."""
    if not isinstance(data, bytes):
        raise UnsupportedType(f"decode takes bytes, got {type(data).__name__}")
    if len(data) > max_size:
        raise TooLarge(f"input is {len(data)} bytes, the limit is {max_size}")
    value = _unpack(data)
    _check_decoded(value, 0)
    # Maps came out of _checked_map already in canonical order, so packb alone re-encodes.
    if msgpack.packb(value, use_bin_type=True) != data:
        raise NonCanonical(
            "input is not in canonical form: an integer or a str/bin/array/map length "
            "is not written in its shortest msgpack form"
        )
    return value


def _unpack(data: bytes) -> Any:
    try:
        return msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            object_pairs_hook=_checked_map,
            ext_hook=_refuse_ext,
            use_list=True,
        )
    except EncodingError:
        raise
    except msgpack.ExtraData as exc:
        extra = len(getattr(exc, "extra", b""))
        raise TrailingBytes(f"{extra} trailing byte(s) after a complete value") from exc
    except UnicodeDecodeError as exc:
        raise InvalidUtf8(f"a string is not valid UTF-8: {exc.reason}") from exc
    except msgpack.StackError as exc:
        raise TooDeep(f"nesting exceeds the unpacker's stack (limit {MAX_DEPTH})") from exc
    except msgpack.FormatError as exc:
        raise Malformed("input holds a byte that is not a msgpack type tag") from exc
    except ValueError as exc:
        # msgpack reports "incomplete input" and non-str map keys as plain ValueError.
        text = str(exc)
        if "incomplete" in text:
            raise Truncated("input ends in the middle of a value") from exc
        if "map key" in text:
            raise NonStrKey(f"map keys must be str: {text}") from exc
        raise Malformed(f"not valid msgpack: {text}") from exc


def _checked_map(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    """Reject non-str, duplicate and unsorted keys while the C unpacker builds the map."""
    previous: str | None = None
    for key, _ in pairs:
        if type(key) is not str:
            raise NonStrKey(f"map key {key!r} is {type(key).__name__}, keys must be str")
        if previous is not None and key <= previous:
            if key == previous:
                raise DuplicateKey(f"map key {key!r} appears twice")
            raise KeyOrder(f"map key {key!r} comes after {previous!r}; keys must be sorted")
        previous = key
    return dict(pairs)


def _check_decoded(value: Any, depth: int) -> None:
    """Refuse floats, timestamps and deep nesting in a freshly unpacked value (no rebuild)."""
    kind = type(value)
    if kind is list or kind is dict:
        if depth >= MAX_DEPTH:
            raise TooDeep(f"containers nest deeper than {MAX_DEPTH}")
        for item in value if kind is list else value.values():
            if type(item) not in _DECODED_SCALARS:
                _check_decoded(item, depth + 1)
    elif kind not in _DECODED_SCALARS:
        _normalize_other(value, depth)


def _refuse_ext(code: int, data: bytes) -> Any:
    raise ExtTypeNotAllowed(f"msgpack ext type {code} is not allowed")


def _normalize(value: Any, depth: int) -> Any:
    """Check ``value`` against the rules and return it with maps in canonical key order."""
    kind = type(value)
    if kind is str or kind is bytes or kind is bool or value is None:
        return value
    if kind is int:
        if not INT_MIN <= value <= INT_MAX:
            raise IntegerOutOfRange(f"integer {value} is outside [-2**63, 2**64-1]")
        return value
    if kind is list or kind is tuple:
        if depth >= MAX_DEPTH:
            raise TooDeep(f"containers nest deeper than {MAX_DEPTH}")
        return [_normalize(item, depth + 1) for item in value]
    if kind is dict:
        if depth >= MAX_DEPTH:
            raise TooDeep(f"containers nest deeper than {MAX_DEPTH}")
        for key in value:
            if type(key) is not str:
                raise NonStrKey(f"map key {key!r} is {type(key).__name__}, keys must be str")
        return {key: _normalize(value[key], depth + 1) for key in sorted(value)}
    return _normalize_other(value, depth)


def _normalize_other(value: Any, depth: int) -> Any:
    """Subclasses (StrEnum, IntEnum) travel as their base type; everything else is refused."""
    if isinstance(value, float):
        raise FloatNotAllowed(f"float {value!r} is not allowed; use integers (e.g. millis)")
    if isinstance(value, msgpack.Timestamp | msgpack.ExtType):
        raise ExtTypeNotAllowed(f"{type(value).__name__} (msgpack ext) is not allowed")
    for base, convert in _SUBCLASS_BASES:
        if isinstance(value, base):
            return _normalize(convert(value), depth)
    raise UnsupportedType(f"{type(value).__name__} cannot be encoded canonically")


_SUBCLASS_BASES: Final[tuple[tuple[type, Callable[[Any], Any]], ...]] = (
    (bool, bool),
    (int, int),
    (str, str.__str__),
    (bytes, bytes),
    (list, list),
    (tuple, list),
    (dict, dict),
)
