"""What each trace function is in EPCIS 2.0 / CBV 2.0 terms (docs/epcis.md, "Mapping").

One committed trace transaction is one EPCIS event and one EPCIS event is one transaction,
so an event hash names a ledger transaction in both directions. rxledger data that EPCIS
has no field for go into extension fields in the `urn:rxledger:epcis:` namespace, bound to
the prefix `rxl` in the document's `@context`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "DECOMMISSION_STEPS",
    "EXPORTED_FUNCTIONS",
    "RXL_CONTEXT",
    "RXL_NS",
    "Shape",
]

RXL_NS: Final = "urn:rxledger:epcis:"
RXL_CONTEXT: Final = {"rxl": RXL_NS}
CBVMDA_NS: Final = "urn:epcglobal:cbv:mda:"

# Extension fields (event level) and ILMD attributes.
ORG: Final = "rxl:org"
"""The organization that signed the transaction (who recorded the event)."""
MARKET: Final = "rxl:market"
DOCUMENT_HASH: Final = "rxl:documentHash"
REASON: Final = "rxl:reason"
ALERT_REASON: Final = "rxl:alertReason"
LOT: Final = "cbvmda:lotNumber"
EXPIRY: Final = "cbvmda:itemExpirationDate"
PRODUCTION_DATE: Final = "rxl:productionDate"
LEVEL: Final = "rxl:level"


@dataclass(frozen=True, slots=True)
class Shape:
    """The fixed part of the event a trace function becomes."""

    event_type: str
    action: str
    biz_step: str | None
    disposition: str | None


OBJECT, AGGREGATION = "ObjectEvent", "AggregationEvent"
EXPORTED_FUNCTIONS: Final[dict[str, Shape]] = {
    "commission": Shape(OBJECT, "ADD", "commissioning", "active"),
    "commission_containers": Shape(OBJECT, "ADD", "commissioning", "active"),
    "aggregate": Shape(AGGREGATION, "ADD", "packing", "in_progress"),
    "repack": Shape(AGGREGATION, "ADD", "repackaging", "in_progress"),
    "disaggregate": Shape(AGGREGATION, "DELETE", "unpacking", "in_progress"),
    "ship": Shape(OBJECT, "OBSERVE", "shipping", "in_transit"),
    "receive": Shape(OBJECT, "OBSERVE", "receiving", "in_progress"),
    "dispense": Shape(OBJECT, "OBSERVE", "dispensing", "dispensed"),
    "decommission": Shape(OBJECT, "DELETE", "decommissioning", "inactive"),
    "recall": Shape(OBJECT, "OBSERVE", None, "recalled"),
}
"""Trace functions with an EPCIS event; decommission's step and disposition follow the reason."""

DECOMMISSION_STEPS: Final[dict[str, tuple[str, str]]] = {
    "destroyed": ("destroying", "destroyed"),
    "stolen": ("decommissioning", "stolen"),
    "exported": ("decommissioning", "inactive"),
    "sample": ("decommissioning", "inactive"),
    "free_sample": ("decommissioning", "inactive"),
}
"""EU FMD decommission reason → (bizStep, disposition); `rxl:reason` names the reason when
the pair does not (exported, sample, free_sample)."""
IMPLIED_REASONS: Final = frozenset({"destroyed", "stolen"})
