"""The batch record: identifiers, its hash (what the QP signs), and CoA verdicts.

Kept inside this contract's folder: the pinned code hash covers only this folder, so every
rule that decides a release lives here.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chaincode.contracts.release import errors
from sdk.encoding import encode

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SEP = "|"


def gs1_check_digit_ok(digits: str) -> bool:
    """GS1 GenSpecs §7.9: weights 3,1,3,… from the rightmost data digit, mod 10."""
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return False
    body = digits[:-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(digits[-1])


def check_product_key(key: str) -> str:
    """``gtin:{14 digits, valid check}`` or ``nmpa:{7-digit product resource code}``."""
    if re.fullmatch(r"nmpa:\d{7}", key) or (
        re.fullmatch(r"gtin:\d{14}", key) and gs1_check_digit_ok(key[5:])
    ):
        return key
    raise errors.ReleaseRejection(errors.BAD_PRODUCT, f"product key {key!r} is invalid")


def check_gln(gln: str) -> str:
    if len(gln) != 13 or not gs1_check_digit_ok(gln):
        raise errors.ReleaseRejection(errors.BAD_GLN, f"GLN {gln!r} has a wrong check digit")
    return gln


def to_ms(value: int | str) -> int:
    """Integer ms UTC, or an ISO date (start of day UTC) / datetime with an offset."""
    if isinstance(value, int):
        return value
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise errors.ReleaseRejection(errors.BAD_DATE, f"{value!r} is not an ISO date") from exc
    if moment.tzinfo is None:
        raise errors.ReleaseRejection(errors.BAD_DATE, f"{value!r} needs a UTC offset")
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def batch_id(product_key: str, lot: str) -> str:
    return f"{product_key}{SEP}{lot}"


def record_sha256(record: dict[str, Any]) -> str:
    """SHA-256 of the canonical msgpack of the batch record (sdk.encoding): what a QP signs."""
    return hashlib.sha256(encode(record)).hexdigest()


def _scaled(value: int, scale: int, to: int) -> int:
    factor: int = 10 ** (to - scale)
    return value * factor


def evaluate(spec: dict[str, Any], result: dict[str, Any]) -> tuple[bool, str]:
    """Pass or fail of one CoA test, computed here and never taken from the input.

    Numbers compare exactly as integers brought to a common scale (no floats).
    """
    if spec["kind"] != result["kind"]:
        return False, f"{result['kind']} result against a {spec['kind']} specification"
    if spec["kind"] == "text":
        ok = result["text"] in spec["expected"]
        return ok, "conforms" if ok else f"{result['text']!r} is not one of {spec['expected']}"
    scale = max(spec["scale"], result["scale"])
    value = _scaled(result["value"], result["scale"], scale)
    low, high = spec["min"], spec["max"]
    if low is not None and value < _scaled(low, spec["scale"], scale):
        return False, "below the specification minimum"
    if high is not None and value > _scaled(high, spec["scale"], scale):
        return False, "above the specification maximum"
    return True, "within specification"
