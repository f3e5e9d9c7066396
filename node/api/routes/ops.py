"""Operator endpoints outside ``/v1`` and outside the rate limit: health and metrics."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse

from node.api.context import ApiContext
from node.api.convert import health_model
from node.api.models import ErrorBody, HealthModel

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def build(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/health",
        summary="Node health: 200 healthy, 503 without a leader or with a fork alarm",
        response_model=HealthModel,
        responses={503: {"model": HealthModel, "description": "Unhealthy; `error` says why"}},
    )
    async def health() -> JSONResponse:
        report = ctx.service.health()
        error = None
        if report.fork_alarm is not None:
            error = ErrorBody(code="node.fork_detected", message=report.fork_alarm)
        elif report.leader_id is None:
            error = ErrorBody(code="node.no_leader", message="no leader is known right now")
        model = health_model(report, error)
        return JSONResponse(
            model.model_dump(mode="json"), status_code=200 if error is None else 503
        )

    @router.get(
        "/metrics",
        summary="Prometheus metrics of the node and of this API",
        response_class=PlainTextResponse,
    )
    async def metrics() -> PlainTextResponse:
        node_text = ctx.service.metrics()
        if node_text and not node_text.endswith("\n"):
            node_text += "\n"
        return PlainTextResponse(node_text + ctx.metrics.render(), media_type=PROMETHEUS_TEXT)

    return router
