"""Identifier and date checks the coldchain contract applies to its inputs.

Kept inside this contract's folder on purpose: the pinned code hash covers only this folder,
so every rule that decides a verdict lives here (GS1 GenSpecs §7.9 check digits).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from chaincode.contracts.coldchain import errors

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NMPA = re.compile(r"nmpa:\d{7}")
_GTIN = re.compile(r"gtin:\d{14}")


def gs1_check_digit_ok(digits: str) -> bool:
    """Weights 3,1,3,… from the rightmost data digit; check = (10 − sum mod 10) mod 10."""
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return False
    body = digits[:-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(digits[-1])


def check_sscc(sscc: str) -> str:
    if len(sscc) != 18 or not gs1_check_digit_ok(sscc):
        raise errors.ColdChainRejection(errors.BAD_SSCC, f"SSCC {sscc!r} is invalid")
    return sscc


def check_product_key(key: str) -> str:
    """``gtin:{14 digits, valid check}`` or ``nmpa:{7-digit product resource code}``."""
    if _NMPA.fullmatch(key) or (_GTIN.fullmatch(key) and gs1_check_digit_ok(key[5:])):
        return key
    raise errors.ColdChainRejection(errors.BAD_PRODUCT, f"product key {key!r} is invalid")


def to_ms(value: int | str, *, end_of_day: bool = False) -> int:
    """Integer ms UTC, or an ISO date (start of day; with ``end_of_day`` the next midnight)
    or an ISO datetime with an offset."""
    if isinstance(value, int):
        return value
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            moment += timedelta(days=1 if end_of_day else 0)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise errors.ColdChainRejection(errors.BAD_DATE, f"{value!r} is not an ISO date") from exc
    if moment.tzinfo is None:
        raise errors.ColdChainRejection(errors.BAD_DATE, f"{value!r} needs a UTC offset")
    return (moment - _EPOCH) // timedelta(milliseconds=1)
