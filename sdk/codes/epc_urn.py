"""EPC pure-identity URNs ↔ GS1 element lists (GS1 EPC Tag Data Standard 2.x §6–7).

- `urn:epc:id:sgtin:{CompanyPrefix}.{Indicator}{ItemRef}.{Serial}` — prefix + indicator +
  item reference = 13 digits; GTIN = indicator + prefix + item ref + check digit.
- `urn:epc:id:sscc:{CompanyPrefix}.{Extension}{SerialRef}` — 17 digits; SSCC = extension +
  prefix + serial ref + check digit.
- `urn:epc:id:sgln:{CompanyPrefix}.{LocationRef}.{Extension}` — 12 digits; extension `0`
  means "no GLN extension" (AI 254 absent).
- `urn:epc:class:lgtin:{CompanyPrefix}.{Indicator}{ItemRef}.{Lot}` (GTIN + lot).

The company prefix length (6–12 digits) is not recoverable from a GTIN, so emitting needs it.
Serial, lot and extension use TDS §5 escaping: `" % & / < > ?` are written `%22 %25 %26 %2F
%3C %3E %3F`; the other GS1 character set 82 characters stand for themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sdk.codes.checkdigit import check_digit
from sdk.codes.errors import CodeError

__all__ = ["emit_epc_urn", "parse_epc_urn_elements", "urn_escape", "urn_unescape"]

_ESCAPED = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}
_UNESCAPED = {code: char for char, code in _ESCAPED.items()}
_URN = re.compile(r"urn:epc:(id|class):([a-z]+):(.*)")


def urn_escape(value: str) -> str:
    """Escape a GS1 AI value for the serial/lot component of an EPC URN."""
    return "".join(_ESCAPED.get(char, char) for char in value)


def urn_unescape(component: str, part: str) -> str:
    """Undo `urn_escape`; any other `%` sequence is invalid."""
    out: list[str] = []
    index = 0
    while index < len(component):
        char = component[index]
        if char == "%":
            code = component[index : index + 3].upper()
            if code not in _UNESCAPED:
                raise CodeError(
                    f"EPC URN {part} has an invalid escape {component[index : index + 3]!r}"
                )
            out.append(_UNESCAPED[code])
            index += 3
            continue
        if char in _ESCAPED:
            raise CodeError(f"EPC URN {part} has an unescaped {char!r}")
        out.append(char)
        index += 1
    return "".join(out)


def _digits(text: str, part: str) -> str:
    if not text or not text.isascii() or not text.isdigit():
        raise CodeError(f"EPC URN {part} must be digits, got {text!r}")
    return text


def _company_prefix(text: str) -> str:
    prefix = _digits(text, "company prefix")
    if not 6 <= len(prefix) <= 12:
        raise CodeError(f"EPC URN company prefix must have 6–12 digits, got {len(prefix)}")
    return prefix


def _gtin_from(prefix: str, indicator_item: str) -> str:
    _digits(indicator_item, "indicator and item reference")
    if len(prefix) + len(indicator_item) != 13:
        raise CodeError("EPC URN company prefix + indicator/item reference must be 13 digits")
    body = indicator_item[0] + prefix + indicator_item[1:]
    return body + str(check_digit(body))


def parse_epc_urn_elements(text: str) -> tuple[list[tuple[str, str]], int]:
    """Return the element list and the company prefix length encoded by an EPC URN."""
    match = _URN.fullmatch(text)
    if match is None:
        raise CodeError(f"not an EPC URN: {text[:40]!r}")
    level, scheme, rest = match.groups()
    parts = rest.split(".", 2) if scheme in {"sgtin", "sgln", "lgtin"} else rest.split(".")
    if (level, scheme) == ("id", "sgtin") and len(parts) == 3:
        prefix = _company_prefix(parts[0])
        serial = urn_unescape(parts[2], "serial")
        return [("01", _gtin_from(prefix, parts[1])), ("21", serial)], len(prefix)
    if (level, scheme) == ("class", "lgtin") and len(parts) == 3:
        prefix = _company_prefix(parts[0])
        lot = urn_unescape(parts[2], "lot")
        return [("01", _gtin_from(prefix, parts[1])), ("10", lot)], len(prefix)
    if (level, scheme) == ("id", "sscc") and len(parts) == 2:
        prefix = _company_prefix(parts[0])
        serial_ref = _digits(parts[1], "serial reference")
        if len(prefix) + len(serial_ref) != 17:
            raise CodeError("EPC URN sscc company prefix + serial reference must be 17 digits")
        body = serial_ref[0] + prefix + serial_ref[1:]
        return [("00", body + str(check_digit(body)))], len(prefix)
    if (level, scheme) == ("id", "sgln") and len(parts) == 3:
        prefix = _company_prefix(parts[0])
        location_ref = _digits(parts[1], "location reference") if parts[1] else ""
        if len(prefix) + len(location_ref) != 12:
            raise CodeError("EPC URN sgln company prefix + location reference must be 12 digits")
        body = prefix + location_ref
        elements = [("414", body + str(check_digit(body)))]
        extension = urn_unescape(parts[2], "extension")
        if extension != "0":
            elements.append(("254", extension))
        return elements, len(prefix)
    raise CodeError(f"unsupported or malformed EPC URN scheme {level}:{scheme}")


def emit_epc_urn(elements: Sequence[tuple[str, str]], company_prefix_length: int) -> str:
    """Emit the pure-identity URN for a GTIN+serial, an SSCC or a GLN element list."""
    if not 6 <= company_prefix_length <= 12:
        raise CodeError(f"company prefix length must be 6–12, got {company_prefix_length}")
    values = dict(elements)
    n = company_prefix_length
    if "01" in values and "21" in values:
        gtin = values["01"]
        item = gtin[0] + gtin[1 + n : 13]
        return f"urn:epc:id:sgtin:{gtin[1 : 1 + n]}.{item}.{urn_escape(values['21'])}"
    if "01" in values:
        raise CodeError("an sgtin EPC URN needs a serial (21); a GTIN alone has none")
    if "00" in values:
        sscc = values["00"]
        return f"urn:epc:id:sscc:{sscc[1 : 1 + n]}.{sscc[0]}{sscc[1 + n : 17]}"
    if "414" in values:
        gln = values["414"]
        extension = urn_escape(values.get("254", "0"))
        return f"urn:epc:id:sgln:{gln[:n]}.{gln[n:12]}.{extension}"
    raise CodeError("no GTIN+serial, SSCC or GLN to express as an EPC URN")
