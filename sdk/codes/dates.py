"""GS1 six-digit dates (YYMMDD) and the century rule.

GS1 General Specifications §7.12: the year is chosen so that it lies within −49..+50
years of the reference year (the current year, injected here for determinism); a day of
`00` means the last day of the month (`270200` → 2027-02-28, `240200` → 2024-02-29).
"""

from __future__ import annotations

import calendar
import datetime

from sdk.codes.errors import CodeError

__all__ = ["current_reference_year", "resolve_century", "resolve_yymmdd"]


def current_reference_year() -> int:
    """The default reference year: the current UTC year."""
    return datetime.datetime.now(datetime.UTC).year


def resolve_century(yy: int, reference_year: int) -> int:
    """Return the four-digit year for `yy` within −49..+50 years of `reference_year`."""
    century = reference_year - reference_year % 100
    difference = yy - reference_year % 100
    if difference > 50:
        century -= 100
    elif difference < -49:
        century += 100
    return century + yy


def resolve_yymmdd(value: str, reference_year: int, ai: str = "17") -> datetime.date:
    """Resolve a YYMMDD value of AI `ai` to a date, rejecting invalid months and days."""
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise CodeError(f"({ai}) date must be 6 digits YYMMDD, got {value!r}")
    year = resolve_century(int(value[:2]), reference_year)
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise CodeError(f"({ai}) month {value[2:4]} is invalid")
    last_day = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last_day
    elif day > last_day:
        raise CodeError(f"({ai}) day {value[4:6]} is invalid for {year}-{month:02d}")
    return datetime.date(year, month, day)
