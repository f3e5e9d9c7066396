"""Pieces shared by the routers: documented error answers and the caller (Viewer)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from node.api.models import ErrorResponse
from node.api.viewer import Viewer, viewer_of

Viewing = Annotated[Viewer, Depends(viewer_of)]
"""The caller, as the auth middleware identified it (anonymous when unauthenticated)."""

_DESCRIPTIONS = {
    400: "Malformed request (`request.*`)",
    401: "Credentials missing, stale, replayed, forged or of an inactive key (`auth.*`); "
    "unknown or unverifiable signer (`identity.*`, `signer.*`, `signature.*`)",
    403: "Not a party to this data (`access.denied`), or the signer lacks the role "
    "(`permission.*`)",
    404: "Not found",
    409: "Duplicate transaction (`tx.duplicate`) or state conflict",
    413: "Body or batch too large (`request.too_large`, `request.too_many_transactions`)",
    415: "Content-Type not accepted",
    422: "A contract refused the request (its own code)",
    429: "Rate limited (`api.rate_limited`); see Retry-After",
    503: "No leader, overloaded, not current or halted (`node.*`); see Retry-After",
    504: "Waited for commit in vain (`tx.wait_timeout`)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given statuses, all in the error shape."""
    chosen = (400, 429, 500, *statuses)
    return {
        status: {
            "model": ErrorResponse,
            "description": _DESCRIPTIONS.get(status, "Internal error (`internal`): a bug"),
        }
        for status in sorted(set(chosen))
    }
