"""GS1 element strings (GenSpecs §7.8): separators, predefined lengths, rejections."""

from __future__ import annotations

import datetime

import pytest

from sdk.codes import GS, CodeError, Gs1Code, parse_code, parse_element_string

STANDARDS_EXAMPLE = "]d201095011015300031726123110ABC123" + GS + "21XYZ987"


def test_standards_example() -> None:
    code = parse_element_string(STANDARDS_EXAMPLE, reference_year=2025)
    assert code.gtin == "09501101530003"
    assert code.expiry == datetime.date(2026, 12, 31)
    assert code.expiry_raw == "261231"
    assert code.lot == "ABC123"
    assert code.serial == "XYZ987"
    assert code.key == "sgtin:09501101530003.XYZ987"
    assert code.product_key == "gtin:09501101530003"
    assert code.is_serialized


@pytest.mark.parametrize("prefix", ["]d2", "]C1", "]Q3", ""])
def test_symbology_identifiers_optional(prefix: str) -> None:
    code = parse_code(prefix + "0109501101530003" + "21ABC", reference_year=2025)
    assert isinstance(code, Gs1Code)
    assert code.key == "sgtin:09501101530003.ABC"


def test_canonical_element_string_uses_gs_only_after_variable_fields() -> None:
    code = parse_element_string(STANDARDS_EXAMPLE, reference_year=2025)
    assert code.element_string == "010950110153000310ABC123" + GS + "21XYZ987" + GS + "17261231"


def test_standards_dl_pair_element_string() -> None:
    text = "010952012345678810ABC1" + GS + "2112345" + GS + "17180426"
    code = parse_element_string(text, reference_year=2025)
    assert code.digital_link == "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426"
    assert code.element_string == text


def test_fixed_length_non_predefined_ai_needs_gs() -> None:
    code = parse_element_string("010950110153000370032612311200" + GS + "21A", reference_year=2025)
    assert code.value("7003") == "2612311200"
    with pytest.raises(CodeError, match=r"\(7003\)"):
        parse_element_string("01095011015300037003261231120021A", reference_year=2025)


def test_sscc_and_gln_primary_keys() -> None:
    sscc = parse_element_string("]C100106141411234567897", reference_year=2025)
    assert sscc.key == "sscc:106141411234567897"
    assert sscc.sscc == "106141411234567897"
    assert sscc.is_serialized
    gln = parse_element_string("4140614141073467254ABC", reference_year=2025)
    assert gln.key == "sgln:0614141073467.ABC"


def test_all_listed_ais_accepted() -> None:
    text = (
        "0109501101530003"
        "11250101"
        "13250102"
        "15270101"
        "16270102"
        "17270200"
        "2001"
        "10L1"
        + GS
        + "21S1"
        + GS
        + "22CPV"
        + GS
        + "240ADD"
        + GS
        + "241CUST"
        + GS
        + "3012"
        + GS
        + "3712"
        + GS
        + "400PO1"
        + GS
        + "4100614141073467"
        "4110614141073467"
        "4120614141073467"
        "4130614141073467"
        "4150614141073467"
        "4160614141073467"
        "4170614141073467"
        "7003270101"
        "1230"
        + GS
        + "710PZN"
        + GS
        + "711CIP"
        + GS
        + "712CN"
        + GS
        + "713DRN"
        + GS
        + "714AIM"
        + GS
        + "715NDC"
    )
    code = parse_element_string(text, reference_year=2025)
    assert code.expiry == datetime.date(2027, 2, 28)
    assert code.value("714") == "AIM"
    assert code.value("417") == "0614141073467"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0109501101530004", r"\(01\) 09501101530004 has a bad check digit"),
        ("01095011015300039912", r"\(9912…\) at position 16 is not a supported"),
        ("010950110153000310AB C", r"\(10\) has characters outside GS1 character set 82"),
        ("010950110153000310ABC#", r"\(10\) has characters outside"),
        ("010950110153000310" + "A" * 21, r"\(10\) has 21 characters, max 20"),
        ("010950110153000321A" + GS + "21B", r"\(21\) appears more than once"),
        ("01095011015300031726123", r"\(17\) is truncated"),
        ("010950110153000317261331", r"\(17\) month 13"),
        ("010950110153000317250230", r"\(17\) day 30"),
        ("010950110153000321A" + GS, r"trailing GS after \(21\)"),
        ("010950110153000321A" + GS + GS + "10B", r"expected an AI"),
        ("01095011015300", r"\(01\) is truncated"),
        ("0109501101530003xyz", r"expected an AI"),
        ("10ABC", r"no primary key"),
        ("21ABC", r"no primary key"),
        ("0010614141123456789721A", r"\(21\) is only valid together with \(01\)"),
        ("]e00109501101530003", r"unsupported symbology identifier"),
        ("]d2", r"empty element string"),
        ("010950110153000330123456789", r"\(30\) has 9 characters"),
        ("010950110153000337A1", r"\(37\) must be digits only"),
    ],
)
def test_rejections_name_the_ai_and_problem(text: str, reason: str) -> None:
    with pytest.raises(CodeError, match=reason) as info:
        parse_element_string(text, reference_year=2025)
    assert "\n" not in info.value.reason


def test_gs_after_predefined_field_tolerated_and_dropped_on_emit() -> None:
    code = parse_element_string("0109501101530003" + GS + "21A", reference_year=2025)
    assert code.element_string == "010950110153000321A"


def test_lenient_removes_trailing_gs_with_warning() -> None:
    code = parse_element_string("010950110153000321A" + GS, reference_year=2025, lenient=True)
    assert code.serial == "A"
    assert [str(w) for w in code.warnings] == ["trailing GS removed"]
