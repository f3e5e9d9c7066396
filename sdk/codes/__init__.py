r"""Product codes: GS1 (element string, HRI, Digital Link, EPC URN), China NMPA 20-digit
codes and explicit proprietary codes, parsed strictly into one tagged union.

    >>> code = parse_code("]d2010950110153000317261231" "10ABC123\x1d21XYZ987", reference_year=2025)
    >>> code.key, code.expiry.isoformat()
    ('sgtin:09501101530003.XYZ987', '2026-12-31')

Every parsed code has `.scheme`, `.key` (the ledger state key), `.product_key`,
`.is_serialized`, `.gtin`, `.serial`, `.lot`, `.expiry`, `.sscc`. See docs/codes.md.
"""

from __future__ import annotations

from sdk.codes.ai_table import AI_TABLE, CS82, AiSpec
from sdk.codes.checkdigit import check_digit, has_valid_check_digit
from sdk.codes.dates import resolve_century, resolve_yymmdd
from sdk.codes.emit import (
    CANONICAL_DL_HOST,
    GS,
    emit_digital_link,
    emit_element_string,
    emit_hri,
)
from sdk.codes.epc_urn import emit_epc_urn
from sdk.codes.errors import CodeError, ParseWarning
from sdk.codes.gs1 import build_gs1
from sdk.codes.model import Code, Gs1Code, Nmpa20Code, ProprietaryCode
from sdk.codes.other_schemes import parse_nmpa20, parse_proprietary
from sdk.codes.parse import (
    parse_code,
    parse_digital_link,
    parse_element_string,
    parse_epc_urn,
    parse_hri,
)

__all__ = [
    "AI_TABLE",
    "CANONICAL_DL_HOST",
    "CS82",
    "GS",
    "AiSpec",
    "Code",
    "CodeError",
    "Gs1Code",
    "Nmpa20Code",
    "ParseWarning",
    "ProprietaryCode",
    "build_gs1",
    "check_digit",
    "emit_digital_link",
    "emit_element_string",
    "emit_epc_urn",
    "emit_hri",
    "has_valid_check_digit",
    "parse_code",
    "parse_digital_link",
    "parse_element_string",
    "parse_epc_urn",
    "parse_hri",
    "parse_nmpa20",
    "parse_proprietary",
    "resolve_century",
    "resolve_yymmdd",
]
