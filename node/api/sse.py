"""Server-Sent Events: framing, resume positions and keep-alive comments.

WHATWG HTML, Server-sent events: each event is ``id:`` and ``data:`` lines ended by a blank
line; a line starting with ``:`` is a comment (our keep-alive, which also stops proxies from
closing an idle stream); a reconnecting client sends the last ``id`` it saw as the
``Last-Event-ID`` header. Our id is ``{height}-{tx_index}-{event_index}``, a total order.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from node.api.convert import event_model
from node.api.errors import MalformedRequest
from node.service import LedgerEvent

KEEPALIVE = b": keep-alive\n\n"
_EVENT_ID = re.compile(r"(\d{1,19})-(\d{1,9})-(\d{1,9})")


@dataclass(frozen=True, slots=True, order=True)
class EventPosition:
    """Where an event sits in the chain; events are delivered in this order."""

    height: int
    tx_index: int
    event_index: int

    @classmethod
    def of(cls, event: LedgerEvent) -> EventPosition:
        return cls(event.height, event.tx_index, event.event_index)

    @classmethod
    def parse(cls, text: str) -> EventPosition:
        match = _EVENT_ID.fullmatch(text.strip())
        if match is None:
            raise MalformedRequest(
                "Last-Event-ID must look like {height}-{tx_index}-{event_index}",
                code="request.invalid",
            )
        return cls(int(match[1]), int(match[2]), int(match[3]))

    def __str__(self) -> str:
        return f"{self.height}-{self.tx_index}-{self.event_index}"


def frame_event(event: LedgerEvent) -> bytes:
    """One event as an SSE frame (JSON data on one line, so one ``data:`` line)."""
    data = event_model(event).model_dump_json()
    return f"id: {EventPosition.of(event)}\ndata: {data}\n\n".encode()


def frame_error(code: str, message: str) -> bytes:
    """The last frame of a stream that failed after it started (the status is already sent)."""
    data = json.dumps({"error": {"code": code, "message": message}})
    return f"event: error\ndata: {data}\n\n".encode()


async def after(
    events: AsyncIterator[LedgerEvent], position: EventPosition | None
) -> AsyncGenerator[LedgerEvent, None]:
    """The events strictly after ``position`` (a resume skips what the client already has)."""
    try:
        async for event in events:
            if position is None or EventPosition.of(event) > position:
                yield event
    finally:
        await close_events(events)


async def with_keepalive(
    events: AsyncIterator[LedgerEvent], interval_s: float
) -> AsyncGenerator[LedgerEvent | None, None]:
    """The events, with None whenever ``interval_s`` pass without one.

    The pending ``__anext__`` is kept across keep-alives instead of being cancelled by a
    timeout, because cancelling it would close the source generator mid-stream.
    """
    pending: asyncio.Future[LedgerEvent | None] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events, None))
            done, _ = await asyncio.wait({pending}, timeout=interval_s)
            if not done:
                yield None
                continue
            event = pending.result()
            pending = None
            if event is None:
                return
            yield event
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            # Let the cancellation land before closing: closing a running generator fails.
            await asyncio.wait({pending})
        await close_events(events)


async def close_events(events: AsyncIterator[LedgerEvent]) -> None:
    # The protocol promises an AsyncIterator; async generators also want an explicit close.
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
