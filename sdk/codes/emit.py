"""Canonical text forms of a GS1 element list.

The order of elements is the canonical one chosen in `sdk.codes.gs1.canonical_order`:
primary key, its Digital Link qualifiers, then the other AIs by AI number. Element strings
end a field with GS (FNC1, U+001D) unless its AI has a predefined length or it is the last
field (GS1 General Specifications §7.8.5); Digital Links follow GS1 Digital Link URI
syntax 1.2 §4–6 (canonical host `id.gs1.org`, percent-encoding outside `A–Z a–z 0–9 - . _ ~`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sdk.codes.ai_table import lookup_ai

__all__ = [
    "CANONICAL_DL_HOST",
    "DL_PATH_QUALIFIERS",
    "GS",
    "PRIMARY_KEYS",
    "emit_digital_link",
    "emit_element_string",
    "emit_hri",
    "percent_encode",
]

GS = "\x1d"
CANONICAL_DL_HOST = "https://id.gs1.org"
#: Primary keys rxledger accepts, in precedence order, with their path qualifiers in order.
DL_PATH_QUALIFIERS: dict[str, tuple[str, ...]] = {
    "01": ("22", "10", "21"),
    "00": (),
    "414": ("254",),
}
PRIMARY_KEYS = tuple(DL_PATH_QUALIFIERS)
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

Elements = Sequence[tuple[str, str]]


def emit_element_string(elements: Elements) -> str:
    """Element string without a symbology identifier, GS between variable fields."""
    parts: list[str] = []
    for index, (ai, value) in enumerate(elements):
        parts.append(ai + value)
        is_last = index == len(elements) - 1
        if not is_last and not lookup_ai(ai).predefined_length:
            parts.append(GS)
    return "".join(parts)


def emit_hri(elements: Elements) -> str:
    """Human-readable interpretation: `(01)…(21)…` with no spaces."""
    return "".join(f"({ai}){value}" for ai, value in elements)


def percent_encode(value: str) -> str:
    """Percent-encode every UTF-8 byte outside the URI unreserved set, uppercase hex."""
    out: list[str] = []
    for char in value:
        if char in _UNRESERVED:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def emit_digital_link(elements: Elements, host: str = CANONICAL_DL_HOST) -> str:
    """Canonical Digital Link: key and qualifiers in the path, other AIs in the query."""
    primary, primary_value = elements[0]
    qualifiers = DL_PATH_QUALIFIERS.get(primary, ())
    path = [f"/{primary}/{percent_encode(primary_value)}"]
    query: list[str] = []
    for ai, value in elements[1:]:
        if ai in qualifiers:
            path.append(f"/{ai}/{percent_encode(value)}")
        else:
            query.append(f"{ai}={percent_encode(value)}")
    text = host + "".join(path)
    return text + ("?" + "&".join(query) if query else "")
