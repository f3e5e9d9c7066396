"""GS1 Digital Link URI syntax 1.2: strict parsing, lenient normalization, canonical emit."""

from __future__ import annotations

import datetime

import pytest

from sdk.codes import GS, CodeError, parse_digital_link

EXAMPLE = "https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426"


def test_standards_example_round_trips() -> None:
    code = parse_digital_link(EXAMPLE, reference_year=2025)
    assert code.element_string == "010952012345678810ABC1" + GS + "2112345" + GS + "17180426"
    assert code.expiry == datetime.date(2018, 4, 26)
    assert code.digital_link == EXAMPLE


def test_any_host_and_path_prefix_accepted_canonical_host_emitted() -> None:
    code = parse_digital_link("https://example.com/some/prefix/01/09520123456788/21/X1")
    assert code.digital_link == "https://id.gs1.org/01/09520123456788/21/X1"


def test_percent_decoding_and_encoding() -> None:
    code = parse_digital_link("https://id.gs1.org/01/09520123456788/21/A%2FB%25C!")
    assert code.serial == "A/B%C!"
    assert code.digital_link == "https://id.gs1.org/01/09520123456788/21/A%2FB%25C%21"


def test_non_ai_query_parameters_ignored_with_warning() -> None:
    code = parse_digital_link(EXAMPLE + "&linkType=gs1:pip", reference_year=2025)
    assert code.value("17") == "180426"
    assert [str(w) for w in code.warnings] == ["query parameter 'linkType' ignored"]


def test_sscc_and_gln_keys() -> None:
    assert parse_digital_link("https://id.gs1.org/00/106141411234567897").key == (
        "sscc:106141411234567897"
    )
    gln = parse_digital_link("https://id.gs1.org/414/0614141073467/254/1234")
    assert gln.key == "sgln:0614141073467.1234"


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("http://id.gs1.org/01/09520123456788", "must use https"),
        ("ftp://id.gs1.org/01/09520123456788", "scheme must be https"),
        ("https://id.gs1.org/01/09520123456788/21/1/10/2", "must come in order 22, 10, 21"),
        ("https://id.gs1.org/01/9520123456788", r"\(01\) GTIN must have 14 digits"),
        ("https://id.gs1.org/01/09520123456788/", "must not end with '/'"),
        ("https://id.gs1.org/01/09520123456788/21/a%2fb", "must use uppercase hex"),
        ("https://id.gs1.org/01/09520123456788/21/a%2", "malformed percent-escape"),
        ("https://id.gs1.org/01/09520123456789", "bad check digit"),
        ("https://id.gs1.org/01/09520123456788/17/261231", r"\(17\) is not a path qualifier"),
        ("https://id.gs1.org/01/09520123456788?21=5", "belongs in the Digital Link path"),
        ("https://id.gs1.org/01/09520123456788?99=5", r"\(99\) is not a supported"),
        ("https://id.gs1.org/01/09520123456788?17=261331", r"\(17\) month 13"),
        ("https://id.gs1.org/01/09520123456788/21/A%20B", "character set 82"),
        ("https://id.gs1.org/01/09520123456788/21/A<B", "must be percent-encoded"),
        ("https://id.gs1.org/gtin/09520123456788", "no primary key"),
        ("https:///01/09520123456788", "no host"),
        ("https://id.gs1.org/01/09520123456788#frag", "#fragment"),
        ("https://id.gs1.org/01/09520123456788/21/%C3%28", "not valid UTF-8"),
    ],
)
def test_strict_rejections(uri: str, reason: str) -> None:
    with pytest.raises(CodeError, match=reason):
        parse_digital_link(uri, reference_year=2025)


def test_lenient_normalizes_and_warns() -> None:
    code = parse_digital_link(
        " http://Example.com/01/9520123456788/21/a%2fb/10/L1/ ", lenient=True, reference_year=2025
    )
    assert code.digital_link == "https://id.gs1.org/01/09520123456788/10/L1/21/a%2Fb"
    warnings = {str(w) for w in code.warnings}
    assert warnings == {
        "surrounding whitespace removed",
        "http upgraded to https",
        "trailing slash removed",
        "GTIN-13 padded to GTIN-14",
        "lowercase percent-escapes normalized to uppercase",
        "path qualifiers reordered",
    }


def test_lenient_still_rejects_bad_check_digit() -> None:
    with pytest.raises(CodeError, match="bad check digit"):
        parse_digital_link("http://id.gs1.org/01/09520123456789", lenient=True)
