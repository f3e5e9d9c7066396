"""Two plain ASGI middlewares: request metrics, and the last net that turns errors into answers.

The error net is where ``node.errors``, ``sdk.errors`` and ``chaincode.errors`` exceptions
become ``{"error": ...}`` answers by their ``code`` (table in ``node.api.errors``). An
exception without a code is a bug: it is logged with its traceback and answered as a bare
500 ``internal`` whose message reveals nothing of the node's internals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from node.api.errors import INTERNAL, RateLimited, code_of, message_of
from node.api.metrics import UNMATCHED_ROUTE, ApiMetrics
from node.api.responses import error_response

log = logging.getLogger("rxledger.api")

INTERNAL_MESSAGE = "internal error; the node log has the details"


class MetricsMiddleware:
    """Counts every answered request by route template, method and status, and times it."""

    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics, clock: Callable[[], float]) -> None:
        self.app = app
        self.metrics = metrics
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = self.clock()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", UNMATCHED_ROUTE)
            self.metrics.observe_request(
                str(template), str(scope["method"]), status, self.clock() - start
            )


class ErrorMiddleware:
    """Answers any exception that escaped the routes, before the server's generic 500."""

    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics, retry_after_s: float) -> None:
        self.app = app
        self.metrics = metrics
        self.retry_after_s = retry_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            code = code_of(exc)
            if started or code is None or code == INTERNAL:
                # A bug, or a failure after the status line went out: keep the traceback.
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
                if started:
                    raise
                code, message = INTERNAL, INTERNAL_MESSAGE
            else:
                message = message_of(exc)
            retry = exc.retry_after_s if isinstance(exc, RateLimited) else self.retry_after_s
            response = error_response(code, message, metrics=self.metrics, retry_after_s=retry)
            await response(scope, receive, send)
