"""GS1 mod-10 check digits (GS1 General Specifications §7.9.1).

Weights 3, 1, 3, … are applied from the rightmost data digit leftwards;
check = (10 − sum mod 10) mod 10. The same rule serves GTIN-8/12/13/14, GLN and SSCC.
"""

from __future__ import annotations

from sdk.codes.errors import CodeError

__all__ = ["check_digit", "has_valid_check_digit", "require_check_digit"]


def check_digit(digits: str) -> int:
    """Return the check digit for `digits` (the data digits, without a check digit)."""
    if not digits or not digits.isascii() or not digits.isdigit():
        raise CodeError(f"check digit needs a non-empty string of digits, got {digits!r}")
    total = 0
    for position, char in enumerate(reversed(digits)):
        total += int(char) * (3 if position % 2 == 0 else 1)
    return (10 - total % 10) % 10


def has_valid_check_digit(number: str) -> bool:
    """True when the last digit of `number` is the check digit of the digits before it."""
    if len(number) < 2 or not number.isascii() or not number.isdigit():
        return False
    return check_digit(number[:-1]) == int(number[-1])


def require_check_digit(number: str, label: str) -> None:
    """Raise `CodeError` naming `label` unless `number` ends with its valid check digit."""
    if not has_valid_check_digit(number):
        expected = check_digit(number[:-1]) if number[:-1].isdigit() and number[:-1] else "?"
        raise CodeError(
            f"{label} {number} has a bad check digit (expected {expected}, got {number[-1:]})"
        )
