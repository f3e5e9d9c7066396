"""Errors of the trace ↔ EPCIS interchange (export and import).

Exception tree (under `sdk.epcis.errors`)::

    EpcisError                   `.reason` is a one-line explanation
    ├── ExportError              a ledger record cannot be read or turned into an event
    └── ImportRefusedError       events of a document cannot become trace transactions;
                                 `.refusals` lists every refused event with its reason
"""

from __future__ import annotations

from dataclasses import dataclass

from sdk.epcis.errors import EpcisError

__all__ = ["EventRefusal", "ExportError", "ImportRefusedError"]


class ExportError(EpcisError):
    """A ledger record is malformed or incomplete for an EPCIS export."""


@dataclass(frozen=True, slots=True)
class EventRefusal:
    """Why the event at `index` (document order, from 0) cannot be imported."""

    index: int
    event_hash: str | None
    reason: str

    def __str__(self) -> str:
        return f"event {self.index}: {self.reason}"


class ImportRefusedError(EpcisError):
    """One or more events cannot be imported; nothing should be submitted."""

    def __init__(self, refusals: tuple[EventRefusal, ...]) -> None:
        shown = "; ".join(str(r) for r in refusals[:3])
        more = f" (and {len(refusals) - 3} more)" if len(refusals) > 3 else ""
        super().__init__(f"{len(refusals)} event(s) refused: {shown}{more}")
        self.refusals = refusals
