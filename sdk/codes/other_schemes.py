"""Non-GS1 codes: China's 20-digit drug trace code and explicit proprietary codes.

- NMPAB/T 1002-2019 (码上放心): 20 digits = 7-digit product resource code + 9-digit serial
  + 4 check digits. The check algorithm is proprietary; only the structure is validated.
- Proprietary: `proprietary:{issuer}:{value}` where issuer is 1–32 of `a–z 0–9 -` starting
  with a letter or digit, and value is 1–64 of `A–Z a–z 0–9 - . _`. The prefix makes the
  scheme explicit so a maker's code can never be mistaken for a GS1 or NMPA code.
"""

from __future__ import annotations

import re

from sdk.codes.errors import CodeError
from sdk.codes.model import Nmpa20Code, ProprietaryCode

__all__ = ["PROPRIETARY_PREFIX", "parse_nmpa20", "parse_proprietary"]

PROPRIETARY_PREFIX = "proprietary:"
_ISSUER = re.compile(r"[a-z0-9][a-z0-9\-]{0,31}")
_VALUE = re.compile(r"[A-Za-z0-9\-._]{1,64}")


def parse_nmpa20(text: str) -> Nmpa20Code:
    """Parse a 20-digit China drug trace code (structure only)."""
    if len(text) != 20 or not text.isascii() or not text.isdigit():
        raise CodeError(f"NMPA trace code must be 20 digits, got {len(text)} characters")
    return Nmpa20Code(text)


def parse_proprietary(text: str) -> ProprietaryCode:
    """Parse `proprietary:{issuer}:{value}`."""
    if not text.startswith(PROPRIETARY_PREFIX):
        raise CodeError("proprietary code must start with 'proprietary:'")
    issuer, separator, value = text[len(PROPRIETARY_PREFIX) :].partition(":")
    if not separator:
        raise CodeError("proprietary code must be 'proprietary:{issuer}:{value}'")
    if _ISSUER.fullmatch(issuer) is None:
        raise CodeError(f"proprietary issuer {issuer!r} must be 1–32 of a–z 0–9 -")
    if _VALUE.fullmatch(value) is None:
        raise CodeError(f"proprietary value {value!r} must be 1–64 of A–Z a–z 0–9 - . _")
    return ProprietaryCode(issuer, value)
