"""``GET /v1/verify``: the public pharmacy check of a scanned code, no authentication.

It runs the trace contract's ``verify`` query unsigned and answers only the public fields
(``node.api.access.public_verify``): authenticity, product, lot, expiry, status, recall and
holds — never who owns the pack, where it is going, shipments or prices.
"""

from typing import Annotated

from fastapi import APIRouter, Query

from node.api.access import public_verify
from node.api.context import ApiContext
from node.api.convert import json_value
from node.api.errors import MalformedRequest
from node.api.models import VerifyResponse
from node.api.routes.common import error_responses

TRACE = "trace"
MAX_CODE_CHARS = 512


def build(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["verify"])

    @router.get(
        "/v1/verify",
        summary="Verify a scanned code (public): genuine, product, expiry, status, recall",
        response_model=VerifyResponse,
        responses=error_responses(404, 422, 503),
    )
    async def verify(
        code: Annotated[
            str,
            Query(
                description="The scanned text: GS1 element string, HRI, Digital Link, "
                "20-digit NMPA code, or a canonical key (`sgtin:…`)",
            ),
        ],
    ) -> VerifyResponse:
        if not code.strip() or len(code) > MAX_CODE_CHARS:
            raise MalformedRequest(
                f"`code` must be 1 to {MAX_CODE_CHARS} characters of scanned text",
                code="request.invalid",
            )
        answer = await ctx.service.query(TRACE, "verify", {"code": code}, signer_key_id=None)
        return VerifyResponse.model_validate(json_value(public_verify(answer)))

    return router
