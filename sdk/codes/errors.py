"""Errors and warnings of the product-code library.

Exception tree::

    ValueError
    └── CodeError            a code text is invalid; `.reason` is one line naming the
                             AI (or part) and the problem, e.g. "(17) month 13 is invalid"

`ParseWarning` is not an exception: lenient parsing returns the normalizations it made as
`ParseWarning` values on the parsed code instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CodeError", "ParseWarning"]


class CodeError(ValueError):
    """A code could not be parsed or emitted; `reason` is a one-line explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """A normalization made by a lenient parse (the input was not in canonical form)."""

    message: str

    def __str__(self) -> str:
        return self.message
