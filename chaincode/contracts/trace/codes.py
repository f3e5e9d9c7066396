"""Turning scanned text into state identities, through the shared parser ``sdk.codes``.

Every argument that names a code accepts any text ``parse_code`` accepts (element string,
human-readable AIs, Digital Link, 20-digit NMPA code …) or an already canonical key
(``sgtin:…``, ``sscc:…``, ``nmpa20:…``, ``prop:…``), and state is keyed by the canonical key.
Commissioning parses each code exactly once; the GTIN + serials fast path parses the GTIN once
and checks each serial against GS1 character set 82 (GS1 GenSpecs, AI 21).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from chaincode.api import Context
from chaincode.contracts.trace import keys
from chaincode.contracts.trace.errors import BAD_CODE, NOT_SERIALIZED, reject
from sdk.codes import CodeError, parse_code

KEY_PREFIXES = ("sgtin:", "sscc:", "nmpa20:", "prop:")
SERIAL_PATTERN = keys.LOT_PATTERN
"""Serials (AI 21) use the same character set and length as lots (AI 10)."""


@dataclass(frozen=True, slots=True)
class Scanned:
    """What a scan says: the identity, and the lot/expiry printed on the pack, if any."""

    key: str
    product_key: str | None
    lot: str | None
    expiry: date | None
    is_serialized: bool


def scan(ctx: Context, text: str) -> Scanned:
    """Parse one code text (or accept a canonical key); refuse what is not a code.

    The AI 17 century window is taken from the block's year, never the wall clock, so
    every node resolves a printed ``YYMMDD`` to the same date.
    """
    if text.startswith(KEY_PREFIXES):
        _check_key(text, text)
        return Scanned(text, _product_of_key(text), None, None, True)
    try:
        code = parse_code(text, reference_year=keys.day_of(ctx.block_time_ms).year)
    except CodeError as exc:
        raise reject(BAD_CODE, f"{text[:60]!r} is not a valid code: {exc.reason}") from exc
    _check_key(code.key, text)
    return Scanned(
        code.key,
        code.product_key,
        getattr(code, "lot", None),
        getattr(code, "expiry", None),
        code.is_serialized,
    )


def scan_serialized(ctx: Context, text: str) -> Scanned:
    """Like :func:`scan`, and refuse a product-level code (a GTIN without a serial)."""
    found = scan(ctx, text)
    if not found.is_serialized:
        raise reject(NOT_SERIALIZED, f"{text[:60]!r} has no serial: only unit codes are tracked")
    return found


def key_of(ctx: Context, text: str) -> str:
    return scan_serialized(ctx, text).key


def gtin_product(gtin: str) -> tuple[str, str]:
    """(canonical GTIN-14, product key) of a bare GTIN, check digit verified by the parser."""
    try:
        code = parse_code(f"01{gtin}")
    except CodeError as exc:
        raise reject(BAD_CODE, f"GTIN {gtin!r} is not valid: {exc.reason}") from exc
    canonical = getattr(code, "gtin", None)
    if not isinstance(canonical, str) or code.product_key is None:
        raise reject(BAD_CODE, f"{gtin!r} is not a GTIN")
    return canonical, code.product_key


def serial_keys(gtin14: str, serials: list[str]) -> list[str]:
    """SGTIN keys for serials of one GTIN, without a full parse per code (the fast path)."""
    match = SERIAL_PATTERN.fullmatch
    bad = [s for s in serials if match(s) is None]
    if bad:
        raise reject(BAD_CODE, f"serials outside GS1 character set 82 or 1–20 long: {bad[:5]}")
    return [f"sgtin:{gtin14}.{s}" for s in serials]


def gln_valid(gln: str) -> bool:
    """13 digits with a correct GS1 mod-10 check digit (GS1 GenSpecs §7.9)."""
    if not re.fullmatch(r"\d{13}", gln):
        return False
    body = gln[:-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(gln[-1])


def _check_key(key: str, text: str) -> None:
    if keys.SEP in key or len(key) > 200:
        raise reject(BAD_CODE, f"{text[:60]!r} contains a character no code key may hold")


def _product_of_key(key: str) -> str | None:
    if key.startswith("sgtin:"):
        return "gtin:" + key[len("sgtin:") :].split(".", 1)[0]
    if key.startswith("nmpa20:"):
        return "nmpa:" + key[len("nmpa20:") :][:7]
    return None
