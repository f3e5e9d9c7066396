"""Reads of contract state: one key, a prefix range, a key's history, and read-only queries.

DESIGN.md, State: every write is versioned by (height, tx index) and the history index gives
all versions of a key in order, paginated; cursors are opaque strings from the node. Every
answer passes the access policy first (``node.api.access``): a member's pages hold only
what its organization may see, so a page may be shorter than ``limit`` (even empty) while
``next_cursor`` still says there is more.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from node.api.access import StateReads
from node.api.body import decode_query_args, media_type, read_capped
from node.api.context import ApiContext
from node.api.convert import json_value, state_entries, state_entry, state_page
from node.api.errors import MalformedRequest, ResourceNotFound
from node.api.models import QueryRequest, QueryResponse, StatePage, StateResponse
from node.api.routes.common import Viewing, error_responses
from node.api.viewer import Viewer
from node.service import Consistency, Page

_CONSISTENCY_DOC = "linearizable: confirmed with the leader (ReadIndex); stale: this node's view"


def build(ctx: ApiContext) -> APIRouter:
    router = APIRouter()
    limits = ctx.limits
    Limit = Annotated[
        int, Query(ge=1, le=limits.max_page_limit, description="Most items in the page")
    ]
    Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
    Consistent = Annotated[Consistency, Query(description=_CONSISTENCY_DOC)]

    @router.get(
        "/v1/state/{contract}/{key:path}",
        tags=["state"],
        summary="Current value of one key",
        response_model=StateResponse,
        responses=error_responses(401, 403, 404, 503),
    )
    async def get_state(
        viewer: Viewing,
        contract: str,
        key: Annotated[str, Path(description="The key; may contain slashes")],
        consistency: Consistent = Consistency.LINEARIZABLE,
    ) -> StateResponse:
        if not key:
            raise MalformedRequest("the key is empty", code="request.invalid")
        ctx.access.require_member(viewer, "contract state")
        entry = await ctx.service.get_state(contract, key, consistency=consistency)
        value = None if entry is None else entry.value
        await ctx.access.check_state(viewer, contract, key, value, StateReads(ctx.service))
        if entry is None:
            raise ResourceNotFound(f"{contract} has no key {key!r}", code="state.not_found")
        return StateResponse(contract=contract, consistency=consistency, entry=state_entry(entry))

    @router.get(
        "/v1/state/{contract}",
        tags=["state"],
        summary="Keys of a contract by prefix, in key order, paginated",
        response_model=StatePage,
        responses=error_responses(401, 503),
    )
    async def range_state(
        viewer: Viewing,
        contract: str,
        prefix: Annotated[str, Query(description="Only keys starting with this")] = "",
        cursor: Cursor = None,
        limit: Limit = limits.default_page_limit,
        consistency: Consistent = Consistency.LINEARIZABLE,
    ) -> StatePage:
        ctx.access.require_member(viewer, "contract state")
        page = await ctx.service.range_state(
            contract, prefix, cursor=cursor, limit=limit, consistency=consistency
        )
        return await visible_page(viewer, contract, page)

    @router.get(
        "/v1/history/{contract}/{key:path}",
        tags=["state"],
        summary="Every version of a key, oldest first, paginated",
        response_model=StatePage,
        responses=error_responses(401),
    )
    async def history(
        viewer: Viewing,
        contract: str,
        key: str,
        cursor: Cursor = None,
        limit: Limit = limits.default_page_limit,
    ) -> StatePage:
        if not key:
            raise MalformedRequest("the key is empty", code="request.invalid")
        ctx.access.require_member(viewer, "key history")
        page = ctx.service.history(contract, key, cursor=cursor, limit=limit)
        return await visible_page(viewer, contract, page)

    @router.post(
        "/v1/query/{contract}/{function}",
        tags=["query"],
        summary="Run a read-only contract function",
        response_model=QueryResponse,
        responses=error_responses(401, 403, 404, 413, 415, 422, 503),
        openapi_extra={
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": QueryRequest.model_json_schema()}},
            }
        },
    )
    async def query(
        viewer: Viewing, contract: str, function: str, request: Request
    ) -> QueryResponse:
        ctx.access.require_member(viewer, f"query {contract}.{function}")
        body = await read_capped(request, limits.max_body_bytes)
        args = decode_query_args(body, media_type(request))
        await ctx.access.check_query(viewer, contract, function, args)
        result = await ctx.service.query(contract, function, args, signer_key_id=viewer.key_id)
        shaped = ctx.access.shape_query(viewer, contract, function, result)
        return QueryResponse(contract=contract, function=function, result=json_value(shaped))

    async def visible_page(viewer: Viewer, contract: str, page: Page) -> StatePage:
        visible = await ctx.access.visible_entries(
            viewer, contract, state_entries(page), StateReads(ctx.service)
        )
        return state_page(Page(items=list(visible), next_cursor=page.next_cursor))

    return router
