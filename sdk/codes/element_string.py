"""Parse GS1 element strings as read from a DataMatrix, GS1-128 or GS1 QR symbol.

GS1 General Specifications §7.8 (FNC1 / GS separators) and §5.1 (symbology identifiers
`]d2` DataMatrix, `]C1` GS1-128, `]Q3` QR): the AI is matched against the AI table; a
predefined-length field (§7.8.5) ends after its length; any other field ends at GS (U+001D)
or at the end of the data. A GS directly after a predefined-length field is tolerated, as
scanners commonly send it; a GS at the very end or two in a row is rejected (strict).
"""

from __future__ import annotations

from sdk.codes.ai_table import AI_TABLE, AiSpec, validate_value
from sdk.codes.emit import GS
from sdk.codes.errors import CodeError, ParseWarning

_SPACE = " \t\r\n"  # not str.strip(): that would also eat GS (U+001D)
__all__ = ["SYMBOLOGY_IDENTIFIERS", "split_element_string"]

SYMBOLOGY_IDENTIFIERS = ("]d2", "]C1", "]Q3")


def _match_ai(data: str, position: int) -> AiSpec:
    for length in (2, 3, 4):
        candidate = data[position : position + length]
        if len(candidate) == length and candidate in AI_TABLE:
            return AI_TABLE[candidate]
    shown = data[position : position + 4]
    if not shown[:2].isdigit():
        raise CodeError(f"expected an AI at position {position}, found {shown!r}")
    raise CodeError(f"({shown}…) at position {position} is not a supported Application Identifier")


def _strip_prefix(text: str, lenient: bool, warnings: list[ParseWarning]) -> str:
    if lenient and text != text.strip(_SPACE):
        warnings.append(ParseWarning("surrounding whitespace removed"))
        text = text.strip(_SPACE)
    for prefix in SYMBOLOGY_IDENTIFIERS:
        if text.startswith(prefix):
            return text[len(prefix) :]
    if text.startswith("]"):
        raise CodeError(f"unsupported symbology identifier {text[:3]!r}")
    if text.startswith(GS):
        if not lenient:
            raise CodeError("element string starts with GS (FNC1 belongs to the symbology)")
        warnings.append(ParseWarning("leading GS removed"))
        return text.lstrip(GS)
    return text


def split_element_string(
    text: str, *, lenient: bool = False
) -> tuple[list[tuple[str, str]], list[ParseWarning]]:
    """Split an element string into (AI, value) pairs; values are not yet validated."""
    warnings: list[ParseWarning] = []
    data = _strip_prefix(text, lenient, warnings)
    if lenient and data.endswith(GS):
        warnings.append(ParseWarning("trailing GS removed"))
        data = data.rstrip(GS)
    if not data:
        raise CodeError("empty element string")
    pairs: list[tuple[str, str]] = []
    position = 0
    while position < len(data):
        spec = _match_ai(data, position)
        start = position + len(spec.ai)
        if spec.predefined_length:
            end = start + spec.max_length
            if end > len(data):
                raise CodeError(f"({spec.ai}) is truncated: needs {spec.max_length} characters")
            position = end
            value = data[start:end]
            if position < len(data) and data[position] == GS:
                position += 1
                if position == len(data):
                    raise CodeError(f"trailing GS after ({spec.ai})")
        else:
            separator = data.find(GS, start)
            end = len(data) if separator < 0 else separator
            value = data[start:end]
            if len(value) > spec.max_length:
                raise CodeError(
                    f"({spec.ai}) has {len(value)} characters, max {spec.max_length}"
                    " (missing GS separator or trailing garbage?)"
                )
            position = end if separator < 0 else separator + 1
            if separator >= 0 and position == len(data):
                raise CodeError(f"trailing GS after ({spec.ai})")
        if GS in value:
            raise CodeError(f"({spec.ai}) contains a misplaced GS")
        # Validate as we go, so garbage is blamed on the field it broke, not the next one.
        validate_value(spec, value)
        pairs.append((spec.ai, value))
    return pairs, warnings
