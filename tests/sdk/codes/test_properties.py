"""Property tests: every emitted form parses back to the same code; corruption is caught."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sdk.codes import (
    CS82,
    CodeError,
    Gs1Code,
    build_gs1,
    check_digit,
    parse_code,
    parse_digital_link,
    parse_element_string,
    parse_epc_urn,
    parse_hri,
)

REFERENCE_YEAR = 2025
FAST = settings(max_examples=60, deadline=None)

digits = st.text(alphabet="0123456789", min_size=13, max_size=13)
cs82_value = st.text(alphabet=sorted(CS82), min_size=1, max_size=20)
expiry = st.dates(datetime.date(1976, 1, 1), datetime.date(2075, 12, 31))


@st.composite
def gtins(draw: st.DrawFn) -> str:
    body = draw(digits)
    return body + str(check_digit(body))


@st.composite
def codes(draw: st.DrawFn) -> Gs1Code:
    pairs = [("01", draw(gtins()))]
    if draw(st.booleans()):
        pairs.append(("10", draw(cs82_value)))
    pairs.append(("21", draw(cs82_value)))
    if draw(st.booleans()):
        pairs.append(("17", draw(expiry).strftime("%y%m%d")))
    order = draw(st.permutations(pairs))
    return build_gs1(order, reference_year=REFERENCE_YEAR)


@FAST
@given(codes())
def test_element_string_round_trip(code: Gs1Code) -> None:
    assert parse_element_string("]d2" + code.element_string, reference_year=2025) == code


@FAST
@given(codes())
def test_digital_link_round_trip(code: Gs1Code) -> None:
    assert parse_digital_link(code.digital_link, reference_year=REFERENCE_YEAR) == code


@FAST
@given(codes())
def test_hri_round_trip_when_unambiguous(code: Gs1Code) -> None:
    parsed = parse_hri(code.hri, reference_year=REFERENCE_YEAR)
    # HRI cannot tell a value containing "(17)" from a new field; such values are rare.
    if not any("(" in value for _, value in code.elements):
        assert parsed == code


@FAST
@given(codes(), st.integers(min_value=6, max_value=12))
def test_epc_urn_round_trip(code: Gs1Code, prefix_length: int) -> None:
    identity = build_gs1(
        [(ai, v) for ai, v in code.elements if ai in ("01", "21")],
        reference_year=REFERENCE_YEAR,
        company_prefix_length=prefix_length,
    )
    assert parse_epc_urn(identity.epc_urn(), reference_year=REFERENCE_YEAR) == identity


@FAST
@given(codes())
def test_expiry_resolves_within_window(code: Gs1Code) -> None:
    if code.expiry is not None:
        assert REFERENCE_YEAR - 49 <= code.expiry.year <= REFERENCE_YEAR + 50
        assert code.expiry.strftime("%y%m%d") == code.expiry_raw


@FAST
@given(gtins(), st.integers(min_value=1, max_value=9))
def test_corrupted_check_digit_rejected(gtin: str, delta: int) -> None:
    corrupted = gtin[:-1] + str((int(gtin[-1]) + delta) % 10)
    for text in (f"(01){corrupted}", f"https://id.gs1.org/01/{corrupted}", "01" + corrupted):
        with pytest.raises(CodeError, match="check digit"):
            parse_code(text, reference_year=REFERENCE_YEAR)


@FAST
@given(gtins(), st.integers(min_value=0, max_value=12), st.integers(min_value=1, max_value=9))
def test_corrupted_data_digit_rejected(gtin: str, position: int, delta: int) -> None:
    digit = str((int(gtin[position]) + delta) % 10)
    corrupted = gtin[:position] + digit + gtin[position + 1 :]
    with pytest.raises(CodeError, match="check digit"):
        parse_code(corrupted)
