"""Ask a node how it is: ``GET /health`` (docs/api.md), read leniently.

A node answers 200 when healthy and 503 without a leader or with a fork alarm; both carry
the same body, so both are a *reachable* node. Anything else (refused, timed out, not JSON)
is unreachable, with the reason kept for the status table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class NodeHealth:
    healthy: bool
    node_id: int | None
    role: str
    leader_id: int | None
    term: int
    height: int
    fork_alarm: str | None
    error: str | None
    """The node's own reason for being unhealthy (``error.code: message``)."""


@dataclass(frozen=True, slots=True)
class Unreachable:
    reason: str


def probe(client: httpx.Client, api_url: str) -> NodeHealth | Unreachable:
    try:
        response = client.get(f"{api_url}/health")
    except httpx.HTTPError as exc:
        return Unreachable(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if response.status_code not in (200, 503):
        return Unreachable(f"/health answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return Unreachable("/health did not answer JSON")
    if not isinstance(body, dict):
        return Unreachable("/health did not answer a JSON object")
    return _health(body)


def _health(body: dict[str, Any]) -> NodeHealth:
    error = body.get("error")
    reason = None
    if isinstance(error, dict):
        reason = f"{error.get('code')}: {error.get('message')}"
    return NodeHealth(
        healthy=body.get("healthy") is True,
        node_id=_int_or_none(body.get("node_id")),
        role=str(body.get("role", "?")),
        leader_id=_int_or_none(body.get("leader_id")),
        term=_int_or_none(body.get("term")) or 0,
        height=_int_or_none(body.get("height")) or 0,
        fork_alarm=body.get("fork_alarm") if isinstance(body.get("fork_alarm"), str) else None,
        error=reason,
    )


def _int_or_none(value: object) -> int | None:
    return value if type(value) is int else None
