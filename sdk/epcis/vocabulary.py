"""Canonical values for the CBV 2.0 event hash (CBV 2.0 §8.9, "canonical pre-hash").

- Standard vocabulary is written as CBV Web URIs: a bare value (`shipping`) or a CBV 1.x URN
  (`urn:epcglobal:cbv:bizstep:shipping`) becomes `https://ref.gs1.org/cbv/BizStep-shipping`;
  likewise dispositions (`Disp-`), business transaction types (`BTT-`), source/destination
  types (`SDT-`), error reasons (`ER-`); sensor measurement types (`Temperature`,
  `gs1:Temperature`) become `https://gs1.org/voc/Temperature`.
- EPC URNs (sgtin, sscc, sgln, lgtin) become canonical GS1 Digital Links on `id.gs1.org`
  without a query; a Digital Link on another host is rewritten to the canonical host.
- Times become UTC with milliseconds and `Z`; numbers lose insignificant zeros.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from sdk.codes import CodeError, emit_digital_link, parse_digital_link, parse_epc_urn
from sdk.codes.emit import DL_PATH_QUALIFIERS
from sdk.epcis.errors import EventHashError

__all__ = ["canonical_identifier", "canonical_number", "canonical_time", "expand_vocabulary"]

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"
#: field → (CBV Web URI prefix, CBV 1.x URN prefix)
VOCABULARY_FIELDS: dict[str, tuple[str, str]] = {
    "bizStep": (CBV + "BizStep-", "urn:epcglobal:cbv:bizstep:"),
    "disposition": (CBV + "Disp-", "urn:epcglobal:cbv:disp:"),
    "set": (CBV + "Disp-", "urn:epcglobal:cbv:disp:"),
    "unset": (CBV + "Disp-", "urn:epcglobal:cbv:disp:"),
    "bizTransactionType": (CBV + "BTT-", "urn:epcglobal:cbv:btt:"),
    "sourceDestType": (CBV + "SDT-", "urn:epcglobal:cbv:sdt:"),
    "reason": (CBV + "ER-", "urn:epcglobal:cbv:er:"),
    "sensorType": (GS1_VOC, "gs1:"),
}


def expand_vocabulary(kind: str, value: str) -> str:
    """Expand a CBV vocabulary value of `kind` (a key of VOCABULARY_FIELDS) to its Web URI."""
    web, urn = VOCABULARY_FIELDS[kind]
    if value.startswith(urn):
        return web + value[len(urn) :]
    if ":" not in value:
        return web + value
    return value


def canonical_identifier(value: str) -> str:
    """EPC URNs and GS1 Digital Links → canonical Digital Link; anything else unchanged."""
    try:
        if value.startswith(("urn:epc:id:", "urn:epc:class:")):
            code = parse_epc_urn(value, reference_year=2000)
        elif value.lower().startswith(("http://", "https://")):
            code = parse_digital_link(value, reference_year=2000, lenient=True)
        else:
            return value
    except CodeError:
        # Not a GS1 identifier rxledger can convert (e.g. a plain URL): hashed as written.
        return value
    path_elements = [pair for pair in code.elements if _in_path(code.primary_ai, pair[0])]
    return emit_digital_link(path_elements)


def _in_path(primary: str, ai: str) -> bool:
    return ai == primary or ai in DL_PATH_QUALIFIERS[primary]


def canonical_time(value: str) -> str:
    """ISO 8601 date-time with offset → UTC, millisecond precision, `Z`."""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise EventHashError(f"time {value!r} is not ISO 8601") from error
    if parsed.tzinfo is None:
        raise EventHashError(f"time {value!r} has no UTC offset")
    utc = parsed.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def canonical_number(value: int | float | str) -> str:
    """A number without a leading `+`, leading zeros or trailing fractional zeros."""
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise EventHashError(f"{value!r} is not a number") from error
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text
