"""Rejections of the trace contract: every one is a deterministic ``InvalidTransaction``.

    InvalidTransaction (chaincode.errors)
    └── TraceRejection(code, message)   a trace rule refused the transaction; ``code`` is one
                                        of the ``trace.*`` constants below, listed with their
                                        meaning in docs/trace.md

Alerts (dispense of a recalled, expired, dispensed … code) are not rejections: the transaction
commits, records the alert and leaves the code unchanged (see ``alerts.py``).
"""

from __future__ import annotations

from chaincode.errors import InvalidTransaction

BAD_CODE = "trace.bad_code"
NOT_SERIALIZED = "trace.not_serialized"
BAD_ARGUMENT = "trace.bad_argument"
UNKNOWN_PRODUCT = "trace.unknown_product"
NOT_MAH = "trace.not_mah"
PRODUCT_IMMUTABLE = "trace.product_immutable_field"
PRODUCT_MISMATCH = "trace.product_mismatch"
CODE_BATCH_MISMATCH = "trace.code_batch_mismatch"
UNKNOWN_BATCH = "trace.unknown_batch"
BATCH_MISMATCH = "trace.batch_mismatch"
BATCH_RECALLED = "trace.batch_recalled"
DUPLICATE_CODE = "trace.duplicate_code"
UNKNOWN_CODE = "trace.unknown_code"
NOT_OWNER = "trace.not_owner"
IN_TRANSIT = "trace.in_transit"
NOT_IN_TRANSIT = "trace.not_in_transit"
NOT_RECIPIENT = "trace.not_recipient"
NOT_ACTIVE = "trace.not_active"
ON_HOLD = "trace.on_hold"
RECALLED = "trace.recalled"
EXPIRED = "trace.expired"
BATCH_NOT_RELEASED = "trace.batch_not_released"
MARKET_NOT_AUTHORIZED = "trace.market_not_authorized"
AGGREGATED = "trace.aggregated"
ALREADY_AGGREGATED = "trace.already_aggregated"
NOT_IN_PARENT = "trace.not_in_parent"
BAD_PARENT = "trace.bad_parent"
CYCLE = "trace.cycle"
NOT_DISPENSED = "trace.not_dispensed"
NOT_DISPENSER = "trace.not_dispenser"
RETURN_WINDOW_CLOSED = "trace.return_window_closed"
NOT_DECOMMISSIONED = "trace.not_decommissioned"
NOT_DECOMMISSIONER = "trace.not_decommissioner"
UNDO_WINDOW_CLOSED = "trace.undo_window_closed"
IRREVERSIBLE = "trace.irreversible"
ALREADY_RECALLED = "trace.already_recalled"
NOT_ALLOWED = "trace.not_allowed"
NOT_ON_HOLD = "trace.not_on_hold"
RELEASE_NEEDS_REGULATOR = "trace.release_needs_regulator"
EVENT_TIME_AHEAD = "trace.event_time_ahead"


class TraceRejection(InvalidTransaction):
    """A trace rule refused the transaction; its writes are discarded."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def reject(code: str, message: str) -> TraceRejection:
    """Build a rejection (``raise reject(...)`` keeps call sites one line)."""
    return TraceRejection(code, message)


def listing(items: list[str], *, first: int = 5) -> str:
    """The first few offending items, for messages that must stay short."""
    shown = ", ".join(items[:first])
    more = len(items) - first
    return f"{shown} (and {more} more)" if more > 0 else shown
