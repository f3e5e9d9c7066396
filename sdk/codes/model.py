"""The parsed-code tagged union: `Code = Gs1Code | Nmpa20Code | ProprietaryCode`.

Every code exposes the same reading surface so that contracts need not branch on the
scheme: `.scheme`, `.key` (the canonical ledger state key), `.product_key`,
`.is_serialized`, `.gtin`, `.serial`, `.lot`, `.expiry`, `.sscc`.

Key scheme (stable; ledger state is keyed on it):

- GTIN + serial → `sgtin:{gtin14}.{serial}`; GTIN alone → `gtin:{gtin14}` (not serialized)
- SSCC → `sscc:{18 digits}`; GLN → `sgln:{gln13}` or `sgln:{gln13}.{extension}`
- China 20-digit code (NMPAB/T 1002-2019) → `nmpa20:{20 digits}`
- proprietary → `prop:{issuer}:{value}`
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

from sdk.codes.emit import emit_digital_link, emit_element_string, emit_hri
from sdk.codes.epc_urn import emit_epc_urn
from sdk.codes.errors import CodeError, ParseWarning

__all__ = ["Code", "Gs1Code", "Nmpa20Code", "ProprietaryCode"]


@dataclass(frozen=True, slots=True)
class Gs1Code:
    """A validated GS1 element list in canonical order (see `sdk.codes.gs1`)."""

    elements: tuple[tuple[str, str], ...]
    expiry: datetime.date | None = None
    company_prefix_length: int | None = None
    warnings: tuple[ParseWarning, ...] = ()
    scheme: Literal["gs1"] = field(default="gs1", init=False)

    def value(self, ai: str) -> str | None:
        """The value of `ai`, or None when the code does not carry it."""
        for element_ai, element_value in self.elements:
            if element_ai == ai:
                return element_value
        return None

    @property
    def primary_ai(self) -> str:
        """The AI of the primary key (01, 00 or 414)."""
        return self.elements[0][0]

    @property
    def gtin(self) -> str | None:
        """GTIN as 14 digits (AI 01)."""
        return self.value("01")

    @property
    def serial(self) -> str | None:
        """Serial number (AI 21)."""
        return self.value("21")

    @property
    def lot(self) -> str | None:
        """Batch or lot (AI 10)."""
        return self.value("10")

    @property
    def expiry_raw(self) -> str | None:
        """Expiry as printed, YYMMDD (AI 17)."""
        return self.value("17")

    @property
    def sscc(self) -> str | None:
        """SSCC, 18 digits (AI 00)."""
        return self.value("00")

    @property
    def gln(self) -> str | None:
        """Physical location GLN (AI 414)."""
        return self.value("414")

    @property
    def is_serialized(self) -> bool:
        """True for an individual item or unit: GTIN+serial, SSCC, or a location."""
        return self.primary_ai != "01" or self.serial is not None

    @property
    def key(self) -> str:
        """Canonical ledger state key (see the module docstring)."""
        if self.primary_ai == "00":
            return f"sscc:{self.sscc}"
        if self.primary_ai == "414":
            extension = self.value("254")
            return f"sgln:{self.gln}" + (f".{extension}" if extension else "")
        if self.serial is not None:
            return f"sgtin:{self.gtin}.{self.serial}"
        return f"gtin:{self.gtin}"

    @property
    def product_key(self) -> str | None:
        """`gtin:{gtin14}` when the code names a trade item, else None."""
        return f"gtin:{self.gtin}" if self.gtin is not None else None

    @property
    def element_string(self) -> str:
        """Element string, GS (U+001D) separated, no symbology identifier."""
        return emit_element_string(self.elements)

    @property
    def hri(self) -> str:
        """Human-readable interpretation `(01)…(21)…`."""
        return emit_hri(self.elements)

    @property
    def digital_link(self) -> str:
        """Canonical GS1 Digital Link on `https://id.gs1.org`."""
        return emit_digital_link(self.elements)

    def epc_urn(self, company_prefix_length: int | None = None) -> str:
        """Pure-identity EPC URN (sgtin, sscc or sgln); needs the company prefix length."""
        length = company_prefix_length or self.company_prefix_length
        if length is None:
            raise CodeError("an EPC URN needs the GS1 company prefix length (6–12)")
        return emit_epc_urn(self.elements, length)


@dataclass(frozen=True, slots=True)
class Nmpa20Code:
    """China drug trace code, 20 digits (NMPAB/T 1002-2019, 码上放心).

    Structure: 7-digit product resource code, 9-digit serial, 4 check digits. The check
    algorithm is proprietary, so only the structure is validated.
    """

    code: str
    scheme: Literal["nmpa20"] = field(default="nmpa20", init=False)
    gtin: None = field(default=None, init=False)
    lot: None = field(default=None, init=False)
    expiry: None = field(default=None, init=False)
    sscc: None = field(default=None, init=False)

    @property
    def product_resource_code(self) -> str:
        """The 7-digit product resource code (药品标识码)."""
        return self.code[:7]

    @property
    def serial(self) -> str:
        """The 9-digit serial part."""
        return self.code[7:16]

    @property
    def check(self) -> str:
        """The 4 check digits (not verified: the algorithm is not public)."""
        return self.code[16:]

    @property
    def key(self) -> str:
        """Canonical ledger state key."""
        return f"nmpa20:{self.code}"

    @property
    def product_key(self) -> str:
        """`nmpa:{7-digit product resource code}`."""
        return f"nmpa:{self.product_resource_code}"

    @property
    def is_serialized(self) -> bool:
        """Every 20-digit code names one sales packaging unit (一物一码)."""
        return True


@dataclass(frozen=True, slots=True)
class ProprietaryCode:
    """A maker's own code, written explicitly as `proprietary:{issuer}:{value}`."""

    issuer: str
    value: str
    scheme: Literal["proprietary"] = field(default="proprietary", init=False)
    gtin: None = field(default=None, init=False)
    lot: None = field(default=None, init=False)
    expiry: None = field(default=None, init=False)
    sscc: None = field(default=None, init=False)
    product_key: None = field(default=None, init=False)

    @property
    def serial(self) -> str:
        """The issuer's item value."""
        return self.value

    @property
    def key(self) -> str:
        """Canonical ledger state key."""
        return f"prop:{self.issuer}:{self.value}"

    @property
    def text(self) -> str:
        """Canonical text form."""
        return f"proprietary:{self.issuer}:{self.value}"

    @property
    def is_serialized(self) -> bool:
        """A proprietary code names one item."""
        return True


Code = Gs1Code | Nmpa20Code | ProprietaryCode
