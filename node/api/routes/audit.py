"""``GET /v1/audit/export``: every version of a contract's keys, as JSON lines (regulators).

The export streams page after page from the service, so its size is not bounded by memory.
If the node fails after the first line, the last line is ``{"error": {"code", "message"}}``
and the stream ends: a complete export always ends with a line that is not an error.
"""

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from node.api.context import ApiContext
from node.api.convert import json_value
from node.api.errors import MalformedRequest, code_of, message_of
from node.api.models import AuditLineModel
from node.api.routes.common import Viewing, error_responses
from node.service import KeyVersion, Page

NDJSON = "application/x-ndjson"


def build(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["audit"])

    def fetch(
        contract: str, prefix: str, since_ms: int | None, until_ms: int | None, cursor: str | None
    ) -> Page:
        return ctx.service.audit_versions(
            contract,
            prefix,
            since_ms=since_ms,
            until_ms=until_ms,
            cursor=cursor,
            limit=ctx.limits.audit_page,
        )

    async def lines(
        first: Page, contract: str, prefix: str, since_ms: int | None, until_ms: int | None
    ) -> AsyncIterator[bytes]:
        page = first
        try:
            while True:
                for item in page.items:
                    if not isinstance(item, KeyVersion):
                        raise TypeError(f"audit item is {type(item).__name__}, not KeyVersion")
                    yield _line(contract, item)
                if page.next_cursor is None:
                    return
                page = fetch(contract, prefix, since_ms, until_ms, page.next_cursor)
        except Exception as exc:
            code = code_of(exc)
            if code is None:
                raise
            ctx.metrics.observe_error(code)
            error = {"error": {"code": code, "message": message_of(exc)}}
            yield json.dumps(error).encode() + b"\n"

    @router.get(
        "/v1/audit/export",
        summary="Every version of a contract's keys by prefix and time range (JSON lines)",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "application/x-ndjson: one AuditLineModel per line, ordered "
                "by key, then height and transaction index",
                "content": {NDJSON: {"schema": AuditLineModel.model_json_schema()}},
            },
            **error_responses(401, 403, 503),
        },
    )
    async def export(
        viewer: Viewing,
        contract: Annotated[str, Query(min_length=1, description="The contract namespace")],
        prefix: Annotated[str, Query(description="Only keys starting with this")] = "",
        from_ms: Annotated[
            int | None, Query(ge=0, description="Versions written at or after (block time)")
        ] = None,
        to_ms: Annotated[
            int | None, Query(ge=0, description="Versions written before (block time)")
        ] = None,
    ) -> StreamingResponse:
        ctx.access.require_regulator(viewer, "the audit export")
        if from_ms is not None and to_ms is not None and to_ms <= from_ms:
            raise MalformedRequest("`to_ms` must be after `from_ms`", code="request.invalid")
        # The first page is read before the 200 goes out, so an early failure (no leader,
        # unknown contract) is an ordinary error answer.
        first = fetch(contract, prefix, from_ms, to_ms, None)
        return StreamingResponse(
            lines(first, contract, prefix, from_ms, to_ms),
            media_type=NDJSON,
            headers={"Cache-Control": "no-store"},
        )

    return router


def _line(contract: str, version: KeyVersion) -> bytes:
    model = AuditLineModel(
        contract=contract,
        key=version.key,
        height=version.height,
        tx_index=version.tx_index,
        tx_id=version.tx_id,
        block_time_ms=version.block_time_ms,
        value=json_value(version.value),
    )
    return model.model_dump_json().encode() + b"\n"
