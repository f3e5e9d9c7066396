"""Check digits (GenSpecs §7.9.1) and YYMMDD dates (§7.12) against the STANDARDS vectors."""

from __future__ import annotations

import datetime

import pytest

from sdk.codes import CodeError, check_digit, has_valid_check_digit, resolve_century, resolve_yymmdd


def test_check_digit_vector_gtin13() -> None:
    assert check_digit("0950110153000") == 3


@pytest.mark.parametrize(
    "number",
    ["12345678901231", "09501101530003", "106141411234567897", "0614141073467", "96385074"],
)
def test_valid_check_digits(number: str) -> None:
    assert has_valid_check_digit(number)


@pytest.mark.parametrize("number", ["12345678901232", "106141411234567890", "", "12a4", "5"])
def test_invalid_check_digits(number: str) -> None:
    assert not has_valid_check_digit(number)


def test_check_digit_rejects_non_digits() -> None:
    with pytest.raises(CodeError, match="digits"):
        check_digit("12x")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("270200", datetime.date(2027, 2, 28)),
        ("240200", datetime.date(2024, 2, 29)),
        ("261231", datetime.date(2026, 12, 31)),
        ("000100", datetime.date(2000, 1, 31)),
    ],
)
def test_day_zero_is_last_day_of_month(raw: str, expected: datetime.date) -> None:
    assert resolve_yymmdd(raw, 2025) == expected


@pytest.mark.parametrize(
    ("yy", "reference", "year"),
    [(75, 2025, 2075), (76, 2025, 1976), (99, 2060, 2099), (9, 2060, 2109), (10, 2060, 2110)],
)
def test_century_window_is_minus_49_plus_50(yy: int, reference: int, year: int) -> None:
    assert resolve_century(yy, reference) == year


@pytest.mark.parametrize(
    ("raw", "problem"),
    [("251301", "month 13"), ("250001", "month 00"), ("250230", "day 30"), ("250431", "day 31")],
)
def test_invalid_dates_rejected(raw: str, problem: str) -> None:
    with pytest.raises(CodeError, match=problem):
        resolve_yymmdd(raw, 2025)
