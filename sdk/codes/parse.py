"""`parse_code`: detect the form of a code text and parse it into the `Code` union.

Detection, first match wins:

1. `]d2` / `]C1` / `]Q3` or any text containing GS → GS1 element string
2. `(`                                    → GS1 HRI
3. `http://` / `https://` (any case)      → GS1 Digital Link
4. `urn:epc:`                             → EPC URN (sgtin, sscc, sgln, lgtin)
5. `proprietary:`                         → proprietary code
6. digits only: 20 → China NMPA code; 8/12/13/14 → GTIN (product reference, padded to
   14 digits); 18 → SSCC. A bare 20-digit string is always NMPA: write an SSCC element
   string with its symbology identifier or as HRI.
7. anything else starting with a digit    → GS1 element string without symbology identifier
"""

from __future__ import annotations

import dataclasses

from sdk.codes.checkdigit import require_check_digit
from sdk.codes.digital_link import split_digital_link
from sdk.codes.element_string import SYMBOLOGY_IDENTIFIERS, split_element_string
from sdk.codes.emit import GS
from sdk.codes.epc_urn import parse_epc_urn_elements
from sdk.codes.errors import CodeError, ParseWarning
from sdk.codes.gs1 import build_gs1
from sdk.codes.hri import split_hri
from sdk.codes.model import Code, Gs1Code
from sdk.codes.other_schemes import PROPRIETARY_PREFIX, parse_nmpa20, parse_proprietary

_SPACE = " \t\r\n"  # not str.strip(): that would also eat GS (U+001D)
__all__ = [
    "parse_code",
    "parse_digital_link",
    "parse_element_string",
    "parse_epc_urn",
    "parse_hri",
]


def parse_element_string(
    text: str, *, reference_year: int | None = None, lenient: bool = False
) -> Gs1Code:
    """Parse a GS1 element string (with or without symbology identifier)."""
    pairs, warnings = split_element_string(text, lenient=lenient)
    return build_gs1(pairs, reference_year=reference_year, warnings=warnings)


def parse_hri(text: str, *, reference_year: int | None = None, lenient: bool = False) -> Gs1Code:
    """Parse a human-readable interpretation `(01)…(21)…`."""
    pairs, warnings = split_hri(text, lenient=lenient)
    return build_gs1(pairs, reference_year=reference_year, warnings=warnings)


def parse_digital_link(
    text: str, *, reference_year: int | None = None, lenient: bool = False
) -> Gs1Code:
    """Parse a GS1 Digital Link URI."""
    pairs, warnings = split_digital_link(text, lenient=lenient)
    return build_gs1(pairs, reference_year=reference_year, warnings=warnings)


def parse_epc_urn(text: str, *, reference_year: int | None = None) -> Gs1Code:
    """Parse an EPC pure-identity URN; the code remembers its company prefix length."""
    pairs, prefix_length = parse_epc_urn_elements(text)
    return build_gs1(pairs, reference_year=reference_year, company_prefix_length=prefix_length)


def _parse_digits(text: str) -> Code:
    if len(text) == 20:
        return parse_nmpa20(text)
    if len(text) in (8, 12, 13, 14):
        require_check_digit(text, f"GTIN-{len(text)}")
        return build_gs1([("01", text.zfill(14))])
    if len(text) == 18:
        return build_gs1([("00", text)])
    raise CodeError(f"{len(text)} bare digits match no code form (GTIN, SSCC or NMPA 20)")


def _detect(text: str, reference_year: int | None, lenient: bool) -> Code:
    lowered = text[:8].lower()
    if text.startswith(SYMBOLOGY_IDENTIFIERS) or GS in text:
        return parse_element_string(text, reference_year=reference_year, lenient=lenient)
    if text.startswith("("):
        return parse_hri(text, reference_year=reference_year, lenient=lenient)
    if lowered.startswith(("http://", "https://")):
        return parse_digital_link(text, reference_year=reference_year, lenient=lenient)
    if text.startswith("urn:epc:"):
        return parse_epc_urn(text, reference_year=reference_year)
    if text.startswith(PROPRIETARY_PREFIX):
        return parse_proprietary(text)
    if text.isascii() and text.isdigit() and len(text) in (8, 12, 13, 14, 18, 20):
        return _parse_digits(text)
    if text[:1].isdigit():
        return parse_element_string(text, reference_year=reference_year, lenient=lenient)
    raise CodeError(f"unrecognised code format: {text[:40]!r}")


def parse_code(
    text: str,
    *,
    reference_year: int | None = None,
    company_prefix_length: int | None = None,
    lenient: bool = False,
) -> Code:
    """Parse any supported code text into `Gs1Code | Nmpa20Code | ProprietaryCode`.

    `reference_year` fixes the AI 17 century window (default: the current UTC year);
    `company_prefix_length` lets a GS1 code emit EPC URNs; `lenient` turns normalizable
    deviations into `ParseWarning`s on `Gs1Code.warnings` instead of errors.
    """
    if not text:
        raise CodeError("empty code")
    stripped = text.strip(_SPACE) if lenient else text
    code = _detect(stripped, reference_year, lenient)
    if not isinstance(code, Gs1Code):
        return code
    if stripped != text and ParseWarning("surrounding whitespace removed") not in code.warnings:
        warnings = (*code.warnings, ParseWarning("surrounding whitespace removed"))
        code = dataclasses.replace(code, warnings=warnings)
    if company_prefix_length is not None:
        if not 6 <= company_prefix_length <= 12:
            raise CodeError(f"company prefix length must be 6–12, got {company_prefix_length}")
        code = dataclasses.replace(code, company_prefix_length=company_prefix_length)
    return code
