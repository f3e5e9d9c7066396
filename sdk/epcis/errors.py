"""Errors of the EPCIS helpers.

Exception tree::

    ValueError
    └── EpcisError                 `.reason` is a one-line explanation
        ├── EventHashError         an event cannot be canonicalized (bad time, bad shape)
        └── DocumentInvalidError   a document fails the bundled EPCIS 2.0 JSON Schema
"""

from __future__ import annotations

__all__ = ["DocumentInvalidError", "EpcisError", "EventHashError"]


class EpcisError(ValueError):
    """Base of EPCIS errors; `reason` is a one-line explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EventHashError(EpcisError):
    """An event cannot be brought into canonical pre-hash form."""


class DocumentInvalidError(EpcisError):
    """A document does not conform to the EPCIS 2.0 JSON Schema."""
