"""When a trace event happened in business terms (EPCIS ``eventTime``), as the ledger keeps it.

A transaction may carry the time and zone offset of the event it records (an EPCIS import
does: docs/epcis.md, "Event time"); absent, the event happened at the block time, in UTC.
Keeping the time makes an exported event, and so its CBV 2.0 hash, independent of when the
transaction was committed. A time later than the block (beyond a clock-skew allowance) is
refused: an event cannot be recorded before it happens.
"""

from __future__ import annotations

from dataclasses import dataclass

from chaincode.api import Context
from chaincode.contracts.trace.errors import EVENT_TIME_AHEAD, reject
from chaincode.contracts.trace.models import EventTimeArgs
from chaincode.contracts.trace.records import Doc

UTC_OFFSET = "+00:00"
MAX_AHEAD_MS = 10 * 60 * 1000
"""How far an event time may run ahead of the block time (client and leader clocks differ)."""


@dataclass(frozen=True, slots=True)
class EventTime:
    """Milliseconds since the epoch and the ``±hh:mm`` offset of the place of the event."""

    time_ms: int
    zone_offset: str

    def fields(self) -> Doc:
        """The two fields every log entry and stamp of the event carries."""
        return {"event_time_ms": self.time_ms, "event_time_zone_offset": self.zone_offset}


def at_block(ctx: Context) -> EventTime:
    """The default: the event happened when its block was cut, in UTC."""
    return EventTime(ctx.block_time_ms, UTC_OFFSET)


def event_time(ctx: Context, args: EventTimeArgs) -> EventTime:
    """The event time of a transaction: its args' if given, else the block's."""
    if args.event_time_ms is not None and args.event_time_ms > ctx.block_time_ms + MAX_AHEAD_MS:
        ahead_s = (args.event_time_ms - ctx.block_time_ms) // 1000
        raise reject(
            EVENT_TIME_AHEAD,
            f"event_time_ms is {ahead_s} s after the block time: record an event once it "
            "has happened (check the client's clock)",
        )
    time_ms = ctx.block_time_ms if args.event_time_ms is None else args.event_time_ms
    return EventTime(time_ms, args.event_time_zone_offset or UTC_OFFSET)
