"""Parse GS1 Digital Link URIs (GS1 Digital Link URI syntax 1.2).

Strict mode accepts: scheme `https`; any host (emission always uses `id.gs1.org`); an
optional path prefix, then a primary key `/01/`, `/00/` or `/414/` with its qualifiers in
order (01: 22, 10, 21 — `/21/…/10/…` is invalid; 414: 254); data attributes as numeric AI
query parameters; percent-escapes with uppercase hex, decoding to UTF-8 (§4.6, RFC 3986
§2.1). Non-numeric query parameters (e.g. `linkType`) carry no identity and are ignored
with a warning.

Lenient mode instead normalizes, recording a `ParseWarning` for each change: `http` →
`https`, GTIN-8/12/13 → GTIN-14, lowercase hex escapes, a trailing slash, a fragment,
qualifiers out of order, surrounding whitespace.
"""

from __future__ import annotations

import re

from sdk.codes.ai_table import lookup_ai
from sdk.codes.emit import DL_PATH_QUALIFIERS, PRIMARY_KEYS
from sdk.codes.errors import CodeError, ParseWarning

_SPACE = " \t\r\n"  # not str.strip(): that would also eat GS (U+001D)
__all__ = ["split_digital_link"]

_URI = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
_RAW_OK = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?"
)
_HEX = frozenset("0123456789ABCDEFabcdef")


class _Context:
    def __init__(self, lenient: bool) -> None:
        self.lenient = lenient
        self.warnings: list[ParseWarning] = []

    def deviate(self, strict_reason: str, warning: str) -> None:
        """Fail in strict mode; record a warning in lenient mode."""
        if not self.lenient:
            raise CodeError(strict_reason)
        if ParseWarning(warning) not in self.warnings:
            self.warnings.append(ParseWarning(warning))


def _decode(raw: str, ai: str, ctx: _Context) -> str:
    data = bytearray()
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "%":
            hex_digits = raw[index + 1 : index + 3]
            if len(hex_digits) != 2 or not set(hex_digits) <= _HEX:
                raise CodeError(f"({ai}) has a malformed percent-escape {raw[index : index + 3]!r}")
            if hex_digits != hex_digits.upper():
                ctx.deviate(
                    f"({ai}) percent-escape %{hex_digits} must use uppercase hex",
                    "lowercase percent-escapes normalized to uppercase",
                )
            data.append(int(hex_digits, 16))
            index += 3
            continue
        if char not in _RAW_OK:
            raise CodeError(f"({ai}) character {char!r} must be percent-encoded")
        data.extend(char.encode("utf-8"))
        index += 1
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CodeError(f"({ai}) percent-escapes are not valid UTF-8") from error


def _check_scheme(scheme: str, host: str, fragment: str | None, ctx: _Context) -> None:
    if scheme.lower() == "http":
        ctx.deviate("Digital Link must use https, not http", "http upgraded to https")
    elif scheme.lower() != "https":
        raise CodeError(f"Digital Link scheme must be https, got {scheme!r}")
    if not host:
        raise CodeError("Digital Link has no host")
    if fragment is not None:
        ctx.deviate("Digital Link must not have a #fragment", "fragment removed")


def _primary_key_index(segments: list[str]) -> int:
    for index, segment in enumerate(segments):
        if segment in PRIMARY_KEYS and (len(segments) - index) % 2 == 0:
            return index
    raise CodeError("Digital Link path has no primary key /01/, /00/ or /414/ with a value")


def _normalize_gtin(value: str, ctx: _Context) -> str:
    if len(value) in (8, 12, 13) and value.isascii() and value.isdigit():
        ctx.deviate(
            f"(01) GTIN must have 14 digits in a Digital Link, got {len(value)}",
            f"GTIN-{len(value)} padded to GTIN-14",
        )
        return value.zfill(14)
    return value


def _path_pairs(path: str, ctx: _Context) -> list[tuple[str, str]]:
    if path.endswith("/") and len(path) > 1:
        ctx.deviate("Digital Link path must not end with '/'", "trailing slash removed")
        path = path.rstrip("/")
    segments = path.split("/")[1:]
    start = _primary_key_index(segments)
    primary = segments[start]
    qualifiers = DL_PATH_QUALIFIERS[primary]
    pairs: list[tuple[str, str]] = []
    last_rank = -1
    for offset in range(start, len(segments), 2):
        ai, raw = segments[offset], segments[offset + 1]
        if offset > start:
            if ai not in qualifiers:
                raise CodeError(f"({ai}) is not a path qualifier of ({primary})")
            rank = qualifiers.index(ai)
            if rank <= last_rank:
                order = ", ".join(qualifiers)
                ctx.deviate(
                    f"path qualifiers of ({primary}) must come in order {order}",
                    "path qualifiers reordered",
                )
            last_rank = max(last_rank, rank)
        value = _decode(raw, ai, ctx)
        if ai == "01":
            value = _normalize_gtin(value, ctx)
        pairs.append((ai, value))
    return pairs


def _query_pairs(query: str, ctx: _Context) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    path_ais = set(PRIMARY_KEYS).union(*DL_PATH_QUALIFIERS.values())
    for parameter in query.split("&"):
        if not parameter:
            ctx.deviate(
                "Digital Link query has an empty parameter", "empty query parameter removed"
            )
            continue
        key, separator, raw = parameter.partition("=")
        if not key.isdigit():
            ctx.warnings.append(ParseWarning(f"query parameter {key!r} ignored"))
            continue
        lookup_ai(key)
        if key in path_ais:
            raise CodeError(f"({key}) belongs in the Digital Link path, not the query")
        if not separator:
            raise CodeError(f"({key}) in the query has no value")
        pairs.append((key, _decode(raw, key, ctx)))
    return pairs


def split_digital_link(
    text: str, *, lenient: bool = False
) -> tuple[list[tuple[str, str]], list[ParseWarning]]:
    """Split a Digital Link into (AI, value) pairs; values are not yet validated."""
    ctx = _Context(lenient)
    if text != text.strip(_SPACE):
        ctx.deviate("Digital Link has surrounding whitespace", "surrounding whitespace removed")
        text = text.strip(_SPACE)
    match = _URI.fullmatch(text)
    if match is None:
        raise CodeError("not a URI")
    scheme, host, path, query, fragment = match.groups()
    _check_scheme(scheme, host, fragment, ctx)
    pairs = _path_pairs(path, ctx)
    if query is not None:
        pairs += _query_pairs(query, ctx)
    return pairs, ctx.warnings
