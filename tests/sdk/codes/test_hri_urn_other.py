"""HRI, EPC URNs (TDS), NMPA 20-digit and proprietary codes, and parse_code detection."""

from __future__ import annotations

import datetime

import pytest

from sdk.codes import (
    CodeError,
    Gs1Code,
    Nmpa20Code,
    ProprietaryCode,
    parse_code,
    parse_epc_urn,
    parse_hri,
)


def test_hri_parse_and_emit() -> None:
    code = parse_hri("(01)09501101530003(17)270200(10)AB(C)1(21)S/1", reference_year=2025)
    assert code.lot == "AB(C)1"
    assert code.serial == "S/1"
    assert code.expiry == datetime.date(2027, 2, 28)
    assert code.hri == "(01)09501101530003(10)AB(C)1(21)S/1(17)270200"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("(01)0950110153000", r"\(01\) has 13 characters, needs exactly 14"),
        ("(01)09501101530003(99)X", r"\(99\) is not a supported"),
        ("01)09501101530003", r"\(01\) must be digits only"),
        ("(01)09501101530003(21)", r"\(21\) has no value"),
    ],
)
def test_hri_rejections(text: str, reason: str) -> None:
    with pytest.raises(CodeError, match=reason):
        parse_code(text, reference_year=2025)


def test_sgtin_urn_standards_vector() -> None:
    code = parse_epc_urn("urn:epc:id:sgtin:0614141.107346.2017")
    assert code.hri == "(01)10614141073464(21)2017"
    assert code.company_prefix_length == 7
    assert code.epc_urn() == "urn:epc:id:sgtin:0614141.107346.2017"


def test_urn_escaping_round_trip() -> None:
    code = parse_hri("(01)10614141073464(21)A/B%C&D")
    urn = code.epc_urn(7)
    assert urn == "urn:epc:id:sgtin:0614141.107346.A%2FB%25C%26D"
    assert parse_epc_urn(urn).serial == "A/B%C&D"


def test_sscc_and_sgln_urns_both_ways() -> None:
    sscc = parse_epc_urn("urn:epc:id:sscc:0614141.1234567890")
    assert sscc.sscc == "106141412345678908"
    assert sscc.epc_urn() == "urn:epc:id:sscc:0614141.1234567890"
    sgln = parse_epc_urn("urn:epc:id:sgln:0614141.07346.1234")
    assert sgln.gln == "0614141073467"
    assert sgln.epc_urn() == "urn:epc:id:sgln:0614141.07346.1234"
    plain = parse_epc_urn("urn:epc:id:sgln:0614141.07346.0")
    assert plain.value("254") is None
    assert plain.epc_urn() == "urn:epc:id:sgln:0614141.07346.0"


@pytest.mark.parametrize(
    ("urn", "reason"),
    [
        ("urn:epc:id:sgtin:06141.1073460.2017", "6–12 digits"),
        ("urn:epc:id:sgtin:0614141.10734.2017", "must be 13 digits"),
        ("urn:epc:id:sgtin:0614141.107346.20 17", "character set 82"),
        ("urn:epc:id:sgtin:0614141.107346.A%2", "invalid escape"),
        ("urn:epc:id:sgtin:0614141.107346.A/B", "unescaped '/'"),
        ("urn:epc:id:grai:0614141.12345.400", "unsupported"),
    ],
)
def test_urn_rejections(urn: str, reason: str) -> None:
    with pytest.raises(CodeError, match=reason):
        parse_epc_urn(urn)


def test_epc_urn_needs_prefix_length_and_serial() -> None:
    with pytest.raises(CodeError, match="company prefix length"):
        parse_hri("(01)10614141073464(21)1").epc_urn()
    with pytest.raises(CodeError, match="needs a serial"):
        parse_hri("(01)10614141073464").epc_urn(7)
    code = parse_code("(01)10614141073464(21)1", company_prefix_length=7)
    assert isinstance(code, Gs1Code)
    assert code.epc_urn() == "urn:epc:id:sgtin:0614141.107346.1"


def test_nmpa20() -> None:
    code = parse_code("81234567890123456789")
    assert isinstance(code, Nmpa20Code)
    assert code.scheme == "nmpa20"
    assert code.key == "nmpa20:81234567890123456789"
    assert code.product_key == "nmpa:8123456"
    assert code.serial == "789012345"
    assert code.check == "6789"
    assert code.is_serialized
    assert code.gtin is None
    assert code.expiry is None


def test_proprietary() -> None:
    code = parse_code("proprietary:acme-pharma:BOX-0001.a_b")
    assert isinstance(code, ProprietaryCode)
    assert code.key == "prop:acme-pharma:BOX-0001.a_b"
    assert code.product_key is None
    assert code.serial == "BOX-0001.a_b"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("proprietary:ACME:1", "issuer"),
        ("proprietary:acme:a b", "value"),
        ("proprietary:acme", "proprietary:{issuer}:{value}"),
        ("proprietary:acme:" + "x" * 65, "value"),
    ],
)
def test_proprietary_rejections(text: str, reason: str) -> None:
    with pytest.raises(CodeError, match=reason):
        parse_code(text)


@pytest.mark.parametrize(
    ("text", "key", "serialized"),
    [
        ("09501101530003", "gtin:09501101530003", False),
        ("9501101530003", "gtin:09501101530003", False),
        ("96385074", "gtin:00000096385074", False),
        ("106141411234567897", "sscc:106141411234567897", True),
    ],
)
def test_bare_digits(text: str, key: str, serialized: bool) -> None:
    code = parse_code(text)
    assert code.key == key
    assert code.is_serialized is serialized


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("hello", "unrecognised"), ("12345678901232", "bad check digit")],
)
def test_parse_code_rejections(text: str, reason: str) -> None:
    with pytest.raises(CodeError, match=reason):
        parse_code(text)


def test_default_reference_year_is_current_utc_year() -> None:
    year = datetime.datetime.now(datetime.UTC).year
    yy = f"{year % 100:02d}"
    code = parse_code(f"(01)09501101530003(17){yy}0101")
    assert code.expiry == datetime.date(year, 1, 1)
