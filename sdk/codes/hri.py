"""Parse the GS1 human-readable interpretation `(01)09501101530003(17)261231(10)ABC123`.

GS1 General Specifications §4.15: each AI in parentheses, then its value. A value
runs to the next `(NN…)`
whose digits are a known AI, or to the end. Values that themselves contain such a
parenthesized AI are ambiguous in HRI and should be scanned, not typed.
"""

from __future__ import annotations

import re

from sdk.codes.ai_table import AI_TABLE
from sdk.codes.errors import CodeError, ParseWarning

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
    if lenient and (text != text.strip() or " " in text):
        warnings.append(ParseWarning("spaces removed from HRI"))
        text = text.replace(" ", "").strip()
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
        # Digits never contain '(' so fixed-length values also end at the next AI; a short
        # or long one is then reported by the length check.
        end = _next_ai_start(text, start)
        value = text[start:end]
        if not value:
            raise CodeError(f"({ai}) has no value")
        pairs.append((ai, value))
        position = end
    if not pairs:
        raise CodeError("empty HRI")
    return pairs, warnings
