"""The event stream, sans-I/O: Server-Sent Events decoding and the resume cursor.

WHATWG HTML, Server-sent events: ``field: value`` lines, a blank line ends an event, lines
starting with ``:`` are comments (the node's keep-alives). The node's event ids are
``{height}-{tx_index}-{event_index}``, a total order (docs/api.md, Event stream), so the
cursor remembers the last id delivered and every reconnection asks for the events strictly
after it (``Last-Event-ID``): nothing is skipped, and anything at or before it that a node
sends again is dropped, so nothing is delivered twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import httpx

from sdk.client.calls import Call, error_of
from sdk.client.errors import ClientError, ProtocolError
from sdk.client.models import EventPosition, LedgerEvent, parse_event
from sdk.client.values import Fields

STREAM_IDLE_S: Final = 60.0
"""Longest silence tolerated on a stream (the node sends a keep-alive every 15 s)."""
LAST_EVENT_ID: Final = "Last-Event-ID"


@dataclass(frozen=True, slots=True)
class SseFrame:
    event: str
    data: str
    id: str | None


@dataclass(slots=True)
class SseDecoder:
    """Lines in, frames out (one frame per blank-line-terminated block with data)."""

    _data: list[str] = field(default_factory=list)
    _event: str = ""
    _id: str | None = None

    def feed(self, line: str) -> SseFrame | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        return None

    def _dispatch(self) -> SseFrame | None:
        frame = None
        if self._data:
            frame = SseFrame(self._event or "message", "\n".join(self._data), self._id)
        self._data, self._event, self._id = [], "", None
        return frame


class StreamFailed(ClientError):
    """The node ended the stream with an ``event: error`` frame (e.g. it halted on a fork)."""

    code = "node.error"


class EventCursor:
    """Where the subscriber is: the filters, and the last event delivered."""

    def __init__(
        self,
        *,
        from_height: int | None,
        after: EventPosition | None,
        contracts: Sequence[str],
        types: Sequence[str],
    ) -> None:
        if from_height is not None and from_height < 0:
            raise ValueError("from_height is >= 0")
        self.from_height = from_height
        self.last = after
        self._filters = tuple(("contract", c) for c in contracts) + tuple(
            ("type", t) for t in types
        )

    @property
    def needs_start(self) -> bool:
        """Neither a start height nor a position: the start is pinned to the chain tip + 1
        before the first connection, so a reconnection cannot skip what came in between."""
        return self.from_height is None and self.last is None

    def call(self) -> Call[None]:
        params = list(self._filters)
        headers: list[tuple[str, str]] = []
        if self.last is not None:
            headers.append((LAST_EVENT_ID, str(self.last)))
        elif self.from_height is not None:
            params.append(("from_height", str(self.from_height)))
        return Call(
            "GET",
            "/v1/events",
            _refusal,
            params=tuple(params),
            headers=tuple(headers),
            wait_s=STREAM_IDLE_S,
        )

    def accept(self, frame: SseFrame) -> LedgerEvent | None:
        """The event of a frame, or None when it is not one to deliver (seen, or no event)."""
        if frame.event == "error":
            raise _stream_error(frame.data)
        if frame.event != "message":
            return None
        try:
            event = parse_event(json.loads(frame.data))
        except ValueError as exc:
            raise ProtocolError(f"event {frame.id}: data is not JSON") from exc
        if self.last is not None and event.position <= self.last:
            return None
        if self.from_height is not None and event.height < self.from_height:
            return None
        self.last = event.position
        return event


def _refusal(response: httpx.Response) -> None:
    """How a non-200 answer to the stream request is raised (a 200 is streamed instead)."""
    if not response.is_success:
        raise error_of(response)


def _stream_error(data: str) -> StreamFailed:
    try:
        error = Fields(json.loads(data), "error event").fields("error")
        return StreamFailed(error.text("message"), code=error.text("code"))
    except (ValueError, ProtocolError):
        return StreamFailed(f"the node ended the stream with an error: {data[:200]}")
