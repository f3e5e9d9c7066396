"""Turn a list of (AI, value) pairs into a validated, canonically ordered `Gs1Code`.

Rules (GS1 General Specifications §4.13 mandatory associations and invalid pairs, GS1
Digital Link URI syntax §4.2 primary keys and qualifiers):

- every AI known and its value valid (length, charset 82 / digits, check digit, date);
- no AI twice; exactly one primary key: 01 (GTIN), 00 (SSCC) or 414 (GLN);
- 21 and 22 qualify a GTIN, 254 qualifies a GLN;
- canonical order: primary key, its qualifiers in Digital Link order, then other AIs by AI.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from sdk.codes.ai_table import DateKind, lookup_ai, validate_value
from sdk.codes.dates import current_reference_year, resolve_yymmdd
from sdk.codes.emit import DL_PATH_QUALIFIERS, PRIMARY_KEYS
from sdk.codes.errors import CodeError, ParseWarning
from sdk.codes.model import Gs1Code

__all__ = ["build_gs1", "canonical_order"]

_NEEDS = {"21": "01", "22": "01", "254": "414"}


def canonical_order(elements: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Primary key first, then its path qualifiers in order, then the rest by AI."""
    pairs = list(elements)
    values = dict(pairs)
    primary = next(ai for ai in PRIMARY_KEYS if ai in values)
    head = [primary, *(q for q in DL_PATH_QUALIFIERS[primary] if q in values)]
    rest = sorted(ai for ai in values if ai not in head)
    return [(ai, values[ai]) for ai in head + rest]


def _check_associations(values: dict[str, str]) -> None:
    primaries = [ai for ai in PRIMARY_KEYS if ai in values]
    if not primaries:
        raise CodeError("no primary key: a GS1 code needs (01) GTIN, (00) SSCC or (414) GLN")
    if len(primaries) > 1:
        listed = ", ".join(f"({ai})" for ai in primaries)
        raise CodeError(f"more than one primary key: {listed}")
    for ai, needed in _NEEDS.items():
        if ai in values and needed not in values:
            raise CodeError(f"({ai}) is only valid together with ({needed})")
    if "01" in values and "02" in values:
        raise CodeError("(01) and (02) must not appear together")


def build_gs1(
    pairs: Sequence[tuple[str, str]],
    *,
    reference_year: int | None = None,
    company_prefix_length: int | None = None,
    warnings: Sequence[ParseWarning] = (),
) -> Gs1Code:
    """Validate `pairs` and return the canonical `Gs1Code` (raises `CodeError`)."""
    values: dict[str, str] = {}
    for ai, value in pairs:
        if ai in values:
            raise CodeError(f"({ai}) appears more than once")
        validate_value(lookup_ai(ai), value)
        values[ai] = value
    _check_associations(values)
    if company_prefix_length is not None and not 6 <= company_prefix_length <= 12:
        raise CodeError(f"company prefix length must be 6–12, got {company_prefix_length}")
    year = reference_year if reference_year is not None else current_reference_year()
    expiry: datetime.date | None = None
    for ai, value in values.items():
        if lookup_ai(ai).date is DateKind.YYMMDD:
            resolved = resolve_yymmdd(value, year, ai)
            if ai == "17":
                expiry = resolved
        elif lookup_ai(ai).date is DateKind.YYMMDDHHMM:
            resolve_yymmdd(value[:6], year, ai)
    return Gs1Code(
        elements=tuple(canonical_order(pairs)),
        expiry=expiry,
        company_prefix_length=company_prefix_length,
        warnings=tuple(warnings),
    )
