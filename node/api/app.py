"""``create_app``: the node's client HTTP API over a :class:`~node.service.LedgerService`.

DESIGN.md, Client API. Layers, outermost first: metrics (every answer is counted and timed),
the error net (coded exceptions become ``{"error": ...}``; bugs become a bare 500), FastAPI's
own handlers (validation and routing errors rewritten into the same shape), then the routes.
Everything under ``/v1`` spends a token of the caller's rate bucket first. Between the error
net and the routes sits authentication: every request gets a Viewer (signed request, TLS
client certificate, or anonymous) that the access policy (``node.api.access``) judges.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from node.api.access import Access
from node.api.auth import Authenticator, AuthMiddleware
from node.api.context import ApiContext
from node.api.limits import ApiLimits, RateLimiter
from node.api.metrics import ApiMetrics
from node.api.middleware import ErrorMiddleware, MetricsMiddleware
from node.api.responses import error_response
from node.api.routes import audit, blocks, events, ops, state, transactions, verify
from node.service import LedgerService

API_VERSION = "1.0"

_TAGS = [
    {"name": "transactions", "description": "Submit signed transactions; receipts"},
    {"name": "state", "description": "Contract state and key history"},
    {"name": "query", "description": "Read-only contract functions"},
    {"name": "blocks", "description": "Committed blocks, JSON or canonical bytes"},
    {"name": "proofs", "description": "Merkle inclusion proofs"},
    {"name": "events", "description": "Resumable Server-Sent Events stream"},
    {"name": "verify", "description": "Public pharmacy verification of a scanned code"},
    {"name": "audit", "description": "Regulators: export of every version of a key range"},
    {"name": "operations", "description": "Health and Prometheus metrics"},
]

_HTTP_CODES = {404: "route.not_found", 405: "request.method_not_allowed"}


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def create_app(
    service: LedgerService,
    *,
    limits: ApiLimits,
    clock: Callable[[], float] | None = None,
    wall_clock_ms: Callable[[], int] | None = None,
) -> FastAPI:
    """The API app. ``clock`` (monotonic seconds) drives rate buckets and latency,
    ``wall_clock_ms`` (Unix ms) the freshness of signed requests; tests inject both."""
    now = time.monotonic if clock is None else clock
    metrics = ApiMetrics()
    ctx = ApiContext(
        service=service,
        limits=limits,
        metrics=metrics,
        limiter=RateLimiter(limits, now),
        access=Access(service),
    )
    authenticator = Authenticator(
        service,
        window_s=limits.auth_window_s,
        max_nonces=limits.max_nonces,
        wall_clock_ms=_wall_clock_ms if wall_clock_ms is None else wall_clock_ms,
    )
    app = FastAPI(
        title="rxledger node API",
        version=API_VERSION,
        summary="Submit signed transactions; read state, history, blocks, proofs and events; "
        "verify a code publicly.",
        openapi_tags=_TAGS,
    )
    app.state.api = ctx
    # Full paths in the routers (no nested prefix) so the route template that labels the
    # metrics is the path a client sees.
    for module in (transactions, state, blocks, events, verify, audit):
        app.include_router(module.build(ctx), dependencies=[Depends(ctx.check_rate)])
    app.include_router(ops.build(ctx))
    _install_handlers(app, metrics)
    app.add_middleware(
        AuthMiddleware, authenticator=authenticator, max_body_bytes=limits.max_body_bytes
    )
    app.add_middleware(ErrorMiddleware, metrics=metrics, retry_after_s=limits.retry_after_s)
    app.add_middleware(MetricsMiddleware, metrics=metrics, clock=now)
    return app


def _install_handlers(app: FastAPI, metrics: ApiMetrics) -> None:
    async def validation(request: Request, exc: Exception) -> Response:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        details = "; ".join(
            f"{'.'.join(str(part) for part in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
            for err in errors
        )
        return error_response("request.invalid", details or "invalid request", metrics=metrics)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        code = _HTTP_CODES.get(status, "request.malformed" if status < 500 else "internal")
        message = str(exc.detail) if isinstance(exc, HTTPException) else "internal error"
        response: JSONResponse = error_response(code, message, metrics=metrics, status=status)
        if isinstance(exc, HTTPException) and exc.headers:
            response.headers.update(exc.headers)
        return response

    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http_error)
