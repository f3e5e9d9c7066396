"""Reading one EPCIS 2.0 event for import: vocabulary, identifiers and extension fields.

`EventReader` wraps an event with the namespaces of its document. Names are compared as
full IRIs, so `rxl:org`, `x:org` (with `x` bound to `urn:rxledger:epcis:`) and
`urn:rxledger:epcis:org` are the same field, and `cbvmda:` resolves through the standard
EPCIS context. Every read either returns a value the trace contract accepts or raises
`Refused` with a reason a user can act on.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from sdk.codes import CS82
from sdk.epcis.document import context_document
from sdk.epcis.trace_ids import key_of_epc
from sdk.epcis.vocabulary import canonical_time, expand_vocabulary

__all__ = ["EventReader", "Refused"]

CBV = "https://ref.gs1.org/cbv/"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_LISTED = 3


class Refused(Exception):
    """This event cannot become a trace transaction; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@cache
def _standard_prefixes() -> dict[str, str]:
    context = context_document().get("@context", {})
    return {
        prefix: iri
        for prefix, iri in context.items()
        if isinstance(iri, str) and iri.endswith((":", "/", "#"))
    }


def expand_name(name: str, namespaces: Mapping[str, str]) -> str:
    """A (possibly prefixed) field name as a full IRI when its prefix is bound."""
    prefix, colon, local = name.partition(":")
    if not colon:
        return name
    iri = namespaces.get(prefix) or _standard_prefixes().get(prefix)
    return iri + local if iri is not None else name


class EventReader:
    """Typed, refusing reads of one event."""

    def __init__(self, event: Mapping[str, Any], namespaces: Mapping[str, str]) -> None:
        self.event = event
        self.namespaces = namespaces

    def vocabulary(self, name: str, kind: str) -> str | None:
        """A CBV value (bizStep, disposition) as its bare name, other URIs unchanged."""
        value = self.event.get(name)
        if value is None:
            return None
        expanded = expand_vocabulary(kind, value)
        web = CBV + {"bizStep": "BizStep-", "disposition": "Disp-"}[kind]
        return expanded[len(web) :] if expanded.startswith(web) else expanded

    def extension(self, iri: str, container: Mapping[str, Any] | None = None) -> Any:
        """The value of the field whose expanded name is `iri` (in the event or `container`)."""
        fields = self.event if container is None else container
        for name, value in fields.items():
            if expand_name(name, self.namespaces) == iri:
                return value
        return None

    def ilmd(self) -> Mapping[str, Any]:
        value = self.event.get("ilmd")
        return value if isinstance(value, Mapping) else {}

    def time_ms(self) -> int:
        """eventTime as UTC milliseconds (what the CBV 2.0 hash keeps of it)."""
        canonical = canonical_time(str(self.event.get("eventTime", "")))
        moment = datetime.datetime.fromisoformat(canonical)
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
        millis = (moment - epoch) // datetime.timedelta(milliseconds=1)
        if millis < 0:
            raise Refused("eventTime is before 1970: ledger times start at the Unix epoch")
        return millis

    def keys(self, name: str, *, required: bool = True, most: int = 10_000) -> list[str] | None:
        """Ledger keys of the EPC list `name` (every EPC a serialized item or logistic unit)."""
        epcs = self.event.get(name)
        if not epcs:
            if required:
                raise Refused(f"{name} is missing or empty: name the codes")
            return None
        if len(epcs) > most:
            raise Refused(f"{name} has {len(epcs)} EPCs; one trace transaction takes {most}")
        found = [(epc, key_of_epc(epc)) for epc in epcs]
        bad = [epc for epc, key in found if key is None]
        if bad:
            raise Refused(
                f"not serialized GS1 items, SSCCs or rxledger code URNs in {name}: "
                + ", ".join(repr(epc[:80]) for epc in bad[:MAX_LISTED])
            )
        return [key for _, key in found if key is not None]

    def key(self, name: str) -> str:
        value = self.event.get(name)
        key = key_of_epc(value) if isinstance(value, str) else None
        if key is None:
            raise Refused(f"{name} {value!r:.80} is not a serialized GS1 item or SSCC")
        return key

    def parties(self, list_name: str, member: str, kind: str) -> list[str]:
        """The `member` URIs of `list_name` entries whose type is the CBV `kind`."""
        wanted = CBV + "SDT-" + kind
        return [
            entry[member]
            for entry in self.event.get(list_name, [])
            if expand_vocabulary("sourceDestType", entry.get("type", "")) == wanted
        ]


def check_day(value: Any, what: str) -> str:
    """A `YYYY-MM-DD` calendar day, as the trace contract takes dates."""
    if isinstance(value, str) and _DAY.fullmatch(value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise Refused(f"{what} must be a YYYY-MM-DD calendar day, got {value!r:.40}")


def check_lot(value: Any) -> str:
    if isinstance(value, str) and 1 <= len(value) <= 20 and set(value) <= CS82:
        return value
    raise Refused(f"lot {value!r:.40} is not 1–20 characters of GS1 character set 82")


def check_text(value: Any, what: str, most: int = 200) -> str:
    if isinstance(value, str) and 1 <= len(value) <= most:
        return value
    raise Refused(f"{what} must be text of 1–{most} characters")
