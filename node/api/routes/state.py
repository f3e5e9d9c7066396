"""Reads of contract state: one key, a prefix range, a key's history, and read-only queries.

DESIGN.md, State: every write is versioned by (height, tx index) and the history index gives
all versions of a key in order, paginated; cursors are opaque strings from the node.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from node.api.body import decode_query_args, media_type, read_capped
from node.api.context import ApiContext
from node.api.convert import json_value, state_entry, state_page
from node.api.errors import MalformedRequest, ResourceNotFound
from node.api.models import QueryRequest, QueryResponse, StatePage, StateResponse
from node.api.routes.common import error_responses
from node.service import Consistency

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
        responses=error_responses(404, 503),
    )
    async def get_state(
        contract: str,
        key: Annotated[str, Path(description="The key; may contain slashes")],
        consistency: Consistent = Consistency.LINEARIZABLE,
    ) -> StateResponse:
        if not key:
            raise MalformedRequest("the key is empty", code="request.invalid")
        entry = await ctx.service.get_state(contract, key, consistency=consistency)
        if entry is None:
            raise ResourceNotFound(f"{contract} has no key {key!r}", code="state.not_found")
        return StateResponse(contract=contract, consistency=consistency, entry=state_entry(entry))

    @router.get(
        "/v1/state/{contract}",
        tags=["state"],
        summary="Keys of a contract by prefix, in key order, paginated",
        response_model=StatePage,
        responses=error_responses(503),
    )
    async def range_state(
        contract: str,
        prefix: Annotated[str, Query(description="Only keys starting with this")] = "",
        cursor: Cursor = None,
        limit: Limit = limits.default_page_limit,
        consistency: Consistent = Consistency.LINEARIZABLE,
    ) -> StatePage:
        page = await ctx.service.range_state(
            contract, prefix, cursor=cursor, limit=limit, consistency=consistency
        )
        return state_page(page)

    @router.get(
        "/v1/history/{contract}/{key:path}",
        tags=["state"],
        summary="Every version of a key, oldest first, paginated",
        response_model=StatePage,
        responses=error_responses(),
    )
    async def history(
        contract: str, key: str, cursor: Cursor = None, limit: Limit = limits.default_page_limit
    ) -> StatePage:
        if not key:
            raise MalformedRequest("the key is empty", code="request.invalid")
        return state_page(ctx.service.history(contract, key, cursor=cursor, limit=limit))

    @router.post(
        "/v1/query/{contract}/{function}",
        tags=["query"],
        summary="Run a read-only contract function",
        response_model=QueryResponse,
        responses=error_responses(403, 404, 413, 415, 422, 503),
        openapi_extra={
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": QueryRequest.model_json_schema()}},
            }
        },
    )
    async def query(contract: str, function: str, request: Request) -> QueryResponse:
        body = await read_capped(request, limits.max_body_bytes)
        args = decode_query_args(body, media_type(request))
        result = await ctx.service.query(contract, function, args, signer_key_id=None)
        return QueryResponse(contract=contract, function=function, result=json_value(result))

    return router
