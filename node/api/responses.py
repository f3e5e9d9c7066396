"""Building error answers: one shape, the status from the code table, Retry-After when due."""

from __future__ import annotations

import math

from starlette.responses import JSONResponse

from node.api.errors import RETRY_STATUSES, status_for_code
from node.api.metrics import ApiMetrics

WWW_AUTHENTICATE = (
    'Rxl-Ed25519 realm="rxledger", '
    'headers="X-Rxl-Key-Id X-Rxl-Timestamp X-Rxl-Nonce X-Rxl-Signature"'
)


def error_response(
    code: str,
    message: str,
    *,
    metrics: ApiMetrics,
    retry_after_s: float | None = None,
    status: int | None = None,
) -> JSONResponse:
    """``{"error": {"code", "message"}}`` with the status of ``code`` (or the one given).

    RFC 9110 §10.2.3: Retry-After tells a client of a 429 or 503 when to come back;
    §11.6.1: a 401 names the scheme that would authenticate (docs/api.md, Signed requests).
    """
    status = status_for_code(code) if status is None else status
    metrics.observe_error(code)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    if status in RETRY_STATUSES and retry_after_s is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after_s)))
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )
