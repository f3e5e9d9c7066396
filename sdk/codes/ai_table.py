"""The Application Identifiers rxledger understands, with their formats.

GS1 General Specifications §3.2 (AI table) and §7.8.5 (predefined-length AIs): element
strings whose AI starts with 00, 01, 02, 03, 11–17, 20, 31–36 or 41 have a predefined length
and need no FNC1 separator; every other AI needs one, even a fixed-length one such as 7003.
Alphanumeric fields use GS1 character set 82 (§7.11, figure 7.11-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sdk.codes.checkdigit import require_check_digit
from sdk.codes.errors import CodeError

__all__ = [
    "AI_TABLE",
    "CS82",
    "PREDEFINED_LENGTH_PREFIXES",
    "AiSpec",
    "Charset",
    "lookup_ai",
    "validate_value",
]

#: GS1 AI encodable character set 82 (GenSpecs figure 7.11-1): no space, #, $, @, ~, …
CS82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)

#: AI prefixes whose element strings have a predefined length (GenSpecs figure 7.8.5-2).
PREDEFINED_LENGTH_PREFIXES = frozenset(
    {"00", "01", "02", "03", "11", "12", "13", "14", "15", "16", "17", "20"}
    | {"31", "32", "33", "34", "35", "36", "41"}
)


class Charset(Enum):
    """What characters a field may hold."""

    NUMERIC = "N"
    CS82 = "X"


class DateKind(Enum):
    """Date-like numeric fields whose calendar validity is checked."""

    NONE = "none"
    YYMMDD = "yymmdd"  # day 00 allowed: last day of the month (GenSpecs §7.12)
    YYMMDDHHMM = "yymmddhhmm"


@dataclass(frozen=True, slots=True)
class AiSpec:
    """One AI: its length bounds, charset and checks."""

    ai: str
    title: str
    min_length: int
    max_length: int
    charset: Charset
    check_digit: bool = False
    date: DateKind = DateKind.NONE

    @property
    def fixed_length(self) -> bool:
        """True when the value always has exactly `max_length` characters."""
        return self.min_length == self.max_length

    @property
    def predefined_length(self) -> bool:
        """True when the element string needs no FNC1 after this field (§7.8.5)."""
        return self.ai[:2] in PREDEFINED_LENGTH_PREFIXES


def _n(ai: str, title: str, length: int, **kw: object) -> AiSpec:
    return AiSpec(ai, title, length, length, Charset.NUMERIC, **kw)  # type: ignore[arg-type]


def _x(ai: str, title: str, max_length: int) -> AiSpec:
    return AiSpec(ai, title, 1, max_length, Charset.CS82)


def _table() -> dict[str, AiSpec]:
    specs = [
        _n("00", "SSCC", 18, check_digit=True),
        _n("01", "GTIN", 14, check_digit=True),
        _n("02", "CONTENT", 14, check_digit=True),
        _n("03", "MTO GTIN", 14, check_digit=True),
        _x("10", "BATCH/LOT", 20),
        _n("11", "PROD DATE", 6, date=DateKind.YYMMDD),
        _n("12", "DUE DATE", 6, date=DateKind.YYMMDD),
        _n("13", "PACK DATE", 6, date=DateKind.YYMMDD),
        _n("15", "BEST BEFORE", 6, date=DateKind.YYMMDD),
        _n("16", "SELL BY", 6, date=DateKind.YYMMDD),
        _n("17", "USE BY OR EXPIRY", 6, date=DateKind.YYMMDD),
        _n("20", "VARIANT", 2),
        _x("21", "SERIAL", 20),
        _x("22", "CPV", 20),
        _x("240", "ADDITIONAL ID", 30),
        _x("241", "CUST. PART No.", 30),
        _x("254", "GLN EXTENSION COMPONENT", 20),
        AiSpec("30", "VAR. COUNT", 1, 8, Charset.NUMERIC),
        AiSpec("37", "COUNT", 1, 8, Charset.NUMERIC),
        _x("400", "ORDER NUMBER", 30),
        _n("7003", "EXPIRY TIME", 10, date=DateKind.YYMMDDHHMM),
        _x("710", "NHRN PZN", 20),
        _x("711", "NHRN CIP", 20),
        _x("712", "NHRN CN", 20),
        _x("713", "NHRN DRN", 20),
        _x("714", "NHRN AIM", 20),
        _x("715", "NHRN NDC", 20),
    ]
    gln_titles = ["SHIP TO LOC", "BILL TO", "PURCHASE FROM", "SHIP FOR LOC", "LOC No."]
    gln_titles += ["PAY TO", "PROD/SERV LOC", "PARTY"]
    specs += [_n(f"41{i}", title, 13, check_digit=True) for i, title in enumerate(gln_titles)]
    # Net weight in kg (310n) and lb (320n); n is the implied decimal point position.
    specs += [_n(f"310{n}", "NET WEIGHT (kg)", 6) for n in range(6)]
    specs += [_n(f"320{n}", "NET WEIGHT (lb)", 6) for n in range(6)]
    return {spec.ai: spec for spec in specs}


AI_TABLE: dict[str, AiSpec] = _table()


def lookup_ai(ai: str) -> AiSpec:
    """Return the spec of `ai` or raise `CodeError` for an AI rxledger does not know."""
    spec = AI_TABLE.get(ai)
    if spec is None:
        raise CodeError(f"({ai}) is not a supported Application Identifier")
    return spec


def validate_value(spec: AiSpec, value: str) -> None:
    """Check `value` against the length, charset, check digit and date rules of `spec`."""
    label = f"({spec.ai})"
    if not spec.min_length <= len(value) <= spec.max_length:
        want = (
            f"exactly {spec.max_length}"
            if spec.fixed_length
            else f"{spec.min_length}–{spec.max_length}"
        )
        raise CodeError(f"{label} has {len(value)} characters, needs {want}")
    if spec.charset is Charset.NUMERIC:
        if not (value.isascii() and value.isdigit()):
            raise CodeError(f"{label} must be digits only, got {value!r}")
    else:
        bad = sorted({c for c in value if c not in CS82})
        if bad:
            raise CodeError(f"{label} has characters outside GS1 character set 82: {bad!r}")
    if spec.check_digit:
        require_check_digit(value, label)
    if spec.date is not DateKind.NONE:
        _validate_date_fields(label, value, spec.date)


def _validate_date_fields(label: str, value: str, kind: DateKind) -> None:
    # Calendar validity needs the century for Feb 29, so only month/day ranges are checked
    # here; sdk.codes.dates resolves AI 17 fully against a reference year.
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12:
        raise CodeError(f"{label} month {value[2:4]} is invalid")
    if day > 31:
        raise CodeError(f"{label} day {value[4:6]} is invalid")
    if kind is DateKind.YYMMDDHHMM:
        if day == 0:
            raise CodeError(f"{label} day 00 is not allowed in a date-time")
        if int(value[6:8]) > 23 or int(value[8:10]) > 59:
            raise CodeError(f"{label} time {value[6:8]}:{value[8:10]} is invalid")
