"""Parse the GS1 human-readable interpretation `(01)09501101530003(17)261231(10)ABC123`.

GS1 General Specifications §4.15: each AI in parentheses, then its value. A value
runs to the next `(NN…)`
whose digits are a known AI, or to the end. Values that themselves contain such a
parenthesized AI are ambiguous in HRI and should be scanned, not typed.
"""

from __future__ import annotations

import re

from sdk.codes.ai_table import AI_TABLE, Charset
from sdk.codes.errors import CodeError, ParseWarning

_SPACE = " \t\r\n"  # not str.strip(): that would also eat GS (U+001D)
__all__ = ["split_hri"]

_AI_OPEN = re.compile(r"\((\d{2,4})\)")


def _next_ai_start(text: str, start: int) -> int:
    for match in _AI_OPEN.finditer(text, start):
        if match.group(1) in AI_TABLE:
            return match.start()
    return len(text)


def split_hri(
    text: str, *, lenient: bool = False
) -> tuple[list[tuple[str, str]], list[ParseWarning]]:
    """Split HRI text into (AI, value) pairs; values are not yet validated."""
    warnings: list[ParseWarning] = []
    if lenient and (text != text.strip(_SPACE) or " " in text):
        warnings.append(ParseWarning("spaces removed from HRI"))
        text = text.replace(" ", "").strip(_SPACE)
    pairs: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        match = _AI_OPEN.match(text, position)
        if match is None:
            raise CodeError(
                f"expected '(AI)' at position {position}, found {text[position : position + 6]!r}"
            )
        ai = match.group(1)
        if ai not in AI_TABLE:
            raise CodeError(f"({ai}) is not a supported Application Identifier")
        start = match.end()
        # Digits never contain '(', so a numeric value ends at the first one; a following
        # unknown AI is then reported as such. Alphanumeric values may hold parentheses.
        if AI_TABLE[ai].charset is Charset.NUMERIC:
            bracket = text.find("(", start)
            end = len(text) if bracket < 0 else bracket
        else:
            end = _next_ai_start(text, start)
        value = text[start:end]
        if not value:
            raise CodeError(f"({ai}) has no value")
        pairs.append((ai, value))
        position = end
    if not pairs:
        raise CodeError("empty HRI")
    return pairs, warnings
