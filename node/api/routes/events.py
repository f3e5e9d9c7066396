"""``GET /v1/events``: committed ledger events as Server-Sent Events, resumable.

A client resumes with the ``Last-Event-ID`` header (what EventSource sends on reconnect) or
with ``from_height``; the header wins because it is the more precise position. Without
either, the stream starts after the current height: only new events. Members get the events
the access policy shows them (``Access.event_visible``); regulators get all.
"""

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse

from node.api.context import ApiContext
from node.api.errors import ApiError, code_of, message_of
from node.api.routes.common import Viewing, error_responses
from node.api.sse import (
    KEEPALIVE,
    EventPosition,
    after,
    close_events,
    frame_error,
    frame_event,
    with_keepalive,
)
from node.api.viewer import Viewer
from node.service import LedgerEvent

_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def build(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["events"])

    async def visible(
        viewer: Viewer, events: AsyncIterator[LedgerEvent]
    ) -> AsyncGenerator[LedgerEvent, None]:
        try:
            async for event in events:
                if await ctx.access.event_visible(viewer, event):
                    yield event
        finally:
            await close_events(events)

    async def frames(events: AsyncIterator[LedgerEvent]) -> AsyncIterator[bytes]:
        ctx.open_streams += 1
        try:
            async for event in with_keepalive(events, ctx.limits.keepalive_s):
                yield KEEPALIVE if event is None else frame_event(event)
        except Exception as exc:
            # The 200 is already sent: a coded failure (e.g. the node halted on a fork)
            # ends the stream with an error event; anything else is a bug for the log.
            code = code_of(exc)
            if code is None:
                raise
            ctx.metrics.observe_error(code)
            yield frame_error(code, message_of(exc))
        finally:
            ctx.open_streams -= 1

    @router.get(
        "/v1/events",
        summary="Stream committed events (Server-Sent Events), resumable",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "text/event-stream; `id: {height}-{tx_index}-{event_index}`, "
                "`data:` an EventModel as JSON; `: keep-alive` comments when idle",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
            **error_responses(401, 503),
        },
    )
    async def events(
        viewer: Viewing,
        from_height: Annotated[int | None, Query(ge=0, description="First height")] = None,
        contract: Annotated[list[str] | None, Query(description="Only these contracts")] = None,
        types: Annotated[
            list[str] | None, Query(alias="type", description="Only these types")
        ] = None,
        last_event_id: Annotated[str | None, Header(description="Resume after this id")] = None,
    ) -> StreamingResponse:
        ctx.access.require_member(viewer, "the event stream")
        position = None if last_event_id is None else EventPosition.parse(last_event_id)
        if ctx.open_streams >= ctx.limits.max_event_streams:
            raise ApiError("too many open event streams; retry later", code="node.overloaded")
        if position is not None:
            start = position.height
        elif from_height is not None:
            start = from_height
        else:
            start = ctx.service.height() + 1
        source = ctx.service.events(
            from_height=start,
            contracts=frozenset(contract or ()),
            types=frozenset(types or ()),
        )
        return StreamingResponse(
            frames(visible(viewer, after(source, position))),
            media_type="text/event-stream",
            headers=_STREAM_HEADERS,
        )

    return router
