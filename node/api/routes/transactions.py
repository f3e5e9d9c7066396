"""``POST /v1/transactions`` (submit one or a batch) and ``GET /v1/transactions/{tx_id}``.

Overall status of a submit, item results always in request order:

* every item refused: the status of the first item's error code, with that error on top;
* otherwise 200 when every accepted item is committed (``wait=true`` and in time), else 202.

Submitting needs no request authentication (each transaction carries its own signature,
docs/api.md explains why); reading a receipt later is for the signer's org and regulators.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from node.api.body import decode_submit, media_type, read_capped
from node.api.context import ApiContext
from node.api.convert import receipt_model, submit_item
from node.api.errors import RETRY_STATUSES, ResourceNotFound, status_for_code
from node.api.models import ReceiptModel, SubmitItem, SubmitRequest, SubmitResponse
from node.api.routes.common import Viewing, error_responses
from node.service import TxState

_SUBMIT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": SubmitRequest.model_json_schema()},
            "application/msgpack": {
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "format": "binary"},
                    "description": "A msgpack array of bin items, each a signed transaction.",
                }
            },
        },
    }
}


def overall_status(items: list[SubmitItem]) -> int:
    """The status of a whole submit from its items (see the module docstring)."""
    accepted = [item for item in items if item.accepted]
    if not accepted:
        first = items[0].error
        return status_for_code(first.code if first is not None else "tx.rejected")
    committed = all(
        item.receipt is not None and item.receipt.state is TxState.COMMITTED for item in accepted
    )
    return 200 if committed else 202


def build(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["transactions"])

    @router.post(
        "/v1/transactions",
        summary="Submit one signed transaction or a batch",
        response_model=SubmitResponse,
        status_code=202,
        responses={
            200: {"model": SubmitResponse, "description": "All accepted items committed"},
            **error_responses(401, 403, 409, 413, 415, 503, 504),
        },
        openapi_extra=_SUBMIT_BODY,
    )
    async def submit(
        request: Request,
        response: Response,
        wait: Annotated[bool, Query(description="Wait until committed or timeout")] = False,
        wait_s: Annotated[
            float | None,
            Query(
                alias="timeout",
                gt=0,
                le=ctx.limits.max_wait_s,
                description="Seconds to wait when wait=true",
            ),
        ] = None,
    ) -> SubmitResponse:
        body = await read_capped(request, ctx.limits.max_body_bytes)
        transactions = decode_submit(body, media_type(request), ctx.limits.max_batch)
        timeout_s = ctx.limits.default_wait_s if wait_s is None else wait_s
        results = await ctx.service.submit(transactions, wait=wait, timeout_s=timeout_s)
        items = [submit_item(result) for result in results]
        for item in items:
            if item.error is not None:
                ctx.metrics.observe_error(item.error.code)
        response.status_code = overall_status(items)
        top = None if any(item.accepted for item in items) else items[0].error
        if top is not None and response.status_code in RETRY_STATUSES:
            response.headers["Retry-After"] = str(ctx.limits.retry_after_s)
        return SubmitResponse(results=items, error=top)

    @router.get(
        "/v1/transactions/{tx_id}",
        summary="Status and receipt of a transaction",
        response_model=ReceiptModel,
        responses=error_responses(401, 403, 404),
    )
    async def receipt(viewer: Viewing, tx_id: str) -> ReceiptModel:
        ctx.access.require_member(viewer, "a transaction receipt")
        found = ctx.service.receipt(tx_id)
        if found.state is TxState.UNKNOWN:
            raise ResourceNotFound(f"no transaction {tx_id} is known", code="tx.not_found")
        await ctx.access.check_receipt(viewer, found)
        return receipt_model(found)

    return router
