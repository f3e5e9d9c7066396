"""Blocks by height, by hash and the latest one; Merkle inclusion proofs of transactions.

``?format=raw`` serves the block's canonical bytes untouched (DESIGN.md, Data model: nothing
is re-serialized before verifying), so a client can hash and check them itself. Raw blocks
hold every transaction, so they are for regulators; a member's JSON block has every header
field, id and result code, and the bodies of the transactions its own org signed (others
are null).
"""

import re
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from node.api.context import ApiContext
from node.api.convert import block_model, proof_model
from node.api.errors import MalformedRequest, ResourceNotFound
from node.api.models import BlockModel, ProofModel
from node.api.routes.common import Viewing, error_responses
from node.api.viewer import Viewer
from node.service import BlockView

_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")


class BlockFormat(StrEnum):
    JSON = "json"
    RAW = "raw"


_BLOCK_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The block as JSON, or its canonical bytes with format=raw",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
    **error_responses(401, 403, 404),
}


def build(ctx: ApiContext) -> APIRouter:
    router = APIRouter()
    Format = Annotated[BlockFormat, Query(alias="format", description="json or raw")]

    def _answer(
        viewer: Viewer, block: BlockView | None, fmt: BlockFormat, what: str
    ) -> BlockModel | Response:
        if fmt is BlockFormat.RAW:
            ctx.access.require_regulator(viewer, "a raw block (all transaction bodies)")
        else:
            ctx.access.require_member(viewer, "blocks")
        if block is None:
            raise ResourceNotFound(f"no block {what}", code="block.not_found")
        if fmt is BlockFormat.RAW:
            return Response(
                content=block.raw,
                media_type="application/octet-stream",
                headers={"X-Block-Height": str(block.height), "X-Block-Hash": block.block_hash},
            )
        return block_model(block, ctx.access.visible_bodies(viewer, block))

    @router.get(
        "/v1/blocks/latest",
        tags=["blocks"],
        summary="The newest committed block",
        response_model=BlockModel,
        responses=_BLOCK_RESPONSES,
    )
    async def latest(viewer: Viewing, fmt: Format = BlockFormat.JSON) -> BlockModel | Response:
        height = ctx.service.height()
        return _answer(viewer, ctx.service.block_by_height(height), fmt, "committed yet")

    @router.get(
        "/v1/blocks/by-hash/{block_hash}",
        tags=["blocks"],
        summary="A block by its hash (hex SHA-256 of the canonical header)",
        response_model=BlockModel,
        responses=_BLOCK_RESPONSES,
    )
    async def by_hash(
        viewer: Viewing, block_hash: str, fmt: Format = BlockFormat.JSON
    ) -> BlockModel | Response:
        if _HEX_HASH.fullmatch(block_hash) is None:
            raise MalformedRequest("a block hash is 64 hex digits", code="request.invalid")
        found = ctx.service.block_by_hash(block_hash.lower())
        return _answer(viewer, found, fmt, f"with hash {block_hash}")

    @router.get(
        "/v1/blocks/{height}",
        tags=["blocks"],
        summary="A block by height",
        response_model=BlockModel,
        responses=_BLOCK_RESPONSES,
    )
    async def by_height(
        viewer: Viewing, height: Annotated[int, Path(ge=0)], fmt: Format = BlockFormat.JSON
    ) -> BlockModel | Response:
        return _answer(viewer, ctx.service.block_by_height(height), fmt, f"at height {height}")

    @router.get(
        "/v1/proofs/{tx_id}",
        tags=["proofs"],
        summary="Merkle inclusion proof of a committed transaction",
        response_model=ProofModel,
        responses=error_responses(401, 404),
    )
    async def proof(viewer: Viewing, tx_id: str) -> ProofModel:
        ctx.access.require_member(viewer, "inclusion proofs")
        found = ctx.service.proof(tx_id)
        if found is None:
            raise ResourceNotFound(f"no committed transaction {tx_id}", code="proof.not_found")
        return proof_model(found)

    return router
